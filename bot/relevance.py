"""Is the best evidence strong enough to answer from?

Two signals, because each fails alone: e5's cosine similarities sit in a narrow band (an
off-topic question still scores ~0.75), and keyword overlap means nothing for an English question
over Chinese text. The thresholds were set on the tuning part of the golden set and checked on the
held-out part (README, "Evaluation").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.normalize import normalize

# cosine similarity (e5-small, "query:"/"passage:" prefixes) above which a passage is on topic
# even without shared words; and below which nothing counts whatever the words say
COS_STRONG = 0.86
COS_FLOOR = 0.78
# share of the question's content words found in the top passages that makes it answerable
COVERAGE_OK = 0.5


@dataclass
class Evidence:
    query: str
    query_tokens: list[str]
    vector: list[tuple[str, float]]        # (chunk id, cosine) best first
    keyword: list[tuple[str, float]]       # (chunk id, bm25) best first
    top_texts: list[str] = field(default_factory=list)


@dataclass
class Verdict:
    weak: bool
    cos: float
    coverage: float


def coverage(tokens: list[str], texts: list[str]) -> float:
    """Share of distinct content tokens of the question that occur in any of the texts."""
    toks = {t for t in tokens if len(t) > 1 or not t.isascii()}
    if not toks:
        return 0.0
    hay = normalize(" ".join(texts))
    return sum(1 for t in toks if t in hay) / len(toks)


def judge(ev: Evidence) -> Verdict:
    cos = max((s for _, s in ev.vector), default=0.0)
    cov = coverage(ev.query_tokens, ev.top_texts)
    if not ev.vector and not ev.keyword:
        return Verdict(True, cos, cov)
    strong = cos >= COS_STRONG or (cos >= COS_FLOOR and cov >= COVERAGE_OK)
    return Verdict(not strong, cos, cov)
