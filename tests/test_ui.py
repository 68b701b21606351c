"""Unit tests of the UI layer: strings, escaping and rendering, filter mapping, uploads, and the
API endpoints of a Blocks built around a fake engine and runtime (no index, no model).
Browser tests of the page itself (both sizes, both languages) are in tests/test_ui_browser.py."""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import pytest
from app_fixtures import (
    DOC_ID,
    TEXT,
    TITLE,
    XSS,
    FakeEngine,
    FakeReindex,
    FakeRuntime,
    free_port,
    make_answer,
    make_library,
)

from bot.schema import Answer
from bot.settings import Settings
from bot.text.timecode import clock
from bot.ui.blocks import LAUNCH_KWARGS, build_ui
from bot.ui.cards import chips_html, highlight, library_html, sources_html, status_html, transcript_html
from bot.ui.chat import doc_choices, make_filters, speaker_choices
from bot.ui.removal import drop_manifest_entry, remove_transcript, uploaded_files
from bot.ui.render import (
    answer_json,
    answers_of,
    assistant_message,
    chat_messages,
    chat_text,
    history_of,
    md_text,
    turn,
    user_message,
)
from bot.ui.runtime import Status
from bot.ui.text import EXAMPLES, I18N, STRINGS, date_label, lang_of, mode_labels, mode_line, t
from bot.ui.upload import add_transcripts, manifest_entry, parse_speakers, safe_name, toml_str

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
RAW_TAG = re.compile(r"<(script|img|iframe|svg)\b", re.I)


# --- strings ------------------------------------------------------------------------------------

def test_both_languages_have_every_string() -> None:
    assert set(STRINGS["zh"]) == set(STRINGS["en"])
    assert set(I18N.translations_dict["zh"]) == {f"qa_{k}" for k in STRINGS["en"]}
    assert "what did 李广密 say about GPT-4 cost" in EXAMPLES["en"]
    assert all(re.search(r"[\u4e00-\u9fff]{4}", e) and not re.search(r"[A-Za-z]{3,}\s+[a-z]{3,}", e)
               for e in EXAMPLES["zh"])  # Chinese examples for the Chinese interface


@pytest.mark.parametrize("raw, want", [("zh-CN", "zh"), ("zh-Hant-TW", "zh"), ("ZH", "zh"), ("en-US", "en"),
                                       ("fr", "en"), ("", "en"), (None, "en")])
def test_browser_language(raw: str | None, want: str) -> None:
    assert lang_of(raw) == want


def test_mode_label_shows_model_and_host_only() -> None:
    assert mode_labels(None, None)["en"] == "Offline: answers quote the transcripts"
    llm = mode_labels("qwen2.5", "http://user:secret@10.0.0.5:8080/v1")
    assert llm["en"] == "LLM: qwen2.5 (10.0.0.5)" and "secret" not in llm["zh"]
    assert mode_labels("gpt-4o-mini", None)["en"] == "LLM: gpt-4o-mini (api.openai.com)"
    assert "qa_mode_offline" in mode_line(None, None) and "secret" not in mode_line("m", "http://u:secret@h/v1")


def test_dates_and_times_for_cards() -> None:
    assert date_label("en", "inferred: December 2023 (the text calls 2023 '今年')") == "December 2023 (inferred)"
    assert date_label("zh", "inferred: spring 2024 (GPT-4o …); exact date not stated") == "2024年春（推断）"
    assert date_label("zh", "2024-09-25") == "2024-09-25" and date_label("en", "not stated") == ""
    assert clock(2268.4) == "00:37:48" and clock(None) == ""


# --- rendering ------------------------------------------------------------------------------------

def test_question_and_answer_text_are_escaped_in_chat() -> None:
    shown = user_message(XSS)
    assert not RAW_TAG.search(shown) and "&lt;script&gt;" in shown
    answer = make_answer(XSS, notice="<img src=x onerror=alert(2)>", text=f"echo {XSS} [1]")
    bubble = assistant_message(answer.text, "en", answer, k=3)
    assert not RAW_TAG.search(bubble)
    assert '<a class="cite" href="#cite-3-1">1</a>' in bubble  # the marker opens answer 3's card 1
    assert "Note" in bubble and "Copy with sources" in bubble and 'href="?q=%3Cscript%3E' in bubble
    streaming = assistant_message("partial [1]", "en")
    assert "\\[1\\]" in streaming and "cite" not in streaming  # chips only once the sources exist


