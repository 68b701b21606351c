"""Scoring of retrieved passages and answers against the golden set (tests/eval/golden.jsonl)."""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable

from bot.text.normalize import normalize

_JUNK = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]*\)")
_SPACE = re.compile(r"\s+")


def _canon(text: str) -> str:
    return _SPACE.sub("", normalize(_JUNK.sub("", text)))


def covers(passage_text: str, evidence: str) -> bool:
    """The passage contains the evidence; half of it is enough, so a span cut by a chunk border counts."""
    p, e = _canon(passage_text), _canon(evidence)
    if not e:
        return False
    if e in p:
        return True
    half = len(e) // 2
    return half >= 8 and (e[:half] in p or e[half:] in p)


def first_hit_rank(texts: list[str], evidence: list[str]) -> int | None:
    for rank, t in enumerate(texts, 1):
        if any(covers(t, e) for e in evidence):
            return rank
    return None


def evidence_recall(texts: list[str], evidence: list[str]) -> float:
    if not evidence:
        return 1.0
    return sum(1 for e in evidence if any(covers(t, e) for t in texts)) / len(evidence)


def evidence_speaker(texts: list[str], speakers: list[str | None], evidence: list[str],
                     expected: list[str]) -> bool | None:
    """Whether the first of `texts` holding the evidence is credited to one of `expected` (to
    nobody when `expected` is empty: editor text, or a transcript that does not mark speakers);
    None when none of them holds it."""
    for text, speaker in zip(texts, speakers):
        if any(covers(text, e) for e in evidence):
            if not expected:
                return speaker is None
            # names compare as ingest compares labels: case, script and spaces aside ("发言人 2" == "发言人2")
            return speaker is not None and _SPACE.sub("", normalize(speaker)) in {_SPACE.sub("", normalize(x)) for x in expected}
    return None


def percentile(values: Iterable[float], p: float) -> float:
    vals = sorted(values)
    if not vals:
        return 0.0
    k = (len(vals) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(vals) - 1)
    return vals[lo] + (vals[hi] - vals[lo]) * (k - lo)


def summarize(rows: list[dict]) -> dict[str, float]:
    """rows: {question item fields..., "texts": passage texts best first, "refused", "cited_speakers",
    "retrieve_ms"}. A question file may hold only `id` and `question`: a metric that needs labels
    is computed over the rows that carry them and is NaN ("n/a") when none do."""
    labelled = [r for r in rows if "should_refuse" in r]
    answerable = [r for r in labelled if not r["should_refuse"] and r.get("evidence")]
    ranks = [first_hit_rank(r["texts"][:10], r["evidence"]) for r in answerable]
    credited = [evidence_speaker(r["texts"][:5], r["speakers"][:5], r["evidence"], r["expected_speakers"])
                for r in answerable if r.get("speakers") is not None]
    who = [r for r in labelled if r.get("type") == "who"]
    out = {
        "questions": len(rows),
        "hit@5": _mean(1.0 if (k is not None and k <= 5) else 0.0 for k in ranks),
        "mrr@10": _mean(1.0 / k if k else 0.0 for k in ranks),
        "evidence_recall@5": _mean(evidence_recall(r["texts"][:5], r["evidence"]) for r in answerable),
        # of the answerable questions whose evidence is in the top 5: that passage names the right speaker
        "evidence_speaker@5": _mean(1.0 if c else 0.0 for c in credited if c is not None)
        if any(c is not None for c in credited) else float("nan"),
        # None: the system under test neither cites nor refuses (the plain baseline)
        "speaker_attribution": _mean(
            1.0 if r["cited_speakers"] and set(r["cited_speakers"]) <= set(r["expected_speakers"]) else 0.0
            for r in who) if who and who[0]["cited_speakers"] is not None else float("nan"),
        # the answer itself quotes the evidence (not only retrieves it); a refusal counts as a miss
        "answer_evidence": _mean(
            1.0 if any(covers(" ".join(r["quotes"]), e) for e in r["evidence"]) else 0.0
            for r in answerable) if answerable and answerable[0].get("quotes") is not None else float("nan"),
        "refusal_accuracy": _mean(1.0 if bool(r["refused"]) == bool(r["should_refuse"]) else 0.0
                                  for r in labelled) if labelled and labelled[0]["refused"] is not None else float("nan"),
        "retrieve_p50_ms": percentile((r["retrieve_ms"] for r in rows), 50),
        "retrieve_p95_ms": percentile((r["retrieve_ms"] for r in rows), 95),
    }
    answered = [r["answer_ms"] for r in rows if r.get("answer_ms") is not None]
    if answered:
        out["answer_p50_ms"] = percentile(answered, 50)
        out["answer_p95_ms"] = percentile(answered, 95)
    return out


