"""The chat engine against stand-in servers that write like real providers (issue 14): reasoning in
tags, a lone </think> or reasoning deltas; cut-off and filtered answers; a model's own refusal;
every marker style; quotes in every style; Markdown; usage chunks and keep-alives; deadlines.

All through the real HTTP protocol with streaming: the stand-in server (tests/llm_server.py) on
127.0.0.1, the real openai client, the real engine with a recording fake retriever."""

from __future__ import annotations

import time

import pytest
from llm_server import (
    PRESETS,
    error,
    filtered,
    keep_alive_only,
    reply,
    truncated,
)
from test_answering import FakeRetriever

from bot.answer.engine import ChatEngine
from bot.answer.llm import LLM, LLMError
from bot.settings import Settings
from tests.conftest import make_passage

KEY = "sk-test-0123456789secret"
Q = "GPT-4 的训练成本是多少?"
REASONING = ("用户问 GPT-4 的训练成本。段落[4]好像不太相关,段落[2]讲了两部分。"
             "也许可以引用“GPT-4 只花了一百万美元”?不对,原文没有这句话。先想清楚再回答。")
ANSWER = "李广密说,模型「最大的成本在前期实验」[1]。训练成本分为实验成本和大规模训练两部分[2]。"


def pn(c) -> int:
    """The 1-based number of the passage a citation quotes (markers are renumbered in reading order)."""
    return c.passage + 1


def settings_for(base_url: str, **kw) -> Settings:
    values = dict(openai_api_key=KEY, openai_base_url=base_url, llm_retries=1, llm_timeout=10, top_k=8,
                  llm_model="test-model")
    values.update(kw)
    return Settings(_env_file=None, **values)


def engine_for(server, passages, provider: str | None = None, **kw) -> tuple[ChatEngine, FakeRetriever]:
    if provider:
        server.provider = PRESETS[provider]
        kw.setdefault("llm_model", PRESETS[provider].model or "test-model")
    settings = settings_for(server.base_url, **kw)
    retriever = FakeRetriever(passages)
    return ChatEngine(settings, retriever, llm=LLM(settings, base_delay=0.01)), retriever


def run(engine: ChatEngine, question: str = Q, history=None):
    events = list(engine.stream(question, history=history))
    deltas = "".join(e.text for e in events if e.kind == "delta")
    return events, deltas, events[-1].answer


def assert_no_reasoning(*texts: str) -> None:
    for text in texts:
        for leak in ("<think", "</think", "think>", "段落[4]好像", "好像不太相关", "一百万美元", "先想清楚"):
            assert leak not in text, (leak, text)


# --- reasoning -------------------------------------------------------------------------------------

@pytest.mark.parametrize("provider", ["deepseek-r1", "qwen3", "ollama", "llamacpp", "deepseek-api",
                                      "qwen-dashscope", "glm", "ollama-reasoning", "kimi", "openai"])
def test_reasoning_never_reaches_the_user(llm_server, passages, provider):
    llm_server.script(reply(ANSWER, reasoning=REASONING))
    engine, _ = engine_for(llm_server, passages, provider)
    events, deltas, answer = run(engine)
    assert answer.mode == "llm" and answer.llm_error is None and not answer.refused
    assert_no_reasoning(deltas, answer.text)
    assert deltas.strip() == ANSWER and answer.text == ANSWER
    assert [pn(c) for c in answer.citations] == [1, 2] and all(c.verified for c in answer.citations)
    assert "⚠" not in answer.text and answer.notice is None
    if PRESETS[provider].reasoning != "none":
        assert "段落[4]好像不太相关" in answer.reasoning
        assert any(e.kind == "status" and "思考" in e.text for e in events)


@pytest.mark.parametrize("piece", [1, 2, 3, 5, 7, 11])
def test_a_think_block_split_anywhere_across_chunks_is_held_back(llm_server, passages, piece):
    llm_server.provider = PRESETS["deepseek-r1"]
    llm_server.provider = type(llm_server.provider)(**{**llm_server.provider.__dict__, "piece": piece})
    llm_server.script(reply(ANSWER, reasoning=REASONING))
    engine, _ = engine_for(llm_server, passages, llm_model="deepseek-r1")
    events, deltas, answer = run(engine)
    assert_no_reasoning(deltas, answer.text)
    assert answer.text == ANSWER