def test_markdown_syntax_in_text_is_literal_and_escaped_once() -> None:
    assert md_text("[x](javascript:alert(1)) *b* $x$") == \
        "\\[x\\]\\(javascript:alert\\(1\\)\\) \\*b\\* \\$x\\$"
    # an apostrophe is not turned into an entity the chat would then show as "&#x27;"
    assert md_text("The editors' summary: don't") == "The editors' summary: don't"
    assert md_text("# not a heading") == "\\# not a heading" and md_text("a & b <i>") == "a &amp; b &lt;i&gt;"


def test_conversation_round_trips_through_the_browser() -> None:
    first, second = make_answer("q1"), make_answer("q2 experiment", quote="模型最大的成本在前期实验")
    convo = [turn("q1", first), turn("q2 experiment", second)]
    import json

    convo = json.loads(json.dumps(convo))  # as gr.BrowserState stores it
    back = answers_of(convo)
    assert back[1].citations[0].quote == "模型最大的成本在前期实验" and back[0].passages[0].title == TITLE
    assert history_of(convo) == [{"role": "user", "content": "q1"}, {"role": "assistant", "content": first.text},
                                 {"role": "user", "content": "q2 experiment"},
                                 {"role": "assistant", "content": second.text}]
    messages = chat_messages(convo, "zh")
    assert "#cite-0-1" in messages[1]["content"] and "#cite-1-1" in messages[3]["content"]
    assert "复制回答和来源" in messages[3]["content"]
    assert answers_of([{"junk": 1}, *convo]) and len(answers_of([{"a": "not a dict"}])) == 0


def test_each_answer_keeps_its_own_sources() -> None:
    lib = make_library()
    first, second = make_answer("q1"), make_answer("q2", quote="模型最大的成本在前期实验")
    html = sources_html(["q1", "q2"], [first, second], lib, "en")
    g0 = re.search(r'<section class="src-group" data-answer="0">(.*?)</section>', html, re.S).group(1)
    g1 = re.search(r'<section class="src-group" data-answer="1">(.*?)</section>', html, re.S).group(1)
    assert 'id="src-0-1"' in g0 and "<mark>花了接近 8000 万美金</mark>" in g0 and "前期实验</mark>" not in g0
    assert 'id="src-1-1"' in g1 and "<mark>模型最大的成本在前期实验</mark>" in g1


def test_sources_panel_escapes_and_shows_where_a_quote_is() -> None:
    lib = make_library()
    answer = make_answer("q")
    answer.citations[0].speaker = "李广密<script>x</script>"
    html = sources_html(["q"], [answer], lib, "en")
    assert not RAW_TAG.search(html)
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in html  # the title's markup shown, not applied
    assert "<mark>花了接近 8000 万美金</mark>" in html
    assert 'class="src-n">1<' in html and "guest" in html and "Section: 01 成本" in html
    assert "characters" not in html and "turn" not in html   # offsets stay in data attributes
    assert 'class="show-tr"' in html and f'data-doc="{DOC_ID}"' in html
    assert "copy-text" in html and "Sources:" in html
    zh = sources_html(["q"], [answer], lib, "zh")
    assert "嘉宾" in zh and "章节：01 成本" in zh and "在原文中查看" in zh and "来源：" in zh


def test_card_shows_time_and_recording_link_for_timed_transcripts() -> None:
    lib = make_library()
    answer = make_answer("q")
    answer.passages[0].time = 2268.0
    lib.docs[DOC_ID].meta.media_url = "https://example.org/talk.mp3"  # issue 10's document field
    html = sources_html(["q"], [answer], lib, "en")
    assert '<a class="src-time" href="https://example.org/talk.mp3#t=2268"' in html and "▶ 00:37:48" in html
    del lib.docs[DOC_ID].meta.media_url
    assert '<span class="src-time">00:37:48</span>' in sources_html(["q"], [answer], lib, "en")


