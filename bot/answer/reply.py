"""Reading an LLM's reply the way providers actually write it: one place for it.

The client (`bot.answer.llm`) hands over ("content" | "reasoning", text) and ("finish", reason) events.
`ReplyReader` turns them into what the user may see, and keeps the rest apart:

- Reasoning never reaches the user. It comes as `reasoning_content` / `reasoning` deltas
  (DeepSeek's API, vLLM and Ollama with a reasoning parser, GLM, Kimi), or inside the content as a
  `<think>…</think>` block at the start (DeepSeek-R1 and Qwen3 served raw by vLLM, llama.cpp or
  Ollama; also an empty block), or as reasoning followed by a lone `</think>` when the chat template
  put the opening tag into the prompt. The block arrives split across chunks (`<thi` + `nk>`), so
  the visible stream holds back anything that could still turn out to be a tag. A model named in
  `llm_reasoning_models` may open with untagged reasoning: its stream is held until `</think>` or
  the end. For any other model a stray `</think>` is still removed from the final text.
- The finish reason: "length" (the answer is cut off), "filtered" (a content filter, GLM's
  `sensitive`), or "stop".

`declines` tells a model's own refusal ("这些访谈没有谈到这个问题。", "I'm sorry, the passages don't
mention that.") from an answer, without relying on the prompt's exact wording.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_OPEN = re.compile(r"<(think|thinking|reasoning)>", re.I)
_CLOSE = re.compile(r"</(think|thinking|reasoning)>", re.I)
_TAGS = ("<think>", "<thinking>", "<reasoning>")
_CLOSERS = ("</think>", "</thinking>", "</reasoning>")


@dataclass
class Reply:
    text: str                      # what the user may see: reasoning removed, whitespace trimmed
    reasoning: str = ""            # the model's thinking, from tags or reasoning deltas
    finish: str = "stop"           # "stop" | "length" | "filtered"


def _could_grow_into(tail: str, words: tuple[str, ...]) -> int:
    """Length of the longest suffix of `tail` that is a proper prefix of one of `words`."""
    low = tail.lower()
    for k in range(min(len(low), max(len(w) for w in words) - 1), 0, -1):
        if any(w.startswith(low[-k:]) for w in words):
            return k
    return 0


class ThinkFilter:
    """Splits streamed content into visible text and reasoning; see the module docstring.

    feed() returns the text that may be shown now; flush() the rest at the end of the stream.
    """

    def __init__(self, untagged_reasoning: bool = False) -> None:
        self.untagged = untagged_reasoning   # the model may open with reasoning and no <think>
        self.state = "start"                 # start | think | hidden | answer
        self.buf = ""
        self.reasoning: list[str] = []
        self._lead = True                    # strip the whitespace between </think> and the answer
        self._scanned = 0                    # how far the hidden buffer was searched for </think>
        self._emitted: list[str] = []        # answer text handed out so far
        self.restarted = False               # a stray </think> turned shown text into reasoning

    @property
    def thinking(self) -> bool:
        return self.state in ("think", "hidden")

    def reasoning_arrived(self) -> None:
        """Reasoning came as deltas: the content is the answer alone (DeepSeek's API and the like)."""
        if self.state == "start" and not self.buf.strip():
            self.untagged = False

    def feed(self, piece: str) -> str:
        self.buf += piece
        out = []
        while True:
            if self.state == "start":
                head = self.buf.lstrip()
                if not head:
                    return ""
                m = _OPEN.match(head)
                if m:
                    self.state, self.buf = "think", head[m.end():]
                    continue
                if any(t.startswith(head.lower()) for t in _TAGS):
                    return ""   # "<thi": wait for the rest of the tag
                close = _CLOSE.search(head)
                if close:   # a lone closing tag already in view
                    self.reasoning.append(head[: close.start()])
                    self.state, self.buf = "answer", head[close.end():]
                    continue
                self.state = "hidden" if self.untagged else "answer"
                continue
            if self.state in ("think", "hidden"):
                m = _CLOSE.search(self.buf, self._scanned)
                if m:
                    self.reasoning.append(self.buf[: m.start()])
                    self.state, self.buf, self._scanned = "answer", self.buf[m.end():], 0
                    continue
                if self.state == "think":   # keep only what could be the start of "</think>"
                    keep = _could_grow_into(self.buf, _CLOSERS)
                    self.reasoning.append(self.buf[: len(self.buf) - keep])
                    self.buf = self.buf[len(self.buf) - keep:]
                else:   # hidden: all of it is kept (it may be the answer); scan only the new part
                    self._scanned = max(0, len(self.buf) - len(max(_CLOSERS, key=len)))
                return "".join(out)
            # answer
            text = self.buf
            if self._lead:
                text = text.lstrip()
                if not text:
                    self.buf = ""
                    return "".join(out)
                self._lead = False
            keep = _could_grow_into(text, _CLOSERS)   # a late "</think>" is cut out below
            visible, self.buf = text[: len(text) - keep], text[len(text) - keep:]
            m = _CLOSE.search(visible)
            if m:   # a stray closing tag: everything before it was reasoning, also what was shown
                self.reasoning.append("".join(self._emitted) + "".join(out) + visible[: m.start()])
                self._emitted, self.restarted = [], True
                out.clear()
                visible = visible[m.end():].lstrip()
            out.append(visible)
            self._emitted.append(visible)
            return "".join(out)

    def flush(self) -> str:
        rest, self.buf = self.buf, ""
        if self.state == "hidden":   # no </think> came: it was the answer all along
            return rest.strip()
        if self.state == "think":    # an open <think> never closed: no answer was written
            self.reasoning.append(rest)
            return ""
        return rest if self.state == "answer" else rest.strip()


class ReplyReader:
    """Feed it the LLM's events; what feed() returns may be shown now; `reply()` at the end."""

    def __init__(self, untagged_reasoning: bool = False) -> None:
        self._filter = ThinkFilter(untagged_reasoning)
        self._deltas: list[str] = []
        self._shown: list[str] = []
        self.finish = "stop"

    @property
    def thinking(self) -> bool:
        """True while the model reasons (so the caller can say "thinking…" instead of nothing)."""
        return bool(self._deltas and not self._shown) or self._filter.thinking

    def feed(self, kind: str, value: str) -> str:
        if kind == "reasoning":
            self._deltas.append(value)
            self._filter.reasoning_arrived()
            return ""
        if kind == "finish":
            self.finish = value
            return ""
        out = self._filter.feed(value)
        if self._filter.restarted:   # what was shown so far was reasoning after all
            self._filter.restarted, self._shown = False, []
        if out:
            self._shown.append(out)
        return out

    def close(self) -> str:
        out = self._filter.flush()
        if out:
            self._shown.append(out)
        return out

    def reply(self) -> Reply:
        reasoning = "".join(self._deltas).strip() + "\n" + "".join(self._filter.reasoning).strip()
        return Reply(text="".join(self._shown).strip(), reasoning=reasoning.strip(), finish=self.finish)


def read_reply(events: Iterable[tuple[str, str]], untagged_reasoning: bool = False) -> Reply:
    """A whole reply at once (follow-up rewriting)."""
    reader = ReplyReader(untagged_reasoning)
    for kind, value in events:
        reader.feed(kind, value)
    reader.close()
    return reader.reply()


# --- a model that declines ---------------------------------------------------------------------

_DECLINE_ZH = re.compile(
    r"(?:没有|并没有|并未|未曾|未|没)(?:在[^。，,]{0,16})?(?:直接|明确|具体|专门|正面)?"
    r"(?:谈到|谈及|谈论|提到|提及|涉及|讨论|说到|讲到|回答|给出|包含|说明|透露|披露|介绍|论及|关于)"
    r"|无法(?:回答|确定|判断|得知|找到|从|根据|给出|提供|确认|查到)|不能回答|答不了|回答不了"
    r"|(?:找不到|没有找到|未找到|查不到)"
    r"|没有(?:任何)?(?:相关|具体|足够|关于|这方面|此类|有关)的?(?:信息|内容|资料|说法|数据|段落|记录|答案)"
    r"|(?:信息|资料|内容)(?:不足|有限)|不在[^。]{0,12}范围|没有谈到|没谈到|不涉及|未涉及|并不涉及")
_DECLINE_EN = re.compile(
    r"\b(?:do(?:es)?n[’']?t|do(?:es)? not|did not|didn[’']?t)\s+(?:\w+\s+){0,2}?"
    r"(?:cover|mention|discuss|address|say|contain|include|talk about|specify|state|provide|give|touch on|answer|reveal)"
    r"|\bnot\s+(?:\w+\s+){0,2}?(?:covered|mentioned|discussed|addressed|specified|stated|given|provided|included"
    r"|answered|disclosed|found)\b"
    r"|\bno\s+(?:\w+\s+){0,2}?(?:information|mention|details?|data|discussion|evidence|answer|figures?)\b"
    r"|\b(?:cannot|can[’']?t|can not|unable to|not able to)\s+(?:\w+\s+){0,2}?"
    r"(?:answer|determine|find|tell|say|confirm|provide|be answered)"
    r"|\bnothing\s+(?:in|about|on|here)\b|\bdon[’']?t cover\b", re.I)
_MARKER = re.compile(r"\[\d+\]")


def declines(text: str, max_chars: int) -> bool:
    """The reply is a refusal: short, cites nothing, and says the passages don't cover the question
    (in Chinese or English, in the model's own words)."""
    if _MARKER.search(text):
        return False
    plain = re.sub(r"[*_#>`|]+", "", text).strip()
    if not plain or len(plain) > max_chars:
        return False
    return bool(_DECLINE_ZH.search(plain) or _DECLINE_EN.search(plain))
