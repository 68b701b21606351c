"""Markdown (.md): front matter as facts (python-frontmatter), the body rendered to plain text
from markdown-it-py's token stream.

Headings become their own paragraphs (listed in `Extracted.headings`, so the speaker parser can
make them sections, or labels when they are names: `### 唐鳳：`). Emphasis, links (their text
stays), images, HTML, horizontal rules and tables of contents (lists of links) leave no trace in
the words; block quotes keep their words but are listed in `Extracted.quotes` (an editor's note
or a pull quote, never a speaker's turn unless it carries a label). Lines of one paragraph stay
lines: transcripts often put one speaker per line without blank lines between.
"""

from __future__ import annotations

import datetime as _dt
import html
import logging
import re
from typing import Any

from ingest.formats.base import Extracted, row_to_line

log = logging.getLogger(__name__)

_FRONT = re.compile(r"\A(?:---|\+\+\+)[ \t]*\n")
_TAG = re.compile(r"<!--.*?-->|<(script|style)\b.*?</\1\s*>|<[^>]{1,400}>", re.S | re.I)
# Emphasis markers markdown-it leaves as text: CommonMark's flanking rules do not open emphasis
# next to Chinese punctuation ("**，但…**"), so the asterisks stay; they are never words.
_STRAY_EMPHASIS = re.compile(r"\*{2,}|~~")
_TOC_TOKEN = re.compile(r"\[\[?_?toc_?\]?\]|\[TOC\]|\{:toc\}", re.I)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """(facts, body). YAML (---) or TOML (+++) front matter; a block that does not parse is left
    in the text (with a warning) rather than guessed at."""
    if not _FRONT.match(text):
        return {}, text
    import frontmatter

    try:
        post = frontmatter.loads(text)
    except Exception as exc:  # malformed YAML/TOML: keep the text as it is
        log.warning("front matter does not parse (%s): kept as text", exc)
        return {}, text
    if not post.metadata:
        return {}, text
    return _facts(post.metadata), post.content


def _plain(value: Any) -> Any:
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _facts(meta: dict[str, Any]) -> dict[str, Any]:
    """Front-matter keys mapped onto the facts ingestion uses; unknown keys are kept as they are."""
    out: dict[str, Any] = {}
    aliases = {
        "title": ("title", "name", "标题", "標題"), "date": ("date", "published", "pubdate", "日期"),
        "source": ("source", "publisher", "podcast", "show", "来源", "來源"),
        "media_url": ("media_url", "media", "audio", "video", "youtube", "enclosure", "audio_url", "video_url"),
        "links": ("links", "link", "url", "urls", "permalink", "canonical_url", "source_url", "original_url"),
        "hosts": ("host", "hosts", "interviewer", "interviewers", "主持人", "主持"),
        "guests": ("guest", "guests", "interviewee", "interviewees", "嘉宾", "嘉賓"),
        "speakers": ("speakers", "speaker", "participants", "people", "发言人", "發言人"),
    }
    lowered = {str(k).strip().lower(): _plain(v) for k, v in meta.items()}
    for key, names in aliases.items():
        for name in names:
            if name in lowered and lowered[name] not in (None, "", []):
                out.setdefault(key, lowered[name])
    for key in ("hosts", "guests", "speakers", "links"):
        if key in out and not isinstance(out[key], list):
            out[key] = [out[key]]
    for key in ("title", "date", "source", "media_url"):
        if key in out and not isinstance(out[key], str):
            out[key] = str(out[key])
    return out


class MarkdownReader:
    suffixes = (".md", ".markdown")

    def read(self, data: bytes) -> Extracted | str:
        from ingest.loader import decode_bytes

        decoded = decode_bytes(data)
        if isinstance(decoded, str):
            return decoded
        raw, encoding = decoded
        facts, body = split_front_matter(raw)
        lines, headings, quotes = render(body)
        return Extracted(text="\n".join(lines), encoding=encoding, format="markdown", facts=facts,
                         headings=headings, quotes=quotes)


def _inline(token: Any) -> str:
    """The words of an inline token: text and code kept, every markup token dropped."""
    out: list[str] = []
    for child in token.children or []:
        if child.type == "text":
            out.append(_STRAY_EMPHASIS.sub("", child.content))
        elif child.type == "code_inline":
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif child.type == "html_inline":
            continue
        # strong/em/s/link open-close and images leave nothing behind
    text = "".join(out)
    return html.unescape(_TAG.sub("", text)) if "<" in text or "&" in text else text


def _is_toc(tokens: list[Any], start: int) -> tuple[bool, int]:
    """Whether the list opening at `start` is a table of contents (every item is only a link),
    and the index of its closing token."""
    depth, i, items, links = 0, start, 0, 0
    open_type = tokens[start].type
    close_type = open_type.replace("_open", "_close")
    while i < len(tokens):
        t = tokens[i]
        if t.type == open_type:
            depth += 1
        elif t.type == close_type:
            depth -= 1
            if depth == 0:
                break
        elif t.type == "inline":
            items += 1
            kids = [c for c in t.children or [] if not (c.type == "text" and not c.content.strip())]
            if kids and kids[0].type == "link_open" and kids[-1].type == "link_close" \
                    and sum(c.type == "link_open" for c in kids) == 1:
                links += 1
        i += 1
    return items > 0 and links == items, i


def render(body: str) -> tuple[list[str], list[str], list[str]]:
    """(lines, heading lines, block-quote lines) of a markdown body."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    tokens = md.parse(body)
    lines: list[str] = []
    headings: list[str] = []
    quotes: list[str] = []
    quote_depth = 0
    row: list[str] | None = None
    number: list[str] = []   # pending ordered-list number for the next paragraph
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t.type in ("bullet_list_open", "ordered_list_open"):
            toc, end = _is_toc(tokens, i)
            if toc:
                i = end + 1
                continue
        if t.type == "blockquote_open":
            quote_depth += 1
        elif t.type == "blockquote_close":
            quote_depth -= 1
        elif t.type == "list_item_open" and t.info:
            number.append(f"{t.info}{t.markup or '.'} ")
        elif t.type == "tr_open":
            row = []
        elif t.type == "tr_close" and row is not None:
            if line := row_to_line(row):
                lines.append(line)
            row = None
        elif t.type == "inline" and row is not None:
            row.append(_inline(t))
        elif t.type == "heading_open":
            text = " ".join(_inline(tokens[i + 1]).split())
            if text:
                lines.append(text)
                headings.append(text)
            i += 3
            continue
        elif t.type == "inline":
            text = _inline(t)
            if _TOC_TOKEN.fullmatch(text.strip()):
                i += 1
                continue
            prefix = number.pop() if number else ""
            for k, piece in enumerate(p.strip() for p in text.split("\n")):
                if not piece:
                    continue
                piece = (prefix + piece) if k == 0 else piece
                lines.append(piece)
                if quote_depth:
                    quotes.append(piece)
        elif t.type in ("fence", "code_block"):
            lines.extend(ln.strip() for ln in t.content.splitlines() if ln.strip())
        elif t.type == "html_block":
            text = html.unescape(_TAG.sub("\n", t.content))
            lines.extend(ln.strip() for ln in text.splitlines() if ln.strip())
        i += 1
    return lines, headings, quotes
