"""Word segmentation for keyword search and word overlap: one index token form for both languages.

Text is normalised (traditional → simplified, full-width → half-width, lower case) before it is
cut, on the index and the question side alike. jieba cuts it in search mode (it also emits the
sub-words of long words, and cuts Latin text at spaces and punctuation); names it would cut apart
are added to its dictionary (`add_words`). Each token then follows its own language's rules:
Chinese words drop the Chinese stopwords; English words drop the English stopwords and single
letters, and are stemmed with PyStemmer's Snowball English stemmer (the stemmer bm25s uses), so
"costs", "costing" and "cost" are one word. Numbers and mixed terms ("4o", "gpt") stay as they are.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from functools import lru_cache

from bot.text.normalize import normalize
from bot.text.stopwords import STOP_EN, STOP_ZH

_jieba_lock = threading.Lock()
_jieba = None
_TOKEN_OK = re.compile(r"\w", re.UNICODE)
_local = threading.local()


def segmenter():
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                from bot.text.aliases import chinese_forms

                for w in chinese_forms():
                    jieba.add_word(w, freq=2_000_000)
                _jieba = jieba
    return _jieba


def add_words(words: Iterable[str]) -> None:
    """Teach jieba names it would otherwise cut apart (李广密 → 李广 / 密)."""
    jb = segmenter()
    for w in words:
        w = normalize(w).strip()
        if w and not w.isascii():
            jb.add_word(w, freq=2_000_000)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball English stem of a lower-case word ("training" → "train"); other tokens as they are."""
    if not (word.isascii() and word.isalpha()):
        return word
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:   # a PyStemmer object is not safe to share between threads
        import Stemmer

        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    return stemmer.stemWord(word)


def index_token(t: str, stemmed: bool = True) -> str | None:
    """One jieba token (already normalised) in index form (English stemmed), or None when it
    carries no topic. `stemmed=False`: the word as written, for showing it back to a user."""
    t = t.strip()
    if not t or not _TOKEN_OK.search(t):
        return None
    if t.isascii():
        if t.isalpha():
            return None if len(t) < 2 or t in STOP_EN else (stem(t) if stemmed else t)
        return t
    return None if t in STOP_ZH else t


def tokenize(text: str) -> list[str]:
    jb = segmenter()
    toks = []
    # HMM off: its guessed words ("看算力") are unstable across contexts and miss the dictionary
    # words inside them; names it would need are added to the dictionary instead (add_words).
    for t in jb.lcut_for_search(normalize(text), HMM=False):
        t = index_token(t)
        if t:
            toks.append(t)
    return toks


_CJK_CHAR = re.compile(r"[\u3400-\u9fff]")


def loose_runs(text: str) -> list[str]:
    """Words jieba's dictionary lacks, which it cuts into single characters (播客 → 播 / 客, 共情 →
    共 / 情): runs of two or more such characters, stopwords apart, each joined back into one string.
    A question's characters in a run are no words of their own (客 alone is a customer); the run
    itself may be a word the bilingual dictionary knows (共情: empathy)."""
    runs: list[str] = []
    run: list[str] = []
    for t in [*segmenter().lcut(normalize(text), HMM=False), ""]:
        if len(t) == 1 and _CJK_CHAR.match(t) and t not in STOP_ZH:
            run.append(t)
            continue
        if len(run) >= 2:
            runs.append("".join(run))
        run = []
    return runs


def content_words(text: str) -> list[str]:
    """The topic words of `text` as written (normalised, not stemmed): what `tokenize` indexes,
    in a form that can be found again in the text and shown to the user."""
    return [w for t in segmenter().lcut_for_search(normalize(text), HMM=False) if (w := index_token(t, False))]
