"""Hybrid retrieval: Chroma vectors + jieba BM25, fused by LlamaIndex's QueryFusionRetriever.

Chinese and speakers need two things the stock pieces lack, added here as small subclasses:
- a keyword side that segments Chinese (`KeywordSide`, over `bot.index.keyword.KeywordIndex`);
- speaker awareness: a question that names a person is answered from that person's turns only,
  and when those turns don't discuss the topic, retrieval says so (weak) instead of handing
  someone else's words to the answer.
Keyword search cannot match an English question to Chinese text, so the sides are weighed by
the question's language (see `weights`). The rerank rules after fusion are node postprocessors
(`bot.retrieval.rerank`); every number comes from `Settings.retrieval`. A refusal carries a reason
code (`REASON_*`), which the answer layer turns into words.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from llama_index.core.llms import MockLLM
from llama_index.core.retrievers import BaseRetriever, QueryFusionRetriever, VectorIndexRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle
from llama_index.core.vector_stores import FilterOperator, MetadataFilter, MetadataFilters

from bot.index.keyword import KeywordIndex
from bot.index.library import Library
from bot.index.sentences import SentenceIndex
from bot.retrieval.relevance import Evidence, judge, speaker_absent
from bot.retrieval.rerank import CoverageRerank, FragmentDemotion, HostQuestionDemotion, ReplyLift
from bot.schema import Filters, Passage, Retrieval
from bot.settings import RetrievalParams
from bot.text.aliases import expand
from bot.text.lang import detect_lang
from bot.text.normalize import normalize
from bot.text.tokenize import tokenize

logger = logging.getLogger(__name__)

# Reason codes of a refusal (Retrieval.reason); bot.answer.messages words them.
REASON_SPEAKER_ABSENT = "speaker_absent"   # the named person doesn't discuss it; others do


def is_chinese(text: str) -> bool:
    return detect_lang(text) == "zh"


def weights(question: str, params: RetrievalParams, sentences: bool = True) -> tuple[float, ...]:
    """(passage vectors, sentence vectors, keywords) weights, or (passage vectors, keywords) for a
    store without sentence vectors. For Chinese questions keywords carry names, numbers and rare
    terms as much as the vectors do; for English ones they only catch Latin terms (GPT-4, PaLM,
    Agent), so the vectors lead. Of the vectors, a passage's best sentence weighs more than the
    passage as a whole: answers are often one sentence of a long turn."""
    if not sentences:
        return params.weights_zh_plain if is_chinese(question) else params.weights_en_plain
    return params.weights_zh if is_chinese(question) else params.weights_en


class KeywordSide(BaseRetriever):
    """BM25 over jieba tokens as a LlamaIndex retriever; remembers its raw scores."""

    def __init__(self, index: KeywordIndex, allowed: Any, top_k: int, tokens: list[str] | None = None) -> None:
        super().__init__()
        self.index, self.allowed, self.top_k, self.tokens = index, allowed, top_k, tokens
        self.raw: list[tuple[str, float]] = []

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        tokens = tokenize(query_bundle.query_str) if self.tokens is None else self.tokens
        # both spellings of a name (谷歌 / Google) count as the same word
        self.raw = self.index.search(query_bundle.query_str, self.top_k, self.allowed, tokens=expand(tokens))
        return [self.index.node(cid, score) for cid, score in self.raw]


class VectorSide(VectorIndexRetriever):
    """The stock vector retriever, remembering raw cosine similarities before fusion rescales them."""

    raw: list[tuple[str, float]]
    # (allowed mask, keyword index, hits wanted, most to fetch): an unfiltered search fetching
    # more hits than wanted, of which the allowed passages are kept (see HybridRetriever._search)
    keep: tuple[Any, KeywordIndex, int, int] | None = None

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        if self._kwargs.get("ids") == []:   # restricted to nothing (Chroma reads ids=[] as "no restriction")
            self.raw = []
            return []
        found = super()._retrieve(query_bundle)
        if self.keep is not None:
            allowed, keyword, wanted, most = self.keep
            while True:
                kept = [n for n in found if (pos := keyword.position(n.node.node_id)) is not None and allowed[pos]]
                if len(kept) >= wanted or len(found) < self._similarity_top_k or self._similarity_top_k >= most:
                    break
                self._similarity_top_k = min(most, 4 * self._similarity_top_k)
                found = super()._retrieve(query_bundle)
            found = kept[:wanted]
        # ChromaVectorStore reports exp(-distance); with cosine space distance = 1 - cos.
        self.raw = [(n.node.node_id, 1.0 + math.log(max(n.score or 1e-9, 1e-9))) for n in found]
        return found


class SentenceSide(BaseRetriever):
    """Passages scored by their best sentence (`bot.index.sentences`), as a LlamaIndex retriever."""

    def __init__(self, sentences: SentenceIndex, where: dict | None, allowed: Any, top_k: int) -> None:
        super().__init__()
        self.sentences, self.where, self.allowed, self.top_k = sentences, where, allowed, top_k

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        keyword = self.sentences.keyword
        return [keyword.node(cid, cos)
                for cid, cos in self.sentences.search(query_bundle.embedding, self.top_k, self.allowed, self.where)]


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


def _to_passage(n: NodeWithScore) -> Passage:
    m = n.node.metadata
    return Passage(
        node_id=n.node.node_id, doc_id=m.get("doc_id", ""), doc_file=m.get("doc_file", ""),
        title=m.get("title", ""), speaker=m.get("speaker") or None, role=m.get("role", "unknown"),
        kind=m.get("kind", "speech"), section=m.get("section") or None, turn=int(m.get("turn", 0)),
        start=int(m.get("start", 0)), end=int(m.get("end", 0)), text=n.node.get_content(),
        score=float(n.score or 0.0), question=m.get("question") or None,
        time=float(m["time"]) if isinstance(m.get("time"), (int, float)) and m["time"] >= 0 else None,
        media_url=m.get("media_url") or None, people=m.get("people") or None,
    )


class HybridRetriever:
    """Implements `bot.schema.Retriever`."""

    def __init__(self, index: Any, keyword: KeywordIndex | None, library: Library, embedder: Any,
                 sentences: SentenceIndex | None = None, params: RetrievalParams | None = None,
                 remote: bool = False, host_weight: float = 0.8) -> None:
        self.index = index          # a VectorStoreIndex over the Chroma store
        self.keyword = keyword
        self.sentences = sentences  # a SentenceIndex, if the store has sentence vectors
        self.library = library
        self.embedder = embedder
        self.params = params or RetrievalParams()
        self.remote = remote        # the store is a Chroma server (ids cost a request's size)
        self.host_weight = host_weight

    def _restrict_by_ids(self, n: int) -> bool:
        """Embedded store: always. A Chroma server: only while the id list stays a small request."""
        return not self.remote or n <= self.params.remote_id_filter_max

    def _search(self, query: str, docs: list[str], speakers: list[str], top_k: int,
                embedding: list[float], tokens: list[str] | None = None) -> tuple[list[NodeWithScore], Evidence]:
        # One question is searched up to three times (named speaker, everyone else): segment and
        # classify it once.
        tokens = tokenize(query) if tokens is None else tokens
        chinese = is_chinese(query)
        p = self.params
        n_cand = p.candidates
        filters = metadata_filters(docs, speakers)
        allowed = self.keyword.mask_where(docs, speakers) if self.keyword is not None and (docs or speakers) else None
        n_allowed = int(allowed.sum()) if allowed is not None else 0
        fetch = min(len(allowed), math.ceil(2 * n_cand * len(allowed) / n_allowed)) if n_allowed else 0
        if allowed is not None and n_allowed > p.remote_id_filter_max and fetch <= p.overfetch_max:
            # Most passages allowed (e.g. everyone but the hosts): an id list that long costs Chroma
            # 80-400 ms (68k of 100k), a metadata filter more; an unfiltered search for twice the
            # expected hits, keeping the allowed ones, costs milliseconds.
            vector = VectorSide(self.index, similarity_top_k=fetch)
            vector.keep = (allowed, self.keyword, n_cand, p.overfetch_max)
        elif allowed is not None and self._restrict_by_ids(n_allowed):
            # The filter's chunks, named by id: Chroma matches a metadata filter row by row
            # (~5 µs a row: 250 ms for 80k of 100k chunks), ids cost a sixth; same results.
            vector = VectorSide(self.index, similarity_top_k=n_cand,
                                vector_store_kwargs={"ids": self.keyword.ids_at(allowed)})
        else:
            vector = VectorSide(self.index, similarity_top_k=n_cand, filters=filters)
        sides: list[BaseRetriever] = [vector]
        kw = None
        with_sentences = self.sentences is not None and self.keyword is not None
        if with_sentences:
            sides.append(SentenceSide(self.sentences, chroma_where(filters), allowed, n_cand))
        if self.keyword is not None:
            kw = KeywordSide(self.keyword, allowed, n_cand, tokens)
            sides.append(kw)
        fusion = QueryFusionRetriever(sides, llm=MockLLM(), mode="relative_score", num_queries=1, use_async=False,
                                      similarity_top_k=max(top_k, 10),
                                      retriever_weights=list(weights(query, p, with_sentences))[:len(sides)])
        bundle = QueryBundle(query, embedding=embedding)
        fused = fusion.retrieve(bundle)
        rules: list[Any] = []
        if self.keyword is not None:
            rules.append(ReplyLift(keyword=self.keyword, allowed=allowed, speakers=speakers, lift=p.reply_lift,
                                   min_chars=p.reply_min_chars))
        rules.append(HostQuestionDemotion(speakers=speakers, max_chars=p.host_question_chars, factor=self.host_weight))
        rules.append(FragmentDemotion(max_chars=p.reply_min_chars, factor=p.fragment_factor))
        if chinese and self.keyword is not None:
            rules.append(CoverageRerank(tokens=tokens, idf=self.keyword.idf, weight=p.coverage_rerank))
        for rule in rules:
            fused = rule.postprocess_nodes(fused, bundle)
        ev = Evidence(query=query, query_tokens=tokens,
                      vector=vector.raw, keyword=kw.raw if kw else [],
                      # the host's question counts as context for whether the topic is covered
                      top_texts=[n.node.get_content() + " " + (n.node.metadata.get("question") or "")
                                 for n in fused[:3]],
                      idf=self.keyword.idf if self.keyword else (lambda t: None), chinese=chinese)
        return fused, ev

    def retrieve(self, query: str, filters: Filters | None = None, top_k: int = 10) -> Retrieval:
        filters = filters or Filters()
        named, topic = self.library.split_speakers(query)
        embedding = self.embedder.get_query_embedding(normalize(topic))
        tokens = tokenize(topic)
        reason = None
        # A person the manifest places in a recording that does not mark speakers has no turns of
        # their own: their recordings are searched instead, and the answer says so.
        recorded = {name: docs for name in named if (docs := self.library.recorded_only(name))}
        caveat = _recorded_caveat(recorded, self.library, is_chinese(query)) if recorded else None

        def scope(name: str) -> tuple[list[str], list[str]]:
            if name in recorded:
                docs = sorted(recorded[name] & set(filters.docs)) if filters.docs else sorted(recorded[name])
                return docs or ["\x00none"], []
            return filters.docs, [name]

        if len(named) >= 2:
            # "A 和 B 怎么看…": each named person's own best passages, interleaved, so that every
            # voice is represented instead of the one whose words happen to score higher.
            runs = [self._search(topic, *scope(name), top_k, embedding, tokens) for name in named]
            fused = _interleave([f for f, _ in runs])
            weak = all(judge(ev, self.params, named=name not in recorded).weak for name, (_, ev) in zip(named, runs))
        elif recorded:
            fused, ev = self._search(topic, *scope(named[0]), top_k, embedding, tokens)
            weak = judge(ev, self.params).weak
        else:
            speakers = named or list(filters.speakers)
            fused, ev = self._search(topic, filters.docs, speakers, top_k, embedding, tokens)
            verdict = judge(ev, self.params, named=bool(named))
            weak = verdict.weak
            if named:
                # Check the named person against everyone: if others discuss it and they don't,
                # refuse with that reason rather than hand their words to the answer.
                # "Others" are those who answer, not the hosts whose questions share the topic's words.
                voices = [n for n, e in self.library.speakers.items() if e.role != "host" or n in named]
                others, ev_all = self._search(topic, filters.docs, voices, top_k, embedding, tokens)
                all_verdict = judge(ev_all, self.params)
                if weak or speaker_absent(verdict, all_verdict, self.params):
                    weak = True
                    if not all_verdict.weak:
                        reason = REASON_SPEAKER_ABSENT
                        fused = others
        passages = [_to_passage(n) for n in fused[:max(top_k, 10)]]
        scores = self.sentences.sentence_scores(embedding, [p.node_id for p in passages]) if self.sentences else {}
        return Retrieval(query=query, passages=passages, weak=weak, reason=reason,
                         speaker=named[0] if named else None, sentence_scores=scores, caveat=caveat)


def _recorded_caveat(recorded: dict[str, set[str]], library: Library, chinese: bool) -> str:
    """What an answer about people in unmarked recordings must say: the words quoted are from
    the recording, not marked as theirs."""
    names = "、".join(recorded) if chinese else " and ".join(recorded)
    titles = sorted({library.docs[d].meta.title for ds in recorded.values() for d in ds if d in library.docs})
    where = ("、".join(f"《{t}》" for t in titles) if chinese else ", ".join(f"«{t}»" for t in titles))
    if chinese:
        return f"{where}的转录没有标出说话人:以下段落出自{names}参与的录音,不一定是{names}本人的话。"
    return (f"The transcript of {where} does not mark speakers: the passages below come from a recording "
            f"{names} took part in and are not necessarily {names}'s own words.")


def _interleave(runs: list[list[NodeWithScore]]) -> list[NodeWithScore]:
    out: list[NodeWithScore] = []
    seen: set[str] = set()
    for i in range(max((len(r) for r in runs), default=0)):
        for r in runs:
            if i < len(r) and r[i].node.node_id not in seen:
                seen.add(r[i].node.node_id)
                out.append(r[i])
    return out
