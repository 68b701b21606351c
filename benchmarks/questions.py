"""The questions the benchmarks ask, by kind: narrow (the golden set's), summaries, comparisons
and follow-ups (a question, then one that only makes sense after it). Written about the seeds;
over the synthetic stores (made of the seeds' words, same speakers) they cost what they would
cost over a real store of that size."""

from __future__ import annotations

from benchmarks.common import golden_questions

SUMMARIES = [
    "总结一下李广密在访谈里的主要观点",
    "闫俊杰这次访谈主要讲了什么?",
    "李大海的访谈有哪些要点?",
    "出门问问的演讲分哪几部分,各讲了什么?",
    "Summarize what Xuezhi Wang said in the interview.",
    "What is the interview with Yan Junjie about?",
]
COMPARISONS = [
    "李广密和闫俊杰对大模型成本的看法有什么不同?",
    "李大海和李广密怎么看开源模型?",
    "闫俊杰和出门问问的演讲者对 Agent 的看法一样吗?",
    "Compare what Yiwen Li and Xuezhi Wang say about multimodal models.",
]
FOLLOWUPS = [   # (first question, its follow-up)
    ("李广密怎么看GPT-4的训练成本?", "他还说了什么?"),
    ("闫俊杰为什么选择MoE?", "为什么?"),
    ("面壁智能的端侧模型有什么优势?", "能具体说说吗?"),
    ("What does Xuezhi Wang say about chain of thought?", "What else did she say?"),
]


def narrow() -> list[str]:
    return [q["question"] for q in golden_questions()]


def mixed() -> list[dict]:
    """One list of {kind, question, history} for the load: 12 answerable golden questions (every
    fourth: facts, who-said-what, English, two interviews, traditional script), the summaries,
    comparisons and follow-ups (a follow-up's "first" is asked before it, its answer the history)."""
    answerable = [q["question"] for q in golden_questions() if not q.get("should_refuse")]
    out: list[dict] = [{"kind": "narrow", "question": q, "history": None} for q in answerable[::4][:12]]
    out += [{"kind": "summary", "question": q, "history": None} for q in SUMMARIES]
    out += [{"kind": "comparison", "question": q, "history": None} for q in COMPARISONS]
    out += [{"kind": "follow-up", "question": f, "first": q, "history": None} for q, f in FOLLOWUPS]
    return out


def history_for(first: str, answer: str) -> list[dict]:
    return [{"role": "user", "content": first}, {"role": "assistant", "content": answer}]
