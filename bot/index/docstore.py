"""Cleaned documents on disk (`DATA/docs/<doc_id>.json`): the text users see and quotes index into.

The bot reads them to show a source in its place in the interview and to list interviews and
speakers for the filters. Each file is a `CleanDoc` (bot.index.documents) as JSON with the
`sha256` of what it was made from after its `file`, written atomically (temp file + rename).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from bot.index.documents import CleanDoc


class _Stamp(BaseModel):
    """The one field `doc_hash` needs from a stored document."""

    sha256: str | None = None


def _path(docs_dir: Path, doc_id: str) -> Path:
    return docs_dir / f"{doc_id}.json"


def content_hash(doc: CleanDoc) -> str:
    """A hash of everything stored for `doc`: the cleaned text and what parsing made of it (turns,
    facts, times, layout). A parser that reads an unchanged file differently changes it too, so
    the stored document never lags behind the chunks in the index."""
    data = doc.model_dump(mode="json", exclude={"doc_id"})
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _record(doc: CleanDoc, sha256: str) -> dict[str, Any]:
    data = doc.model_dump(mode="json")
    return {"doc_id": data.pop("doc_id"), "file": data.pop("file"), "sha256": sha256, **data}


def save_doc(docs_dir: Path, doc: CleanDoc, sha256: str) -> None:
    docs_dir.mkdir(parents=True, exist_ok=True)
    target = _path(docs_dir, doc.doc_id)
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(_record(doc, sha256), ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, target)


def doc_hash(docs_dir: Path, doc_id: str) -> str | None:
    try:
        return _Stamp.model_validate_json(_path(docs_dir, doc_id).read_bytes()).sha256
    except (OSError, ValidationError):
        return None


def load_doc(docs_dir: Path, doc_id: str) -> CleanDoc | None:
    """The stored document, or None when it is missing or unreadable (the next ingest rewrites it)."""
    try:
        return CleanDoc.model_validate_json(_path(docs_dir, doc_id).read_bytes())
    except (OSError, ValidationError):
        return None


def list_doc_ids(docs_dir: Path) -> list[str]:
    if not docs_dir.exists():
        return []
    return sorted(p.stem for p in docs_dir.glob("*.json"))


def remove_doc(docs_dir: Path, doc_id: str) -> None:
    _path(docs_dir, doc_id).unlink(missing_ok=True)
