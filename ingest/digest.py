"""Digests at ingest: for every interview and every (non-host) speaker in it, a few verbatim quotes
that together cover what they talk about, chosen from the sentence vectors already stored.

A speaker's sentences are clustered (spherical k-means over their e5 vectors): each cluster is a
topic they spend time on. From each of the biggest clusters one sentence stands for it: the one
closest to the cluster's centre that also carries rare words and repeats its section heading
the two), so that a point reads as a statement, not as "我觉得这个很重要". An interview's digest
does the same per section (chapters, as a reader skims them), or over the whole talk when it has
no sections. Quotes keep their place, so answers cite them like retrieved passages.

Nothing here runs at question time: `update_digests` rebuilds a document's digest only when its
fingerprint (file hash, sentence ids, recipe, parameters) changed, and removes digests of files
that are gone. Vectors are read back from the sentence collection, never re-embedded.
"""

from __future__ import annotations

import json
import logging
import math
import re
import shutil
from collections.abc import Callable
from typing import Any

import numpy as np

from bot.index import digests as store
from bot.index.digests import Digest, Point
from bot.index.documents import CleanDoc
from bot.settings import OverviewParams, Settings
from bot.text.lang import split_sentences
from bot.text.normalize import normalize
from bot.text.tokenize import tokenize
from ingest.chunking import Chunk

logger = logging.getLogger(__name__)

Vectors = Callable[[list[str]], dict[str, np.ndarray]]   # sentence ids -> their stored vectors
# The parameters a digest depends on: a change to one rebuilds every digest, to others none.
DIGEST_PARAMS = {"speaker_points", "interview_points", "points_per_section", "quote_chars", "min_terms",
                 "pick_weights", "kmeans_iterations"}


def sentence_ids(chunk: Chunk) -> list[tuple[str, int, int]]:
    """(sentence id, start, end in the chunk) of a chunk's stored sentence vectors."""
    from ingest.pipeline import sentence_rows  # one definition of a sentence id

    out = []
    for sid, _, _ in sentence_rows(chunk):
        s, _, e = sid.rpartition("#")[2].partition("-")
        out.append((sid, int(s), int(e)))
    return out


class _Sentence:
    __slots__ = ("sid", "text", "start", "end", "chunk", "terms", "ok", "grams", "heading")

    def __init__(self, sid: str, chunk: Chunk, s: int, e: int, params: OverviewParams) -> None:
        self.sid, self.chunk = sid, chunk
        # A stored unit may join a short sentence to the next ("对。还有…"): its vector stands for
        # the unit, its quote is the unit's sentence with the most content words.
        unit = chunk.text[s:e]
        lo, hi = params.quote_chars
        pieces = [(a, b, _terms(unit[a:b])) for a, b in split_sentences(unit)] or [(0, len(unit), _terms(unit))]
        fit = [p for p in pieces if lo <= p[1] - p[0] <= hi] or pieces
        a, b, terms = max(fit, key=lambda p: (len(p[2]), p[1] - p[0]))
        self.start, self.end = chunk.start + s + a, chunk.start + s + b
        self.text, self.terms = unit[a:b], terms
        self.ok = (lo <= len(self.text) <= hi and len(self.terms) >= params.min_terms
                   and not self.text.rstrip("”」』）) ").endswith(("?", "？")))
        self.grams = _grams(self.text)
        self.heading = 0.0   # set by digest_doc: how much of its section's heading it repeats


def _terms(text: str) -> set[str]:
    return {t for t in tokenize(text) if len(t) >= 2 or not t.isascii()}


def _grams(text: str) -> set[str]:
    """Character bigrams of the Chinese and words of the Latin text (normalised): what a heading
    and a sentence share."""
    low = normalize(text)
    out = set(re.findall(r"[a-z0-9][a-z0-9.+\-]*", low))
    for run in re.findall(r"[\u3400-\u9fff]{2,}", low):
        out.update(run[i:i + 2] for i in range(len(run) - 1))
    return out


def _heading_scores(sents: list[_Sentence]) -> None:
    """Editors title a section with its claim ("谈成本:技术成本两年内可能降 100 倍"): score each
    sentence by the rare words of its section's heading it repeats (IDF over the document's
    sentences), 1 for the best of its section, 0 where the best shares fewer than two."""
    df: dict[str, int] = {}
    for x in sents:
        for g in x.grams:
            df[g] = df.get(g, 0) + 1
    heads = {sec: _grams(sec or "") for sec in {x.chunk.section for x in sents}}
    shared = [heads[x.chunk.section] & x.grams for x in sents]
    for x, common in zip(sents, shared):
        x.heading = sum(math.log(1 + len(sents) / df[g]) for g in common) if len(common) >= 2 else 0.0
    best: dict[str | None, float] = {}
    for x in sents:
        best[x.chunk.section] = max(best.get(x.chunk.section, 0.0), x.heading)
    for x in sents:
        x.heading = x.heading / best[x.chunk.section] if best[x.chunk.section] > 0 else 0.0


