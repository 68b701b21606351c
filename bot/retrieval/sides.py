"""The sides that hybrid retrieval fuses, as LlamaIndex retrievers: passage vectors in Chroma,
passages by their best sentence's vector, BM25 keywords; a side searching with the question as
rewritten into its passages' language; and the one way a filter is built for them."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from llama_index.core.retrievers import BaseRetriever, VectorIndexRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle
from llama_index.core.vector_stores import FilterOperator, MetadataFilter, MetadataFilters

from bot.index.keyword import KeywordIndex
from bot.index.sentences import SentenceIndex, cosines
from bot.settings import RetrievalParams
from bot.text.lang import detect_lang


class KeywordSide(BaseRetriever):
    """BM25 over the question's words as a LlamaIndex retriever; remembers its raw scores. Each word
    counts in all its spellings (谷歌 / Google) and translations the corpus holds (cost / 成本)."""

    def __init__(self, index: KeywordIndex, allowed: Any, top_k: int, groups: list[tuple[str, ...]]) -> None:
        super().__init__()
        self.index, self.allowed, self.top_k, self.groups = index, allowed, top_k, groups
        self.raw: list[tuple[str, float]] = []

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        self.raw = self.index.search(query_bundle.query_str, self.top_k, self.allowed, groups=self.groups)
        return [self.index.node(cid, score) for cid, score in self.raw]


class VectorSide(VectorIndexRetriever):
    """The stock vector retriever, remembering raw cosine similarities before fusion rescales them.
    `keep`: a last check on each hit's id (the language of a passage, when a Chroma server gets a
    metadata filter instead of the id list)."""

    raw: list[tuple[str, float]]
    keep: Callable[[str], bool] | None = None
    # (allowed mask, keyword index, hits wanted, most to fetch, growth while too few are allowed): an
    # unfiltered search fetching more hits than wanted, of which the allowed passages are kept
    # (HybridRetriever._side_filter)
    overfetch: tuple[Any, Any, int, int, int] | None = None
    # (ids, keyword index): a search restricted to a few passages scores each one's vector, fetched
    # by id, instead of asking Chroma's HNSW (HybridRetriever._side_filter)
    exact: tuple[list[str], Any] | None = None
    # The keyword index, when the store has one: Chroma is then asked for ids and distances only
    # and each hit's node is made from the index's record (KeywordIndex.node, the same text and
    # metadata, so the same node hash for the fusion). Fetching each hit's text and metadata from
    # Chroma cost ~0.1 ms a hit: 36 ms for 300 hits at 100k passages, 2.5 ms without.
    records: Any = None

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        if self._kwargs.get("ids") == [] or (self.exact is not None and not self.exact[0]):
            self.raw = []   # restricted to nothing (Chroma reads ids=[] as "no restriction")
            return []
        found = self._exact(query_bundle) if self.exact is not None else self._search(query_bundle)
        if self.overfetch is not None:
            allowed, keyword, wanted, most, growth = self.overfetch
            while True:
                kept = [n for n in found if (pos := keyword.position(n.node.node_id)) is not None and allowed[pos]]
                if len(kept) >= wanted or len(found) < self._similarity_top_k or self._similarity_top_k >= most:
                    break
                self._similarity_top_k = min(most, growth * self._similarity_top_k)   # too few allowed: look further
                found = self._search(query_bundle)
            found = kept[:wanted]
        if self.keep is not None:
            found = [n for n in found if self.keep(n.node.node_id)]
        # ChromaVectorStore reports exp(-distance); with cosine space distance = 1 - cos.
        self.raw = [(n.node.node_id, 1.0 + math.log(max(n.score or 1e-9, 1e-9))) for n in found]
        return found

    def _search(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        if self.records is None:
            return super()._retrieve(query_bundle)
        keyword = self.records
        embedding = query_bundle.embedding or self._embed_model.get_query_embedding(query_bundle.query_str)
        got = self._vector_store.client.query(
            query_embeddings=[embedding], n_results=self._similarity_top_k, where=chroma_where(self._filters),
            ids=self._kwargs.get("ids"), include=["distances"])
        hits = list(zip((got.get("ids") or [[]])[0], (got.get("distances") or [[]])[0]))
        # a passage added since the keyword index was loaded (an ingest is running): from Chroma
        unknown = [cid for cid, _ in hits if keyword.position(cid) is None]
        stored = {n.node_id: n for n in self._vector_store.get_nodes(node_ids=unknown)} if unknown else {}
        out = []
        for cid, d in hits:   # the score ChromaVectorStore gives a hit: exp(-distance)
            if cid in stored:
                out.append(NodeWithScore(node=stored[cid], score=math.exp(-d)))
            elif keyword.position(cid) is not None:
                out.append(keyword.node(cid, math.exp(-d)))
        return out

    def _exact(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        ids, keyword = self.exact
        embedding = query_bundle.embedding or self._embed_model.get_query_embedding(query_bundle.query_str)
        got = self._vector_store.client.get(ids=ids, include=["embeddings"])
        cos = cosines(got["embeddings"], embedding)
        top = np.argsort(-cos, kind="stable")[: self._similarity_top_k]
        # the score ChromaVectorStore gives a hit: exp(-distance), distance = 1 - cos
        return [keyword.node(got["ids"][i], math.exp(float(cos[i]) - 1.0)) for i in top]


class SentenceSide(BaseRetriever):
    """Passages scored by their best sentence (`bot.index.sentences`), as a LlamaIndex retriever."""

    def __init__(self, sentences: SentenceIndex, where: dict | None, allowed: Any, top_k: int) -> None:
        super().__init__()
        self.sentences, self.where, self.allowed, self.top_k = sentences, where, allowed, top_k

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        keyword = self.sentences.keyword
        return [keyword.node(cid, cos)
                for cid, cos in self.sentences.search(query_bundle.embedding, self.top_k, self.allowed, self.where)]


class Rewritten(BaseRetriever):
    """A side that searches with the question as rewritten into its passages' language (LLM mode:
    `HybridRetriever.translator`), whatever question the fusion hands it."""

    def __init__(self, inner: BaseRetriever, bundle: QueryBundle) -> None:
        super().__init__()
        self.inner, self.bundle = inner, bundle

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return self.inner.retrieve(self.bundle)


def metadata_filters(docs: list[str], speakers: list[str]) -> MetadataFilters | None:
    """The one way a filter is built: chunks in any of `docs` and by any of `speakers`. The
    vector side takes it as is; the sentence collection, queried directly, as `chroma_where`.
    (The keyword index applies the same filter as a mask: KeywordIndex.mask_where.)"""
    fs = [MetadataFilter(key=key, value=list(values), operator=FilterOperator.IN)
          for key, values in (("doc_id", docs), ("speaker", speakers)) if values]
    return MetadataFilters(filters=fs) if fs else None


def chroma_where(filters: MetadataFilters | None) -> dict | None:
    if filters is None:
        return None
    clauses = [{f.key: {"$in": list(f.value)}} for f in filters.filters]
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def weights(question: str, params: RetrievalParams, sentences: bool = True,
            passages: str | None = None) -> tuple[float, ...]:
    """(passage vectors, sentence vectors, keywords) weights, or (passage vectors, keywords) for a
    store without sentence vectors, for searching passages in language `passages` (default: the
    question's own). In its own language keywords carry names, numbers and rare terms as much as
    the vectors do; across languages they only have Latin terms and dictionary translations, so
    the vectors lead. Of the vectors, a passage's best sentence weighs more than the passage as a
    whole: answers are often one sentence of a long turn."""
    same = passages is None or passages == detect_lang(question)
    if not sentences:
        return params.weights_same_plain if same else params.weights_cross_plain
    return params.weights_same if same else params.weights_cross
