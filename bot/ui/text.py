"""Interface strings in Chinese and English, and how the page picks its language.

Two ways the same table reaches the page:
- static text (labels, buttons, headings) through `gr.I18n` (`I18N`, `L(key)`): the browser
  translates it, following its own language, and Gradio's Settings → Language switches it at
  runtime without any relabelling from here;
- text written by the server (answers' frames, source cards, progress, messages) with `t(lang,
  key)`, where `lang` is the page's current language, read in the browser at each event
  (`document.documentElement.lang`, which Gradio keeps in step with its language).

Every key exists in both languages; `tests/test_ui.py` checks that.
"""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import urlparse

import gradio as gr

from ingest.loader import SUPPORTED_SUFFIXES

Lang = Literal["zh", "en"]
MAX_MB = 5
SUFFIXES = ", ".join(SUPPORTED_SUFFIXES)   # every format ingest reads; new ones appear by themselves

# Example questions, in the interface's language (names stay as the transcripts write them).
EXAMPLES: dict[str, list[str]] = {
    "zh": ["李广密怎么看 GPT-4 的训练成本?", "闫俊杰认为大模型的成本会怎样变化?", "李大海怎么看端侧模型?",
           "出门问问的演讲里讲了 Agent 的哪些方向?"],
    "en": ["what did 李广密 say about GPT-4 cost", "What does Xuezhi Wang say about reasoning?",
           "How does 闫俊杰 see the cost of large models changing?", "Which app first ran Stable Diffusion on a phone?"],
}

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Interview transcripts Q&A",
        "subtitle": "Ask what the interviewees said; every answer quotes and cites the transcripts.",
        "mode_offline": "Offline: answers quote the transcripts",
        "mode_llm": "LLM:",
        "input": "Your question",
        "placeholder": "Ask about the interviews, e.g. what did 李广密 say about GPT-4 cost",
        "clear": "New conversation",
        "chat": "Conversation",
        "sources": "Sources",
        "sources_empty": "Sources appear here: click a number in an answer to see its passage.",
        "sources_for": "for",
        "searched": "Searched:",
        "undo": "↶ Search as typed:",
        "closest": "No answer: these are the closest passages found.",
        "close": "Close",
        "show_tr": "Show in transcript",
        "back": "Back to the sources",
        "tr_missing": "This transcript is no longer indexed.",
        "filters": "Filters",
        "f_docs": "Interviews (none selected = all)",
        "f_speakers": "Speakers (none selected = all)",
        "chip_doc": "Interview",
        "chip_speaker": "Speaker",
        "chip_clear": "Clear filters",
        "chip_remove": "Remove this filter",
        "library": "The interviews",
        "library_hint": "Ask a question below, or try one of these:",
        "speakers_of": "speakers",
        "indexing": "Indexing the interviews: {what} {done}/{total}. Questions are answered as soon as it is done.",
        "indexing_model": "Loading the language model…",
        "indexing_open": "Opening the index…",
        "index_failed": "The index could not be built: {reason}",
        "waiting": "Still indexing ({what} {done}/{total}); your question will be answered when it is done…",
        "waiting_upload": "Indexing the transcripts just added or removed; your question is answered right after…",
        "upload": "Add or remove transcripts",
        "u_files": f"Transcript files ({SUFFIXES}; at most {MAX_MB} MB each)",
        "u_title": "Title (optional, for a single file)",
        "u_speakers": "Speakers (optional, comma-separated, e.g. 张三:host, 李四:guest)",
        "u_button": "Upload and index",
        "u_remove_pick": "Uploaded transcripts",
        "u_remove": "Remove from the index",
        "u_none": "Choose at least one transcript file ({suffixes}).",
        "u_type": "{name}: this type is not read; transcripts must be {suffixes}.",
        "u_size": "{name}: {size} MB is over the {mb} MB limit.",
        "u_exists": "{name}: a transcript with this file name is already indexed; rename the file.",
        "u_duplicate": "{name}: the same text is already indexed as {other}; nothing was added.",
        "u_invalid": "{name}: cannot be read as a transcript ({reason}).",
        "u_one_file": "Title and speakers describe one transcript: upload one file at a time to set them.",
        "u_role": "{name}: unknown role {role} (host, guest or speaker)",
        "u_failed": "Indexing failed, nothing was added: {reason}",
        "u_done": "Indexed {n} file(s): {names}. They are now in the filters and in answers.",
        "u_removed": "Removed {name}: it is no longer in the index, the filters or answers.",
        "u_remove_none": "Choose an uploaded transcript to remove.",
        "u_remove_failed": "Could not remove {name}, nothing changed: {reason}",
        "u_check": "Checking the files",
        "u_busy": "Indexing",
        "phase_check": "checking", "phase_model": "model", "phase_embed": "passages", "phase_sentences": "sentences",
        "phase_keyword": "keyword index", "phase_opening": "index", "phase_waiting": "start",
        "unit": "steps",
        "searching": "Searching the transcripts…",
        "error": "Something went wrong while answering: {reason}",
        "notice": "Note",
        "reasoning": "Reasoning (the model's own notes, not checked against the transcripts)",
        "unverified": "quote not found verbatim in the source",
        "open_sources": "Sources ({n})",
        "copy": "Copy with sources",
        "share": "Share link",
        "copied": "Copied",
        "section": "Section",
        "date_inferred": "inferred",
        "editor": "editor's text",
        "unmarked": "speakers not marked",
        "people": "In the recording",
        "play": "play from here",
        "role": "Role",
        "r_host": "host", "r_guest": "guest", "r_speaker": "speaker", "r_editor": "editor", "r_unknown": "unknown role",
        "r_unmarked": "the transcript does not mark speakers",
    },
    "zh": {
        "title": "访谈实录问答",
        "subtitle": "询问受访者说过什么；每个回答都引用并注明访谈原文。",
        "mode_offline": "离线：回答摘录访谈原文",
        "mode_llm": "大模型：",
        "input": "你的问题",
        "placeholder": "就这些访谈提问，例如：李广密怎么看 GPT-4 的训练成本",
        "clear": "新对话",
        "chat": "对话",
        "sources": "来源",
        "sources_empty": "来源显示在这里：点击回答里的编号即可看到对应段落。",
        "sources_for": "问题",
        "searched": "搜索：",
        "undo": "↶ 按原话搜索：",
        "closest": "无法回答：以下是找到的最接近的段落。",
        "close": "关闭",
        "show_tr": "在原文中查看",
        "back": "返回来源",
        "tr_missing": "这篇访谈稿已不在索引中。",
        "filters": "筛选",
        "f_docs": "访谈（不选 = 全部）",
        "f_speakers": "发言人（不选 = 全部）",
        "chip_doc": "访谈",
        "chip_speaker": "发言人",
        "chip_clear": "清除筛选",
        "chip_remove": "去掉这个筛选",
        "library": "现有的访谈",
        "library_hint": "在下方提问，或者试试这些问题：",
        "speakers_of": "发言人",
        "indexing": "正在为访谈建立索引：{what} {done}/{total}。索引完成后立即回答问题。",
        "indexing_model": "正在加载语言模型…",
        "indexing_open": "正在打开索引…",
        "index_failed": "无法建立索引：{reason}",
        "waiting": "仍在建立索引（{what} {done}/{total}）；完成后会回答你的问题…",
        "waiting_upload": "正在为刚添加或删除的访谈稿更新索引；完成后立即回答你的问题…",
        "upload": "添加或删除访谈稿",
        "u_files": f"访谈稿文件（{SUFFIXES}；每个最多 {MAX_MB} MB）",
        "u_title": "标题（可选，仅限单个文件）",
        "u_speakers": "发言人（可选，用逗号分隔，例如 张三:主持人, 李四:嘉宾）",
        "u_button": "上传并建立索引",
        "u_remove_pick": "已上传的访谈稿",
        "u_remove": "从索引中删除",
        "u_none": "请至少选择一个访谈稿文件（{suffixes}）。",
        "u_type": "{name}：不支持这种格式；访谈稿须为 {suffixes}。",
        "u_size": "{name}：{size} MB，超过 {mb} MB 的上限。",
        "u_exists": "{name}：已有同名访谈稿，请重命名文件。",
        "u_duplicate": "{name}：同样的内容已作为 {other} 建立索引，未添加任何内容。",
        "u_invalid": "{name}：无法作为访谈稿读取（{reason}）。",
        "u_one_file": "标题和发言人只适用于单个文件：请一次上传一个文件。",
        "u_role": "{name}：未知身份 {role}（可用 主持人/host、嘉宾/guest、演讲者/speaker）",
        "u_failed": "建立索引失败，未添加任何内容：{reason}",
        "u_done": "已索引 {n} 个文件：{names}。它们已出现在筛选和回答中。",
        "u_removed": "已删除 {name}：它不再出现在索引、筛选和回答中。",
        "u_remove_none": "请选择要删除的已上传访谈稿。",
        "u_remove_failed": "无法删除 {name}，未做任何更改：{reason}",
        "u_check": "正在检查文件",
        "u_busy": "正在建立索引",
        "phase_check": "检查", "phase_model": "模型", "phase_embed": "段落", "phase_sentences": "句子",
        "phase_keyword": "关键词索引", "phase_opening": "索引", "phase_waiting": "启动",
        "unit": "步",
        "searching": "正在检索访谈稿…",
        "error": "回答时出错：{reason}",
        "notice": "提示",
        "reasoning": "思考过程(模型自己的推理,未与原文核对)",
        "unverified": "引文未在原文中逐字找到",
        "open_sources": "来源（{n}）",
        "copy": "复制回答和来源",
        "share": "分享链接",
        "copied": "已复制",
        "section": "章节",
        "date_inferred": "推断",
        "editor": "编者文字",
        "unmarked": "未标明说话人",
        "people": "录音中的人",
        "play": "从这里播放",
        "role": "身份",
        "r_host": "主持人", "r_guest": "嘉宾", "r_speaker": "演讲者", "r_editor": "编者", "r_unknown": "身份未知",
        "r_unmarked": "转录没有标出说话人",
    },
}