@pytest.mark.parametrize("raw", ["<think>\n\n</think>\n\n" + ANSWER, "<think></think>" + ANSWER,
                                 "  <think>\n" + REASONING + "</think>" + ANSWER])
def test_empty_and_padded_think_blocks(llm_server, passages, raw):
    llm_server.script(reply(raw))
    engine, _ = engine_for(llm_server, passages, "openai")
    _, deltas, answer = run(engine)
    assert_no_reasoning(deltas, answer.text)
    assert answer.text == ANSWER and [pn(c) for c in answer.citations] == [1, 2]


def test_a_lone_closing_tag_from_an_unknown_model_is_removed_from_the_answer(llm_server, passages):
    # Not a known reasoning model: the stream cannot know in advance, the final answer is clean.
    llm_server.script(reply(REASONING + "\n</think>\n\n" + ANSWER))
    engine, _ = engine_for(llm_server, passages, "openai", llm_model="my-finetune")
    _, _, answer = run(engine)
    assert_no_reasoning(answer.text)
    assert answer.text == ANSWER and "一百万美元" in answer.reasoning


def test_follow_up_rewrite_uses_the_answer_not_the_reasoning(llm_server, passages):
    history = [{"role": "user", "content": "李广密怎么看GPT-4的训练成本?"},
               {"role": "assistant", "content": "李广密认为 GPT-4 花了接近 8000 万美金[1]。"}]
    llm_server.script(reply("李广密还谈了 GPT-4 训练成本的哪些方面?", reasoning="用户在追问。\n他指李广密。"),
                      reply(ANSWER, reasoning=REASONING))
    engine, retriever = engine_for(llm_server, passages, "qwen3")
    _, deltas, answer = run(engine, "他还说了什么?", history)
    assert retriever.calls[0]["query"] == "李广密还谈了 GPT-4 训练成本的哪些方面?"
    assert answer.standalone_question == retriever.calls[0]["query"]
    assert_no_reasoning(deltas, answer.text)


# --- finish reasons --------------------------------------------------------------------------------

@pytest.mark.parametrize("provider", ["openai", "deepseek-r1", "glm", "ollama"])
def test_length_says_the_answer_was_cut_off(llm_server, passages, provider):
    partial = "李广密说,模型「最大的成本在前期实验」[1]。他还提到训练成本分为实验成本和「最终大规模"
    llm_server.script(truncated(partial, reasoning=REASONING))
    engine, _ = engine_for(llm_server, passages, provider)
    _, deltas, answer = run(engine)
    assert answer.mode == "llm" and answer.text.endswith("……(回答被截断)")
    assert "截断" in answer.notice and [pn(c) for c in answer.citations] == [1]
    assert_no_reasoning(deltas, answer.text)
    llm_server.script(truncated("Li Guangmi says the biggest cost is in 「前期实验」 [1], and"))
    en = engine.ask("How much did training GPT-4 cost?")
    assert en.text.endswith("… (answer cut off)") and "cut off" in en.notice


def test_length_spent_on_reasoning_alone_falls_back(llm_server, passages):
    llm_server.script(truncated("", reasoning=REASONING))
    engine, _ = engine_for(llm_server, passages, "deepseek-r1")
    answer = engine.ask(Q)
    assert answer.mode == "offline" and "length limit" in answer.llm_error and answer.citations
    assert_no_reasoning(answer.text)


@pytest.mark.parametrize("provider,reason", [("glm", "sensitive"), ("openai", "content_filter")])
def test_content_filter_gives_a_notice_and_the_extractive_answer(llm_server, passages, provider, reason):
    assert PRESETS[provider].filter_reason == reason
    llm_server.script(filtered("李广密说,模型"))
    engine, _ = engine_for(llm_server, passages, provider)
    events, _, answer = run(engine)
    assert answer.mode == "offline" and answer.citations and answer.text.startswith("李广密(")
    assert "内容审核" in answer.notice and "内容审核" in [e.text for e in events if e.kind == "status"][-1]
    assert len(llm_server.chat_requests) == 1
    llm_server.script(filtered())
    assert "content filter" in engine.ask("How much did training GPT-4 cost?").notice


