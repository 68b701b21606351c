"""Turn answers, citations and transcript context into HTML / Markdown for the UI, and text for the API.

Everything that came from a transcript or a user (questions, quotes, titles, speaker names, notices)
goes through `esc` (HTML) or `md_text` (Markdown shown by gr.Chatbot) before it is put on the page:
a transcript or a question is data, never markup. Gradio also sanitises, but we do not rely on it.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from bot.schema import Answer, Citation, Passage
from bot.ui.text import role_name, t

# Characters Markdown (and Gradio's LaTeX rendering) would interpret; escaped with a backslash.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#|~$!>-])")
_TRIM = 280  # characters of context kept on each side of a quote inside a long turn


def esc(text: Any) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def md_text(text: str | None) -> str:
    """Plain text → Markdown that displays exactly that text (no tags, links, emphasis or maths)."""
    return _MD_SPECIAL.sub(r"\\\1", esc(text))


@dataclass
class Target:
    """Something in the sources panel that can be opened in its transcript."""

    label: str
    doc_id: str
    start: int
    end: int


# --- chat messages ---------------------------------------------------------------------------------

def user_message(question: str) -> str:
    return md_text(question)


def assistant_message(text: str, lang: str, answer: Answer | None = None, status: str | None = None) -> str:
    """The chat bubble: answer text, then a notice and a one-line list of the cited sources."""
    parts = [md_text(text)] if text else []
    if status and not text:
        parts.append(f"*{md_text(status)}*")
    if answer is not None and answer.standalone_question:
        # a follow-up is searched rewritten: say how, so a wrong rewrite can be seen (and undone)
        sep = "" if lang == "zh" else " "
        parts.append(f"<sub>🔎 {md_text(t(lang, 'searched') + sep + answer.standalone_question)}</sub>")
    if answer is not None:
        if answer.notice:
            parts.append(f"> ⚠️ **{t(lang, 'notice')}:** {md_text(answer.notice)}")
        if answer.error and answer.error != text:
            parts.append(f"> {md_text(answer.error)}")
        if answer.citations:
            # One entry per speaker and interview, with all its markers: "[1] [5] 李广密 · 《…》".
            groups: dict[tuple[str, str], list[int]] = {}
            for c in answer.citations:
                ns = groups.setdefault((_speaker(lang, c.speaker), c.title), [])
                if c.n not in ns:
                    ns.append(c.n)
            cites = "; ".join(" ".join(f"\\[{n}\\]" for n in ns) + f" {md_text(who)} · {md_text(title)}"
                              for (who, title), ns in groups.items())
            parts.append(f"<sub>{t(lang, 'sources')}: {cites}</sub>")
    return "\n\n".join(parts) or "…"


UNDO = "↶"   # an option's value starting with it re-asks the question as typed (never a suggestion's start)


def answer_options(answer: Answer | None, lang: str) -> list[dict[str, str]]:
    """The buttons under an answer: undo a follow-up's rewrite, then the suggested follow-ups."""
    if answer is None:
        return []
    sep = "" if lang == "zh" else " "
    out = [{"label": t(lang, "undo") + sep + answer.question, "value": UNDO + answer.question}] \
        if answer.standalone_question else []
    return out + [{"label": s, "value": s} for s in answer.suggestions]


# --- sources panel ---------------------------------------------------------------------------------

def _speaker(lang: str, speaker: str | None) -> str:
    return speaker or t(lang, "editor")


def find_passage(c: Citation, passages: list[Passage]) -> Passage | None:
    """The retrieved passage a citation quotes from (the one containing the quote's offsets)."""
    same_doc = [p for p in passages if p.doc_id == c.doc_id]
    for p in same_doc:
        if p.start <= c.start and c.end <= p.end:
            return p
    return next((p for p in same_doc if p.start <= c.start < p.end), None)


def _turn_at(library: Any, doc_id: str, offset: int) -> Any:
    doc = library.docs.get(doc_id) if library is not None else None
    if doc is None:
        return None
    return next((tr for tr in doc.turns if tr.start <= offset < max(tr.end, tr.start + 1)), None)


