"""What a question asks for, which decides what is gathered to answer it:

- "narrow": who said what about a topic — the top passages (retrieval), as before;
- "summary": the main points of a person, of an interview, or of everything, maybe on a topic —
  the digests built at ingest (`bot.answer.overview`), never a refusal because one passage is
  not close enough;
- "compare": two or more people or interviews on a topic — each side's own best evidence, side
  by side (`bot.answer.compare`);
- "collection": what interviews there are — the library itself.

Offline by rule, in Chinese and English: cue words ("总结", "main points", "有什么不同", "有哪些访谈")
plus who or what the question names, resolved against the library (names and aliases, interview
titles, a person's or an organisation's interview), so it works for any names and titles. With an
LLM, a question in which the rules see a cue is classified by the LLM too (`prompts/kind.md`),
its answer checked against the library; anything unusable falls back to the rule.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from bot.text.normalize import cut_spans, normalize
from bot.text.tokenize import content_words

log = logging.getLogger(__name__)

KINDS = ("narrow", "summary", "compare", "collection")

# A summary whatever else the question holds ("总结一下闫俊杰关于成本的观点": on that topic).
_SUMMARY = re.compile(
    r"总结|概括|归纳|梳理|摘要|综述|概述|梗概|(的|主要|核心|几个|哪些)要点|要点(是|有)|主要(观点|看法|想法|内容|论点|思想|结论|议题)|"
    r"核心(观点|看法|内容|思想)|(观点|看法)(有哪些|是什么|都有什么)|讲(的)?(是|了)?(些)?什么(内容|话题)|"
    r"\bsummar(y|ies|i[sz]e[sd]?|i[sz]ing)\b|\b(main|key|core|central) (points?|ideas?|arguments?|takeaways?|"
    r"themes?|messages?|views?|claims?)\b|\boverview\b|\bgist\b|\btl;? ?dr\b|\bhighlights\b|\boutline\b|"
    r"\brecap\b|\bsum up\b")
# A summary only when nothing else is asked ("闫俊杰说了什么?"), else narrow ("…说了什么关于成本").
_ABOUT = re.compile(
    r"(讲|说|聊|谈|提|分享)(了|到|过)?(些|哪些)?(什么|啥|哪些)|(讲|说|聊|谈)了[^?？。]{0,30}?(哪些|什么)|(讲|说|聊|谈)(的)?(是)?(什么|啥)|是关于什么|关于什么|"
    r"有什么(内容|观点)|主题是什么|\bwhat (is|was|'s) .{1,120}? about\b|\bwhat (did|does|do) .{1,60}? "
    r"(say|talk about|speak about|discuss|cover)\b|\bwhat .{0,20}(topics|points)\b")
_COMPARE = re.compile(
    r"对比|比较|相比|区别|不同|差别|差异|异同|分歧|共识|一样|相同|一致|相似|相反|\bcompare[sd]?\b|"
    r"\bcomparison\b|\bcomparing\b|\bdiffer(s|ed|ent|ence|ences)?\b|\bcontrast\b|\bversus\b|\bvs\.?(?=\s)|"
    r"\bdisagree|\bagree\b|\bin common\b|\bsimilar|\bthe same\b")
_COLLECTION = re.compile(
    r"(有|收录了?|包含|包括|存了|存有)(哪些|什么|几个|几场|几篇|多少)(个|场|篇|位)?"
    r"(访谈|采访|对话|演讲|文章|资料|稿子|内容|人|嘉宾|受访者|发言人|讲者)|"
    r"哪(些|几)(个|场|篇|位)?(访谈|采访|对话|演讲|嘉宾|受访者|人|发言人)|(访谈|资料)(列表|清单|目录)|"
    r"都(有|采访了|访谈了)谁|(你|这里|这儿)(这里)?有(什么|哪些)|能问(些)?(什么|哪些)|几个访谈|多少(个|场)?访谈|"
    r"\b(which|what) (interviews|talks|transcripts|conversations|episodes|documents|people|speakers|guests)\b|"
    r"\blist (of )?(the |all )?(interviews|talks|transcripts|speakers|guests)\b|"
    r"\bhow many (interviews|talks|transcripts)\b|\bwhat('s| is) (in )?(here|the collection|the library|this "
    r"collection|available)\b|\bwhat do you have\b|\bwho (is|was|are|were) (interviewed|speaking|in)\b")
# Everything, as the scope of a summary ("总结一下这五个访谈", "summarize all the interviews").
_EVERYTHING = re.compile(
    r"(这|那)?(几|两|三|四|五|六|七|八|九|十|\d+|所有|全部|各|每)(个|场|篇|期|份|位)?(的)?"
    r"(访谈|采访|对话|演讲|文章|资料|内容|稿子|嘉宾|受访者|人)|这些(访谈|采访|对话|演讲|资料|内容|文章)|"
    r"(所有|全部)(的)?(内容|资料)|整个(资料库|库|集合)|\ball (the |of the |these |of these )?"
    r"(interviews|talks|transcripts|conversations)\b|\b(these|the|both|each) (interviews|talks|transcripts|"
    r"conversations)\b|\beach interview\b|\beverything\b|\bthe (whole )?collection\b")
# Words for an interview after a name: "闫俊杰的访谈", "出门问问的演讲", "Yan Junjie's interview".
_INTERVIEW_WORD = (r"\s*(?:的|'s|’s)?\s*(?:这|那)?(?:场|期|篇|次)?\s*(?:访谈|采访|专访|对话|演讲|分享|讲座|播客|节目|"
                   r"interview|talk|conversation|podcast|episode|speech)(?!者|嘉宾|人|er)")
# What frames a question about a person or interview, not its topic.
_FRAMING = set(
    "总结 概括 归纳 梳理 一下 请 请你 帮 帮我 我 给 你 能 能否 可以 一些 下 主要 核心 观点 看法 想法 内容 要点 是 "
    "什么 哪些 啥 的 了 里 中 在 上 访谈 采访 专访 对话 演讲 分享 节目 这个 那个 这些 那些 这 那 几个 个 讲 说 聊 "
    "谈 提 有 都 分别 各自 对 和 与 跟 及 以及 区别 不同 差异 差别 比较 对比 相比 异同 分歧 共识 一样 相同 整体 全部 "
    "所有 方面 大概 简单 简要 介绍 一 二 三 四 五 六 两 场 篇 期 位 人 嘉宾 之间 彼此 两人 两位 他们 有何 如何 怎样 "
    "怎么 怎么样 为何 吗 呢 呀 啊 吧 谈到 提到 说到 讲到 聊到 谈过 提过 认为 觉得 看 怎么看 "
    "summarize summarise summary summaries please can could you give me a an the of what is are was were main "
    "key core points point ideas takeaways overview gist about did does do say said says talk talked talks speak "
    "think thinks view views interview interviews and between how compare compared comparison differ difference "
    "differences different on in this that these those all his her their its him them they s tell list "
    "us vs versus contrast each other both with have has there here available exist exists "
    "详细 说说 讲讲 谈谈 展开 具体 为什么 为何 原因 why more detail details elaborate go "
    "这里 收录 包含 包括 目录 列表 清单 播客 节目 那期 这期 本期 一期 视频 文章 讲座 episode podcast show".split())


@dataclass
class QuestionKind:
    kind: str = "narrow"
    people: list[str] = field(default_factory=list)   # canonical speaker names, in question order
    docs: list[str] = field(default_factory=list)     # doc ids the question names as interviews
    everything: bool = False                          # the scope is the whole collection
    topic: str = ""                                   # what it is about, "" for a plain summary
    cue: bool = False                                 # the rules saw a non-narrow cue word
    source: str = "rule"                              # "rule" or "llm"

    def sides(self) -> list[tuple[str, str]]:
        """A comparison's sides in question order: ("person", name) or ("doc", doc id)."""
        return [("person", p) for p in self.people] + [("doc", d) for d in self.docs]


