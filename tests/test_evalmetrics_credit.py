"""evidence_speaker@5: who the passage holding the evidence is credited to."""

from __future__ import annotations

from bot.eval.metrics import evidence_speaker, summarize


def test_evidence_speaker() -> None:
    texts = ["nothing here", "the answer is forty-two, he said"]
    assert evidence_speaker(texts, ["A", "B"], ["the answer is forty-two"], ["B"]) is True
    assert evidence_speaker(texts, ["A", "C"], ["the answer is forty-two"], ["B"]) is False
    assert evidence_speaker(texts, ["A", None], ["the answer is forty-two"], []) is True    # credited to nobody
    assert evidence_speaker(texts, ["A", "B"], ["the answer is forty-two"], []) is False
    assert evidence_speaker(texts, ["A", "B"], ["not in any passage at all"], ["B"]) is None
    assert evidence_speaker(["數位部的簡稱"], ["唐鳳"], ["數位部的簡稱"], ["唐凤"]) is True   # script-insensitive
    assert evidence_speaker(["x 发言人说的话 y"], ["发言人 2"], ["发言人说的话"], ["发言人2"]) is True


def test_summarize_reports_it_over_questions_whose_evidence_was_found() -> None:
    row = {"should_refuse": False, "type": "fact", "evidence": ["forty-two"], "expected_speakers": ["B"],
           "texts": ["forty-two"], "speakers": ["B"], "refused": False, "cited_speakers": ["B"], "quotes": ["forty-two"],
           "retrieve_ms": 1.0}
    missing = {**row, "texts": ["other"], "speakers": ["B"]}
    wrong = {**row, "speakers": ["A"]}
    out = summarize([row, missing, wrong])
    assert out["evidence_speaker@5"] == 0.5 and round(out["hit@5"], 3) == 0.667