def highlight(text: str, text_start: int, start: int, end: int, more: list[tuple[int, int]] | None = None) -> str:
    """HTML of `text` (which begins at document offset `text_start`) with [start, end) — and any
    `more` spans — in <mark>. Long text is trimmed around the marks so a card stays readable."""
    spans = sorted({(start, end), *(more or [])})
    rel = [(max(0, min(len(text), s - text_start)), max(0, min(len(text), e - text_start))) for s, e in spans]
    rel = [(a, max(a, b)) for a, b in rel]
    first, last = rel[0][0], max(b for _, b in rel)
    before, after = text[:first], text[last:]
    if len(before) > _TRIM:
        before = "…" + before[-_TRIM:]
    if len(after) > _TRIM:
        after = after[:_TRIM] + "…"
    middle, pos = [], first
    for a, b in rel:
        if a < pos:  # overlapping spans: mark the rest only
            a = pos
        middle.append(esc(text[pos:a]))
        if b > a:
            middle.append(f"<mark>{esc(text[a:b])}</mark>")
        pos = max(pos, b)
    return f"{esc(before)}{''.join(middle)}{esc(after)}"


def _place(lang: str, section: str | None, turn: int | None, start: int, end: int) -> str:
    bits = []
    if section:
        bits.append(f"{t(lang, 'section')}: {esc(section)}")
    if turn is not None:
        # Turn indices are 0-based in the data; people count from 1.
        bits.append(f"{t(lang, 'turn')} {turn + 1}")
    bits.append(f"{t(lang, 'chars')} {start}–{end}")
    return " · ".join(bits)


def citation_card(c: Citation, answer: Answer, library: Any, lang: str, same_n: list[Citation] | None = None) -> str:
    """One card per [n]: every sentence the answer cites from that passage is marked in it."""
    p = find_passage(c, answer.passages)
    others = [(o.start, o.end) for o in (same_n or []) if o is not c and p is not None and p.start <= o.start < p.end]
    if p is not None:
        body, section, turn = highlight(p.text, p.start, c.start, c.end, others), p.section, p.turn
    else:
        tr = _turn_at(library, c.doc_id, c.start)
        doc = library.docs.get(c.doc_id) if (library is not None and tr is not None) else None
        if doc is not None:
            body = highlight(doc.text[tr.start:tr.end], tr.start, c.start, c.end)
            section, turn = tr.section, tr.index
        else:
            body, section, turn = f"<mark>{esc(c.quote)}</mark>", None, None
    warn = "" if c.verified else f'<div class="src-warn">⚠️ {t(lang, "unverified")}</div>'
    return (
        f'<div class="src-card" id="src-{c.n}">'
        f'<div class="src-head"><span class="src-n">[{c.n}]</span> '
        f'<b class="src-speaker">{esc(_speaker(lang, c.speaker))}</b> '
        f'<span class="src-role">{esc(role_name(lang, c.role))}</span></div>'
        f'<div class="src-title">{esc(c.title)}</div>'
        f'<blockquote class="src-quote">{body}</blockquote>'
        f'<div class="src-place">{_place(lang, section, turn, c.start, c.end)}</div>{warn}</div>'
    )


def passage_card(i: int, p: Passage, lang: str) -> str:
    return (
        f'<div class="src-card src-closest" id="psg-{i}">'
        f'<div class="src-head"><span class="src-n">#{i}</span> <b class="src-speaker">{esc(_speaker(lang, p.speaker))}</b> '
        f'<span class="src-role">{esc(role_name(lang, p.role))}</span></div>'
        f'<div class="src-title">{esc(p.title)}</div>'
        f'<blockquote class="src-quote">{highlight(p.text, p.start, p.start, p.start)}</blockquote>'
        f'<div class="src-place">{_place(lang, p.section, p.turn, p.start, p.end)}</div></div>'
    )


