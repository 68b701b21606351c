"""The LLM client: one streaming call with retries, deadlines, and errors a person can act on.

Everything goes through `LLM.stream_events`, which yields ("content", text), ("reasoning", text)
and ("finish", reason) events as the server sends them; `stream_chat` and `complete` are views of
it, so there is one code path to get right. Reading the reply (reasoning tags, finish reasons,
refusals) is `bot.answer.reply`'s job, not this module's.

Retrying is safe only before the first event has been handed out: after that the caller has used
it, and a second attempt would produce a different answer spliced onto the first. So a stream
that dies mid-answer raises `LLMError` and the engine falls back.

Two deadlines, both settings: `llm_timeout` bounds the whole call (every attempt and the waits
between them), `llm_first_token_timeout` bounds each attempt's wait for its first token. httpx's
timeouts are per read, and an SSE keep-alive comment counts as a read, so the stream is read on a
worker thread and the deadlines are kept here, on the queue between the two.

The openai client is built lazily (its import costs ~0.5 s) with its own retries switched off
(max_retries=0): retrying here covers streams that break after the HTTP 200, which the SDK's
retries cannot see.
"""

from __future__ import annotations

import logging
import queue
import random
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from bot.answer.guard import redact
from bot.settings import Settings

log = logging.getLogger(__name__)


class LLMError(RuntimeError):
    """The LLM could not produce an answer. The message is one line, safe to show a user."""


