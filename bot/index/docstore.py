"""Cleaned documents on disk (`DATA/docs/<doc_id>.json`): the text users see and quotes index into.

The bot reads them to show a source in its place in the interview and to list interviews and
speakers for the filters. Each file is written atomically (temp file + rename).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bot.index.documents import CleanDoc, DocMeta, SpeakerInfo, Turn


def _path(docs_dir: Path, doc_id: str) -> Path:
    return docs_dir / f"{doc_id}.json"


def content_hash(doc: CleanDoc) -> str:
    """A hash of everything stored for `doc`: the cleaned text and what parsing made of it (turns,
    facts, times, layout). A parser that reads an unchanged file differently changes it too, so
    the stored document never lags behind the chunks in the index."""
    data = {"text": doc.text, "meta": asdict(doc.meta), "turns": [asdict(t) for t in doc.turns],
            "times": [list(x) for x in doc.times], "layout": doc.layout, "file": doc.file}
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def save_doc(docs_dir: Path, doc: CleanDoc, sha256: str) -> None:
    docs_dir.mkdir(parents=True, exist_ok=True)
    data = {"doc_id": doc.doc_id, "file": doc.file, "sha256": sha256, "text": doc.text,
            "meta": asdict(doc.meta), "turns": [asdict(t) for t in doc.turns],
            "times": [list(x) for x in doc.times], "layout": doc.layout}
    target = _path(docs_dir, doc.doc_id)
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, target)


def doc_hash(docs_dir: Path, doc_id: str) -> str | None:
    try:
        return json.loads(_path(docs_dir, doc_id).read_text(encoding="utf-8")).get("sha256")
    except (OSError, ValueError):
        return None


def load_doc(docs_dir: Path, doc_id: str) -> CleanDoc | None:
    try:
        data: dict[str, Any] = json.loads(_path(docs_dir, doc_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    m = data["meta"]
    meta = DocMeta(**{**m, "speakers": [SpeakerInfo(**s) for s in m.get("speakers", [])]})
    return CleanDoc(doc_id=data["doc_id"], file=data["file"], text=data["text"],
                    turns=[Turn(**t) for t in data["turns"]], meta=meta,
                    times=[(int(o), float(t)) for o, t in data.get("times", [])], layout=data.get("layout") or {})


def list_doc_ids(docs_dir: Path) -> list[str]:
    if not docs_dir.exists():
        return []
    return sorted(p.stem for p in docs_dir.glob("*.json"))


def remove_doc(docs_dir: Path, doc_id: str) -> None:
    _path(docs_dir, doc_id).unlink(missing_ok=True)
