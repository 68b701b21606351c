"""Markers to citations with exact offsets; quote verification; the extractive answer's shape."""

from __future__ import annotations

import dataclasses
import re

import pytest

from bot.answer.citations import cite, normalize_markers, renumber
from bot.answer.extractive import extractive_answer, sentence_spans, short_title
from bot.settings import AnswerParams
from bot.text.lang import split_sentences

_Q = re.compile(r"(?:“([^“”]+)”|「([^「」]+)」|『([^『』]+)』)\s?\[(\d+)\]")


class QUOTE:
    """(quoted text, marker number) pairs of an answer; quotes may contain other quote marks."""

    @staticmethod
    def findall(text: str) -> list[tuple[str, str]]:
        return [(m.group(1) or m.group(2) or m.group(3), m.group(4)) for m in _Q.finditer(text)]


def doc_of(p, docs):
    return docs[p.doc_id[:3]]


def assert_exact(citations, passages, docs):
    for c in citations:
        p = passages[c.n - 1]
        assert c.quote and c.quote in p.text
        assert doc_of(p, docs)[c.start : c.end] == c.quote
        assert p.start <= c.start < c.end <= p.end
        assert (c.doc, c.doc_id, c.title, c.speaker, c.role) == (p.doc_file, p.doc_id, p.title, p.speaker, p.role)


def test_marker_forms_are_normalised_and_unknown_numbers_dropped():
    text, dropped = normalize_markers("甲[1,2]。乙【3】。丙[1-3]。丁 [9]。戊[0][2]。己[2, 3]", 4)
    assert text == "甲[1][2]。乙[3]。丙[1][2][3]。丁。戊[2]。己[2][3]"
    assert dropped == [9, 0]


def test_markers_map_to_passages_with_exact_offsets(passages, docs):
    answer = "GPT-4 的大规模训练花了接近 8000 万美金[1]。训练成本分为实验成本和最终大规模训练的成本两部分[2]。"
    cited = cite(answer, passages, "zh")
    assert cited.text == answer and cited.cited == [1, 2] and not cited.unverified
    assert_exact(cited.citations, passages, docs)
    c1 = next(c for c in cited.citations if c.n == 1)
    assert "8000 万美金" in c1.quote and len(c1.quote) < len(passages[0].text)   # the sentence, not the chunk
    assert all(c.verified for c in cited.citations)


def test_verbatim_llm_quote_becomes_the_citation_quote(passages, docs):
    answer = "李广密说,模型「最大的成本在前期实验」[1]。"
    cited = cite(answer, passages, "zh")
    (c,) = cited.citations
    assert c.quote == "最大的成本在前期实验" and c.verified
    assert_exact(cited.citations, passages, docs)


def test_fabricated_quote_is_flagged(passages):
    answer = "李广密说“GPT-4 只花了一百万美元”[1],并且“训练成本其实是分两个部分”[2]。"
    cited = cite(answer, passages, "zh")
    assert cited.unverified == ["GPT-4 只花了一百万美元"]
    assert "“GPT-4 只花了一百万美元”⚠未核实[1]" in cited.text
    assert "“训练成本其实是分两个部分”[2]" in cited.text
    assert [c.verified for c in cited.citations if c.n == 1] == [False]
    assert [c.verified for c in cited.citations if c.n == 2] == [True]
    en = cite('He said "复刻 GPT-4 很容易" [1].', passages, "en")
    assert '"复刻 GPT-4 很容易" ⚠unverified [1]' in en.text


def test_quote_from_a_different_passage_than_cited_is_flagged(passages):
    cited = cite("闫俊杰说「确实更像是一个必答题」[1]。", passages, "zh")
    assert cited.unverified and not cited.citations[0].verified


def test_quote_matches_across_scripts_and_spacing(passages, docs):
    # passage 4 is traditional Chinese; an LLM quoting it in simplified is still quoting it
    cited = cite("编者总结说「中美差距还在1到2年」[4]。", passages, "zh")
    (c,) = cited.citations
    assert c.verified and c.quote == "中美差距還在1到2年"
    assert_exact(cited.citations, passages, docs)
    cited = cite("“用了2.2万张A100”[1]", passages, "zh")
    assert cited.citations[0].verified and cited.citations[0].quote == "用了 2.2 万张 A100"


def test_quote_with_ellipsis_spans_the_pieces(passages, docs):
    cited = cite("他说「GPT-4 用了 2.2 万张 A100……花了接近 8000 万美金」[1]。", passages, "zh")
    (c,) = cited.citations
    assert c.verified and c.quote.startswith("GPT-4 用了") and c.quote.endswith("8000 万美金")
    assert_exact(cited.citations, passages, docs)


def test_unmarked_quote_must_be_somewhere_in_the_passages(passages):
    cited = cite("有人说“大模型已经到头了”。另见[2]。", passages, "zh")
    assert cited.unverified == ["大模型已经到头了"] and "⚠未核实" in cited.text


def test_sentence_splitting_respects_decimals_and_names():
    text = "6.GPT-3.5 到 GPT-4 难度会增加 5-10 倍。Character.AI 也是模型公司!真的吗?是的. Next one"
    parts = [text[s:e] for s, e in split_sentences(text)]
    assert parts == ["6.GPT-3.5 到 GPT-4 难度会增加 5-10 倍。", "Character.AI 也是模型公司!", "真的吗?", "是的.", "Next one"]


