"""HTML for the sources panel: one group of cards per answer, the full transcript at a cited place,
the list of interviews on the first screen, the filter chips and the indexing line.

Everything from a transcript or a user goes through `esc`. Offsets index the cleaned document
text (`CleanDoc.text`), as citations and passages do.
"""

from __future__ import annotations

from typing import Any

from bot.answer.extractive import short_title
from bot.schema import Answer, Citation, Passage
from bot.text.timecode import clock, media_link
from bot.ui.render import chat_text, esc
from bot.ui.text import colon, date_label, role_name, t

_TRIM = 280  # characters of context kept on each side of a quote inside a long turn


def _speaker(lang: str, speaker: str | None, role: str | None = None) -> str:
    """The speaker's name; for words nobody is credited with, what they are: an editor's text, or
    speech in a transcript that does not mark speakers."""
    return speaker or t(lang, "unmarked" if role == "unmarked" else "editor")


def _people(lang: str, people: str | None) -> str:
    """Who is in an unmarked recording (from the manifest): the people, not the speaker of a passage."""
    return f'<div class="src-people">{esc(t(lang, "people"))}{colon(lang)}{esc(people)}</div>' if people else ""


def _quote_time(library: Any, c: Citation, passage_time: float | None) -> float | None:
    """The time of the quoted words themselves: the last time mark before the quote in the
    cleaned document, else the passage's start time."""
    doc = _doc(library, c.doc_id)
    times = getattr(doc, "times", None) or []
    if passage_time is None or not times:
        return passage_time
    before = [sec for off, sec in times if off <= c.start]
    return before[-1] if before else passage_time


def find_passage(c: Citation, passages: list[Passage]) -> Passage | None:
    """The retrieved passage a citation quotes from: the one it names, else the one holding its offsets."""
    if c.passage is not None and 0 <= c.passage < len(passages) and passages[c.passage].doc_id == c.doc_id:
        return passages[c.passage]
    same_doc = [p for p in passages if p.doc_id == c.doc_id]
    for p in same_doc:
        if p.start <= c.start and c.end <= p.end:
            return p
    return next((p for p in same_doc if p.start <= c.start < p.end), None)


def _doc(library: Any, doc_id: str) -> Any:
    return library.docs.get(doc_id) if library is not None else None


def _turn_at(library: Any, doc_id: str, offset: int) -> Any:
    doc = _doc(library, doc_id)
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


def _where(lang: str, doc_id: str, title: str, section: str | None, time: float | None, library: Any,
           start: int, end: int, media_url: str | None = None) -> tuple[str, str]:
    """Interview and date; section and time (a link to that moment of the recording when its URL
    is known); the link to the transcript at this place."""
    doc = _doc(library, doc_id)
    date = date_label(lang, doc.meta.date) if doc is not None else ""
    media = media_url or (getattr(doc.meta, "media_url", None) if doc is not None else None)
    head = f'<div class="src-title">{esc(title)}{f" · {esc(date)}" if date else ""}</div>'
    bits = []
    if section:
        bits.append(f'<span class="src-section">{esc(t(lang, "section"))}{colon(lang)}{esc(section)}</span>')
    if time is not None:
        stamp, link = esc(clock(time)), media_link(media, time)
        bits.append(f'<a class="src-time" href="{esc(link)}" target="_blank" rel="noopener noreferrer" '
                    f'title="{esc(t(lang, "play"))}">▶ {stamp}</a>' if link else f'<span class="src-time">{stamp}</span>')
    if doc is not None:
        bits.append(f'<button class="show-tr" data-doc="{esc(doc_id)}" data-start="{start}" data-end="{end}">'
                    f'{esc(t(lang, "show_tr"))}</button>')
    return head, f'<div class="src-place">{"".join(bits)}</div>'


