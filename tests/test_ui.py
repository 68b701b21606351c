"""Unit tests of the UI layer: strings, escaping and rendering, filter mapping, uploads, and the
API endpoints of a Blocks built around a fake engine (no index, no model)."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
from app_fixtures import (
    DOC_ID,
    TEXT,
    TITLE,
    XSS,
    FakeEngine,
    FakeReindex,
    chromium,
    free_port,
    make_answer,
    make_library,
    open_page,
    pick_option,
    settle,
)

from bot.schema import Answer, Filters
from bot.settings import Settings
from bot.ui.blocks import build_ui, doc_choices, make_filters, speaker_choices
from bot.ui.render import (
    answer_json,
    assistant_message,
    chat_text,
    context_html,
    highlight,
    md_text,
    sources_html,
    targets,
    user_message,
)
from bot.ui.text import EXAMPLES, STRINGS, lang_of, mode_labels, t
from bot.ui.upload import (
    add_transcripts,
    manifest_entry,
    parse_speakers,
    safe_name,
    toml_str,
)

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
RAW_TAG = re.compile(r"<(script|img|iframe|svg)\b", re.I)


# --- strings ------------------------------------------------------------------------------------

def test_both_languages_have_every_string() -> None:
    assert set(STRINGS["zh"]) == set(STRINGS["en"])
    assert "what did 李广密 say about GPT-4 cost" in EXAMPLES
    assert any(re.search(r"[\u4e00-\u9fff]{4}", e) for e in EXAMPLES)  # a Chinese example too


@pytest.mark.parametrize("raw, want", [("zh-CN", "zh"), ("zh-Hant-TW", "zh"), ("ZH", "zh"), ("en-US", "en"),
                                       ("fr", "en"), ("", "en"), (None, "en")])
def test_browser_language(raw: str | None, want: str) -> None:
    assert lang_of(raw) == want


def test_mode_label_shows_model_and_host_only() -> None:
    assert mode_labels(None, None)["en"] == "Offline: extractive answers from the transcripts"
    llm = mode_labels("qwen2.5", "http://user:secret@10.0.0.5:8080/v1")
    assert llm["en"] == "LLM: qwen2.5 at 10.0.0.5" and "secret" not in llm["zh"]
    assert mode_labels("gpt-4o-mini", None)["en"] == "LLM: gpt-4o-mini at api.openai.com"


# --- rendering ------------------------------------------------------------------------------------

def test_question_and_answer_text_are_escaped_in_chat() -> None:
    shown = user_message(XSS)
    assert not RAW_TAG.search(shown) and "&lt;script&gt;" in shown
    answer = make_answer(XSS, notice="<img src=x onerror=alert(2)>", text=f"echo {XSS} [1]")
    bubble = assistant_message(answer.text, "en", answer)
    assert not RAW_TAG.search(bubble)
    assert "\\[1\\]" in bubble  # markers survive as literal text
    assert "李广密" in bubble and "Note" in bubble


def test_markdown_syntax_in_text_is_literal() -> None:
    assert md_text("[x](javascript:alert(1)) *b* $x$") == \
        "\\[x\\]\\(javascript:alert\\(1\\)\\) \\*b\\* \\$x\\$"


def test_sources_panel_escapes_and_highlights() -> None:
    lib = make_library()
    answer = make_answer("q")
    answer.citations[0].speaker = "李广密<script>x</script>"
    html = sources_html(answer, lib, "en")
    assert not RAW_TAG.search(html)
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in html  # the title's markup shown, not applied
    assert "<mark>花了接近 8000 万美金</mark>" in html
    assert "[1]" in html and "guest" in html and "01 成本" in html
    assert "turn 2" in html  # 0-based turn 1 shown as the 2nd turn
    start = TEXT.index("花了接近")
    assert f"characters {start}–{start + len('花了接近 8000 万美金')}" in html
    assert "嘉宾" in sources_html(answer, lib, "zh")


def test_sources_panel_falls_back_to_library_turn_and_to_closest() -> None:
    lib = make_library()
    answer = make_answer("q")
    answer.passages = []  # quote not inside a retrieved passage: use the document's turn
    assert "<mark>花了接近 8000 万美金</mark>" in sources_html(answer, lib, "en")
    refused = Answer(question="q", text="not found", mode="offline", refused=True, passages=make_answer("q").passages)
    html = sources_html(refused, lib, "en")
    assert "closest passages" in html and "<mark>" not in html
    assert "appear here" in sources_html(None, lib, "en")


def test_two_quotes_from_one_passage_make_one_card_with_two_marks() -> None:
    import dataclasses

    lib = make_library()
    answer = make_answer("q")
    c = answer.citations[0]
    p = next(p for p in answer.passages if p.start <= c.start < p.end)
    second_start = p.start  # another sentence of the same passage, cited with the same [n]
    second = dataclasses.replace(c, quote=TEXT[second_start:second_start + 4], start=second_start,
                                 end=second_start + 4)
    assert second.end <= c.start, "the fixture passage holds two separate spans"
    answer.citations.append(second)
    html = sources_html(answer, lib, "en")
    assert html.count(f'id="src-{c.n}"') == 1
    assert html.count("<mark>") == 2
    assert len(targets(answer, "en")) == len({x.n for x in answer.citations})


def test_highlight_clamps_and_trims() -> None:
    text = "a" * 1000 + "QUOTE" + "b" * 1000
    out = highlight(text, 100, 1100, 1105)
    assert "<mark>QUOTE</mark>" in out and out.startswith("…") and out.endswith("…") and len(out) < 700
    assert highlight("<x>", 0, 5, 9) == "&lt;x&gt;"  # offsets past the end: nothing marked, still escaped


def test_context_marks_the_cited_turn() -> None:
    lib = make_library()
    answer = make_answer("q")
    target = targets(answer, "en")[0]
    turns = lib.context(target.doc_id, target.start, target.end)
    html = context_html(turns, target, TITLE, "en")
    assert html.count("ctx-turn") == 3 and html.count("ctx-cited") == 1
    assert "<mark>花了接近 8000 万美金</mark>" in html and "张小珺" in html
    assert not RAW_TAG.search(html) and "&lt;b&gt;" in html


def test_api_text_and_json() -> None:
    answer = make_answer("q", notice="LLM unavailable")
    text = chat_text(answer)
    assert "[1]" in text and "李广密" in text and text.startswith("LLM unavailable")
    data = answer_json(answer)
    assert {"text", "refused", "citations", "passages"} <= set(data) and data["citations"][0]["n"] == 1
    import dataclasses

    answer.citations.append(dataclasses.replace(answer.citations[0], verified=False))
    assert chat_text(answer).split("Sources:")[1].count("“花了接近 8000 万美金”") == 1  # listed once


# --- filters --------------------------------------------------------------------------------------

def test_filter_mapping() -> None:
    lib = make_library()
    f = make_filters([DOC_ID, TITLE, "no such interview"], ["李广密", "nobody"], lib)
    assert f.docs == [DOC_ID] and f.speakers == ["李广密"]
    assert make_filters([], None, lib).is_empty()
    assert doc_choices(lib) == [(TITLE, DOC_ID)]
    labels = dict((v, k) for k, v in speaker_choices(lib, "en"))
    assert labels["李广密"] == "李广密 (guest, 拾象科技)" and list(labels)[0] == "李广密"  # guests first
    assert dict((v, k) for k, v in speaker_choices(lib, "zh"))["张小珺"] == "张小珺 (主持人)"


# --- uploads --------------------------------------------------------------------------------------

def test_safe_names() -> None:
    assert safe_name("../../etc/passwd.TXT") == "passwd.txt"
    assert safe_name("..\\x\\.hidden.md") == "hidden.md"
    assert safe_name("访谈 <1>.txt") == "访谈 _1_.txt"
    assert safe_name("a__b.txt") == "a_b.txt"


def test_parse_speakers() -> None:
    assert parse_speakers("张三:host, 李四（嘉宾）、王五") == [
        {"name": "张三", "role": "host"}, {"name": "李四", "role": "guest"}, {"name": "王五"}]
    with pytest.raises(ValueError, match="unknown role"):
        parse_speakers("张三:boss")


@pytest.mark.parametrize("value", ['say "hi"\\n', "line1\nline2\ttab", "\x00\x1f\x7f", "'''", "中文 ✓"])
def test_toml_strings_round_trip(value: str) -> None:
    import tomllib

    assert tomllib.loads(f"k = {toml_str(value)}")["k"] == value


def test_manifest_entry_is_valid_for_ingest(tmp_path: Path) -> None:
    from ingest.manifest import load_manifest

    (tmp_path / "manifest.toml").write_text('["other.txt"]\ntitle = "x"', encoding="utf-8")  # no final newline
    (tmp_path / 'a "b".txt').write_text("张三:你好\n", encoding="utf-8")
    from bot.ui.upload import append_manifest

    append_manifest(tmp_path, manifest_entry('a "b".txt', 'T "1" \\', [{"name": "张三", "role": "host"}]))
    meta = load_manifest(tmp_path)['a "b".txt']
    assert meta.title == 'T "1" \\' and meta.speakers[0].name == "张三" and meta.speakers[0].role == "host"
    assert load_manifest(tmp_path)["other.txt"].title == "x"


@pytest.fixture
def upload_env(tmp_path: Path) -> tuple[Settings, Path]:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(SEEDS / "001_b96526bf4526be4e.txt", seeds)
    (seeds / "manifest.toml").write_text('["001_b96526bf4526be4e.txt"]\ntitle = "x"\n', encoding="utf-8")
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    return Settings(data_dir=tmp_path / "data", seeds_dir=seeds), incoming


TRANSCRIPT = "新访谈\n\n张三:你怎么看大模型的成本?\n\n李四:成本每年会下降很多,这是我的判断。\n"


def test_upload_success_adds_file_and_manifest(upload_env) -> None:
    settings, incoming = upload_env
    f = incoming / "new talk.md"
    f.write_text(TRANSCRIPT, encoding="utf-8")
    reindex = FakeReindex()
    res = add_transcripts([str(f)], "新的访谈", "张三:host, 李四:guest", settings, reindex)
    assert res.ok, res.message
    assert (settings.seeds_dir / "new talk.md").read_text(encoding="utf-8") == TRANSCRIPT
    assert '["new talk.md"]' in (settings.seeds_dir / "manifest.toml").read_text(encoding="utf-8")
    assert reindex.calls == 1 and "new talk.md" in res.message
    assert not list((settings.data_dir / "upload-staging").iterdir())


@pytest.mark.parametrize("name, content, want", [
    ("notes.pdf", b"%PDF-1.4", "only .txt and .md"),
    ("big.txt", b"a" * (5 * 1024 * 1024 + 1), "over the 5 MB limit"),
    ("001_b96526bf4526be4e.md", "张三:你好".encode(), "already indexed"),
    ("empty.txt", b"", "empty file"),
    ("binary.txt", bytes(range(256)) * 40, "cannot be read"),
])
def test_upload_rejections_leave_seeds_alone(upload_env, name: str, content: bytes, want: str) -> None:
    settings, incoming = upload_env
    before = sorted(p.name for p in settings.seeds_dir.iterdir())
    manifest = (settings.seeds_dir / "manifest.toml").read_text(encoding="utf-8")
    (incoming / name).write_bytes(content)
    reindex = FakeReindex()
    res = add_transcripts([str(incoming / name)], None, None, settings, reindex)
    assert not res.ok and want in res.message, res.message
    assert sorted(p.name for p in settings.seeds_dir.iterdir()) == before
    assert (settings.seeds_dir / "manifest.toml").read_text(encoding="utf-8") == manifest
    assert reindex.calls == 0


def test_upload_needs_files_and_one_file_for_metadata(upload_env) -> None:
    settings, incoming = upload_env
    assert "至少" in add_transcripts([], None, None, settings, FakeReindex(), "zh").message
    for n in ("a.txt", "b.txt"):
        (incoming / n).write_text(TRANSCRIPT, encoding="utf-8")
    res = add_transcripts([str(incoming / "a.txt"), str(incoming / "b.txt")], "T", None, settings, FakeReindex())
    assert not res.ok and "one file at a time" in res.message


@pytest.mark.parametrize("reindex", [FakeReindex(fail=True), FakeReindex(skip="new.txt")])
def test_failed_indexing_rolls_back(upload_env, reindex: FakeReindex) -> None:
    settings, incoming = upload_env
    manifest = (settings.seeds_dir / "manifest.toml").read_text(encoding="utf-8")
    (incoming / "new.txt").write_text(TRANSCRIPT, encoding="utf-8")
    res = add_transcripts([str(incoming / "new.txt")], "T", None, settings, reindex)
    assert not res.ok and "nothing was added" in res.message
    assert not (settings.seeds_dir / "new.txt").exists()
    assert (settings.seeds_dir / "manifest.toml").read_text(encoding="utf-8") == manifest
    assert reindex.calls == 2  # the second run brings the index back in line with the seeds


# --- the Blocks, served, with a fake engine --------------------------------------------------------

@pytest.fixture
def served(tmp_path: Path):
    engine, lib = FakeEngine(notice="LLM unavailable, offline answer below"), make_library()
    settings = Settings(data_dir=tmp_path / "data", seeds_dir=tmp_path / "seeds")
    demo = build_ui(lambda: engine, lambda: lib, settings, mode_labels(None, None), reindex=FakeReindex())
    demo.launch(server_port=free_port(), prevent_thread_lock=True, quiet=True)
    try:
        yield demo, engine
    finally:
        demo.close()


def test_named_endpoints(served) -> None:
    from gradio_client import Client

    demo, engine = served
    client = Client(demo.local_url, verbose=False)
    assert set(client.view_api(print_info=False, return_format="dict")["named_endpoints"]) == {"/chat", "/ask_json"}
    text = client.predict("what did 李广密 say about GPT-4 cost", api_name="/chat")
    assert "[1]" in text and "李广密" in text and "LLM unavailable" in text
    data = client.predict("what did 李广密 say about GPT-4 cost", api_name="/ask_json")
    assert data["citations"][0]["speaker"] == "李广密" and data["refused"] is False
    assert engine.calls[-1][0] == "what did 李广密 say about GPT-4 cost"
    # a follow-up carries the conversation so far (gradio_client sessions have no chat state)
    history = [{"role": "user", "content": "李广密怎么看成本?"}, {"role": "assistant", "content": text}]
    client.predict("他还说了什么?", history, api_name="/chat")
    assert engine.calls[-1][0] == "他还说了什么?" and engine.calls[-1][1] == history


def test_language_strings_are_complete_for_the_ui() -> None:
    # Every key used by build_ui exists (t() raises KeyError otherwise) in both languages.
    for lang in ("zh", "en"):
        for key in STRINGS["en"]:
            assert t(lang, key, mb=5, name="x", size=1, reason="r", n=1, names="x", model="m", host="h")


@pytest.mark.browser
def test_browser_stop_history_and_filters(tmp_path: Path) -> None:
    """With a slow fake engine: Stop cancels the stream; the engine gets the raw (unescaped) history
    and the filters chosen in the page."""
    engine, lib = FakeEngine(delay=0.15, repeat=12), make_library()
    settings = Settings(data_dir=tmp_path / "data", seeds_dir=tmp_path / "seeds")
    demo = build_ui(lambda: engine, lambda: lib, settings, mode_labels(None, None), reindex=FakeReindex())
    demo.launch(server_port=free_port(), prevent_thread_lock=True, quiet=True)
    try:
        with chromium() as browser:
            page = open_page(browser, demo.local_url)
            page.fill("#question textarea", "first question")
            page.press("#question textarea", "Enter")
            page.wait_for_function("document.querySelector('#chat').innerText.includes('8000')", timeout=20_000)
            page.click("#stop")
            time.sleep(1.0)
            stopped = page.locator("#chat .bot").last.inner_text()
            time.sleep(1.5)
            assert page.locator("#chat .bot").last.inner_text() == stopped and "END" not in stopped
            assert engine.finished == 0

            engine.delay, engine.repeat = 0.0, 1
            page.fill("#question textarea", XSS)
            page.press("#question textarea", "Enter")
            page.wait_for_selector("#sources .src-card", timeout=20_000)
            settle(page, quiet_s=0.8)
            page.click("#filters .label-wrap")
            pick_option(page, "#f-speakers", "李广密")
            pick_option(page, "#f-docs", "拾象科技")
            page.fill("#question textarea", "and then?")
            page.press("#question textarea", "Enter")
            page.wait_for_function("document.querySelectorAll('#chat .bot').length >= 3", timeout=20_000)
            settle(page, quiet_s=0.8)
            page.close()
    finally:
        demo.close()
    question, history, filters = engine.calls[-1]
    assert question == "and then?"
    # The stopped turn is not history; the XSS turn is, verbatim (escaping is for display only).
    assert history == [{"role": "user", "content": XSS},
                       {"role": "assistant", "content": make_answer(XSS).text}]
    assert filters == Filters(docs=[DOC_ID], speakers=["李广密"])
