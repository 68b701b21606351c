"""From an answer's `[n]` markers to `Citation`s with exact offsets, and quote verification.

Markers are normalised first (`[1,2]`, `[1-3]`, `【1】` -> `[1][2]`…); numbers with no passage
are removed and reported. Each run of markers cites the claim before it: the text back to the
previous marker or sentence end. For every cited passage the citation's quote is the text the
answer quoted from it when the quote is found there, else the passage sentence that best matches
the claim. Quoted text that occurs in none of the cited passages (or, with no marker, in none of
the passages at all) is flagged in the text and its citations get verified=False: quotation
marks promise the speaker's exact words, and an LLM can invent them.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from bot.lang import Lang, locate, norm, split_sentences
from bot.offline import Scored, score_sentences
from bot.types import Citation, Passage

log = logging.getLogger(__name__)

_GROUP = re.compile(r"([ \t]*)[\[【]\s*(\d{1,3}(?:\s*[,，、;；\-–~]\s*\d{1,3})*)\s*[\]】]")
_RUN = re.compile(r"(?:\s?\[\d+\])+")
_QUOTES = [
    re.compile(r"「([^「」]+)」"),
    re.compile(r"『([^『』]+)』"),
    re.compile(r"“([^“”]+)”"),
    re.compile(r'"([^"\n]+)"'),
]
_ELLIPSIS = re.compile(r"\s*(?:……|…|\.\.\.+)\s*")
_ENDS = set("。！？!?\n")
FLAG = {"zh": "⚠未核实", "en": " ⚠unverified"}


@dataclass
class Cited:
    text: str                                   # the answer with markers normalised, quotes flagged
    citations: list[Citation] = field(default_factory=list)
    dropped: list[int] = field(default_factory=list)     # marker numbers with no passage
    unverified: list[str] = field(default_factory=list)  # quotes not found where they were cited
    cited: list[int] = field(default_factory=list)       # passage numbers the answer cites


def normalize_markers(text: str, n_passages: int) -> tuple[str, list[int]]:
    """Rewrite every marker group as `[a][b]`; drop numbers outside 1..n_passages."""
    dropped: list[int] = []

    def expand(m: re.Match[str]) -> str:
        nums: list[int] = []
        for part in re.split(r"\s*[,，、;；]\s*", m.group(2)):
            bounds = [int(x) for x in re.split(r"\s*[\-–~]\s*", part) if x]
            if len(bounds) == 2 and 0 < bounds[1] - bounds[0] <= 10:
                nums.extend(range(bounds[0], bounds[1] + 1))
            else:
                nums.extend(bounds)
        keep = []
        for n in nums:
            if 1 <= n <= n_passages:
                if n not in keep:
                    keep.append(n)
            elif n not in dropped:
                dropped.append(n)
        # A group left empty takes its leading space with it: "claim [9]." -> "claim."
        return m.group(1) + "".join(f"[{n}]" for n in keep) if keep else ""

    return _GROUP.sub(expand, text), dropped


def _quote_spans(text: str) -> list[tuple[int, int, int, int]]:
    """(outer_start, outer_end, inner_start, inner_end) of quoted stretches, outermost only."""
    found = []
    for pat in _QUOTES:
        for m in pat.finditer(text):
            found.append((m.start(), m.end(), m.start(1), m.end(1)))
    found.sort(key=lambda q: (q[0], -q[1]))
    outer: list[tuple[int, int, int, int]] = []
    for q in found:
        if outer and q[0] < outer[-1][1]:
            continue   # nested inside an earlier quote: the outer one is what gets checked
        outer.append(q)
    return outer


def find_quote(quote: str, text: str) -> tuple[int, int] | None:
    """Where the quoted words are in `text`. An ellipsis in the quote may skip words, but the
    pieces must appear in order; the span covers them all."""
    pieces = [p for p in _ELLIPSIS.split(quote) if p.strip()]
    if not pieces:
        return None
    pos, first = 0, None
    for piece in pieces:
        hit = locate(piece, text[pos:])
        if hit is None:
            return None
        if first is None:
            first = pos + hit[0]
        pos += hit[1]
    return (first, pos) if first is not None else None


def _best_sentence(claim: str, passage: Passage) -> tuple[int, int]:
    spans = split_sentences(passage.text) or [(0, len(passage.text))]
    cands = [Scored(1, s, e, passage.text[s:e], 0.0) for s, e in spans]
    ranked = score_sentences(claim, [passage], cands)
    best = ranked[0]
    if best.score <= 0:
        best = min(ranked, key=lambda s: s.start)   # no overlap at all: the passage's opening
    return best.start, best.end


def cite(answer: str, passages: list[Passage], lang: Lang = "zh") -> Cited:
    text, dropped = normalize_markers(answer, len(passages))
    quotes = _quote_spans(text)
    runs = []
    for m in _RUN.finditer(text):
        # Only valid numbers survive normalize_markers, but "[2024]" (4 digits) is left alone.
        nums = [n for n in (int(x) for x in re.findall(r"\d+", m.group())) if 1 <= n <= len(passages)]
        if nums:
            runs.append((m.start(), m.end(), nums))

    def in_quote(i: int) -> bool:
        return any(q[0] <= i < q[1] for q in quotes)

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
        claim_quotes = [q for q in quotes if c_start <= q[0] and q[1] <= c_end]
        attached.update(q[0] for q in claim_quotes)
        located: dict[int, list[tuple[int, int]]] = {n: [] for n in nums}
        bad = False
        for q in claim_quotes:
            inner = _RUN.sub("", text[q[2] : q[3]])   # a marker inside the quote is not quoted text
            if len(norm(inner)) < 2:
                continue   # a one-character "quote" is emphasis, not a claim about words
            hits = {n: find_quote(inner, passages[n - 1].text) for n in nums}
            if any(hits.values()):
                for n, hit in hits.items():
                    if hit:
                        located[n].append(hit)
            else:
                bad = True
                unverified.append(inner)
                flags.append(q[1])
        claim_text = _RUN.sub("", text[c_start:c_end])
        for n in nums:
            spans = located[n] or [_best_sentence(claim_text, passages[n - 1])]
            entries.extend((n, s, e, not bad) for s, e in spans)

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
            quote=p.text[s:e], start=p.start + s, end=p.start + e, verified=ok,
            time=p.time, media_url=p.media_url,
        ))
    return out
