"""A question about an acronym no transcript holds in any spelling or translation is refused,
and the refusal names the term."""

from __future__ import annotations

from bot.answer.messages import reason_text
from bot.index.keyword import KeywordIndex
from bot.retrieval.checks import unknown_term
from bot.schema import Retrieval

TEXTS = ["The GPU shortage shaped our AI plans for the API.", "欧盟的法案我们也在看。"]


def _index() -> KeywordIndex:
    recs = [{"text": t, "doc_id": f"d{i}", "turn": 1, "part": 0} for i, t in enumerate(TEXTS)]
    kw = KeywordIndex.build(["a", "b"], TEXTS, [], "fp", recs)
    kw.bridge = {"eu": ["欧盟"]}   # what CC-CEDICT gives when the corpus holds 欧盟
    return kw


def test_an_acronym_no_transcript_holds_is_unknown():
    kw = _index()
    assert unknown_term("What did Guido say about removing the GIL?", kw) == "GIL"
    assert unknown_term("Did anyone discuss the DMA?", kw) == "DMA"


def test_acronyms_the_corpus_holds_in_some_spelling_or_translation_are_known():
    kw = _index()
    assert unknown_term("How short were GPUs last year?", kw) is None      # plural, as the corpus writes it
    assert unknown_term("What about the EU AI Act?", kw) is None           # 欧盟 in a Chinese transcript
    assert unknown_term("他们怎么看 API 的价格?", kw) is None
    assert unknown_term("What did they say about pricing?", kw) is None   # no acronym: nothing to check


def test_the_refusal_names_the_term_in_the_question_s_language():
    r = Retrieval(query="q", passages=[], weak=True, reason="unknown_term", missing="GIL")
    assert reason_text(r, "en") == "None of them mentions “GIL”."
    assert "GIL" in reason_text(r, "zh")


def test_a_speaker_s_name_is_not_an_unknown_term():
    # a label such as "TJ:" names a speaker without being in the passages' text
    kw = _index()
    assert unknown_term("What did TJ say about the API?", kw) == "TJ"
    assert unknown_term("What did TJ say about the API?", kw, person=lambda term: term == "TJ") is None
