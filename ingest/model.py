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
    code: str            # why, as a code of ingest.messages.SKIP
    args: dict[str, Any] = field(default_factory=dict)   # the details its line names

    @property
    def reason(self) -> str:
        """One English line a user can act on (the CLI's and the log's)."""
        return self.worded("en")

    def worded(self, lang: str) -> str:
        from ingest.messages import skip_reason

        return skip_reason(self.code, self.args, lang)

    def as_dict(self) -> dict[str, Any]:
        """As an ingest report lists it: the file, the English line, and the code to word it anew."""
        return {"file": self.file, "reason": self.reason, "code": self.code, "args": self.args}
