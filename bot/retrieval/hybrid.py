"""Hybrid retrieval: Chroma vectors + sentence vectors + BM25, fused by LlamaIndex's QueryFusionRetriever.

Chinese, two languages and speakers need what the stock pieces lack, added as small pieces:
- the sides (`bot.retrieval.sides`): a keyword side over jieba words and English stems whose
  question words count in every spelling and translation the corpus holds;
- one set of sides per language of the corpus: e5 gives same-language pairs higher cosines, so a
  Chinese question over Chinese and English transcripts would only ever find Chinese passages.
  Searched per language and fused, each language's best passage competes by its standing among
  its own language's passages. The sides are weighed by whether the passages are in the
  question's language (`weights`); in LLM mode each language is searched with the question
  rewritten into it (`translator`);
- speaker awareness: a question that names a person is answered from that person's turns only,
  and when those turns don't discuss the topic, retrieval says so (weak) instead of handing
  someone else's words to the answer.
The rerank rules after fusion are node postprocessors (`bot.retrieval.rerank`); every number comes
from `Settings.retrieval`. A refusal carries a reason code (`REASON_*`), which the answer layer
turns into words.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import Any

import numpy as np
from llama_index.core.llms import MockLLM
from llama_index.core.retrievers import BaseRetriever, QueryFusionRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle
from llama_index.core.vector_stores import MetadataFilters

from bot.index.keyword import KeywordIndex
from bot.index.library import Library
from bot.index.sentences import SentenceIndex
from bot.retrieval.checks import no_figure, same_language, standout, top_language, unknown_term
from bot.retrieval.relevance import Evidence, docs_naming, judge, question_names, speaker_absent
from bot.retrieval.rerank import (
    ContinuationLift,
    CoverageRerank,
    FragmentDemotion,
    HostQuestionDemotion,
    NameAnchor,
    ReplyLift,
)
from bot.retrieval.results import interleave, to_passage
from bot.retrieval.sides import (
    KeywordSide,
    Rewritten,
    SentenceSide,
    VectorSide,
    chroma_where,
    metadata_filters,
    weights,
)
from bot.retrieval.versions import Versions, encode, language_of, sentence_scores
from bot.schema import Filters, Retrieval
from bot.settings import RetrievalParams
from bot.text.lang import detect_lang
from bot.text.people import romanized_surname
from bot.text.tokenize import tokenize

logger = logging.getLogger(__name__)

# Reason codes of a refusal (Retrieval.reason); bot.answer.messages words them.
REASON_SPEAKER_ABSENT = "speaker_absent"   # the named person doesn't discuss it; others do
REASON_NO_FIGURE = "no_figure"             # the passages discuss it but give no figure
REASON_UNKNOWN_TERM = "unknown_term"       # a term the question asks about is in no transcript


def is_chinese(text: str) -> bool:
    return detect_lang(text) == "zh"


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
        # LLM mode: (question, languages) -> {language: the question in it}; set by the chat engine
        self.translator: Callable[[str, list[str]], dict[str, str]] | None = None

    def _encode(self, text: str) -> Versions:
        return encode(text, self.embedder, self.keyword, self.translator, self.params.gloss_into)

    def _no_figure(self, topic: str, passages: list, scores: dict, glosses: dict[str, list[float]]) -> bool:
        """A question asking for a figure that the sentences closest to it don't give. Which
        sentences are closest is read off the cosines in the question's language, or, when the
        best passage is in another language the question was glossed into, off the gloss's."""
        if same_language(topic, passages, self.keyword):
            return no_figure(topic, passages, scores, self.library, self.params.figure_sentences)
        glossed = glosses.get(top_language(passages, self.keyword) or "")
        if glossed is None or self.sentences is None:
            return False
        scores = self.sentences.sentence_scores(glossed, [p.node_id for p in passages[:3]])
        named = [docs_naming(self.keyword, fs) for fs in question_names(topic)]
        return no_figure(topic, passages, scores, self.library, self.params.figure_sentences_cross,
                         forms=None, named_docs=set.intersection(*named) if named else set())

    def _other_language(self, question: str, hit: NodeWithScore) -> bool:
        return language_of(self.keyword, hit.node.node_id) not in (None, detect_lang(question))

    def _restrict_by_ids(self, n: int) -> bool:
        """Embedded store: always. A Chroma server: only while the id list stays a small request."""
        return not self.remote or n <= self.params.remote_id_filter_max

    def _vector_side(self, **kw: Any) -> VectorSide:
        side = VectorSide(self.index, **kw)
        side.records = self.keyword   # hits' nodes from the keyword index's records (VectorSide.records)
        return side

    def _side_filter(self, allowed: np.ndarray | None, filters: MetadataFilters | None, n_cand: int,
                     lang_mask: np.ndarray | None) -> VectorSide:
        """The passage-vector side within `allowed` (a mask over the keyword index, filters and
        language applied), by ids when that is cheap, else by metadata filter plus a check per hit."""
        n_allowed = int(allowed.sum()) if allowed is not None else 0
        fetch = math.ceil(2 * n_cand * len(allowed) / n_allowed) if n_allowed else 0
        if allowed is not None and n_allowed > self.params.remote_id_filter_max and fetch <= self.params.overfetch_max:
            # Most passages allowed (e.g. everyone but the hosts): an id list that long costs Chroma
            # 80-400 ms (68k of 100k), a metadata filter more; an unfiltered search for twice the
            # expected hits, keeping the allowed ones, costs milliseconds.
            side = self._vector_side(similarity_top_k=min(len(allowed), fetch))
            side.overfetch = (allowed, self.keyword, n_cand, self.params.overfetch_max, self.params.overfetch_growth)
            return side
        if allowed is not None and n_allowed <= self.params.exact_max:
            side = self._vector_side(similarity_top_k=n_cand)
            side.exact = (self.keyword.ids_at(allowed), self.keyword)
            return side
        if allowed is not None and self._restrict_by_ids(n_allowed):
            # The filter's chunks, named by id: Chroma matches a metadata filter row by row
            # (~5 µs a row: 250 ms for 80k of 100k chunks), ids cost a sixth; same results.
            return self._vector_side(similarity_top_k=n_cand, vector_store_kwargs={"ids": self.keyword.ids_at(allowed)})
        side = self._vector_side(similarity_top_k=n_cand, filters=filters)
        if lang_mask is not None:
            keyword = self.keyword

            def keep(cid: str) -> bool:
                i = keyword.position(cid)
                return i is None or bool(lang_mask[i])

            side.keep = keep
        return side

    def _search(self, query: str, docs: list[str], speakers: list[str], top_k: int,
                embedding: list[float], tokens: list[str] | None = None,
                rewrites: dict[str, tuple[str, list[float], list[str]]] | None = None,
                glosses: dict[str, list[float]] | None = None, loose: frozenset[str] = frozenset(),
                ) -> tuple[list[NodeWithScore], Evidence]:
        # One question is searched up to three times (named speaker, everyone else): segment and
        # classify it once.
        tokens = tokenize(query) if tokens is None else tokens
        chinese = is_chinese(query)
        p = self.params
        n_cand = p.candidates
        filters = metadata_filters(docs, speakers)
        keyword = self.keyword
        base = keyword.mask_where(docs, speakers) if keyword is not None and (docs or speakers) else None
        with_sentences = self.sentences is not None and keyword is not None
        groups = keyword.groups(tokens, loose) if keyword is not None else []
        forms = keyword.question_forms(loose) if keyword is not None else (lambda t: (t,))
        # One set of sides per language of the corpus: a passage competes with the passages of its
        # own language, and each language's best reaches the fused list by its rank there, not by
        # a raw cosine that e5 gives same-language pairs more of.
        langs: list[str | None] = keyword.languages() if keyword is not None else []
        # a corpus in one language: the passages' language still decides the weights (an English
        # question over Chinese transcripts weighs keywords as across languages)
        only = langs[0] if len(langs) == 1 else None
        if len(langs) < 2:
            langs = [None]
        sides: list[BaseRetriever] = []
        side_weights: list[float] = []
        vectors: list[VectorSide] = []
        keywords: list[KeywordSide] = []
        for lang in langs:
            lang_mask = None if lang is None else keyword.langs() == lang
            allowed = base if lang_mask is None else (lang_mask if base is None else base & lang_mask)
            vector = self._side_filter(allowed, filters, n_cand, lang_mask)
            # the passages' language: a corpus in one language has one set of sides (lang None), and
            # a question in another language is rewritten or glossed into it all the same
            passages_lang = lang or only
            rewrite = (rewrites or {}).get(passages_lang) if passages_lang is not None else None
            # searched with the question in the passages' language when the LLM gave one
            w = weights(rewrite[0] if rewrite else query, p, with_sentences, lang or only)
            group: list[BaseRetriever] = [vector]
            if with_sentences:
                group.append(SentenceSide(self.sentences, chroma_where(filters), allowed, n_cand))
            if keyword is not None:
                kw = KeywordSide(keyword, allowed, n_cand, keyword.groups(rewrite[2] + tokens, loose) if rewrite else groups)
                keywords.append(kw)
                group.append(kw)
            vectors.append(vector)
            if rewrite:
                bundle_l = QueryBundle(rewrite[0], embedding=rewrite[1])
                group = [Rewritten(side, bundle_l) for side in group]
            elif passages_lang is not None and (glossed := (glosses or {}).get(passages_lang)) is not None:
                # the vector sides search with the glossed question; keywords already translate
                bundle_g = QueryBundle(query, embedding=glossed)
                group = [side if isinstance(side, KeywordSide) else Rewritten(side, bundle_g) for side in group]
                if with_sentences and keyword is not None:
                    w = p.weights_glossed
            sides.extend(group)
            side_weights.extend(list(w)[:len(group)])
        total = sum(side_weights) or 1.0
        # Across languages each list is scaled by its own score distribution, so a language whose best
        # stands out of its list outranks one whose list is flat; within one language, as tuned.
        mode = p.fusion_mode_multi if len(langs) > 1 else "relative_score"
        fusion = QueryFusionRetriever(sides, llm=MockLLM(), mode=mode, num_queries=1, use_async=False,
                                      similarity_top_k=max(top_k, 10),
                                      retriever_weights=[w / total for w in side_weights])
        bundle = QueryBundle(query, embedding=embedding)
        fused = fusion.retrieve(bundle)
        rules: list[Any] = []
        if keyword is not None:
            rules.append(ReplyLift(keyword=keyword, allowed=base, speakers=speakers, lift=p.reply_lift,
                                   min_chars=p.reply_min_chars))
            if p.continuation_lift > 0:
                rules.append(ContinuationLift(keyword=keyword, allowed=base, lift=p.continuation_lift,
                                              min_chars=p.reply_min_chars))
        rules.append(HostQuestionDemotion(speakers=speakers, max_chars=p.host_question_chars, factor=self.host_weight))
        rules.append(FragmentDemotion(max_chars=p.reply_min_chars, factor=p.fragment_factor))
        if keyword is not None and (names := question_names(query)):
            rules.append(NameAnchor(keyword=keyword, names=names, factor=p.name_anchor_factor))
        if chinese and keyword is not None:
            rules.append(CoverageRerank(tokens=tokens, idf=keyword.idf, weight=p.coverage_rerank, forms=forms))
        for rule in rules:
            fused = rule.postprocess_nodes(fused, bundle)
        vector_raw = sorted((hit for v in vectors for hit in v.raw), key=lambda h: -h[1])
        # a corpus in one language has it too: a Chinese question over English transcripts is judged
        # by the cross-language rule, as in a mixed corpus, not by the Chinese one
        langs_present = [lang for lang in langs if lang is not None] or ([only] if only else [])
        keyword_raw = sorted((hit for k in keywords for hit in k.raw), key=lambda h: -h[1])
        ev = Evidence(query=query, query_tokens=tokens, vector=vector_raw, keyword=keyword_raw,
                      # the host's question counts as context for whether the topic is covered
                      top_texts=[n.node.get_content() + " " + (n.node.metadata.get("question") or "")
                                 for n in fused[:3]],
                      idf=keyword.idf if keyword else (lambda t: None), chinese=chinese,
                      forms=forms,
                      z=standout(self.sentences, keyword, embedding, fused[:3]), english_corpus="en" in langs_present)
        if langs_present and keyword is not None and fused:
            lang_of = keyword.langs()
            pos = keyword.position(fused[0].node.node_id)
            ev.top_lang = str(lang_of[pos]) if pos is not None else None
            for cid, cos in vector_raw:
                i = keyword.position(cid)
                if i is not None:
                    ev.cos_by_lang.setdefault(str(lang_of[i]), cos)
        return fused, ev

    def retrieve(self, query: str, filters: Filters | None = None, top_k: int = 10) -> Retrieval:
        filters = filters or Filters()
        named, topic = self.library.split_speakers(query)
        versions = self._encode(topic)
        tokens, glosses, loose = versions.tokens, versions.glosses, versions.loose
        reason = None
        maybe_same: dict[str, str] = {}
        # A person the manifest places in a recording that does not mark speakers has no turns of
        # their own: their recordings are searched instead, and the answer says so.
        recorded = {name: docs for name in named if (docs := self.library.recorded_only(name))}

        def scope(name: str) -> tuple[list[str], list[str]]:
            if name in recorded:
                docs = sorted(recorded[name] & set(filters.docs)) if filters.docs else sorted(recorded[name])
                return docs or ["\x00none"], []
            return filters.docs, [name]

        if len(named) >= 2:
            # "A 和 B 怎么看…": each named person's own best passages, interleaved, so that every
            # voice is represented instead of the one whose words happen to score higher. Each is
            # searched with only their own name taken out (Library.topic_for): another person
            # named is what they may be asked about ("主持人怎么介绍罗福莉").
            runs = [self._search(own, *scope(name), top_k, *(versions if own == topic else self._encode(own)))
                    for name in named for own in [self.library.topic_for(query, name)]]
            fused = interleave([f for f, _ in runs])
            weak = all(judge(ev, self.params, named=name not in recorded).weak for name, (_, ev) in zip(named, runs))
        elif recorded:
            fused, ev = self._search(topic, *scope(named[0]), top_k, *versions)
            weak = judge(ev, self.params).weak
        else:
            speakers = named or list(filters.speakers)
            fused, ev = self._search(topic, filters.docs, speakers, top_k, *versions)
            verdict = judge(ev, self.params, named=bool(named))
            weak = verdict.weak
            if named:
                # Check the named person against everyone: if others discuss it and they don't,
                # refuse with that reason rather than hand their words to the answer.
                # "Others" are those who answer, not the hosts whose questions share the topic's words.
                voices = [n for n, e in self.library.speakers.items() if e.role != "host" or n in named]
                others, ev_all = self._search(topic, filters.docs, voices, top_k, *versions)
                all_verdict = judge(ev_all, self.params)
                if weak or speaker_absent(verdict, all_verdict, self.params):
                    weak = True
                    top = others[0].node.metadata.get("speaker") if others else None
                    # "others discuss it" only when the best of everyone's passages is someone else's
                    if not all_verdict.weak and top and top not in named:
                        fused = others
                        if romanized_surname(named[0], top) and self._other_language(topic, others[0]):
                            # 唐凤 asked about, Audrey Tang answers in an English interview: maybe one
                            # person; answered with a notice that says so, not refused
                            weak, maybe_same = False, {named[0]: top}
                        else:
                            reason = REASON_SPEAKER_ABSENT
        passages = [to_passage(n) for n in fused[:max(top_k, 10)]]
        scores = sentence_scores(self.sentences, self.keyword, passages, versions)
        # a term no transcript holds: the most specific reason there is, whatever else was found
        if missing := unknown_term(query, self.keyword, lambda term: bool(self.library.mentions(term))):
            weak, reason = True, REASON_UNKNOWN_TERM
        elif not weak and self._no_figure(topic, passages, scores, glosses):
            weak, reason = True, REASON_NO_FIGURE
        own_forms = self.keyword.question_forms(loose) if self.keyword is not None else None
        forms = {t: own_forms(t) for t in tokens} if own_forms is not None else {}
        return Retrieval(query=query, passages=passages, weak=weak, reason=reason, missing=missing,
                         speaker=named[0] if named else None, sentence_scores=scores, maybe_same=maybe_same, named=named,
                         recorded={n: sorted(d) for n, d in recorded.items()},
                         forms={**{t: f[1:] for t, f in forms.items() if len(f) > 1},
                                **(self.keyword.phrases(tokens) if self.keyword is not None else {})})
