"""Timed transcripts and transcripts without speakers in the UI and the API: the time of a source
(a link to that moment of the recording when its URL is known), "speakers not marked" instead of
a person, the editor or "the speaker"; and the upload taking every format ingest reads."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_fixtures import (
    DOC_ID,
    TEXT,
    FakeReindex,
    FakeRuntime,
    chromium,
    free_port,
    make_answer,
    make_library,
    open_page,
    settle,
)

from bot.answer.extractive import extractive_answer
from bot.answer.prompts import format_passage
from bot.schema import Answer, Filters, StreamEvent
from bot.settings import Settings
from bot.text.timecode import clock, media_link
from bot.ui.blocks import LAUNCH_KWARGS, build_ui
from bot.ui.cards import sources_html as _panel
from bot.ui.render import chat_text
from bot.ui.text import mode_line
from bot.ui.upload import ALLOWED, add_transcripts

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "formats"
YOUTUBE = "https://www.youtube.com/watch?v=abc123XYZ00"


def test_clock_and_media_links() -> None:
    assert clock(2268.4) == "00:37:48" and clock(0) == "00:00:00" and clock(None) == "" and clock(-1) == ""
    assert media_link(YOUTUBE, 2268.4) == "https://www.youtube.com/watch?v=abc123XYZ00&t=2268"
    assert media_link("https://www.youtube.com/watch?v=x&t=5", 60) == "https://www.youtube.com/watch?v=x&t=60"
    assert media_link("https://youtu.be/abc", 90) == "https://youtu.be/abc?t=90"
    assert media_link("https://cdn.example.org/ep12.mp3", 754) == "https://cdn.example.org/ep12.mp3#t=754"
    assert media_link("javascript:alert(1)", 5) is None and media_link(None, 5) is None
    assert media_link(YOUTUBE, None) is None


def sources_html(answer: Answer, library, lang: str) -> str:
    """The sources panel holding this one answer."""
    return _panel(["q"], [answer], library, lang)


def _timed(media_url: str | None = YOUTUBE) -> Answer:
    answer = make_answer("q")
    answer.citations = [dataclasses.replace(c, time=2268.4, media_url=media_url) for c in answer.citations]
    answer.passages = [dataclasses.replace(p, time=2260.0, media_url=media_url) for p in answer.passages]
    return answer


def test_source_card_shows_the_time_and_links_to_the_moment() -> None:
    html = sources_html(_timed(), make_library(), "en")
    assert "00:37:48" in html and 'href="https://www.youtube.com/watch?v=abc123XYZ00&amp;t=2268"' in html
    plain = sources_html(_timed(None), make_library(), "en")
    assert '<span class="src-time">00:37:48</span>' in plain and "href=" not in plain
    untimed = sources_html(make_answer("q"), make_library(), "en")
    assert "src-time" not in untimed
    text = chat_text(_timed())
    assert "00:37:48" in text and "&t=2268" in text


def test_quote_time_comes_from_the_documents_time_map() -> None:
    lib = make_library()
    doc = lib.docs[DOC_ID]
    start = TEXT.index("花了接近")
    doc.times = [(0, 2250.0), (start - 5, 2271.0), (len(TEXT) - 2, 2300.0)]
    assert "00:37:51" in sources_html(_timed(), lib, "en")


def test_unmarked_passages_are_nobodys_words() -> None:
    answer = make_answer("q")
    answer.passages = [dataclasses.replace(p, speaker=None, role="unmarked", people="王芳, 李强") for p in answer.passages]
    answer.citations = [dataclasses.replace(c, speaker=None, role="unmarked") for c in answer.citations]
    html = sources_html(answer, make_library(), "en")
    assert "speakers not marked" in html and "editor" not in html and "in the recording: 王芳, 李强" in html.lower()
    assert "未标明说话人" in sources_html(answer, make_library(), "zh")
    assert "speakers not marked" in chat_text(answer) and "editor" not in chat_text(answer)
    for lang, said in (("en", "does not mark speakers"), ("zh", "未标明说话人")):
        out = extractive_answer("GPT-4 的训练成本是多少", answer.passages, lang).text
        assert said in out and "the speaker" not in out and "演讲者" not in out and "编者" not in out
        prompt = format_passage(1, answer.passages[0], lang)
        assert ("未标明" if lang == "zh" else "not marked") in prompt and "王芳, 李强" in prompt


@pytest.mark.parametrize("name", ["voices.vtt", "whisper.srt", "bold_labels.md", "qa_roles.txt"])
def test_upload_takes_the_new_formats(tmp_path: Path, name: str) -> None:
    settings = Settings(data_dir=tmp_path / "data", seeds_dir=tmp_path / "seeds")
    settings.seeds_dir.mkdir()
    reindex = FakeReindex()
    res = add_transcripts([str(FIXTURES / name)], None, None, settings, reindex)
    assert res.ok, res.message
    assert (settings.seeds_dir / name).exists() and reindex.calls == 1
    assert {".srt", ".vtt", ".docx", ".pdf"} <= set(ALLOWED)


class TimedEngine:
    """Answers every question with one cited passage of a timed transcript."""

    def stream(self, question: str, history: list[dict] | None = None,
               filters: Filters | None = None) -> Iterator[StreamEvent]:
        answer = _timed()
        yield StreamEvent("delta", answer.text)
        yield StreamEvent("final", answer=answer)

    def ask(self, question: str, history: list[dict] | None = None, filters: Filters | None = None) -> Answer:
        return [e.answer for e in self.stream(question) if e.kind == "final"][-1]


@pytest.mark.browser
def test_browser_timed_source_card_and_upload_types(tmp_path: Path) -> None:
    engine, lib = TimedEngine(), make_library()
    settings = Settings(data_dir=tmp_path / "data", seeds_dir=tmp_path / "seeds")
    settings.seeds_dir.mkdir()
    demo = build_ui(FakeRuntime(engine, lib, reindex=FakeReindex()), settings, mode_line(None, None))
    demo.launch(server_port=free_port(), prevent_thread_lock=True, quiet=True, **LAUNCH_KWARGS)
    try:
        with chromium() as browser:
            page = open_page(browser, demo.local_url)
            page.fill("#question textarea", "when did he talk about cost?")
            page.press("#question textarea", "Enter")
            page.wait_for_selector("#sources a.src-time", timeout=20_000)
            link = page.locator("#sources a.src-time").first
            assert "00:37:48" in link.inner_text()
            assert link.get_attribute("href") == f"{YOUTUBE}&t=2268"
            page.click("#upload .label-wrap")
            page.wait_for_selector("#upload input[type=file]", state="attached", timeout=20_000)
            # no accept= filter on the picker: Gradio's own type check pops up in English only;
            # the upload's own check (in the page's language) decides, and takes every format
            page.locator("#upload input[type=file]").first.set_input_files(str(FIXTURES / "voices.vtt"))
            time.sleep(1.0)
            page.get_by_role("button", name="Upload and index").click()
            page.wait_for_function("document.body.innerText.includes('Indexed 1 file(s): voices.vtt')", timeout=30_000)
            settle(page, quiet_s=0.5)
            page.close()
    finally:
        demo.close()
    assert (settings.seeds_dir / "voices.vtt").exists()
