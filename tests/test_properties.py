"""Property tests (hypothesis) for cleaning, speaker parsing and chunking on arbitrary text:
never crash, offsets always index the cleaned text, and a turn's chunks cover its words in order."""

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
