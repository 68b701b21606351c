"""What the loader hands the parser: a decoded file, or the reason it was skipped."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class LoadedFile:
    path: Path
    doc_id: str          # file name without suffix, stable across runs
    text: str            # decoded text, newlines normalised to \n, BOM removed
    encoding: str        # what it was decoded from, e.g. "utf-8", "gb18030", "big5", "utf-16"


@dataclass
class Skipped:
    file: str            # path relative to the source folder
    reason: str          # one line a user can act on