def citation_card(k: int, c: Citation, answer: Answer, library: Any, lang: str,
                  same_n: list[Citation] | None = None) -> str:
    """One card per [n] of answer k: every sentence the answer cites from that passage is marked."""
    p = find_passage(c, answer.passages)
    others = [(o.start, o.end) for o in (same_n or []) if o is not c and p is not None and p.start <= o.start < p.end]
    time = None
    if p is not None:
        body, section, time = highlight(p.text, p.start, c.start, c.end, others), p.section, p.time
        time = _quote_time(library, c, c.time if c.time is not None else time)
    else:
        tr = _turn_at(library, c.doc_id, c.start)
        doc = _doc(library, c.doc_id) if tr is not None else None
        if doc is not None:
            body, section = highlight(doc.text[tr.start:tr.end], tr.start, c.start, c.end), tr.section
        else:
            body, section = f"<mark>{esc(c.quote)}</mark>", None
    warn = "" if c.verified else f'<div class="src-warn">⚠ {esc(t(lang, "unverified"))}</div>'
    head, place = _where(lang, c.doc_id, c.title, section, time, library, c.start, c.end, c.media_url)
    return (f'<article class="src-card" id="src-{k}-{c.n}"><header class="src-head"><span class="src-n">{c.n}</span> '
            f'<b class="src-speaker">{esc(_speaker(lang, c.speaker, c.role))}</b> '
            f'<span class="src-role">{esc(role_name(lang, c.role))}</span></header>{head}'
            f'{_people(lang, p.people if p is not None else None)}'
            f'<blockquote class="src-quote">{body}</blockquote>{place}{warn}</article>')


def passage_card(k: int, i: int, p: Passage, library: Any, lang: str) -> str:
    head, place = _where(lang, p.doc_id, p.title, p.section, p.time, library, p.start, p.start, p.media_url)
    return (f'<article class="src-card src-closest" id="src-{k}-{i}"><header class="src-head">'
            f'<span class="src-n">#{i}</span> <b class="src-speaker">{esc(_speaker(lang, p.speaker, p.role))}</b> '
            f'<span class="src-role">{esc(role_name(lang, p.role))}</span></header>{head}{_people(lang, p.people)}'
            f'<blockquote class="src-quote">{highlight(p.text, p.start, p.start, p.start)}</blockquote>{place}</article>')


def answer_group(k: int, question: str, answer: Answer, library: Any, lang: str) -> str:
    """Answer k's sources: a card per [n] (or the closest passages of a refusal), and the text
    "copy with sources" puts on the clipboard."""
    if answer.citations:
        by_n: dict[int, list[Citation]] = {}
        for c in sorted(answer.citations, key=lambda c: (c.n, c.start)):
            by_n.setdefault(c.n, []).append(c)
        cards = "".join(citation_card(k, g[0], answer, library, lang, g) for g in by_n.values())
    elif answer.passages:
        cards = f'<div class="src-empty">{esc(t(lang, "closest"))}</div>' + "".join(
            passage_card(k, i, p, library, lang) for i, p in enumerate(answer.passages[:5], 1))
    else:
        cards = ""
    return (f'<section class="src-group" data-answer="{k}"><div class="src-q">{esc(t(lang, "sources_for"))}{colon(lang)}'
            f'{esc(question)}</div>{cards}<textarea class="copy-text" hidden>{esc(chat_text(answer, lang))}'
            f'</textarea></section>')


def sources_html(questions: list[str], answers: list[Answer], library: Any, lang: str, drawn: bool = True) -> str:
    """The whole panel: every answer's group (the latest shown; a marker shows its own).
    `drawn` False: the placeholder built with the page, before its load event (data-lang="")."""
    groups = "".join(answer_group(k, q, a, library, lang) for k, (q, a) in enumerate(zip(questions, answers)))
    empty = "" if answers else f'<div class="src-empty">{esc(t(lang, "sources_empty"))}</div>'
    return (f'<div class="srcs" data-lang="{esc(lang) if drawn else ""}" data-copied="{esc(t(lang, "copied"))}">'
            f'<div class="src-bar"><b>{esc(t(lang, "sources"))}</b>'
            f'<button class="src-close" aria-label="{esc(t(lang, "close"))}">×</button></div>'
            f'<div class="src-body">{empty}{groups}</div><div class="tr-view" hidden></div></div>')