# --- a model that declines ----------------------------------------------------------------------------

@pytest.mark.parametrize("said", ["这些访谈没有谈到这个问题。", "根据提供的段落,无法回答这个问题。",
                                  "段落中没有提到 GPT-5 的训练成本。", "I'm sorry, these interviews don't cover that.",
                                  "The passages do not mention who the CEO of Stability AI is.",
                                  "There is no information about this in the provided passages."])
def test_a_model_that_declines_is_a_refusal(llm_server, passages, said):
    llm_server.script(reply(said, reasoning="没有找到相关内容。"))
    engine, _ = engine_for(llm_server, passages, "deepseek-api")
    answer = engine.ask(Q)
    assert answer.refused and answer.citations == [] and answer.passages
    assert answer.text.startswith(said) and ("最接近的段落" in answer.text or "Closest passages" in answer.text)


@pytest.mark.parametrize("said", ["李广密没有提到具体数字,但他说最大的成本在前期实验[1]。",
                                  "Li Guangmi does not give a figure, but says the cost is mostly experiments [1]."])
def test_an_answer_that_mentions_a_gap_but_cites_is_not_a_refusal(llm_server, passages, said):
    llm_server.script(reply(said))
    engine, _ = engine_for(llm_server, passages, "openai")
    answer = engine.ask(Q)
    assert not answer.refused and [pn(c) for c in answer.citations] == [1]


def test_a_long_uncited_answer_is_not_a_refusal(llm_server, passages):
    said = "访谈里没有提到具体数字。" + "李广密谈了很多关于成本的看法,比如实验成本和训练成本的区别。" * 8
    llm_server.script(reply(said))
    engine, _ = engine_for(llm_server, passages, "openai")
    assert not engine.ask(Q).refused


# --- markers -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("written,want", [
    ("训练成本分为两部分［2］。", [2]),
    ("训练成本分为两部分（2）。", [2]),
    ("Training cost has two parts (2).", [2]),
    ("训练成本分为两部分^2^。", [2]),
    ("训练成本分为两部分<sup>2</sup>。", [2]),
    ("训练成本分为两部分[^2]。\n\n[^2]: 李广密,《拾象科技》", [2]),
    ("据第2段,训练成本分为两部分。", [2]),
    ("According to passage 2, training cost has two parts.", [2]),
    ("训练成本分为两部分[段落 2]。", [2]),
    ("训练成本分为两部分(passage 2)。", [2]),
    ("训练成本分为两部分【2】,大规模训练花了接近 8000 万美金[1, 2]。", [1, 2]),
    ("大规模训练花了接近 8000 万美金[1-2]。", [1, 2]),
])
def test_every_marker_style_becomes_a_citation(llm_server, passages, written, want):
    llm_server.script(reply(written))
    engine, _ = engine_for(llm_server, passages, "kimi")
    answer = engine.ask(Q)
    assert sorted({pn(c) for c in answer.citations}) == want, answer.text
    assert "^" not in answer.text and "<sup>" not in answer.text and "[^" not in answer.text
    assert "李广密,《拾象科技》" not in answer.text


def test_full_width_two_digit_marker(llm_server, passages):
    many = passages + passages   # ten passages
    llm_server.script(reply("编者的总结说中美差距还有1到2年［１０］。"))
    engine, _ = engine_for(llm_server, many, "openai", top_k=10)
    answer = engine.ask(Q)
    assert [pn(c) for c in answer.citations] == [10] and "[1]" in answer.text   # renumbered in reading order


def test_ordinary_parenthesised_numbers_are_not_markers(llm_server, passages):
    written = "训练成本分两步:(1) 实验,(2) 大规模训练[2]。GPT(4) 发布于 (2023) 年,成本翻了 (3 倍)。"
    llm_server.script(reply(written))
    engine, _ = engine_for(llm_server, passages, "openai")
    answer = engine.ask(Q)
    assert [pn(c) for c in answer.citations] == [2]
    assert "(1) 实验,(2) 大规模训练[1]" in answer.text and "GPT(4)" in answer.text and "(2023)" in answer.text


