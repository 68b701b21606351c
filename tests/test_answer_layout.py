"""The offline answer as a reader sees it, over the whole golden set: every quote is a whole
sentence of the transcript (never cut mid-clause), no filler, and no interview title repeated."""

from __future__ import annotations

import json
import re

from bot.answer.engine import ChatEngine
from bot.answer.extractive import is_filler, short_title
from bot.settings import PROJECT_ROOT

GOLDEN = PROJECT_ROOT / "tests" / "eval" / "golden.jsonl"
ENDS = set("。！？!?；;.…")
CLOSING = set("”’」』）)】\"'")


def starts_sentence(text: str, start: int, floor: int) -> bool:
    """Nothing but whitespace since the passage began, or a sentence end (or line end) before it."""
    k = start - 1
    while k >= floor and text[k] in " \t":
        k -= 1
    return k < floor or text[k] in ENDS or text[k] == "\n" or (text[k] in CLOSING and text[k - 1] in ENDS)


def ends_sentence(text: str, end: int, ceiling: int) -> bool:
    k = end - 1
    while k > 0 and text[k] in CLOSING:
        k -= 1
    rest = text[end:ceiling]
    return text[k] in ENDS or not rest.strip() or rest.lstrip(" \t").startswith("\n")


def check_answer(answer, library) -> list[str]:
    """What a reader would object to in one offline answer (empty: nothing)."""
    problems = []
    for c in answer.citations:
        doc = library.docs[c.doc_id]
        p = answer.passages[c.passage]
        if not starts_sentence(doc.text, c.start, p.start):
            problems.append(f"[{c.n}] starts mid-sentence: …{doc.text[max(0, c.start - 12):c.start]}|{c.quote[:20]}")
        if not ends_sentence(doc.text, c.end, p.end):
            problems.append(f"[{c.n}] ends mid-sentence: {c.quote[-20:]}|{doc.text[c.end:c.end + 12]}…")
        if is_filler(c.quote):
            problems.append(f"[{c.n}] filler: {c.quote}")
    titles = {c.title for c in answer.citations}
    for title in titles:
        if short_title(title) != title and title in answer.text:
            problems.append(f"full title repeated: {title}")
    for line in answer.text.splitlines():
        intro = re.split(r"[“「『]", line, maxsplit=1)[0]
        if intro.count("《") + intro.count("«") > 1:
            problems.append(f"two interview names in one intro: {intro}")
    names = [re.split(r"[“「『]", line, maxsplit=1)[0] for line in answer.text.splitlines()]
    if len(names) != len(set(names)):
        problems.append(f"a speaker introduced twice: {names}")
    return problems


def test_golden_offline_answers_quote_whole_sentences_and_name_each_interview_once(seeded):
    settings, services, _ = seeded
    engine = ChatEngine(settings, services.retriever)
    problems: dict[str, list[str]] = {}
    answered = 0
    for line in GOLDEN.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        answer = engine.ask(item["question"])
        if answer.refused or answer.error or not answer.citations:
            continue
        answered += 1
        assert [c.n for c in answer.citations][:1] == [1]
        assert sorted({c.n for c in answer.citations}) == list(range(1, len({c.n for c in answer.citations}) + 1))
        if found := check_answer(answer, services.library):
            problems[item["id"]] = found
    assert answered >= 40
    assert problems == {}


def test_a_short_answer_is_quoted_with_the_sentence_that_explains_it() -> None:
    from bot.answer.extractive import pick_sentences
    from bot.settings import AnswerParams
    from tests.conftest import make_passage

    text = "没有后续。投资人当场很兴奋，但后来又冷静了。我们后来又找了别的基金。"
    p = make_passage(text, "d1", "对话某人", text, "某人", "guest")
    picks = pick_sentences("收到 TS 之后投资人有后续吗?", [p], AnswerParams(), host_weight=0.8)
    assert picks[0].text == "没有后续。投资人当场很兴奋，但后来又冷静了。"
    assert not any(x.text == "投资人当场很兴奋，但后来又冷静了。" for x in picks)   # not quoted twice


def test_quote_marks_inside_a_title_are_not_a_quote() -> None:
    from bot.answer.quotes import quote_spans

    text = "答(嘉宾,《对话「妙鸭」产品负责人》):“我们坚持真、像、美。”[1]"
    assert [text[a:b] for a, b, _, _ in quote_spans(text)] == ["“我们坚持真、像、美。”"]


def test_a_statement_with_a_rhetorical_tag_is_not_a_question() -> None:
    from bot.answer.matching import is_question

    assert is_question("那么资金从哪里来?")
    assert is_question("我们是不是应该,先把产品做好?")
    assert is_question("So where does the money come from?")
    assert not is_question("但大部分公司走不下去,因为一年可能需要 50 亿美金的算力投入,你怎么投?")
    assert not is_question("It costs a fortune to train, billions a year, right?")