# Static text goes through Gradio's translation (keys prefixed: they share one table with Gradio's own).
I18N = gr.I18n(**{lang: {f"qa_{k}": v for k, v in table.items()} for lang, table in STRINGS.items()})


def L(key: str) -> gr.i18n.I18nData:
    """A label the browser shows in its language (and switches with Gradio's language setting)."""
    assert key in STRINGS["en"], key
    return I18N(f"qa_{key}")


def lang_of(browser_language: str | None) -> Lang:
    """'zh', 'zh-CN', 'zh-Hant-TW' → zh; anything else (or nothing) → en."""
    return "zh" if (browser_language or "").strip().lower().startswith("zh") else "en"


def t(lang: str, key: str, **kw: object) -> str:
    table = STRINGS.get(lang, STRINGS["en"])
    text = table.get(key) or STRINGS["en"][key]
    return text.format(**kw) if kw else text


def colon(lang: str) -> str:
    return "：" if lang == "zh" else ": "


def role_name(lang: str, role: str | None) -> str:
    key = f"r_{role or 'unknown'}"
    return t(lang, key) if key in STRINGS["en"] else (role or t(lang, "r_unknown"))


def mode_labels(model: str | None, base_url: str | None) -> dict[str, str]:
    """The mode line in both languages; `model=None` means offline (no LLM configured)."""
    if model is None:
        return {lang: t(lang, "mode_offline") for lang in STRINGS}
    return {lang: f"{t(lang, 'mode_llm')} {model} ({llm_host(base_url)})" for lang in STRINGS}


