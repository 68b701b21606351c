"""A question naming several people is searched once per person, within their turns, each time
without that person's own name only: the others' names are what they may be asked about."""

from __future__ import annotations

from types import SimpleNamespace

from llama_index.core.schema import NodeWithScore, TextNode

from bot.retrieval import hybrid
from bot.retrieval.hybrid import HybridRetriever
from bot.retrieval.relevance import Verdict
from tests.fakes import FakeEmbedder


class _Library:
    speakers = {"Host": SimpleNamespace(role="host"), "Guest": SimpleNamespace(role="guest")}
    spans = {"Host": "the host", "Guest": "Ada"}

    def split_speakers(self, question: str):
        return ["Host", "Guest"], "how does introduce ?"

    def topic_for(self, question: str, name: str) -> str:
        return question.replace(self.spans[name], "").strip()

    def recorded_only(self, name: str) -> set[str]:
        return set()

    def mentions(self, term: str):
        return []


def test_each_person_is_searched_with_the_other_names_kept(monkeypatch) -> None:
    seen: dict[str, tuple[str, list[str]]] = {}

    def search(self, query, docs, speakers, top_k, embedding, tokens, *args):
        seen[speakers[0]] = (query, tokens)
        node = NodeWithScore(node=TextNode(id_=speakers[0], text=query, metadata={"speaker": speakers[0]}), score=1.0)
        return [node], SimpleNamespace()

    monkeypatch.setattr(HybridRetriever, "_search", search)
    monkeypatch.setattr(hybrid, "judge", lambda ev, params, named=False: Verdict(False, 0.9, 0.5, 0.5))
    r = HybridRetriever(index=None, keyword=None, library=_Library(), embedder=FakeEmbedder())
    r.retrieve("how does the host introduce Ada ?", top_k=2)
    assert seen["Host"][0] == "how does  introduce Ada ?"
    assert "ada" in seen["Host"][1]           # tokens of the host's own topic, not of the stripped one
    assert "Ada" not in seen["Guest"][0]
