"""Everything the chat engine says to the user, in Chinese and English.

Retrieval refuses with a reason code (`Retrieval.reason`); `reason_text` words it here.
"""

from __future__ import annotations

from bot.schema import Retrieval
from bot.text.lang import Lang

MSG = {
    "zh": {
        "refuse": "这些访谈没有谈到这个问题。", "closest": "最接近的段落:", "searching": "正在检索访谈…",
        "condensing": "正在理解追问…", "writing": "正在撰写回答…",
        "fallback": "大模型暂不可用({err});以下是从访谈原文中摘录的回答。",
        "dropped": "已删除指向不存在段落的引用标记:{nums}。",
        "unverified": "有 {k} 处引文在所引段落中找不到,已标记“⚠未核实”。",
        "retrieval_failed": "检索失败:{err}", "editor": "编者", "unmarked": "未标明说话人", "thinking": "模型正在思考…",
        "filtered": "大模型的内容审核拦下了这个回答;以下是从访谈原文中摘录的回答。",
        "cut": "回答在模型的长度上限处被截断,后面的内容缺失。", "cut_tag": "……(回答被截断)",
        "hello": "你好!我回答关于这些访谈的问题,回答里的每一句都引用原话,注明是谁、在哪场访谈里说的。"
                 "可以问某人怎么看某个话题、某个数字是多少,或者比较两场访谈的说法。",
        "interviews": "现有的访谈:", "welcome": "不客气!还有想问的,随时问。",
        "not_in_docs": "{names}不在你选择的访谈里。要问他们,请在筛选里加上他们的访谈,或清除筛选。",
        "not_in_speakers": "{names}不在你选择的发言人里(已选:{chosen})。要问他们,请在筛选里加上或清除筛选。",
        "reason_speaker_absent": "{speaker} 在这些访谈里没有谈到这一点;其他人谈到过,见下方最接近的段落。",
    },
    "en": {
        "refuse": "These interviews don't cover that.", "closest": "Closest passages:",
        "searching": "Searching the transcripts…", "condensing": "Reading the follow-up…",
        "writing": "Writing the answer…",
        "fallback": "LLM unavailable ({err}); showing an extractive answer from the transcripts.",
        "dropped": "Removed citation markers that point to no passage: {nums}.",
        "unverified": "{k} quotation(s) could not be found in the cited passages and are marked ⚠unverified.",
        "retrieval_failed": "Search failed: {err}", "editor": "editor", "unmarked": "speakers not marked", "thinking": "The model is thinking…",
        "filtered": "The LLM's content filter stopped this answer; showing an extractive answer from the transcripts.",
        "cut": "The answer was cut off at the model's length limit; the rest is missing.",
        "cut_tag": "… (answer cut off)",
        "hello": "Hello! I answer questions about these interviews, quoting what was said and who said it, "
                 "in which interview. Ask what someone thinks about a topic, for a figure, or how two "
                 "interviews compare.",
        "interviews": "The interviews:", "welcome": "You're welcome! Ask another question any time.",
        "not_in_docs": "{names} is not in the interviews you selected. Add their interview to the filters, "
                       "or clear the filters, to ask about them.",
        "not_in_speakers": "{names} is not among the speakers you selected ({chosen}). Add them to the "
                           "filters, or clear the filters, to ask about them.",
        "reason_speaker_absent": "{speaker} does not discuss this in these interviews; others do "
                                 "(closest passages below).",
    },
}


def reason_text(retrieval: Retrieval, lang: Lang) -> str | None:
    """The words for retrieval's reason code, or None when it gave none."""
    if not retrieval.reason:
        return None
    template = MSG[lang].get(f"reason_{retrieval.reason}")
    return template.format(speaker=retrieval.speaker or "") if template else None