def transcript_html(library: Any, doc_id: str, start: int, end: int, lang: str) -> str:
    """The whole transcript, the cited turn outlined and [start, end) marked (id="tr-hit")."""
    back = f'<button class="tr-back">← {esc(t(lang, "back"))}</button>'
    doc = _doc(library, doc_id)
    if doc is None:
        return f'{back}<div class="src-empty">{esc(t(lang, "tr_missing"))}</div>'
    date = date_label(lang, doc.meta.date)
    rows, section, who = [], None, object()
    for tr in doc.turns:
        if tr.section and tr.section != section:
            section = tr.section
            rows.append(f'<h4 class="tr-section">{esc(section)}</h4>')
        text = doc.text[tr.start:tr.end]
        cited = tr.start <= start < max(tr.end, tr.start + 1)
        if cited and tr.start <= start <= end <= tr.end:
            a, b = start - tr.start, end - tr.start
            body = f'{esc(text[:a])}<mark id="tr-hit">{esc(text[a:b])}</mark>{esc(text[b:])}'
        else:
            body = esc(text)
        label = ""
        if tr.speaker != who:
            who = tr.speaker
            label = f'<div class="tr-who">{esc(_speaker(lang, tr.speaker))}</div>'
        rows.append(f'<div class="tr-turn{" tr-cited" if cited else ""}">{label}<div class="tr-text">{body}</div></div>')
    return (f'{back}<div class="tr-doc"><div class="tr-title"><b>{esc(doc.meta.title)}</b>'
            f'{f" · {esc(date)}" if date else ""}</div>{"".join(rows)}</div>')


# --- first screen, filters, start-up --------------------------------------------------------------

def library_html(library: Any, lang: str) -> str:
    """The interviews, for the empty chat: short title, date, who speaks."""
    if library is None or not library.docs:
        return ""
    items = []
    for doc_id, doc in sorted(library.docs.items()):
        names = [s.name for s in doc.meta.speakers if s.name] or sorted({tr.speaker for tr in doc.turns if tr.speaker})
        date = date_label(lang, doc.meta.date)
        meta = " · ".join(x for x in (date, "、".join(names) if lang == "zh" else ", ".join(names)) if x)
        items.append(f'<li><b title="{esc(doc.meta.title)}">{esc(short_title(doc.meta.title or doc_id, 24))}</b>'
                     f'{f"<span> · {esc(meta)}</span>" if meta else ""}</li>')
    return (f'<div class="lib"><div class="lib-h">{esc(t(lang, "library"))} ({len(items)})</div>'
            f'<ul>{"".join(items)}</ul><div class="lib-hint">{esc(t(lang, "library_hint"))}</div></div>')


def chips_html(docs: list[str], speakers: list[str], library: Any, lang: str) -> str:
    """The active filters as chips above the input, each removable, so they stay in sight."""
    if not docs and not speakers:
        return ""
    titles = library.titles() if library is not None else {}
    chips = [(t(lang, "chip_doc"), "doc", d, short_title(titles.get(d, d), 20)) for d in docs]
    chips += [(t(lang, "chip_speaker"), "speaker", s, s) for s in speakers]
    out = "".join(f'<span class="chip">{esc(kind)}{colon(lang)}{esc(label)}<button class="chip-x" data-kind="{k}" '
                  f'data-value="{esc(v)}" aria-label="{esc(t(lang, "chip_remove"))}">×</button></span>'
                  for kind, k, v, label in chips)
    return f'<div class="chips">{out}<button class="chip-clear">{esc(t(lang, "chip_clear"))}</button></div>'


def status_html(status: Any, lang: str) -> str:
    """The start-up line: what is being indexed, how far; nothing once ready."""
    if status is None or status.ready:
        return ""
    if status.failed:
        return f'<div class="boot boot-failed">⚠ {esc(t(lang, "index_failed", reason=status.error))}</div>'
    return f'<div class="boot"><span class="spin"></span>{esc(progress_line(status, lang, "indexing"))}</div>'


def progress_line(status: Any, lang: str, key: str) -> str:
    if status.phase in ("waiting", "model"):
        return t(lang, "indexing_model")
    if status.phase == "opening":
        return t(lang, "indexing_open")
    what = t(lang, f"phase_{status.phase}") if f"phase_{status.phase}" in _PHASES else status.phase
    return t(lang, key, what=what, done=f"{status.done:,}", total=f"{status.total:,}")


_PHASES = {"phase_embed", "phase_sentences", "phase_keyword", "phase_model", "phase_opening", "phase_waiting"}
