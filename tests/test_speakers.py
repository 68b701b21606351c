"""parse_turns(): the three layouts, their traps, offsets; and the real seeds end to end."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.index.documents import CleanDoc, DocMeta, SpeakerInfo, Turn
from ingest.clean import clean_text
from ingest.loader import load_file
from ingest.manifest import load_manifest
from ingest.model import LoadedFile
from ingest.parse import to_clean_doc
from ingest.speakers import parse_turns

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def _doc(prefix: str, manifest: bool = True) -> CleanDoc:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    loaded = load_file(path, SEEDS)
    assert isinstance(loaded, LoadedFile)
    return to_clean_doc(loaded, load_manifest(SEEDS) if manifest else {})


def _words(text: str, t: Turn) -> str:
    return text[t.start:t.end]


def _speech(turns: list[Turn]) -> Counter[str | None]:
    return Counter(t.speaker for t in turns if t.kind == "speech")


def _check_offsets(text: str, turns: list[Turn]) -> None:
    last = 0
    for i, t in enumerate(turns):
        assert t.index == i
        assert 0 <= last <= t.start < t.end <= len(text)
        words = text[t.start:t.end]
        assert words == words.strip()
        assert (t.speaker is None) or t.kind == "speech"
        last = t.end


INTERVIEW = DocMeta(title="", speakers=[
    SpeakerInfo(name="张鹏", role="host", aliases=["Zhang Peng"]), SpeakerInfo(name="闫俊杰", role="guest", aliases=["Yan Junjie"])])


# --- layout (a): "名字:" prefixes ----------------------------------------------------------------
def test_prefix_layout_and_follow_on_paragraphs() -> None:
    text = clean_text("张鹏:第一个问题?\n闫俊杰:回答一。\n回答一的第二段。\n张鹏：第二个问题?\nZhang Peng: 追问?")
    turns = parse_turns(text, INTERVIEW)
    _check_offsets(text, turns)
    assert [(t.speaker, _words(text, t)) for t in turns] == [
        ("张鹏", "第一个问题?"), ("闫俊杰", "回答一。\n\n回答一的第二段。"), ("张鹏", "第二个问题?"), ("张鹏", "追问?")]


def test_title_line_with_a_name_is_not_speech() -> None:
    meta = DocMeta(title="拾象科技李广密:硅谷大模型的融资由巨头主导", speakers=[SpeakerInfo(name="李广密", role="guest"), SpeakerInfo(name="张小珺", role="host")])
    text = "拾象科技李广密:硅谷大模型的融资由巨头主导\n\n编者的介绍。\n\n张小珺:问题?\n\n李广密:回答。"
    turns = parse_turns(text, meta)
    assert turns[0].kind == "heading" and turns[0].speaker is None
    assert turns[1].kind == "narration"
    assert _speech(turns) == {"张小珺": 1, "李广密": 1}


def test_unknown_prefix_is_not_a_speaker_when_the_manifest_names_people() -> None:
    text = "张鹏:问题?\n\n谈生态:巨头和创业公司是竞合关系\n\n闫俊杰:回答。\n\n2023:科技巨头主导的一年\n\n张鹏:再问?"
    turns = parse_turns(text, INTERVIEW)
    kinds = [(t.kind, t.speaker) for t in turns]
    assert ("heading", None) in kinds
    assert set(_speech(turns)) == {"张鹏", "闫俊杰"}
    headings = [t.section for t in turns if t.kind == "heading"]
    assert headings == ["谈生态:巨头和创业公司是竞合关系", "2023:科技巨头主导的一年"]
    assert turns[-1].section == "2023:科技巨头主导的一年"


def test_without_manifest_only_recurring_short_labels_are_speakers() -> None:
    text = "\n\n".join(["甲方:问?", "乙方:答。", "甲方:问?", "乙方:答。", "甲方:问?", "乙方:答。", "一次性标签:不算。"])
    turns = parse_turns(text, DocMeta(title=""))
    assert _speech(turns) == {"甲方": 3, "乙方": 3}
    assert turns[-1].speaker == "乙方" and _words(text, turns[-1]) == "答。\n\n一次性标签:不算。"  # a follow-on paragraph


def test_opening_question_goes_to_the_single_host_before_a_guest() -> None:
    text = "多模态方法上会有什么不一样吗?\n\n闫俊杰:这个是两个维度。"
    turns = parse_turns(text, INTERVIEW)
    assert (turns[0].kind, turns[0].speaker) == ("speech", "张鹏")
    # two hosts: ambiguous, stays narration
    two = DocMeta(title="", speakers=[*INTERVIEW.speakers, SpeakerInfo(name="AI光年", role="host")])
    assert parse_turns(text, two)[0].kind == "narration"
    # not a question: narration
    assert parse_turns("编者按语。\n\n闫俊杰:回答。", INTERVIEW)[0].kind == "narration"


def test_label_missing_its_colon_after_a_question() -> None:
    meta = DocMeta(title="", speakers=[SpeakerInfo(name="张小珺", role="host"), SpeakerInfo(name="李广密", role="guest")])
    text = "张小珺:格局什么时候稳定?\n\n李广密2024 年可能会决定格局。\n\n张小珺:还有呢?\n\n李广密认为的事我们不转述。"
    turns = parse_turns(text, meta)
    assert [(t.speaker, _words(text, t)[:6]) for t in turns] == [
        ("张小珺", "格局什么时候"), ("李广密", "2024 年"), ("张小珺", "还有呢?\n\n")]
    assert _words(text, turns[-1]).endswith("李广密认为的事我们不转述。")  # a name as a sentence subject is no label


def test_summary_block_is_not_speech() -> None:
    text = "觀點提煉:\n\n1. 端側模型有隱私優勢。\n\n2.云端差距1到2年。\n\n9月24日晚,節目播出。\n\n以下為實錄:\n\n端側模型的優勢\n\n林凡:問題?\n\n李大海:回答。"
    meta = DocMeta(title="", speakers=[SpeakerInfo(name="林凡", role="host"), SpeakerInfo(name="李大海", role="guest")])
    turns = parse_turns(text, meta)
    assert [t.kind for t in turns] == ["summary", "narration", "heading", "speech", "speech"]
    assert _words(text, turns[0]).endswith("1到2年。")


def test_caption_and_editor_note_are_narration() -> None:
    text = "张鹏:问?\n\n闫俊杰:答一。\n\nGPT-4o 成本|图片来源:OpenAI\n\n更新:此事后来有了结论。\n\n张鹏:再问?"
    turns = parse_turns(text, INTERVIEW)
    assert [(t.kind, t.speaker) for t in turns] == [
        ("speech", "张鹏"), ("speech", "闫俊杰"), ("narration", None), ("speech", "张鹏")]


# --- layout (b): the name on its own line --------------------------------------------------------
PODCAST = DocMeta(title="", speakers=[SpeakerInfo(name="Monica", role="host"), SpeakerInfo(name="Xuezhi Wang", role="guest", aliases=["Xuezhi"])])


def test_name_line_layout_with_timestamp_toc_and_guest_list() -> None:
    text = clean_text("""本期嘉宾:
Xuezhi Wang,Google Brain 研究员。
Monica: 风险投资人。
目录
01 第一个话题
02 第二个话题
01第一个话题
Monica
请介绍一下。
Xuezhi Wang01:46:42
我在 Google brain 做研究。
第二段(reasoning)。
02 第二个话题
monica
下一个问题?
XUEZHI WANG
回答。""")
    turns = parse_turns(text, PODCAST)
    _check_offsets(text, turns)
    got = [(t.kind, t.speaker, _words(text, t).split("\n")[0], t.section) for t in turns]
    assert got == [
        ("narration", None, "本期嘉宾:", None),
        ("heading", None, "01第一个话题", "01第一个话题"),
        ("speech", "Monica", "请介绍一下。", "01第一个话题"),
        ("speech", "Xuezhi Wang", "我在 Google brain 做研究。", "01第一个话题"),
        ("heading", None, "02 第二个话题", "02 第二个话题"),
        ("speech", "Monica", "下一个问题?", "02 第二个话题"),
        ("speech", "Xuezhi Wang", "回答。", "02 第二个话题"),
    ]
    assert "第二段(reasoning)。" in _words(text, turns[3])


# --- layout (c): one unnamed speaker -------------------------------------------------------------
def test_single_speaker_layout() -> None:
    meta = DocMeta(title="大模型的下半场", default_speaker="演讲者(未具名)")
    text = "大家好,今天讲三件事:\n\n1.共识极速达成\n\n内容一。\n\n① 超大模型:各有使命\n\n内容二。\n\n2.Agent,全村的希望?\n\n谢谢大家。"
    turns = parse_turns(text, meta)
    assert [(t.kind, t.speaker, t.section) for t in turns] == [
        ("speech", "演讲者(未具名)", None),
        ("heading", None, "1.共识极速达成"),
        ("speech", "演讲者(未具名)", "1.共识极速达成"),
        ("heading", None, "2.Agent,全村的希望?"),
        ("speech", "演讲者(未具名)", "2.Agent,全村的希望?"),
    ]
    assert "① 超大模型" in _words(text, turns[2])


def test_bare_number_heading_joins_its_title_line() -> None:
    text = "张鹏:问?\n\n闫俊杰:答。\n\n01\n\n2023:科技巨头主导的一年\n\n张鹏:再问?"
    turns = parse_turns(text, INTERVIEW)
    heading = next(t for t in turns if t.kind == "heading")
    assert _words(text, heading) == "01\n\n2023:科技巨头主导的一年"
    assert heading.section == turns[-1].section == "01 2023:科技巨头主导的一年"


def test_numbers_that_are_not_headings() -> None:
    meta = DocMeta(title="", default_speaker="S")
    for para in ["2020年6月,GPT-3 出现。", "5 年前我在 Landing AI", "20年6月的时候", "1 + 1 = 2", "3. 这是一句完整的话。"]:
        assert [t.kind for t in parse_turns(para, meta)] == ["speech"], para


# --- the seeds -----------------------------------------------------------------------------------
@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_seed_offsets_and_no_prefix_inside_words(prefix: str) -> None:
    doc = _doc(prefix)
    _check_offsets(doc.text, doc.turns)
    labels = {s.name for s in doc.meta.speakers} | {a for s in doc.meta.speakers for a in s.aliases}
    label_prefix = re.compile("(" + "|".join(map(re.escape, labels)) + r")\s*(?:[:：]|\d{1,2}:\d{2}|\n|$)")
    for t in doc.turns:
        words = _words(doc.text, t)
        assert not label_prefix.match(words), words[:30]
        if t.kind == "speech":
            assert t.speaker in {s.name for s in doc.meta.speakers}
            assert not words.startswith(t.speaker), words[:30]  # not even a label that lost its colon


def test_seed_000() -> None:
    doc = _doc("000")
    first = doc.turns[0]
    assert _words(doc.text, first).startswith("最近听到谷歌") and first.speaker != "闫俊杰"
    assert first.speaker == "张鹏"  # exactly one host, and the next labelled turn is the guest
    assert _speech(doc.turns) == {"张鹏": 21, "闫俊杰": 21}
    assert [t.section for t in doc.turns if t.kind == "heading"] == [
        "谈生态:「智能语音助理」争夺战,巨头和创业公司是复杂的竞合关系",
        "谈技术路线:投入通用基础大模型、打造通用产品,能看到真正的未来",
        "谈成本:技术成本两年内可能降 100 倍,这比探索技术上限容易多了"]
    caption = next(t for t in doc.turns if "图片来源" in _words(doc.text, t))
    assert caption.kind == "narration"


def test_seed_000_without_manifest_keeps_the_opening_question_unattributed() -> None:
    doc = _doc("000", manifest=False)
    assert doc.turns[0].kind == "narration" and doc.turns[0].speaker is None
    assert set(_speech(doc.turns)) == {"张鹏", "闫俊杰"}


def test_seed_001() -> None:
    doc = _doc("001")
    speech = _speech(doc.turns)
    assert speech == {"张小珺": 28, "李广密": 28}
    assert "拾象科技李广密" not in speech
    assert doc.turns[0].kind == "heading" and doc.turns[1].kind == "narration"  # title, editor intro
    assert _words(doc.text, doc.turns[1]).startswith("拾象科技及其公众号")
    sections = [t.section for t in doc.turns if t.kind == "heading" and t.section]
    assert sections == ["01 2023:科技巨头主导大模型发展的一年", "02 复现 GPT-4:大模型竞赛的关键门槛", "03 2024:决定大模型格局的一年"]
    missing_colon = [t for t in doc.turns if _words(doc.text, t).startswith(("如果做不出来 GPT4", "2024 年可能基本上"))]
    assert [t.speaker for t in missing_colon] == ["李广密", "李广密"]


def test_seed_001_without_manifest() -> None:
    doc = _doc("001", manifest=False)
    assert set(_speech(doc.turns)) == {"张小珺", "李广密"}


def test_seed_002() -> None:
    doc = _doc("002")
    assert _speech(doc.turns) == {"李大海": 25, "林凡": 22, "AI光年": 9}
    summary = [t for t in doc.turns if t.kind == "summary"]
    assert len(summary) == 1 and summary[0].speaker is None
    words = _words(doc.text, summary[0])
    assert words.startswith("觀點提煉:") and "13. 信息繭房" in words
    # The summary's points never count as anyone's speech, though 李大海 later says similar words.
    for t in doc.turns:
        if t.kind == "speech":
            assert "觀點提煉" not in _words(doc.text, t)
    assert sum(t.kind == "heading" for t in doc.turns) == 7


def test_seed_003() -> None:
    doc = _doc("003")
    speech = _speech(doc.turns)
    assert {"Monica", "Xuezhi Wang", "Yizhou Zheng", "Yiwen Li"} <= set(speech)
    assert speech == {"Monica": 22, "Xuezhi Wang": 15, "Yiwen Li": 15, "Yizhou Zheng": 12, "Bill Xing": 4}
    intro = doc.turns[1]
    assert intro.kind == "narration" and "Monica: 风险投资人" in _words(doc.text, intro)
    note = next(t for t in doc.turns if _words(doc.text, t).startswith("更新:"))
    assert note.kind == "narration"
    assert [t.section for t in doc.turns if t.kind == "heading" and t.section][0] == "01大语言模型的差异与核心机制"


def test_seed_004() -> None:
    doc = _doc("004")
    speaker = "演讲者(未具名,出门问问)"
    assert doc.meta.default_speaker == speaker
    assert {(t.kind, t.speaker) for t in doc.turns} == {("speech", speaker), ("heading", None)}
    headings = [t.section for t in doc.turns if t.kind == "heading"]
    assert len(headings) == 8 and headings[0] == "1.共识极速达成,全球开卷"
    assert not any(h.startswith(("①", "②")) for h in headings)


def test_golden_evidence_lands_in_the_expected_speakers_turns() -> None:
    """Every evidence span of the eval set sits in a turn by one of its expected speakers
    (or in editor text when none is expected)."""
    docs = {d.file: d for d in (_doc(p) for p in ("000", "001", "002", "003", "004"))}
    for line in (ROOT / "tests" / "eval" / "golden.jsonl").read_text(encoding="utf-8").splitlines():
        q = json.loads(line)
        checks = [(doc, q["expected_speakers"], ev) for ev in q["evidence"] for doc in q["expected_docs"]]
        checks += [(o["doc"], [o["speaker"]], o["evidence"]) for o in q.get("other_speaker_evidence") or []]
        for ev in {c[2] for c in checks}:
            cands = [(d, sp) for d, sp, e in checks if e == ev and ev in docs[d].text]
            assert cands, (q["id"], ev)
            ok = False
            for file, speakers in cands:
                d = docs[file]
                owners = {t.speaker for m in re.finditer(re.escape(ev), d.text)
                          for t in d.turns if t.start <= m.start() and m.end() <= t.end}
                ok = ok or bool(owners & set(speakers)) or (not speakers and owners == {None})
            assert ok, (q["id"], ev)


# --- properties ----------------------------------------------------------------------------------
_PIECES = st.sampled_from(["张鹏:", "闫俊杰：", "Monica", "Xuezhi Wang01:02", "01", "1.标题", "观点提炼:", "目录", "更新:",
                           "问题?", "回答。", "大模型", "\n", "\n\n", " ", "(reasoning)", "图片来源:", "①", "谈生态:"])
_METAS = [DocMeta(title=""), INTERVIEW, PODCAST, DocMeta(title="大模型", default_speaker="D"),
          DocMeta(title="", speakers=[SpeakerInfo(name="S", role="speaker")])]


@settings(max_examples=300, deadline=None)
@given(st.text() | st.lists(_PIECES, max_size=60).map("".join), st.sampled_from(_METAS), st.booleans())
def test_parse_turns_never_crashes_and_offsets_are_sane(text: str, meta: DocMeta, cleaned: bool) -> None:
    if cleaned:
        text = clean_text(text)
    turns = parse_turns(text, meta)
    _check_offsets(text, turns)
