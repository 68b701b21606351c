"""Is the best evidence strong enough to answer from?

Two signals, because each fails alone: e5's cosine similarities sit in a narrow band (an
off-topic Chinese question still scores ~0.86), and keyword overlap means nothing for an English
question over Chinese text. So Chinese questions need both a high cosine and the question's rare
words in the top passages; English ones rely on the cosine, on their own, lower scale. The
thresholds (`Settings.retrieval`) were set on the golden set (tests/eval/golden.jsonl) and checked
on a blind set written separately (tests/eval/blind.jsonl); README, "Evaluation".
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.settings import RetrievalParams
from bot.text.aliases import forms
from bot.text.normalize import normalize


@dataclass
class Evidence:
    query: str
    query_tokens: list[str]
    vector: list[tuple[str, float]]        # (chunk id, cosine) best first
    keyword: list[tuple[str, float]]       # (chunk id, bm25) best first
    top_texts: list[str] = field(default_factory=list)
    idf: Callable[[str], float | None] = lambda t: None
    chinese: bool = True


@dataclass
class Verdict:
    weak: bool
    cos: float
    coverage: float      # over the top three passages
    top1_coverage: float = 0.0  # over the best passage alone
    chinese: bool = True


def coverage(tokens: list[str], texts: list[str], idf: Callable[[str], float | None]) -> float:
    """IDF-weighted share of the question's content words found in the texts.

    Rare words weigh most ("营收" in "MiniMax 2025 年的营收" decides it, "大模型" does not). A
    Chinese word, or a number, that no transcript contains counts fully against; a Latin word
    none contains is ignored (an English question can't be expected to share words with Chinese).
    """
    hay = normalize(" ".join(texts))
    total = got = 0.0
    max_idf = math.log(1000.0)
    seen: set[str] = set()
    for t in tokens:
        names = forms(t)  # 谷歌 in the question is found by Google in the passage
        if seen.intersection(names) or (t.isascii() and len(t) < 2):
            continue
        seen.update(names)
        w = max((x for x in map(idf, names) if x is not None), default=None)
        if w is None:
            if t.isascii() and not any(c.isdigit() for c in t):
                continue
            w = max_idf
        total += w
        got += w if any(n in hay for n in names) else 0.0
    # Nothing measurable (an English question whose words no transcript has): no evidence
    # either way, so it must not count against the passages.
    return got / total if total else 1.0


def judge(ev: Evidence, params: RetrievalParams, named: bool = False) -> Verdict:
    cos = max((s for _, s in ev.vector), default=0.0)
    cov = coverage(ev.query_tokens, ev.top_texts, ev.idf)
    singles = [coverage(ev.query_tokens, [t], ev.idf) for t in ev.top_texts]
    cov1 = singles[0] if singles else 0.0
    if not ev.vector and not ev.keyword:
        return Verdict(True, cos, cov, cov1, ev.chinese)
    if ev.chinese:
        rules = (*params.zh_rules, params.zh_named_rule) if named else params.zh_rules
        best = max(singles, default=0.0)
        strong = any(cos >= c and cov >= k and best >= k1 for c, k, k1 in rules)
    else:
        anchored = any(len(t) >= 2 and any(ev.idf(f) is not None for f in forms(t)) for t in ev.query_tokens)
        strong = cos >= params.en_cos_strong or (cos >= params.en_cos and anchored)
    return Verdict(not strong, cos, cov, cov1, ev.chinese)


def speaker_absent(named: Verdict, everyone: Verdict, params: RetrievalParams) -> bool:
    """The named person's turns answer clearly worse than others' and miss the question's words:
    others' best passage beats theirs by `absent_gap`, or (Chinese questions, where words compare)
    others' passages hold `absent_coverage_gap` more of the question's words at a near-equal
    cosine (e5 finds the named person's nearest turn about as close, but it is about something else)."""
    if everyone.weak or named.top1_coverage >= params.absent_coverage:
        return False
    gap = everyone.cos - named.cos
    return gap >= params.absent_gap or (named.chinese and gap > 0
                                        and everyone.coverage - named.coverage >= params.absent_coverage_gap)
