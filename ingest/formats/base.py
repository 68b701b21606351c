"""The one interface every format reader implements, and the helpers they share.

A reader turns a file's bytes into plain text in the convention the rest of ingestion expects
(one paragraph per line; see ingest.clean), with no markup left in the words. What the markup or
container said beside the words travels alongside as `Extracted` fields, never inside the text:
front-matter facts, which paragraphs were headings or block quotes. Times are the one exception:
a reader writes the time of a cue or a row as a bracketed mark (`[00:01:02]`) where it stood, and
ingest.timestamps takes every mark out of the words into a time map, the same way for every
format, including plain text whose author typed the marks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass
class Extracted:
    text: str                      # one paragraph per line, markup removed
    encoding: str                  # what the bytes were decoded from, or the container ("docx", "pdf")
    format: str                    # text | markdown | srt | vtt | docx | pdf
    # Facts about the transcript the file states beside its words: title, date, source, links,
    # media_url, hosts, guests, speakers (names, or {name, role} tables). Front matter, document
    # properties.
    facts: dict[str, Any] = field(default_factory=dict)
    headings: list[str] = field(default_factory=list)   # paragraphs the markup marks as headings
    quotes: list[str] = field(default_factory=list)     # paragraphs the markup marks as block quotes
    timed: bool | None = None      # True when the format itself is timed (subtitles)
    title_in_text: bool = True     # False when the first line is not a title by construction (subtitles)


class Reader(Protocol):
    """One file type. `read` never raises on a bad file: it returns the reason as a string."""

    suffixes: tuple[str, ...]

    def read(self, data: bytes) -> Extracted | str: ...


def hms(seconds: float) -> str:
    """A time mark as the readers write it into the text: "[01:02:03]", "[01:02:03.500]"."""
    ms = max(0, round(seconds * 1000))
    s, frac = divmod(ms, 1000)
    tail = f".{frac:03d}" if frac else ""
    return f"[{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}{tail}]"


_CJK_END = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]$")
_CJK_START = re.compile(r"^[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


def join_words(left: str, right: str) -> str:
    """Join two pieces of one sentence: nothing between Chinese characters, a space otherwise."""
    if not left:
        return right
    if not right:
        return left
    if _CJK_END.search(left) or _CJK_START.match(right):
        return left + right
    return f"{left} {right}"


TIME_CELL = re.compile(r"[\[(（]?\s*(?:\d{1,2}[:：])?\d{1,2}[:：]\d{2}(?:[.,]\d{1,3})?\s*[\])）]?")


def row_to_line(cells: list[str]) -> str:
    """A table row as one paragraph. Transcript tables (a time, a speaker, the words, in any
    order) become "[time] Speaker: words" so they read like any other labelled transcript; other
    rows keep their cells, separated by spaces."""
    cells = [" ".join(c.split()) for c in cells]
    cells = [c for i, c in enumerate(cells) if c and c not in cells[:i]]  # merged cells repeat
    if not cells:
        return ""
    times = [c for c in cells if TIME_CELL.fullmatch(c)]
    rest = [c for c in cells if c not in times]
    prefix = ""
    if times:
        digits = re.sub(r"[^\d:：.,]", "", times[0]).replace("：", ":")
        parts = [int(float(x.replace(",", "."))) for x in digits.split(":")]
        while len(parts) < 3:
            parts.insert(0, 0)
        prefix = hms(parts[0] * 3600 + parts[1] * 60 + parts[2]) + " "
    if len(rest) == 2 and len(rest[0]) <= 30 and len(rest[1]) > len(rest[0]) and not rest[0].endswith((":", "：")):
        return f"{prefix}{rest[0]}: {rest[1]}"
    return prefix + "  ".join(rest)
