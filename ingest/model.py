"""What the loader hands the parser: a decoded file, or the reason it was skipped."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class LoadedFile:
    path: Path
    doc_id: str          # file name without suffix, stable across runs
    text: str            # decoded text, newlines normalised to \n, BOM removed
    encoding: str        # what it was decoded from, e.g. "utf-8", "gb18030", "big5", "utf-16"
    format: str = "text"  # which reader made `text`: text | markdown | srt | vtt | docx | pdf
    # What the file's markup or container says beside the words (see ingest.formats.base.Extracted):
    # front-matter facts, which paragraphs are headings or block quotes, whether it is timed.
    facts: dict[str, Any] = field(default_factory=dict)
    headings: list[str] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)
    timed: bool | None = None
    title_in_text: bool = True  # False when the first line is never a title (subtitles)


@dataclass
class Skipped:
    file: str            # path relative to the source folder
    reason: str          # one line a user can act on
