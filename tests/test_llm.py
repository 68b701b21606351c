"""The LLM client against the stand-in server: streaming, retries, and errors a person can read."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from llm_server import (
    cut,
    error,
    free_port,
    hang,
    model_not_found,
    no_finish,
    rate_limited,
    reply,
    unauthorized,
)

from bot.answer.llm import LLM, make_llm
from bot.answer.llm_errors import LLMError
from bot.settings import Settings

KEY = "sk-test-0123456789secret"
MESSAGES = [{"role": "system", "content": "rules"}, {"role": "user", "content": "GPT-4 的训练成本是多少?"}]


def make(base_url: str, retries: int = 2, timeout: float = 5.0, **kw) -> LLM:
    settings = Settings(_env_file=None, openai_api_key=KEY, openai_base_url=base_url, llm_retries=retries,
                        llm_timeout=timeout, llm_model="test-model")
    return LLM(settings, base_delay=0.01, **kw)


def test_streams_pieces_and_sends_a_real_request(llm_server):
    llm_server.script(reply("李广密认为复刻 GPT-4 比预期难很多[1]。"))
    pieces = list(make(llm_server.base_url).stream_chat(MESSAGES))
    assert len(pieces) > 1 and "".join(pieces) == "李广密认为复刻 GPT-4 比预期难很多[1]。"
    (req,) = llm_server.chat_requests
    assert req["json"]["stream"] is True and req["json"]["model"] == "test-model"
    assert req["json"]["messages"] == MESSAGES
    assert req["headers"]["authorization"] == f"Bearer {KEY}"


def test_complete_joins_the_stream(llm_server):
    llm_server.script(reply("一句话。"))
    assert make(llm_server.base_url).complete(MESSAGES) == "一句话。"


def test_server_error_then_success_is_retried(llm_server):
    llm_server.script(error(500), reply("好了。"))
    assert make(llm_server.base_url).complete(MESSAGES) == "好了。"
    assert len(llm_server.chat_requests) == 2


def test_rate_limit_honours_retry_after(llm_server):
    delays: list[float] = []
    llm_server.script(rate_limited(retry_after=2), reply("ok"))
    llm = make(llm_server.base_url, sleep=delays.append)
    assert llm.complete(MESSAGES) == "ok"
    assert len(delays) == 1 and delays[0] >= 2


def test_backoff_grows_and_gives_up_with_a_clear_message(llm_server):
    delays: list[float] = []
    llm_server.default = error(503, "overloaded")
    with pytest.raises(LLMError) as e:
        make(llm_server.base_url, retries=3, sleep=delays.append).complete(MESSAGES)
    assert len(llm_server.chat_requests) == 4
    assert delays == sorted(delays) and delays[-1] > delays[0]
    assert "HTTP 503" in str(e.value) and "4 attempts" in str(e.value)
    assert "Traceback" not in str(e.value) and "\n" not in str(e.value)


def test_401_is_a_clear_message_without_retry_or_key(llm_server):
    llm_server.script(unauthorized())
    with pytest.raises(LLMError) as e:
        make(llm_server.base_url).complete(MESSAGES)
    assert str(e.value) == "The LLM rejected the API key (401). Check OPENAI_API_KEY."
    assert len(llm_server.chat_requests) == 1


def test_404_names_the_model(llm_server):
    llm_server.script(model_not_found("test-model"))
    with pytest.raises(LLMError, match=r"no model 'test-model' \(404\)"):
        make(llm_server.base_url).complete(MESSAGES)
    assert len(llm_server.chat_requests) == 1


def test_other_4xx_shows_the_server_message_without_the_key(llm_server):
    llm_server.script(error(400, f"bad request for key {KEY}"))
    with pytest.raises(LLMError) as e:
        make(llm_server.base_url).complete(MESSAGES)
    assert "(400)" in str(e.value) and KEY not in str(e.value) and "[redacted]" in str(e.value)


def test_connection_refused_is_retried_then_reported():
    delays: list[float] = []
    llm = make(f"http://127.0.0.1:{free_port()}/v1", retries=2, sleep=delays.append)
    with pytest.raises(LLMError, match="connection refused") as e:
        llm.complete(MESSAGES)
    assert len(delays) == 2 and "3 attempts" in str(e.value)


def test_stream_cut_mid_answer_raises_without_retrying(llm_server):
    llm_server.script(cut("李广密认为复刻 GPT-4 比大家预期的是要难很多的。" * 3, chunks_before_cut=3), reply("second"))
    got: list[str] = []
    with pytest.raises(LLMError, match="broke off mid-answer"):
        for piece in make(llm_server.base_url).stream_chat(MESSAGES):
            got.append(piece)
    assert got and len(llm_server.chat_requests) == 1   # no second answer spliced onto the first


def test_stream_cut_before_any_text_is_retried(llm_server):
    llm_server.script(cut("whatever", chunks_before_cut=0), reply("完整回答。"))
    assert make(llm_server.base_url).complete(MESSAGES) == "完整回答。"
    assert len(llm_server.chat_requests) == 2


def test_stream_without_finish_reason_is_an_error(llm_server):
    llm_server.script(no_finish(""), reply("ok"))       # nothing shown yet: retried
    assert make(llm_server.base_url).complete(MESSAGES) == "ok"
    llm_server.script(no_finish("半句话"))                 # text already shown: not complete, not retried
    with pytest.raises(LLMError, match="finish_reason"):
        make(llm_server.base_url).complete(MESSAGES)


def test_timeout_is_transient_and_reported(llm_server):
    llm_server.script(hang(2))
    with pytest.raises(LLMError, match="no response within 0.3s"):
        make(llm_server.base_url, retries=0, timeout=0.3).complete(MESSAGES)


def test_make_llm_is_none_without_key_or_url():
    assert make_llm(Settings(_env_file=None)) is None
    llm = make_llm(Settings(_env_file=None, openai_base_url="http://127.0.0.1:9/v1"))
    assert isinstance(llm, LLM) and llm._client is None   # built lazily, on first use


def test_importing_the_bot_is_light():
    code = ("import sys, bot.answer.engine, bot.answer.llm, bot.answer.extractive, bot.answer.citations; "
            "print(sorted(m for m in ('openai', 'jieba', 'opencc', 'tiktoken', 'httpx') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parent.parent,
                         capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"
