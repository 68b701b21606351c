"""A Chinese question's single characters across languages: a character jieba keeps as a word of
its own and tags a common noun is translated (“Python 之禅” → zen: mixed m018, whose passage says
"the Zen of Python"); the characters of a word jieba's dictionary lacks, which it cuts apart (播客,
共情), are not translated one by one (客 alone is a customer), and the word joined back counts when
the dictionary knows it (共情 → empathy: mixed m051)."""

from __future__ import annotations

from bot.index.keyword import KeywordIndex
from bot.retrieval.versions import encode
from bot.text.bilingual import bridge
from bot.text.tokenize import loose_runs, tokenize
from tests.fakes import FakeEmbedder

TEXTS = {
    "zen": "Here is the Zen of Python by Tim Peters from 1999.",
    "customer": "Every customer wrote to us about the price, and we wrote back.",
    "empathy": "People with more empathy hesitated before they hit the robot.",
    "podcast": "We recorded a month of podcast episodes in one week.",
}


def _index() -> KeywordIndex:
    # built as ingest builds it: the bridge from the bundled CC-CEDICT and this vocabulary
    return KeywordIndex.build(list(TEXTS), list(TEXTS.values()), [], "fp",
                              [{"text": t, "doc_id": cid, "turn": 1, "part": 0} for cid, t in TEXTS.items()])


def test_a_noun_character_is_translated_a_verb_or_particle_is_not():
    out = bridge({"zen", "yield", "let", "chang", "more", "field"})
    assert out.get("禅") == ["zen"]                  # 禅: a noun in jieba's dictionary
    assert "让" not in out and "更" not in out and "地" not in out   # verb, adverb, particle
    # a single character is never offered as an English word's translation
    assert all(len(z) > 1 for key, targets in out.items() if key.isascii() for z in targets)


def test_a_chinese_question_finds_the_passage_through_its_noun_character():
    kw = _index()
    q = "“Python 之禅”最早叫什么名字？是谁写的？"
    assert "zen" in kw.forms("禅")
    hits = kw.search("", 2, groups=kw.groups(tokenize(q)))
    assert hits[0][0] == "zen"


def test_the_characters_of_a_word_jieba_cut_apart_are_not_translated_alone():
    assert loose_runs("一条好的播客帖子要包含哪些要素？") == ["播客"]
    assert loose_runs("“Python 之禅”最早叫什么名字？") == []          # 之 is a stopword: 禅 stands alone
    kw = _index()
    assert "custom" in kw.forms("客")                                  # 客 as a word of its own
    v = encode("播客的客户怎么说？", FakeEmbedder(), kw, None, ())
    assert {"播", "客"} <= v.loose
    groups = kw.groups(v.tokens, v.loose)
    assert ("客",) in groups and not any("custom" in g for g in groups if g[0] == "客")


def test_a_word_cut_apart_counts_joined_when_the_dictionary_knows_it():
    kw = _index()
    v = encode("hexbug 实验里，共情得分低的人砸虫子时有什么表现？", FakeEmbedder(), kw, None, ())
    assert "共情" in v.tokens and "empathi" in kw.forms("共情")
    assert "人砸" not in v.tokens                                       # no word: not added
    hits = kw.search("", 1, groups=kw.groups(v.tokens, v.loose))
    assert hits[0][0] == "empathy"
