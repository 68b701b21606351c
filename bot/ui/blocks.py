"""The Gradio interface: streamed chat with cited sources, filters, uploads, zh/en text, and an API.

`build_ui` only lays out components; the engine and the library come from factories called on
first use, so building the Blocks is cheap (app.py builds it at import for `gradio app.py`
reloads). What the page shows is rendered by `bot.ui.render` (which escapes everything from a
transcript or a user); interface strings live in `bot.ui.text`.

API (gradio_client): `/chat` (question → answer text with [n] markers and the cited speakers)
and `/ask_json` (question → the structured Answer). The UI's own events are private.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import gradio as gr

from bot.schema import Answer, Filters
from bot.settings import Settings
from bot.ui.render import (
    answer_json,
    assistant_message,
    chat_text,
    context_html,
    esc,
    sources_html,
    targets,
    user_message,
)
from bot.ui.text import EXAMPLES, LANGS, lang_of, t
from bot.ui.upload import ALLOWED, MAX_MB, Reindex, add_transcripts

logger = logging.getLogger(__name__)

EngineFactory = Callable[[], Any]   # → object with .stream(question, history, filters) and .ask(...)
LibraryFactory = Callable[[], Any]  # → bot.index.library.Library (the current one: uploads replace it)

# The context panel holds several long turns; bring the cited one into view whenever it changes.
_SCROLL_JS = """
const show = () => {
  const box = element.querySelector('.ctx'), cited = element.querySelector('.ctx-cited');
  if (box && cited) box.scrollTop = cited.offsetTop - box.offsetTop - 8;
};
watch('value', show); show();
"""


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


def _mode_html(mode_label: str | dict[str, str], lang: str | None) -> str:
    """The mode line. data-lang stays empty until the page's load event has applied a language."""
    lg = lang or "en"
    text = mode_label.get(lg, next(iter(mode_label.values()))) if isinstance(mode_label, dict) else mode_label
    return f'<div data-lang="{lang or ""}"><b>{"模式" if lg == "zh" else "Mode"}:</b> {esc(text)}</div>'


