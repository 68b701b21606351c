"""Property tests (hypothesis) for cleaning, speaker parsing and chunking on arbitrary text:
never crash, offsets always index the cleaned text, and a turn's chunks cover its words in order.
The same through every format reader (markdown, subtitles, docx, pdf): arbitrary content in each
format's shapes, and nothing of markup or timestamps left inside the words."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.index.documents import CleanDoc, DocMeta, SpeakerInfo
from ingest.chunking import chunk_document
from ingest.clean import clean_text
from ingest.model import LoadedFile
from ingest.parse import to_clean_doc
from ingest.speakers import parse_turns

# Pieces that real transcripts are made of, so random text often hits the parsers' paths:
# labels, headings, summaries, sentence ends, pinyin junk, site furniture, odd whitespace.
FRAGMENTS = [
    "张三:", "李四:", "张三：", "Li Si:", "主持人:", "\n", "\n\n", "\r\n", " ", "\u3000", "\t", "。", "！", "？", "；",
    "…", "”", "「", "」", ",", "、", ":", "1. ", "01 ", "一、", "观点提炼:", "更新:", "图:", "(nèi)", "內(nèi)",
    "关注公众号", "阅读原文", "|", "——", "GPT-4", "8000 万美金", "我觉得这个问题很重要", "我们今天聊聊大模型",
    "\u200b", "\x00", "\x1b[31m", "<script>alert(1)</script>", "😀", "ا", "Ж", "𠀀", "\ufeff",
    # the other layouts' shapes: markup around labels, times before and after them, role labels
    "**张三:**", "**李四**:", "### 张三：", "> ", "# ", "[00:01:02] ", "张三 (01:02): ", "Li Si  00:12:34\n",
    "00:05\n", "Q: ", "A: ", "记者（新华社）：", "---\ntitle: x\n---\n", "[link](http://x.y)", "![i](a.png)",
    "This episode is brought to you by Acme. ", "说话人 1 00:01\n",
]
pieces = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12))
texts = st.lists(pieces, max_size=60).map("".join)
metas = st.sampled_from([
    DocMeta(title="t"),
    DocMeta(title="t", speakers=[SpeakerInfo("张三", "host"), SpeakerInfo("李四", "guest", aliases=["Li Si"])]),
    DocMeta(title="t", speakers=[SpeakerInfo("李四", "speaker")], default_speaker="李四"),
])
sizes = st.tuples(st.integers(8, 320), st.integers(0, 200)).map(lambda t: (t[0], t[0] + t[1]))
PROPS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _nonspace(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _check_turns(text: str, turns: list) -> None:
    last_end = 0
    for i, t in enumerate(turns):
        assert t.index == i
        assert 0 <= t.start <= t.end <= len(text)
        assert t.start >= last_end, "turns are in order and do not overlap"
        last_end = t.end
        assert (t.speaker is None) or t.kind == "speech"


def _check_chunks(doc: CleanDoc, size: int, max_size: int) -> None:
    chunks = chunk_document(doc, size, max_size)
    assert len({c.id for c in chunks}) == len(chunks), "chunk ids are unique"
    for c in chunks:
        assert c.text == doc.text[c.start:c.end]
        assert c.text.strip() and len(c.text) <= max_size
    for turn in doc.turns:
        mine = [c for c in chunks if c.turn == turn.index]
        if turn.kind == "heading":
            assert not mine
            continue
        assert [c.part for c in mine] == list(range(len(mine)))
        assert all(a.end <= b.start for a, b in zip(mine, mine[1:])), "in order, no overlap"
        assert all(turn.start <= c.start and c.end <= turn.end for c in mine)
        assert all(c.speaker == turn.speaker and c.kind == turn.kind for c in mine)
        # Together they hold every non-whitespace character of the turn, in order.
        assert "".join(_nonspace(c.text) for c in mine) == _nonspace(doc.text[turn.start:turn.end])


@PROPS
@given(texts)
def test_clean_text_never_crashes_and_keeps_its_paragraph_convention(raw: str) -> None:
    out = clean_text(raw)
    assert isinstance(out, str)
    assert out == out.strip("\n"), "no leading or trailing blank lines"
    assert "\n\n\n" not in out
    assert clean_text(out) == clean_text(clean_text(out)), "cleaning settles"


@PROPS
@given(texts, metas)
def test_parse_turns_never_crashes_and_offsets_index_the_text(raw: str, meta: DocMeta) -> None:
    text = clean_text(raw)
    _check_turns(text, parse_turns(text, meta))


@PROPS
@given(texts, metas, sizes)
def test_chunks_are_exact_slices_covering_each_turn(raw: str, meta: DocMeta, size: tuple[int, int]) -> None:
    loaded = LoadedFile(path=Path("talk.txt"), doc_id="talk", text=raw, encoding="utf-8")
    doc = to_clean_doc(loaded, {"talk.txt": meta})
    _check_turns(doc.text, doc.turns)
    _check_chunks(doc, *size)


@PROPS
@given(texts, sizes)
def test_chunking_handles_any_text_as_one_speakers_turn(raw: str, size: tuple[int, int]) -> None:
    """Bypass cleaning and parsing: one speech turn over the raw text, whatever it holds."""
    from bot.index.documents import Turn

    doc = CleanDoc("raw", "raw.txt", raw, [Turn(0, "speech", "张三", 0, len(raw))],
                   DocMeta(title="t", speakers=[SpeakerInfo("张三", "guest")]))
    _check_chunks(doc, *size)


@PROPS
@given(st.lists(st.tuples(st.sampled_from(["张三", "李四"]), st.text(min_size=1, max_size=400)), min_size=1,
                max_size=8), sizes)
def test_labelled_dialogue_keeps_speakers_apart(turns: list[tuple[str, str]], size: tuple[int, int]) -> None:
    raw = "访谈\n" + "\n".join(f"{who}:{words}" for who, words in turns)
    meta = DocMeta(title="访谈", speakers=[SpeakerInfo("张三", "host"), SpeakerInfo("李四", "guest")])
    doc = to_clean_doc(LoadedFile(Path("d.txt"), "d", raw, "utf-8"), {"d.txt": meta})
    _check_turns(doc.text, doc.turns)
    _check_chunks(doc, *size)
    for c in chunk_document(doc, *size):
        assert c.speaker in (None, "张三", "李四")


# --- every format -------------------------------------------------------------------------------------
from ingest.formats import reader_for  # noqa: E402
from ingest.timestamps import strip_timestamps, time_at  # noqa: E402

# Fewer examples where each one writes and reads a file (docx, subtitles): the shapes are few.
FILE_PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                             HealthCheck.function_scoped_fixture])
_TIME_IN_WORDS = re.compile(r"\d{1,2}:\d{2}:\d{2}|-->|\[\d{1,2}:\d{2}")
words = st.lists(st.sampled_from(["我们", "做了", "模型", "data", "is", "clean", "。", "，", "?", " ", "really", "好"]),
                 min_size=1, max_size=12).map("".join).filter(lambda w: w.strip() != "")
names = st.sampled_from(["Ann Lee", "Bo Chen", "张三", "李四"])


def _load(tmp_path: Path, name: str, data: bytes) -> CleanDoc | None:
    from ingest.loader import load_file

    (tmp_path / name).write_bytes(data)
    got = load_file(tmp_path / name, tmp_path)
    if not isinstance(got, LoadedFile):
        return None
    return to_clean_doc(got, {})


def _check_doc(doc: CleanDoc) -> None:
    _check_turns(doc.text, doc.turns)
    _check_chunks(doc, 120, 200)
    for t in doc.turns:
        assert not _TIME_IN_WORDS.search(doc.text[t.start:t.end]), doc.text[t.start:t.end]
    offsets = [o for o, _ in doc.times]
    assert offsets == sorted(offsets) and all(0 <= o <= len(doc.text) for o in offsets)


@FILE_PROPS
@given(st.lists(st.tuples(st.floats(0, 5000, allow_nan=False), st.floats(0.1, 9), st.one_of(st.none(), names), words),
                min_size=1, max_size=25), st.sampled_from([".srt", ".vtt"]))
def test_subtitles_any_cues(tmp_path_factory, cues: list, suffix: str) -> None:
    """Cues in any order and timing, with or without voices: the words come out without times, each
    chunk's time is the time mark before it, and every cue's words are somewhere in the text."""
    from ingest.formats.base import hms

    cues = sorted(cues, key=lambda c: c[0])
    def stamp(sec: float, sep: str) -> str:
        return hms(sec).strip("[]").replace(".", sep) + ("" if "." in hms(sec) else f"{sep}000")
    if suffix == ".srt":
        body = "\n".join(f"{i}\n{stamp(a, ',')} --> {stamp(a + d, ',')}\n{w}\n" for i, (a, d, _, w) in enumerate(cues, 1))
    else:
        body = "WEBVTT\n\n" + "\n".join(f"{stamp(a, '.')} --> {stamp(a + d, '.')}\n{f'<v {v}>' if v else ''}{w}\n"
                                         for a, d, v, w in cues)
    doc = _load(tmp_path_factory.mktemp("s"), "x" + suffix, body.encode())
    if doc is None:
        return
    _check_doc(doc)
    assert doc.times and doc.layout["timed"]
    for c in chunk_document(doc):
        assert c.time == time_at(doc.times, c.start)


@FILE_PROPS
@given(st.lists(st.tuples(st.one_of(st.none(), names), st.sampled_from(["", "**", "### ", "> "]),
                          st.one_of(st.none(), st.integers(0, 7200)), words), min_size=1, max_size=15),
       st.booleans(), st.sampled_from([".md", ".txt"]))
def test_markdown_and_text_any_label_shapes(tmp_path_factory, paras: list, front: bool, suffix: str) -> None:
    lines = ["---\ntitle: 访谈\nguests: [Bo Chen]\n---"] if front else []
    for who, mark, sec, w in paras:
        t = f"[{sec // 3600:02d}:{sec % 3600 // 60:02d}:{sec % 60:02d}] " if sec is not None else ""
        if who is None:
            lines.append(f"{t}{w}")
        elif mark == "**":
            lines.append(f"{t}**{who}:** {w}")
        elif mark == "### ":
            lines.append(f"### {who}：\n\n{t}{w}")
        else:
            lines.append(f"{mark}{t}{who}: {w}")
    doc = _load(tmp_path_factory.mktemp("m"), "x" + suffix, "\n\n".join(lines).encode())
    if doc is None:
        return
    _check_doc(doc)
    assert doc.meta.title and doc.meta.title != "---"
    for t in doc.turns:
        if t.speaker is not None:
            assert not re.search(r"[*#:：]|\d:\d", t.speaker)
        if suffix == ".md":
            assert "**" not in doc.text[t.start:t.end]


@FILE_PROPS
@given(st.lists(st.tuples(names, words), min_size=1, max_size=12), st.booleans())
def test_docx_any_paragraphs_and_tables(tmp_path_factory, rows: list, as_table: bool) -> None:
    import io

    import docx

    d = docx.Document()
    if as_table:
        table = d.add_table(rows=0, cols=3)
        for i, (who, w) in enumerate(rows):
            cells = table.add_row().cells
            cells[0].text, cells[1].text, cells[2].text = f"00:{i:02d}:00", who, w
    else:
        for i, (who, w) in enumerate(rows):
            d.add_paragraph(f"{who}  {i}:00")
            d.add_paragraph(w)
    buf = io.BytesIO()
    d.save(buf)
    doc = _load(tmp_path_factory.mktemp("d"), "x.docx", buf.getvalue())
    if doc is None:
        return
    _check_doc(doc)


@PROPS
@given(st.lists(st.sampled_from(["a", "lines", "of", "text", "page", "12", "Ann:", "\n", "- ", "00:01"]), max_size=80)
       .map(" ".join), st.integers(1, 3))
def test_pdf_line_joining_never_loses_words(text: str, n_pages: int) -> None:
    from ingest.formats.pdf import join_lines

    pages = [[ln.strip() for ln in text.split("\n") if ln.strip()] for _ in range(n_pages)]
    out = join_lines(pages)
    assert all(p.strip() == p and p for p in out)
    kept = re.sub(r"\s+", "", "".join(out))
    assert set(kept) <= set(re.sub(r"\s+", "", text))


@PROPS
@given(texts)
def test_timestamps_leave_the_text_sane(raw: str) -> None:
    text = clean_text(raw)
    out, times = strip_timestamps(text)
    assert out == out.strip() and "\n\n\n" not in out
    assert all(0 <= o <= len(out) for o, _ in times) and [o for o, _ in times] == sorted(o for o, _ in times)
    if times:
        assert not re.search(r"\[\d{1,2}:\d{2}:\d{2}\]", out)


def test_every_reader_says_why_on_random_bytes(tmp_path: Path) -> None:
    import random

    rnd = random.Random(7)
    for suffix in (".txt", ".md", ".srt", ".vtt", ".docx", ".pdf"):
        for _ in range(20):
            data = bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 400)))
            got = reader_for("x" + suffix).read(data)   # never raises
            assert isinstance(got, str) or got.text is not None
