"""What a provider's reply looks like in the app: Markdown rendered safely in the chat, plain text in
`/chat`, reasoning folded (or not shown at all), a cut-off answer and a model's refusal, through the
served Gradio app with the real engine and a stand-in LLM server (tests/llm_server.py)."""

from __future__ import annotations

import re

import pytest
from app_fixtures import FakeRuntime, chromium, free_port, make_library, open_page, settle
from llm_server import PRESETS, FakeLLMServer, reply, truncated
from test_answering import FakeRetriever

from bot.answer.engine import ChatEngine
from bot.answer.llm import LLM
from bot.settings import Settings
from bot.ui.blocks import LAUNCH_KWARGS, build_ui
from bot.ui.markup import plain_text, safe_markdown
from bot.ui.render import assistant_message
from bot.ui.text import mode_line

REASONING = "段落[4]好像不太相关。也许引用“GPT-4 只花了一百万美元”?"
MARKDOWN = ("### 训练成本\n\n"
            "**李广密**认为模型「最大的成本在前期实验」[1]。\n\n"
            "| 部分 | 说明 |\n| --- | --- |\n| 实验 | 成本最大 [1] |\n| 大规模训练 | 分两部分 [2] |\n\n"
            "- 第一点:*实验*\n- 第二点:`训练`\n\n"
            "<img src=x onerror=alert(1)> [看这里](javascript:alert(2))")


# --- rendering, no server ---------------------------------------------------------------------------

def test_safe_markdown_keeps_structure_and_drops_html_and_links():
    md = safe_markdown(MARKDOWN)
    assert md.startswith("### 训练成本") and "**李广密**" in md and "| --- | --- |" in md
    assert "<img" not in md and "&lt;img" in md
    assert "\\[看这里\\](javascript" in md   # a link's brackets escaped: shown as text, never a link
    assert "\\[1\\]" in md
    assert safe_markdown("> 引用\n>> 二级") == "> 引用\n>> 二级"


def test_plain_text_is_readable():
    text = plain_text(MARKDOWN)
    for gone in ("###", "**", "| --- |", "`", "*实验*", "<img"):
        assert gone not in text, gone
    assert text.startswith("训练成本\n\n李广密认为模型「最大的成本在前期实验」[1]。")
    assert "实验 · 成本最大 [1]" in text and "- 第一点:实验" in text
    assert "看这里 (javascript:alert(2))" in text


def test_bubble_renders_markdown_only_for_llm_answers_and_folds_reasoning():
    llm = assistant_message(MARKDOWN, "zh", markdown=True, reasoning=REASONING + "<b>x</b>")
    assert "### 训练成本" in llm and "<details" in llm and "思考过程" in llm
    assert "&lt;b&gt;x&lt;/b&gt;" in llm and "<b>x</b>" not in llm
    assert llm.index("<details") < llm.index("### 训练成本")
    literal = assistant_message(MARKDOWN, "zh")
    # shown literally: the heading's first "#" is escaped, so Markdown renders no heading
    assert literal.startswith("\\#") and "训练成本" in literal and "<details" not in literal


# --- the served app -----------------------------------------------------------------------------------

@pytest.fixture
def app_with_llm(tmp_path, passages):
    with FakeLLMServer(provider="deepseek-r1") as server:
        settings = Settings(_env_file=None, openai_base_url=server.base_url, llm_model=PRESETS["deepseek-r1"].model,
                            llm_retries=0, llm_timeout=10, llm_show_reasoning=True, data_dir=tmp_path / "data",
                            seeds_dir=tmp_path / "seeds")
        engine = ChatEngine(settings, FakeRetriever(passages), llm=LLM(settings, base_delay=0.01))
        lib = make_library()
        demo = build_ui(FakeRuntime(engine, lib), settings, mode_line(settings.llm_model, server.base_url))
        demo.launch(server_port=free_port(), prevent_thread_lock=True, quiet=True, **LAUNCH_KWARGS)
        try:
            yield demo, server
        finally:
            demo.close()


def test_chat_endpoint_with_a_reasoning_model(app_with_llm):
    from gradio_client import Client

    demo, server = app_with_llm
    client = Client(demo.local_url, verbose=False)
    server.script(reply(MARKDOWN, reasoning=REASONING))
    text = client.predict("GPT-4 的训练成本是多少?", api_name="/chat")
    assert "think" not in text and "好像不太相关" not in text and "一百万美元" not in text
    for gone in ("###", "**", "| --- |", "<img"):
        assert gone not in text, gone
    assert text.startswith("训练成本") and "Sources:" in text and "[1] 李广密" in text

    server.script(truncated("李广密认为模型「最大的成本在前期实验」[1],而且", reasoning=REASONING))
    text = client.predict("GPT-4 的训练成本是多少?", api_name="/chat")
    assert "截断" in text.split("Sources:")[0]

    server.script(reply("这些访谈没有谈到这个问题。", reasoning=REASONING))
    data = client.predict("GPT-5 的训练成本是多少?", api_name="/ask_json")
    assert data["refused"] is True and data["citations"] == [] and data["passages"]
    assert "reasoning" not in data and "最接近的段落" in data["text"]


@pytest.mark.browser
def test_browser_renders_markdown_and_folds_reasoning(app_with_llm):
    demo, server = app_with_llm
    server.script(reply(MARKDOWN, reasoning=REASONING))
    dialogs: list[str] = []
    with chromium() as browser:
        page = open_page(browser, demo.local_url, locale="zh-CN", dialogs=dialogs)
        page.fill("#question textarea", "GPT-4 的训练成本是多少?")
        page.press("#question textarea", "Enter")
        page.wait_for_selector("#sources .src-card", timeout=30_000)
        settle(page, quiet_s=0.8)
        bot = page.locator("#chat .bot").last
        assert bot.locator("h3", has_text="训练成本").count() == 1
        assert bot.locator("strong", has_text="李广密").count() == 1
        assert bot.locator("table td", has_text="成本最大").count() == 1
        assert bot.locator("img").count() == 0 and bot.locator("a[href^='javascript']").count() == 0
        shown = bot.inner_text()
        assert "###" not in shown and "**" not in shown and "| ---" not in shown
        details = bot.locator("details.reasoning")
        assert details.count() == 1 and details.get_attribute("open") is None
        assert "思考过程" in details.locator("summary").inner_text()
        answer_part = re.sub(r"思考过程.*?一百万美元”\?", "", shown, flags=re.S)
        assert "好像不太相关" not in answer_part
        page.close()
    assert dialogs == []