def build_ui(engine_factory: EngineFactory, library_factory: LibraryFactory, settings: Settings,
             mode_label: str | dict[str, str], reindex: Reindex | None = None) -> gr.Blocks:
    if reindex is None:
        def reindex(progress):  # no shared embedder or services to refresh: just index
            from ingest.pipeline import run_ingest
            return run_ingest(settings, progress=progress)

    with gr.Blocks(title="Transcript Q&A · 访谈问答", analytics_enabled=False) as demo:
        answer_state = gr.State(None)   # the latest Answer, for the sources panel and re-rendering
        hist = gr.State([])             # raw (unescaped) turns for the engine's history
        browser_lang = gr.Textbox(visible=False)
        with gr.Row():
            header = gr.Markdown(f"## {t('en', 'title')}\n{t('en', 'subtitle')}")
            lang = gr.Radio(LANGS, value="en", label=t("en", "lang"), scale=0, min_width=180, elem_id="lang")
        mode_md = gr.HTML(_mode_html(mode_label, None), elem_id="mode-line")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(label=t("en", "chat"), height=520, elem_id="chat", latex_delimiters=[],
                                     feedback_options=None, buttons=["copy"])
                question = gr.Textbox(label=t("en", "input"), placeholder=t("en", "placeholder"), lines=1,
                                      max_lines=4, elem_id="question")
                with gr.Row():
                    send = gr.Button(t("en", "send"), variant="primary", elem_id="send")
                    stop = gr.Button(t("en", "stop"), variant="stop", elem_id="stop")
                    clear = gr.Button(t("en", "clear"), elem_id="clear")
                gr.Examples(EXAMPLES, inputs=[question], label="Examples · 示例")
                with gr.Accordion(t("en", "filters"), open=False, elem_id="filters") as filters_acc:
                    f_docs = gr.Dropdown([], value=[], multiselect=True, label=t("en", "f_docs"), elem_id="f-docs")
                    f_speakers = gr.Dropdown([], value=[], multiselect=True, label=t("en", "f_speakers"),
                                             elem_id="f-speakers")
            with gr.Column(scale=2):
                sources_hdr = gr.Markdown(f"### {t('en', 'sources')}")
                sources = gr.HTML(sources_html(None, None, "en"), elem_id="sources")
                pick = gr.Radio([], label=t("en", "pick"), elem_id="pick")
                with gr.Accordion(t("en", "open"), open=True) as ctx_acc:
                    context = gr.HTML(context_html([], None, "", "en"), elem_id="context", js_on_load=_SCROLL_JS)
        with gr.Accordion(t("en", "upload"), open=False, elem_id="upload") as upload_acc:
            files = gr.File(file_count="multiple", file_types=list(ALLOWED), type="filepath",
                            label=t("en", "u_files", mb=MAX_MB))
            with gr.Row():
                u_title = gr.Textbox(label=t("en", "u_title"))
                u_speakers = gr.Textbox(label=t("en", "u_speakers"))
            u_button = gr.Button(t("en", "u_button"))
            u_status = gr.Markdown("", elem_id="upload-status")

        # --- chat ---------------------------------------------------------------------------
        def respond(q: str, chat: list, history: list, docs: list, speakers: list, lg: str) -> Iterator[tuple]:
            q = (q or "").strip()
            if not q:
                yield (gr.skip(),) * 6
                return
            chat = [*(chat or []), {"role": "user", "content": user_message(q)},
                    {"role": "assistant", "content": assistant_message("", lg, status=t(lg, "searching"))}]
            yield chat, gr.skip(), gr.skip(), gr.skip(), gr.skip(), ""
            text, answer = "", None
            try:
                library = library_factory()
                filters = make_filters(docs, speakers, library)
                for ev in engine_factory().stream(q, history=list(history or []), filters=filters):
                    if ev.kind == "delta":
                        text += ev.text
                    elif ev.kind == "final":
                        answer = ev.answer
                        text = answer.text
                    chat[-1] = {"role": "assistant",
                                "content": assistant_message(text, lg, answer, ev.text if ev.kind == "status" else None)}
                    if ev.kind != "final":
                        yield chat, gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            except Exception as exc:  # the user sees a line, the log keeps the trace
                logger.exception("answering %r failed", q)
                chat[-1] = {"role": "assistant", "content": assistant_message(t(lg, "error", reason=exc), lg)}
                yield chat, gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
                return
            if answer is None:
                return
            new_hist = [*(history or []), {"role": "user", "content": q}, {"role": "assistant", "content": answer.text}]
            tg = targets(answer, lg)
            pick_update = gr.update(choices=[(x.label, str(i)) for i, x in enumerate(tg)],
                                    value="0" if tg else None)
            yield chat, new_hist, sources_html(answer, library, lg), pick_update, answer, gr.skip()

        chat_io = dict(fn=respond, inputs=[question, chatbot, hist, f_docs, f_speakers, lang],
                       outputs=[chatbot, hist, sources, pick, answer_state, question],
                       api_visibility="private", concurrency_limit=4)
        ev_submit = question.submit(**chat_io)
        ev_click = send.click(**chat_io)
        stop.click(None, None, None, cancels=[ev_submit, ev_click])

        def reset(lg: str) -> tuple:
            return [], [], sources_html(None, None, lg), gr.update(choices=[], value=None), None, \
                context_html([], None, "", lg)

        clear.click(reset, [lang], [chatbot, hist, sources, pick, answer_state, context], api_visibility="private")

        def open_source(choice: str | None, answer: Answer | None, lg: str) -> str:
            tg = targets(answer, lg)
            if choice is None or not str(choice).isdigit() or int(choice) >= len(tg):
                return context_html([], None, "", lg)
            target, library = tg[int(choice)], library_factory()
            doc = library.docs.get(target.doc_id)
            turns = library.context(target.doc_id, target.start, target.end)
            return context_html(turns, target, doc.meta.title if doc else target.doc_id, lg)

        pick.change(open_source, [pick, answer_state, lang], [context], api_visibility="private")

        # --- language -----------------------------------------------------------------------
        lang_outputs = [lang, header, mode_md, chatbot, question, send, stop, clear, filters_acc, f_docs, f_speakers,
                        sources_hdr, sources, pick, ctx_acc, context, upload_acc, files, u_title, u_speakers, u_button]

        def apply_lang(lg: str, answer: Answer | None, choice: str | None) -> list:
            lg = lg if lg in ("zh", "en") else "en"
            library = _library_or_none(library_factory)
            return [
                gr.update(value=lg, label=t(lg, "lang")), f"## {t(lg, 'title')}\n{t(lg, 'subtitle')}", _mode_html(mode_label, lg),
                gr.update(label=t(lg, "chat")), gr.update(label=t(lg, "input"), placeholder=t(lg, "placeholder")),
                gr.update(value=t(lg, "send")), gr.update(value=t(lg, "stop")), gr.update(value=t(lg, "clear")),
                gr.update(label=t(lg, "filters")), gr.update(label=t(lg, "f_docs"), choices=doc_choices(library)),
                gr.update(label=t(lg, "f_speakers"), choices=speaker_choices(library, lg)),
                f"### {t(lg, 'sources')}", sources_html(answer, library, lg),
                gr.update(label=t(lg, "pick"), choices=[(x.label, str(i)) for i, x in enumerate(targets(answer, lg))]),
                gr.update(label=t(lg, "open")), open_source(choice, answer, lg), gr.update(label=t(lg, "upload")),
                gr.update(label=t(lg, "u_files", mb=MAX_MB)), gr.update(label=t(lg, "u_title")),
                gr.update(label=t(lg, "u_speakers")), gr.update(value=t(lg, "u_button")),
            ]

        lang.input(apply_lang, [lang, answer_state, pick], lang_outputs, api_visibility="private")

        def on_load(raw_lang: str, answer: Answer | None, choice: str | None) -> list:
            return apply_lang(lang_of(raw_lang), answer, choice)

        # The browser's language is only known in the browser: the js runs first, its result is the input.
        demo.load(on_load, [browser_lang, answer_state, pick], lang_outputs,
                  js="(x, a, p) => [navigator.language || 'en', a, p]", api_visibility="private")

        # --- upload ---------------------------------------------------------------------------
        def on_upload(paths: list[str] | None, title: str, speakers_text: str, lg: str,
                      progress: gr.Progress = gr.Progress()) -> tuple:  # noqa: B008 - how Gradio finds it
            def cb(phase: str, done: int, total: int) -> None:
                label = t(lg, f"phase_{phase}") if phase in ("embed", "sentences", "keyword") else phase
                progress((done, total or None), desc=f"{t(lg, 'u_busy')}: {label}")

            result = add_transcripts(paths, title, speakers_text, settings, reindex, lg, cb)
            library = _library_or_none(library_factory)
            icon = "✅" if result.ok else "❌"
            return (f"{icon} {result.message}", gr.update(choices=doc_choices(library)),
                    gr.update(choices=speaker_choices(library, lg)), None if result.ok else gr.skip())

        u_button.click(on_upload, [files, u_title, u_speakers, lang], [u_status, f_docs, f_speakers, files],
                       api_visibility="private")

        # --- API ------------------------------------------------------------------------------
        def chat(question: str, history: list[dict] | None = None) -> str:
            """Answer a question from the transcripts: the answer with [n] markers, then who said each source.
            `history` (optional): the conversation so far as [{"role": "user"|"assistant", "content": ...}],
            so that a follow-up ("他还说了什么?") is read in its context."""
            return chat_text(engine_factory().ask(question, history=history or None))

        def ask_json(question: str) -> dict:
            """Answer a question; the structured Answer: text, refused, citations, passages, notice."""
            return answer_json(engine_factory().ask(question))

        gr.api(chat, api_name="chat", concurrency_limit=4)
        gr.api(ask_json, api_name="ask_json", concurrency_limit=4)
    return demo


def _library_or_none(factory: LibraryFactory) -> Any:
    try:
        return factory()
    except Exception:  # the page must still load (e.g. index not built yet); the log says why
        logger.exception("library unavailable")
        return None
