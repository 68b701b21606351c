"""Which language a question is in, so the answer (and refusals, notices) can use the same one.

The corpus is Chinese, so English questions often contain Chinese names ("What did 李广密 say
about GPT-4?") and Chinese questions often contain English terms ("李广密怎么看GPT-4 training
cost"). Counting characters alone would misjudge both; instead one CJK character is weighed
against half an English word (a Chinese question needs about two characters per Latin word).
"""

from __future__ import annotations

import re
from typing import Literal

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
