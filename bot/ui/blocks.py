"""The Gradio page: streamed chat with cited sources, filters as chips, uploads, zh/en, and an API.

`build_ui` only lays out components and wires events (what they do is in `bot.ui.chat`); the heavy
parts come from the runtime, built in the background, so the page is served at once and shows the
indexing progress. What the page shows is rendered by `bot.ui.render` and `bot.ui.cards` (which
escape everything from a transcript or a user); interface strings live in `bot.ui.text`, static
ones translated in the browser through `gr.I18n` (launch with `**LAUNCH_KWARGS`: the CSS and I18n).

Layout: the chat (the interviews and example questions while empty; it grows with the
conversation), the active filters as chips right above the question box (which stays at the
bottom on a phone), then the filters and uploads; the sources beside the chat (over it, on a
phone). The conversation is kept in the browser (gr.BrowserState) across reloads.

API (gradio_client): `/chat`, `/ask_json` (question, optional history and filters) and `/status`.
The UI's own events are private.
"""

from __future__ import annotations

import logging
from pathlib import Path

import gradio as gr

from bot.settings import Settings
from bot.ui.assets import CHIPS_JS, CSS, LANG_JS, LOAD_JS, SOURCES_JS
from bot.ui.cards import sources_html
from bot.ui.chat import Handlers, Runtime, api_functions, browser_secret, doc_choices, speaker_choices
from bot.ui.removal import remove_transcript, uploaded_files
from bot.ui.text import I18N, L, colon, lang_of, t
from bot.ui.upload import add_transcripts

logger = logging.getLogger(__name__)
PRIVATE = {"api_visibility": "private"}
QUIET = {**PRIVATE, "show_progress": "hidden"}   # the page says what is going on itself
# What `launch` must be given for the page to look and read right (Gradio 6 takes both at launch).
LAUNCH_KWARGS = {"css": CSS, "i18n": I18N}


