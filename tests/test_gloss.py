"""Offline cross-language help for the vector sides: a Chinese question is embedded followed by
its words' translations that the corpus holds (bot.retrieval.gloss), and a question asking for a
figure over passages of another language is checked on the sentences the gloss finds closest."""

from __future__ import annotations

from bot.index.keyword import KeywordIndex
from bot.retrieval.checks import no_figure
from bot.retrieval.gloss import gloss, in_language
from bot.retrieval.relevance import has_figure
from bot.schema import Passage
from bot.text.tokenize import tokenize

TEXT = "The goal here is to be able to drive safer than humans. Safety is the first goal."


def _index() -> KeywordIndex:
    kw = KeywordIndex.build(["a"], [TEXT], [], "fp", [{"text": TEXT, "doc_id": "d", "turn": 1, "part": 0}])
    # what bot.text.bilingual.bridge gives for such a vocabulary (CC-CEDICT senses the corpus holds)
    kw.bridge = {"安全": ["safe", "safeti", "secur"], "目标": ["goal", "target"]}
    return kw


def test_a_chinese_question_is_followed_by_its_words_english_translations():
    q = "Waymo 的安全目标是什么？"
    out = gloss(q, tokenize(q), _index(), "en")
    assert out is not None and out.startswith(q)
    added = out[len(q):].split()
    # each word's first two translations the corpus holds, never a third
    assert added == ["safe", "safeti", "goal", "target"]


def test_no_gloss_when_no_word_has_a_translation_into_the_language():
    kw = _index()
    q = "他们怎么看这件事？"
    assert gloss(q, tokenize(q), kw, "en") is None
    q = "Waymo 的安全目标是什么？"
    assert gloss(q, tokenize(q), kw, "zh") is None   # the translations are English: nothing to add
    assert in_language("safeti", "en") and in_language("目标", "zh") and not in_language("目标", "en")


def _passage(text: str, doc: str = "d") -> Passage:
    return Passage(node_id="c1", doc_id=doc, doc_file=f"{doc}.md", title="Practical AI", speaker="Guest",
                   role="guest", kind="speech", section=None, turn=1, start=0, end=len(text), text=text)


class _Library:
    speakers: dict = {}


def test_across_languages_a_figure_counts_in_an_interview_naming_the_subject():
    text = "Yes, it is 7 billion parameters."
    p = _passage(text)
    scores = {"c1": [(0, len(text), 0.8)]}
    q = "Moshi 模型有多少参数？"
    # the passage names no model: by the passage alone the figure is not Moshi's
    assert no_figure(q, [p], scores, _Library(), 5, forms=None)
    # its interview names Moshi: across languages the interview decides
    assert not no_figure(q, [p], scores, _Library(), 5, forms=None, named_docs={"d"})


def test_without_forms_a_figure_question_sets_no_counted_word_condition():
    # across languages a dictionary's translation of the counted word misses how the other
    # language counts (面包 → bread; the transcript says "400 loaves")
    q = "面包店每天烤多少个面包?"
    assert not has_figure("We bake about 400 loaves a day.", q)
    assert has_figure("We bake about 400 loaves a day.", q, forms=None)
    assert not has_figure("We bake every morning before the shop opens.", q, forms=None)

