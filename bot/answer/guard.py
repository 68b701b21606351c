"""Checks on what goes in (questions) and out (anything shown to the user or sent to the LLM).

`check_question` turns raw user input into a usable question or a friendly error; it never
raises. `redact` removes configured secrets from outgoing text: an API key pasted into a
question, echoed by a server error or leaked through an exception message must not reach the
UI, the logs of the answer, or the LLM.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.settings import Settings
from bot.text.lang import Lang, detect_lang

MAX_QUESTION_CHARS = 1000
REDACTED = "[redacted]"
# Shorter "secrets" would blank out ordinary words in every answer; no real key is this short.
_MIN_SECRET_LEN = 4

EMPTY_QUESTION = {
    "zh": "请输入一个问题。",
    "en": "Please type a question.",
}
BOTH_EMPTY = "请输入一个问题。/ Please type a question."
TOO_LONG = {
    "zh": "问题太长,只使用了前 {n} 个字符。",
    "en": "The question was too long; only its first {n} characters were used.",
}


@dataclass
class CheckedQuestion:
    text: str                  # cleaned (and maybe shortened) question; "" when unusable
    lang: Lang
    error: str | None = None   # set when there is nothing to answer
    notice: str | None = None  # set when the question was changed (shortened)


_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")


def strip_control(text: str) -> str:
    """Drop control and format characters (NUL, escape sequences, bidi overrides, zero-width
    characters) that can hide text from the reader; tabs and newlines become plain spaces/newlines."""
    text = _ANSI.sub("", text)  # a whole terminal escape sequence, not just its ESC
    out = []
    for ch in text.replace("\r\n", "\n"):
        if ch in "\n\r":
            out.append("\n")
        elif ch == "\t":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            continue
        else:
            out.append(ch)
    cleaned = "".join(out)
    cleaned = re.sub(r"[ \u3000]{2,}", " ", cleaned)
    return re.sub(r"\n{3,}", "\n\n", cleaned).strip()


def check_question(question: str | None, max_chars: int = MAX_QUESTION_CHARS) -> CheckedQuestion:
    text = strip_control(question or "")
    if not text:
        return CheckedQuestion(text="", lang="zh", error=BOTH_EMPTY)
    lang = detect_lang(text)
    if not re.search(r"\w", text):
        # Only punctuation or emoji: nothing to search for.
        return CheckedQuestion(text="", lang=lang, error=EMPTY_QUESTION[lang])
    notice = None
    if len(text) > max_chars:
        text = text[:max_chars].rstrip()
        notice = TOO_LONG[lang].format(n=max_chars)
    return CheckedQuestion(text=text, lang=lang, notice=notice)


# Greetings, thanks, goodbyes and "who are you": said to any chatbot, answered by no transcript.
# Searched anyway they pull in whatever greets or thanks in the interviews ("谢谢大家") as an answer.
_SMALL_TALK_EN = re.compile(
    r"\b(?:hi|hello|hey|hiya|howdy|yo|good (?:morning|afternoon|evening|night)|how are you(?: doing)?|"
    r"how is it going|how s it going|what s up|thanks?(?: you)?(?: (?:very|so) much)?|thx|cheers|"
    r"bye|goodbye|see you|ok|okay|great|cool|nice|who are you|what are you|what can you do|help)\b")
_SMALL_TALK_ZH = re.compile(
    r"你好吗?|您好|嗨|哈喽|哈啰|早上好|上午好|下午好|晚上好|早安|晚安|在吗|在不在|谢谢(?:你|您)?|多谢|感谢|"
    r"拜拜|再见|好的|好吧|嗯+|哦+|你是谁|你能做什么|你会什么|你可以做什么|帮助")


_THANKS = re.compile(r"thank|thx|cheers|谢|感谢|bye|再见|拜拜")


def small_talk(text: str) -> str | None:
    """"thanks" (thanks, goodbyes) or "hello" (greetings, "who are you") when the question is only
    that; None for a real question."""
    rest = re.sub(r"[\W_]+", " ", text.lower())
    if not rest.strip() or _SMALL_TALK_ZH.sub(" ", _SMALL_TALK_EN.sub(" ", rest)).strip():
        return None
    greeting = re.search(r"hello|\bhi\b|你好|您好|谁|什么", rest)   # "hi, thanks" is still a hello
    return "thanks" if _THANKS.search(rest) and not greeting else "hello"


def secrets_of(settings: Settings | None) -> list[str]:
    """Every secret value the settings hold, longest first (so overlapping ones redact fully)."""
    if settings is None:
        return []
    found = [settings.openai_api_key, settings.chroma_token]
    if settings.openai_base_url:
        # A base URL may carry credentials (https://user:pass@host/v1).
        parts = urlsplit(settings.openai_base_url)
        found += [parts.password, parts.username if parts.password else None]
    uniq = {s for s in found if s and len(s) >= _MIN_SECRET_LEN}
    return sorted(uniq, key=len, reverse=True)


def redact(text: str, settings: Settings | None) -> str:
    """`text` with every setting secret replaced by "[redacted]"."""
    if not text:
        return text
    for secret in secrets_of(settings):
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


class StreamRedactor:
    """Redacts a text that arrives in pieces, where a secret may straddle two pieces.

    It holds back only a tail that could still grow into a secret (a suffix that is a prefix
    of one), so normal text streams through without delay.
    """

    def __init__(self, settings: Settings | None) -> None:
        self._settings = settings
        self._secrets = secrets_of(settings)
        self._pending = ""

    def feed(self, piece: str) -> str:
        if not self._secrets:
            return piece
        text = redact(self._pending + piece, self._settings)
        hold = 0
        for secret in self._secrets:
            for k in range(min(len(secret) - 1, len(text)), hold, -1):
                if text.endswith(secret[:k]):
                    hold = k
                    break
        self._pending = text[len(text) - hold :] if hold else ""
        return text[: len(text) - hold]

    def flush(self) -> str:
        rest, self._pending = redact(self._pending, self._settings), ""
        return rest
