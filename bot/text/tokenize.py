"""Word segmentation for keyword search and word overlap: jieba, set up once with its custom words.

Text is normalised (traditional → simplified, full-width → half-width, lower case) before it is
cut, on the index and the question side alike. jieba runs in search mode (it also emits the
sub-words of long words); names it would cut apart are added to its dictionary (`add_words`).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable

from bot.text.normalize import normalize

_jieba_lock = threading.Lock()
_jieba = None
_TOKEN_OK = re.compile(r"\w", re.UNICODE)
# Function words that carry no topic; bigger lists hurt recall of short questions.
STOPWORDS = frozenset(
    "的 了 是 在 和 与 也 就 都 而 及 着 或 一个 我们 你们 他们 她们 它们 这个 那个 这些 那些 什么 怎么 怎么样 "
    "如何 为什么 吗 呢 吧 啊 呀 哪些 哪个 有 没有 说 说过 讲 谈 提到 认为 觉得 看 怎么看 对 对于 关于 "
    "the a an of to in on and or is are was were be been what which who whom how why does did do about "
    "say said says think thinks view views according".split()
) | frozenset(
    # how people frame a question about an interview, not what it is about
    "演讲者 演讲 讲者 那位 这位 嘉宾 访谈 采访 两场 说法 观点 看法 评价 回应 判断 分别 各自 "
    "对比 比较 怎么说 如何 是否".split()
)


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


def tokenize(text: str) -> list[str]:
    jb = segmenter()
    toks = []
    # HMM off: its guessed words ("看算力") are unstable across contexts and miss the dictionary
    # words inside them; names it would need are added to the dictionary instead (add_words).
    for t in jb.lcut_for_search(normalize(text), HMM=False):
        t = t.strip()
        if t and _TOKEN_OK.search(t) and t not in STOPWORDS:
            toks.append(t)
    return toks
