"""Hybrid retrieval over the real seeds: speakers, filters, Chinese normalisation, refusals."""

from __future__ import annotations

from bot.retrieval.hybrid import is_chinese, weights
from bot.schema import Filters
from bot.settings import RetrievalParams

P = RetrievalParams()


def test_gpt4_cost_question_finds_li_guangmi_in_001(seeded):  # noqa: F811
    _, services, _ = seeded
    r = services.retriever.retrieve("what did 李广密 say about GPT-4 cost", top_k=8)
    assert not r.weak and r.speaker == "李广密"
    top = r.passages[:5]
    assert all(p.speaker == "李广密" for p in r.passages)
    assert any(p.doc_id.startswith("001_") and ("8000 万美金" in p.text or "A100" in p.text) for p in top)


def test_simplified_question_finds_traditional_text(seeded):  # noqa: F811
    _, services, _ = seeded
    r = services.retriever.retrieve("端侧大模型有什么优势?隐私保护", top_k=8)
    assert any(p.doc_id.startswith("002_") and "隱私" in p.text for p in r.passages[:5])


def test_filters_restrict_interviews_and_speakers(seeded):  # noqa: F811
    _, services, _ = seeded
    r = services.retriever.retrieve("多模态", Filters(docs=["003_ce162c0d91173b95"]), top_k=10)
    assert r.passages and all(p.doc_id == "003_ce162c0d91173b95" for p in r.passages)
    r = services.retriever.retrieve("多模态", Filters(speakers=["Yiwen Li"]), top_k=10)
    assert r.passages and all(p.speaker == "Yiwen Li" for p in r.passages)


def test_english_alias_maps_to_speaker(seeded):  # noqa: F811
    _, services, _ = seeded
    r = services.retriever.retrieve("What does Li Guangmi think about Agents?", top_k=5)
    assert r.speaker == "李广密" and all(p.speaker == "李广密" for p in r.passages)


def test_speaker_who_never_discusses_topic_is_not_credited(seeded):  # noqa: F811
    _, services, _ = seeded
    r = services.retriever.retrieve("闫俊杰怎么看端侧大模型的隐私保护?", top_k=5)
    assert r.weak and r.reason == "speaker_absent" and r.speaker == "闫俊杰"


def test_unrelated_question_is_weak(seeded):  # noqa: F811
    _, services, _ = seeded
    assert services.retriever.retrieve("红烧肉怎么做才好吃?", top_k=5).weak
    assert services.retriever.retrieve("How do I bake sourdough bread?", top_k=5).weak


def test_language_weights():
    assert is_chinese("李广密怎么看成本") and not is_chinese("what about GPT-4 cost")
    # keywords weigh less across languages (only Latin terms and dictionary translations match)
    assert weights("what about cost", P, passages="zh")[2] < weights("成本怎么样", P, passages="zh")[2]
    assert weights("what about cost", P, passages="en") == weights("成本怎么样", P, passages="zh") == P.weights_same
    assert weights("成本怎么样", P, passages="en") == P.weights_cross
    assert len(weights("成本怎么样", P, sentences=False)) == 2 and len(weights("成本怎么样", P)) == 3
    assert abs(sum(weights("成本怎么样", P)) - 1) < 1e-9 and abs(sum(weights("what about cost", P, passages="zh")) - 1) < 1e-9


def test_sentence_vectors_find_a_one_sentence_answer_in_a_long_turn(seeded):  # noqa: F811
    # 003: Yiwen Li's self-introduction ends with one sentence on the Draw Things app; the
    # passage's own vector is about his career, so without sentence vectors it ranks 5th-7th.
    _, services, _ = seeded
    r = services.retriever.retrieve("Which app was the first to get Stable Diffusion running on a phone?", top_k=5)
    assert any("Draw Things" in p.text for p in r.passages[:2])
