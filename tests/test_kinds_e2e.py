"""In the browser, on the real app over the seeds (a copy of the shared `seeded` store, so the app
only re-checks the files): a summary question shows a digest with cited quotes and suggested
follow-ups; after a follow-up the searched question is shown under the answer and can be undone;
the chat's own clear icon also clears the history the next question is rewritten with."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from app_fixtures import ROOT, chromium, open_page, settle, start_app, stop_app


@pytest.fixture(scope="module")
def kinds_app(seeded, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings, _, _ = seeded
    base = tmp_path_factory.mktemp("kinds-e2e")
    shutil.copytree(settings.data_dir, base / "data")
    shutil.copytree(ROOT / "seeds", base / "seeds")
    proc, url = start_app(base / "data", base / "seeds", base / "app.log", timeout=300)
    try:
        yield url
    finally:
        stop_app(proc)


def ask(page, question: str) -> str:
    """Ask and wait for the final answer; the text of the last bot message."""
    before = page.locator("#chat .bot").count()
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")
    page.wait_for_function(f"document.querySelectorAll('#chat .bot').length > {before}", timeout=90_000)
    settle(page)
    return page.locator("#chat .bot").last.inner_text()


@pytest.mark.browser
def test_summary_follow_up_undo_and_clear(kinds_app: str) -> None:
    with chromium() as browser:
        page = open_page(browser, kinds_app, locale="zh-CN")

        # a summary: the person's points by section, each a cited verbatim quote
        text = ask(page, "总结一下闫俊杰的主要观点")
        assert "主要观点" in text and "【" in text and text.count("“") >= 4, text
        assert page.locator("#chat .bot").last.locator("a.cite").count() >= 4   # [n] as chips
        assert "没有谈到" not in text
        page.wait_for_selector("#sources .src-card", timeout=30_000)
        assert set(page.locator("#sources .src-speaker").all_inner_texts()) == {"闫俊杰"}
        assert page.locator("#sources mark").count() >= 4
        assert page.locator("#chat .option").count() >= 1          # suggested follow-ups

        # a follow-up: the question that was searched is shown, and can be undone
        ask(page, "李广密怎么看开源?")
        text = ask(page, "为什么?")
        assert "搜索：李广密 开源 为什么?" in text, text
        undo = page.locator("#chat .option", has_text="按原话搜索")
        assert undo.count() == 1
        bots = page.locator("#chat .bot").count()
        undo.first.click()
        page.wait_for_function("[...document.querySelectorAll('#chat .bot')].pop().innerText.indexOf('搜索：') < 0",
                               timeout=90_000)
        settle(page)
        assert page.locator("#chat .bot").count() == bots            # the answer replaced, not added
        assert page.locator("#chat .user").last.inner_text().strip() == "为什么?"

        # the chat's trash icon clears the history too: "为什么?" is no longer about 李广密
        page.locator("#chat button[aria-label='清空对话'], #chat button[aria-label^='Clear']").first.click()
        page.wait_for_function("document.querySelectorAll('#chat .bot').length === 0", timeout=10_000)
        text = ask(page, "为什么?")
        assert "李广密 开源" not in text, text
        page.close()