@pytest.mark.parametrize("written,want", [   # (markers renumbered in reading order)
    ("Training cost has two parts (1) and (2) [2].", "Training cost has two parts (1) and (2) [1]."),
    ("训练成本分两部分[2]。\n\n参考:\n大规模训练花了接近 8000 万美金[1]。",
     "训练成本分两部分[1]。\n\n参考:\n大规模训练花了接近 8000 万美金[2]。"),
])
def test_enumerations_and_answer_text_under_a_weak_heading_stay(llm_server, passages, written, want):
    llm_server.script(reply(written))
    engine, _ = engine_for(llm_server, passages, "openai")
    assert engine.ask(Q).text == want


def test_a_missed_marker_no_longer_shifts_a_quote_onto_the_wrong_passage(llm_server, passages):
    written = "李广密说“最大的成本在前期实验”(1)。编者总结说“中美差距还在1到2年”[4]。"
    llm_server.script(reply(written))
    engine, _ = engine_for(llm_server, passages, "openai")
    answer = engine.ask(Q)
    assert "⚠" not in answer.text and answer.notice is None
    assert [(pn(c), c.verified) for c in answer.citations] == [(1, True), (4, True)]


@pytest.mark.parametrize("tail", ["\n\n参考来源:\n- [1] 李广密《拾象科技》\n- [4] 编者", "\n\n**Sources**\n[3] 张小珺\n[5] 闫俊杰",
                                  "\n\n### 引用\n1. 段落1:李广密\n2. 段落5:闫俊杰", "\n\nSources: [1], [3], [5]",
                                  "\n\n[3] 张小珺,《拾象科技》\n[5] 闫俊杰,《MiniMax》"])
def test_a_trailing_source_list_is_dropped_and_cites_nothing(llm_server, passages, tail):
    llm_server.script(reply("训练成本分为两部分[2]。" + tail))
    engine, _ = engine_for(llm_server, passages, "openai")
    answer = engine.ask(Q)
    assert answer.text == "训练成本分为两部分[1]。" and [pn(c) for c in answer.citations] == [2]


# --- quote checks ------------------------------------------------------------------------------------

@pytest.fixture
def dash_passages(docs, passages):
    sentence = "如果现在推理的准确性是 90%,但某个任务要做 10 步推理,这个准确率实际就降到 30% – 50% 了,可靠性就非常低"
    p = make_passage(docs["001"], "001_b96526bf4526be4e", passages[0].title, sentence, "李广密", "guest", turn=60)
    return [*passages, p]


@pytest.mark.parametrize("written", ["李广密说准确率“实际就降到 30% - 50% 了”[6]。",
                                     "李广密说准确率“实际就降到 30%—50% 了。”[6]",
                                     "李广密说“这个准确率实际就降到 30% – 50% 了。”[6]",
                                     "李广密说‘实际就降到 30% – 50% 了’[6]。",
                                     "Li said '实际就降到 30% – 50% 了' [6]."])
def test_quote_with_other_dashes_quotes_or_final_stop_is_verified(llm_server, dash_passages, written):
    llm_server.script(reply(written))
    engine, _ = engine_for(llm_server, dash_passages, "openai")
    answer = engine.ask(Q)
    assert "⚠" not in answer.text and [(pn(c), c.verified) for c in answer.citations] == [(6, True)]
    assert "30% – 50%" in answer.citations[0].quote


@pytest.mark.parametrize("written", ["李广密说‘实际就降到 30% – 60% 了’[6]。", "Li said '实际就降到 10% 了' [6]."])
def test_single_quoted_changed_words_are_flagged(llm_server, dash_passages, written):
    llm_server.script(reply(written))
    engine, _ = engine_for(llm_server, dash_passages, "openai")
    answer = engine.ask(Q)
    assert "⚠" in answer.text and not answer.citations[0].verified


@pytest.mark.parametrize("written", [
    "李广密说“最大的成本在前期实验”(“the biggest cost is in early experiments”)[1]。",
    'Li Guangmi said “最大的成本在前期实验” ("the biggest cost is in the early experiments") [1].',
    'Li Guangmi said "the biggest cost is early experiments", i.e. “最大的成本在前期实验” [1].'])
