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


# Added 2026-11-26: 唐凤 asked about in Chinese, Audrey Tang answering in an English interview. The
# surname in pinyin says they may be one person: answered with a notice, not refused as "others
# discuss it". Within one language, or without the surname, the refusal stands.
class _TwoScripts(_Library):
    speakers = {"唐凤": SimpleNamespace(role="guest"), "Audrey Tang": SimpleNamespace(role="guest"),
                "Audrey Tan": SimpleNamespace(role="guest")}

    def split_speakers(self, question: str):
        return ["唐凤"], question


@pytest.mark.parametrize("other, other_language, same", [
    ("Audrey Tang", True, True), ("Audrey Tang", False, False), ("Audrey Tan", True, False)])
def test_a_latin_name_with_the_pinyin_surname_may_be_the_same_person(monkeypatch, other, other_language, same):
    own = [_node("t1", "唐凤")]
    everyone = [_node("x", other), _node("t1", "唐凤")]
    monkeypatch.setattr(HybridRetriever, "_search", lambda self, query, docs, speakers, *a, **k: (
        (own if speakers == ["唐凤"] else everyone), SimpleNamespace(named=speakers == ["唐凤"])))
    monkeypatch.setattr(HybridRetriever, "_other_language", lambda self, question, hit: other_language)
    monkeypatch.setattr(hybrid, "judge", lambda ev, params, named=False: Verdict(ev.named, 0.88, 0.3, 0.2))
    monkeypatch.setattr(hybrid, "speaker_absent", lambda named, everyone, params: True)
    r = HybridRetriever(index=None, keyword=None, library=_TwoScripts(), embedder=FakeEmbedder())
    got = r.retrieve("唐凤的会议逐字稿要隔多久才公开?", top_k=2)
    assert got.passages[0].speaker == other
    if same:
        assert not got.weak and got.reason is None and got.maybe_same == {"唐凤": "Audrey Tang"}
    else:
        assert got.weak and got.reason == REASON_SPEAKER_ABSENT and not got.maybe_same


def test_the_answer_says_they_may_be_the_same_person(passages):
    from bot.answer.engine import ChatEngine
    from bot.schema import Retrieval
    from bot.settings import Settings

    class _Retriever:
        def retrieve(self, query, filters=None, top_k=10):
            return Retrieval(query=query, passages=passages, maybe_same={"唐凤": "Audrey Tang"})

    zh = ChatEngine(Settings(_env_file=None), _Retriever()).ask("唐凤怎么看 GPT-4 的成本?")
    assert not zh.refused and "Audrey Tang" in zh.notice and "可能是同一个人" in zh.notice
    en = ChatEngine(Settings(_env_file=None), _Retriever()).ask("What does 唐凤 think of GPT-4's cost?")
    assert "may be the same person" in en.notice


@pytest.mark.parametrize("chinese, latin, same", [
    ("唐凤", "Audrey Tang", True), ("唐鳳", "Audrey Tang", True), ("黄仁勋", "Jensen Huang", True),
    ("唐凤", "Audrey Tan", False), ("唐凤", "Tang", False), ("Audrey", "Audrey Tang", False),
    ("杨植麟", "Audrey Tang", False)])
def test_romanized_surname(chinese, latin, same):
    from bot.text.people import romanized_surname

    assert romanized_surname(chinese, latin) is same


def test_no_suggestion_asks_how_a_person_differs_from_who_may_be_themselves(passages):
    from bot.answer.kinds import QuestionKind
    from bot.answer.suggest import suggest
    from bot.schema import Answer, Citation

    def entry(name: str):
        return SimpleNamespace(name=name, aliases=(), role="guest", docs={"d"}, org=None)

    library = SimpleNamespace(speakers={"唐凤": entry("唐凤"), "Audrey Tang": entry("Audrey Tang")}, docs={})
    cite = [Citation(n=i, doc="d", doc_id="d", title="t", speaker=who, role="guest", quote="会议逐字稿", start=0, end=5)
            for i, who in enumerate(("Audrey Tang", "唐凤"), 1)]
    answer = Answer(question="唐凤的会议逐字稿要隔多久才公开?", text="…", mode="offline", citations=cite)
    kind = QuestionKind(kind="narrow", topic="会议逐字稿")
    plain = suggest(answer, kind, library, "zh", 4)
    assert any("看法有什么不同" in s for s in plain)
    same = suggest(answer, kind, library, "zh", 4, same={"唐凤": "Audrey Tang"})
    assert same and not any("看法有什么不同" in s for s in same)


def test_no_suggestion_offers_a_label_that_stands_for_no_one():
    # "Yiwen Li和答对…的看法有什么不同?", "总结一下发言人2的主要观点": 答 and 发言人 2 are labels
    # that many interviews share (bot.text.names), not people
    from bot.answer.kinds import QuestionKind
    from bot.answer.suggest import suggest
    from bot.schema import Answer, Citation

    def entry(name: str):
        return SimpleNamespace(name=name, aliases=(), role="guest", docs={"d"}, org=None)

    names = ("Yiwen Li", "答", "发言人 2")
    library = SimpleNamespace(speakers={n: entry(n) for n in names}, docs={})
    cite = [Citation(n=i, doc="d", doc_id="d", title="t", speaker=who, role="guest", quote="之禅最早叫什么", start=0, end=5)
            for i, who in enumerate(names, 1)]
    answer = Answer(question="之禅最早叫什么名字?", text="…", mode="offline", citations=cite)
    out = suggest(answer, QuestionKind(kind="narrow", topic="之禅"), library, "zh", 4)
    assert out and not any("答" in s or "发言人" in s for s in out)
    assert any("Yiwen Li" in s for s in out)
