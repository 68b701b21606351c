"""Quotations in an answer, and one consistent test of whether a quotation is in a passage.

Every quote style a model uses is found: “…” 「…」 『…』 ‘…’ "…" '…' (straight single quotes only where
they open and close a quotation, not in "don't" or "Li's"). Outermost quotes only: a quote inside
a quote is part of it.

Matching uses one normalisation (`bot.text.lang.norm_map`: OpenCC traditional→simplified, NFKC width
folding, case, no whitespace) plus: every dash (- – — ― −, doubled or not) is one dash, every
quotation mark is one mark, and punctuation at the edges of the quote ("…前期实验。") is ignored.
A quote in another script than its neighbour quote ("“最大的成本在前期实验” ("the biggest cost…")")
is a translation, not a claim about the transcript's words.
"""

from __future__ import annotations

import re

from bot.text.lang import cjk_count, norm_map

_PAIRED = [
    re.compile(r"「([^「」]+)」"),
    re.compile(r"『([^『』]+)』"),
    re.compile(r"“([^“”]+)”"),
    re.compile(r'"([^"\n]+)"'),
    re.compile(r"＂([^＂\n]+)＂"),
]
# ‘…’: the closing ’ is the first one not followed by a letter (don’t, Li’s stay inside).
_CURLY_SINGLE = re.compile(r"‘((?:[^‘’\n]|’(?=[A-Za-z]))+)’(?![A-Za-z])")
# '…': opens after a space, an opening bracket or CJK; closes before a space, punctuation or CJK.
_STRAIGHT_SINGLE = re.compile(
    r"(?:^|(?<=[\s(（\[【:：,，、\u3000-\u303f\u4e00-\u9fff]))'(?=\S)([^'\n]{2,}?)(?<=\S)'(?![A-Za-z0-9])", re.M)

_DASHES = "-‐‑‒–—―−﹘﹣－"
_QUOTE_MARKS = "\"'“”‘’「」『』＂＇《》"
_EDGE = set("。，,.!?！？；;:：、…·-—–") | set(_QUOTE_MARKS) | {" ", "\u3000"}
_TITLE = re.compile(r"《[^《》\n]*》")
_ELLIPSIS = re.compile(r"\s*(?:……|…|\.\.\.+|。。。+)\s*")


def quote_spans(text: str) -> list[tuple[int, int, int, int]]:
    """(outer_start, outer_end, inner_start, inner_end) of quoted stretches, outermost only."""
    found = []
    # a title in 《…》 may hold quote marks of its own (《对话「妙鸭」产品负责人》): a name, not a quote
    titles = [(m.start(), m.end()) for m in _TITLE.finditer(text)]
    for pat in [*_PAIRED, _CURLY_SINGLE, _STRAIGHT_SINGLE]:
        for m in pat.finditer(text):
            if not any(a < m.start() and m.end() < b for a, b in titles):
                found.append((m.start(), m.end(), m.start(1), m.end(1)))
    found.sort(key=lambda q: (q[0], -q[1]))
    outer: list[tuple[int, int, int, int]] = []
    for q in found:
        if outer and q[0] < outer[-1][1]:
            continue   # nested inside an earlier quote: the outer one is what gets checked
        outer.append(q)
    return outer


def qnorm_map(text: str) -> tuple[str, list[int]]:
    """norm_map, with dashes and quotation marks folded (a run of dashes counts as one)."""
    chars, index = norm_map(text)
    out: list[str] = []
    idx: list[int] = []
    for c, i in zip(chars, index):
        if c in _DASHES:
            c = "-"
            if out and out[-1] == "-":
                continue
        elif c in _QUOTE_MARKS:
            c = '"'
        out.append(c)
        idx.append(i)
    return "".join(out), idx


def _trim_edges(fragment: str) -> str:
    a, b = 0, len(fragment)
    while a < b and fragment[a] in _EDGE:
        a += 1
    while b > a and fragment[b - 1] in _EDGE:
        b -= 1
    return fragment[a:b]


def locate(fragment: str, text: str) -> tuple[int, int] | None:
    """Offsets of `fragment` in `text`: exact if possible, else under the quote normalisation.
    None when it does not occur."""
    fragment = fragment.strip()
    i = text.find(fragment) if fragment else -1
    if i >= 0:
        return i, i + len(fragment)
    fragment = _trim_edges(fragment)
    if not fragment:
        return None
    i = text.find(fragment)
    if i >= 0:
        return i, i + len(fragment)
    nf, _ = qnorm_map(fragment)
    nt, index = qnorm_map(text)
    k = nt.find(nf) if nf else -1
    if k < 0:
        return None
    return index[k], index[k + len(nf) - 1] + 1


def find_quote(quote: str, text: str) -> tuple[int, int] | None:
    """Where the quoted words are in `text`. An ellipsis in the quote may skip words, but the
    pieces must appear in order; the span covers them all."""
    pieces = [p for p in _ELLIPSIS.split(quote) if _trim_edges(p.strip())]
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


def _script(text: str) -> str:
    """"cjk" for a quote with Chinese in it (the transcripts' words), "latin" for one without."""
    if cjk_count(text):
        return "cjk"
    return "latin" if re.search(r"[A-Za-z]{2,}", text) else "other"


_GLUE = re.compile(r"[\s(（)）\[\]【】,，:：;；、—–\-/|]*(?:i\.e\.|or|meaning|that is|即|意为|意思是|意即|译为|译作)?"
                   r"[\s(（)）\[\]【】,，:：;；、—–\-/|]*", re.I)


def translations(text: str, spans: list[tuple[int, int, int, int]]) -> set[int]:
    """Indexes of the quotes that translate the quote next to them (other script, only glue between)."""
    out: set[int] = set()
    for i in range(len(spans) - 1):
        a, b = spans[i], spans[i + 1]
        gap = text[a[1] : b[0]]
        if len(gap) > 16 or not _GLUE.fullmatch(gap):
            continue
        sa, sb = _script(text[a[2] : a[3]]), _script(text[b[2] : b[3]])
        if {sa, sb} == {"cjk", "latin"}:
            out.add(i if sa == "latin" else i + 1)
    return out
