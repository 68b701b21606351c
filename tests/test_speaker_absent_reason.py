"""A named person's own search being weak says "they don't discuss it; others do" only when the best
of everyone's passages is someone else's (formats f010: 唐鳳's own short reply topped everyone's
search, yet the refusal said others discuss it and showed someone else's passages)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from llama_index.core.schema import NodeWithScore, TextNode

from bot.retrieval import hybrid
from bot.retrieval.hybrid import REASON_SPEAKER_ABSENT, HybridRetriever
from bot.retrieval.relevance import Verdict
from tests.fakes import FakeEmbedder


def _node(cid: str, speaker: str) -> NodeWithScore:
    return NodeWithScore(node=TextNode(id_=cid, text=f"{speaker} says {cid}.", metadata={"speaker": speaker}),
                         score=1.0)


class _Library:
    speakers = {"A": SimpleNamespace(role="guest"), "B": SimpleNamespace(role="guest")}

    def split_speakers(self, question: str):
        return ["A"], question

    def recorded_only(self, name: str) -> set[str]:
        return set()


def _retrieve(monkeypatch, everyone_top: str):
    own = [_node("a1", "A"), _node("a2", "A")]
    everyone = [_node("x", everyone_top), _node("a1", "A")]

    def search(self, query, docs, speakers, *args, **kwargs):
        return (own if speakers == ["A"] else everyone), SimpleNamespace(named=speakers == ["A"])

    monkeypatch.setattr(HybridRetriever, "_search", search)
    # A's own search is weak, everyone's strong, and A's best is about as close as anyone's
    monkeypatch.setattr(hybrid, "judge", lambda ev, params, named=False: Verdict(ev.named, 0.88, 0.3, 0.2))
    monkeypatch.setattr(hybrid, "speaker_absent", lambda named, everyone, params: False)
    r = HybridRetriever(index=None, keyword=None, library=_Library(), embedder=FakeEmbedder())
    return r.retrieve("A 怎么看这个?", top_k=2)


@pytest.mark.parametrize("top, absent", [("B", True), ("A", False)])
def test_others_discuss_it_only_when_someone_else_tops_everyones_search(monkeypatch, top, absent):
    r = _retrieve(monkeypatch, top)
    assert r.weak   # refused either way: A's own evidence is weak
    if absent:
        assert r.reason == REASON_SPEAKER_ABSENT and r.passages[0].speaker == "B"
    else:   # A's own passages are the closest: a plain refusal that shows them
        assert r.reason is None and [p.node_id for p in r.passages] == ["a1", "a2"]
