"""Digests of each interview and each speaker, written at ingest (`ingest.digest`) and read by the
answer layer (`bot.answer.overview`): `DATA/digests/<doc_id>.json`.

A digest is a short list of verbatim quotes that together cover what an interview, or one of its
speakers, talks about; each quote carries its place (offsets into the cleaned document, its
passage, section and turn), so an answer cites it like any retrieved passage. Built once per file
version: the `fingerprint` says from what (document hash, sentence ids, recipe, parameters), and
ingest rebuilds a digest only when it changes.

With an LLM, the written summary of a digest is cached here too (`written/<key>.json`), keyed by
the digest's fingerprint, the model and the language: it is written once, on the first question
that needs it, and never again until the file changes.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

# Part of every fingerprint: bump it when what a digest holds or how it is chosen changes.
RECIPE = "1"


@dataclass
class Point:
    """One quote of a digest: a sentence of a passage, with its place."""

    quote: str            # == cleaned document text[start:end]
    start: int            # offsets into the cleaned document
    end: int
    chunk_id: str         # the passage it belongs to (its id in the store)
    chunk_start: int      # the passage's offsets, so it can be shown and cited whole
    chunk_end: int
    speaker: str | None
    role: str
    section: str | None
    turn: int
    topic: int = 0        # the topic cluster it stands for (within its digest)
    weight: float = 0.0   # that topic's share of the speaker's sentences


@dataclass
class Digest:
    doc_id: str
    fingerprint: str
    interview: list[Point] = field(default_factory=list)            # the whole interview, by section
    speakers: dict[str, list[Point]] = field(default_factory=dict)  # each non-host speaker's topics
    sentences: dict[str, int] = field(default_factory=dict)         # sentences each speaker said

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Digest:
        return cls(doc_id=data["doc_id"], fingerprint=data["fingerprint"],
                   interview=[Point(**p) for p in data.get("interview", [])],
                   speakers={k: [Point(**p) for p in v] for k, v in data.get("speakers", {}).items()},
                   sentences=dict(data.get("sentences", {})))


def _path(digests_dir: Path, doc_id: str) -> Path:
    return digests_dir / f"{doc_id}.json"


def _write(target: Path, data: dict[str, Any]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, target)


def save_digest(digests_dir: Path, digest: Digest) -> None:
    _write(_path(digests_dir, digest.doc_id), digest.to_json())


def stored_fingerprint(digests_dir: Path, doc_id: str) -> str | None:
    digest = load_digest(digests_dir, doc_id)
    return digest.fingerprint if digest else None


def load_digest(digests_dir: Path, doc_id: str) -> Digest | None:
    try:
        return Digest.from_json(json.loads(_path(digests_dir, doc_id).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None   # absent or unreadable: the next ingest writes it again


def list_digests(digests_dir: Path) -> list[str]:
    return sorted(p.stem for p in digests_dir.glob("*.json")) if digests_dir.is_dir() else []


def remove_digest(digests_dir: Path, doc_id: str) -> None:
    _path(digests_dir, doc_id).unlink(missing_ok=True)


def fingerprint(*parts: str) -> str:
    return hashlib.sha1("\x00".join((RECIPE, *parts)).encode()).hexdigest()[:20]


class DigestStore:
    """The digests as the bot reads them: each file read once and again only when it changes
    (another process may ingest while the bot answers)."""

    def __init__(self, digests_dir: Path) -> None:
        self.dir = Path(digests_dir)
        self._cache: dict[str, tuple[tuple[int, int], Digest | None]] = {}

    def get(self, doc_id: str) -> Digest | None:
        path = _path(self.dir, doc_id)
        try:
            st = path.stat()
        except OSError:
            return None
        stamp = (st.st_mtime_ns, st.st_size)
        cached = self._cache.get(doc_id)
        if cached is None or cached[0] != stamp:
            cached = (stamp, load_digest(self.dir, doc_id))
            self._cache[doc_id] = cached
        return cached[1]

    # --- the LLM's written summaries of digests -----------------------------------------------

    def written(self, key: str) -> dict[str, Any] | None:
        try:
            return json.loads((self.dir / "written" / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def save_written(self, key: str, data: dict[str, Any]) -> None:
        _write(self.dir / "written" / f"{key}.json", data)
