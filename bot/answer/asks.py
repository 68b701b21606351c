"""What a question asks for, and whether a sentence supplies it.

A speaker often restates the question's words first and gives the answer in the next sentence
("token 是一个容易误导人的单位。因为…", "…可能明年才会整合一起。但是视频的生成目前还不知道怎么整合的。"):
the sentence that matches the question best is then not the one that answers it. The question's
form says what the answer must hold — a reason (why, 为什么), a time (when, 多久), a figure
(how many, 多少) — and a neighbouring sentence that holds it belongs in the quote.

Question forms and answer forms of Chinese and English grammar, not words of any transcript.
"""

from __future__ import annotations

import re

from bot.retrieval.relevance import asks_for_figure, has_figure
from bot.text.normalize import normalize

REASON, TIME, FIGURE = "reason", "time", "figure"

_ASKS_REASON = re.compile(r"为什么|为何|为啥|怎么会|何以|凭什么|原因|理由|\bwhy\b|\bhow come\b|\bwhat makes\b"
                          r"|\bthe reason\b", re.I)
_REASON = re.compile(r"因为|由于|之所以|原因|所以|因此|为了|在于|\bbecause\b|\bsince\b(?!\s+\d)|\bso that\b|\bdue to\b"
                     r"|\bthe reason\b|\bthat[’']s why\b|\b(?:which|this) is why\b|\bin order to\b", re.I)

_ASKS_TIME = re.compile(r"什么时候|何时|多久|多长时间|多少年|哪一?年|几年|几个月|多快|什么时间"
                        r"|^\s*when\b|\bwhen (?:will|would|did|does|do|is|was|can|could|should)\b"
                        r"|\bhow (?:soon|long|quickly|fast)\b|\b(?:what|which) year\b|\bby when\b", re.I)
_NUM_ZH = "[0-9零一二两三四五六七八九十百几半数]+"
_NUM_EN = (r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty"
           r"|a few|a couple of|several|many)")
_TIME = re.compile(
    rf"{_NUM_ZH}\s*(?:个)?(?:年|月|周|星期|天|小时|分钟|秒钟?)|明年|今年|去年|前年|后年|年底|年初|年中|上半年|下半年"
    r"|(?:上|下)个月|月底|月初|(?:19|20)\d\d"
    rf"|\b{_NUM_EN}[\s-]+(?:years?|months?|weeks?|days?|hours?|minutes?|seconds?|decades?)\b"
    r"|\b(?:next|last|this) (?:year|month|week|decade)\b|\bwithin\b|\bsoon\b", re.I)


def asks(question: str) -> set[str]:
    """What the question asks for: a reason, a time, a figure (or nothing these rules know)."""
    q = normalize(question)
    out = set()
    if _ASKS_REASON.search(q):
        out.add(REASON)
    if _ASKS_TIME.search(q):
        out.add(TIME)
    elif asks_for_figure(question):   # "多久", "how long" ask for a time, the rest for a figure
        out.add(FIGURE)
    return out


def supplies(sentence: str, wanted: set[str], question: str) -> bool:
    """The sentence holds one of the things the question asks for."""
    s = normalize(sentence)
    return ((REASON in wanted and bool(_REASON.search(s)))
            or (TIME in wanted and bool(_TIME.search(s)))
            or (FIGURE in wanted and has_figure(sentence, question)))
