"""Passages ranked by their best sentence: the search over the sentence vectors.

An answer is often one sentence of a 300-character turn about other things ("他做了一个 APP 叫做
Draw Things" inside a self-introduction); the passage's vector averages it away, the sentence's own
vector finds it. Ingest stores one vector per sentence in a second Chroma collection
(`ingest.pipeline._index_sentences`); here a passage scores the cosine of its closest sentence.

Up to `memory_max` sentences (Settings.retrieval.sentence_memory_max) the vectors are held in
memory and searched with one matrix product (0.05 ms for the seeds' 1,248 sentences; a Chroma query costs ~7 ms, and a question runs up
to three searches). Bigger stores are searched through Chroma's own index, asking for ids and
distances only: a search restricted to some passages (a named speaker, an interview) fetches
a few times more hits unfiltered and keeps those of the allowed passages, because Chroma checks a
metadata filter row by row (1.4 s for one speaker's sentences among 400k, against 40 ms); the
passage and span of each sentence are read off its id, listed once at open, so a passage's
sentences are fetched by id (1 ms) rather than by a chunk_id filter (150 ms). A search allowed
only a few sentences (Settings.retrieval.sentence_exact_max) fetches their vectors by id and scores
every one: Chroma's HNSW restricted to a few ids among 410k took 0.2-1.3 s.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np

from bot.index.keyword import KeywordIndex
from bot.settings import RetrievalParams

logger = logging.getLogger(__name__)

# The Chroma path's numbers (hits per passage, id filter and overfetch limits) are in
# Settings.retrieval (sentence_*), measured on 404k sentences (benchmarks/results.md).
PAGE = 5000
ID_PAGE = 50_000          # sentence ids listed per request at open


class SentenceIndex:
    def __init__(self, collection: Any, keyword: KeywordIndex, vectors: np.ndarray | None,
                 rows: np.ndarray | None, spans: list[tuple[int, int]] | None = None,
                 ids: list[str] | None = None) -> None:
        self.collection, self.keyword = collection, keyword
        self.vectors = vectors    # (n, dim), or None: search through Chroma
        self.rows = rows          # the keyword index position of each sentence's passage (-1: unknown)
        self.spans = spans or []  # each sentence's (start, end) in its passage's text
        self.ids = np.asarray(ids or [], dtype=object)   # Chroma path: each sentence's id
        self._of_row: dict[int, list[int]] | None = None
        self._best: tuple[bytes, np.ndarray] | None = None   # the last question's passage_best
        self.params = RetrievalParams()

    @classmethod
    def open(cls, collection: Any, keyword: KeywordIndex, memory_max: int | None = None,
             params: RetrievalParams | None = None) -> SentenceIndex | None:
        """None when there are no sentence vectors (a store built before them: the next ingest adds them)."""
        params = params or RetrievalParams()
        found = cls._open(collection, keyword, params.sentence_memory_max if memory_max is None else memory_max)
        if found is not None:
            found.params = params
        return found

    @classmethod
    def _open(cls, collection: Any, keyword: KeywordIndex, memory_max: int) -> SentenceIndex | None:
        n = collection.count()
        if not n:
            return None
        if n > memory_max:   # vectors stay in Chroma; which passage each sentence belongs to is kept here
            ids = [sid for offset in range(0, n, ID_PAGE)
                   for sid in collection.get(include=[], limit=ID_PAGE, offset=offset)["ids"]]
            rows = np.fromiter((_or(keyword.position(sid.rpartition("#")[0]), -1) for sid in ids), np.int64, len(ids))
            return cls(collection, keyword, None, rows, [span_of(sid) for sid in ids], ids)
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
        if self._of_row is None:
            of_row: dict[int, list[int]] = {}
            for i, pos in enumerate(self.rows.tolist()):
                of_row.setdefault(pos, []).append(i)
            self._of_row = of_row
        found = [(cid, self._of_row.get(_or(self.keyword.position(cid), -2), [])) for cid in chunk_ids]
        if self.vectors is None:
            # by id (a primary-key lookup, ~1 ms), not by a chunk_id filter (Chroma scans: ~100 ms at 400k)
            sids = [self.ids[i] for _, idx in found for i in idx]
            got = self.collection.get(ids=sids, include=["embeddings"]) if sids else {"ids": [], "embeddings": []}
            for sid, vec in zip(got["ids"], got["embeddings"]):
                out.setdefault(sid.rpartition("#")[0], []).append(
                    (*span_of(sid), float(np.dot(np.asarray(vec, dtype=np.float32), q))))
            return out
        for cid, idx in found:
            if idx:
                sims = np.einsum("ij,j->i", self.vectors[idx], q)
                out[cid] = [(*self.spans[i], float(c)) for i, c in zip(idx, sims)]
        return out

    def _search_chroma(self, embedding: list[float], k: int, allowed: np.ndarray | None,
                       where: dict | None) -> list[tuple[str, float]]:
        """Chroma checks a metadata filter row by row over the whole collection (1.4 s at 404k
        sentences, whatever share it keeps), so a restricted search goes without one: a few
        allowed sentences are searched by their ids; many, unfiltered for more hits than wanted,
        kept or dropped here by the passages' mask. Only when that finds none is the filter used."""
        p = self.params
        wanted = k * p.sentence_hits_per_passage
        if allowed is None:
            return self._best_allowed(self._query(embedding, wanted), None)[0][:k]
        ok = (self.rows >= 0) & allowed[np.maximum(self.rows, 0)]
        n_ok = int(ok.sum())
        if not n_ok:
            return []
        if n_ok <= p.sentence_exact_max:   # few: their vectors by id, every one scored (HNSW is slow at this)
            got = self.collection.get(ids=list(self.ids[ok]), include=["embeddings"])
            cos = cosines(got["embeddings"], embedding)
            return self._best_allowed([(sid, 1.0 - float(c)) for sid, c in zip(got["ids"], cos)], allowed)[0][:k]
        if n_ok <= p.sentence_id_filter_max:
            return self._best_allowed(self._query(embedding, min(wanted, n_ok), ids=list(self.ids[ok])), allowed)[0][:k]
        most = min(p.sentence_overfetch_max, len(self.rows))
        fetch = min(most, math.ceil(p.sentence_overfetch * wanted * len(self.rows) / n_ok))
        while True:
            best, kept = self._best_allowed(self._query(embedding, fetch), allowed)
            # k allowed passages found: every sentence not fetched is farther than those fetched, so
            # no other passage can beat them; the ranking of these k is already exact
            if kept >= wanted or len(best) >= k or fetch >= most:
                break
            fetch = min(most, p.sentence_overfetch_growth * fetch)
        # too few allowed among the nearest: those found are still the best allowed ones
        return best[:k] if best else self._best_allowed(self._query(embedding, wanted, where=where), allowed)[0][:k]

    def _query(self, embedding: list[float], n: int, where: dict | None = None,
               ids: list[str] | None = None) -> list[tuple[str, float]]:
        got = self.collection.query(query_embeddings=[embedding], where=where, ids=ids, n_results=n,
                                    include=["distances"])
        return list(zip((got.get("ids") or [[]])[0], (got.get("distances") or [[]])[0]))

    def _best_allowed(self, hits: list[tuple[str, float]], allowed: np.ndarray | None) -> tuple[list[tuple[str, float]], int]:
        """(chunk id, best sentence cosine) of the hits' allowed passages, best first, and the
        number of allowed hits."""
        best: dict[str, float] = {}
        kept = 0
        for sid, dist in hits:
            cid = sid.rpartition("#")[0]   # a sentence id is "<chunk id>#<start>-<end>"
            pos = self.keyword.position(cid)
            # a sentence whose passage the keyword index doesn't know yet (an ingest is running)
            if pos is None or (allowed is not None and not allowed[pos]):
                continue
            kept += 1
            best[cid] = max(best.get(cid, -2.0), 1.0 - dist)   # cosine space: distance = 1 - cos
        return sorted(best.items(), key=lambda kv: kv[1], reverse=True), kept


def cosines(vectors: Any, embedding: list[float]) -> np.ndarray:
    """Cosine of each vector (rows) to `embedding`, as Chroma's cosine space computes it (1 - distance).
    einsum, not `@`: see passage_best."""
    v = np.asarray(vectors, dtype=np.float32).reshape(-1, len(embedding))
    q = np.asarray(embedding, dtype=np.float32)
    norms = np.sqrt(np.einsum("ij,ij->i", v, v)) * float(np.sqrt(np.dot(q, q)))
    return np.einsum("ij,j->i", v, q) / np.maximum(norms, 1e-12)


def span_of(sentence_id: str) -> tuple[int, int]:
    """The (start, end) in its passage that a sentence id ends with: "<chunk id>#<start>-<end>"."""
    s, _, e = sentence_id.rpartition("#")[2].partition("-")
    return int(s), int(e)


def _or(value: int | None, default: int) -> int:
    return default if value is None else value
