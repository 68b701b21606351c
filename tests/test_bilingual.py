"""Two languages in one corpus (tests/fixtures/bilingual: an English and a Chinese interview,
written for the tests): passages are read by their own language's rules, a question finds
passages in both languages, and in LLM mode it is searched in each language's own words."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answer.extractive import extractive_answer
from bot.answer.translate import QuestionTranslator, parse_translations
from bot.retrieval.live import build_services
from bot.settings import Settings
from ingest.pipeline import run_ingest
from tests.fakes import FakeEmbedder

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "bilingual"


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("bilingual") / "data", chunk_size=160, chunk_max=320)
    emb = FakeEmbedder()
    run_ingest(settings, FIXTURE, embedder=emb)
    return build_services(settings, emb)


def test_each_passage_is_read_by_its_own_language(services):
    keyword = services.retriever.keyword
    assert set(keyword.languages()) == {"en", "zh"}
    for rec, lang in zip(keyword.records, keyword.langs()):
        assert lang == ("en" if rec["doc_id"] == "bakery_en" else "zh")
    # English chunks end at English sentence ends, not mid-sentence at a comma
    for rec, lang in zip(keyword.records, keyword.langs()):
        if lang == "en":
            assert rec["text"].rstrip()[-1] in '.!?"', rec["text"]


def test_the_dictionary_bridge_lets_keywords_cross_languages(services):
    keyword = services.retriever.keyword
    assert "电池" in keyword.forms("batteri") and "oven" in keyword.forms("烤炉")
    hits = keyword.search("电池成本", 3, allowed=keyword.langs() == "en")
    # the English interview never talks about batteries, but 成本 finds its "cost"
    assert hits and all("cost" in keyword.record(c)["text"] for c, _ in hits)
    hits = keyword.search("How much of the cost is the battery?", 3)
    assert "电池占整车成本的四成" in keyword.record(hits[0][0])["text"]
    hits = keyword.search("烤炉花了多少钱", 3)     # 烤炉 → oven; the rest has no translation in the corpus
    texts = [keyword.record(c)["text"] for c, _ in hits]
    assert all("oven" in t for t in texts) and any("38,000 euros" in t for t in texts)


def test_every_language_of_the_corpus_reaches_the_top(services):
    # fake vectors share nothing across languages: without one search per language the Chinese
    # passages would always win a Chinese question, and the English ones an English question
    for q in ("电动自行车工厂每个月生产多少辆?", "How many loaves does the bakery bake a day?"):
        r = services.retriever.retrieve(q, top_k=8)
        assert {p.doc_id for p in r.passages[:10]} == {"bakery_en", "bike_zh"}, q


def test_an_english_question_over_chinese_text_keeps_the_chinese_quote(services):
    r = services.retriever.retrieve("What share of the bike's cost is the battery?", top_k=8)
    ex = extractive_answer("What share of the bike's cost is the battery?", r.passages, "en", forms=r.forms)
    assert ex.text.startswith("陈立 (guest, «对话绿轮电动车创始人陈立»): “")   # named in English
    assert "电池占整车成本的四成左右" in ex.text


def test_english_answers_quote_whole_sentences(services):
    q = "Why did the bakery switch to sourdough?"
    r = services.retriever.retrieve(q, top_k=8)
    ex = extractive_answer(q, r.passages, "en", forms=r.forms)
    assert ex.picks
    for pick in ex.picks:
        text = pick.text.strip()
        if r.passages[pick.n - 1].doc_id == "bakery_en":
            assert text[0].isupper() and text[-1] in '.!?"', text


class FakeTranslatingLLM:
    """Answers the translate prompt with canned lines; counts its calls."""

    def __init__(self, lines: dict[str, str]) -> None:
        self.lines, self.calls = lines, 0

    def complete(self, messages: list[dict[str, str]]) -> str:
        self.calls += 1
        asked = messages[-1]["content"]
        return "\n".join(f"{lang}: {text}" for lang, text in self.lines.items() if lang in asked)


def test_llm_mode_searches_each_language_with_the_question_rewritten(services, tmp_path):
    from bot.answer.prompts import load_prompt

    llm = FakeTranslatingLLM({"en": "How much did the deck oven cost?"})
    retriever = services.retriever
    retriever.translator = QuestionTranslator(llm, load_prompt("translate"))
    try:
        first = retriever.retrieve("那台烤炉当时多少钱?", top_k=8)
        again = retriever.retrieve("那台烤炉当时多少钱?", top_k=8)
    finally:
        retriever.translator = None
    assert llm.calls == 1                    # one request per question, cached
    assert any("38,000 euros" in p.text for p in first.passages[:2])
    assert [p.node_id for p in first.passages] == [p.node_id for p in again.passages]


def test_translations_are_parsed_per_language():
    reply = "zh: 烤炉多少钱?\n- en: How much was the oven?\nfr: Combien?"
    assert parse_translations(reply, ["en"]) == {"en": "How much was the oven?"}
    assert parse_translations(reply, ("zh", "en")) == {"zh": "烤炉多少钱?", "en": "How much was the oven?"}
    assert parse_translations("sorry, I can't", ["en"]) == {}


def test_the_bridge_holds_every_dictionary_entry_whose_translation_the_corpus_has():
    # built from the words the corpus holds (an index of the dictionary by translation), it must
    # give what a scan of the whole dictionary gives
    from bot.text.bilingual import bridge, dictionary

    d = dictionary()
    vocab = {"成本", "模型", "训练", "数据", "cost", "model", "train", "data", "open", "sourc", "机器人"}
    scan: dict[str, list[str]] = {}
    for key, chinese in d.en_zh.items():
        if hit := [z for z in chinese if z in vocab][:3]:
            scan[key] = hit
    for zh, english in d.zh_en.items():
        if hit := [e for e in english if e in vocab][:3]:
            scan[zh] = hit
    got = bridge(vocab)
    assert got == scan and got["cost"][0] == "成本" and "model" in got.get("模型", [])
