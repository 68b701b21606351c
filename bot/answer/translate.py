"""LLM mode: the question rewritten into each language of the corpus before retrieval.

e5 scores a question against passages of its own language higher than against passages of
another, and keyword search needs the passage's words; a translation made by the LLM gives the
other language's passages a question in their own words. One request per question (every
missing language at once), cached, so a retried or repeated question costs nothing. When the LLM
fails, retrieval goes on with the dictionary translations it always has (`bot.text.bilingual`).
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict

from bot.answer.llm import LLM, LLMError
from bot.answer.prompts import Prompt, data_text

log = logging.getLogger(__name__)

_LINE = re.compile(r"^\s*[-*]?\s*`?(zh|en)`?\s*[:：]\s*(.+?)\s*$", re.I | re.M)
CACHE_SIZE = 512


class QuestionTranslator:
    """`translator(question, ["en"]) -> {"en": "..."}`: what `HybridRetriever.translator` calls."""

    def __init__(self, llm: LLM, prompt: Prompt, cache_size: int = CACHE_SIZE) -> None:
        self.llm, self.prompt, self.cache_size = llm, prompt, cache_size
        self._cache: OrderedDict[tuple[str, tuple[str, ...]], dict[str, str]] = OrderedDict()

    def __call__(self, question: str, langs: list[str]) -> dict[str, str]:
        key = (question, tuple(sorted(langs)))
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        messages = self.prompt.messages(languages=", ".join(key[1]), question=data_text(question))
        try:
            reply = self.llm.complete(messages)
        except LLMError as exc:
            log.warning("question translation failed (%s); searching with dictionary translations", exc)
            return {}   # not cached: the next time may work
        out = parse_translations(reply, key[1])
        self._cache[key] = out
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return out


def parse_translations(reply: str, langs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """`zh: …` / `en: …` lines of a reply → {lang: text}, for the languages asked for only."""
    out: dict[str, str] = {}
    for m in _LINE.finditer(reply or ""):
        lang, text = m.group(1).lower(), m.group(2).strip().strip("\"“”「」")
        if lang in langs and text and lang not in out:
            out[lang] = text[:500]
    return out