def test_sources_panel_falls_back_to_library_turn_and_to_closest() -> None:
    lib = make_library()
    answer = make_answer("q")
    answer.passages = []  # quote not inside a retrieved passage: use the document's turn
    answer.citations[0].passage = None
    assert "<mark>花了接近 8000 万美金</mark>" in sources_html(["q"], [answer], lib, "en")
    refused = Answer(question="q", text="not found", mode="offline", refused=True, passages=make_answer("q").passages)
    html = sources_html(["q"], [refused], lib, "en")
    assert "closest passages" in html and "<mark>" not in html
    assert "appear here" in sources_html([], [], lib, "en")


def test_two_quotes_from_one_passage_make_one_card_with_two_marks() -> None:
    lib = make_library()
    answer = make_answer("q")
    c = answer.citations[0]
    p = next(p for p in answer.passages if p.start <= c.start < p.end)
    second_start = p.start  # another sentence of the same passage, cited with the same [n]
    second = dataclasses.replace(c, quote=TEXT[second_start:second_start + 4], start=second_start,
                                 end=second_start + 4)
    assert second.end <= c.start, "the fixture passage holds two separate spans"
    answer.citations.append(second)
    html = sources_html(["q"], [answer], lib, "en")
    assert html.count(f'id="src-0-{c.n}"') == 1
    assert html.count("<mark>") == 2


def test_highlight_clamps_and_trims() -> None:
    text = "a" * 1000 + "QUOTE" + "b" * 1000
    out = highlight(text, 100, 1100, 1105)
    assert "<mark>QUOTE</mark>" in out and out.startswith("…") and out.endswith("…") and len(out) < 700
    assert highlight("<x>", 0, 5, 9) == "&lt;x&gt;"  # offsets past the end: nothing marked, still escaped


def test_transcript_shows_the_whole_document_at_the_quote() -> None:
    lib = make_library()
    c = make_answer("q").citations[0]
    html = transcript_html(lib, DOC_ID, c.start, c.end, "en")
    assert html.count("tr-turn") == 3 and html.count("tr-cited") == 1
    assert '<mark id="tr-hit">花了接近 8000 万美金</mark>' in html and "张小珺" in html and "01 成本" in html
    assert not RAW_TAG.search(html) and "&lt;b&gt;" in html and "Back to the sources" in html
    assert "不在索引" in transcript_html(lib, "gone", 0, 1, "zh")


def test_first_screen_chips_and_startup_line() -> None:
    lib = make_library()
    assert "The interviews (1)" in library_html(lib, "en") and "拾象科技李广密" in library_html(lib, "zh")
    assert "李广密、张小珺" in library_html(lib, "zh")
    chips = chips_html([DOC_ID], ["李广密"], lib, "en")
    assert "Interview: 拾象科技李广密" in chips and "Speaker: 李广密" in chips and 'data-kind="speaker"' in chips
    assert chips_html([], [], lib, "en") == "" and "清除筛选" in chips_html([], ["李广密"], lib, "zh")
    assert status_html(Status("ready"), "en") == ""
    assert "passages 120/346" in status_html(Status("embed", 120, 346), "en")
    assert "段落 1,200/1,248" in status_html(Status("embed", 1200, 1248), "zh")
    assert "could not be built" in status_html(Status("failed", error="disk full"), "en")


def test_api_text_and_json() -> None:
    answer = make_answer("q", notice="LLM unavailable")
    text = chat_text(answer)
    assert "[1]" in text and "李广密" in text and text.startswith("LLM unavailable")
    assert "来源：" in chat_text(answer, "zh") and "(嘉宾)" in chat_text(answer, "zh")
    data = answer_json(answer)
    assert {"text", "refused", "citations", "passages"} <= set(data) and data["citations"][0]["n"] == 1
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
    with pytest.raises(ValueError, match="未知身份"):
        parse_speakers("张三:boss", "zh")


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
    assert uploaded_files(settings.seeds_dir) == ["new talk.md"]   # an upload, so it can be removed


