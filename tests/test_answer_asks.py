"""What a question asks for (a reason, a time, a figure) and the offline answer quoting the
neighbouring sentence that gives it, when the sentence matching the question's words does not."""

from __future__ import annotations

from bot.answer.asks import FIGURE, REASON, TIME, asks, supplies
from bot.answer.extractive import pick_sentences
from bot.settings import AnswerParams
from tests.conftest import make_passage


def test_the_question_form_says_what_it_asks_for() -> None:
    assert asks("Why does Freda call the token a misleading unit?") == {REASON}
    assert asks("他为什么说微软是个例外?") == {REASON}
    assert asks("闫俊杰觉得视频生成什么时候能整合进主干模型？") == {TIME}
    assert asks("How soon does he expect the next milestone?") == {TIME}
    assert asks("Python 团队加入 BeOpen 之后多久就散了？") == {TIME}
    assert asks("开放平台上大概有多少家客户") == {FIGURE}
    assert asks("How many parameters does Moshi have?") == {FIGURE}
    assert asks("Freda 觉得哪个行业最适合按效果付费？") == set()
    assert asks("What did they say about latency?") == set()


def test_a_sentence_supplies_a_reason_a_time_or_a_figure() -> None:
    assert supplies("因为这里面最重要的就是token per task。", {REASON}, "为什么?")
    assert supplies("That's why we built it.", {REASON}, "Why?")
    assert not supplies("We have been doing this since 2019.", {REASON}, "Why?")
    assert supplies("当然会有很多人做,可能明年才会整合一起。", {TIME}, "什么时候?")
    assert supplies("两到三年，有可能更快。", {TIME}, "多久?")
    assert supplies("We built it and within 5 months it was over.", {TIME}, "How long?")
    assert not supplies("但是视频的生成目前还不知道怎么整合的。", {TIME}, "什么时候?")
    assert supplies("大概有接近一千家。", {FIGURE}, "有多少家客户?")
    assert not supplies("我们觉得客户很满意。", {FIGURE}, "有多少家客户?")


def _picks(question: str, text: str) -> list[str]:
    p = make_passage(text, "d1", "对话某人", text, "某人", "guest")
    return [x.text for x in pick_sentences(question, [p], AnswerParams(), host_weight=0.8)]


def test_the_sentence_after_the_matching_one_is_quoted_when_it_gives_the_reason() -> None:
    text = ("我觉得token其实是一个非常容易误导人的单位。因为这里面最重要的就是每个任务花多少。"
            "\n\n另外我们还聊了很多别的事情，比如招聘和团队。")
    picks = _picks("为什么说 token 是一个容易误导人的单位?", text)
    assert picks[0] == "我觉得token其实是一个非常容易误导人的单位。因为这里面最重要的就是每个任务花多少。"


def test_the_sentence_before_is_quoted_when_only_it_gives_the_time() -> None:
    text = "当然会有很多人做，可能明年才会整合一起。但是视频的生成目前还不知道怎么整合到主干模型里。"
    picks = _picks("视频生成什么时候能整合进主干模型？", text)
    assert picks[0] == text


def test_no_neighbour_is_added_across_a_paragraph_or_when_the_sentence_answers_itself() -> None:
    text = "视频生成明年就能整合进主干模型。因为技术已经成熟了。"
    assert _picks("视频生成什么时候能整合进主干模型？", text)[0] == "视频生成明年就能整合进主干模型。"
    text = "视频生成很难整合进主干模型。\n\n明年我们会招很多人。"
    assert _picks("视频生成什么时候能整合进主干模型？", text)[0] == "视频生成很难整合进主干模型。"


def test_a_neighbour_already_quoted_joins_its_sentence_in_one_quote() -> None:
    text = "我觉得token是一个误导人的单位。因为最重要的是每个任务的token。同一个任务不同模型消耗的token差几十倍。"
    picks = _picks("为什么说 token 是误导人的单位?", text)
    assert picks == [text]   # one quote of three sentences, "因为…" not quoted twice


def _passage(text: str, question: str | None, turn: int):
    return make_passage(text, f"d{turn}", "对话某人", text, "某人", "guest", turn=turn, question=question)


def test_a_reply_to_the_same_question_is_quoted_by_its_opening_sentence() -> None:
    # "两到三年" holds none of the question's words: the host's question it answers does
    first = _passage("接下来会有两个大的milestone。一是统一的世界模型。", "登月的第二步是什么？", 1)
    reply = _passage("两到三年，有可能更快。后面我们还要招很多人。", "这两个milestone需要多久达到？", 2)
    picks = [x.text for x in pick_sentences("这两个milestone需要多久达到?", [first, reply], AnswerParams(),
                                            host_weight=0.8)]
    assert "两到三年，有可能更快。" in picks


def test_a_host_question_that_matches_less_than_a_sentence_lifts_nothing() -> None:
    from bot.answer.matching import Scored
    from bot.answer.replies import lift_openings

    on_topic = _passage("视频生成明年就能整合进主干模型。", None, 1)
    other = _passage("这是阶段问题。", "为什么巨头同时投多家公司？", 2)
    ranked = [Scored(1, 0, 16, on_topic.text, 1.0), Scored(2, 0, 7, other.text, 0.1)]
    lifted = lift_openings("视频生成什么时候能整合进主干模型？", [on_topic, other], ranked, host_weight=0.8)
    assert [x.score for x in lifted] == [1.0, 0.1]


def test_a_link_to_the_episode_restating_its_title_is_not_quoted() -> None:
    from bot.answer.extractive import _names_title

    title = "141. Freda的投资札记第2集：Tokenmaxxing、把电机塞进蒸汽机"
    assert _names_title("对应分析：Freda的投资札记第2集 Tokenmaxxing、把电机塞进蒸汽机 分析]]", title)
    assert _names_title("今天的主题是《对话某人：向雪山前进》", "对话某人：向雪山前进")
    assert not _names_title("我觉得按效果付费在客服里最合适。", title)
