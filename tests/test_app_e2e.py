"""End to end: the real app.py in a subprocess, ingesting a copy of the seeds into a temporary data
dir (about a minute, once for the whole session), driven through gradio_client, plain HTTP and
Debian's Chromium (Playwright). Offline: no LLM, extractive answers."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from app_fixtures import ROOT, XSS, chromium, open_page, pick_option, settle, start_app, stop_app

QUESTION = "what did 李广密 say about GPT-4 cost"
ARTIFACTS = ROOT / "tests" / "artifacts"


class App:
    def __init__(self, url: str, data_dir: Path, seeds_dir: Path, log: Path) -> None:
        self.url, self.data_dir, self.seeds_dir, self.log = url, data_dir, seeds_dir, log


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    base = tmp_path_factory.mktemp("e2e")
    seeds = base / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)  # uploads in these tests must not touch the real seeds
    proc, url = start_app(base / "data", seeds, base / "app.log", timeout=420)
    try:
        yield App(url, base / "data", seeds, base / "app.log")
    finally:
        stop_app(proc)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    # Module scope: a Playwright sync session left open would block the next module's own
    # (Playwright refuses to start inside the first one's event loop).
    with chromium() as b:
        yield b


def ask(page, question: str) -> None:
    # Record every text the chat shows, to see the answer arrive in pieces.
    page.evaluate("""() => { window.__seen = [];
        new MutationObserver(() => window.__seen.push(document.querySelector('#chat').innerText))
          .observe(document.querySelector('#chat'), {subtree: true, childList: true, characterData: true}); }""")
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")
    page.wait_for_selector("#sources .src-card", timeout=90_000)  # set with the final answer only
    settle(page)


# --- API ------------------------------------------------------------------------------------------

def test_chat_endpoint(app: App) -> None:
    from gradio_client import Client

    text = Client(app.url, verbose=False).predict(QUESTION, api_name="/chat")
    assert "李广密" in text and "[1]" in text, text


def test_ask_json_endpoint(app: App) -> None:
    from gradio_client import Client

    data = Client(app.url, verbose=False).predict(QUESTION, api_name="/ask_json")
    assert data["refused"] is False and data["citations"] and data["passages"]
    assert any(c["speaker"] == "李广密" for c in data["citations"])
    assert all({"n", "quote", "doc_id", "start", "end"} <= set(c) for c in data["citations"])
    assert re.search(r"\[\d+\]", data["text"])


def test_file_paths_are_refused(app: App) -> None:
    doc = next((app.data_dir / "docs").glob("*.json"))
    secret = doc.read_text(encoding="utf-8")[:40]
    targets = [doc, app.data_dir / "chroma" / "chroma.sqlite3", ROOT / ".env", Path("/etc/passwd"),
               app.seeds_dir / "manifest.toml", ROOT / "app.py"]
    for target in targets:
        for prefix in ("gradio_api/file=", "file=", "gradio_api/file=../../../.."):
            r = httpx.get(app.url + prefix + str(target), timeout=10)
            assert r.status_code in (403, 404), (prefix, target, r.status_code)
            assert "root:" not in r.text and secret not in r.text


# --- browser --------------------------------------------------------------------------------------

@pytest.mark.browser
def test_browser_chat_sources_and_filter(app: App, browser) -> None:
    page = open_page(browser, app.url, locale="en-US")
    assert page.locator("#lang input:checked").get_attribute("value") == "en"
    assert "Offline: extractive answers from the transcripts" in page.locator("#mode-line").inner_text()
    ask(page, QUESTION)
    bot = page.locator("#chat .bot").last.inner_text()
    assert re.search(r"\[\d+\]", bot) and "李广密" in bot
    seen = page.evaluate("window.__seen")
    assert len({s for s in seen if "李广密" in s}) >= 2, "the answer should arrive in more than one update"
    sources = page.locator("#sources").inner_text()
    assert "李广密" in sources and "[1]" in sources
    assert page.locator("#sources mark").count() >= 1
    page.wait_for_selector("#context .ctx-cited", timeout=10_000)  # first source opened in its place
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat.png"), full_page=True)

    # A speaker filter: only 闫俊杰's words may come back.
    page.click("#clear")
    page.click("#filters .label-wrap")
    pick_option(page, "#f-speakers", "闫俊杰")
    ask(page, "what was said about cost?")
    speakers = set(page.locator("#sources .src-speaker").all_inner_texts())
    assert speakers == {"闫俊杰"}, speakers
    page.close()


@pytest.mark.browser
def test_browser_follows_chinese_and_toggles(app: App, browser) -> None:
    page = open_page(browser, app.url, locale="zh-CN")
    assert page.locator("#lang input:checked").get_attribute("value") == "zh"
    assert "离线" in page.locator("#mode-line").inner_text()
    page.locator("#lang label", has_text="English").click()
    page.wait_for_function("document.querySelector('#mode-line').innerText.includes('Offline')")
    page.close()


@pytest.mark.browser
def test_browser_escapes_html_in_questions(app: App, browser) -> None:
    dialogs: list[str] = []
    page = open_page(browser, app.url, dialogs=dialogs)
    page.fill("#question textarea", XSS)
    page.press("#question textarea", "Enter")
    page.wait_for_selector("#chat .bot", timeout=30_000)
    settle(page)
    assert "<script>alert(1)</script>" in page.locator("#chat .user").last.inner_text()
    assert page.locator("#chat img[src=x], #chat script, #sources script").count() == 0
    assert dialogs == []
    page.close()


NEW_TRANSCRIPT = ("量子芯片访谈\n\n王小明:你们的量子芯片最大的难点是什么?\n\n"
                  "赵大力:最大的难点是稀释制冷机的冷却成本,一台设备就要几百万美元,而且维护很贵。\n\n"
                  "王小明:那未来会便宜吗?\n\n赵大力:我认为五年内冷却成本会下降一半。\n")


@pytest.mark.browser
def test_browser_upload_then_answer(app: App, browser, tmp_path: Path) -> None:
    from gradio_client import Client

    f = tmp_path / "quantum_talk.txt"
    f.write_text(NEW_TRANSCRIPT, encoding="utf-8")
    page = open_page(browser, app.url)
    page.click("#upload .label-wrap")
    page.locator("#upload input[type=file]").set_input_files(str(f))
    page.wait_for_selector("#upload .file-preview, #upload table", timeout=30_000)
    page.get_by_label("Title (optional, for a single file)").fill("量子芯片访谈")
    page.get_by_label("Speakers (optional, comma-separated, e.g. 张三:host, 李四:guest)").fill("王小明:host, 赵大力:guest")
    page.get_by_role("button", name="Upload and index").click()
    page.wait_for_function("document.querySelector('#upload-status').innerText.includes('✅')", timeout=180_000)
    assert (app.seeds_dir / "quantum_talk.txt").exists()
    page.click("#filters .label-wrap")
    page.locator("#f-speakers input").fill("赵大力")
    assert page.locator("[role=option]", has_text="赵大力").count() == 1
    page.close()
    text = Client(app.url, verbose=False).predict("赵大力怎么看冷却成本?", api_name="/chat")
    assert "赵大力" in text and "[1]" in text, text


# --- other ways to start ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def locked_app(app: App, tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """A second app with --share (no way out: a dead proxy) and --auth, on a copy of the index."""
    base = tmp_path_factory.mktemp("locked")
    shutil.copytree(app.data_dir, base / "data")
    dead = "http://127.0.0.1:9"  # nothing listens on the discard port: the share request must fail
    proc, url = start_app(base / "data", app.seeds_dir, base / "app.log", "--share", "--auth", "ann:s3cret",
                          env={"HTTPS_PROXY": dead, "HTTP_PROXY": dead, "ALL_PROXY": dead,
                               "NO_PROXY": "127.0.0.1,localhost"})
    try:
        deadline = time.time() + 60
        while "Public link unavailable" not in (base / "app.log").read_text() and time.time() < deadline:
            time.sleep(0.5)
        yield App(url, base / "data", app.seeds_dir, base / "app.log")
    finally:
        stop_app(proc)


def test_share_offline_prints_one_line_and_serves(locked_app: App) -> None:
    log = locked_app.log.read_text()
    lines = [ln for ln in log.splitlines() if "Public link unavailable" in ln]
    assert lines == [f"Public link unavailable (no network to Gradio's share servers); "
                     f"serving locally at {locked_app.url}"], log[-2000:]
    assert "Could not create share link" not in log  # Gradio's own multi-line text is not shown
    assert httpx.get(locked_app.url, timeout=10).status_code in (200, 401)


def test_auth_is_required(locked_app: App) -> None:
    from gradio_client import Client

    with pytest.raises(Exception):  # noqa: B017 - the client raises different types across versions
        Client(locked_app.url, verbose=False).predict(QUESTION, api_name="/chat")
    r = httpx.post(locked_app.url + "gradio_api/call/chat", json={"data": [QUESTION]}, timeout=10)
    assert r.status_code in (401, 403)
    text = Client(locked_app.url, auth=("ann", "s3cret"), verbose=False).predict(QUESTION, api_name="/chat")
    assert "李广密" in text and "[1]" in text
    with pytest.raises(Exception):  # noqa: B017
        Client(locked_app.url, auth=("ann", "wrong"), verbose=False)
