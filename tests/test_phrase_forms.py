"""Two adjacent English words that translate as one word the corpus holds ("business models" →
商业模式) count as a word of the question in the offline answer, as they do in keyword search."""

from __future__ import annotations

from bot.answer.matching import score_sentences
from bot.index.keyword import KeywordIndex
from bot.schema import Passage
from bot.text.tokenize import tokenize

TEXT = "产品的样子每年都在变。大模型时代会带来两种新的商业模式。我们的业务主要在中国。"


def _index() -> KeywordIndex:
    kw = KeywordIndex.build(["a"], [TEXT], [], "fp", [{"text": TEXT, "doc_id": "d", "turn": 1, "part": 0}])
    # what bot.text.bilingual.bridge gives for this vocabulary (CC-CEDICT): the words alone miss 商业模式
    kw.bridge = {"busi": ["业务"], "model": ["模型", "样子"], "busi model": ["商业模式"]}
    return kw


def test_adjacent_english_words_translating_as_one_word_are_a_phrase():
    kw = _index()
    tokens = tokenize("What new business models do they see?")
    assert kw.phrases(tokens) == {"busi model": ("商业模式",)}
    assert ("商业模式",) in kw.groups(tokens)            # the keyword side searches it too
    assert kw.phrases(tokenize("Does the business sell models?")) == {}   # not adjacent: no phrase


def test_the_offline_answer_prefers_the_sentence_holding_the_phrase():
    kw = _index()
    question = "What new business models do they see?"
    tokens = tokenize(question)
    forms = {t: kw.forms(t)[1:] for t in tokens if len(kw.forms(t)) > 1} | kw.phrases(tokens)
    p = Passage(node_id="a", doc_id="d", doc_file="d.txt", title="t", speaker="嘉宾", role="guest",
                kind="speech", section=None, turn=1, start=0, end=len(TEXT), text=TEXT)
    best = score_sentences(question, [p], forms=forms)[0]
    assert "商业模式" in best.text
    # without it, the rarer 业务 (business) wins
    without = score_sentences(question, [p], forms={k: v for k, v in forms.items() if " " not in k})
    assert "商业模式" not in without[0].text
