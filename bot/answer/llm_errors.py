"""What went wrong with an LLM call, in two kinds: `Transient` (worth another attempt: a server
error, a rate limit, a dropped connection, a cut stream) and `LLMError` (give up; the message is
one line a person can act on, with secrets removed). Also the providers' finish reasons in our
three words. The client that raises them is bot.answer.llm.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.answer.guard import redact
from bot.settings import Settings

log = logging.getLogger(__name__)


class LLMError(RuntimeError):
    """The LLM could not produce an answer. The message is one line, safe to show a user."""


class Transient(Exception):
    """A failure worth retrying (server error, rate limit, dropped connection, cut stream)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


_STOPPED = {"stop", "eos", "end_turn", "stop_sequence", "tool_calls", "function_call"}
_CUT = {"length", "max_tokens", "model_length"}
_FILTERED = {"content_filter", "sensitive", "safety", "prohibited_content", "blocklist", "spii", "recitation"}
# DeepSeek's and GLM's words for "the server gave up": retried when nothing was shown yet.
_ABORTED = {"insufficient_system_resource", "network_error", "error", "abort"}


def finish_word(reason: str) -> str:
    """A provider's finish_reason in our three words; a server-side abort is a broken stream."""
    if reason in _CUT:
        return "length"
    if reason in _FILTERED:
        return "filtered"
    if reason in _ABORTED:
        raise Transient(f"the server stopped the answer (finish_reason={reason})")
    if reason not in _STOPPED:
        log.info("unknown finish_reason %r read as a normal end", reason)
    return "stop"


def status_error(exc: Any, settings: Settings) -> Exception:
    """An HTTP error status as a Transient (429, 408, 5xx) or an LLMError saying what to check."""
    status = exc.status_code
    if status == 429 or status >= 500 or status == 408:
        return Transient(f"HTTP {status}", _retry_after(exc))
    if status == 401:
        return LLMError("The LLM rejected the API key (401). Check OPENAI_API_KEY.")
    if status == 403:
        return LLMError("The LLM refused access (403). Check that the API key may use this model.")
    if status == 404:
        return LLMError(
            f"The LLM server has no model '{settings.llm_model}' (404). Check LLM_MODEL and OPENAI_BASE_URL."
        )
    detail = one_line(_error_message(exc), settings)
    return LLMError(f"The LLM rejected the request ({status}){': ' + detail if detail else ''}.")


def connection_reason(exc: Any, settings: Settings) -> str:
    where = settings.openai_base_url or "api.openai.com"
    cause = exc.__cause__ or exc.__context__
    text = f"{type(cause).__name__}: {cause}" if cause else str(exc)
    if "refused" in text.lower():
        return f"cannot reach {where} (connection refused)"
    name = type(cause).__name__ if cause else "connection error"
    if "Connect" in name or "Resolution" in text or "Name or service" in text:
        return f"cannot reach {where} ({name})"
    return f"connection to {where} lost ({name})"   # e.g. the server hung up mid-stream


def gave_up(reason: str, attempts: int) -> str:
    text = f"LLM request failed: {reason}"
    return text + (f"; gave up after {attempts} attempts." if attempts > 1 else ".")


def one_line(text: str, settings: Settings) -> str:
    """One line, bounded, with secrets removed: fit for a user-facing notice."""
    line = " ".join(redact(text, settings).split())
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
