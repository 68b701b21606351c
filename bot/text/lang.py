"""Language helpers: which language a question or passage is in (so the answer, refusals and notices
use the same one, and each passage is read by its own language's rules), and the text
normalisation shared by answers and citations.

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


# --- normalising Chinese/English text ------------------------------------------------------------
# Shared by the extractive answer (bot.answer.extractive) and citation checks (bot.answer.citations): both must
# agree on when two spellings are "the same words" (and, through bot.text.sentences, on what a sentence is).


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
    """The one sentence splitter (`bot.text.sentences`), kept importable from here."""
    from bot.text.sentences import split_sentences as split  # sentences imports this module

    return split(text)