def test_upload_without_metadata_is_still_marked_as_an_upload(upload_env) -> None:
    settings, incoming = upload_env
    (incoming / "a.txt").write_text(TRANSCRIPT, encoding="utf-8")
    (incoming / "b.md").write_text(TRANSCRIPT.replace("李四", "王五"), encoding="utf-8")
    phases: list[str] = []
    res = add_transcripts([str(incoming / "a.txt"), str(incoming / "b.md")], None, None, settings, FakeReindex(),
                          progress=lambda phase, done, total: phases.append(phase))
    assert res.ok, res.message
    assert uploaded_files(settings.seeds_dir) == ["a.txt", "b.md"]
    assert phases[0] == "check" and "embed" in phases   # progress from the first moment


def test_the_same_text_under_another_name_is_refused(upload_env) -> None:
    settings, incoming = upload_env
    seed = (SEEDS / "001_b96526bf4526be4e.txt").read_text(encoding="utf-8")
    (incoming / "copy.txt").write_text(seed.replace("\n", "\r\n") + "\n\n", encoding="utf-8")
    reindex = FakeReindex()
    res = add_transcripts([str(incoming / "copy.txt")], None, None, settings, reindex)
    assert not res.ok and "already indexed as 001_b96526bf4526be4e.txt" in res.message and reindex.calls == 0
    (incoming / "x.txt").write_text(TRANSCRIPT, encoding="utf-8")
    (incoming / "y.txt").write_text(TRANSCRIPT, encoding="utf-8")
    res = add_transcripts([str(incoming / "x.txt"), str(incoming / "y.txt")], None, None, settings, reindex, "zh")
    assert not res.ok and "同样的内容已作为 x.txt" in res.message
    assert not (settings.seeds_dir / "x.txt").exists()


def test_an_upload_can_be_removed_from_seeds_manifest_and_index(upload_env) -> None:
    settings, incoming = upload_env
    manifest_before = (settings.seeds_dir / "manifest.toml").read_text(encoding="utf-8")
    (incoming / "new.txt").write_text(TRANSCRIPT, encoding="utf-8")
    assert add_transcripts([str(incoming / "new.txt")], "新的访谈", "张三:host", settings, FakeReindex()).ok
    reindex = FakeReindex()
    res = remove_transcript("new.txt", settings, reindex, "en")
    assert res.ok and "Removed new.txt" in res.message and reindex.calls == 1
    assert not (settings.seeds_dir / "new.txt").exists()
    assert (settings.seeds_dir / "manifest.toml").read_text(encoding="utf-8") == manifest_before
    # seeds that did not come through the UI cannot be removed here
    assert not remove_transcript("001_b96526bf4526be4e.txt", settings, FakeReindex(), "en").ok
    assert (settings.seeds_dir / "001_b96526bf4526be4e.txt").exists()


def test_a_failed_removal_puts_everything_back(upload_env) -> None:
    settings, incoming = upload_env
    (incoming / "new.txt").write_text(TRANSCRIPT, encoding="utf-8")
    assert add_transcripts([str(incoming / "new.txt")], None, None, settings, FakeReindex()).ok
    manifest = (settings.seeds_dir / "manifest.toml").read_text(encoding="utf-8")
    reindex = FakeReindex(fail=True)
    res = remove_transcript("new.txt", settings, reindex, "zh")
    assert not res.ok and "无法删除 new.txt" in res.message and reindex.calls == 2
    assert (settings.seeds_dir / "new.txt").read_text(encoding="utf-8") == TRANSCRIPT
    assert (settings.seeds_dir / "manifest.toml").read_text(encoding="utf-8") == manifest


