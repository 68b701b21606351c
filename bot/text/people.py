"""People an interview's title names, and the ways a question may write a Chinese name.

Podcast and article titles say whom they talk with: "…Empathy with Kate Darling - TWIML Talk",
"对话周鸿祎：别被 Co-pilot 带沟里去了", "对罗福莉3.5小时访谈". The transcript itself may label that
person by a nickname (红衣大叔), a number (发言人 2) or not at all (raw ASR); the title is then the
only place that ties the name a user asks about to the words. `bot.index.library` links them.

Chinese names are recognised by their surname: CC-CEDICT (already bundled for the bilingual
bridge) marks every surname character ("周 … /surname Zhou/"), a general resource rather than a
list of anyone's names.
"""

from __future__ import annotations

import gzip
import re
from functools import lru_cache

# "with Kate Darling", "featuring Abeba Birhane": two or three capitalised words after the word.
_WITH = re.compile(r"\b(?:with|featuring|feat\.|ft\.)\s+([A-Z][a-z'’\-]+(?:\s+[A-Z][a-z'’\-]+){1,2})(?![\w'’])")
_CJK = r"[\u3400-\u9fff]"
# 对话周鸿祎：…, 專訪唐鳳部長…, 林凡對話面壁智能李大海: the run of Chinese after the word
_TALK = re.compile(rf"(?:对话|對話|专访|專訪|对谈|對談|采访|採訪)\s*({_CJK}{{2,12}})")
# 对罗福莉3.5小时访谈, 与张三的对话: a name between 对/与/和/跟 and a word for interview
_TALK_AFTER = re.compile(rf"(?:对|對|与|與|和|跟)({_CJK}{{2,3}})"
                         rf"[^，。：:｜|！？]{{0,10}}?(?:访谈|訪談|对话|對話|对谈|對談|专访|專訪)")


@lru_cache(maxsize=1)
def surnames() -> frozenset[str]:
    """Single characters CC-CEDICT gives a "surname …" sense."""
    from bot.text.bilingual import data_path

    out = set()
    with gzip.open(data_path(), "rt", encoding="utf-8") as f:
        for line in f:
            parts = line.split(" ", 2)
            if len(parts) == 3 and len(parts[1]) == 1 and "/surname " in parts[2]:
                out.add(parts[1])
    return frozenset(out)


def _chinese_name(run: str, at_end: bool) -> str | None:
    """A two- or three-character personal name at the end of `run` (after an organisation:
    月之暗面杨植麟) or, when `at_end` is false, the whole run."""
    sur = surnames()
    if not at_end:
        return run if 2 <= len(run) <= 3 and run[0] in sur else None
    for n in (3, 2):
        if len(run) >= n and run[-n] in sur:
            return run[-n:]
    return None


def title_people(title: str) -> list[str]:
    """The people a title says the interview is with, in order, each once."""
    text = re.sub(r"[_]+", " ", title or "")
    found: list[str] = [m.group(1) for m in _WITH.finditer(text)]
    for m in _TALK.finditer(text):
        run = m.group(1)
        # the run must end at a break (：, ｜, space, end): otherwise it runs on into other words
        nxt = text[m.end():m.end() + 1]
        if nxt and re.match(_CJK, nxt):
            continue
        if (name := _chinese_name(run, at_end=True)) is not None:
            found.append(name)
    for m in _TALK_AFTER.finditer(text):
        if (name := _chinese_name(m.group(1), at_end=False)) is not None:
            found.append(name)
    return list(dict.fromkeys(found))


def pinyin_names(name: str) -> list[str]:
    """"Yang Zhilin", "Zhilin Yang" for a two- or three-character Chinese personal name: the ways
    English text writes it."""
    if not re.fullmatch(rf"{_CJK}{{2,3}}", name):
        return []
    try:
        from pypinyin import lazy_pinyin
    except ImportError:  # pragma: no cover - a declared dependency
        return []
    sy = [x.capitalize() for x in lazy_pinyin(name)]
    if len(sy) != len(name) or not all(x.isascii() and x.isalpha() for x in sy):
        return []
    family, given = sy[0], "".join(sy[1:]).capitalize()
    return [f"{family} {given}", f"{given} {family}"]


def romanized_surname(chinese: str, latin: str) -> bool:
    """A Chinese personal name (two or three characters) and a Latin-letter name of two or more
    words whose last word is the Chinese surname in pinyin: "唐凤" and "Audrey Tang", "黄仁勋" and
    "Jensen Huang". People who go by an English given name keep their surname, so across languages
    they may be one person; the surname alone cannot say that they are (many people share one)."""
    words = latin.split()
    if not re.fullmatch(rf"{_CJK}{{2,3}}", chinese) or len(words) < 2 or not all(w.isascii() and w.isalpha() for w in words):
        return False
    try:
        from pypinyin import lazy_pinyin
    except ImportError:  # pragma: no cover - a declared dependency
        return False
    return lazy_pinyin(chinese[0])[0].lower() == words[-1].lower()