def build_ui(runtime: Runtime, settings: Settings, mode: str) -> gr.Blocks:
    """`mode`: the mode line (bot.ui.text.mode_line)."""
    h = Handlers(runtime, settings)
    with gr.Blocks(title="Transcript Q&A · 访谈问答", analytics_enabled=False) as demo:
        convo = gr.BrowserState([], storage_key="transcript-qa-conversation", secret=browser_secret(settings))
        lang = gr.Textbox(visible=False)      # the page's language, filled in the browser at each event
        pending = gr.Textbox(visible=False)   # a question from a shared link (?q=…)
        with gr.Row(elem_id="header", equal_height=False):
            with gr.Column(scale=4, min_width=240):
                gr.Markdown(f"# {L('title')}", elem_id="title")
                gr.Markdown(L("subtitle"), elem_id="subtitle")
            gr.Markdown(mode, elem_id="mode-line", min_width=300)   # under the title on a phone
        boot = gr.HTML("", elem_id="boot")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=320):
                chatbot = gr.Chatbot(label=L("chat"), show_label=False, elem_id="chat", height=None,
                                     min_height=260, max_height="72vh", latex_delimiters=[], buttons=[], layout="panel",
                                     feedback_options=None, **h.first_screen("en"))
                with gr.Column(elem_id="ask"):
                    chips = gr.HTML("", elem_id="chips", js_on_load=CHIPS_JS)
                    question = gr.Textbox(label=L("input"), show_label=False, placeholder=L("placeholder"),
                                          lines=1, max_lines=4, submit_btn=True, stop_btn=False, elem_id="question")
                with gr.Accordion(L("filters"), open=False, elem_id="filters"):
                    f_docs = gr.Dropdown([], value=[], multiselect=True, label=L("f_docs"), elem_id="f-docs")
                    f_speakers = gr.Dropdown([], value=[], multiselect=True, label=L("f_speakers"), elem_id="f-speakers")
                with gr.Accordion(L("upload"), open=False, elem_id="upload"):
                    files = gr.File(file_count="multiple", type="filepath", label=L("u_files"))
                    with gr.Row():
                        u_title = gr.Textbox(label=L("u_title"))
                        u_speakers = gr.Textbox(label=L("u_speakers"))
                    u_button = gr.Button(L("u_button"), elem_id="u-button")
                    with gr.Row(equal_height=False):
                        u_pick = gr.Dropdown([], value=None, label=L("u_remove_pick"), elem_id="u-pick", scale=3)
                        u_remove = gr.Button(L("u_remove"), elem_id="u-remove", scale=1, size="sm", min_width=120)
                    u_status = gr.Markdown("", elem_id="upload-status")
            with gr.Column(scale=2, min_width=300, elem_id="side"):
                def transcript(args: list) -> str:   # called by the panel's script (a plain function: Gradio marks it)
                    return h.transcript(args)

                sources = gr.HTML(sources_html([], [], None, "en", drawn=False), elem_id="sources", js_on_load=SOURCES_JS,
                                  server_functions=[transcript])
        timer = gr.Timer(1.0, active=False)

        # --- asking -----------------------------------------------------------------------------
        ask = dict(fn=h.respond, inputs=[question, convo, f_docs, f_speakers, lang],
                   outputs=[chatbot, convo, sources, question], js=LANG_JS, concurrency_limit=4, **QUIET)
        asked = [question.submit(**ask)]
        asked.append(chatbot.example_select(_example, None, [question], **QUIET).then(**ask))
        # the buttons under the latest answer: undo a follow-up's rewrite, suggested follow-ups
        asked.append(chatbot.option_select(h.option, [convo, f_docs, f_speakers, lang],
                                           [chatbot, convo, sources, question], js=LANG_JS, concurrency_limit=4,
                                           **QUIET))
        question.stop(lambda: gr.update(submit_btn=True, stop_btn=False), None, [question], cancels=asked, **QUIET)

        def forget(lg: str) -> tuple:
            return [], h.sources([], lang_of(lg))

        chatbot.clear(forget, [lang], [convo, sources], js=LANG_JS, **QUIET)

        # --- drawing: load, start-up, language --------------------------------------------------
        drawn = [chatbot, sources, chips, boot, f_docs, f_speakers, u_pick]
        loaded = demo.load(h.load, [convo, f_docs, f_speakers, pending, lang], [*drawn, question, timer],
                           js=LOAD_JS, **QUIET)
        asked.append(loaded.then(**ask))   # a shared link's question, if any
        timer.tick(h.tick, [convo, f_docs, f_speakers, lang], [*drawn, timer], js=LANG_JS, **QUIET)
        # Gradio's language setting changed (the sources panel's script watches <html lang>).
        sources.select(h.redraw, [convo, f_docs, f_speakers, lang], drawn, js=LANG_JS, **QUIET)

        # --- filters ------------------------------------------------------------------------------
        for dropdown in (f_docs, f_speakers):
            dropdown.change(h.chips, [f_docs, f_speakers, lang], [chips], js=LANG_JS, **QUIET)
        chips.click(h.drop_filter, [f_docs, f_speakers], [f_docs, f_speakers], **QUIET)

        # --- uploads ------------------------------------------------------------------------------
        def after(result, lg: str) -> tuple:
            library = h.library()
            return (f"{'✓' if result.ok else '✗'} {result.message}", gr.update(choices=doc_choices(library)),
                    gr.update(choices=speaker_choices(library, lg)),
                    gr.update(choices=uploaded_files(Path(settings.seeds_dir)), value=None))

        def on_upload(paths: list[str] | None, title: str, speakers_text: str, lg: str,
                      progress: gr.Progress = gr.Progress()) -> tuple:  # noqa: B008 - how Gradio finds it
            lg = lang_of(lg)
            result = add_transcripts(paths, title, speakers_text, settings, runtime.reindex, lg, _progress(progress, lg))
            return (*after(result, lg), None if result.ok else gr.skip())

        u_button.click(on_upload, [files, u_title, u_speakers, lang], [u_status, f_docs, f_speakers, u_pick, files],
                       js=LANG_JS, **PRIVATE)

        def on_remove(name: str | None, lg: str, progress: gr.Progress = gr.Progress()) -> tuple:  # noqa: B008
            lg = lang_of(lg)
            return after(remove_transcript(name, settings, runtime.reindex, lg, _progress(progress, lg)), lg)

        u_remove.click(on_remove, [u_pick, lang], [u_status, f_docs, f_speakers, u_pick], js=LANG_JS, **PRIVATE)

        # --- API ------------------------------------------------------------------------------------
        chat, ask_json, status = api_functions(h)
        gr.api(chat, api_name="chat", concurrency_limit=4)
        gr.api(ask_json, api_name="ask_json", concurrency_limit=4)
        gr.api(status, api_name="status")
    return demo


def _example(evt: gr.SelectData) -> str:
    value = evt.value
    return value.get("text", "") if isinstance(value, dict) else str(value or "")


def _progress(progress: gr.Progress, lang: str):
    """ingest's (phase, done, total) → Gradio's progress bar, named in the reader's language."""

    def report(phase: str, done: int, total: int) -> None:
        if phase == "check":
            what = t(lang, "u_check")
        elif f"phase_{phase}" in _PHASE_KEYS:
            what = f"{t(lang, 'u_busy')}{colon(lang)}{t(lang, f'phase_{phase}')}"
        else:
            what = t(lang, "u_busy")
        progress((done, total or None), desc=what, unit=t(lang, "unit"))

    return report


_PHASE_KEYS = {"phase_embed", "phase_sentences", "phase_keyword"}

