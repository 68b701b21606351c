"""People an interview's title names: found in the title's common shapes, and linked to the words
when the transcript labels them by a nickname or marks no speakers at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.index import docstore
from bot.index.documents import SpeakerInfo
from bot.index.library import Library
from bot.text.people import pinyin_names, title_people
from tests.kinds_fixtures import make_doc


@pytest.mark.parametrize("title, people", [
    ("对话孙悦明：芯片的下一个十年｜某某会客室", ["孙悦明"]),
    ("对话深蓝动力韩东雨：电池的冬天", ["韩东雨"]),               # an organisation before the name
    ("42. 对郑可欣4小时访谈：机器人进家庭", ["郑可欣"]),
    ("Episode 12_Batteries_and_Winter_with_Marta_Kovacs_-_Tech_Talk_#9.mp3", ["Marta Kovacs"]),
    ("A Conversation featuring Ines Duarte", ["Ines Duarte"]),
    ("Interview with OneTeamGov podcast", []),                     # an organisation, one word
    ("专访部长逐字稿", []),                                         # no surname where a name would stand
    ("大模型的下半场:Agent、多模态", []),
    ("我和他的对话", []),
])
def test_title_people(title: str, people: list[str]) -> None:
    assert title_people(title) == people


def test_pinyin_names() -> None:
    assert pinyin_names("韩东雨") == ["Han Dongyu", "Dongyu Han"]
    assert pinyin_names("Marta") == []


def _library(tmp_path: Path, docs) -> Library:
    for d in docs:
        docstore.save_doc(tmp_path, d, "0" * 64)
    return Library.load(tmp_path)


def test_a_nickname_label_answers_to_the_name_in_the_title(tmp_path: Path) -> None:
    doc = make_doc("a", "对话韩东雨：电池的冬天", [
        ("小周", "冬天电池为什么不行?"), ("电池老韩", "低温下电解液变稠,锂离子走得慢,续航就掉三成。"),
        ("小周", "有办法吗?"), ("电池老韩", "预热。我们的车在充电前先把电池加热到十五度。"),
    ], [SpeakerInfo(name="小周", role="host"), SpeakerInfo(name="电池老韩", role="guest")])
    lib = _library(tmp_path, [doc])
    assert lib.split_speakers("韩东雨怎么看冬天的续航?")[0] == ["电池老韩"]
    assert lib.split_speakers("What does Han Dongyu say about winter range?")[0] == ["电池老韩"]
    # the host is never given the guest's name
    assert "韩东雨" not in lib.speakers["小周"].aliases


def test_a_label_shared_by_interviews_is_not_named(tmp_path: Path) -> None:
    turns = [("发言人 1", "你好,请介绍一下自己?"), ("发言人 2", "我做电池材料研究,已经十年了。")]
    speakers = [SpeakerInfo(name="发言人 1", role="host"), SpeakerInfo(name="发言人 2", role="guest")]
    lib = _library(tmp_path, [make_doc("a", "对话韩东雨：电池", turns, speakers),
                              make_doc("b", "对话孙悦明：芯片", turns, speakers)])
    assert lib.split_speakers("韩东雨做什么研究?")[0] == []


def test_a_person_in_an_unlabelled_recording(tmp_path: Path) -> None:
    doc = make_doc("rec", "Batteries with Marta Kovacs - Tech Talk", [
        (None, "Part one"), ("", "Cold weather slows the ions, so range drops by a third."),
    ], [])
    for t in doc.turns:
        if t.kind == "speech":
            t.speaker = None
    lib = _library(tmp_path, [doc])
    assert lib.recorded_only("Marta Kovacs") == {"rec"}
    assert lib.split_speakers("Why does range drop, according to Marta Kovacs?")[0] == ["Marta Kovacs"]


def test_the_host_beside_a_named_guest_is_that_interviews_host(tmp_path: Path) -> None:
    a = make_doc("a", "对话韩东雨：电池", [("小周", "请介绍一下韩老师?"), ("韩东雨", "我做电池十年了。")],
                 [SpeakerInfo(name="小周", role="host"), SpeakerInfo(name="韩东雨", role="guest")])
    b = make_doc("b", "对话孙悦明：芯片", [("老李", "请介绍一下孙老师?"), ("孙悦明", "我做芯片。")],
                 [SpeakerInfo(name="老李", role="host"), SpeakerInfo(name="孙悦明", role="guest")])
    lib = _library(tmp_path, [a, b])
    assert lib.split_speakers("主持人怎么介绍韩东雨?")[0] == ["小周", "韩东雨"]
    assert sorted(lib.split_speakers("主持人怎么看芯片?")[0]) == ["小周", "老李"]


def test_each_named_person_is_searched_with_the_others_names_kept(tmp_path: Path) -> None:
    # "主持人怎么介绍韩东雨": the host's words about 韩东雨 hold her name; only the role word comes
    # out of the host's search (mixed m055: the host's intro ranked 1st instead of nowhere)
    a = make_doc("a", "对话韩东雨：电池", [("小周", "今天的嘉宾是韩东雨,她做电池。"), ("韩东雨", "我做电池十年了。")],
                 [SpeakerInfo(name="小周", role="host"), SpeakerInfo(name="韩东雨", role="guest")])
    lib = _library(tmp_path, [a])
    q = "主持人怎么介绍韩东雨?"
    assert lib.topic_for(q, "小周").replace(" ", "") == "怎么介绍韩东雨?"
    assert lib.topic_for(q, "韩东雨").replace(" ", "") == "怎么介绍?"
    assert lib.split_speakers(q)[1].replace(" ", "") == "怎么介绍?"
    # two people named by name are each asked about the topic, not about each other (blind b003)
    b = make_doc("b", "对话孙悦明：芯片", [("老李", "请介绍一下孙老师?"), ("孙悦明", "我做芯片。")],
                 [SpeakerInfo(name="老李", role="host"), SpeakerInfo(name="孙悦明", role="guest")])
    lib = _library(tmp_path, [a, b])
    assert lib.topic_for("韩东雨和孙悦明怎么看芯片?", "韩东雨").replace(" ", "") == "和怎么看芯片?"
