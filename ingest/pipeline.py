"""Incremental, idempotent, crash-safe ingestion: transcripts → chunks → Chroma + BM25.

Chroma itself is the record of what is indexed. Chunk ids are content hashes, so each run:
  1. loads, cleans and chunks every file (cheap: milliseconds a file);
  2. embeds and adds only the chunks whose ids Chroma lacks, batch by batch (a batch added is
     kept even if the process is killed right after);
  3. updates metadata that moved without re-embedding (e.g. offsets after an edit above it);
  4. deletes ids that no current file produces (changed passages, removed files);
  5. does the same for the passages' sentences, in a second collection (sentence vectors find
     a one-sentence answer inside a long turn about other things);
  6. rebuilds the keyword index when the set of ids changed, switching it in atomically;
  7. rebuilds the digest (a few quotes covering each interview and speaker, `ingest.digest`) of
     each file that changed, from the stored sentence vectors.
A run killed at any point leaves a store the next run completes to exactly what a clean run
gives, and running twice adds nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.index import docstore
from bot.index.documents import CleanDoc
from bot.index.embeddings import make_embedder
from bot.index.keyword import RECIPE as KEYWORD_RECIPE
from bot.index.keyword import KeywordIndex
from bot.index.store import (
    StoreError,
    collection_names,
    make_chroma_client,
    make_vector_store,
    open_collection,
    sentences_collection,
)
from bot.settings import Settings
from ingest.chunking import Chunk, chunk_document
from ingest.digest import collection_vectors, update_digests
from ingest.formats import supported_list
from ingest.loader import discover, load_file
from ingest.manifest import load_manifest
from ingest.model import Skipped
from ingest.parse import to_clean_doc
from ingest.records import chunk_metadata, embed_text, keyword_text, node_fields, sentence_rows, to_node

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (phase, done, total)


class IngestError(RuntimeError):
    """Nothing usable to ingest, or the store is unusable; the message says what to do."""


@dataclass
class IngestReport:
    files_indexed: list[str] = field(default_factory=list)
    # per file: format, title, layout and why, speakers with roles and why, timed, labels
    per_file: list[dict[str, Any]] = field(default_factory=list)
    files_skipped: list[dict[str, Any]] = field(default_factory=list)   # Skipped.as_dict()
    chunks_added: int = 0
    chunks_updated: int = 0
    chunks_deleted: int = 0
    chunks_total: int = 0
    chars_embedded: int = 0
    sentences_added: int = 0
    sentences_deleted: int = 0
    digests_built: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "files_indexed": len(self.files_indexed), "files": self.files_indexed, "per_file": self.per_file,
            "files_skipped": self.files_skipped, "chunks_added": self.chunks_added,
            "chunks_updated": self.chunks_updated, "chunks_deleted": self.chunks_deleted,
            "chunks_total": self.chunks_total, "chars_embedded": self.chars_embedded,
            "sentences_added": self.sentences_added, "sentences_deleted": self.sentences_deleted,
            "digests_built": self.digests_built,
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
        }


def _existing(collection: Any, page: int = 5000, metadata: bool = True) -> dict[str, dict[str, Any]]:
    """Every id in the collection, with its metadata unless `metadata` is False (ids only: cheaper)."""
    out: dict[str, dict[str, Any]] = {}
    offset = 0
    while True:
        got = collection.get(include=["metadatas"] if metadata else [], limit=page, offset=offset)
        metas = got.get("metadatas") or [None] * len(got["ids"])
        for cid, meta in zip(got["ids"], metas):
            out[cid] = meta or {}
        if len(got["ids"]) < page:
            return out
        offset += page


def _load_docs(source: Path, report: IngestReport) -> list[tuple[CleanDoc, str]]:
    paths, skipped = discover(source)
    report.files_skipped.extend(s.as_dict() for s in skipped)
    manifest = load_manifest(source)
    docs = []
    for path in paths:
        t = time.perf_counter()
        loaded = load_file(path, source)
        t = _tally(report, "read", t)
        if isinstance(loaded, Skipped):
            report.files_skipped.append(loaded.as_dict())
            continue
        try:
            doc = to_clean_doc(loaded, manifest)
        except Exception as exc:  # one bad file must not stop the others
            logger.exception("cannot parse %s", path)
            report.files_skipped.append(Skipped(str(path.relative_to(source)), "parse_failed", {"err": str(exc)}).as_dict())
            continue
        finally:
            _tally(report, "parse", t)
        if not doc.text.strip() or not doc.turns:
            report.files_skipped.append(Skipped(doc.file, "nothing_left").as_dict())
            continue
        report.per_file.append(file_report(doc, loaded.format, loaded.encoding))
        docs.append((doc, docstore.content_hash(doc)))
    return docs


def _tally(report: IngestReport, phase: str, since: float) -> float:
    """report.seconds[phase] += the time since `since` (summed over files); returns now."""
    now = time.perf_counter()
    report.seconds[phase] = report.seconds.get(phase, 0.0) + now - since
    return now


def file_report(doc: CleanDoc, fmt: str, encoding: str) -> dict[str, Any]:
    """What ingestion made of one file, for `--json`: enough to see why it was read that way."""
    lay = doc.layout or {}
    times = [t for _, t in doc.times]
    return {
        "file": doc.file, "format": fmt, "encoding": encoding, "title": doc.meta.title,
        "layout": lay.get("layout"), "why": lay.get("why"),
        "speakers": lay.get("speakers", []), "labels": lay.get("labels", {}),
        "people": lay.get("people", []), "ignored_labels": lay.get("ignored_labels", {}),
        "timed": bool(doc.times), "time_span": [min(times), max(times)] if times else None,
        "media_url": doc.meta.media_url,
        "turns": {k: sum(1 for t in doc.turns if t.kind == k) for k in ("speech", "narration", "summary", "heading")},
    }


def reset_store(settings: Settings) -> None:
    """Throw away every index (for --rebuild): the transcripts are the source of truth."""
    try:
        client = make_chroma_client(settings)
        present = collection_names(client)
        for name in (sentences_collection(settings.collection), settings.collection):
            if name in present:
                client.delete_collection(name)
    except Exception:  # absent already, or the store is too broken to open: remove its files
        if settings.chroma_host:
            raise
        from chromadb.api.shared_system_client import SharedSystemClient

        # Chroma caches one client per path in-process; a deleted directory must not be reused.
        SharedSystemClient.clear_system_cache()
        shutil.rmtree(settings.chroma_dir, ignore_errors=True)
    shutil.rmtree(settings.keyword_dir, ignore_errors=True)
    shutil.rmtree(settings.docs_dir, ignore_errors=True)
    shutil.rmtree(settings.digests_dir, ignore_errors=True)


def run_ingest(settings: Settings, source: Path | None = None, *, embedder: Any = None,
               progress: Progress | None = None, rebuild: bool = False) -> IngestReport:
    report = IngestReport()
    source = Path(source or settings.seeds_dir)
    progress = progress or (lambda phase, done, total: None)
    t0 = time.perf_counter()
    if not source.is_dir():
        raise IngestError(f"Source folder {source} does not exist. Put transcripts ({supported_list()}) there, "
                          "or pass another folder: `python -m ingest PATH`.")
    if rebuild:
        reset_store(settings)
    docs = _load_docs(source, report)
    if not docs:
        raise IngestError(f"No usable transcripts in {source}: add {supported_list()} files "
                          f"({len(report.files_skipped)} skipped, see files_skipped).")
    chunks: list[tuple[Chunk, CleanDoc]] = []
    t = time.perf_counter()
    for doc, _ in docs:
        chunks.extend((c, doc) for c in chunk_document(doc, settings.chunk_size, settings.chunk_max, settings.question_context_chars))
    _tally(report, "chunk", t)
    report.seconds["load_clean_chunk"] = time.perf_counter() - t0

    t1 = time.perf_counter()
    embedder = embedder or make_embedder(settings)
    client = make_chroma_client(settings)   # one client for the run's three collections
    collection = open_collection(settings, embedder, client)
    store = make_vector_store(collection)
    existing = _existing(collection)
    wanted = {c.id: (c, d) for c, d in chunks}
    to_add = [cid for cid in wanted if cid not in existing]
    to_update = [cid for cid in wanted if cid in existing
                 and any(existing[cid].get(k) != v for k, v in chunk_metadata(*wanted[cid]).items())]
    to_delete = [cid for cid in existing if cid not in wanted]
    report.seconds["diff"] = time.perf_counter() - t1

    # Cleaned documents first: the bot may show any chunk already in the store in context.
    for doc, sha in docs:
        if docstore.doc_hash(settings.docs_dir, doc.doc_id) != sha:
            docstore.save_doc(settings.docs_dir, doc, sha)

    t2 = time.perf_counter()
    batch = max(1, settings.embed_batch_size)
    progress("embed", 0, len(to_add))
    for i in range(0, len(to_add), batch):
        ids = to_add[i:i + batch]
        texts = [embed_text(wanted[cid][0]) for cid in ids]
        vectors = embedder.get_text_embedding_batch(texts)
        nodes = [to_node(wanted[cid][0], chunk_metadata(*wanted[cid]), vec) for cid, vec in zip(ids, vectors)]
        store.add(nodes)
        report.chunks_added += len(ids)
        report.chars_embedded += sum(len(t) for t in texts)
        progress("embed", min(i + batch, len(to_add)), len(to_add))
    report.seconds["embed_and_store"] = time.perf_counter() - t2

    t3 = time.perf_counter()
    if to_update:
        from llama_index.core.vector_stores.utils import node_to_metadata_dict

        metas = [node_to_metadata_dict(to_node(*node_fields(wanted[cid])), remove_text=True, flat_metadata=True)
                 for cid in to_update]
        collection.update(ids=to_update, metadatas=metas)
        report.chunks_updated = len(to_update)
    for i in range(0, len(to_delete), 5000):
        collection.delete(ids=to_delete[i:i + 5000])
    report.chunks_deleted = len(to_delete)
    live = {d.doc_id for d, _ in docs}
    for doc_id in docstore.list_doc_ids(settings.docs_dir):
        if doc_id not in live:
            docstore.remove_doc(settings.docs_dir, doc_id)
    report.seconds["update_delete"] = time.perf_counter() - t3

    t5 = time.perf_counter()
    sentences = _index_sentences(settings, embedder, wanted, report, progress, client)
    report.seconds["sentences"] = time.perf_counter() - t5

    t4 = time.perf_counter()
    ids = sorted(wanted)
    words = {s.name for d, _ in docs for s in d.meta.speakers} | {s.org for d, _ in docs for s in d.meta.speakers if s.org}
    records = [{"text": wanted[c][0].text, **chunk_metadata(*wanted[c])} for c in ids]
    # The records (titles, offsets, roles) are part of it: a manifest or offset change that keeps
    # every id must still reach the keyword hits, and tells a running bot to reload.
    fingerprint = hashlib.sha1("\x00".join([KEYWORD_RECIPE, "\n".join(ids), "\n".join(sorted(words)),
                                            json.dumps(records, sort_keys=True, ensure_ascii=False)]).encode()
                               ).hexdigest()[:20]
    if KeywordIndex.current_fingerprint(settings.keyword_dir) != fingerprint:
        progress("keyword", 0, 1)
        KeywordIndex.build(ids, [keyword_text(wanted[c][0]) for c in ids], words, fingerprint, records).save(
            settings.keyword_dir)
        progress("keyword", 1, 1)
    report.seconds["keyword_index"] = time.perf_counter() - t4

    t6 = time.perf_counter()
    report.digests_built = update_digests(settings, docs, [c for c, _ in chunks], collection_vectors(sentences))
    report.seconds["digests"] = time.perf_counter() - t6

    report.files_indexed = [d.file for d, _ in docs]
    report.chunks_total = collection.count()
    report.seconds["total"] = time.perf_counter() - t0
    if report.chunks_total != len(wanted):
        raise StoreError(f"Store holds {report.chunks_total} chunks, expected {len(wanted)}: "
                         "run `python -m ingest --rebuild`.")
    return report


def _index_sentences(settings: Settings, embedder: Any, wanted: dict[str, tuple[Chunk, CleanDoc]],
                     report: IngestReport, progress: Progress, client: Any = None) -> Any:
    """Bring the sentence collection in line with the passages (returned: the digests read it):
    the same add-what-is-missing, delete-what-is-gone steps, so a killed run resumes here too."""
    col = open_collection(settings, embedder, client, name=sentences_collection(settings.collection))
    rows = {sid: (text, meta) for c, _ in wanted.values() for sid, text, meta in sentence_rows(c)}
    have = _existing(col, metadata=False)
    to_add = [sid for sid in rows if sid not in have]
    batch = max(1, settings.embed_batch_size)
    progress("sentences", 0, len(to_add))
    for i in range(0, len(to_add), batch):
        ids = to_add[i:i + batch]
        texts = [rows[sid][0] for sid in ids]
        col.add(ids=ids, embeddings=embedder.get_text_embedding_batch(texts),
                metadatas=[rows[sid][1] for sid in ids], documents=texts)
        report.sentences_added += len(ids)
        report.chars_embedded += sum(len(t) for t in texts)
        progress("sentences", min(i + batch, len(to_add)), len(to_add))
    gone = [sid for sid in have if sid not in rows]
    for i in range(0, len(gone), 5000):
        col.delete(ids=gone[i:i + 5000])
    report.sentences_deleted = len(gone)
    return col