def test_a_translation_beside_a_quote_is_not_a_quote(llm_server, passages, written):
    llm_server.script(reply(written))
    engine, _ = engine_for(llm_server, passages, "openai")
    answer = engine.ask(Q)
    assert "⚠" not in answer.text and [(pn(c), c.verified) for c in answer.citations] == [(1, True)]


def test_the_flag_lands_only_on_the_wrong_quote(llm_server, passages):
    written = "李广密说“最大的成本在前期实验”,还说“训练成本是零”[1]。"
    llm_server.script(reply(written))
    engine, _ = engine_for(llm_server, passages, "openai")
    answer = engine.ask(Q)
    assert answer.text == "李广密说“最大的成本在前期实验”,还说“训练成本是零”⚠未核实[1]。"
    status = sorted((c.quote, c.verified) for c in answer.citations)
    assert ("最大的成本在前期实验", True) in status and any(not ok for _, ok in status)


# --- timeouts ------------------------------------------------------------------------------------------

def test_the_total_deadline_holds_against_a_trickling_stream(llm_server):
    llm_server.script(reply("慢" * 60, delay=0.1))   # ten pieces a second, each read well within the limit
    llm = LLM(settings_for(llm_server.base_url, llm_timeout=1.0, llm_retries=0), base_delay=0.01)
    t = time.monotonic()
    with pytest.raises(LLMError, match="within 1s"):
        list(llm.stream_events([{"role": "user", "content": "q"}]))
    assert time.monotonic() - t < 1.6


def test_keep_alives_do_not_stretch_the_first_token_deadline(llm_server):
    llm_server.script(keep_alive_only(3.0), reply("好了[1]。"))
    llm = LLM(settings_for(llm_server.base_url, llm_timeout=5, llm_first_token_timeout=0.5, llm_retries=0),
              base_delay=0.01)
    t = time.monotonic()
    with pytest.raises(LLMError, match="no first token within 0.5s"):
        list(llm.stream_events([{"role": "user", "content": "q"}]))
    assert time.monotonic() - t < 1.2
    # with a retry, the second attempt answers
    llm_server.script(keep_alive_only(3.0), reply("好了[1]。"))
    llm = LLM(settings_for(llm_server.base_url, llm_timeout=5, llm_first_token_timeout=0.5, llm_retries=1),
              base_delay=0.01)
    assert llm.complete([{"role": "user", "content": "q"}]) == "好了[1]。"


def test_retries_stay_inside_the_total_deadline(llm_server):
    llm_server.default = error(503, "overloaded")
    llm = LLM(settings_for(llm_server.base_url, llm_timeout=1.0, llm_retries=10), base_delay=0.4)
    t = time.monotonic()
    with pytest.raises(LLMError, match="no time left"):
        llm.complete([{"role": "user", "content": "q"}])
    assert time.monotonic() - t < 1.2 and len(llm_server.chat_requests) < 5


def test_a_slow_answer_falls_back_within_the_deadline(llm_server, passages):
    llm_server.script(reply("李广密说" * 40, delay=0.05))
    engine, _ = engine_for(llm_server, passages, "openai", llm_timeout=0.8, llm_retries=0)
    t = time.monotonic()
    answer = engine.ask(Q)
    assert time.monotonic() - t < 2.0
    assert answer.mode == "offline" and "within 0.8s" in answer.llm_error and answer.citations


# --- the client's events --------------------------------------------------------------------------------

@pytest.mark.parametrize("provider", ["deepseek-api", "ollama-reasoning", "kimi", "qwen-dashscope", "glm"])
def test_events_carry_reasoning_deltas_and_the_finish(llm_server, provider):
    llm_server.provider = PRESETS[provider]
    llm_server.script(reply("答案[1]。", reasoning="想一想。"))
    llm = LLM(settings_for(llm_server.base_url), base_delay=0.01)
    events = list(llm.stream_events([{"role": "user", "content": "q"}]))
    kinds = [k for k, _ in events]
    assert "".join(v for k, v in events if k == "content") == "答案[1]。"
    assert "".join(v for k, v in events if k == "reasoning") == "想一想。"
    assert kinds[-1] == "finish" and events[-1][1] == "stop" and kinds.count("finish") == 1
