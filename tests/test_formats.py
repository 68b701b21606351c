"""Every format reader and every speaker layout, on small transcripts written for these tests
(tests/fixtures/formats; the .docx and .pdf ones are built here): speakers, roles, times, offsets,
titles, and nothing of markup or timestamps inside the words."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.index.documents import CleanDoc, DocMeta, SpeakerInfo
from ingest.chunking import chunk_document
from ingest.formats import SUPPORTED_SUFFIXES, reader_for
from ingest.formats.base import row_to_line
from ingest.formats.subtitles import Cue, cues_to_text
from ingest.loader import load_file
from ingest.manifest import guess_title, readable_name
from ingest.model import LoadedFile, Skipped
from ingest.parse import to_clean_doc
from ingest.timestamps import strip_timestamps, time_at

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "formats"
# What must never be inside a speaker's words: markdown, HTML, time marks, cue arrows.
LEAKS = re.compile(r"(?m)\*\*|__|^#{1,6}\s|\]\(|!\[|</?[a-zA-Z][^>]*>|^>\s|&[a-z]+;|-->"
                   r"|\d{1,2}:\d{2}:\d{2}|[\[(（]\d{1,2}:\d{2}[\])）]|\bWEBVTT\b|<v\b")


def _doc(name: str, folder: Path = FIXTURES, manifest: dict | None = None) -> CleanDoc:
    loaded = load_file(folder / name, folder)
    assert isinstance(loaded, LoadedFile), loaded
    return to_clean_doc(loaded, manifest or {})


def _speech(doc: CleanDoc) -> list[tuple[str | None, str]]:
    return [(t.speaker, doc.text[t.start:t.end]) for t in doc.turns if t.kind == "speech"]


def _check(doc: CleanDoc) -> None:
    """Offsets index the cleaned text, turns are in order, no markup or time inside any words,
    names are clean, chunks are exact slices that carry the time of a timed transcript."""
    last = 0
    for i, t in enumerate(doc.turns):
        assert t.index == i and last <= t.start < t.end <= len(doc.text)
        words = doc.text[t.start:t.end]
        assert words == words.strip()
        assert not LEAKS.search(words), (doc.file, words[:80])
        if t.speaker is not None:
            assert not re.search(r"[*#:：\[\]]|\d{1,2}:\d{2}", t.speaker), t.speaker
        last = t.end
    assert doc.meta.title and not re.fullmatch(r"[\W_]+", doc.meta.title), doc.meta.title
    for c in chunk_document(doc, 120, 200):
        assert c.text == doc.text[c.start:c.end]
        if doc.times and c.kind == "speech" and c.start >= doc.times[0][0]:
            assert c.time is not None and c.time == time_at(doc.times, c.start)


def _roles(doc: CleanDoc) -> dict[str, str]:
    return {s.name: s.role for s in doc.meta.speakers}


# --- the factory -----------------------------------------------------------------------------------
def test_one_reader_per_type_chosen_by_suffix() -> None:
    assert set(SUPPORTED_SUFFIXES) >= {".txt", ".md", ".srt", ".vtt", ".docx", ".pdf"}
    kinds = {s: type(reader_for(f"x{s.upper()}")).__name__ for s in SUPPORTED_SUFFIXES}
    assert kinds[".srt"] == "SrtReader" and kinds[".vtt"] == "VttReader" and kinds[".docx"] == "DocxReader"
    assert reader_for("slides.pptx") is None and reader_for("README") is None


@pytest.mark.parametrize("name, data, reason", [
    ("a.pdf", b"%PDF-1.4\n", "not a readable PDF"),
    ("a.pdf", b"hello", "not a PDF"),
    ("a.docx", b"plain text", "not a Word .docx"),
    ("a.docx", b"PK\x03\x04garbage", "not"),
    ("a.srt", b"1\nnot a time\nwords\n", "not a valid SubRip"),
    ("a.vtt", b"no header\n", "not a valid WebVTT"),
    ("a.md", bytes(range(256)) * 20, "binary"),
])
def test_unreadable_files_are_skipped_with_a_reason(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    (tmp_path / name).write_bytes(data)
    got = load_file(tmp_path / name, tmp_path)
    assert isinstance(got, Skipped) and reason in got.reason, got


# --- markdown ----------------------------------------------------------------------------------------
def test_markdown_front_matter_bold_labels_and_markup_out_of_the_words() -> None:
    doc = _doc("bold_labels.md")
    _check(doc)
    assert doc.meta.title == "Compute, Data and the Next Models: a conversation with Maya Ortiz"
    assert doc.meta.date == "2025-03-14" and doc.meta.links == ["https://example.org/episodes/42"]
    assert doc.meta.media_url == "https://www.youtube.com/watch?v=abc123XYZ00"
    assert _roles(doc) == {"Tom Reyes": "host", "Maya Ortiz": "guest"}   # from front matter
    speech = _speech(doc)
    assert [s for s, _ in speech] == ["Tom Reyes", "Maya Ortiz"] * 4
    assert speech[1][1].startswith("I started in speech recognition, back when we still built phoneme models by hand.")
    assert "We doubled the clean data" in speech[3][1]
    assert speech[5][1] == ("Mostly from careful filtering. We throw away about ninety percent of what we crawl."
                            "\n\nThen we pay people to write the rest.")
    # headings are sections, the TOC and the HTML comment are gone, the block quote is narration
    assert [t.section for t in doc.turns if t.kind == "heading"] == [None, "Opening", "Data"]
    assert "#opening" not in doc.text and "exported from" not in doc.text and "studio.png" not in doc.text
    note = next(t for t in doc.turns if doc.text[t.start:t.end].startswith("Editor's note"))
    assert note.kind == "narration" and note.speaker is None
    assert doc.layout["layout"] == "prefix" and doc.layout["speakers"][0]["why"] == "front matter"


def test_markdown_heading_labels_in_traditional_chinese() -> None:
    doc = _doc("heading_labels.md")
    _check(doc)
    assert doc.meta.title == "數位韌性座談紀錄"
    assert [s for s, _ in _speech(doc)] == ["主持人", "林志遠", "林志遠", "主持人", "林志遠", "主持人", "林志遠"]
    assert _roles(doc) == {"主持人": "host", "林志遠": "guest"}
    aside = next(t for t in doc.turns if doc.text[t.start:t.end] == "（現場笑）")
    assert aside.kind == "narration"
    assert "###" not in doc.text and "：\n" not in "".join(w for _, w in _speech(doc))


def test_yaml_front_matter_never_becomes_the_title(tmp_path: Path) -> None:
    (tmp_path / "ep-7_notes.md").write_text("---\nguests: [A. Person]\n---\n\nJust words of a talk.\n", encoding="utf-8")
    doc = _doc("ep-7_notes.md", tmp_path)
    assert doc.meta.title == "ep 7 notes" and "---" not in doc.text
    (tmp_path / "t.txt").write_text("---\ntitle: 一场对话\n---\n甲：你好？\n乙：你好。\n", encoding="utf-8")
    assert _doc("t.txt", tmp_path).meta.title == "一场对话"
    assert guess_title("---\n\n#\n", "x_y.md") == "x y"


# --- subtitles ---------------------------------------------------------------------------------------
def test_vtt_voice_tags_cues_joined_into_turns_with_times() -> None:
    doc = _doc("voices.vtt")
    _check(doc)
    speech = _speech(doc)
    assert [s for s, _ in speech] == ["Hannah Brooks", "Omar Haddad"] * 3
    assert speech[0][1] == "Let's start with the budget. Where are we after the first quarter?"
    assert speech[1][1] == "We are slightly under. Travel came in lower than planned, and the hardware order slipped into April."
    assert [t.time for t in doc.turns if t.kind == "speech"] == [1.0, 4.5, 13.0, 15.2, 21.5, 24.2]
    assert _roles(doc) == {"Hannah Brooks": "host", "Omar Haddad": "guest"}   # she asks the questions
    assert speech[5][1] == "Lena owns it, with help from the security team."   # <i> gone
    assert doc.meta.title == "voices" and doc.layout["timed"] is True


def test_srt_without_speakers_is_unmarked_and_timed() -> None:
    doc = _doc("whisper.srt")
    _check(doc)
    assert doc.layout["layout"] == "unmarked" and doc.meta.speakers == []
    assert all(t.speaker is None and t.kind == "speech" for t in doc.turns)
    assert doc.text.startswith("今天我想讲一讲为什么小型水电站在山区仍然很重要。第一，它不需要长距离的输电线路。")
    chunks = chunk_document(doc, 30, 60)
    assert chunks[0].time == 0.0 and chunks[-1].time == 29.0    # the last cue after a pause
    assert {c.role for c in chunks} == {"unmarked"}


def test_cues_joined_across_lines_turn_marks_and_rolling_captions() -> None:
    text = cues_to_text([
        Cue(0.0, 2.0, "so what we found\nwas surprising"), Cue(2.0, 4.0, "was surprising\nand it held up."),
        Cue(4.5, 6.0, ">> Interviewer: why?"), Cue(6.0, 8.0, "- Because nobody\nchecked.")])
    clean, times = strip_timestamps(text, timed=True)
    assert clean.split("\n\n") == ["so what we found was surprising and it held up.", "Interviewer: why?",
                                   "Because nobody checked."]
    assert [t for _, t in times] == [0.0, 2.0, 4.5, 6.0]


# --- plain-text layouts ------------------------------------------------------------------------------
def test_name_and_time_on_their_own_line_continuations_and_a_sponsor_read() -> None:
    doc = _doc("name_time_lines.txt")
    _check(doc)
    speech = _speech(doc)
    assert [s for s, _ in speech] == ["Priya Natarajan", "Daniel Kessler", "Priya Natarajan", "Daniel Kessler",
                                      "Priya Natarajan", "Daniel Kessler"]
    assert _roles(doc) == {"Priya Natarajan": "host", "Daniel Kessler": "guest"}   # she introduces him
    ad = next(t for t in doc.turns if "brought to you by" in doc.text[t.start:t.end])
    assert ad.kind == "narration" and ad.speaker is None
    # the time-only line goes on with the same speaker, and its passage carries its own time
    cal = doc.text.index("The hard part is calibration.")
    assert time_at(doc.times, cal) == 90.0
    assert [t.time for t in doc.turns if t.kind == "speech"] == [5.0, 21.0, 40.0, 46.0, 125.0, 129.0]
    assert doc.meta.title == "The Long Game, episode 12"
    assert "Priya" in next(s for s in doc.meta.speakers if s.name == "Priya Natarajan").aliases


def test_name_with_time_in_parentheses_before_the_colon() -> None:
    doc = _doc("paren_time.txt")
    _check(doc)
    assert [s for s, _ in _speech(doc)] == ["Ana Souza", "Kenji Mori"] * 3
    assert [t.time for t in doc.turns if t.kind == "speech"] == [0.0, 12.0, 65.0, 70.0, 150.0, 156.0]
    assert _speech(doc)[0][1].startswith("Thanks for joining me, Kenji.")


def test_raw_asr_lines_with_times_and_no_labels() -> None:
    doc = _doc("raw_asr.txt")
    _check(doc)
    assert doc.layout["layout"] == "unmarked" and "speakers not marked" in doc.layout["why"]
    assert all(t.speaker is None for t in doc.turns) and doc.turns[0].kind == "speech"
    assert doc.meta.title == "raw asr"
    assert time_at(doc.times, doc.text.index("最大的难点")) == 27.0


def test_unmarked_recording_with_people_in_the_manifest_credits_nobody(tmp_path: Path) -> None:
    doc = _doc("raw_asr.txt", manifest={"raw_asr.txt": DocMeta(title="夜间经济", speakers=[
        SpeakerInfo(name="王芳", role="host"), SpeakerInfo(name="李强", role="guest")])})
    assert doc.layout["layout"] == "unmarked" and doc.layout["people"] == ["王芳", "李强"]
    assert all(t.speaker is None for t in doc.turns)
    assert {c.role for c in chunk_document(doc)} == {"unmarked"}


def test_role_labels_q_and_a() -> None:
    doc = _doc("qa_roles.txt")
    _check(doc)
    assert [s for s, _ in _speech(doc)] == ["Q", "A"] * 3
    assert _roles(doc) == {"Q": "host", "A": "guest"}
    # with a manifest naming the one guest, A is that person
    named = _doc("qa_roles.txt", manifest={"qa_roles.txt": DocMeta(title="", speakers=[SpeakerInfo(name="Marit Olsen", role="guest")])})
    assert [s for s, _ in _speech(named)][:2] == ["Q", "Marit Olsen"]


def test_press_conference_role_and_reporter_labels_with_outlets() -> None:
    doc = _doc("press.txt")
    _check(doc)
    speakers = [s for s, _ in _speech(doc)]
    assert speakers == ["主持人", "记者（新华社）", "发言人 王明", "记者（路透社）", "发言人 王明", "Bloomberg reporter", "发言人 王明"]
    roles = _roles(doc)
    assert roles["记者（新华社）"] == roles["Bloomberg reporter"] == roles["主持人"] == "host"
    assert roles["发言人 王明"] == "guest"


def test_meeting_recorder_numbered_speakers_and_time_only_continuations() -> None:
    doc = _doc("feishu.txt")
    _check(doc)
    assert [s for s, _ in _speech(doc)] == ["说话人 1", "说话人 2", "说话人 1", "说话人 2", "说话人 1"]
    kw = next(t for t in doc.turns if doc.text[t.start:t.end].startswith("关键词"))
    assert kw.kind == "narration"
    second = _speech(doc)[1][1]
    assert second.endswith("夜间模式的颜色太暗。") and time_at(doc.times, doc.text.index("另外用户反馈")) == 40.0
    assert doc.meta.title == "产品周会 2025-06-03"


@pytest.mark.parametrize("label", ["**张三:**", "**张三**:", "### 张三：", "张三 (01:02):", "【张三】：", "张三 (host):"])
def test_label_shapes_give_clean_names(tmp_path: Path, label: str) -> None:
    other = label.replace("张三", "李四")
    lines = [f"{label} 第{i}个问题是什么？\n{other} 第{i}个回答。" for i in range(1, 4)]
    (tmp_path / "x.txt").write_text("\n".join(lines), encoding="utf-8")
    doc = _doc("x.txt", tmp_path)
    _check(doc)
    assert [s for s, _ in _speech(doc)] == ["张三", "李四"] * 3, doc.layout
    assert _speech(doc)[1][1] == "第1个回答。"


def test_labels_that_are_not_people(tmp_path: Path) -> None:
    text = "\n".join(["Note: this is a draft.", "Yeah", "Right", "Yeah", "Right", "Yeah", "Right", "Note: again.",
                      "Note: and again.", "Okay"])
    (tmp_path / "x.txt").write_text(text, encoding="utf-8")
    doc = _doc("x.txt", tmp_path)
    assert doc.layout["layout"] == "unmarked" and doc.meta.speakers == []


# --- docx and pdf, built here ------------------------------------------------------------------------
def _docx(path: Path) -> None:
    import docx

    d = docx.Document()
    d.core_properties.title = "Weekly sync, export"
    d.add_paragraph("Weekly sync", style="Title")
    d.add_paragraph("Keywords: budget, hiring")
    for name, stamp, words in [("Jonas Weber", "0:05", "Where are we on hiring this quarter?"),
                               ("Aiko Tanaka", "0:12", "Two offers are out and one was accepted."),
                               ("Jonas Weber", "1:03", "Which team gets the new engineer?"),
                               ("Aiko Tanaka", "1:10", "Platform, because the on-call load is the highest there.")]:
        d.add_paragraph(f"{name}  {stamp}")
        d.add_paragraph(words)
    d.add_heading("Action items", level=2)
    table = d.add_table(rows=0, cols=3)
    for stamp, who, words in [("00:02:00", "Jonas Weber", "Can you send the offer letters today?"),
                              ("00:02:07", "Aiko Tanaka", "Yes, before five.")]:
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = stamp, who, words
    d.save(path)


def test_docx_meeting_export_layouts(tmp_path: Path) -> None:
    _docx(tmp_path / "sync.docx")
    doc = _doc("sync.docx", tmp_path)
    _check(doc)
    assert doc.meta.title == "Weekly sync"
    speech = _speech(doc)
    assert [s for s, _ in speech] == ["Jonas Weber", "Aiko Tanaka"] * 3
    assert speech[3][1] == "Platform, because the on-call load is the highest there."
    assert [t.time for t in doc.turns if t.kind == "speech"] == [5.0, 12.0, 63.0, 70.0, 120.0, 127.0]
    assert next(t for t in doc.turns if doc.text[t.start:t.end] == "Action items").kind == "heading"
    assert _roles(doc) == {"Jonas Weber": "host", "Aiko Tanaka": "guest"}
    assert load_file(tmp_path / "sync.docx", tmp_path).format == "docx"


def _pdf(path: Path) -> None:
    from reportlab.lib.pagesizes import A5
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = getSampleStyleSheet()["Normal"]
    style.fontName = "STSong-Light"
    long_answer = ("我觉得最重要的是数据的质量而不是数量，" * 6) + "这是我们这几年最大的教训。"
    story = [Paragraph("主持人：请您先介绍一下团队现在的规模好吗？", style),
             Paragraph(f"陈晓：{long_answer}", style), PageBreak(),
             Paragraph("主持人：那下一步的计划是什么？", style),
             Paragraph("陈晓：明年我们会把一半的算力投到评测上。", style),
             Paragraph("主持人：最后一个问题，您怎么招人？", style),
             Paragraph("陈晓：看他做过的东西，不看简历。", style)]

    def number(canvas, _doc) -> None:
        canvas.setFont("Helvetica", 9)
        canvas.drawString(180, 20, str(canvas.getPageNumber()))

    SimpleDocTemplate(str(path), pagesize=A5, title="团队与数据").build(story, onFirstPage=number, onLaterPages=number)


def test_pdf_text_layer_lines_joined_back_into_paragraphs(tmp_path: Path) -> None:
    _pdf(tmp_path / "talk.pdf")
    doc = _doc("talk.pdf", tmp_path)
    _check(doc)
    assert doc.meta.title == "团队与数据"
    speech = _speech(doc)
    assert [s for s, _ in speech] == ["主持人", "陈晓"] * 3
    assert speech[1][1] == ("我觉得最重要的是数据的质量而不是数量，" * 6) + "这是我们这几年最大的教训。"
    assert not re.search(r"(?m)^\d+$", doc.text)   # page numbers gone


def test_pdf_without_text_layer_is_skipped(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(tmp_path / "scan.pdf"))
    c.rect(50, 50, 200, 200, fill=1)
    c.save()
    got = load_file(tmp_path / "scan.pdf", tmp_path)
    assert isinstance(got, Skipped) and "no text layer" in got.reason


# --- timestamps and titles ---------------------------------------------------------------------------
@pytest.mark.parametrize("line, words, seconds", [
    ("[00:03:10] 大家好。", "大家好。", 190.0),
    ("Name (12:34): words", "Name: words", 754.0),
    ("Nathan Lambert  00:12:34", "Nathan Lambert", 754.0),
    ("说话人 1 00:01", "说话人 1", 1.0),
    ("00:00:01,000 --> 00:00:04,000 a range", "a range", 1.0),
    ("【01:02:03】 全角括号", "全角括号", 3723.0),
])
def test_timestamp_shapes(line: str, words: str, seconds: float) -> None:
    text = "\n\n".join([line, "[00:00:00] a", "[00:00:00] b", "[00:00:00] c"])
    clean, times = strip_timestamps(text)
    assert clean.split("\n\n")[0] == words and times[0] == (0, seconds)


def test_prose_times_and_clock_times_are_not_timestamps() -> None:
    text = "会议定在 10:30 开始。\n\n我们 9:15 到。"
    assert strip_timestamps(text) == (text, [])
    clean, times = strip_timestamps("2026年05月24日 11:11\n\n[00:00:05] a\n\n[00:00:09] b\n\n[00:00:12] c")
    assert clean.startswith("2026年05月24日 11:11\n\n") and times[0] == (clean.index("a"), 5.0)
    assert strip_timestamps("he said [inaudible 00:23:06] twice")[0] == "he said [inaudible] twice"


def test_file_names_made_readable() -> None:
    assert readable_name("293_Human-Robot_Interaction.mp3.srt") == "293 Human Robot Interaction mp3"
    assert readable_name("138. 访谈3.5小时_原文.pdf") == "138 访谈3.5小时 原文"
    assert readable_name("000_7c025ce395f4bbe9.txt") == "000_7c025ce395f4bbe9"
    # a name that is one run-together word is taken apart; beside other words a CamelCase word is a name
    assert readable_name("PythonDocumentary.vtt") == "Python Documentary"
    assert readable_name("OpenClaw_keynote-GitHub.srt") == "OpenClaw keynote GitHub"
    assert readable_name("OpenAI.srt") == "OpenAI"


def test_table_rows_read_as_labelled_lines() -> None:
    assert row_to_line(["00:01:02", "Ann", "Hello there, everyone."]) == "[00:01:02] Ann: Hello there, everyone."
    assert row_to_line(["Ann", "Ann", "Hi"]) == "Ann  Hi"
    assert row_to_line(["", ""]) == ""


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.iterdir()))
def test_every_fixture_is_clean(name: str) -> None:
    _check(_doc(name))


def test_speakers_get_the_names_a_question_may_use() -> None:
    from ingest.layouts import auto_aliases

    got = auto_aliases(["杨植麟", "主持人", "腾讯新闻", "Nathan Lambert", "Nathan Cho", "说话人 1"])
    assert got["杨植麟"] == ["Yang Zhilin", "Zhilin Yang"]
    assert got["主持人"] == [] and got["腾讯新闻"] == [] and got["说话人 1"] == []
    assert got["Nathan Lambert"] == ["Lambert"] and got["Nathan Cho"] == ["Cho"]   # "Nathan" names both


@pytest.mark.slow
def test_a_question_about_someone_in_an_unmarked_recording_says_whose_words_they_are(tmp_path: Path) -> None:
    """The engine answers from the recording 李强 is in, and says the words are not marked as his,
    in the answer's language (the local e5 model: a hashed stand-in finds nothing relevant)."""
    from bot.answer.engine import ChatEngine
    from bot.index.embeddings import make_embedder
    from bot.retrieval.live import build_services
    from bot.settings import Settings
    from ingest.pipeline import run_ingest

    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(FIXTURES / "raw_asr.txt", src / "raw_asr.txt")
    (src / "manifest.toml").write_text('["raw_asr.txt"]\ntitle = "夜间经济"\n[["raw_asr.txt".speakers]]\n'
                                       'name = "王芳"\nrole = "host"\n[["raw_asr.txt".speakers]]\nname = "李强"\nrole = "guest"\n',
                                       encoding="utf-8")
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", openai_api_key=None, openai_base_url=None)
    emb = make_embedder(settings)
    run_ingest(settings, src, embedder=emb)
    engine = ChatEngine(settings, build_services(settings, emb).retriever)
    zh = engine.ask("李强怎么看夜市的就业?")
    assert not zh.refused and "《夜间经济》的转录没有标出说话人" in (zh.notice or ""), (zh.text, zh.notice)
    en = engine.ask("What does 李强 say about jobs at the night market?")
    assert "does not mark speakers" in (en.notice or "") or en.refused, (en.text, en.notice)