def _kmeans(x: np.ndarray, k: int, iterations: int) -> np.ndarray:
    """Cluster labels of the rows of `x` (unit vectors) by spherical k-means, k-means++ seeded
    with a fixed generator: the same sentences give the same digest on every run."""
    n = len(x)
    k = max(1, min(k, n))
    rng = np.random.default_rng(0)
    centres = [x[int(rng.integers(n))]]
    for _ in range(1, k):
        d = 1.0 - np.max(np.einsum("ij,kj->ik", x, np.asarray(centres)), axis=1)
        d = np.clip(d, 0.0, None) ** 2
        total = float(d.sum())
        centres.append(x[int(rng.choice(n, p=d / total))] if total > 0 else x[int(rng.integers(n))])
    c = np.asarray(centres)
    labels = np.zeros(n, dtype=np.int64)
    for it in range(iterations):
        new = np.argmax(np.einsum("ij,kj->ik", x, c), axis=1)
        if it > 0 and np.array_equal(new, labels):
            break
        labels = new
        for j in range(k):
            members = x[labels == j]
            if len(members):
                m = members.sum(axis=0)
                c[j] = m / (np.linalg.norm(m) or 1.0)
    return labels


def _pick(sents: list[_Sentence], vecs: np.ndarray, k: int, keep: int, params: OverviewParams,
          idf: dict[str, float]) -> list[tuple[_Sentence, int, float]]:
    """(sentence, cluster, cluster share) standing for the `keep` biggest of `k` topics of `sents`."""
    if not sents:
        return []
    labels = _kmeans(vecs, k, params.kmeans_iterations)
    max_idf = max(idf.values(), default=1.0) or 1.0
    w_centre, w_rare, w_heading = params.pick_weights
    picks: list[tuple[_Sentence, int, float]] = []
    chosen: list[np.ndarray] = []
    sizes = np.bincount(labels)
    # The sentence making its section heading's claim leads, for the topic it belongs to.
    lead = max((i for i, x in enumerate(sents) if x.ok and x.heading >= 1.0), key=lambda i: sents[i].heading,
               default=None)
    if lead is not None and keep:
        picks.append((sents[lead], int(labels[lead]), float(sizes[labels[lead]]) / len(sents)))
        chosen.append(vecs[lead])
    for j in sorted(range(len(sizes)), key=lambda j: -sizes[j]):
        if len(picks) >= keep:
            break
        if lead is not None and j == labels[lead]:
            continue
        idx = [i for i in np.flatnonzero(labels == j) if sents[i].ok]
        if not idx:
            continue
        centre = vecs[labels == j].mean(axis=0)
        centre /= np.linalg.norm(centre) or 1.0
        cos = vecs[idx] @ centre
        lo, hi = float(cos.min()), float(cos.max())
        near = (cos - lo) / (hi - lo) if hi > lo else np.ones_like(cos)
        rare = np.asarray([sum(sorted((idf.get(t, 0.0) for t in sents[i].terms), reverse=True)[:5])
                           for i in idx]) / (5 * max_idf)
        heading = np.asarray([sents[i].heading for i in idx])
        score = w_centre * near + w_rare * rare + w_heading * heading
        for best in np.argsort(-score):
            i = idx[int(best)]
            if all(float(vecs[i] @ c) < 0.97 for c in chosen):   # not the same point twice
                picks.append((sents[i], int(j), float(sizes[j]) / len(sents)))
                chosen.append(vecs[i])
                break
    return picks


def _allot(sizes: list[int], total: int, cap: int) -> list[int]:
    """Points per section in proportion to how much is said there (largest remainders), at least
    one for a section holding a twentieth of it, at most `cap`."""
    n = sum(sizes) or 1
    quota = [total * k / n for k in sizes]
    out = [min(cap, max(1 if k >= max(3, n / 20) else 0, math.floor(q))) for k, q in zip(sizes, quota)]
    for i in sorted(range(len(sizes)), key=lambda i: -(quota[i] - math.floor(quota[i]))):
        if sum(out) >= total:
            break
        if out[i] < cap and sizes[i] > out[i] and quota[i] > out[i]:
            out[i] += 1
    while sum(out) > total:   # the minimum of one each may overshoot: take from the smallest
        i = min((i for i in range(len(out)) if out[i]), key=lambda i: sizes[i])
        out[i] -= 1
    return out