def _doc_mentions(q: str, library: Any) -> list[tuple[int, str, tuple[int, int]]]:
    """(position, doc id, span) of interviews the normalised question names: a 《title》, a
    distinctive piece of a title, or a person / organisation followed by a word for an interview."""
    found: list[tuple[int, str, tuple[int, int]]] = []
    titles = {d: normalize(doc.meta.title) for d, doc in library.docs.items()}
    for m in re.finditer(r"《([^》]{2,80})》", q):
        for d, t in titles.items():
            if m.group(1) in t or t in m.group(1):
                found.append((m.start(), d, m.span()))
    for d, t in titles.items():
        if len(t) >= 4 and t in q:
            found.append((q.index(t), d, (q.index(t), q.index(t) + len(t))))
            continue
        for piece in re.split(r"[\s:：,，、|｜—\-–!?！？()（）「」《》]+", t):
            long_enough = len(piece) >= 5 if not piece.isascii() else len(piece.split()) >= 3
            if long_enough and piece in q:
                found.append((q.index(piece), d, (q.index(piece), q.index(piece) + len(piece))))
    owners: dict[str, set[str]] = {}
    for e in library.speakers.values():
        for label in {e.name, *e.aliases, *([e.org] if e.org else [])}:
            owners.setdefault(normalize(label), set()).update(e.docs)
    for label, docs in owners.items():
        if len(label) < 2 or len(docs) != 1:
            continue
        pat = (rf"(?<![a-z]){re.escape(label)}(?![a-z])" if label.isascii() else re.escape(label)) + _INTERVIEW_WORD
        for m in re.finditer(pat, q):
            found.append((m.start(), next(iter(docs)), m.span()))
    out, seen = [], set()
    for pos, d, span in sorted(found):
        if d not in seen:
            seen.add(d)
            out.append((pos, d, span))
    return out


