"""The index form of text: simplified Chinese, half-width letters and digits, lower case.

Only what goes into the indexes is normalised; the cleaned original is kept for display and
quotes. Questions go through the same function, so a simplified question finds traditional text.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache


@lru_cache(maxsize=1)
def t2s():
    """The one OpenCC traditional → simplified converter."""
    import opencc  # loads its dictionaries: do it once, on first use

    return opencc.OpenCC("t2s")


def normalize(text: str) -> str:
    # NFKC folds full-width ASCII (ＧＰＴ－４ → GPT-4) and compatibility forms; t2s maps traditional
    # characters and phrases to simplified.
    return t2s().convert(unicodedata.normalize("NFKC", text)).lower()


def cut_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` without the (start, end) spans (names, titles a question holds), the pieces left
    joined by a space so the words either side of a cut do not run together."""
    out, pos = [], 0
    for s, e in sorted(spans):
        if s >= pos:
            out.append(text[pos:s])
            pos = e
    out.append(text[pos:])
    return " ".join(out)
