"""The rerank rules applied after fusion, as LlamaIndex node postprocessors.

Each one fixes something plain fusion gets wrong in interviews:
- `ReplyLift`: people ask what the interviewer asked, in the interviewer's words; what they want
  is the reply that follows the host's question, so the reply inherits most of its score.
- `ContinuationLift`: a transcript that does not mark speakers (raw ASR) is one unbroken turn cut
  every few hundred characters, not where its subject changes; the passage after a matching one
  goes on about the same thing ("that workshop", "they came with…") without its words, so it
  inherits a share of its predecessor's score. (Where speakers are marked, a passage's context is
  its turn and the host's question before it: `ReplyLift`.)
- `HostQuestionDemotion`: a host's short question shares the topic's words but holds no answer.
- `FragmentDemotion`: a passage too short to hold an answer ("對。") keeps half its score.
- `NameAnchor`: a name the question asks about (Moshi, Waymo, 妙鸭) that some interviews mention:
  passages of interviews that never mention it are about something else, however close their words.
- `CoverageRerank`: (Chinese questions) a light lexical rerank of the top ten by the IDF-weighted
  share of the question's words each passage holds.
Their strengths live in `Settings.retrieval` with where they were tuned.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from llama_index.core.postprocessor.types import BaseNodePostprocessor
from llama_index.core.schema import NodeWithScore, QueryBundle
from pydantic import Field

from bot.index.keyword import KeywordIndex
from bot.retrieval.relevance import coverage, docs_naming

UNMARKED = "unmarked"   # the role of a passage from a transcript that does not mark speakers (ingest.chunking)


def _by_score(nodes: list[NodeWithScore]) -> list[NodeWithScore]:
    return sorted(nodes, key=lambda n: n.score or 0.0, reverse=True)


class ReplyLift(BaseNodePostprocessor):
    """A host's question hands `lift` of its score to the first chunk of the reply after it."""

    keyword: KeywordIndex
    allowed: Any = None                 # the filter's mask over the keyword index, or None
    speakers: list[str] = Field(default_factory=list)   # whose words were asked for
    lift: float = 0.9
    min_chars: int = 10                 # a shorter reply ("對。") cannot hold the answer: not lifted

    @classmethod
    def class_name(cls) -> str:
        return "ReplyLift"

    def _allowed(self, cid: str) -> bool:
        return _allowed(self.keyword, self.allowed, cid)

    def _postprocess_nodes(self, nodes: list[NodeWithScore],
                           query_bundle: QueryBundle | None = None) -> list[NodeWithScore]:
        by_id = {n.node.node_id: n for n in nodes}
        for n in list(nodes):
            m = n.node.metadata
            if m.get("role") != "host" or m.get("speaker") in self.speakers:
                continue
            rid = self.keyword.reply_to(n.node.node_id)
            rec = self.keyword.record(rid) if rid else None
            if rec is None or rec.get("role") == "host" or not self._allowed(rid) \
                    or len(rec.get("text", "").strip()) < self.min_chars:
                continue
            lifted = (n.score or 0.0) * self.lift
            if rid in by_id:
                by_id[rid].score = max(by_id[rid].score or 0.0, lifted)
            else:
                by_id[rid] = self.keyword.node(rid, lifted)
        return _by_score(list(by_id.values()))


class ContinuationLift(BaseNodePostprocessor):
    """In a transcript that does not mark speakers, the next chunk after a found one gets `lift`
    of its score (one step, from the scores as found)."""

    keyword: KeywordIndex
    allowed: Any = None
    lift: float = 0.9
    min_chars: int = 10

    @classmethod
    def class_name(cls) -> str:
        return "ContinuationLift"

    def _postprocess_nodes(self, nodes: list[NodeWithScore],
                           query_bundle: QueryBundle | None = None) -> list[NodeWithScore]:
        by_id = {n.node.node_id: n for n in nodes}
        found = [(n.node.node_id, n.node.metadata, n.score or 0.0) for n in nodes]
        for cid, m, score in found:
            if m.get("role") != UNMARKED:
                continue
            nid = self.keyword.next_part(cid)
            rec = self.keyword.record(nid) if nid else None
            if rec is None or len(rec.get("text", "").strip()) < self.min_chars or not _allowed(self.keyword, self.allowed, nid):
                continue
            lifted = score * self.lift
            if nid in by_id:
                by_id[nid].score = max(by_id[nid].score or 0.0, lifted)
            else:
                by_id[nid] = self.keyword.node(nid, lifted)
        return _by_score(list(by_id.values()))