_ASKING = re.compile(r"哪些|哪个|什么样|什么|怎样|怎么样|怎么|如何|多少|是否|吗|呢|\b(what|which|how|whether)\b")


def topic_of(rest: str) -> str:
    """The topic words left in a question once names, scope and cue words are cut out, in the
    question's own words: "出门问问的演讲里讲了 Agent 的哪些方向" -> "agent 的方向"."""
    words = [t for t in content_words(rest) if t not in _FRAMING and re.search(r"\w", t)]
    # single characters alone are pieces of a word jieba does not know ("播客" -> 播 / 客), not a
    # topic; next to a word they belong to it ("多模态" -> 多 / 模态)
    if not any(len(w) > 1 for w in words):
        return ""
    first = min((rest.find(w) for w in words if rest.find(w) >= 0), default=-1)
    last = max((rest.rfind(w) + len(w) for w in words if rest.rfind(w) >= 0), default=-1)
    span = rest[first:last] if 0 <= first < last else " ".join(words)
    span = _ASKING.sub(" ", span)
    span = re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "", span)   # "的 方向" -> "的方向"
    return re.sub(r"\s+", " ", span).strip(" 的了吗呢?？,，.。")


def original_case(topic: str, question: str) -> str:
    """The topic with its Latin words as the question spells them ("Agent", not the index form)."""
    spelled = {w.lower(): w for w in re.findall(r"[A-Za-z][A-Za-z0-9.+\-]*", question)}
    return re.sub(r"[a-z][a-z0-9.+\-]*", lambda m: spelled.get(m.group(), m.group()), topic)


