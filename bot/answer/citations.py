"""From an answer's `[n]` markers to `Citation`s with exact offsets, and quote verification.

Markers are normalised first (`bot.answer.markers`: `[1,2]`, `[1-3]`, `【1】`, `（4）`, `^5^`, footnotes,
"第2段"… -> `[1][2]`…; source lists at the end removed); numbers with no passage are removed and
reported. Each run of markers cites the claim before it: the text back to the previous marker or
sentence end. For every cited passage the citation's quote is the text the answer quoted from it
when the quote is found there, else the passage sentence that best matches the claim. Quoted text
(`bot.answer.quotes`: every quote style, one normalisation) that occurs in none of the cited passages (or,
with no marker, in none of the passages at all) is flagged in the text, and only its own
citations get verified=False: quotation marks promise the speaker's exact words, and an LLM can
invent them. A translation next to a quote is not a quote.
"""

from __future__ import annotations

import bisect
import dataclasses
import logging
import re
from dataclasses import dataclass, field

from bot.answer.markers import normalize_markers
from bot.answer.matching import Scored, score_sentences
from bot.answer.quotes import find_quote, quote_spans, translations
from bot.schema import Citation, Passage
from bot.text.lang import Lang, norm, split_sentences

log = logging.getLogger(__name__)

__all__ = ["Cited", "cite", "find_quote", "normalize_markers"]

_RUN = re.compile(r"(?:\s?\[\d+\])+")
_ENDS = set("。！？!?\n")
FLAG = {"zh": "⚠未核实", "en": " ⚠unverified"}


@dataclass
class Cited:
    text: str                                   # the answer with markers normalised, quotes flagged
    citations: list[Citation] = field(default_factory=list)
    dropped: list[int] = field(default_factory=list)     # marker numbers with no passage
    unverified: list[str] = field(default_factory=list)  # quotes not found where they were cited
    cited: list[int] = field(default_factory=list)       # passage numbers the answer cites


def _best_sentence(claim: str, passage: Passage) -> tuple[int, int]:
    spans = split_sentences(passage.text) or [(0, len(passage.text))]
    cands = [Scored(1, s, e, passage.text[s:e], 0.0) for s, e in spans]
    ranked = score_sentences(claim, [passage], cands)
    best = ranked[0]
    if best.score <= 0:
        best = min(ranked, key=lambda s: s.start)   # no overlap at all: the passage's opening
    return best.start, best.end


def cite(answer: str, passages: list[Passage], lang: Lang = "zh", loose: bool = True) -> Cited:
    """loose=False: `answer` was written by this program (the extractive answer), so only bracket
    markers are read; an LLM's answer gets every marker style."""
    text, dropped = normalize_markers(answer, len(passages), loose=loose)
    quotes = quote_spans(text)
    skip = translations(text, quotes)
    quotes = [q for i, q in enumerate(quotes) if i not in skip]
    runs = []
    for m in _RUN.finditer(text):
        # Only valid numbers survive normalize_markers, but "[2024]" (4 digits) is left alone.
        nums = [n for n in (int(x) for x in re.findall(r"\d+", m.group())) if 1 <= n <= len(passages)]
        if nums:
            runs.append((m.start(), m.end(), nums))

    # quote_spans' quotes are the outermost ones, sorted and disjoint: found by bisection (a
    # summary over hundreds of interviews quotes thousands of times; a scan each was quadratic)
    starts = [q[0] for q in quotes]

    def in_quote(i: int) -> bool:
        k = bisect.bisect_right(starts, i) - 1
        return k >= 0 and i < quotes[k][1]

    def within(c_start: int, c_end: int) -> list[tuple[int, int, int, int]]:
        return [q for q in quotes[bisect.bisect_left(starts, c_start):bisect.bisect_left(starts, c_end)]
                if q[1] <= c_end]

    # The claim of each run: back to the previous run, or to the last sentence end before it
    # (a sentence end right before the run, as in "…成本。[1]", belongs to the claim itself).
    claims: list[tuple[int, int, list[int]]] = []
    prev_end = 0
    for start, end, nums in runs:
        j = start
        while j > prev_end and (text[j - 1].isspace() or text[j - 1] in _ENDS or text[j - 1] in "."):
            j -= 1
        c = j
        while c > prev_end and not ((text[c - 1] in _ENDS or (text[c - 1] == "." and c < len(text)
                                     and text[c].isspace())) and not in_quote(c - 1)):
            c -= 1
        claims.append((c, start, nums))
        prev_end = end

    entries: list[tuple[int, int, int, bool]] = []   # (n, start, end, verified) within passage n
    unverified: list[str] = []
    flags: list[int] = []                             # insert FLAG after these offsets
    attached: set[int] = set()
    for c_start, c_end, nums in claims:
        claim_quotes = within(c_start, c_end)
        attached.update(q[0] for q in claim_quotes)
        claim_text = _RUN.sub("", text[c_start:c_end])
        used = {n: False for n in nums}
        for q in claim_quotes:
            inner = _RUN.sub("", text[q[2] : q[3]])   # a marker inside the quote is not quoted text
            if len(norm(inner)) < 2:
                continue   # a one-character "quote" is emphasis, not a claim about words
            hits = {n: find_quote(inner, passages[n - 1].text) for n in nums}
            if any(hits.values()):
                for n, hit in hits.items():
                    if hit:
                        entries.append((n, hit[0], hit[1], True))
                        used[n] = True
            else:
                # Only this quote is wrong: the claim's other quotes keep their verified citations.
                unverified.append(inner)
                flags.append(q[1])
                for n in nums:
                    entries.append((n, *_best_sentence(inner, passages[n - 1]), False))
                    used[n] = True
        for n in nums:
            if not used[n]:   # cited for the claim's own words, no quote: its best sentence
                entries.append((n, *_best_sentence(claim_text, passages[n - 1]), True))

    # Quotes that no marker claims: they must at least be somewhere in the passages.
    for q in quotes:
        if q[0] in attached:
            continue
        inner = _RUN.sub("", text[q[2] : q[3]])
        if len(norm(inner)) >= 2 and not any(find_quote(inner, p.text) for p in passages):
            unverified.append(inner)
            flags.append(q[1])

    for pos in sorted(set(flags), reverse=True):
        text = text[:pos] + FLAG[lang] + text[pos:]
    citations = _merge(entries, passages)
    cited = sorted({c.n for c in citations})
    return Cited(text=text, citations=citations, dropped=dropped, unverified=unverified, cited=cited)