def _allowed(keyword: KeywordIndex, allowed: Any, cid: str) -> bool:
    """`cid` is within the filter's mask over the keyword index (None: no filter)."""
    if allowed is None:
        return True
    i = keyword.position(cid)
    return i is not None and bool(allowed[i])


class HostQuestionDemotion(BaseNodePostprocessor):
    """A host's turn of at most `max_chars` counts `factor` of its score, unless the question asks
    about the host's own words."""

    speakers: list[str] = Field(default_factory=list)
    max_chars: int = 120
    factor: float = 0.8

    @classmethod
    def class_name(cls) -> str:
        return "HostQuestionDemotion"

    def _postprocess_nodes(self, nodes: list[NodeWithScore],
                           query_bundle: QueryBundle | None = None) -> list[NodeWithScore]:
        for n in nodes:
            m = n.node.metadata
            if (m.get("role") == "host" and m.get("speaker") not in self.speakers
                    and len(n.node.get_content()) <= self.max_chars):
                n.score = (n.score or 0.0) * self.factor
        return _by_score(nodes)


class FragmentDemotion(BaseNodePostprocessor):
    """A passage shorter than `max_chars` ("對。", "Yes.") cannot hold an answer, but its vector can
    sit close to anything: it keeps `factor` of its score."""

    max_chars: int = 10
    factor: float = 0.5

    @classmethod
    def class_name(cls) -> str:
        return "FragmentDemotion"

    def _postprocess_nodes(self, nodes: list[NodeWithScore],
                           query_bundle: QueryBundle | None = None) -> list[NodeWithScore]:
        for n in nodes:
            if len(n.node.get_content().strip()) < self.max_chars:
                n.score = (n.score or 0.0) * self.factor
        return _by_score(nodes)


class CoverageRerank(BaseNodePostprocessor):
    """Adds `weight` × the best score × the passage's coverage of the question's words (top `top_n`)."""

    tokens: list[str]
    idf: Callable[[str], float | None]
    forms: Callable[[str], tuple[str, ...]] | None = None   # spellings and translations of a word
    weight: float = 0.15
    top_n: int = 10

    @classmethod
    def class_name(cls) -> str:
        return "CoverageRerank"

    def _postprocess_nodes(self, nodes: list[NodeWithScore],
                           query_bundle: QueryBundle | None = None) -> list[NodeWithScore]:
        top = max((n.score or 0.0) for n in nodes) if nodes else 0.0
        for n in nodes[: self.top_n]:
            cov = coverage(self.tokens, [n.node.get_content()], self.idf, *((self.forms,) if self.forms else ()))
            n.score = (n.score or 0.0) + self.weight * top * cov
        return _by_score(nodes)


class NameAnchor(BaseNodePostprocessor):
    """Passages of interviews that mention none of the question's names keep `factor` of their
    score, when some interview mentions one (`names`: each name in all its spellings, as index
    tokens). Across languages e5 finds a Chinese passage about parameters as close to "Moshi 有多少
    参数" as the English one about Moshi; the name says which interview is meant."""

    keyword: Any
    names: list[tuple[str, ...]]
    factor: float = 0.5

    @classmethod
    def class_name(cls) -> str:
        return "NameAnchor"

    def _postprocess_nodes(self, nodes: list[NodeWithScore],
                           query_bundle: QueryBundle | None = None) -> list[NodeWithScore]:
        docs: set[str] = set()
        for forms in self.names:
            docs |= docs_naming(self.keyword, forms)
        if not docs:
            return nodes
        for n in nodes:
            if n.node.metadata.get("doc_id") not in docs:
                n.score = (n.score or 0.0) * self.factor
        return _by_score(nodes)
