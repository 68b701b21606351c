"""The conversation as the chat shows it, and as the API returns it.

Everything that came from a transcript or a user (questions, quotes, titles, speaker names, notices)
is escaped before it is put on the page: `md_text` for the Markdown of gr.Chatbot, `esc` for HTML.
A transcript or a question is data, never markup. Gradio also sanitises, but we do not rely on it.

An answer's `[n]` markers become links ("chips") to its own source cards: `#cite-<k>-<n>`, k being
the answer's place in the conversation, so an earlier answer's [3] still opens that answer's
passage (bot.ui.cards renders one group of cards per answer; bot.ui.assets's script opens them).
"""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import quote

from bot.schema import Answer
from bot.text.timecode import clock, media_link
from bot.ui.markup import plain_text, safe_markdown
from bot.ui.text import role_name, t

# Characters Markdown (and Gradio's LaTeX rendering) would interpret; escaped with a backslash.
# Not "#" or "&": HTML escaping produces entities ("&#x27;") that must reach the browser whole
# (a backslash before their "#" showed "don&#x27;t"); a "#" only matters at a line's start.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()|~$!>-])")
_LINE_START_HASH = re.compile(r"^(\s*)#", re.M)
_ESCAPED_MARKER = re.compile(r"\\\[(\d{1,3})\\\]")
MAX_TURNS = 30   # turns kept in the browser (and replayed to the engine as history: its last few)


def esc(text: Any) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def md_text(text: str | None) -> str:
    """Plain text → Markdown that displays exactly that text (no tags, links, emphasis or maths)."""
    escaped = html.escape("" if text is None else str(text), quote=False)
    return _LINE_START_HASH.sub(r"\1\\#", _MD_SPECIAL.sub(r"\\\1", escaped))


# --- the conversation kept in the browser -----------------------------------------------------------
# A list of turns {"q": question, "a": Answer.to_dict()}: enough to redraw the chat and every
# answer's sources after a reload, and to give the engine its history.

def turn(question: str, answer: Answer) -> dict[str, Any]:
    data = answer.to_dict()
    data.pop("timings_ms", None)
    return {"q": question, "a": data}


def turns_of(convo: list[dict] | None) -> list[tuple[str, Answer]]:
    """(question, Answer) of each kept turn; anything else under our storage key is skipped."""
    out = []
    for item in convo or []:
        try:
            out.append((str(item["q"]), Answer.from_dict(item["a"])))
        except (KeyError, TypeError, AttributeError):
            continue
    return out


def answers_of(convo: list[dict] | None) -> list[Answer]:
    return [a for _, a in turns_of(convo)]


def questions_of(convo: list[dict] | None) -> list[str]:
    return [q for q, _ in turns_of(convo)]


def history_of(convo: list[dict] | None) -> list[dict[str, str]]:
    """The engine's history: raw (unescaped) turns, as asked and as answered."""
    out: list[dict[str, str]] = []
    for q, a in turns_of(convo):
        out += [{"role": "user", "content": q}, {"role": "assistant", "content": a.text}]
    return out


def chat_messages(convo: list[dict] | None, lang: str, show_reasoning: bool = False) -> list[dict[str, str]]:
    """The kept conversation as chat bubbles; an LLM's answer is rendered as Markdown (safely) and,
    with `show_reasoning` (Settings.llm_show_reasoning), its reasoning folded above it."""
    out: list[dict] = []
    turns = turns_of(convo)
    for k, (q, a) in enumerate(turns):
        markdown = a.mode == "llm" and not a.refused
        out += [{"role": "user", "content": user_message(q)},
                {"role": "assistant", "content": assistant_message(
                    a.text, lang, a, k=k, markdown=markdown, reasoning=a.reasoning if show_reasoning else None)}]
        if k == len(turns) - 1 and (options := answer_options(a, lang)):
            out[-1]["options"] = options   # under the latest answer: undo its rewrite, suggested follow-ups
    return out


# --- chat messages ---------------------------------------------------------------------------------

def user_message(question: str) -> str:
    return md_text(question)