def _merge(entries: list[tuple[int, int, int, bool]], passages: list[Passage]) -> list[Citation]:
    """One Citation per distinct stretch of a passage: overlapping or adjacent spans of the
    same passage merge (the quote stays one exact substring), far-apart ones stay separate."""
    merged: list[list] = []
    for n, s, e, ok in sorted(entries, key=lambda x: (x[0], not x[3], x[1], x[2])):
        last = merged[-1] if merged else None
        text = passages[n - 1].text
        # Same status only: a sentence cited once for a verified quote and once next to an
        # invented one yields two citations, so the good one is not tainted.
        if last and last[0] == n and last[3] == ok and s <= last[2] + 1 and not text[last[2] : s].strip():
            last[2] = max(last[2], e)
        else:
            merged.append([n, s, e, ok])
    out = []
    for n, s, e, ok in merged:
        p = passages[n - 1]
        out.append(Citation(
            n=n, doc=p.doc_file, doc_id=p.doc_id, title=p.title, speaker=p.speaker, role=p.role,
            quote=p.text[s:e], start=p.start + s, end=p.start + e, verified=ok, passage=n - 1,
            time=p.time, media_url=p.media_url,
        ))
    return out


_MARKER = re.compile(r"\[(\d{1,3})\]")


def renumber(text: str, citations: list[Citation]) -> tuple[str, list[Citation]]:
    """Number the markers 1, 2, 3… in the order a reader meets them, without gaps.

    `cite` numbers a marker by the passage it points at, so an answer quoting passages 1, 5 and 3
    reads "[1] … [5] … [3]". Here each cited passage gets the next number at its first marker;
    every citation keeps the index of its passage in `Citation.passage` (passages stay in
    retrieval order: the ranking is part of the answer's record).
    """
    cited = {c.n for c in citations}
    order: list[int] = []
    for m in _MARKER.finditer(text):
        n = int(m.group(1))
        if n in cited and n not in order:
            order.append(n)
    order.extend(sorted(cited - set(order)))   # cited but never marked: after the rest
    new = {old: i for i, old in enumerate(order, 1)}

    def sub(m: re.Match[str]) -> str:
        n = int(m.group(1))
        return f"[{new[n]}]" if n in new else m.group(0)

    out = [dataclasses.replace(c, n=new[c.n], passage=c.n - 1 if c.passage is None else c.passage)
           for c in citations]
    out.sort(key=lambda c: (c.n, c.start))
    return _MARKER.sub(sub, text), out