def mode_line(model: str | None, base_url: str | None) -> str:
    """The mode line as the page shows it: translated in the browser; the model name as is."""
    if model is None:
        return str(L("mode_offline"))
    return f"{L('mode_llm')} {model} ({llm_host(base_url)})"


def llm_host(base_url: str | None) -> str:
    # Only the host: a base URL may carry a path or credentials that do not belong on screen.
    return (urlparse(base_url).hostname if base_url else None) or "api.openai.com"


def date_label(lang: str, date: str | None) -> str:
    """A manifest date for a card: "2024-09-25"; "inferred: December 2023 (the text …)" →
    "December 2023 (inferred)"; "not stated" → ""."""
    d = (date or "").strip()
    if not d or d.lower().startswith("not stated"):
        return ""
    inferred = d.lower().startswith("inferred:")
    if inferred:
        d = re.split(r"\s*[(;,]|\s+after\s", d[len("inferred:"):].strip(), maxsplit=1)[0].strip()
        if not d:
            return ""
    if lang == "zh":
        d = _zh_date(d)
        return f"{d}（{t(lang, 'date_inferred')}）" if inferred else d
    return f"{d} ({t(lang, 'date_inferred')})" if inferred else d


_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december"]
_SEASONS = {"spring": "春", "summer": "夏", "autumn": "秋", "fall": "秋", "winter": "冬"}


def _zh_date(d: str) -> str:
    """"December 2023" → "2023年12月", "spring 2024" → "2024年春" (manifest dates are written in English)."""
    m = re.fullmatch(r"([A-Za-z]+)\s+(\d{4})", d.strip())
    if m:
        word, year = m.group(1).lower(), m.group(2)
        if word in _MONTHS:
            return f"{year}年{_MONTHS.index(word) + 1}月"
        if word in _SEASONS:
            return f"{year}年{_SEASONS[word]}"
    return d


