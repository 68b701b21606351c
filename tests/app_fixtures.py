"""Helpers for the UI and app tests: a hand-written fake engine and runtime, a small real Library,
and a way to start app.py in a subprocess and wait for it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.index.documents import CleanDoc, DocMeta, SpeakerInfo, Turn
from bot.index.library import Library, SpeakerEntry
from bot.schema import Answer, Citation, Filters, Passage, StreamEvent
from bot.ui.runtime import Status

ROOT = Path(__file__).resolve().parent.parent
XSS = "<script>alert(1)</script><img src=x onerror=alert(1)>"
DOC_ID = "001_demo"
TITLE = "拾象科技李广密:复现GPT-4是关键门槛 <b>&</b>"
# A tiny cleaned document: a host question, the guest's answer (with a quotable sentence), a follow-up.
TEXT = ("张小珺的问题:GPT-4 的训练成本是多少?\n"
        "GPT-4 用了 2.2 万张 A100、训练了 100 天,花了接近 8000 万美金。模型最大的成本在前期实验。\n"
        "那下一代模型呢?\n")


def make_library() -> Library:
    t0_end = TEXT.index("\n")
    t1_start = t0_end + 1
    t1_end = TEXT.index("\n", t1_start)
    t2_start = t1_end + 1
    turns = [Turn(0, "speech", "张小珺", 0, t0_end, "01 成本"),
             Turn(1, "speech", "李广密", t1_start, t1_end, "01 成本"),
             Turn(2, "speech", "张小珺", t2_start, len(TEXT) - 1, "01 成本")]
    meta = DocMeta(title=TITLE, speakers=[SpeakerInfo("李广密", "guest", "拾象科技"), SpeakerInfo("张小珺", "host")])
    doc = CleanDoc(DOC_ID, f"{DOC_ID}.txt", TEXT, turns, meta)
    speakers = {"李广密": SpeakerEntry("李广密", "guest", {DOC_ID}, "拾象科技"),
                "张小珺": SpeakerEntry("张小珺", "host", {DOC_ID})}
    return Library({DOC_ID: doc}, speakers)


# A second quotable sentence of the same turn: questions mentioning "experiment" get this one.
QUOTE_2 = "模型最大的成本在前期实验"


def make_answer(question: str, *, quote: str = "花了接近 8000 万美金", notice: str | None = None,
                speaker: str = "李广密", text: str | None = None) -> Answer:
    start = TEXT.index(quote)
    t1_start = TEXT.index("\n") + 1
    t1_end = TEXT.index("\n", t1_start)
    passage = Passage("n1", DOC_ID, f"{DOC_ID}.txt", TITLE, speaker, "guest", "speech", "01 成本", 1,
                      t1_start, t1_end, TEXT[t1_start:t1_end], 0.9)
    cite = Citation(1, f"{DOC_ID}.txt", DOC_ID, TITLE, speaker, "guest", quote, start, start + len(quote))
    return Answer(question=question, text=text if text is not None else f"{speaker} said: “{quote}” [1]",
                  mode="offline", citations=[cite], passages=[passage], notice=notice)


class FakeEngine:
    """The ChatEngine contract: stream() yields status, deltas, then one final; ask() joins it."""

    def __init__(self, notice: str | None = None, echo: bool = False, delay: float = 0.01, repeat: int = 1) -> None:
        self.calls: list[tuple[str, list[dict] | None, Filters | None]] = []
        self.notice = notice
        self.echo = echo  # answer text repeats the question (to test escaping of the answer too)
        self.delay, self.repeat = delay, repeat  # a slow, long answer: time to press Stop
        self.finished = 0

    def stream(self, question: str, history: list[dict] | None = None,
               filters: Filters | None = None) -> Iterator[StreamEvent]:
        self.calls.append((question, history, filters))
        quote = QUOTE_2 if "experiment" in question else "花了接近 8000 万美金"
        answer = make_answer(question, notice=self.notice, quote=quote,
                             text=f"You asked {question} and 李广密 said: “{quote}” [1]" if self.echo else None)
        answer.text = " ".join([answer.text] * self.repeat) + (" END" if self.repeat > 1 else "")
        yield StreamEvent("status", "searching…")
        for i in range(0, len(answer.text), 8):
            yield StreamEvent("delta", answer.text[i:i + 8])
            time.sleep(self.delay)
        self.finished += 1
        yield StreamEvent("final", answer=answer)

    def ask(self, question: str, history: list[dict] | None = None, filters: Filters | None = None) -> Answer:
        final = [e.answer for e in self.stream(question, history, filters) if e.kind == "final"]
        return final[-1]


class FakeRuntime:
    """The runtime contract of bot.ui.chat.Runtime around a fake engine and a small library;
    `status` can be set to a start-up phase to play an ingest in progress."""

    def __init__(self, engine: FakeEngine, library: Library, status: Status | None = None,
                 reindex: FakeReindex | None = None) -> None:
        self._engine, self._library = engine, library
        self.state = status or Status("ready", 3, 3)
        self.reindex_calls = reindex or FakeReindex()
        self.started = 0

    def start(self) -> None:
        self.started += 1

    def status(self) -> Status:
        return self.state

    def engine(self) -> FakeEngine:
        return self._engine

    def library(self) -> Library:
        return self._library

    def reindex(self, progress):
        return self.reindex_calls(progress)


class FakeReindex:
    """Stands in for ingest after an upload; can be told to fail or to report a file as skipped."""

    def __init__(self, fail: bool = False, skip: str | None = None, delay: float = 0.0) -> None:
        self.fail, self.skip, self.calls, self.delay = fail, skip, 0, delay

    def __call__(self, progress):
        self.calls += 1
        steps = 4 if self.delay else 1   # with a delay: a few batches, as an upload's embedding reports
        for i in range(1, steps + 1):
            time.sleep(self.delay)
            progress("embed", i, steps)
        if self.fail and self.calls == 1:
            raise RuntimeError("embedding server went away")

        class Report:
            files_skipped = [{"file": self.skip, "reason": "no text left after cleaning"}] if self.skip else []
        return Report()


# --- a browser ---------------------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@contextmanager
def chromium() -> Iterator[object]:
    """Debian's Chromium through Playwright (never a downloaded browser). Missing → a failed test."""
    import pytest

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's Chromium (`apt-get install -y chromium`, "
                    "which `bash scripts/setup.sh --test` does) to run the browser tests.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