def _mean(xs: Iterable[float]) -> float:
    xs = list(xs)
    return statistics.fmean(xs) if xs else float("nan")


def kind_metrics(rows: list[dict]) -> dict[str, float]:
    """Scoring of tests/eval/kinds.jsonl: what a good answer to a summary, comparison, collection
    or follow-up question must contain.

    - kind_accuracy: the engine recognised the expected kind;
    - required_evidence: share of the required points the answer quotes (a point is a list of
      spans, any one of which counts: a summary may quote any sentence that makes the point);
    - names_present: share of answers naming every person (or title) they must name;
    - refused: share of answers refused (none of these questions should be);
    - new_evidence: for "why?" / "tell me more", share whose quotes are not all in the previous answer;
    - kept_apart: after a topic shift, share citing none of the people the new topic is not about;
    - absent_said: in comparisons with a side that never discusses it, share saying so for that side.
    """
    def quoted(r: dict) -> str:
        return " ".join((r.get("quotes") or []) + [r.get("answer") or ""])

    points = [(r, p) for r in rows for p in r.get("must_quote") or []]
    named = [r for r in rows if r.get("must_name")]
    more = [r for r in rows if r.get("new_evidence")]
    apart = [r for r in rows if r.get("must_not_cite")]
    absent = [r for r in rows if r.get("absent")]
    answered = [r.get("answer_ms") for r in rows if r.get("answer_ms") is not None]
    out = {
        "questions": len(rows),
        "kind_accuracy": _mean(1.0 if r.get("kind_got") == r.get("expected_kind") else 0.0 for r in rows),
        "required_evidence": _mean(1.0 if any(covers(quoted(r), span) for span in p) else 0.0 for r, p in points),
        "names_present": _mean(1.0 if all(_canon(n) in _canon(r.get("answer") or "") for n in r["must_name"]) else 0.0
                               for r in named),
        "refused": _mean(1.0 if r.get("refused") else 0.0 for r in rows),
        "new_evidence": _mean(1.0 if r.get("quotes") and not all(q in " ".join(r.get("previous_quotes") or [])
                                                                   for q in r["quotes"]) else 0.0 for r in more),
        "kept_apart": _mean(0.0 if set(r.get("cited_speakers") or []) & set(r["must_not_cite"]) else 1.0
                            for r in apart),
        "absent_said": _mean(1.0 if all(_said_absent(r.get("answer") or "", who) for who in r["absent"]) else 0.0
                             for r in absent),
        "retrieve_p50_ms": percentile((r["retrieve_ms"] for r in rows), 50),
        "retrieve_p95_ms": percentile((r["retrieve_ms"] for r in rows), 95),
    }
    if answered:
        out["answer_p50_ms"] = percentile(answered, 50)
        out["answer_p95_ms"] = percentile(answered, 95)
    total = [r["total_ms"] for r in rows if r.get("total_ms") is not None]
    if total:   # the whole ask: condense, kind, gather or retrieve, answer, suggestions
        out["total_p50_ms"] = percentile(total, 50)
        out["total_p95_ms"] = percentile(total, 95)
        out["total_max_ms"] = max(total)
    return out


def _said_absent(answer: str, who: str) -> bool:
    """The answer's line for `who` says they did not discuss it."""
    line = next((ln for ln in answer.splitlines() if who in ln), "")
    return any(w in line for w in ("没有谈到", "did not discuss", "does not discuss"))