class _Transient(Exception):
    """A failure worth retrying (server error, rate limit, dropped connection, cut stream)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class LLM:
    def __init__(
        self,
        settings: Settings,
        *,
        base_delay: float = 0.5,
        max_delay: float = 8.0,
        sleep: Callable[[float], None] = time.sleep,
        client: Any | None = None,
    ) -> None:
        self.settings = settings
        self.model = settings.llm_model
        self.retries = max(0, settings.llm_retries)
        self.base_delay = base_delay
        self.max_delay = max_delay  # also caps a server's Retry-After: a chat user will not wait minutes
        self._sleep = sleep
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            import openai

            self._client = openai.OpenAI(
                api_key=self.settings.openai_api_key or "not-needed",
                base_url=self.settings.openai_base_url,
                # Per read, a backstop only: the deadlines are kept in _chunks.
                timeout=self.settings.llm_timeout,
                max_retries=0,
            )
        return self._client

    def stream_events(self, messages: list[dict[str, str]]) -> Iterator[tuple[str, str]]:
        """Yield ("content" | "reasoning", text) and ("finish", reason) events, where reason is
        "stop", "length" or "filtered". Raises LLMError (never another exception type)."""
        attempts = self.retries + 1
        deadline = time.monotonic() + self.settings.llm_timeout
        for attempt in range(attempts):
            yielded = False
            try:
                for event in self._one_stream(messages, deadline):
                    yielded = True
                    yield event
                return
            except _Transient as exc:
                reason = self._safe(str(exc))
                if yielded:
                    raise LLMError(f"The LLM stream broke off mid-answer ({reason}).") from None
                if attempt + 1 >= attempts:
                    raise LLMError(self._gave_up(reason, attempts)) from None
                delay = self._delay(attempt, exc.retry_after)
                if time.monotonic() + delay >= deadline:
                    raise LLMError(f"LLM request failed: {reason}; no time left for another attempt "
                                   f"within {self.settings.llm_timeout:g}s.") from None
                log.warning("LLM attempt %d/%d failed (%s); retrying in %.2fs", attempt + 1, attempts, reason, delay)
                self._sleep(delay)

    def stream_chat(self, messages: list[dict[str, str]]) -> Iterator[str]:
        """Yield the reply's raw content pieces (no reasoning). A content filter raises LLMError."""
        for kind, value in self.stream_events(messages):
            if kind == "content":
                yield value
            elif kind == "finish" and value == "filtered":
                raise LLMError("The LLM's content filter stopped the answer.")

    def complete(self, messages: list[dict[str, str]]) -> str:
        return "".join(self.stream_chat(messages))

    # --- internals ---------------------------------------------------------------------------

    def _one_stream(self, messages: list[dict[str, str]], deadline: float) -> Iterator[tuple[str, str]]:
        """One request. Transient failures raise _Transient, others LLMError."""
        import httpx
        import openai

        finished = False
        try:
            for chunk in self._chunks(messages, deadline):
                for choice in chunk.choices or []:
                    delta = choice.delta
                    if delta is not None:
                        # DeepSeek, vLLM, GLM, Kimi: reasoning_content; Ollama, OpenRouter: reasoning.
                        for name in ("reasoning_content", "reasoning"):
                            thought = getattr(delta, name, None)
                            if isinstance(thought, str) and thought:
                                yield "reasoning", thought
                        content = getattr(delta, "content", None)
                        if content:
                            yield "content", content
                    if choice.finish_reason:
                        finished = True
                        yield "finish", self._finish(choice.finish_reason)
        except (LLMError, _Transient):
            raise
        except openai.APIStatusError as exc:
            raise self._status_error(exc) from None
        except openai.APITimeoutError:
            raise _Transient(f"no response within {self.settings.llm_timeout:g}s") from None
        except openai.APIConnectionError as exc:
            raise _Transient(self._connection_reason(exc)) from None
        except httpx.TransportError as exc:
            # Raised while reading the body of a stream already under way (e.g. peer closed).
            raise _Transient(f"connection lost: {type(exc).__name__}") from None
        except openai.APIError as exc:
            # An error event inside an SSE stream: the server gave up while generating.
            raise _Transient(f"server error in stream: {exc.message}") from None
        except openai.OpenAIError as exc:
            raise LLMError(f"LLM client error: {self._safe(str(exc))}") from None
        if not finished:
            raise _Transient("the stream ended without a finish_reason")

    def _finish(self, reason: str) -> str:
        """A provider's finish_reason in our three words; a server-side abort is a broken stream."""
        if reason in _CUT:
            return "length"
        if reason in _FILTERED:
            return "filtered"
        if reason in _ABORTED:
            raise _Transient(f"the server stopped the answer (finish_reason={reason})")
        if reason not in _STOPPED:
            log.info("unknown finish_reason %r read as a normal end", reason)
        return "stop"

    def _chunks(self, messages: list[dict[str, str]], deadline: float) -> Iterator[Any]:
        """The stream's chunks, read by a worker thread; raises _Transient at either deadline."""
        first_by = min(deadline, time.monotonic() + self.settings.llm_first_token_timeout)
        box: queue.Queue[tuple[str, Any]] = queue.Queue()
        stop = threading.Event()
        held: dict[str, Any] = {}

        def read() -> None:
            try:
                # No temperature: reasoning models reject any non-default value with a 400.
                stream = self.client.chat.completions.create(model=self.model, messages=messages, stream=True)
                held["stream"] = stream
                try:
                    for chunk in stream:
                        if stop.is_set():
                            break
                        box.put(("chunk", chunk))
                finally:
                    # Also when the consumer stopped early: give the connection back instead of
                    # leaving it to the garbage collector.
                    stream.close()
                box.put(("end", None))
            except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which maps it
                box.put(("error", exc))

        worker = threading.Thread(target=read, name="llm-stream", daemon=True)
        worker.start()
        got_token = False
        try:
            while True:
                now = time.monotonic()
                until = deadline if got_token else first_by
                try:
                    kind, item = box.get(timeout=max(0.0, until - now))
                except queue.Empty:
                    if got_token:
                        raise _Transient(f"no complete answer within {self.settings.llm_timeout:g}s") from None
                    if first_by < deadline:
                        raise _Transient(f"no first token within {self.settings.llm_first_token_timeout:g}s") from None
                    raise _Transient(f"no response within {self.settings.llm_timeout:g}s") from None
                if kind == "end":
                    return
                if kind == "error":
                    raise item
                if not got_token:
                    got_token = any(_has_text(c) for c in item.choices or [])
                yield item
        finally:
            stop.set()
            stream = held.get("stream")
            if worker.is_alive() and stream is not None:
                try:   # wakes the worker if it waits on a silent (or keep-alive only) connection
                    stream.response.close()
                except Exception:  # noqa: BLE001 - best effort; the worker's read timeout is the backstop
                    pass

    def _status_error(self, exc: Any) -> Exception:
        status = exc.status_code
        if status == 429 or status >= 500 or status == 408:
            return _Transient(f"HTTP {status}", _retry_after(exc))
        if status == 401:
            return LLMError("The LLM rejected the API key (401). Check OPENAI_API_KEY.")
        if status == 403:
            return LLMError("The LLM refused access (403). Check that the API key may use this model.")
        if status == 404:
            return LLMError(
                f"The LLM server has no model '{self.model}' (404). Check LLM_MODEL and OPENAI_BASE_URL."
            )
        detail = self._safe(_error_message(exc))
        return LLMError(f"The LLM rejected the request ({status}){': ' + detail if detail else ''}.")

    def _connection_reason(self, exc: Any) -> str:
        where = self.settings.openai_base_url or "api.openai.com"
        cause = exc.__cause__ or exc.__context__
        text = f"{type(cause).__name__}: {cause}" if cause else str(exc)
        if "refused" in text.lower():
            return f"cannot reach {where} (connection refused)"
        name = type(cause).__name__ if cause else "connection error"
        if "Connect" in name or "Resolution" in text or "Name or service" in text:
            return f"cannot reach {where} ({name})"
        return f"connection to {where} lost ({name})"   # e.g. the server hung up mid-stream

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        backoff = self.base_delay * (2**attempt) * (1 + 0.1 * random.random())
        return min(self.max_delay, max(backoff, retry_after or 0.0))

    def _gave_up(self, reason: str, attempts: int) -> str:
        text = f"LLM request failed: {reason}"
        return text + (f"; gave up after {attempts} attempts." if attempts > 1 else ".")

    def _safe(self, text: str) -> str:
        """One line, bounded, with secrets removed: fit for a user-facing notice."""
        line = " ".join(redact(text, self.settings).split())
        return line if len(line) <= 200 else line[:197] + "..."


_STOPPED = {"stop", "eos", "end_turn", "stop_sequence", "tool_calls", "function_call"}
_CUT = {"length", "max_tokens", "model_length"}
_FILTERED = {"content_filter", "sensitive", "safety", "prohibited_content", "blocklist", "spii", "recitation"}
# DeepSeek's and GLM's words for "the server gave up": retried when nothing was shown yet.
_ABORTED = {"insufficient_system_resource", "network_error", "error", "abort"}


def _has_text(choice: Any) -> bool:
    delta = choice.delta
    if delta is None:
        return bool(choice.finish_reason)
    return any(isinstance(getattr(delta, n, None), str) and getattr(delta, n)
               for n in ("content", "reasoning_content", "reasoning")) or bool(choice.finish_reason)


def _retry_after(exc: Any) -> float | None:
    try:
        value = exc.response.headers.get("retry-after")
        return max(0.0, float(value)) if value is not None else None
    except (AttributeError, TypeError, ValueError):
        return None  # an HTTP-date Retry-After: fall back to our own backoff


def _error_message(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict) and isinstance(err.get("message"), str):
            return err["message"]
    return ""


def make_llm(settings: Settings, **kwargs: Any) -> LLM | None:
    """The LLM the settings ask for, or None for offline (extractive) answers."""
    if not settings.llm_enabled:
        return None
    return LLM(settings, **kwargs)