def assistant_message(text: str, lang: str, answer: Answer | None = None, status: str | None = None,
                      k: int | None = None, markdown: bool = False, reasoning: str | None = None) -> str:
    """One answer's bubble. While streaming (`answer` None): the text so far, or a status line.
    Final: markers as chips to answer `k`'s cards, a notice, and the answer's actions. The model's
    reasoning is folded above the answer when given; markdown=True for an LLM's answer renders its
    Markdown (without HTML, links or images), otherwise the text is shown literally."""
    body = (safe_markdown(text) if markdown else md_text(text)) if text else ""
    if answer is not None and k is not None and answer.citations:
        cited = {c.n for c in answer.citations}
        body = _ESCAPED_MARKER.sub(lambda m: _chip(k, int(m.group(1))) if int(m.group(1)) in cited else m.group(0),
                                   body)
    parts = [reasoning_block(reasoning, lang)] if reasoning else []
    parts += [body] if body else []
    if status and not text:
        parts.append(f"*{md_text(status)}*")
    if answer is not None and answer.standalone_question:
        # a follow-up is searched rewritten: say how, so a wrong rewrite can be seen (and undone)
        sep = "" if lang == "zh" else " "
        parts.append(f"<sub>🔎 {md_text(t(lang, 'searched') + sep + answer.standalone_question)}</sub>")
    if answer is not None:
        if answer.notice:
            parts.append(f"> ⚠ **{t(lang, 'notice')}:** {md_text(answer.notice)}")
        if answer.error and answer.error != text:
            parts.append(f"> {md_text(answer.error)}")
        if k is not None and not answer.error:
            parts.append(actions(answer, k, lang))
    return "\n\n".join(parts) or "…"


def reasoning_block(reasoning: str, lang: str) -> str:
    """The model's thinking, folded: escaped text inside <details>, never rendered as markup."""
    return (f'<details class="reasoning"><summary>{esc(t(lang, "reasoning"))}</summary>'
            f'<div class="reasoning-text">{esc(reasoning.strip())}</div></details>')


UNDO = "↶"   # an option's value starting with it re-asks the question as typed (never a suggestion's start)


def answer_options(answer: Answer | None, lang: str) -> list[dict[str, str]]:
    """The buttons under an answer: undo a follow-up's rewrite, then the suggested follow-ups."""
    if answer is None:
        return []
    sep = "" if lang == "zh" else " "
    out = [{"label": t(lang, "undo") + sep + answer.question, "value": UNDO + answer.question}] \
        if answer.standalone_question else []
    return out + [{"label": s, "value": s} for s in answer.suggestions]




def _chip(k: int, n: int) -> str:
    return f'<a class="cite" href="#cite-{k}-{n}">{n}</a>'


def actions(answer: Answer, k: int, lang: str) -> str:
    """Open this answer's sources; copy it with its sources; a link that asks it again."""
    n = len({c.n for c in answer.citations}) or len(answer.passages)
    links = []
    if n:
        links.append(f'<a class="act act-src" href="#cite-{k}-0">{esc(t(lang, "open_sources", n=n))}</a>')
    links.append(f'<a class="act act-copy" href="#copy-{k}">{esc(t(lang, "copy"))}</a>')
    links.append(f'<a class="act act-share" href="?q={quote(answer.question)}">{esc(t(lang, "share"))}</a>')
    return '<span class="acts">' + " · ".join(links) + "</span>"


# --- API -------------------------------------------------------------------------------------------

def chat_text(answer: Answer, lang: str = "en") -> str:
    """Plain text for /chat and for "copy with sources": the answer with its [n] markers, then
    who said each cited passage, where."""
    text = answer.text or answer.error or ""
    if answer.mode == "llm":   # the model may write Markdown; an API caller gets readable text
        text = plain_text(text)
    if answer.notice:
        text = f"{answer.notice}\n\n{text}"
    if answer.citations:
        # One line per quoted stretch: a verified and an unverified use of the same sentence are
        # two citations but one source.
        colon = "：" if lang == "zh" else ": "
        lines = list(dict.fromkeys(
            f"[{c.n}] {c.speaker or t(lang, 'unmarked' if c.role == 'unmarked' else 'editor')} "
            f"({role_name(lang, c.role)}), {c.title}{' ' + clock(c.time) if c.time is not None else ''}"
            f"{' <' + link + '>' if (link := media_link(c.media_url, c.time)) else ''}{colon}“{c.quote}”"
            for c in answer.citations))
        text += f"\n\n{t(lang, 'sources')}{colon.strip()}\n" + "\n".join(lines)
    return text


def answer_json(answer: Answer) -> dict[str, Any]:
    data = answer.to_dict()
    data.pop("timings_ms", None)
    data.pop("reasoning", None)   # the model's notes are not part of the answer
    return data
