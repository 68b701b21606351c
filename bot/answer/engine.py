"""The chat engine: question in, streamed and cited answer out.

guard -> condense a follow-up into a standalone question -> retrieve -> refuse when the evidence
is weak -> answer with the LLM (or extractively without one, or when it fails) -> citations and
quote checks. `ask` joins `stream`, so the UI, the eval and the tests share one code path.

Consumers of `stream` append "delta" texts as they come and then REPLACE what they show with the
final Answer's text: it may differ (markers normalised, invented quotes flagged, or an
extractive answer after an LLM that died mid-answer).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

from bot.answer.citations import cite, renumber
from bot.answer.extractive import extractive_answer
from bot.answer.followup import _turns, asks_for_more, drop_already_quoted, rule_condense
from bot.answer.guard import StreamRedactor, check_question, redact, small_talk
from bot.answer.llm import LLM, LLMError, make_llm
from bot.answer.messages import MSG, reason_text
from bot.answer.prompts import (
    PROMPTS_DIR,
    Prompt,
    data_text,
    fit_passages,
    format_passage,
    load_prompt,
    prompt_exists,
)
from bot.answer.reply import ReplyReader, declines, read_reply
from bot.answer.scope import outside_filters, within_filters
from bot.index.store import StoreError
from bot.schema import Answer, Filters, Passage, Retriever, StreamEvent
from bot.settings import Settings
from bot.text.lang import Lang, split_sentences

log = logging.getLogger(__name__)

class ChatEngine:
    def __init__(self, settings: Settings, retriever: Retriever, llm: LLM | None = None,
                 prompts_dir: Path | None = None) -> None:
        self.settings = settings
        self.retriever = retriever
        self.llm = llm
        self.prompts_dir = Path(prompts_dir) if prompts_dir is not None else PROMPTS_DIR
        self._prompts: dict[str, Prompt] = {}
        if llm is not None:   # a broken prompt file should fail at start-up, not on the first question
            for name in ("answer_zh", "answer_en"):
                self._prompt(name)

    @classmethod
    def from_settings(cls, settings: Settings, retriever: Retriever, prompts_dir: Path | None = None) -> ChatEngine:
        """An engine with the LLM the settings ask for (none without a key or base URL)."""
        return cls(settings, retriever, make_llm(settings), prompts_dir)

    @property
    def mode(self) -> str:
        return "llm" if self.llm is not None else "offline"

    def _prompt(self, name: str) -> Prompt:
        if name not in self._prompts:
            self._prompts[name] = load_prompt(name, self.prompts_dir)
        return self._prompts[name]

    def ask(self, question: str, history: list[dict] | None = None, filters: Filters | None = None) -> Answer:
        final = None
        for event in self.stream(question, history, filters):
            if event.kind == "final":
                final = event.answer
        assert final is not None   # stream always ends with a final event
        return final

    def stream(self, question: str, history: list[dict] | None = None,
               filters: Filters | None = None) -> Iterator[StreamEvent]:
        checked = check_question(question)
        if checked.error:
            yield self._final(Answer(question=checked.text, text=checked.error, mode=self.mode,
                                     error=checked.error))
            return
        lang, m = checked.lang, MSG[checked.lang]
        if kind := small_talk(checked.text):
            text = MSG[lang]["welcome"] if kind == "thanks" else self._hello(lang)
            yield self._final(Answer(question=checked.text, text=text, mode=self.mode))
            return
        timings: dict[str, float] = {}
        llm_error: str | None = None
        standalone = checked.text
        if _turns(history):
            yield StreamEvent("status", m["condensing"])
            t = time.perf_counter()
            standalone, llm_error = self._condense(checked.text, _turns(history))
            timings["condense"] = _ms(t)
        if outside := outside_filters(standalone, filters, self._library()):
            kind, names = outside
            sep = "、" if lang == "zh" else ", "
            text = m[f"not_in_{kind}"].format(names=sep.join(names), chosen=sep.join(filters.speakers if filters else []))
            yield StreamEvent("delta", text)
            yield self._final(Answer(question=checked.text, text=text, mode=self.mode, refused=True,
                                     standalone_question=_if_changed(standalone, checked.text), timings_ms=timings))
            return
        yield StreamEvent("status", m["searching"])
        t = time.perf_counter()
        try:
            retrieval = self.retriever.retrieve(standalone, filters, top_k=self.settings.top_k)
        except Exception as exc:  # noqa: BLE001 - any store failure becomes a message, not a traceback
            log.error("retrieval failed: %s", redact(f"{type(exc).__name__}: {exc}", self.settings))
            log.debug("retrieval failure details", exc_info=True)
            # A StoreError's message is written for users (what is wrong, what to do); other
            # exceptions keep their type name so a bug report says what failed.
            detail = str(exc) if isinstance(exc, StoreError) else f"{type(exc).__name__}: {exc}"
            err = redact(m["retrieval_failed"].format(err=detail), self.settings)
            yield self._final(Answer(question=checked.text, text=err, mode=self.mode, error=err,
                                     standalone_question=_if_changed(standalone, checked.text),
                                     timings_ms={**timings, "retrieve": _ms(t), "answer": 0.0}))
            return
        timings["retrieve"] = _ms(t)
        retrieval.passages = within_filters(retrieval.passages, filters)
        if asks_for_more(checked.text) and _turns(history):
            retrieval.passages = drop_already_quoted(retrieval.passages, _turns(history))
        t = time.perf_counter()
        answer = Answer(question=checked.text, text="", mode=self.mode, notice=checked.notice,
                        standalone_question=_if_changed(standalone, checked.text), timings_ms=timings)
        if getattr(retrieval, "caveat", None) and not retrieval.weak:
            answer.notice = _join(answer.notice, retrieval.caveat)
        if retrieval.weak or not retrieval.passages:
            answer.refused, answer.passages, answer.llm_error = True, retrieval.passages, llm_error
            answer.text = _refusal(retrieval.passages, reason_text(retrieval, lang), lang)
            yield StreamEvent("delta", redact(answer.text, self.settings))
        elif self.llm is not None and llm_error is None:
            yield StreamEvent("status", m["writing"])
            llm_error = yield from self._llm_answer(answer, standalone, retrieval.passages, lang)
        if not answer.refused and (self.llm is None or llm_error is not None):
            if llm_error is not None:
                why = m["filtered"] if llm_error == FILTERED else m["fallback"].format(err=llm_error)
                yield StreamEvent("status", redact(why, self.settings))
                answer.mode, answer.llm_error = "offline", llm_error
                answer.notice = _join(answer.notice, why)
            yield from self._offline_answer(answer, standalone, retrieval.passages, lang, retrieval.sentence_scores)
        timings["answer"] = _ms(t)
        yield self._final(answer)

    # --- the two ways to answer ------------------------------------------------------------

    def _llm_answer(self, answer: Answer, question: str, passages: list[Passage],
                    lang: Lang) -> Iterator[StreamEvent]:
        """Stream the LLM's answer into `answer`. Returns an error message instead on failure."""
        assert self.llm is not None
        used = fit_passages(passages, self.settings.llm_context_tokens, lang)
        block = "\n\n".join(format_passage(n, p, lang) for n, p in enumerate(used, 1))
        messages = self._prompt(f"answer_{lang}").messages(
            passages=redact(block, self.settings), question=data_text(redact(question, self.settings)))
        m = MSG[lang]
        redactor = StreamRedactor(self.settings)
        reader = ReplyReader(self._untagged_reasoning())
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
        answer.reasoning = redact(reply.reasoning, self.settings) or None
        if reply.finish == "filtered":
            return FILTERED
        if not reply.text:
            if reply.finish == "length":
                return "the LLM reached its length limit before writing an answer"
            return "the LLM returned an empty answer"
        cited = cite(redact(reply.text, self.settings), used, lang)
        answer.passages = used
        if not cited.citations and declines(cited.text, self.settings.llm_refusal_max_chars):
            # The model says the passages don't answer: a refusal like ours, with the closest passages.
            answer.refused, answer.text = True, _refusal(used, None, lang, opening=cited.text)
            return None
        answer.text, answer.citations = renumber(cited.text, cited.citations)
        if cited.dropped:
            answer.notice = _join(answer.notice, m["dropped"].format(nums="".join(f"[{n}]" for n in cited.dropped)))
        if cited.unverified:
            answer.notice = _join(answer.notice, m["unverified"].format(k=len(cited.unverified)))
        if reply.finish == "length":
            answer.text = answer.text.rstrip() + m["cut_tag"]
            answer.notice = _join(answer.notice, m["cut"])
        return None

    def _untagged_reasoning(self) -> bool:
        """Whether this model may open its reply with reasoning and no <think> tag (settings regex)."""
        try:
            return bool(self.llm and re.search(self.settings.llm_reasoning_models, self.llm.model, re.I))
        except re.error:
            log.warning("LLM_REASONING_MODELS is not a valid regex: %r", self.settings.llm_reasoning_models)
            return False

    def _offline_answer(self, answer: Answer, question: str, passages: list[Passage], lang: Lang,
                        semantic: dict[str, list[tuple[int, int, float]]] | None = None) -> Iterator[StreamEvent]:
        extract = extractive_answer(question, passages, lang, semantic=semantic, params=self.settings.answer,
                                     host_weight=self.settings.host_weight)
        cited = cite(extract.text, passages, lang, loose=False)
        answer.text, answer.citations = renumber(cited.text, cited.citations)
        answer.passages = passages
        for piece in re.split(r"(?<=\])(?=\s)", answer.text):   # a few deltas, one per quote
            yield StreamEvent("delta", redact(piece, self.settings))

    def _library(self) -> Any:
        """What is indexed (interviews, speakers), when the retriever knows it."""
        return getattr(self.retriever, "library", None)

    def _hello(self, lang: Lang) -> str:
        """The reply to a greeting: what the bot does, and which interviews it knows."""
        m = MSG[lang]
        library = self._library()
        titles = list(library.titles().values()) if library is not None else []
        listed = "".join(f"\n- 《{t}》" if lang == "zh" else f"\n- «{t}»" for t in titles[:12])
        return m["hello"] + (f"\n\n{m['interviews']}{listed}" if titles else "")

    # --- follow-ups ------------------------------------------------------------------------

    def _condense(self, question: str, turns: list[tuple[str, str]]) -> tuple[str, str | None]:
        """The standalone question, and the LLM's error if it failed (the answer then skips it)."""
        if self.llm is not None and prompt_exists("condense", self.prompts_dir):
            lines = []
            for role, text in turns[-6:]:
                text = text if len(text) <= 400 else text[:400] + "…"
                lines.append(f"{'User' if role == 'user' else 'Assistant'}: {' '.join(text.split())}")
            messages = self._prompt("condense").messages(
                history=data_text(redact("\n".join(lines), self.settings)), question=data_text(redact(question, self.settings)))
            try:   # the same reader as answers: reasoning never becomes the search query
                reply = read_reply(self.llm.stream_events(messages), self._untagged_reasoning())
            except LLMError as exc:
                log.warning("condense failed: %s", exc)
                return rule_condense(question, turns), str(exc)
            out = "" if reply.finish == "filtered" else reply.text.strip().strip("\"“”「」").strip()
            first = out.splitlines()[0].strip() if out else ""
            if first and len(first) <= 3 * len(question) + 200:
                return first, None
        return rule_condense(question, turns), None

    def _final(self, answer: Answer) -> StreamEvent:
        for f in fields(answer):   # no secret leaves the engine, whatever produced the text
            value = getattr(answer, f.name)
            if isinstance(value, str):
                setattr(answer, f.name, redact(value, self.settings))
        return StreamEvent("final", answer.text, answer)


def _refusal(passages: list[Passage], reason: str | None, lang: Lang, opening: str | None = None) -> str:
    m = MSG[lang]
    text = (opening or m["refuse"]) + (f" {reason.strip()}" if reason and reason.strip() else "")
    if passages:
        lines = [m["closest"]]
        for p in passages[:3]:
            spans = split_sentences(p.text)
            first = p.text[spans[0][0] : spans[0][1]] if spans else p.text
            first = first if len(first) <= 80 else first[:80] + "…"
            who = p.speaker or (m["unmarked"] if p.unmarked else m["editor"])
            lines.append(f"- {who}《{p.title}》:{first}" if lang == "zh" else f"- {who}, «{p.title}»: {first}")
        text += "\n\n" + "\n".join(lines)
    return text


FILTERED = "the LLM's content filter stopped the answer"


def _join(a: str | None, b: str) -> str:
    return f"{a} {b}" if a else b


def _if_changed(standalone: str, question: str) -> str | None:
    return standalone if standalone != question else None


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)