def sources_html(answer: Answer | None, library: Any, lang: str) -> str:
    if answer is None:
        return f'<div class="src-empty">{t(lang, "sources_empty")}</div>'
    if answer.citations:
        by_n: dict[int, list[Citation]] = {}
        for c in answer.citations:
            by_n.setdefault(c.n, []).append(c)
        cards = "".join(citation_card(group[0], answer, library, lang, group) for group in by_n.values())
    elif answer.passages:
        cards = f'<div class="src-empty">{t(lang, "closest")}</div>' + "".join(
            passage_card(i, p, lang) for i, p in enumerate(answer.passages, 1))
    else:
        return f'<div class="src-empty">{t(lang, "sources_empty")}</div>'
    return f'<div class="src-list">{cards}</div>'


def targets(answer: Answer | None, lang: str) -> list[Target]:
    """What the "open in transcript" picker offers: the citations, else the closest passages."""
    if answer is None:
        return []
    if answer.citations:
        first = {c.n: c for c in reversed(answer.citations)}  # one entry per [n], its first quote
        return [Target(f"[{c.n}] {_speaker(lang, c.speaker)} · {c.title[:40]}", c.doc_id, c.start, c.end)
                for c in sorted(first.values(), key=lambda c: c.n)]
    return [Target(f"#{i} {_speaker(lang, p.speaker)} · {p.title[:40]}", p.doc_id, p.start, p.end)
            for i, p in enumerate(answer.passages, 1)]


def context_html(turns: list[dict], target: Target | None, title: str, lang: str) -> str:
    """The turns around a source (from Library.context), the cited one outlined, the quote marked."""
    if not turns or target is None:
        return f'<div class="src-empty">{t(lang, "context_empty")}</div>'
    rows = []
    for tr in turns:
        text = tr["text"]
        if tr.get("cited"):
            # Whole turn, not trimmed (unlike a card): this panel is where the reader goes for context.
            if target.start < tr["start"] or target.end > tr["end"]:
                body = esc(text)
            else:
                a, b = target.start - tr["start"], target.end - tr["start"]
                body = f"{esc(text[:a])}<mark>{esc(text[a:b])}</mark>{esc(text[b:])}"
        else:
            body = esc(text)
        who = tr.get("speaker") or t(lang, "editor")
        section = f' <span class="ctx-section">{esc(tr["section"])}</span>' if tr.get("section") else ""
        cls = "ctx-turn ctx-cited" if tr.get("cited") else "ctx-turn"
        rows.append(f'<div class="{cls}"><div class="ctx-who"><b>{esc(who)}</b>{section}</div>'
                    f'<div class="ctx-text">{body}</div></div>')
    return f'<div class="ctx"><div class="src-title">{esc(title)}</div>{"".join(rows)}</div>'


# --- API -------------------------------------------------------------------------------------------

def chat_text(answer: Answer) -> str:
    """Plain text for /chat: the answer with its [n] markers, then who said each cited passage."""
    text = answer.text or answer.error or ""
    if answer.notice:
        text = f"{answer.notice}\n\n{text}"
    if answer.citations:
        # One line per quoted stretch: a verified and an unverified use of the same sentence are
        # two citations but one source.
        lines = list(dict.fromkeys(f"[{c.n}] {c.speaker or 'editor'} ({c.role}), {c.title}: “{c.quote}”"
                                   for c in answer.citations))
        text += "\n\nSources:\n" + "\n".join(lines)
    return text


def answer_json(answer: Answer) -> dict[str, Any]:
    data = answer.to_dict()
    data.pop("timings_ms", None)
    return data


CSS = """
.src-list, .ctx { display: flex; flex-direction: column; gap: 10px; max-height: 70vh; overflow-y: auto; }
.src-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px; }
.src-n { font-weight: 700; color: var(--color-accent); }
.src-role { font-size: .85em; opacity: .75; }
.src-title, .ctx-section { font-size: .85em; opacity: .8; }
.src-quote { margin: 6px 0; padding-left: 8px; border-left: 3px solid var(--border-color-accent); white-space: pre-wrap; }
.src-place { font-size: .8em; opacity: .7; }
.src-warn { font-size: .85em; color: #b45309; }
.src-empty { opacity: .7; }
mark { background: #fde68a; color: inherit; padding: 0 1px; }
.ctx-turn { padding: 6px 8px; border-radius: 6px; white-space: pre-wrap; }
.ctx-cited { outline: 2px solid var(--color-accent); }
#mode-line { font-size: .9em; opacity: .85; }
"""
