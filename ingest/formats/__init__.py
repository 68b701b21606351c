"""Format readers: one per file type, behind one interface (`base.Reader`), chosen by suffix.

    reader = reader_for(path)          # None for a type no reader takes
    got = reader.read(path.read_bytes())  # Extracted, or the reason it cannot be read

Adding a type is adding a module with a reader class and listing it in READERS.
"""

from __future__ import annotations

from pathlib import Path

from ingest.formats.base import Extracted, Reader
from ingest.formats.docx import DocxReader
from ingest.formats.markdown import MarkdownReader
from ingest.formats.pdf import PdfReader
from ingest.formats.subtitles import SrtReader, VttReader
from ingest.formats.text import TextReader

READERS: tuple[Reader, ...] = (TextReader(), MarkdownReader(), SrtReader(), VttReader(), DocxReader(), PdfReader())
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(s for r in READERS for s in r.suffixes)
_BY_SUFFIX = {s: r for r in READERS for s in r.suffixes}


def reader_for(path: Path | str) -> Reader | None:
    return _BY_SUFFIX.get(Path(path).suffix.lower())


def supported_list() -> str:
    """"`.txt`, `.md`, …" for messages."""
    return ", ".join(SUPPORTED_SUFFIXES)


__all__ = ["READERS", "SUPPORTED_SUFFIXES", "Extracted", "Reader", "reader_for", "supported_list"]
