"""The one stopword list per language, used by keyword search, the extractive answer's word
overlap, the relevance verdict and the follow-up rewrite alike.

English: the standard NLTK list as bm25s ships it (function words, pronouns, auxiliaries), plus
the words people use to frame a question about an interview rather than to say what it is about.
Chinese: function words, pronouns and question words, plus the same kind of framing words. Both
are general; none is a topic word of any transcript (a bigger Chinese list, bm25s's 841 words,
holds topic words such as 今年, 使用, 发展 and hurts the recall of short questions).
"""

from __future__ import annotations

from bm25s.stopwords import STOPWORDS_EN_PLUS

# How a question about an interview is framed in English, not what it is about.
_FRAMING_EN = (
    "say says said saying think thinks thought view views opinion according discuss discussed discusses "
    "mention mentioned mentions talk talks talked describe described explain explained tell told "
    "anyone someone somebody anything something does did do doing would could might can also "
    "interview interviews podcast episode speaker speakers guest guests mr mrs ms dr "
    "many much whose get got make made like yes yeah"
)
STOP_EN: frozenset[str] = frozenset(STOPWORDS_EN_PLUS) | frozenset(_FRAMING_EN.split())

# Chinese function words, pronouns and question words.
_FUNCTION_ZH = (
    "的 了 是 在 和 与 也 就 都 而 及 着 或 之 其 被 把 给 从 到 等 吗 呢 吧 啊 呀 么 嘛 哦 "
    "我 你 您 他 她 它 我们 你们 他们 她们 它们 咱们 自己 "
    "这 那 这个 那个 这些 那些 这样 那样 这种 那种 一个 一些 "
    "什么 怎么 怎样 怎么样 如何 为什么 为何 哪 哪些 哪个 哪里 谁 多少 多大 多久 多长 是否 "
    "有 没有 有没有 会 能 要 对 对于 关于 以及 如果 但是 可以 还 又"
)
# How a question about an interview is framed in Chinese, not what it is about.
_FRAMING_ZH = (
    "说 说过 讲 讲到 谈 谈到 提到 提过 透露 认为 觉得 看 看法 观点 怎么看 如何看待 怎么说 "
    "演讲者 演讲 讲者 那位 这位 嘉宾 主持人 访谈 采访 两场 说法 评价 回应 判断 分别 各自 对比 比较 "
    "请 问 一下"
)
STOP_ZH: frozenset[str] = frozenset(_FUNCTION_ZH.split()) | frozenset(_FRAMING_ZH.split())

STOPWORDS: frozenset[str] = STOP_EN | STOP_ZH


def is_stopword(token: str) -> bool:
    """`token` in index form (lower case, simplified) carries no topic in either language."""
    return token in STOPWORDS
