"""Synthetic corpora of N chunks made from the seeds' own sentences, stored exactly as ingest
stores them (same metadata, same LlamaIndex node layout in Chroma, same keyword index), with
stand-in vectors (benchmarks.common.HashEmbedder).

Synthetic interview k takes its sentences from seed interview k % 5, so speakers, roles and the
speaker filters behave as in the real corpus; each has 100 chunks of 2-6 consecutive sentences of
one speaker.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import HashEmbedder
from bot.index import docstore
from bot.index.keyword import KeywordIndex
from bot.index.store import make_vector_store, open_collection
from bot.settings import PROJECT_ROOT, Settings
from ingest.chunking import chunk_document, sentence_spans
from ingest.pipeline import IngestReport, _load_docs

logger = logging.getLogger(__name__)
CHUNKS_PER_DOC = 100
ADD_BATCH = 2000


@dataclass
class Group:
    seed_doc: str
    title: str
    date: str
    speaker: str | None
    role: str
    kind: str
    sentences: list[str]


def seed_groups(seeds: Path = PROJECT_ROOT / "seeds") -> tuple[list[list[Group]], list[Any], set[str]]:
    """Per seed document, its speakers' sentences; the cleaned documents; the names to index."""
    docs = _load_docs(seeds, IngestReport())
    per_doc: list[list[Group]] = []
    words: set[str] = set()
    for doc, _ in docs:
        groups: dict[tuple, Group] = {}
        for c in chunk_document(doc):
            key = (c.speaker, c.role, c.kind)
            g = groups.setdefault(key, Group(doc.doc_id, doc.meta.title, doc.meta.date, c.speaker, c.role, c.kind, []))
            g.sentences.extend(doc.text[s:e] for s, e in sentence_spans(doc.text, c.start, c.end))
        per_doc.append([g for g in groups.values() if g.sentences])
        words |= {s.name for s in doc.meta.speakers} | {s.org for s in doc.meta.speakers if s.org}
    return per_doc, [d for d, _ in docs], words


def synth_chunks(n: int, seed: int = 0) -> tuple[list[str], list[str], list[dict[str, Any]], list[Any], set[str]]:
    """ids, texts and metadata records (as ingest writes them) of n synthetic chunks."""
    per_doc, seed_docs, words = seed_groups()
    rng = np.random.default_rng(seed)
    ids, texts, metas = [], [], []
    for k in range(n):
        d = k // CHUNKS_PER_DOC
        groups = per_doc[d % len(per_doc)]
        weights = np.array([len(g.sentences) for g in groups], dtype=float)
        g = groups[int(rng.choice(len(groups), p=weights / weights.sum()))]
        start = int(rng.integers(0, len(g.sentences)))
        take = int(rng.integers(2, 7))
        text = "".join(g.sentences[start:start + take])[:480] or g.sentences[0][:480]
        doc_id = f"synth_{d:05d}"
        ids.append(f"{doc_id}::{k:08d}")
        texts.append(text)
        metas.append({"doc_id": doc_id, "doc_file": f"{doc_id}.txt", "title": f"{g.title} #{d}", "date": g.date,
                      "speaker": g.speaker or "", "role": g.role, "kind": g.kind, "section": "",
                      "turn": k % CHUNKS_PER_DOC, "part": 0, "start": 0, "end": len(text), "question": ""})
    return ids, texts, metas, seed_docs, words


def build(n: int, settings: Settings, keyword_cache: Path | None = None) -> dict[str, Any]:
    """Write an n-chunk synthetic corpus into settings' store (embedded or server), keyword index
    and docs dir. Returns build timings."""
    from llama_index.core.schema import TextNode

    t0 = time.perf_counter()
    ids, texts, metas, seed_docs, words = synth_chunks(n)
    settings.docs_dir.mkdir(parents=True, exist_ok=True)
    for doc in seed_docs:   # the Library (speaker names, aliases) comes from the real interviews
        docstore.save_doc(settings.docs_dir, doc, hashlib.sha256(doc.text.encode()).hexdigest())
    t_gen = time.perf_counter() - t0

    t1 = time.perf_counter()
    emb = HashEmbedder()
    store = make_vector_store(open_collection(settings, emb))
    for i in range(0, n, ADD_BATCH):
        nodes = [TextNode(id_=ids[j], text=texts[j], metadata=metas[j], embedding=emb.vector(texts[j]).tolist(),
                          start_char_idx=0, end_char_idx=len(texts[j])) for j in range(i, min(n, i + ADD_BATCH))]
        store.add(nodes)
        if (i // ADD_BATCH) % 10 == 0:
            logger.info("stored %d/%d", min(n, i + ADD_BATCH), n)
    t_store = time.perf_counter() - t1

    t2 = time.perf_counter()
    if keyword_cache is not None and (keyword_cache / "CURRENT").exists():
        shutil.copytree(keyword_cache, settings.keyword_dir, dirs_exist_ok=True)
    else:
        fp = hashlib.sha1(f"synth-{n}".encode()).hexdigest()[:20]
        records = [{"text": t, **m} for t, m in zip(texts, metas)]
        kw_texts = [f"{m['speaker']} {t}" for t, m in zip(texts, metas)]
        KeywordIndex.build(ids, kw_texts, words, fp, records).save(settings.keyword_dir)
        if keyword_cache is not None:
            shutil.copytree(settings.keyword_dir, keyword_cache, dirs_exist_ok=True)
    t_kw = time.perf_counter() - t2
    return {"chunks": n, "generate_s": round(t_gen, 1), "vector_store_s": round(t_store, 1),
            "keyword_index_s": round(t_kw, 1), "vectors_per_s": round(n / t_store) if t_store else None}
