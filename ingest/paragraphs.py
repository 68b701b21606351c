"""Paragraphs of a cleaned text and the shapes of section headings among them.

`paragraphs` cuts cleaned text (one paragraph per line, see ingest.clean) into `Para`s, which
ingest.speakers then marks as speech, narration, summary or heading. A numbered heading is "01",
"1. 标题", "01大语言模型" or "第三部分"; a short heading is a line too short and unpunctuated to be
a sentence. `MAX_HEADING` bounds both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Characters at most in a heading; longer is a sentence. Set by reading the seeds' headings, not tuned.
MAX_HEADING = 50
NUM_ONLY = re.compile(r"(?:0?[1-9]|[1-9]\d)")
_NUM_HEAD = re.compile(r"(0[1-9]|[1-9]\d?)(\s*[.、．]\s*|\s+)?(\S)")
_CHAPTER = re.compile(r"第[一二三四五六七八九十\d]{1,3}(?:部分|章|节|節|讲|講|篇)")
_UNITS = "年月日号號个個亿億万萬千百%％倍秒分天岁歲点點位名家种種次条條米元块塊"
_TERMINAL = "。.!！?？;；:：…,，、"


@dataclass
class Para:
    start: int
    end: int
    text: str
    kind: str = "narration"
    speaker: str | None = None
    words: int = 0            # offset where the words begin (after a label)
    new_turn: bool = False    # an explicit label starts a new turn even for the same speaker
    section: str | None = None


def paragraphs(text: str) -> list[Para]:
    out = []
    for m in re.finditer(r"[^\n]+", text):
        line = m.group(0)
        lead = len(line) - len(line.lstrip())
        body = line.strip()
        if body:
            s = m.start() + lead
            out.append(Para(s, s + len(body), body, words=s))
    return out



def is_numbered_heading(text: str) -> bool:
    if len(text) > MAX_HEADING or "。" in text or text[-1] in ",，;；:：、":
        return False
    if NUM_ONLY.fullmatch(text) or _CHAPTER.match(text):
        return True
    m = _NUM_HEAD.match(text)
    if not m:
        return False
    num, sep, nxt = m.groups()
    if not nxt.isalpha():  # "1 + 1 = 2", "3 %": a title starts with a word
        return False
    if not sep:  # "01大语言模型": only a zero-padded number may touch its title
        return num.startswith("0")
    return not (sep.strip() == "" and nxt in _UNITS)


def is_short_heading(text: str) -> bool:
    return len(text) <= MAX_HEADING and "。" not in text and text[-1] not in _TERMINAL
