"""The page in Debian's Chromium at desktop (1400×1000) and phone (390×844) sizes, around a fake
engine and runtime (no index, no model): citations, filters, layout, languages, start-up, history."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_fixtures import (
    DESKTOP,
    PHONE,
    QUOTE_2,
    XSS,
    FakeEngine,
    FakeReindex,
    FakeRuntime,
    ask,
    chromium,
    free_port,
    make_answer,
    make_library,
    open_page,
    pick_option,
    settle,
)

from bot.schema import Filters
from bot.settings import Settings
from bot.ui.blocks import LAUNCH_KWARGS, build_ui
from bot.ui.runtime import Status
from bot.ui.text import STRINGS, mode_line

pytestmark = pytest.mark.browser


class Served:
    def __init__(self, demo, engine: FakeEngine, runtime: FakeRuntime) -> None:
        self.demo, self.engine, self.runtime, self.url = demo, engine, runtime, demo.local_url


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    engine, lib = FakeEngine(), make_library()
    runtime = FakeRuntime(engine, lib, reindex=FakeReindex(delay=0.4))
    settings = Settings(data_dir=tmp_path / "data", seeds_dir=tmp_path / "seeds")
    (tmp_path / "seeds").mkdir()
    demo = build_ui(runtime, settings, mode_line(None, None))
    demo.queue(default_concurrency_limit=2)
    demo.launch(server_port=free_port(), prevent_thread_lock=True, quiet=True, **LAUNCH_KWARGS)
    try:
        yield Served(demo, engine, runtime)
    finally:
        demo.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


def visible_card(page) -> str:
    return page.locator("#sources .src-group:not([hidden]) .src-card.flash").first.inner_text()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_marker_opens_its_own_answers_card(served: Served, browser, viewport: dict) -> None:
    page = open_page(browser, served.url, viewport=viewport)
    ask(page, "what did 李广密 say about GPT-4 cost")
    ask(page, "and the experiments?")
    assert page.locator("#chat a.cite").count() == 2
    # the earlier answer's [1] shows the earlier answer's passage, not the latest one's
    page.locator("#chat a.cite[href='#cite-0-1']").click()
    page.wait_for_selector("#sources .src-card.flash")
    assert page.locator("#sources .src-group:not([hidden])").get_attribute("data-answer") == "0"
    assert "花了接近 8000 万美金" in page.locator("#src-0-1 mark").first.inner_text()
    if viewport is PHONE:   # the panel lies over the chat, and closes again
        box = page.locator("#side").bounding_box()
        assert box and box["y"] <= 1 and box["height"] >= PHONE["height"] - 2
        page.locator("#sources .src-close").click()
        assert page.locator("#side").bounding_box() is None
    page.locator("#chat a.cite[href='#cite-1-1']").click()
    page.wait_for_selector("#src-1-1.flash")
    assert page.locator("#src-1-1 mark").first.inner_text() == QUOTE_2
    # "show in transcript": the whole document at that place, the quote marked
    page.locator("#src-1-1 .show-tr").click()
    page.wait_for_selector("#sources .tr-view:not([hidden]) #tr-hit")
    assert page.locator("#tr-hit").inner_text() == QUOTE_2
    assert page.locator("#sources .tr-turn").count() == 3
    page.close()


def test_filters_are_chips_above_the_input_and_apply(served: Served, browser) -> None:
    page = open_page(browser, served.url)
    page.click("#filters .label-wrap")
    pick_option(page, "#f-speakers", "李广密")
    pick_option(page, "#f-docs", "拾象科技")
    page.click("#filters .label-wrap")   # closed again: the chips still say what is filtered
    page.wait_for_selector("#chips .chip")
    chips = page.locator("#chips").inner_text()
    assert "Speaker: 李广密" in chips and "Interview: 拾象科技李广密" in chips
    chip_box, input_box = page.locator("#chips").bounding_box(), page.locator("#question").bounding_box()
    assert chip_box["y"] < input_box["y"] <= chip_box["y"] + chip_box["height"] + 20   # right above the input
    ask(page, "what did he say?")
    assert served.engine.calls[-1][2] == Filters(docs=["001_demo"], speakers=["李广密"])
    page.locator("#chips .chip-x[data-kind='speaker']").click()
    page.wait_for_function("!document.querySelector('#chips').innerText.includes('李广密 ×')"
                           " && !document.querySelector('#chips').innerText.includes('Speaker')")
    ask(page, "and then?")
    assert served.engine.calls[-1][2] == Filters(docs=["001_demo"], speakers=[])
    page.locator("#chips .chip-clear").click()
    page.wait_for_function("document.querySelectorAll('#chips .chip').length === 0")
    page.close()


def test_phone_keeps_the_input_and_sources_in_reach(served: Served, browser) -> None:
    served.engine.repeat = 6   # long answers: the chat is far taller than the screen
    page = open_page(browser, served.url, viewport=PHONE)
    first = page.locator("#chat").inner_text()
    assert "The interviews (1)" in first and "what did 李广密 say about GPT-4 cost" in first  # library, examples
    assert page.locator("#chat .placeholder").bounding_box()["y"] < PHONE["height"]
    for q in ("first question", "second question", "third question"):
        ask(page, q)
    page.evaluate("window.scrollTo(0, 0)")
    time.sleep(0.3)
    box = page.locator("#question textarea").bounding_box()
    assert box and 0 <= box["y"] and box["y"] + box["height"] <= PHONE["height"], box   # no scrolling past the chat
    assert page.evaluate("document.scrollingElement.scrollHeight") > PHONE["height"] + 400   # a long chat
    page.locator("#chat a.act-src").first.click()   # "Sources (1)" of the first answer
    page.wait_for_selector("#side.open")
    assert page.locator("#sources .src-group:not([hidden])").get_attribute("data-answer") == "0"
    page.close()


def page_text_without_data(page) -> str:
    """What the interface itself shows: the page's visible text minus questions, answers and quotes
    (data, in whatever language they were written), plus placeholders and our own labels.
    (Gradio's own aria-labels, e.g. "chatbot conversation", are Gradio's and not checked.)"""
    return page.evaluate("""() => {
        let text = document.body.innerText;
        const data = document.querySelectorAll('#chat [data-testid=user], #chat .message-content p:not(:has(.acts)), '
            + '.src-quote, .src-title, .src-q, .src-speaker, .tr-doc, .lib b, #chat button.example, '
            + '#f-docs .token, #f-speakers .token, [role=listbox], #upload .file-preview');
        for (const e of data) { const t = e.innerText; if (t) text = text.split(t).join(' '); }
        const attrs = Array.from(document.querySelectorAll('[placeholder], #sources [aria-label], #chips [aria-label]'))
            .filter(e => e.offsetParent !== null)
            .map(e => (e.getAttribute('placeholder') || '') + ' ' + (e.getAttribute('aria-label') || ''));
        return text + '\\n' + attrs.join('\\n');
    }""")


ENGLISH_UI = [v for v in STRINGS["en"].values() if len(re.sub(r"\{[^}]*\}", "", v)) > 4] + [
    "Drop File Here", "Click to Upload", "Use via API", "Built with Gradio", "Settings", "steps",
    "Invalid file type", "Clear", "Copy", "Loading"]


def test_chinese_interface_has_no_english(served: Served, browser, tmp_path: Path) -> None:
    page = open_page(browser, served.url, locale="zh-CN")
    assert page.locator("#title").inner_text().strip() == "访谈实录问答"
    page.click("#filters .label-wrap")
    page.click("#upload .label-wrap")
    page.locator("#chat button.example").first.click()   # an example keeps the interface Chinese
    page.wait_for_selector("#sources .src-card", timeout=30_000)
    settle(page, quiet_s=0.8)
    pick_option(page, "#f-speakers", "李广密")
    page.locator("#chat a.cite").first.click()
    page.locator("#sources .src-group:not([hidden]) .show-tr").first.click()
    page.wait_for_selector("#tr-hit")
    # a file ingest cannot read: the message is ours, in Chinese (no English pop-up from the file box)
    bad = tmp_path / "slides.pptx"
    bad.write_bytes(b"PK\x03\x04")
    page.locator("#upload input[type=file]").set_input_files(str(bad))
    page.get_by_role("button", name="上传并建立索引").click()
    page.wait_for_function("document.querySelector('#upload-status').innerText.includes('✗')")
    assert "不支持这种格式" in page.locator("#upload-status").inner_text()
    text = page_text_without_data(page)
    found = [(s, text[max(0, text.index(s) - 60):text.index(s) + 20]) for s in ENGLISH_UI if s in text]
    assert found == [], found
    assert not re.search(r"\b[A-Za-z]{3,}\s+[A-Za-z]{3,}\b", text), re.findall(r"[A-Za-z]{3,}\s+[A-Za-z]{3,}", text)
    page.close()


def test_upload_progress_speaks_chinese(served: Served, browser, tmp_path: Path) -> None:
    f = tmp_path / "新访谈.txt"
    f.write_text("新访谈\n\n张三:你怎么看大模型的成本?\n\n李四:成本每年会下降很多,这是我的判断。\n", encoding="utf-8")
    page = open_page(browser, served.url, locale="zh-CN")
    page.click("#upload .label-wrap")
    page.locator("#upload input[type=file]").set_input_files(str(f))
    page.wait_for_selector("#upload .file-preview, #upload table", timeout=30_000)
    page.get_by_role("button", name="上传并建立索引").click()
    seen: set[str] = set()
    deadline = time.time() + 30
    while time.time() < deadline and "✓" not in page.locator("#upload-status").inner_text():
        seen.add(page.locator("#upload").inner_text())
        time.sleep(0.05)
    progress = "\n".join(seen)
    assert "正在建立索引：段落" in progress and "步" in progress and "steps" not in progress, progress
    assert "✓ 已索引 1 个文件" in page.locator("#upload-status").inner_text()
    page.close()


def test_page_answers_while_the_index_is_built(served: Served, browser) -> None:
    served.runtime.state = Status("embed", 120, 346)
    page = open_page(browser, served.url)
    page.wait_for_selector("#boot .boot")
    assert "Indexing the interviews: passages 120/346" in page.locator("#boot").inner_text()
    page.fill("#question textarea", "what did 李广密 say about GPT-4 cost")
    page.press("#question textarea", "Enter")
    page.wait_for_function("document.querySelector('#chat').innerText.includes('Still indexing (passages 120/346)')")
    served.runtime.state = Status("ready", 346, 346)
    page.wait_for_selector("#chat a.cite", timeout=20_000)
    page.wait_for_function("!document.querySelector('#boot .boot')", timeout=10_000)   # the line goes
    assert "拾象科技李广密" in page.locator("#chat").inner_text() or page.locator("#chat a.cite").count() == 1
    page.close()


def test_history_survives_a_reload_and_a_link_asks_again(served: Served, browser) -> None:
    ctx = browser.new_context(viewport=DESKTOP, locale="en-US", permissions=["clipboard-read", "clipboard-write"])
    page = ctx.new_page()
    page.goto(served.url)
    page.wait_for_selector("#sources .srcs[data-lang='en']")
    ask(page, "what did 李广密 say about GPT-4 cost")
    ask(page, "and the experiments?")
    page.locator("#chat a.act-copy").last.click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert QUOTE_2 in copied and "Sources:" in copied and "[1] 李广密 (guest)" in copied
    page.locator("#chat a.act-share").last.click()
    link = page.evaluate("navigator.clipboard.readText()")
    assert link == served.url + "?q=and%20the%20experiments%3F"
    page.reload()
    page.wait_for_selector("#chat a.cite[href='#cite-1-1']")
    assert page.locator("#chat [data-testid=user]").count() == 2
    page.locator("#chat a.cite[href='#cite-0-1']").click()
    page.wait_for_selector("#src-0-1.flash")
    # the engine gets the kept conversation as history after the reload
    ask(page, "anything else?")
    assert [m["content"] for m in served.engine.calls[-1][1]][::2] == ["what did 李广密 say about GPT-4 cost",
                                                                      "and the experiments?"]
    # a shared link asks its question in a fresh browser
    fresh = browser.new_page(viewport=DESKTOP, locale="en-US")
    fresh.goto(link)
    fresh.wait_for_selector("#chat a.cite", timeout=20_000)
    assert "and the experiments?" in fresh.locator("#chat [data-testid=user]").first.inner_text()
    assert "?q=" not in fresh.url   # asked once; a reload does not ask again
    fresh.close()
    ctx.close()


def test_stop_shows_only_while_streaming_and_history_is_raw(served: Served, browser) -> None:
    served.engine.delay, served.engine.repeat = 0.15, 12
    page = open_page(browser, served.url)
    assert page.locator("#question .stop-button").count() == 0
    page.fill("#question textarea", "first question")
    page.press("#question textarea", "Enter")
    page.wait_for_function("document.querySelector('#chat').innerText.includes('8000')", timeout=20_000)
    page.locator("#question .stop-button").click()
    time.sleep(1.0)
    stopped = page.locator("#chat .bot").last.inner_text()
    time.sleep(1.5)
    assert page.locator("#chat .bot").last.inner_text() == stopped and "END" not in stopped
    assert served.engine.finished == 0
    assert page.locator("#question .stop-button").count() == 0 and page.locator("#question .submit-button").count()

    served.engine.delay, served.engine.repeat = 0.0, 1
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    ask(page, XSS)
    ask(page, "and then?")
    question, history, _ = served.engine.calls[-1]
    assert question == "and then?"
    # The stopped turn is not history; the XSS turn is, verbatim (escaping is for display only).
    assert history == [{"role": "user", "content": XSS}, {"role": "assistant", "content": make_answer(XSS).text}]
    assert page.locator("#chat img[src=x], #chat script, #sources script").count() == 0 and dialogs == []
    page.close()
