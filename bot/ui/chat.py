"""What the page's events do: ask (streamed), redraw after a reload or a language change, follow the
start-up, filters, and the API. `bot.ui.blocks` lays the page out and wires these to it.

`lang` arrives with every event, read in the browser (bot.ui.assets.LANG_JS): whatever language
the page shows now, the server writes in it too.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import gradio as gr

from bot.schema import Filters
from bot.settings import Settings
from bot.ui.cards import chips_html, library_html, progress_line, sources_html, status_html, transcript_html
from bot.ui.render import (
    MAX_TURNS,
    UNDO,
    answer_json,
    assistant_message,
    chat_messages,
    chat_text,
    history_of,
    turn,
    turns_of,
    user_message,
)
from bot.ui.text import EXAMPLES, lang_of, t
from bot.ui.upload import INGEST_LOCK

logger = logging.getLogger(__name__)
WAIT_S = 1.0   # how often a question asked during indexing re-checks the start-up


class Runtime(Protocol):
    """What the UI needs from the app (bot.ui.runtime.Runtime; tests pass a fake)."""

    def start(self) -> None: ...
    def status(self) -> Any: ...            # .ready, .failed, .phase, .done, .total, .error
    def engine(self) -> Any: ...            # .stream(question, history, filters), .ask(...)
    def library(self) -> Any: ...           # bot.index.library.Library
    def reindex(self, progress: Any) -> Any: ...


def make_filters(docs: list[str] | None, speakers: list[str] | None, library: Any) -> Filters:
    """Filter values from the UI (doc ids, or titles from an API caller) → Filters of known ids/names."""
    by_title = {title: doc_id for doc_id, title in library.titles().items()} if library else {}
    doc_ids: list[str] = []
    for v in docs or []:
        doc_id = v if (library is None or v in library.docs) else by_title.get(v)
        if doc_id and doc_id not in doc_ids:
            doc_ids.append(doc_id)
        elif not doc_id:
            logger.warning("ignoring unknown interview filter %r", v)
    known = library.speakers if library else {}
    names = [s for s in dict.fromkeys(speakers or []) if library is None or s in known]
    return Filters(docs=doc_ids, speakers=names)


def doc_choices(library: Any) -> list[tuple[str, str]]:
    return [(title or doc_id, doc_id) for doc_id, title in library.titles().items()] if library else []


def speaker_choices(library: Any, lang: str = "en") -> list[tuple[str, str]]:
    if not library:
        return []
    out = []
    for name, e in sorted(library.speakers.items(), key=lambda kv: (kv[1].role != "guest", kv[0])):
        role = t(lang, f"r_{e.role}") if e.role in ("host", "guest", "speaker") else ""
        extra = ", ".join(x for x in (role, e.org or "") if x)
        out.append((f"{name} ({extra})" if extra else name, name))
    return out


def browser_secret(settings: Settings) -> str:
    """The key gr.BrowserState encrypts the kept conversation with: stored in the data folder, so a
    restart can still read what browsers kept (a random key per start would lose every history)."""
    path = Path(settings.data_dir) / "browser-state.key"
    try:
        if path.is_file():
            return path.read_text(encoding="utf-8").strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(24)
        path.write_text(key, encoding="utf-8")
        return key
    except OSError:
        logger.warning("cannot keep the browser-state key in %s; conversations last until a restart", path)
        return secrets.token_urlsafe(24)


class Handlers:
    def __init__(self, runtime: Runtime, settings: Settings) -> None:
        self.runtime, self.settings = runtime, settings

    def library(self) -> Any:
        """The library once the index is ready, else None (the page must draw before that)."""
        if not self.runtime.status().ready:
            return None
        try:
            return self.runtime.library()
        except Exception:
            logger.exception("library unavailable")
            return None

    # --- asking ----------------------------------------------------------------------------------

    def option(self, convo: list | None, docs: list | None, speakers: list | None, lang: str,
               evt: gr.SelectData) -> Iterator[tuple]:
        """A button under the latest answer: a suggested follow-up is asked like a typed one; the
        undo button asks the last question again as typed (no follow-up rewrite), replacing it."""
        value = str(evt.value or "")
        if value.startswith(UNDO):
            yield from self.respond(value[len(UNDO):], list(convo or [])[:-1], docs, speakers, lang, as_typed=True)
        else:
            yield from self.respond(value, convo, docs, speakers, lang)

    def respond(self, q: str, convo: list | None, docs: list | None, speakers: list | None,
                lang: str, as_typed: bool = False) -> Iterator[tuple]:
        """Outputs: chat, kept conversation, sources, question box. `as_typed`: search the words
        as typed, without rewriting them as a follow-up of the conversation."""
        lg = lang_of(lang)
        q = (q or "").strip()
        if not q:
            yield (gr.skip(),) * 4
            return
        convo = list(convo or [])
        shown = [*chat_messages(convo, lg, self.settings.llm_show_reasoning), {"role": "user", "content": user_message(q)}]
        busy = gr.update(value="", submit_btn=False, stop_btn=True)
        idle = gr.update(submit_btn=True, stop_btn=False)
        yield [*shown, _bubble(assistant_message("", lg, status=t(lg, "searching")))], gr.skip(), gr.skip(), busy
        self.runtime.start()
        while not (status := self.runtime.status()).ready and not status.failed:
            yield [*shown, _bubble(assistant_message("", lg, status=progress_line(status, lg, "waiting")))], \
                gr.skip(), gr.skip(), gr.skip()
            time.sleep(WAIT_S)
        while INGEST_LOCK.locked():   # an upload or removal is being indexed: answer from the new index
            yield [*shown, _bubble(assistant_message("", lg, status=t(lg, "waiting_upload")))], \
                gr.skip(), gr.skip(), gr.skip()
            time.sleep(WAIT_S)
        text, answer = "", None
        try:
            library = self.runtime.library()
            filters = make_filters(docs, speakers, library)
            engine = self.runtime.engine()
            markdown = getattr(engine, "mode", "offline") == "llm"   # an LLM's deltas may be Markdown
            for ev in engine.stream(q, history=None if as_typed else history_of(convo), filters=filters):
                if ev.kind == "delta":
                    text += ev.text
                elif ev.kind == "final":
                    answer = ev.answer
                else:
                    yield [*shown, _bubble(assistant_message(text, lg, status=ev.text))], gr.skip(), gr.skip(), gr.skip()
                    continue
                if ev.kind == "delta":
                    yield [*shown, _bubble(assistant_message(text, lg, markdown=markdown))], gr.skip(), gr.skip(), gr.skip()
        except Exception as exc:  # the user sees a line, the log keeps the trace
            logger.exception("answering %r failed", q)
            yield [*shown, _bubble(assistant_message(t(lg, "error", reason=exc), lg))], gr.skip(), gr.skip(), idle
            return
        if answer is None:
            yield gr.skip(), gr.skip(), gr.skip(), idle
            return
        convo = [*convo, turn(q, answer)][-MAX_TURNS:]
        yield chat_messages(convo, lg, self.settings.llm_show_reasoning), convo, self.sources(convo, lg), idle

    def sources(self, convo: list | None, lang: str) -> str:
        turns = turns_of(convo)
        return sources_html([q for q, _ in turns], [a for _, a in turns], self.library(), lang)

    # --- drawing the page --------------------------------------------------------------------------

    def first_screen(self, lang: str) -> dict[str, Any]:
        """The empty chat's content: the interviews (once known) and example questions."""
        return {"placeholder": library_html(self.library(), lang) or None,
                "examples": [{"text": q} for q in EXAMPLES[lang]]}

    def redraw(self, convo: list | None, docs: list | None, speakers: list | None, lang: str) -> tuple:
        """Everything the server wrote, in `lang` (after a reload or a language change).
        Outputs: chat, sources, chips, start-up line, interviews filter, speakers filter, uploads."""
        from bot.ui.removal import uploaded_files

        lg = lang_of(lang)
        library = self.library()
        return (gr.update(value=chat_messages(convo, lg, self.settings.llm_show_reasoning), **self.first_screen(lg)), self.sources(convo, lg),
                chips_html(docs or [], speakers or [], library, lg), status_html(self.runtime.status(), lg),
                gr.update(choices=doc_choices(library)), gr.update(choices=speaker_choices(library, lg)),
                gr.update(choices=uploaded_files(Path(self.settings.seeds_dir))))

    def load(self, convo: list | None, docs: list | None, speakers: list | None, pending: str, lang: str) -> tuple:
        """Page load: redraw the kept conversation; a shared link's question goes to the question box
        (asked next); the start-up timer runs only while indexing."""
        self.runtime.start()
        status = self.runtime.status()
        return (*self.redraw(convo, docs, speakers, lang), pending or gr.skip(),
                gr.Timer(active=not (status.ready or status.failed)))

    def tick(self, convo: list | None, docs: list | None, speakers: list | None, lang: str) -> tuple:
        """While indexing: the progress line; once done, the rest of the first screen, and stop."""
        status = self.runtime.status()
        if not (status.ready or status.failed):
            return gr.skip(), gr.skip(), gr.skip(), status_html(status, lang_of(lang)), gr.skip(), gr.skip(), \
                gr.skip(), gr.skip()
        return (*self.redraw(convo, docs, speakers, lang), gr.Timer(active=False))

    def chips(self, docs: list | None, speakers: list | None, lang: str) -> str:
        return chips_html(docs or [], speakers or [], self.library(), lang_of(lang))

    @staticmethod
    def drop_filter(docs: list | None, speakers: list | None, evt: gr.EventData) -> tuple:
        """A chip's ×: that filter goes (or all of them, for "clear filters")."""
        kind, value = getattr(evt, "kind", None), getattr(evt, "value", None)
        if kind == "all":
            return [], []
        return ([d for d in docs or [] if not (kind == "doc" and d == value)],
                [s for s in speakers or [] if not (kind == "speaker" and s == value)])

    def transcript(self, args: list) -> str:
        """Server function of the sources panel: (doc_id, start, end, lang) → the whole transcript."""
        doc_id, start, end, lang = (list(args) + [None] * 4)[:4]
        try:
            start, end = int(start), int(end)
        except (TypeError, ValueError):
            start = end = -1
        return transcript_html(self.library(), str(doc_id), start, end, lang_of(lang))

    # --- API ---------------------------------------------------------------------------------------

    def api_answer(self, question: str, history: list | None, filters: dict | None) -> Any:
        library = self.runtime.library()   # waits for the index, if it is still being built
        f = filters or {}
        chosen = make_filters(f.get("interviews") or f.get("docs"), f.get("speakers"), library)
        turns = [{"role": h["role"], "content": h["content"]} for h in history or []
                 if isinstance(h, dict) and h.get("role") in ("user", "assistant") and isinstance(h.get("content"), str)]
        return self.runtime.engine().ask(question, history=turns, filters=chosen)

    def api_status(self) -> dict[str, Any]:
        s = self.runtime.status()
        return {"ready": s.ready, "phase": s.phase, "done": s.done, "total": s.total, "error": s.error}


def _bubble(content: str) -> dict[str, str]:
    return {"role": "assistant", "content": content}


def api_functions(h: Handlers) -> tuple[Any, Any, Any]:
    """/chat, /ask_json and /status, typed for gradio_client (documented in the README)."""

    def chat(question: str, history: list[dict] | None = None, filters: dict | None = None) -> str:
        """Answer a question from the transcripts: the answer with [n] markers, then who said each source.
        history: earlier turns [{"role": "user"|"assistant", "content": str}]; filters: {"interviews":
        [doc ids or titles], "speakers": [names]}."""
        return chat_text(h.api_answer(question, history, filters))

    def ask_json(question: str, history: list[dict] | None = None, filters: dict | None = None) -> dict:
        """Answer a question; the structured Answer: text, refused, citations, passages, notice (same
        history and filters as /chat)."""
        return answer_json(h.api_answer(question, history, filters))

    def status() -> dict:
        """Start-up state: {"ready": bool, "phase": str, "done": int, "total": int, "error": str | None}."""
        return h.api_status()

    return chat, ask_json, status
