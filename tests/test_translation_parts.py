"""A question word's Chinese spelling (a name's other spelling, or a dictionary translation) is cut
as the corpus's words are (jieba search mode), so a passage saying 字节 for ByteDance (字节跳动)
counts for "ByteDance" (mixed m030: 8th -> 3rd)."""

from __future__ import annotations

from bot.index.keyword import KeywordIndex
from bot.text.tokenize import tokenize

SHORT = "我第一个支持的模型是字节他们开源的,花了一个月。"
OTHER = "这个模型的支持花了很久,我们第一次做。"
FULL = "字节跳动发布了新的模型。"
FIRMS = "科技公司都在做模型。"


def _index() -> KeywordIndex:
    texts = {"short": SHORT, "other": OTHER, "full": FULL, "firms": FIRMS}
    kw = KeywordIndex.build(list(texts), list(texts.values()), [], "fp",
                            [{"text": t, "doc_id": cid, "turn": 1, "part": 0} for cid, t in texts.items()])
    # a dictionary translation the corpus holds only in its parts
    kw.bridge = {"tech": ["科技公司"]}
    return kw


def test_a_names_chinese_spelling_counts_in_its_parts_the_corpus_holds():
    kw = _index()
    forms = kw.forms("byted")                  # bot.text.aliases: ByteDance is also 字节跳动
    assert forms[:2] == ("byted", "字节跳动")
    assert "字节" in forms                     # its first part, a word of its own in the corpus
    assert all(len(f) > 1 for f in forms)      # never a single character


def test_a_translation_counts_in_its_parts_too():
    assert {"科技", "公司"} <= set(_index().forms("tech"))


def test_the_passage_saying_the_short_name_is_found():
    kw = _index()
    found = [cid for cid, _ in kw.search("", 4, groups=kw.groups(tokenize("his first model, released by ByteDance")))]
    assert "short" in found and "other" not in found


def test_a_words_forms_are_worked_out_once_per_index(monkeypatch):
    # a question asks for its words' forms ~20 times (sides, gloss, checks, the answer)
    import bot.index.keyword as keyword_mod

    kw = _index()
    calls = []
    real = keyword_mod.tokenize
    monkeypatch.setattr(keyword_mod, "tokenize", lambda text: calls.append(text) or real(text))
    first = kw.forms("byted")
    n = len(calls)
    assert n > 0                                   # 字节跳动 was cut into its parts
    assert kw.forms("byted") == first and len(calls) == n   # asked again: nothing is cut again
