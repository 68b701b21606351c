"""The real e5 model over a two-language corpus no threshold was set on (tests/fixtures/bilingual,
written for the tests): questions find their evidence across languages, and the calibrated
refusal answers what the corpus covers and refuses what it does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answer.engine import ChatEngine
from bot.retrieval.live import build_services
from bot.settings import Settings
from ingest.pipeline import run_ingest

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "bilingual"
pytestmark = pytest.mark.slow

# Written before any result on this corpus was seen. Where the offline pipeline is known to be weak
# (a question in one language whose evidence is in the other; a tempting question about a figure
# the corpus never gives), the case is kept as a strict xfail: it documents the limit (README,
# "What still fails"), and when it is fixed the test says so and the mark must go.
_CROSS = pytest.mark.xfail(reason="cross-language retrieval offline is weak", strict=True)
ANSWERABLE = [
    ("How many loaves does the bakery bake a day?", "400 loaves a day"),
    ("Why did Maria Lopez switch to sourdough?", "stays fresh longer"),
    ("工厂每个月生产多少辆电动自行车?", "两万辆电动自行车"),
    ("面包店那台烤炉花了多少钱?", "38,000 euros"),
    pytest.param("What share of an e-bike's cost is the battery?", "电池占整车成本的四成左右", marks=_CROSS),
    ("How did Chen Li survive the shipping costs in 2020?", "银行给了一笔贷款"),
    ("面包店的面粉是从哪里买的?", "mill in the Alentejo"),
    # added 2026-11-26 with the cross-language figure check: a Chinese question whose figure the
    # English transcript states with another counted word (loaves, not 面包)
    ("面包店每天烤多少个面包?", "400 loaves a day"),
]
_WHEN = pytest.mark.xfail(reason="时候 (of 什么时候, 'when') is a word this corpus holds, which anchors the "
                          "cross-language rule", strict=True)
UNANSWERABLE = [
    "Did anyone discuss the EU AI Act?",
    pytest.param("量子计算机什么时候能商用?", marks=_WHEN),
    "How do I train a large language model?",
    "What is the bakery's annual revenue?",
    "绿轮电动车去年的净利润是多少?",
    # added 2026-11-26: a figure the English transcript never gives, asked in Chinese
    "面包店的老板有几个孩子?",
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("bilingual-e5") / "data", chunk_size=160, chunk_max=320)
    run_ingest(settings, FIXTURE)
    return ChatEngine(settings, build_services(settings).retriever)


@pytest.mark.parametrize(("question", "evidence"), ANSWERABLE)
def test_answerable_questions_are_answered_from_the_right_language(engine, question, evidence):
    answer = engine.ask(question)
    assert not answer.refused, answer.text
    assert any(evidence in p.text for p in answer.passages[:3]), [p.text[:60] for p in answer.passages[:3]]


@pytest.mark.parametrize("question", UNANSWERABLE)
def test_questions_the_corpus_does_not_cover_are_refused(engine, question):
    answer = engine.ask(question)
    assert answer.refused, answer.text


def test_a_term_no_transcript_holds_is_named_in_the_refusal(engine):
    answer = engine.ask("What did Maria Lopez say about the GDPR?")
    assert answer.refused and "None of them mentions “GDPR”" in answer.text, answer.text
    answer = engine.ask("陈立怎么看 GDPR?")
    assert answer.refused and "“GDPR”" in answer.text, answer.text
    # nobody is offered as saying something about it
    answer = engine.ask("Did anyone discuss the GDPR?")
    assert answer.refused and answer.suggestions and not any("GDPR" in s for s in answer.suggestions)


# Added 2026-11-26: a Chinese question over a corpus that is all English (one language, one set of
# sides) was judged by the Chinese rules and refused nearly everything; it now searches with the
# glossed question and is judged by the cross-language rule, as in a mixed corpus.
@pytest.fixture(scope="module")
def english_only(tmp_path_factory):
    import shutil

    source = tmp_path_factory.mktemp("english-only-src")
    shutil.copy(FIXTURE / "bakery_en.txt", source / "bakery_en.txt")
    settings = Settings(data_dir=tmp_path_factory.mktemp("english-only") / "data", chunk_size=160, chunk_max=320)
    run_ingest(settings, source)
    return ChatEngine(settings, build_services(settings).retriever)


@pytest.mark.parametrize(("question", "evidence"), [
    ("面包店每天烤多少个面包?", "400 loaves a day"),
    ("面包店那台烤炉花了多少钱?", "38,000 euros"),
    ("面包店的面粉是从哪里买的?", "mill in the Alentejo"),
    ("新面包师要培训多久才能独立工作?", "six months"),
])
def test_chinese_questions_over_english_transcripts_are_answered(english_only, question, evidence):
    answer = english_only.ask(question)
    assert not answer.refused, answer.text
    assert any(evidence in p.text for p in answer.passages[:3]), [p.text[:60] for p in answer.passages[:3]]


def test_a_figure_the_english_transcripts_never_give_is_refused_in_chinese(english_only):
    answer = english_only.ask("面包店的老板有几个孩子?")
    assert answer.refused and "没有给出这个数字" in answer.text, answer.text


# Added 2026-11-26: the sentence cosines that choose what to quote compare an English passage's
# sentences with the glossed question, as its vector side searched; the question's own cosines put
# any Chinese sentence above the English one that answers.
def test_english_sentences_are_scored_against_the_glossed_question(english_only):
    retriever = english_only.retriever
    question = "面包店的面粉是从哪里买的?"
    got = retriever.retrieve(question)
    versions = retriever._encode(question)
    assert "en" in versions.glosses
    ids = [p.node_id for p in got.passages]
    assert got.sentence_scores == retriever.sentences.sentence_scores(versions.glosses["en"], ids)
    assert got.sentence_scores != retriever.sentences.sentence_scores(versions.embedding, ids)
