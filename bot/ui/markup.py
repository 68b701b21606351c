"""An LLM's Markdown answer: shown as Markdown in the chat (safely), as plain text in the API.

`safe_markdown` keeps the structure a model writes (headings, emphasis, lists, tables, code,
block quotes) and nothing that can run or point anywhere: every HTML tag is escaped, and square
brackets are escaped, so there are no links or images (and `[n]` markers stay literal text).
`plain_text` turns the same Markdown into readable text for `/chat`.
"""

from __future__ import annotations

import html
import re

_BQ = re.compile(r"^((?:[ \t]*&gt;)+)", re.M)   # "> quote" after escaping: give the Markdown back
_ACTIVE = re.compile(r"([\\\[\]$!])")


def safe_markdown(text: str | None) -> str:
    """Markdown from a model → Markdown with no raw HTML, links, images or maths."""
    escaped = html.escape(text or "", quote=False)
    escaped = _ACTIVE.sub(r"\\\1", escaped)
    return _BQ.sub(lambda m: m.group(1).replace("&gt;", ">"), escaped)


_FENCE = re.compile(r"^[ \t]*(?:```|~~~).*$\n?", re.M)
_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*?)[ \t#]*$", re.M)
_SETEXT = re.compile(r"^[ \t]*(?:=+|-{3,}|\*{3,}|_{3,})[ \t]*$\n?", re.M)
_TABLE_RULE = re.compile(r"^[ \t]*\|?[ \t]*:?-{2,}:?[ \t]*(?:\|[ \t]*:?-{2,}:?[ \t]*)*\|?[ \t]*$\n?", re.M)
_TABLE_ROW = re.compile(r"^[ \t]*\|(.*)\|[ \t]*$", re.M)
_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_ITALIC = re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])|(?<![\w_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w_])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_CODE = re.compile(r"`([^`\n]+)`")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)[^)]*\)")
_QUOTE_LINE = re.compile(r"^[ \t]*(?:>[ \t]?)+", re.M)
_BULLET = re.compile(r"^([ \t]*)[*+][ \t]+", re.M)
_TAG = re.compile(r"<br\s*/?>", re.I)
_HTML = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?>")


def plain_text(text: str | None) -> str:
    """Markdown → readable plain text: no #, **, table rules or pipes; lists keep a "- "."""
    out = text or ""
    out = _FENCE.sub("", out)
    out = _TABLE_RULE.sub("", out)
    out = _TABLE_ROW.sub(lambda m: " · ".join(c.strip() for c in m.group(1).split("|")), out)
    out = _HEADING.sub(r"\1", out)
    out = _SETEXT.sub("", out)
    out = _IMAGE.sub(r"\1", out)
    out = _LINK.sub(r"\1 (\2)", out)
    out = _BOLD.sub(r"\2", out)
    out = _ITALIC.sub(lambda m: m.group(1) or m.group(2), out)
    out = _STRIKE.sub(r"\1", out)
    out = _CODE.sub(r"\1", out)
    out = _QUOTE_LINE.sub("", out)
    out = _BULLET.sub(r"\1- ", out)
    out = _TAG.sub("\n", out)
    out = _HTML.sub("", out)
    return re.sub(r"\n{3,}", "\n\n", out).strip()
