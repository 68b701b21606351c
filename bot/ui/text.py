"""Interface strings in Chinese and English, and the rule that picks one from the browser's language.

Kept apart from the layout so a translation can be checked (or added) without reading Gradio code.
Every key exists in both languages; `tests/test_ui.py` checks that.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlparse

Lang = Literal["zh", "en"]
LANGS: list[tuple[str, str]] = [("中文", "zh"), ("English", "en")]

# Bilingual on purpose: the example questions are part of the demo, not of the interface language.
EXAMPLES: list[str] = [
    "what did 李广密 say about GPT-4 cost",
    "闫俊杰认为大模型的成本会怎样变化？",
    "李大海怎么看端侧模型？",
    "What does Xuezhi Wang say about reasoning?",
    "出门问问的演讲里讲了 Agent 的哪些方向？",
]

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Interview transcripts Q&A",
        "subtitle": "Ask about what the interviewees said. Every answer cites the transcript passages it rests on.",
        "lang": "Language",
        "chat": "Chat",
        "input": "Your question",
        "placeholder": "e.g. what did 李广密 say about GPT-4 cost",
        "send": "Ask",
        "stop": "Stop",
        "clear": "New conversation",
        "examples": "Examples",
        "sources": "Sources",
        "sources_empty": "Sources of the latest answer appear here.",
        "searched": "Searched:",
        "undo": "↶ Search as typed:",
        "closest": "No answer: these are the closest passages found.",
        "pick": "Open a source",
        "open": "Show in transcript",
        "context_empty": "Pick a source and press “Show in transcript” to see the turns around it.",
        "filters": "Filters",
        "f_docs": "Interviews (none selected = all)",
        "f_speakers": "Speakers (none selected = all)",
        "upload": "Add transcripts",
        "u_files": "Transcript files (.txt or .md, at most {mb} MB each)",
        "u_title": "Title (optional, for a single file)",
        "u_speakers": "Speakers (optional, comma-separated, e.g. 张三:host, 李四:guest)",
        "u_button": "Upload and index",
        "u_none": "Choose at least one .txt or .md file.",
        "u_type": "{name}: only .txt and .md transcripts are accepted.",
        "u_size": "{name}: {size} MB is over the {mb} MB limit.",
        "u_exists": "{name}: a transcript with this file name is already indexed; rename the file.",
        "u_invalid": "{name}: cannot be read as a transcript ({reason}).",
        "u_failed": "Indexing failed, nothing was added: {reason}",
        "u_done": "Indexed {n} file(s): {names}. They are now in the filters and in answers.",
        "u_busy": "Indexing",
        "phase_embed": "passages", "phase_sentences": "sentences", "phase_keyword": "keyword index",
        "mode_offline": "Offline: extractive answers from the transcripts",
        "mode_llm": "LLM: {model} at {host}",
        "searching": "Searching the transcripts…",
        "error": "Something went wrong while answering: {reason}",
        "notice": "Note",
        "unverified": "quote not found verbatim in the source",
        "speaker": "Speaker",
        "role": "Role",
        "interview": "Interview",
        "section": "Section",
        "turn": "turn",
        "chars": "characters",
        "editor": "editor's text",
        "r_host": "host", "r_guest": "guest", "r_speaker": "speaker", "r_editor": "editor", "r_unknown": "unknown role",
    },
    "zh": {
        "title": "访谈实录问答",
        "subtitle": "询问受访者说过什么。每个回答都会引用所依据的访谈原文。",
        "lang": "语言",
        "chat": "对话",
        "input": "你的问题",
        "placeholder": "例如：李广密怎么谈 GPT-4 的成本",
        "send": "提问",
        "stop": "停止",
        "clear": "新对话",
        "examples": "示例",
        "sources": "来源",
        "sources_empty": "最新回答的来源会显示在这里。",
        "searched": "搜索：",
        "undo": "↶ 按原话搜索：",
        "closest": "无法回答：以下是找到的最接近的段落。",
        "pick": "打开来源",
        "open": "在原文中查看",
        "context_empty": "选择一个来源并点击“在原文中查看”，即可看到其前后的发言。",
        "filters": "筛选",
        "f_docs": "访谈（不选 = 全部）",
        "f_speakers": "发言人（不选 = 全部）",
        "upload": "添加访谈稿",
        "u_files": "访谈稿文件（.txt 或 .md，每个最多 {mb} MB）",
        "u_title": "标题（可选，仅限单个文件）",
        "u_speakers": "发言人（可选，用逗号分隔，例如 张三:host, 李四:guest）",
        "u_button": "上传并建立索引",
        "u_none": "请至少选择一个 .txt 或 .md 文件。",
        "u_type": "{name}：只接受 .txt 和 .md 格式的访谈稿。",
        "u_size": "{name}：{size} MB，超过 {mb} MB 的上限。",
        "u_exists": "{name}：已有同名访谈稿，请重命名文件。",
        "u_invalid": "{name}：无法作为访谈稿读取（{reason}）。",
        "u_failed": "建立索引失败，未添加任何内容：{reason}",
        "u_done": "已索引 {n} 个文件：{names}。它们已出现在筛选和回答中。",
        "u_busy": "正在建立索引",
        "phase_embed": "段落", "phase_sentences": "句子", "phase_keyword": "关键词索引",
        "mode_offline": "离线：从访谈原文中摘录回答",
        "mode_llm": "大模型：{model}（{host}）",
        "searching": "正在检索访谈稿…",
        "error": "回答时出错：{reason}",
        "notice": "提示",
        "unverified": "引文未在原文中逐字找到",
        "speaker": "发言人",
        "role": "身份",
        "interview": "访谈",
        "section": "章节",
        "turn": "第几段发言",
        "chars": "字符位置",
        "editor": "编者文字",
        "r_host": "主持人", "r_guest": "嘉宾", "r_speaker": "演讲者", "r_editor": "编者", "r_unknown": "身份未知",
    },
}


def lang_of(browser_language: str | None) -> Lang:
    """'zh', 'zh-CN', 'zh-Hant-TW' → zh; anything else (or nothing) → en."""
    return "zh" if (browser_language or "").strip().lower().startswith("zh") else "en"


def t(lang: str, key: str, **kw: object) -> str:
    table = STRINGS.get(lang, STRINGS["en"])
    text = table.get(key) or STRINGS["en"][key]
    return text.format(**kw) if kw else text


def role_name(lang: str, role: str | None) -> str:
    key = f"r_{role or 'unknown'}"
    return t(lang, key) if key in STRINGS["en"] else (role or t(lang, "r_unknown"))


def mode_labels(model: str | None, base_url: str | None) -> dict[str, str]:
    """The mode line in both languages; `model=None` means offline (no LLM configured)."""
    if model is None:
        return {lang: t(lang, "mode_offline") for lang in STRINGS}
    # Only the host: a base URL may carry a path or credentials that do not belong on screen.
    host = (urlparse(base_url).hostname if base_url else None) or "api.openai.com"
    return {lang: t(lang, "mode_llm", model=model, host=host) for lang in STRINGS}
