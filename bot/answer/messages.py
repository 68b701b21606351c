"""Everything the chat engine says to the user, in Chinese and English.

Retrieval refuses with a reason code (`Retrieval.reason`); `reason_text` words it here.
"""

from __future__ import annotations

from typing import Any

from bot.schema import Passage, Retrieval
from bot.text.lang import Lang, split_sentences

MSG = {
    "zh": {
        "refuse": "这些访谈没有谈到这个问题。", "closest": "最接近的段落:", "searching": "正在检索访谈…",
        "recorded": "{where}的转录没有标出说话人:以下段落出自{names}参与的录音,不一定是{names}本人的话。",
        "maybe_same": "{named}本人的发言没有直接谈到这一点;{other} 谈到了,其姓氏是{named}的姓的拼音,两人可能是同一个人。",
        "and": "、", "list": "、",
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
        "reason_no_figure": "访谈谈到了相关话题,但没有给出这个数字。",
        "reason_unknown_term": "没有一篇提到过“{term}”。",
        # question kinds (bot.answer.kinds): summaries, comparisons, the collection, follow-ups
        "recognising": "正在理解问题…", "reading_digest": "正在读取访谈摘要…", "comparing": "正在分别检索各方…",
        "opening": "开场", "everything": "全部访谈",
        "person_points": "{who}在《{title}》中的主要观点(原话,按章节):",
        "doc_points": "《{title}》({who})的要点(原话,按章节):", "doc_brief": "《{title}》({who}):",
        "all_points": "{n} 场访谈的要点(每场几句原话):",
        "more_interviews": "(另有 {n} 场访谈未列出;问其中一场可得它的要点。)",
        "summary_of": "(要总结的对象:{about})",
        "no_digest": "这些访谈还没有可用的摘要;请重新运行 `python -m ingest` 生成。",
        "topic_points": "{scope}中关于 {topic} 的内容(原话,按出现顺序):",
        "topic_absent": "{scope}没有谈到 {topic}。",
        "compare_head": "关于 {topic},各方的说法(原话):", "their_views": "各自的主要观点",
        "side_absent": "没有谈到这一点。", "none_discuss": "被比较的各方都没有谈到这一点。",
        "absent_sides": "(没有谈到这一点的一方:{who})",
        "collection": "这里收录了 {n} 场访谈:",
        "collection_item": "日期:{date};发言人:{who};约 {chars} 字,{turns} 段发言",
        "sections": "章节:", "no_date": "未注明", "inferred": "推断:",
        "role_host": "主持人", "role_guest": "嘉宾", "role_speaker": "演讲者",
        "no_more": "前面的回答已经引用了找到的相关原话,没有更多新的内容了。",
    },
    "en": {
        "refuse": "These interviews don't cover that.", "closest": "Closest passages:",
        "recorded": "The transcript of {where} does not mark speakers: the passages below come from a recording "
                    "{names} took part in and are not necessarily {names}'s own words.",
        "maybe_same": "{named} does not discuss this directly; {other} does, whose surname is {named}'s in "
                      "pinyin: they may be the same person.",
        "and": " and ", "list": ", ",
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
        "reason_no_figure": "The interviews touch on this but give no such figure.",
        "reason_unknown_term": "None of them mentions “{term}”.",
        "recognising": "Reading the question…", "reading_digest": "Reading the interview digests…",
        "comparing": "Searching each side…",
        "opening": "Opening", "everything": "all interviews",
        "person_points": "{who}'s main points in «{title}» (verbatim, by section):",
        "doc_points": "The main points of «{title}» ({who}), verbatim, by section:",
        "doc_brief": "«{title}» ({who}):",
        "all_points": "The main points of the {n} interviews (a few quotes each):",
        "more_interviews": "({n} more interviews not listed; ask about one of them for its points.)",
        "summary_of": "(What to summarise: {about})",
        "no_digest": "No digests are available yet; run `python -m ingest` to build them.",
        "topic_points": "What {scope} says about {topic} (verbatim, in order):",
        "topic_absent": "{scope} does not discuss {topic}.",
        "compare_head": "On {topic}, each side in their own words:", "their_views": "their main points",
        "side_absent": "did not discuss this.", "none_discuss": "None of them discusses it.",
        "absent_sides": "(Sides that do not discuss it: {who})",
        "collection": "There are {n} interviews here:",
        "collection_item": "Date: {date}; speakers: {who}; about {chars} characters, {turns} turns",
        "sections": "Sections: ", "no_date": "not stated", "inferred": "inferred: ",
        "role_host": "host", "role_guest": "guest", "role_speaker": "speaker",
        "no_more": "The previous answer already quoted what was found on this; there is nothing new to add.",
    },
}


def reason_text(retrieval: Retrieval, lang: Lang) -> str | None:
    """The words for retrieval's reason code, or None when it gave none."""
    if not retrieval.reason:
        return None
    template = MSG[lang].get(f"reason_{retrieval.reason}")
    return template.format(speaker=retrieval.speaker or "", term=retrieval.missing or "") if template else None


def refusal_text(passages: list[Passage], reason: str | None, lang: Lang, opening: str | None = None) -> str:
    """The refusal: what is missing (the model's own words, if it refused), why (retrieval's
    reason), and the closest passages. A reason stands in for the general "these interviews don't
    cover that", which would contradict it ("they touch on this but give no such figure")."""
    m = MSG[lang]
    said = [t.strip() for t in (opening, reason) if t and t.strip()]
    text = " ".join(said) or m["refuse"]
    if passages:
        lines = [m["closest"]]
        for p in passages[:3]:
            spans = split_sentences(p.text)
            first = p.text[spans[0][0] : spans[0][1]] if spans else p.text
            first = first if len(first) <= 80 else first[:80] + "…"
            who = p.speaker or (m["unmarked"] if p.unmarked else m["editor"])
            lines.append(f"- {who}《{p.title}》:{first}" if lang == "zh" else f"- {who}, «{p.title}»: {first}")
        text += "\n\n" + "\n".join(lines)
    return text


def recorded_caveat(recorded: dict[str, list[str]], library: Any, lang: Lang) -> str:
    """What an answer about people in unmarked recordings must say: the words quoted are from
    the recording, not marked as theirs."""
    m = MSG[lang]
    titles = sorted({library.docs[d].meta.title for ds in recorded.values() for d in ds if d in library.docs})
    return m["recorded"].format(names=m["and"].join(recorded), where=m["list"].join(
        (f"《{t}》" if lang == "zh" else f"«{t}»") for t in titles))
