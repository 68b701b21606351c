"""Question kinds on the real seeds (one shared ingest, the local model): the example buttons are
answered well, summaries read cached digests, the issue's questions get the kind they ask
for, and suggested follow-ups are questions the product answers."""

from __future__ import annotations

import pytest

from bot.answer.engine import ChatEngine
from bot.answer.suggest import display_name, starters


@pytest.fixture(scope="module")
def engine(seeded):
    settings, services, _ = seeded
    return ChatEngine(settings, services.retriever)


def quoted(answer) -> str:
    return " ".join(c.quote for c in answer.citations)


def test_every_example_button_is_answered_about_whom_it_names(engine, seeded):
    """The first screen's examples are made from the library; each is answered, with the kind it
    asks for, quoting the people it names."""
    library = seeded[1].retriever.library
    for lang in ("zh", "en"):
        examples = starters(library, lang, 4)
        assert len(examples) == 4, examples
        for question in examples:
            answer = engine.ask(question)
            assert not answer.refused and (answer.citations or answer.kind == "collection"), (question, answer.text)
            named = {n for n in library.speakers if n in question or display_name(library, n, lang) in question}
            assert named <= {c.speaker for c in answer.citations}, (question, answer.text)
        kinds = [engine.ask(q).kind for q in examples]
        assert kinds[:2] == ["collection", "summary"], (examples, kinds)


def test_summaries_are_answered_from_the_digests(engine):
    # how fast: benchmarks (summary answers offline); here what they hold
    for question, who in [("总结一下闫俊杰的主要观点", "闫俊杰"), ("Summarize Yan Junjie's main points", "闫俊杰"),
                          ("闫俊杰的主要观点是什么?", "闫俊杰"), ("总结一下这五个访谈", None)]:
        answer = engine.ask(question)
        assert answer.kind == "summary" and not answer.refused and len(answer.citations) >= 4, answer.text
        if who:
            assert {c.speaker for c in answer.citations} == {who}
            assert len({c.title for c in answer.citations}) == 1
        else:
            assert len({c.doc_id for c in answer.citations}) == 5


def test_the_issues_questions_get_their_kind(engine):
    listing = engine.ask("有哪些访谈?")
    assert listing.kind == "collection" and listing.text.count("《") >= 5 and "我的演讲到此结束" not in listing.text
    comparison = engine.ask("李广密和闫俊杰对大模型成本的看法有什么不同?")
    assert comparison.kind == "compare" and {c.speaker for c in comparison.citations} == {"李广密", "闫俊杰"}
    assert all("成本" in c.quote or "贵" in c.quote or "便宜" in c.quote for c in comparison.citations), comparison.text


def test_a_new_topic_after_a_question_about_someone_is_not_theirs(engine):
    first = engine.ask("李广密怎么看开源?")
    history = [{"role": "user", "content": "李广密怎么看开源?"}, {"role": "assistant", "content": first.text}]
    robots = engine.ask("机器人", history=history)
    assert not robots.refused and "李广密" not in {c.speaker for c in robots.citations}
    assert any("机器人" in c.quote or "機器人" in c.quote for c in robots.citations)
    why = engine.ask("why?", history=history)
    assert why.standalone_question and "李广密" in why.standalone_question
    assert why.text != first.text and not {c.quote for c in why.citations} <= {c.quote for c in first.citations}


def test_suggested_follow_ups_are_answered(engine):
    asked = 0
    for question in ["总结一下闫俊杰的主要观点", "李大海怎么看端侧模型？", "有哪些访谈?"]:
        for suggestion in engine.ask(question).suggestions:
            answer = engine.ask(suggestion)
            assert not answer.refused and answer.citations, (question, suggestion, answer.text)
            asked += 1
    assert asked >= 6
