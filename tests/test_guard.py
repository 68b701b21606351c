"""Question checks, language detection and secret redaction."""

from __future__ import annotations

from bot.answer.guard import MAX_QUESTION_CHARS, StreamRedactor, check_question, redact, strip_control
from bot.settings import Settings
from bot.text.lang import detect_lang

KEY = "sk-test-9f8e7d6c5b4a"
TOKEN = "chroma-token-abcdef123"


def settings(**kw) -> Settings:
    return Settings(_env_file=None, openai_api_key=KEY, chroma_token=TOKEN, **kw)


def test_empty_and_blank_questions_get_a_message_not_an_exception():
    for q in ["", "   ", "\n\t  \u3000", None, "\x00\x1b", "？？？"]:
        checked = check_question(q)
        assert checked.error, q
        assert checked.text == ""
    assert "请输入" in check_question("  ").error and "Please" in check_question("  ").error


def test_control_and_invisible_characters_are_stripped():
    q = "李广密\x00怎么看\u202eGPT-4\u200b的\x1b训练成本?"
    checked = check_question(q)
    assert checked.error is None
    assert checked.text == "李广密怎么看GPT-4的训练成本?"
    assert strip_control("a\tb\r\nc") == "a b\nc"


def test_over_long_question_is_cut_with_a_notice_in_its_language():
    zh = check_question("训练成本" * 400)
    assert len(zh.text) == MAX_QUESTION_CHARS and "太长" in zh.notice and "1000" in zh.notice
    en = check_question("why " * 400)
    assert len(en.text) <= MAX_QUESTION_CHARS and "too long" in en.notice
    assert check_question("短问题").notice is None


def test_detect_lang_by_cjk_share():
    assert detect_lang("GPT-4 的训练成本是多少?") == "zh"
    assert detect_lang("李广密怎么看GPT-4 training cost") == "zh"
    assert detect_lang("What did 李广密 say about the cost of training GPT-4?") == "en"
    assert detect_lang("Why is replicating GPT-4 hard?") == "en"
    assert detect_lang("中美差距有多大") == "zh"
    assert detect_lang("") == "en"


def test_redact_removes_every_configured_secret():
    s = settings(openai_base_url="https://user:pa55w0rd-xyz@llm.example/v1")
    text = f"key={KEY} token={TOKEN} url-pass=pa55w0rd-xyz"
    out = redact(text, s)
    assert KEY not in out and TOKEN not in out and "pa55w0rd-xyz" not in out
    assert out.count("[redacted]") == 3
    assert redact("nothing secret", s) == "nothing secret"
    assert redact("abc", Settings(_env_file=None, openai_api_key="a")) == "abc"   # too short to be a key


def test_stream_redactor_catches_a_secret_split_across_pieces():
    r = StreamRedactor(settings())
    pieces = ["答案是 ", KEY[:5], KEY[5:12], KEY[12:] + " 结束", "。"]
    out = "".join(r.feed(p) for p in pieces) + r.flush()
    assert KEY not in out and "[redacted]" in out and out.endswith("结束。")
    # ordinary text is not held back
    r2 = StreamRedactor(settings())
    assert r2.feed("李广密认为") == "李广密认为"


def test_terminal_escape_sequences_are_removed_whole():
    from bot.answer.guard import strip_control

    assert strip_control("a\x1b[31mred\x1b[0m b\x1b]0;title\x07c") == "ared bc"