DESKTOP = {"width": 1400, "height": 1000}
PHONE = {"width": 390, "height": 844}


def open_page(browser, url: str, locale: str = "en-US", dialogs: list[str] | None = None,
              viewport: dict | None = None):
    """A page with the app loaded: the load event has drawn the page in the browser's language."""
    page = browser.new_page(viewport=viewport or DESKTOP, locale=locale)
    if dialogs is not None:  # any alert() would be an injection
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(url)
    want = "zh" if locale.startswith("zh") else "en"
    page.wait_for_selector(f"#sources .srcs[data-lang='{want}']", state="attached", timeout=60_000)  # drawn by load
    return page


def ask(page, question: str, timeout_ms: int = 90_000) -> None:
    """Type a question, send it, and wait until its answer (with its sources) is drawn."""
    before = page.locator("#sources .src-group").count()
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")
    page.wait_for_function(f"document.querySelectorAll('#sources .src-group').length > {before}", timeout=timeout_ms)
    settle(page, quiet_s=0.8)


def settle(page, quiet_s: float = 1.5, timeout_s: float = 90.0) -> None:
    """Wait until the chat has stopped changing (and is past the "searching" status line)."""
    last, since, deadline = None, time.time(), time.time() + timeout_s
    while time.time() < deadline:
        text = page.locator("#chat").inner_text()
        if text != last:
            last, since = text, time.time()
        elif time.time() - since >= quiet_s and "Searching" not in text and "检索" not in text:
            return
        time.sleep(0.2)
    raise TimeoutError("the chat kept changing")


def pick_option(page, dropdown: str, text: str, multiselect: bool = True) -> None:
    """Choose an option of a gr.Dropdown by typing part of its label."""
    page.locator(f"{dropdown} input").fill(text)
    page.locator("[role=option]", has_text=text).first.click()
    if multiselect:
        page.keyboard.press("Escape")


# --- running app.py ------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float, log: Path) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    raise TimeoutError(f"app did not listen on {port} within {timeout}s:\n{log.read_text(errors='replace')[-3000:]}")


def wait_for_log(log: Path, text: str, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if text in log.read_text(errors="replace"):
            return
        if proc.poll() is not None:
            raise RuntimeError(f"app exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.5)
    raise TimeoutError(f"no {text!r} in the app's log within {timeout}s:\n{log.read_text(errors='replace')[-3000:]}")


def start_app(data_dir: Path, seeds_dir: Path, log: Path, *extra: str, timeout: float = 300.0,
              env: dict[str, str] | None = None, ready: bool = True) -> tuple[subprocess.Popen, str]:
    """app.py on a free port. The port opens at once (the index is built in the background);
    with `ready`, also wait until the index is ready (its log line)."""
    port = free_port()
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "GRADIO_SERVER"))}
    full_env.pop("APP_AUTH", None)
    # Empty LLM settings (not merely absent) so a developer's .env cannot switch the tests to an LLM.
    full_env.update(DATA_DIR=str(data_dir), SEEDS_DIR=str(seeds_dir), GRADIO_ANALYTICS_ENABLED="False",
                    PYTHONUNBUFFERED="1", OPENAI_API_KEY="", OPENAI_BASE_URL="", **(env or {}))
    out = log.open("w")
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--port", str(port), *extra], cwd=ROOT,
                            env=full_env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, proc, timeout, log)
        if ready:
            wait_for_log(log, "index ready", proc, timeout)
    except Exception:
        proc.kill()
        raise
    return proc, f"http://127.0.0.1:{port}/"


def stop_app(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)