def test_drop_manifest_entry_keeps_the_others() -> None:
    text = ('["keep.txt"]\ntitle = "k"\n' + manifest_entry("go.txt", "T", [{"name": "张三", "role": "host"}])
            + manifest_entry("also.txt", None, []))
    out = drop_manifest_entry(text, "go.txt")
    assert "go.txt" not in out and '["keep.txt"]' in out and '["also.txt"]' in out
    with pytest.raises(ValueError):   # an entry written by hand, another way: refused, not half-removed
        drop_manifest_entry("['go.txt']\ntitle = 'hand written'\n", "go.txt")


@pytest.mark.parametrize("name, content, want", [
    ("notes.pdf", b"%PDF-1.4", "not a readable PDF"),
    ("slides.pptx", b"PK\x03\x04", "transcripts must be .txt, .md"),
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
    demo = build_ui(FakeRuntime(engine, lib), settings, mode_line(None, None))
    demo.launch(server_port=free_port(), prevent_thread_lock=True, quiet=True, **LAUNCH_KWARGS)
    try:
        yield demo, engine
    finally:
        demo.close()


def test_named_endpoints(served) -> None:
    from gradio_client import Client

    demo, engine = served
    client = Client(demo.local_url, verbose=False)
    assert set(client.view_api(print_info=False, return_format="dict")["named_endpoints"]) == \
        {"/chat", "/ask_json", "/status"}
    text = client.predict("what did 李广密 say about GPT-4 cost", api_name="/chat")
    assert "[1]" in text and "李广密" in text and "LLM unavailable" in text
    data = client.predict("what did 李广密 say about GPT-4 cost", api_name="/ask_json")
    assert data["citations"][0]["speaker"] == "李广密" and data["refused"] is False
    assert engine.calls[-1][0] == "what did 李广密 say about GPT-4 cost"
    assert engine.calls[-1][1] == [] and engine.calls[-1][2].is_empty()
    assert client.predict(api_name="/status") == {"ready": True, "phase": "ready", "done": 3, "total": 3, "error": None}


def test_api_takes_history_and_filters(served) -> None:
    from gradio_client import Client

    demo, engine = served
    client = Client(demo.local_url, verbose=False)
    history = [{"role": "user", "content": "李广密怎么看 GPT-4?"}, {"role": "assistant", "content": "他说…[1]"},
               {"role": "system", "content": "ignored"}, "not a turn"]
    client.predict("他还说了什么?", history, {"interviews": [TITLE], "speakers": ["李广密", "nobody"]}, api_name="/chat")
    question, got_history, filters = engine.calls[-1]
    assert question == "他还说了什么?" and got_history == history[:2]
    assert filters.docs == [DOC_ID] and filters.speakers == ["李广密"]
    client.predict("q", None, {"docs": [DOC_ID]}, api_name="/ask_json")
    assert engine.calls[-1][2].docs == [DOC_ID]


def test_language_strings_are_complete_for_the_ui() -> None:
    # Every key used by the UI exists (t() raises KeyError otherwise) in both languages.
    for lang in ("zh", "en"):
        for key in STRINGS["en"]:
            assert t(lang, key, mb=5, name="x", size=1, reason="r", n=1, names="x", model="m", host="h",
                     suffixes=".txt", other="y", what="w", done=1, total=2, role="r")


def test_a_question_during_an_upload_waits_for_the_new_index(tmp_path: Path) -> None:
    from bot.ui.chat import Handlers
    from bot.ui.upload import INGEST_LOCK

    engine = FakeEngine()
    h = Handlers(FakeRuntime(engine, make_library()), Settings(data_dir=tmp_path / "d", seeds_dir=tmp_path / "s"))
    with INGEST_LOCK:   # held while an upload or removal re-indexes
        steps = h.respond("what did 李广密 say?", [], [], [], "zh")
        first, waiting = next(steps), next(steps)
        assert engine.calls == [] and "正在检索访谈稿" in first[0][-1]["content"]
    assert "正在为刚添加或删除的访谈稿更新索引" in waiting[0][-1]["content"]
    *_, final = steps
    chat, convo, sources, _ = final
    assert engine.calls and convo[0]["q"] == "what did 李广密 say?" and 'href="#cite-0-1"' in chat[-1]["content"]
    assert 'data-answer="0"' in sources