def _by_section(sents: list[_Sentence], matrix: np.ndarray, idx: list[int], total: int, cap: int,
                params: OverviewParams, idf: dict[str, float]) -> list[tuple[_Sentence, int, float]]:
    """Topic picks among `idx`, spread over its sections (chapters) when there are several: a
    section gets points in proportion to what is said in it, and its topics are clustered apart."""
    groups: dict[str | None, list[int]] = {}
    for i in idx:
        groups.setdefault(sents[i].chunk.section, []).append(i)
    if len(groups) < 2:
        k = max(1, min(total + 4, round(math.sqrt(len(idx)))))
        return _pick([sents[i] for i in idx], matrix[idx], k, total, params, idf)
    picks = []
    for (_, g), keep in zip(groups.items(), _allot([len(g) for g in groups.values()], total, cap)):
        if keep:
            k = max(keep, min(keep + 2, round(math.sqrt(len(g)))))
            got = _pick([sents[i] for i in g], matrix[g], k, keep, params, idf)
            picks.extend((x, j, w * len(g) / len(idx)) for x, j, w in got)
    return picks


def _points(picks: list[tuple[_Sentence, int, float]]) -> list[Point]:
    out = [Point(quote=s.text, start=s.start, end=s.end, chunk_id=s.chunk.id, chunk_start=s.chunk.start,
                 chunk_end=s.chunk.end, speaker=s.chunk.speaker, role=s.chunk.role, section=s.chunk.section,
                 turn=s.chunk.turn, topic=j, weight=round(w, 3)) for s, j, w in picks]
    return sorted(out, key=lambda p: p.start)


def digest_doc(doc: CleanDoc, chunks: list[Chunk], vectors: dict[str, np.ndarray], params: OverviewParams,
               fp: str) -> Digest:
    """The digest of one document from its chunks and their stored sentence vectors."""
    sents: list[_Sentence] = []
    for c in chunks:
        if c.kind != "speech" or not c.speaker or c.role == "host":
            continue
        for sid, s, e in sentence_ids(c):
            if sid in vectors:
                sents.append(_Sentence(sid, c, s, e, params))
    digest = Digest(doc_id=doc.doc_id, fingerprint=fp)
    if not sents:
        return digest
    _heading_scores(sents)
    df: dict[str, int] = {}
    for s in sents:
        for t in s.terms:
            df[t] = df.get(t, 0) + 1
    idf = {t: math.log(1 + len(sents) / d) for t, d in df.items()}
    matrix = np.asarray([vectors[s.sid] for s in sents], dtype=np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True).clip(1e-9)

    by_speaker: dict[str, list[int]] = {}
    for i, x in enumerate(sents):
        by_speaker.setdefault(x.chunk.speaker or "", []).append(i)
    for name, idx in by_speaker.items():
        digest.speakers[name] = _points(_by_section(sents, matrix, idx, params.speaker_points, params.speaker_points,
                                                    params, idf))
        digest.sentences[name] = len(idx)
    digest.interview = _points(_by_section(sents, matrix, list(range(len(sents))), params.interview_points,
                                           params.points_per_section, params, idf))
    return digest


def update_digests(settings: Settings, docs: list[tuple[CleanDoc, str]], chunks: list[Chunk],
                   vectors: Vectors) -> int:
    """Bring `DATA/digests` in line with the documents; returns how many were (re)built."""
    params = settings.overview
    by_doc: dict[str, list[Chunk]] = {}
    for c in chunks:
        by_doc.setdefault(c.doc_id, []).append(c)
    built = 0
    for doc, sha in docs:
        own = by_doc.get(doc.doc_id, [])
        ids = sorted(sid for c in own for sid, _, _ in sentence_ids(c))
        fp = store.fingerprint(sha, "\n".join(ids), json.dumps(params.model_dump(include=DIGEST_PARAMS), sort_keys=True))
        if store.stored_fingerprint(settings.digests_dir, doc.doc_id) == fp:
            continue
        store.save_digest(settings.digests_dir, digest_doc(doc, own, vectors(ids), params, fp))
        built += 1
    live = {d.doc_id for d, _ in docs}
    gone = [d for d in store.list_digests(settings.digests_dir) if d not in live]
    for doc_id in gone:
        store.remove_digest(settings.digests_dir, doc_id)
    if built or gone:
        # The LLM's written summaries rest on the old digests: written again when next asked.
        shutil.rmtree(settings.digests_dir / "written", ignore_errors=True)
    return built


def collection_vectors(collection: Any, page: int = 500) -> Vectors:
    """Read stored sentence vectors by id from the sentence collection."""
    def get(ids: list[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for i in range(0, len(ids), page):
            got = collection.get(ids=ids[i:i + page], include=["embeddings"])
            for sid, vec in zip(got["ids"], got["embeddings"]):
                out[sid] = np.asarray(vec, dtype=np.float32)
        return out
    return get
