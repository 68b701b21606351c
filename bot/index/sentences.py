"""Passages ranked by their best sentence: the search over the sentence vectors.

An answer is often one sentence of a 300-character turn about other things ("他做了一个 APP 叫做
Draw Things" inside a self-introduction); the passage's vector averages it away, the sentence's own
vector finds it. Ingest stores one vector per sentence in a second Chroma collection
(`ingest.pipeline._index_sentences`); here a passage scores the cosine of its closest sentence.

Up to `memory_max` sentences (Settings.retrieval.sentence_memory_max) the vectors are held in
memory and searched with one matrix product (0.05 ms for the seeds' 1,248 sentences; a Chroma query costs ~7 ms, and a question runs up
to three searches). Bigger stores are searched through Chroma's own index.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from bot.index.keyword import KeywordIndex

logger = logging.getLogger(__name__)

HITS_PER_PASSAGE = 4      # Chroma path: sentence hits fetched per passage wanted
PAGE = 5000


class SentenceIndex:
    def __init__(self, collection: Any, keyword: KeywordIndex, vectors: np.ndarray | None,
                 rows: np.ndarray | None, spans: list[tuple[int, int]] | None = None) -> None:
        self.collection, self.keyword = collection, keyword
        self.vectors = vectors    # (n, dim), or None: search through Chroma
        self.rows = rows          # the keyword index position of each sentence's passage (-1: unknown)
        self.spans = spans or []  # each sentence's (start, end) in its passage's text
        self._of_row: dict[int, list[int]] | None = None
        self._best: tuple[bytes, np.ndarray] | None = None   # the last question's passage_best

    @classmethod
    def open(cls, collection: Any, keyword: KeywordIndex, memory_max: int = 100_000) -> SentenceIndex | None:
        """None when there are no sentence vectors (a store built before them: the next ingest adds them)."""
        n = collection.count()
        if not n:
            return None
        if n > memory_max:
            return cls(collection, keyword, None, None)
        vectors, rows, spans = [], [], []
        for offset in range(0, n, PAGE):
            got = collection.get(include=["embeddings", "metadatas"], limit=PAGE, offset=offset)
            vectors.append(np.asarray(got["embeddings"], dtype=np.float32))
            rows.extend(_or(keyword.position((m or {}).get("chunk_id", "")), -1) for m in got["metadatas"])
            spans.extend(map(span_of, got["ids"]))
        return cls(collection, keyword, np.vstack(vectors), np.asarray(rows, dtype=np.int64), spans)

    def search(self, embedding: list[float], k: int, allowed: np.ndarray | None = None,
               where: dict | None = None) -> list[tuple[str, float]]:
        """(chunk id, best sentence cosine) of the k best passages, within `allowed` (a mask over
        the keyword index) / `where` (the same restriction as a Chroma filter)."""
        if self.vectors is None:
            return self._search_chroma(embedding, k, allowed, where)
        best = self.passage_best(embedding)
        if allowed is not None:
            best = np.where(allowed, best, -np.inf)
        top = np.argsort(-best)[:k]
        return [(self.keyword.ids[i], float(best[i])) for i in top if np.isfinite(best[i])]

    def passage_best(self, embedding: list[float]) -> np.ndarray | None:
        """Every passage's best sentence cosine, over the keyword index's ids (-inf: no sentence);
        None when the vectors are searched in Chroma. The whole distribution, so a question's best
        can be measured against its own background (bot.retrieval.relevance)."""
        if self.vectors is None:
            return None
        q = np.asarray(embedding, dtype=np.float32)
        key = q.tobytes()
        if self._best is not None and self._best[0] == key:   # one question searches several times
            return self._best[1]
        # einsum, not `@`: the product would start BLAS's worker threads, which keep spinning after
        # it and slow the next question's e5 encoding threefold on two cores (13 -> 43 ms measured).
        sims = np.einsum("ij,j->i", self.vectors, q)
        ok = self.rows >= 0
        best = np.full(len(self.keyword.ids), -np.inf, dtype=np.float32)
        np.maximum.at(best, self.rows[ok], sims[ok])
        self._best = (key, best)
        return best

    def sentence_scores(self, embedding: list[float], chunk_ids: list[str]) -> dict[str, list[tuple[int, int, float]]]:
        """Each passage's sentences as (start, end, cosine to the query), for choosing what to quote."""
        q = np.asarray(embedding, dtype=np.float32)
        out: dict[str, list[tuple[int, int, float]]] = {}
        if self.vectors is None:
            got = self.collection.get(where={"chunk_id": {"$in": list(chunk_ids)}}, include=["embeddings", "metadatas"])
            for sid, vec, meta in zip(got["ids"], got["embeddings"], got["metadatas"]):
                s, e = span_of(sid)
                out.setdefault(meta["chunk_id"], []).append((s, e, float(np.dot(np.asarray(vec, dtype=np.float32), q))))
            return out
        if self._of_row is None:
            of_row: dict[int, list[int]] = {}
            for i, pos in enumerate(self.rows.tolist()):
                of_row.setdefault(pos, []).append(i)
            self._of_row = of_row
        for cid in chunk_ids:
            pos = self.keyword.position(cid)
            idx = self._of_row.get(pos, []) if pos is not None else []
            if idx:
                sims = np.einsum("ij,j->i", self.vectors[idx], q)
                out[cid] = [(*self.spans[i], float(c)) for i, c in zip(idx, sims)]
        return out

    def _search_chroma(self, embedding: list[float], k: int, allowed: np.ndarray | None,
                       where: dict | None) -> list[tuple[str, float]]:
        got = self.collection.query(query_embeddings=[embedding], where=where, n_results=k * HITS_PER_PASSAGE,
                                    include=["metadatas", "distances"])
        best: dict[str, float] = {}
        for meta, dist in zip((got.get("metadatas") or [[]])[0], (got.get("distances") or [[]])[0]):
            cid = (meta or {}).get("chunk_id", "")
            pos = self.keyword.position(cid)
            # a sentence whose passage the keyword index doesn't know yet (an ingest is running)
            if pos is None or (allowed is not None and not allowed[pos]):
                continue
            best[cid] = max(best.get(cid, -2.0), 1.0 - dist)   # cosine space: distance = 1 - cos
        return sorted(best.items(), key=lambda kv: kv[1], reverse=True)[:k]


def span_of(sentence_id: str) -> tuple[int, int]:
    """The (start, end) in its passage that a sentence id ends with: "<chunk id>#<start>-<end>"."""
    s, _, e = sentence_id.rpartition("#")[2].partition("-")
    return int(s), int(e)


def _or(value: int | None, default: int) -> int:
    return default if value is None else value