def test_offline_answer_quotes_verbatim_best_first(passages, docs):
    ex = extractive_answer("GPT-4 的训练成本是多少?", passages, "zh")
    quotes = QUOTE.findall(ex.text)
    assert 2 <= len(quotes) <= 5
    assert len({q for q, _ in quotes}) == len(quotes)                   # no duplicates
    for q, n in quotes:
        assert q in passages[int(n) - 1].text                           # verbatim substrings
    assert "训练成本" in quotes[0][0] or "8000" in quotes[0][0]         # the best first
    assert not any(q.endswith("?") for q, _ in quotes)                  # the host's questions are not answers
    # one line per speaker: name, role and a short interview name, said once
    assert ex.text.startswith("李广密(嘉宾,《拾象科技李广密》):“") and passages[0].title not in ex.text
    assert ex.text.count("李广密(") == 1
    assert sum(len(q) for q, _ in quotes) <= AnswerParams().max_chars
    for q, n in quotes:                                                  # whole sentences only
        assert any(q == passages[int(n) - 1].text[a:b] for a, b in sentence_spans(passages[int(n) - 1].text))
    cited = cite(ex.text, passages, "zh")
    assert cited.text == ex.text and not cited.unverified and not cited.dropped
    assert_exact(cited.citations, passages, docs)
    for q, n in quotes:
        assert any(q in c.quote for c in cited.citations if c.n == int(n))


def test_offline_answer_frames_editor_text_and_english(passages):
    ex = extractive_answer("中美在云端大模型上的差距有多大?", passages, "zh")
    assert "编者按(《林凡對話面壁智能李大海》):“" in ex.text and "[4]" in ex.text
    en = extractive_answer("How much did training GPT-4 cost?", passages, "en")
    assert en.text.startswith("李广密 (guest, «拾象科技李广密»): “")
    assert re.search(r"” \[\d\]", en.text)
    ed = extractive_answer("How big is the China-US gap in cloud models?", passages[3:4], "en")
    assert ed.text.startswith("Editors’ summary («林凡對話面壁智能李大海»): “")


def test_offline_answer_skips_filler_and_never_starts_mid_sentence(passages):
    p = passages[0]
    filler = dataclasses.replace(p, node_id="filler", text="我同意。", start=0, end=4, score=0.95)
    ex = extractive_answer("GPT-4 的训练成本是多少?", [filler, *passages], "zh")
    assert "我同意" not in ex.text
    # a long sentence that split_sentences cuts at commas is quoted whole
    long = "训练成本" + ",其中实验成本很高" * 20 + "。第二句话在这里。"
    whole = sentence_spans(long)
    assert [long[a:b] for a, b in whole] == [long[: long.index("。") + 1], "第二句话在这里。"]
    assert len(split_sentences(long)) > 2


@pytest.mark.parametrize("title, short", [
    ("拾象科技李广密:硅谷大模型的融资由巨头主导、复现GPT-4是大模型竞赛的关键门槛", "拾象科技李广密"),
    ("硬核对话Google Brain研究员、Stability AI产品经理:生成式AI的技术实践与商业未来", "硬核对话Google Brain研究员"),
    ("大模型的下半场:Agent、多模态、通用机器人", "大模型的下半场"),
    ("A short title", "A short title"),
])
def test_short_title(title: str, short: str) -> None:
    assert short_title(title) == short


def test_offline_answer_prefers_the_named_speaker(passages):
    ex = extractive_answer("闫俊杰认为多模态是必答题吗?", passages, "zh")
    assert ex.text.startswith("闫俊杰(嘉宾,《")


def test_odd_marker_placements_do_not_break_mapping(passages):
    cited = cite("2023 年[2024]的情况:「最大的成本在前期实验[1]」。", passages, "zh")
    assert not cited.unverified and [c.n for c in cited.citations] == [1]
    assert cite("没有任何标记的回答。", passages, "zh").citations == []


def test_renumber_in_reading_order_without_gaps(passages):
    text = "甲:“GPT-4 用了 2.2 万张 A100”[1] 乙:“我觉得你这个概述还是挺好的”[5] 丙:“一部分是实验成本”[2] 再看[1]。"
    cited = cite(text, passages, "zh")
    out, citations = renumber(cited.text, cited.citations)
    assert re.findall(r"\[(\d)\]", out) == ["1", "2", "3", "1"]
    by_n = {c.n: c for c in citations}
    assert sorted(by_n) == [1, 2, 3]
    assert by_n[2].speaker == "闫俊杰" and passages[by_n[2].passage] is passages[4]
    assert by_n[3].passage == 1 and "2024" not in out


def test_many_quotes_each_cite_their_own_passage():
    # a summary over many interviews quotes hundreds of times: every quote is found in the
    # passage its marker names, and text outside the quotes is not taken for one
    from bot.schema import Passage

    passages = [Passage(node_id=f"c{i}", doc_id="d", doc_file="d.txt", title="T", speaker="甲", role="guest",
                        kind="speech", section=None, turn=i, start=100 * i, end=100 * i + 20,
                        text=f"第{i}段。这是第{i}句原话。后面还有话。", score=1.0) for i in range(1, 301)]
    answer = "\n".join(f"- “这是第{i}句原话。”[{i}]" for i in range(1, 301))
    out = cite(answer, passages, "zh", loose=False)
    assert not out.unverified and len(out.citations) == 300
    assert all(c.verified and c.quote == f"这是第{c.n}句原话。" for c in out.citations)
