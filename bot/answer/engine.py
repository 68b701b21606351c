"""The chat engine: question in, streamed and cited answer out.

guard -> condense a follow-up into a standalone question -> recognise its kind (`kinds`):
a summary, comparison or "what's in here" gathers from the digests / per side / the library
(`overview`, `compare`); a narrow question retrieves -> refuses when the evidence is weak ->
answers with the LLM (or extractively without one, or when it fails) -> citations and quote
checks; then follow-up suggestions from the evidence (`suggest`). `ask` joins `stream`, so the
UI, the eval and the tests share one code path.

Consumers of `stream` append "delta" texts as they come and then REPLACE what they show with the
final Answer's text: it may differ (markers normalised, invented quotes flagged, or an
extractive answer after an LLM that died mid-answer).
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

from bot.answer.citations import cite, renumber
from bot.answer.collection import collection
from bot.answer.compare import compare
from bot.answer.followup import _turns, asks_for_more, fresh_passages, rule_condense
from bot.answer.gather import Context, Gathered, mentions_topic
from bot.answer.guard import check_question, redact, small_talk
from bot.answer.kinds import classify, library_names
from bot.answer.llm import LLM, make_llm
from bot.answer.llm_errors import LLMError
from bot.answer.messages import MSG, reason_text, recorded_caveat, refusal_text
from bot.answer.overview import claim_prior, summary
from bot.answer.prompts import PROMPTS_DIR, Prompt, data_text, load_prompt, prompt_exists
from bot.answer.reply import read_reply
from bot.answer.scope import outside_filters, within_filters
from bot.answer.suggest import suggest, warm_tagger
from bot.answer.translate import QuestionTranslator
from bot.answer.writers import FILTERED, ExtractiveWriter, LLMWriter, join_notice
from bot.index.digests import DigestStore
from bot.index.store import StoreError
from bot.schema import Answer, Filters, Retriever, StreamEvent
from bot.settings import Settings
from bot.text.lang import Lang

log = logging.getLogger(__name__)

class ChatEngine:
    def __init__(self, settings: Settings, retriever: Retriever, llm: LLM | None = None,
                 prompts_dir: Path | None = None) -> None:
        self.settings = settings
        self.retriever = retriever
        self.llm = llm
        self.prompts_dir = Path(prompts_dir) if prompts_dir is not None else PROMPTS_DIR
        self._prompts: dict[str, Prompt] = {}
        self.digests = DigestStore(settings.digests_dir)
        # the two ways to write an answer (bot.answer.writers): the LLM's, and the extractive one it
        # falls back to
        self.writer = LLMWriter(settings, llm, self._prompt) if llm is not None else None
        self.extractive = ExtractiveWriter(settings)
        warm_tagger()   # the suggestions' tagger, loaded while the engine waits for its first question
        if llm is not None:   # a broken prompt file should fail at start-up, not on the first question
            for name in ("answer_zh", "answer_en", "summary_zh", "summary_en", "compare_zh", "compare_en"):
                if name.startswith("answer") or prompt_exists(name, self.prompts_dir):
                    self._prompt(name)
            if hasattr(retriever, "translator") and prompt_exists("translate", self.prompts_dir):
                # the question is searched in each language of the corpus, rewritten by the LLM
                retriever.translator = QuestionTranslator(llm, self._prompt("translate"))

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
        turns = _turns(history)
        library = self._library()
        if turns:
            yield StreamEvent("status", m["condensing"])
            t = time.perf_counter()
            standalone, llm_error = self._condense(checked.text, turns, library)
            timings["condense"] = _ms(t)
        if outside := outside_filters(standalone, filters, library):
            where, names = outside
            sep = "、" if lang == "zh" else ", "
            text = m[f"not_in_{where}"].format(names=sep.join(names), chosen=sep.join(filters.speakers if filters else []))
            yield StreamEvent("delta", text)
            yield self._final(Answer(question=checked.text, text=text, mode=self.mode, refused=True,
                                     standalone_question=_if_changed(standalone, checked.text), timings_ms=timings))
            return
        t = time.perf_counter()
        use_llm = self.llm is not None and prompt_exists("kind", self.prompts_dir)
        kind = classify(standalone, library, filters, self.llm if use_llm else None,
                        self._prompt("kind") if use_llm else None, lambda text: redact(text, self.settings))
        timings["kind"] = _ms(t)
        answer = Answer(question=checked.text, text="", mode=self.mode, notice=checked.notice, kind=kind.kind,
                        standalone_question=_if_changed(standalone, checked.text), timings_ms=timings)
        more = bool(turns) and asks_for_more(checked.text)
        yield StreamEvent("status", m["searching"] if kind.kind == "narrow" else
                          m["comparing"] if kind.kind == "compare" else m["reading_digest"])
        t = time.perf_counter()
        try:
            if kind.kind != "narrow":
                ctx = Context(self.settings, self.retriever, library, self.digests, lang, filters or Filters())
                gathered = (summary(kind, ctx, standalone) if kind.kind == "summary" else
                            compare(kind, ctx, standalone) if kind.kind == "compare" else collection(ctx))
            else:
                depth = self.settings.overview.more_depth if more else 1
                retrieval = self.retriever.retrieve(standalone, filters, top_k=self.settings.top_k * depth)
        except Exception as exc:  # noqa: BLE001 - any store failure becomes a message, not a traceback
            log.error("retrieval failed: %s", redact(f"{type(exc).__name__}: {exc}", self.settings))
            log.debug("retrieval failure details", exc_info=True)
            # A StoreError's message is written for users (what is wrong, what to do); other
            # exceptions keep their type name so a bug report says what failed.
            detail = str(exc) if isinstance(exc, StoreError) else f"{type(exc).__name__}: {exc}"
            answer.text = answer.error = redact(m["retrieval_failed"].format(err=detail), self.settings)
            timings.update(retrieve=_ms(t), answer=0.0)
            yield self._final(answer)
            return
        timings["retrieve"] = _ms(t)
        t = time.perf_counter()
        if kind.kind != "narrow":
            yield from self._gathered(answer, gathered, lang, llm_error)
            timings["answer"] = _ms(t)
            answer.suggestions = suggest(answer, kind, library, lang, self.settings.overview.suggestions,
                                         gathered.subjects, gathered.topics, self.settings.overview.suggest_texts)
            yield self._final(answer)
            return
        retrieval.passages = within_filters(retrieval.passages, filters)
        if getattr(retrieval, "recorded", None) and not retrieval.weak:
            answer.notice = join_notice(answer.notice, recorded_caveat(retrieval.recorded, library, lang))
        for named, other in getattr(retrieval, "maybe_same", {}).items():
            answer.notice = join_notice(answer.notice, m["maybe_same"].format(named=named, other=other))
        skip = None
        if more:
            # "why?", "详细说说": evidence the recent answers did not quote, on the same topic, from a
            # deeper search: unquoted passages first, then the quoted ones' other sentences
            said = "\n".join(text for role, text in turns[-6:] if role == "assistant")
            on_topic = [p for p in retrieval.passages if not kind.topic or mentions_topic(kind.topic, [p])]
            fresh = fresh_passages(on_topic, turns)
            retrieval.passages = (fresh + [p for p in on_topic if p not in fresh])[: self.settings.top_k]
            skip = (lambda sentence: sentence in said) if said else None
        if retrieval.weak or not retrieval.passages:
            answer.refused, answer.passages, answer.llm_error = True, retrieval.passages, llm_error
            answer.text = refusal_text(retrieval.passages, reason_text(retrieval, lang), lang)
            yield StreamEvent("delta", redact(answer.text, self.settings))
        elif self.writer is not None and llm_error is None:
            yield StreamEvent("status", m["writing"])
            llm_error = yield from self.writer.write(answer, standalone, retrieval.passages, lang)
        if not answer.refused and (self.writer is None or llm_error is not None):
            yield from self._fallback(answer, llm_error, lang)
            semantic = claim_prior(standalone, retrieval.passages, retrieval.sentence_scores, self.digests,
                                   self.settings.overview.claim_prior)
            yield from self.extractive.write(answer, standalone, retrieval.passages, lang, semantic=semantic, skip=skip,
                                             asked=frozenset(getattr(retrieval, "named", ())),
                                             forms=retrieval.forms)
            if skip is not None and (not answer.citations or all(skip(c.quote) for c in answer.citations)):
                answer.text, answer.citations, answer.passages = m["no_more"], [], []
        timings["answer"] = _ms(t)
        answer.suggestions = suggest(answer, kind, library, lang, self.settings.overview.suggestions,
                                     texts_at_most=self.settings.overview.suggest_texts,
                                     missing=getattr(retrieval, "missing", None),
                                     same=getattr(retrieval, "maybe_same", None))
        yield self._final(answer)

    def _gathered(self, answer: Answer, g: Gathered, lang: Lang, llm_error: str | None) -> Iterator[StreamEvent]:
        """Answer from what a summary / comparison / the collection gathered: the cached or a new
        LLM-written text when there is an LLM, else (or when it fails) the quotes themselves."""
        if g.refused:
            answer.refused, answer.passages = True, g.passages
            answer.text = g.text
            yield StreamEvent("delta", redact(answer.text, self.settings))
            return
        if self.writer is not None and llm_error is None and g.prompt and prompt_exists(g.prompt, self.prompts_dir):
            key = f"{g.cache_key}-{_digest_key(self.writer.llm.model)}" if g.cache_key else None
            cached = self.digests.written(key) if key else None
            if cached and cached.get("n", 0) <= len(g.passages):
                used = g.passages[: cached["n"]]
                cited = cite(cached["text"], used, lang)
                answer.text, answer.citations = renumber(cited.text, cited.citations)
                answer.passages = used
                yield StreamEvent("delta", redact(answer.text, self.settings))
                return
            yield StreamEvent("status", MSG[lang]["writing"])
            llm_error = yield from self.writer.write(answer, g.llm_question, g.passages, lang, prompt=g.prompt)
            if llm_error is None:
                if key and answer.citations and not answer.refused and all(c.verified for c in answer.citations):
                    # cached with the passages' own numbers (the shown ones are in reading order)
                    back = {c.n: c.passage + 1 for c in answer.citations if c.passage is not None}
                    raw = re.sub(r"\[(\d+)\]", lambda x: f"[{back.get(int(x.group(1)), x.group(1))}]", answer.text)
                    self.digests.save_written(key, {"text": raw, "n": len(answer.passages)})
                return
        yield from self._fallback(answer, llm_error, lang)
        yield from self.extractive.cite_text(answer, g.text, g.passages, lang)

    def _fallback(self, answer: Answer, llm_error: str | None, lang: Lang) -> Iterator[StreamEvent]:
        """Say that the LLM failed (or its filter stopped it) and the answer below is extractive
        (nothing when it did not)."""
        if llm_error is not None:
            m = MSG[lang]
            notice = m["filtered"] if llm_error == FILTERED else m["fallback"].format(err=llm_error)
            yield StreamEvent("status", redact(notice, self.settings))
            answer.mode, answer.llm_error = "offline", llm_error
            answer.notice = join_notice(answer.notice, notice)

    def _hello(self, lang: Lang) -> str:
        """The reply to a greeting: what the bot does, and which interviews it knows."""
        m = MSG[lang]
        library = getattr(self.retriever, "library", None)
        titles = list(library.titles().values()) if library is not None else []
        listed = "".join(f"\n- 《{t}》" if lang == "zh" else f"\n- «{t}»" for t in titles[:12])
        return m["hello"] + (f"\n\n{m['interviews']}{listed}" if titles else "")

    # --- follow-ups ------------------------------------------------------------------------

    def _library(self) -> Any:
        """The current library (re-read when another process re-ingested), or None."""
        services = getattr(self.retriever, "services", None)
        if services is not None:
            try:
                services.refresh()
            except Exception:  # noqa: BLE001 - the search reports a broken store in its own words
                log.debug("refresh before the question failed", exc_info=True)
        return getattr(self.retriever, "library", None)

    def _condense(self, question: str, turns: list[tuple[str, str]], library: Any = None) -> tuple[str, str | None]:
        """The standalone question, and the LLM's error if it failed (the answer then skips it)."""
        if self.llm is not None and prompt_exists("condense", self.prompts_dir):
            lines = []
            for role, text in turns[-6:]:
                text = text if len(text) <= 400 else text[:400] + "…"
                lines.append(f"{'User' if role == 'user' else 'Assistant'}: {' '.join(text.split())}")
            messages = self._prompt("condense").messages(
                history=data_text(redact("\n".join(lines), self.settings)), question=data_text(redact(question, self.settings)))
            try:   # the same reader as answers: reasoning never becomes the search query
                untagged = self.writer.untagged_reasoning() if self.writer is not None else False
                reply = read_reply(self.llm.stream_events(messages), untagged)
            except LLMError as exc:
                log.warning("condense failed: %s", exc)
                return rule_condense(question, turns, library_names(library)), str(exc)
            out = "" if reply.finish == "filtered" else reply.text.strip().strip("\"“”「」").strip()
            first = out.splitlines()[0].strip() if out else ""
            if first and len(first) <= 3 * len(question) + 200:
                return first, None
        return rule_condense(question, turns, library_names(library)), None

    def _final(self, answer: Answer) -> StreamEvent:
        for f in fields(answer):   # no secret leaves the engine, whatever produced the text
            value = getattr(answer, f.name)
            if isinstance(value, str):
                setattr(answer, f.name, redact(value, self.settings))
            elif isinstance(value, list) and all(isinstance(v, str) for v in value):   # suggestions
                setattr(answer, f.name, [redact(v, self.settings) for v in value])
        return StreamEvent("final", answer.text, answer)


def _digest_key(model: str) -> str:
    return hashlib.sha1(model.encode()).hexdigest()[:8]


def _if_changed(standalone: str, question: str) -> str | None:
    return standalone if standalone != question else None


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)
