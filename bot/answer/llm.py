"""The LLM client: one streaming call with retries, and errors a person can act on.

Everything goes through `LLM.stream_chat`; `complete` joins it, so there is one code path to
get right. Retrying is safe only before the first piece of text has been handed out: after
that the caller has shown it, and a second attempt would produce a different answer spliced
onto the first. So a stream that dies mid-answer raises `LLMError` and the engine falls back.

The openai client is built lazily (its import costs ~0.5 s) with its own retries switched off
(max_retries=0): retrying here covers streams that break after the HTTP 200, which the SDK's
retries cannot see.
"""

from __future__ import annotations

import logging
import random
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
                timeout=self.settings.llm_timeout,
                max_retries=0,
            )
        return self._client

    def stream_chat(self, messages: list[dict[str, str]]) -> Iterator[str]:
        """Yield the answer's text pieces. Raises LLMError (never another exception type)."""
        attempts = self.retries + 1
        for attempt in range(attempts):
            yielded = False
            try:
                for piece in self._one_stream(messages):
                    yielded = True
                    yield piece
                return
            except _Transient as exc:
                reason = self._safe(str(exc))
                if yielded:
                    raise LLMError(f"The LLM stream broke off mid-answer ({reason}).") from None
                if attempt + 1 >= attempts:
                    raise LLMError(self._gave_up(reason, attempts)) from None
                delay = self._delay(attempt, exc.retry_after)
                log.warning("LLM attempt %d/%d failed (%s); retrying in %.2fs", attempt + 1, attempts, reason, delay)
                self._sleep(delay)

    def complete(self, messages: list[dict[str, str]]) -> str:
        return "".join(self.stream_chat(messages))

    # --- internals ---------------------------------------------------------------------------

    def _one_stream(self, messages: list[dict[str, str]]) -> Iterator[str]:
        """One request. Transient failures raise _Transient, others LLMError."""
        import httpx
        import openai

        finished = False
        try:
            # No temperature: reasoning models reject any non-default value with a 400.
            stream = self.client.chat.completions.create(model=self.model, messages=messages, stream=True)
            try:
                for chunk in stream:
                    for choice in chunk.choices or []:
                        content = getattr(choice.delta, "content", None) if choice.delta else None
                        if content:
                            yield content
                        if choice.finish_reason:
                            finished = True
                            if choice.finish_reason == "content_filter":
                                raise LLMError("The LLM's content filter stopped the answer.")
            finally:
                # Also when the consumer stops early: give the connection back instead of
                # leaving it to the garbage collector.
                stream.close()
        except LLMError:
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
