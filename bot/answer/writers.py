"""The two ways to write an answer from passages, behind one interface (`Writer`).

`LLMWriter` streams a model's answer (through `bot.answer.reply`: reasoning kept out, a model's
own refusal recognised, a cut-off answer said to be cut off) and maps its markers to citations;
`ExtractiveWriter` quotes the passages' best whole sentences. The engine picks one, and falls
back to the extractive one when the LLM fails. `write` is a generator of StreamEvents whose
return value is an error message (None when the answer was written).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from typing import Protocol

from bot.answer.citations import cite, renumber
from bot.answer.extractive import extractive_answer
from bot.answer.guard import StreamRedactor, redact
from bot.answer.llm import LLM
from bot.answer.llm_errors import LLMError
from bot.answer.messages import MSG, refusal_text
from bot.answer.prompts import Prompt, data_text, fit_passages, format_passage
from bot.answer.reply import ReplyReader, declines
from bot.schema import Answer, Passage, StreamEvent
from bot.settings import Settings
from bot.text.lang import Lang

log = logging.getLogger(__name__)

FILTERED = "the LLM's content filter stopped the answer"
Semantic = dict[str, list[tuple[int, int, float]]]


class Writer(Protocol):
    def write(self, answer: Answer, question: str, passages: list[Passage], lang: Lang,
              **kw: object) -> Iterator[StreamEvent]: ...


def join_notice(a: str | None, b: str) -> str:
    return f"{a} {b}" if a else b


class LLMWriter:
    def __init__(self, settings: Settings, llm: LLM, prompt: Callable[[str], Prompt]) -> None:
        self.settings, self.llm, self.prompt = settings, llm, prompt

    def untagged_reasoning(self) -> bool:
        """Whether this model may open its reply with reasoning and no <think> tag (settings regex)."""
        try:
            return bool(re.search(self.settings.llm_reasoning_models, self.llm.model, re.I))
        except re.error:
            log.warning("LLM_REASONING_MODELS is not a valid regex: %r", self.settings.llm_reasoning_models)
            return False

    def write(self, answer: Answer, question: str, passages: list[Passage], lang: Lang,
              prompt: str | None = None, **_: object) -> Iterator[StreamEvent]:
        """Stream the LLM's answer into `answer`. Returns an error message instead on failure."""
        s = self.settings
        used = fit_passages(passages, s.llm_context_tokens, lang)
        block = "\n\n".join(format_passage(n, p, lang) for n, p in enumerate(used, 1))
        messages = self.prompt(prompt or f"answer_{lang}").messages(
            passages=redact(block, s), question=data_text(redact(question, s)))
        m = MSG[lang]
        redactor = StreamRedactor(s)
        reader = ReplyReader(self.untagged_reasoning())
        announced = False
        try:
            for kind, value in self.llm.stream_events(messages):
                out = reader.feed(kind, value)
                if reader.thinking and not announced:
                    announced = True
                    yield StreamEvent("status", m["thinking"])
                if out and (shown := redactor.feed(out)):
                    yield StreamEvent("delta", shown)
        except LLMError as exc:
            return str(exc)
        if (tail := redactor.feed(reader.close()) + redactor.flush()):
            yield StreamEvent("delta", tail)
        reply = reader.reply()
        answer.reasoning = redact(reply.reasoning, s) or None
        if reply.finish == "filtered":
            return FILTERED
        if not reply.text:
            if reply.finish == "length":
                return "the LLM reached its length limit before writing an answer"
            return "the LLM returned an empty answer"
        cited = cite(redact(reply.text, s), used, lang)
        answer.passages = used
        if not cited.citations and declines(cited.text, s.llm_refusal_max_chars):
            # The model says the passages don't answer: a refusal like ours, with the closest passages.
            answer.refused, answer.text = True, refusal_text(used, None, lang, opening=cited.text)
            return None
        answer.text, answer.citations = renumber(cited.text, cited.citations)
        if cited.dropped:
            answer.notice = join_notice(answer.notice, m["dropped"].format(nums="".join(f"[{n}]" for n in cited.dropped)))
        if cited.unverified:
            answer.notice = join_notice(answer.notice, m["unverified"].format(k=len(cited.unverified)))
        if reply.finish == "length":
            answer.text = answer.text.rstrip() + m["cut_tag"]
            answer.notice = join_notice(answer.notice, m["cut"])
        return None


class ExtractiveWriter:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def write(self, answer: Answer, question: str, passages: list[Passage], lang: Lang,
              semantic: Semantic | None = None, skip: Callable[[str], bool] | None = None,
              forms: dict[str, tuple[str, ...]] | None = None, asked: frozenset[str] = frozenset(),
              **_: object) -> Iterator[StreamEvent]:
        """The passages' best whole sentences, quoted with renumbered markers; one delta per quote."""
        s = self.settings
        # quotes come from the top_k passages that answer; the rest (retrieval shows up to 10) are
        # sources to browse, and a deeper passage in the question's own language would outscore the
        # other-language passage that answers by its cosine alone
        extract = extractive_answer(question, passages[: s.top_k], lang, semantic=semantic, params=s.answer,
                                     host_weight=s.host_weight, skip=skip, forms=forms, asked=asked)
        if not extract.text:
            return None
        cited = cite(extract.text, passages, lang, loose=False)
        answer.text, answer.citations = renumber(cited.text, cited.citations)
        answer.passages = passages
        for piece in re.split(r"(?<=\])(?=\s)", answer.text):
            yield StreamEvent("delta", redact(piece, s))
        return None

    def cite_text(self, answer: Answer, text: str, passages: list[Passage], lang: Lang) -> Iterator[StreamEvent]:
        """An already composed extractive text (a digest, a comparison): cited, renumbered, streamed."""
        cited = cite(text, passages, lang)
        answer.text, answer.citations = renumber(cited.text, cited.citations)
        answer.passages = passages
        for line in answer.text.splitlines(keepends=True):
            yield StreamEvent("delta", redact(line, self.settings))
