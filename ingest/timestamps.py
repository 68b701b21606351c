"""Timestamps out of the words, into a time map.

Transcripts carry times in many shapes: `[00:03:10]` before a line, `Name (12:34):`,
`Name  00:12:34` or `说话人 1 00:01` on a label line, a line that is only a time (the same
speaker goes on), a time range, and the marks the subtitle and table readers write between cues.
`strip_timestamps` takes every one of them out of the cleaned text and records, for the offset
where it stood, the seconds it names. A passage's start time is then the last mark at or before
its start (`time_at`); no timestamp is ever part of the words a passage quotes.

A file counts as timed when the format is (subtitles), when at least `MIN_MARKS` marks are
found, or when one bracketed hours:minutes:seconds mark is; a file with one or two stray times
("会议定在 10:30") is left exactly as it was.
"""

from __future__ import annotations

import bisect
import re

# Marks needed before a text file counts as timed: one or two times are more likely prose
# ("10:30 开会") than a timed transcript. Chosen by reading; every timed layout seen has dozens.
MIN_MARKS = 3

_TIME = r"(?<![\d:：])(?:\d{1,2}[:：])?\d{1,2}[:：]\d{2}(?:[.,]\d{1,3})?(?![\d:：])"
_BRACKETED = rf"[\[(（【]\s*{_TIME}\s*(?:[-–—~]+>?\s*{_TIME}\s*)?[\])）】]"
_ONE = rf"(?:{_BRACKETED}|{_TIME})"
_RANGE = rf"{_ONE}(?:\s*(?:-->|[-–—~])\s*{_ONE})?"
_LEAD = re.compile(rf"^\s*{_RANGE}(?=\s|$|[:：]|[^\d\s])\s*[:：]?\s*")
_TRAIL = re.compile(rf"\s*{_RANGE}\s*$")
_BEFORE_COLON = re.compile(rf"\s*{_ONE}\s*(?=[:：])")
_INLINE = re.compile(rf"{_BRACKETED}\s*")
# A note that carries a time, "[inaudible 00:23:06]": the note stays, the time goes.
_NOTE_TIME = re.compile(rf"([\[(（][^\[\]()（）\d\n]{{1,30}}?)\s*{_TIME}\s*([\])）])")
# A clock time after a date ("2026年05月24日 11:11", "2024-03-01 09:30") says when, not where.
_DATE_BEFORE = re.compile(r"(?:\d{1,2}\s*[日号號]|\d{4}[-/.]\d{1,2}[-/.]\d{1,2})\s*$")
_ANY = re.compile(rf"{_BRACKETED}|^\s*{_TIME}|{_TIME}\s*$|{_TIME}\s*(?=[:：])", re.M)
_DIGITS = re.compile(_TIME)
# "[00:03:10]": hours, minutes and seconds in brackets are a timestamp even once.
_STRONG = re.compile(r"[\[(（【]\s*\d{1,2}[:：]\d{2}[:：]\d{2}(?:[.,]\d{1,3})?\s*[\])）】]")


def seconds(token: str) -> float:
    """The first time named in `token`: "[01:02:03]" → 3723.0, "12:34" → 754.0."""
    m = _DIGITS.search(token)
    if not m:
        raise ValueError(f"no time in {token!r}")
    parts = [float(p.replace(",", ".")) for p in m.group(0).replace("：", ":").split(":")]
    while len(parts) < 3:
        parts.insert(0, 0.0)
    return parts[0] * 3600 + parts[1] * 60 + parts[2]


def count_marks(text: str) -> int:
    return len(_ANY.findall(text))


def strip_timestamps(text: str, timed: bool | None = None) -> tuple[str, list[tuple[int, float]]]:
    """(text without timestamps, [(offset, seconds)]) for a cleaned text (one paragraph a line,
    paragraphs separated by a blank line). Untimed text comes back with no marks, unchanged but
    for the times inside notes ("[inaudible 00:23:06]" → "[inaudible]")."""
    text = _NOTE_TIME.sub(r"\1\2", text)
    if timed is False or (not timed and count_marks(text) < MIN_MARKS and not _STRONG.search(text)):
        return text, []
    out: list[str] = []
    marks: dict[int, float] = {}
    pos = 0
    pending: float | None = None   # a line that was only a time: it belongs to the next line
    for line in (ln for ln in text.split("\n") if ln.strip()):
        line_marks: list[tuple[int, float]] = []
        first: float | None = None
        m = _LEAD.match(line)
        if m and m.group(0).strip():
            first = seconds(m.group(0))
            line = line[m.end():]
        m = _TRAIL.search(line)
        if m and not _DATE_BEFORE.search(line[:m.start()]):
            t = seconds(m.group(0))
            first = t if first is None else first
            line = line[:m.start()]
        m = _BEFORE_COLON.search(line)
        if m and len(line[:m.start()].strip()) <= 40:
            first = seconds(m.group(0)) if first is None else first
            line = line[:m.start()] + line[m.end():]
        pieces: list[str] = []
        last = 0
        for m in _INLINE.finditer(line):
            pieces.append(line[last:m.start()])
            line_marks.append((len("".join(pieces)), seconds(m.group(0))))
            last = m.end()
        pieces.append(line[last:])
        body = "".join(pieces)
        lead = len(body) - len(body.lstrip())
        body = body.strip()
        if not body:
            if first is not None:
                pending = first
            elif line_marks:
                pending = line_marks[-1][1]
            continue
        if out:
            pos += 2   # the blank line between paragraphs
        if pending is not None:
            marks[pos] = pending
            pending = None
        if first is not None:
            marks[pos] = first
        for off, t in line_marks:
            marks[pos + min(max(0, off - lead), len(body))] = t
        out.append(body)
        pos += len(body)
    return "\n\n".join(out), sorted(marks.items())


def time_at(times: list[tuple[int, float]], offset: int) -> float | None:
    """The time of the last mark at or before `offset`, None before the first or without marks."""
    if not times:
        return None
    i = bisect.bisect_right([o for o, _ in times], offset) - 1
    return times[i][1] if i >= 0 else None