def recognise(question: str, library: Any, filters: Any = None) -> QuestionKind:
    """The question's kind by rule. Without a library everything is narrow."""
    if library is None:
        return QuestionKind()
    q = normalize(question)
    docs = _doc_mentions(q, library)
    doc_spans = [span for _, _, span in docs]
    people_spans: list[tuple[int, int]] = []
    people: list[str] = []
    for name, span in library.mentions(question):
        if span and any(s <= span[0] < e for s, e in doc_spans):
            continue   # "闫俊杰的访谈" names the interview, not the person
        people.append(name)
        if span:
            people_spans.append(span)
    # A person whose only interview is also named counts once, as the person.
    doc_ids = [d for _, d, _ in docs]
    everything = _EVERYTHING.search(q)
    cues = {name: rx.search(q) for name, rx in
            (("summary", _SUMMARY), ("about", _ABOUT), ("compare", _COMPARE), ("collection", _COLLECTION))}
    # Cue words are framing words (dropped by topic_of); cutting whole cue matches would take the
    # topic inside "讲了 Agent 的哪些方向" with them.
    topic = original_case(topic_of(cut_spans(q, doc_spans + people_spans + ([everything.span()] if everything else []))),
                          question)
    kind = QuestionKind(people=people, docs=doc_ids, everything=bool(everything) and not people and not doc_ids,
                        topic=topic, cue=any(cues.values()) or bool(everything))
    filtered_docs = list(getattr(filters, "docs", []) or [])
    if cues["compare"] and len(people) + len(doc_ids) >= 2:
        kind.kind = "compare"
    elif cues["collection"] and not topic and not people and not doc_ids:
        kind.kind = "collection"
    elif cues["summary"] or (cues["about"] and (not topic or doc_ids)):
        # A person and a topic without a summary word stays narrow: "闫俊杰说了什么关于成本的" is
        # who-said-what, where retrieval also checks the person discusses it at all.
        kind.kind = "summary"
        if not people and not doc_ids:
            if filtered_docs:
                kind.docs = filtered_docs
            else:
                kind.everything = True
    return kind


def classify(question: str, library: Any, filters: Any = None, llm: Any = None, prompt: Any = None,
             redact: Any = None) -> QuestionKind:
    """The kind by rule; with an LLM (and its `prompt`, `prompts/kind.md`), the LLM decides where
    the rule saw a cue and no topic, or a kind other than narrow. The LLM's answer is checked
    against the library; when it fails or says something unusable, the rule's kind stands."""
    kind = recognise(question, library, filters)
    if llm is None or prompt is None or library is None or not (kind.kind != "narrow" or (kind.cue and not kind.topic)):
        return kind
    from bot.answer.llm_errors import LLMError
    from bot.answer.prompts import data_text

    clean = redact or (lambda text: text)
    messages = prompt.messages(library=data_text(kind_context(library)), question=data_text(clean(question)))
    try:
        return parse_llm_kind(llm.complete(messages), library, kind) or kind
    except LLMError as exc:
        log.warning("kind recognition by the LLM failed (%s); the rule's kind is used", exc)
        return kind


def library_names(library: Any) -> set[str]:
    """Every name and alias of the library's people."""
    if library is None:
        return set()
    return {label for e in library.speakers.values() for label in (e.name, *e.aliases) if label}


def kind_context(library: Any) -> str:
    """The people and interviews the LLM may name, for `prompts/kind.md`."""
    lines = ["People:"]
    for e in library.speakers.values():
        also = f" (also: {', '.join(sorted(e.aliases))})" if e.aliases else ""
        org = f", {e.org}" if e.org else ""
        lines.append(f"- {e.name}{also}: {e.role}{org}")
    lines.append("Interviews:")
    lines.extend(f"- {d}: {doc.meta.title}" for d, doc in sorted(library.docs.items()))
    return "\n".join(lines)


def parse_llm_kind(raw: str, library: Any, rule: QuestionKind) -> QuestionKind | None:
    """The LLM's JSON verdict checked against the library; None when unusable."""
    m = re.search(r"\{.*\}", raw or "", re.S)
    try:
        data = json.loads(m.group()) if m else None
    except ValueError:
        data = None
    if not isinstance(data, dict) or data.get("kind") not in KINDS:
        return None
    names = {normalize(label): e.name for e in library.speakers.values() for label in {e.name, *e.aliases}}
    people = [names[normalize(str(p))] for p in data.get("people") or [] if normalize(str(p)) in names]
    titles = {normalize(doc.meta.title): d for d, doc in library.docs.items()}
    docs = [d for d in (str(x) if str(x) in library.docs else titles.get(normalize(str(x)), "")
                        for x in data.get("interviews") or []) if d]
    out = QuestionKind(kind=data["kind"], people=list(dict.fromkeys(people)), docs=list(dict.fromkeys(docs)),
                       everything=bool(data.get("everything")), topic=str(data.get("topic") or "").strip(),
                       cue=True, source="llm")
    if out.kind == "compare" and len(out.sides()) < 2:
        return None
    if out.kind == "summary" and not (out.people or out.docs):
        out.everything = True
    return out
