"""The eval's scoring: ranks, recall, and whether the answer itself quotes the evidence."""

from __future__ import annotations

from bot.eval.metrics import covers, first_hit_rank, summarize


def _row(**kw):
    base = {"should_refuse": False, "type": "fact", "evidence": ["模型参数量在 700 亿是一个分界点"],
            "expected_speakers": [], "texts": [], "refused": False, "cited_speakers": [], "quotes": [],
            "retrieve_ms": 1.0, "answer_ms": 1.0}
    return {**base, **kw}


def test_half_an_evidence_span_is_enough_when_a_chunk_border_cuts_it():
    assert covers("……模型参数量在 700 亿是一个分界点,过了以后", "模型参数量在 700 亿是一个分界点")
    assert covers("参数量在700亿是一个分界点", "模型参数量在 700 亿是一个分界点")   # spaces ignored
    assert not covers("模型参数量很大", "模型参数量在 700 亿是一个分界点")


def test_answer_evidence_counts_quotes_not_retrieved_passages():
    hit = _row(texts=["x", "模型参数量在 700 亿是一个分界点"], quotes=["模型参数量在 700 亿是一个分界点。"])
    retrieved_only = _row(texts=["模型参数量在 700 亿是一个分界点"], quotes=["别的句子。"])
    refused = _row(texts=["模型参数量在 700 亿是一个分界点"], refused=True, quotes=[])
    out = summarize([hit, retrieved_only, refused])
    assert out["answer_evidence"] == 1 / 3
    assert out["hit@5"] == 1.0 and first_hit_rank(hit["texts"], hit["evidence"]) == 2
    # the plain baseline cites nothing: no figure rather than zero
    assert summarize([_row(quotes=None, cited_speakers=None, refused=None)])["answer_evidence"] != 0.0


def test_a_question_file_without_labels_is_scored_where_labels_exist(tmp_path, capsys):
    import math

    from bot.eval.cli import print_table

    bare = {"id": "x1", "question": "李广密怎么看开源?", "texts": ["开源模型"], "refused": False,
            "cited_speakers": ["李广密"], "quotes": ["开源"], "retrieve_ms": 2.0, "answer_ms": 3.0}
    out = summarize([bare])
    assert math.isnan(out["hit@5"]) and math.isnan(out["refusal_accuracy"])
    assert out["retrieve_p50_ms"] == 2.0 and out["questions"] == 1
    mixed = summarize([bare, _row(texts=["模型参数量在 700 亿是一个分界点"])])
    assert mixed["hit@5"] == 1.0 and mixed["refusal_accuracy"] == 1.0
    print_table("t", {"ours": out})
    assert "| hit@5 | n/a |" in capsys.readouterr().out
