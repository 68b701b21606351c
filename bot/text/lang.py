"""Language helpers: which language a question is in (so the answer, refusals and notices use
the same one), and the text normalisation and sentence splitting shared by answers and citations.

The corpus is Chinese, so English questions often contain Chinese names ("What did 李广密 say
about GPT-4?") and Chinese questions often contain English terms ("李广密怎么看GPT-4 training
cost"). Counting characters alone would misjudge both; instead one CJK character is weighed
against half an English word (a Chinese question needs about two characters per Latin word).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from bot.text.normalize import t2s

Lang = Literal["zh", "en"]

# CJK Unified Ideographs, Extension A, Compatibility Ideographs, and kana (Japanese names are
# rare here, but they read as "not English").
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff]")
_LATIN_WORD = re.compile(r"[A-Za-z]+")


def cjk_count(text: str) -> int:
    return len(_CJK.findall(text))


def detect_lang(text: str) -> Lang:
    """'zh' when CJK characters carry the text, else 'en' (also for empty or symbol-only text)."""
    cjk = cjk_count(text)
    if cjk == 0:
        return "en"
    words = len(_LATIN_WORD.findall(text))
    return "zh" if cjk >= 2 * words else "en"


# --- normalising and splitting Chinese/English text ----------------------------------------------
# Shared by the extractive answer (bot.answer.extractive) and citation checks (bot.answer.citations): both must
# agree on what a sentence is and on when two spellings are "the same words".

_ALWAYS_END = set("。！？；!?;\n")
_CLOSERS = set("”’」』）)】\"'")
_CLAUSE_END = set("，,、:：")
_CJK_CHAR = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
MAX_SENTENCE = 150   # longer sentences are cut at commas so an answer never quotes a paragraph
_PIECE = 100


def simplify(text: str) -> str:
    return t2s().convert(text)


def norm_map(text: str) -> tuple[str, list[int]]:
    """Normalised text (simplified, NFKC-folded, lower case, no whitespace) and, for each of
    its characters, the offset of the original character it came from."""
    conv = simplify(text)
    aligned = len(conv) == len(text)  # t2s is per character in practice; guard the rare phrase case
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            continue
        c = conv[i] if aligned else simplify(ch)
        folded = unicodedata.normalize("NFKC", c)
        c = (folded if len(folded) == 1 else c).lower()
        chars.append(c)
        index.append(i)
    return "".join(chars), index


def norm(text: str) -> str:
    return norm_map(text)[0]


def locate(fragment: str, text: str) -> tuple[int, int] | None:
    """Offsets of `fragment` in `text`: exact if possible, else ignoring whitespace, script
    (traditional/simplified), width and case. None when it does not occur."""
    if not fragment.strip():
        return None
    i = text.find(fragment)
    if i >= 0:
        return i, i + len(fragment)
    nf = norm(fragment)
    nt, index = norm_map(text)
    k = nt.find(nf) if nf else -1
    if k < 0:
        return None
    return index[k], index[k + len(nf) - 1] + 1


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences of `text`, whitespace-trimmed; long ones in pieces."""
    spans: list[tuple[int, int]] = []
    start, i, n = 0, 0, len(text)
    while i < n:
        ch = text[i]
        end_here = ch in _ALWAYS_END or (
            # "." ends a sentence only before a space or the end: not in "GPT-3.5" or "Character.AI".
            ch == "." and (i + 1 == n or text[i + 1].isspace() or bool(_CJK_CHAR.match(text[i + 1])))
            and not text[start:i].strip().isdigit()   # "6.云端模型": a list number, not a sentence
        )
        i += 1
        if end_here:
            while i < n and (text[i] in _ALWAYS_END or text[i] in _CLOSERS or text[i] == "."):
                i += 1
            spans.append((start, i))
            start = i
    if start < n:
        spans.append((start, n))
    out: list[tuple[int, int]] = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s and re.search(r"\w", text[s:e]):
            out.extend(_pieces(text, s, e) if e - s > MAX_SENTENCE else [(s, e)])
    return out


def _pieces(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """Cut an over-long sentence after commas into pieces of about _PIECE characters."""
    out: list[tuple[int, int]] = []
    cur = s
    last_cut = None
    for i in range(s, e):
        if text[i] in _CLAUSE_END:
            if i + 1 - cur > _PIECE and last_cut is not None:
                out.append((cur, last_cut))
                cur = last_cut
            last_cut = i + 1
    if e - cur > _PIECE and last_cut is not None and last_cut > cur and e - last_cut > 10:
        out.append((cur, last_cut))
        cur = last_cut
    out.append((cur, e))
    return [(a, b) for a, b in ((a, _rstrip(text, a, b)) for a, b in out) if b > a]


def _rstrip(text: str, a: int, b: int) -> int:
    while b > a and (text[b - 1].isspace() or text[b - 1] in "，,、"):
        b -= 1
    return b
