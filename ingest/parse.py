"""Raw `LoadedFile` → `CleanDoc`: clean the text, attach the manifest's facts, find the turns."""

from __future__ import annotations

import logging
from pathlib import PurePosixPath

from bot.index.documents import CleanDoc, DocMeta
from ingest.clean import clean_text
from ingest.manifest import meta_for
from ingest.model import LoadedFile
from ingest.speakers import parse_turns

log = logging.getLogger(__name__)


def relative_file(loaded: LoadedFile) -> str:
    """The file's path relative to the source folder, recovered from its doc_id (sub/x.txt has
    doc_id "sub__x"); falls back to the bare file name."""
    name = loaded.path.name
    if "__" in loaded.doc_id:
        candidate = loaded.doc_id.replace("__", "/") + loaded.path.suffix
        if loaded.path.as_posix().endswith("/" + candidate) or loaded.path.as_posix() == candidate:
            return str(PurePosixPath(candidate))
    return name


def to_clean_doc(loaded: LoadedFile, manifest: dict[str, DocMeta]) -> CleanDoc:
    text = clean_text(loaded.text)
    file = relative_file(loaded)
    meta = meta_for(file, manifest, text)
    turns = parse_turns(text, meta)
    log.debug("%s: %d chars cleaned, %d turns", file, len(text), len(turns))
    return CleanDoc(doc_id=loaded.doc_id, file=file, text=text, turns=turns, meta=meta)
