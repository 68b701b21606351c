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
from app_fixtures import PHONE, ROOT, XSS, chromium, open_page, pick_option, settle, start_app, stop_app

QUESTION = "what did 李广密 say about GPT-4 cost"
ARTIFACTS = ROOT / "tests" / "artifacts"


class App:
    def __init__(self, url: str, data_dir: Path, seeds_dir: Path, log: Path) -> None:
        self.url, self.data_dir, self.seeds_dir, self.log = url, data_dir, seeds_dir, log


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory, seeded) -> Iterator[App]:
    base = tmp_path_factory.mktemp("e2e")
    seeds = base / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)  # uploads in these tests must not touch the real seeds
    # The session's seeded store, copied: the app re-checks it (nothing to embed) instead of a second
    # cold ingest; the cold start itself is test_page_answers_while_the_first_ingest_runs's subject.
    shutil.copytree(seeded[0].data_dir, base / "data")
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
    before = page.locator("#sources .src-group").count()
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")
    # an answer's group of sources is drawn with the final answer only
    page.wait_for_function(f"document.querySelectorAll('#sources .src-group').length > {before}", timeout=90_000)
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
    assert "Offline: answers quote the transcripts" in page.locator("#mode-line").inner_text()
    assert "The interviews (5)" in page.locator("#chat").inner_text()   # the library on the first screen
    ask(page, QUESTION)
    bot = page.locator("#chat .bot").last.inner_text()
    assert page.locator("#chat a.cite").count() >= 1 and "李广密" in bot
    seen = page.evaluate("window.__seen")
    assert len({s for s in seen if "李广密" in s}) >= 2, "the answer should arrive in more than one update"
    group = page.locator("#sources .src-group:not([hidden])")
    assert "李广密" in group.locator(".src-speaker").all_inner_texts()
    assert group.locator("mark").count() >= 1
    page.locator("#chat a.cite").last.click()
    group.locator(".src-card.flash .show-tr").click()   # the whole transcript, at the quote
    page.wait_for_selector("#sources .tr-view:not([hidden]) #tr-hit", timeout=10_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat.png"), full_page=True)

    # A speaker filter: only 闫俊杰's words may come back.
    page.click("#filters .label-wrap")
    pick_option(page, "#f-speakers", "闫俊杰")
    ask(page, "what was said about cost?")
    speakers = set(page.locator("#sources .src-group:not([hidden]) .src-speaker").all_inner_texts())
    assert speakers == {"闫俊杰"}, speakers
    # ... and a question naming someone else gets that said, not someone's words under their name
    ask(page, "李广密怎么看 GPT-4 的训练成本?")
    assert "不在你选择的发言人里" in page.locator("#chat .bot").last.inner_text()
    page.close()


@pytest.mark.browser
def test_browser_follows_chinese_and_gradios_language_setting(app: App, browser) -> None:
    page = open_page(browser, app.url, locale="zh-CN")
    assert page.locator("#title").inner_text().strip() == "访谈实录问答"
    assert "离线" in page.locator("#mode-line").inner_text() and "现有的访谈" in page.locator("#chat").inner_text()
    # Gradio's own Settings → Language relabels the page; what the server wrote follows
    page.locator("footer").get_by_text("设置").click()
    dialog = page.locator("[role=dialog]")
    dialog.locator("input").first.click()
    page.get_by_role("option", name="English").first.click()
    dialog.locator("button").first.click()
    page.wait_for_function("document.querySelector('#title').innerText.includes('Interview transcripts')")
    page.wait_for_selector("#sources .srcs[data-lang='en']", state="attached", timeout=10_000)
    assert "The interviews (5)" in page.locator("#chat").inner_text()
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
    f.with_name("copy.txt").write_text(NEW_TRANSCRIPT, encoding="utf-8")
    page = open_page(browser, app.url)
    page.click("#upload .label-wrap")
    page.locator("#upload input[type=file]").set_input_files(str(f))
    page.wait_for_selector("#upload .file-preview, #upload table", timeout=30_000)
    page.get_by_label("Title (optional, for a single file)").fill("量子芯片访谈")
    page.get_by_label("Speakers (optional, comma-separated, e.g. 张三:host, 李四:guest)").fill("王小明:host, 赵大力:guest")
    page.get_by_role("button", name="Upload and index").click()
    page.wait_for_function("document.querySelector('#upload-status').innerText.includes('✓')", timeout=180_000)
    assert (app.seeds_dir / "quantum_talk.txt").exists()
    page.click("#filters .label-wrap")
    page.locator("#f-speakers input").fill("赵大力")
    assert page.locator("[role=option]", has_text="赵大力").count() == 1
    text = Client(app.url, verbose=False).predict("赵大力怎么看冷却成本?", api_name="/chat")
    assert "赵大力" in text and "[1]" in text, text
    # the same text under another name is refused
    page.locator("#upload input[type=file]").set_input_files(str(f.with_name("copy.txt")))
    page.get_by_role("button", name="Upload and index").click()
    page.wait_for_function("document.querySelector('#upload-status').innerText.includes('✗')", timeout=60_000)
    assert "already indexed as quantum_talk.txt" in page.locator("#upload-status").inner_text()
    # and the upload can be removed again: out of the seeds, the manifest and the index
    pick_option(page, "#u-pick", "quantum_talk.txt", multiselect=False)
    page.get_by_role("button", name="Remove from the index").click()
    page.wait_for_function("document.querySelector('#upload-status').innerText.includes('Removed')", timeout=180_000)
    assert not (app.seeds_dir / "quantum_talk.txt").exists()
    assert "quantum_talk.txt" not in (app.seeds_dir / "manifest.toml").read_text(encoding="utf-8")
    page.close()
    data = Client(app.url, verbose=False).predict("赵大力怎么看冷却成本?", api_name="/ask_json")
    assert not any(p["doc_id"] == "quantum_talk" for p in data["passages"]), data["text"]


# --- the first start -----------------------------------------------------------------------------

@pytest.mark.browser
def test_page_answers_while_the_first_ingest_runs(browser, tmp_path: Path) -> None:
    """A fresh data folder: the port answers at once, the page says what is being indexed, and a
    question asked meanwhile is answered once the index is ready (one seed: about half a minute)."""
    from gradio_client import Client

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(ROOT / "seeds" / "001_b96526bf4526be4e.txt", seeds)
    proc, url = start_app(tmp_path / "data", seeds, tmp_path / "app.log", timeout=120, ready=False)
    try:
        status = Client(url, verbose=False).predict(api_name="/status")
        assert status["ready"] is False and status["phase"] in ("waiting", "model", "embed", "sentences"), status
        page = open_page(browser, url, viewport=PHONE)
        page.wait_for_function("document.querySelector('#boot').innerText.includes('Indexing the interviews')",
                               timeout=120_000)
        assert re.search(r"passages \d+/\d+|sentences [\d,]+/[\d,]+", page.locator("#boot").inner_text())
        page.fill("#question textarea", "李广密怎么看 GPT-4 的训练成本?")
        page.press("#question textarea", "Enter")
        page.wait_for_function("document.querySelector('#chat').innerText.includes('Still indexing')", timeout=30_000)
        page.wait_for_selector("#chat a.cite", timeout=300_000)
        page.wait_for_function("!document.querySelector('#boot .boot')", timeout=10_000)
        assert "index ready" in (tmp_path / "app.log").read_text()
        page.close()
    finally:
        stop_app(proc)


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
