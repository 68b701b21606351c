"""The extractive answer, used when there is no LLM (or it failed): the passages' own best
sentences, grouped by speaker, each quoted verbatim with its `[n]` marker.

Quotes are exact substrings of `Passage.text`, so `bot.answer.citations` finds them again and the
citation offsets point at exactly the quoted words. Scoring (also used by `bot.answer.citations` to pick
a passage's best sentence for a claim) runs on simplified, lower-cased text: jieba words plus
character bigrams, weighted by how rare they are among the candidate sentences.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.schema import Passage
from bot.settings import AnswerParams
from bot.text.lang import Lang, cjk_count, detect_lang, norm, simplify, split_sentences
from bot.text.tokenize import segmenter

log = logging.getLogger(__name__)

_ASCII_TERM = re.compile(r"[a-z0-9][a-z0-9.+\-]*[a-z0-9]|[a-z]")
_STOP = set(
    "的 了 是 在 和 与 及 或 吗 呢 吧 啊 么 呀 嘛 什么 怎么 怎样 如何 为什么 为何 哪些 哪个 哪 谁 "
    "他 她 它 他们 她们 它们 我们 你们 我 你 您 这 那 这个 那个 这些 那些 这样 那样 有 没有 会 能 "
    "要 对 也 都 就 还 又 说 说过 认为 觉得 看 看法 观点 谈 谈到 讲 讲到 提到 一个 一些 之 其 "
    "被 把 给 从 到 上 中 里 下 等 如果 但是 可以 是否 多少 多大 多久 多长 怎么样 哪里 以及 关于 怎么看 如何看待 "
    "a an the of to in on at for and or is are was were be been do does did what which who whom "
    "why how when where about say says said think thinks thought according his her their he she "
    "they it its this that these those with by from as than then there any some".split()
)
# English question words -> the Chinese the transcripts use, so an English question still finds
# Chinese sentences offline (the LLM does this properly; this is the fallback's best effort).
_GLOSSARY = {
    "cost": "成本", "costs": "成本", "price": "价格", "pricing": "定价", "expensive": "贵", "cheap": "便宜",
    "train": "训练", "training": "训练", "trained": "训练", "inference": "推理", "reasoning": "推理",
    "model": "模型", "models": "模型", "data": "数据", "compute": "算力", "chip": "芯片", "chips": "芯片",
    "gpu": "卡", "gpus": "卡", "talent": "人才", "talents": "人才", "researcher": "研究", "research": "研究",
    "open": "开源", "opensource": "开源", "multimodal": "多模态", "multimodality": "多模态",
    "video": "视频", "image": "图像", "images": "图像", "voice": "语音", "speech": "语音",
    "agent": "agent", "agents": "agent", "robot": "机器人", "robots": "机器人", "robotics": "机器人",
    "phone": "手机", "phones": "手机", "device": "端侧", "edge": "端侧", "hardware": "硬件",
    "china": "中国", "chinese": "国内", "us": "美国", "america": "美国", "gap": "差距", "difference": "区别",
    "funding": "融资", "fundraising": "融资", "investment": "投资", "investor": "投资", "invest": "投资",
    "business": "商业", "revenue": "收入", "user": "用户", "users": "用户", "product": "产品",
    "products": "产品", "application": "应用", "applications": "应用", "app": "应用", "apps": "应用",
    "search": "搜索", "startup": "创业", "startups": "创业", "giant": "巨头", "giants": "巨头",
    "competition": "竞争", "race": "竞赛", "barrier": "壁垒", "moat": "壁垒", "threshold": "门槛",
    "difficult": "难", "hard": "难", "replicate": "复刻", "reproduce": "复现", "catch": "追赶",
    "future": "未来", "next": "下一代", "generation": "代", "efficiency": "效率", "ecosystem": "生态",
    "parameter": "参数", "parameters": "参数", "scaling": "scale", "experiment": "实验", "experiments": "实验",
    "energy": "能耗", "brain": "大脑", "sparse": "稀疏", "translation": "翻译", "privacy": "隐私",
    "assistant": "助手", "entertainment": "娱乐", "commercial": "商业化", "valuation": "估值",
}


def terms(text: str) -> set[str]:
    """Content words of a question or sentence: jieba words, ASCII terms like 'gpt-4'."""
    jieba = segmenter()
    low = simplify(text).lower()
    found = set()
    for t in _ASCII_TERM.findall(low):
        if t not in _STOP:
            found.add(_GLOSSARY.get(t, t))   # an English word never matches Chinese text itself
    for w in jieba.lcut(low):
        w = w.strip()
        # ASCII words came whole from the regex above ("gpt-4", not "gpt" and "4").
        if w and w not in _STOP and not w.isascii() and re.search(r"\w", w):
            found.add(w)
    return found


def bigrams(text: str) -> set[str]:
    low = simplify(text)
    out: set[str] = set()
    for run in re.findall(r"[\u3400-\u9fff\uf900-\ufaff]{2,}", low):
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    return out


@dataclass
class Scored:
    n: int            # 1-based passage number
    start: int        # offsets into passage.text
    end: int
    text: str
    score: float


def score_sentences(query: str, passages: list[Passage], sentences: list[Scored] | None = None,
                    host_weight: float = 0.8) -> list[Scored]:
    """Every sentence of `passages` scored against `query` (best first). Query words that occur in
    every sentence count less (an IDF over the candidates), longer words count more."""
    if sentences is None:
        sentences = [
            Scored(n, s, e, p.text[s:e], 0.0)
            for n, p in enumerate(passages, 1)
            for s, e in split_sentences(p.text)
        ]
    if not sentences:
        return []
    q_terms, q_bi = terms(query), bigrams(query)
    # A speaker's name in the question picks whose sentences to prefer (below); it is not a word
    # to find in their sentences, where people rarely say their own name.
    names = {simplify(p.speaker) for p in passages if p.speaker and simplify(p.speaker) in simplify(query)}
    q_terms = {t for t in q_terms if not any(t in nm for nm in names)}
    q_bi = {b for b in q_bi if not any(b in nm for nm in names)}
    normed = [simplify(x.text).lower() for x in sentences]
    total = len(sentences)

    def idf(tok: str) -> float:
        df = sum(1 for s in normed if tok in s)
        return math.log(1 + total / (1 + df)) if df else 0.0

    weights = {t: min(len(t), 4) * idf(t) for t in q_terms}
    bi_w = {b: idf(b) for b in q_bi}
    w_sum = sum(min(len(t), 4) * math.log(1 + total) for t in q_terms) or 1.0
    b_sum = sum(math.log(1 + total) for _ in q_bi) or 1.0
    named = {p.speaker for p in passages if p.speaker and simplify(p.speaker) in simplify(query)}
    for x, low in zip(sentences, normed, strict=True):
        term_score = sum(w for t, w in weights.items() if t in low) / w_sum
        bi_score = sum(w for b, w in bi_w.items() if b in low) / b_sum
        p = passages[x.n - 1]
        score = 0.6 * term_score + 0.4 * bi_score
        score *= 1.0 + 0.15 * (1 - (x.n - 1) / max(1, len(passages)))   # retrieval rank as a prior
        if p.role == "host":
            score *= host_weight    # a host's question is context, not an answer
        if _is_question(x.text):
            score *= 0.5
        if len(low) < 10:
            score *= 0.5            # "我觉得最重要的几个:" says nothing on its own
        if named:
            score *= 1.3 if p.speaker in named else 0.6
        x.score = score
    return sorted(sentences, key=lambda s: -s.score)


def _is_question(text: str) -> bool:
    return text.rstrip("”」』）) ").endswith(("?", "？"))


@dataclass
class Extract:
    text: str
    picks: list[Scored]


def _blend(scored: list[Scored], passages: list[Passage], semantic: dict[str, list[tuple[int, int, float]]],
           share: float, host_weight: float) -> list[Scored]:
    """Mix each sentence's word score with the cosine of the stored sentence vector it falls in
    (`share` of the result).
    Both are rescaled to 0..1 over the candidates: e5 cosines all sit within a narrow band."""
    sims: list[float | None] = []
    for x in scored:
        spans = semantic.get(passages[x.n - 1].node_id, ())
        sims.append(max((c for s, e, c in spans if s < x.end and x.start < e), default=None))
    known = [c for c in sims if c is not None]
    if len(known) < 2 or max(known) == min(known):
        return scored
    lo, hi = min(known), max(known)
    top = max(x.score for x in scored) or 1.0
    for x, c in zip(scored, sims, strict=True):
        near = 0.0 if c is None else (c - lo) / (hi - lo)
        # the same discounts as the word score: a host's words and questions are context
        near *= (host_weight if passages[x.n - 1].role == "host" else 1.0) * (0.5 if _is_question(x.text) else 1.0)
        x.score = (1 - share) * x.score / top + share * near
    return sorted(scored, key=lambda s: -s.score)


# Sentences with this little in them ("我同意。", "对。", "Right.") say nothing on their own:
# CJK characters plus twice the Latin words must reach this.
FILLER_SIZE = 8
_LATIN = re.compile(r"[A-Za-z]+")
_END_MARKS = set("。！？!?；;.…")
_CLOSING = set("”’」』）)】\"'")


def is_filler(text: str) -> bool:
    return cjk_count(text) + 2 * len(_LATIN.findall(text)) < FILLER_SIZE


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Whole sentences of `text`: `split_sentences` cuts long ones at commas into pieces; a quote
    must not start or stop mid-clause, so the pieces of one sentence are joined again."""
    merged: list[tuple[int, int]] = []
    for a, b in split_sentences(text):
        if merged and not _ends_sentence(text, merged[-1][1]):
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


def _ends_sentence(text: str, end: int) -> bool:
    rest = text[end:]
    if not rest.strip() or rest.lstrip(" \t").startswith("\n"):
        return True
    k = end - 1
    while k >= 0 and text[k] in _CLOSING:
        k -= 1
    return k >= 0 and text[k] in _END_MARKS


def _whole(cand: Scored, passages: list[Passage], spans: dict[int, list[tuple[int, int]]]) -> Scored:
    """The whole sentence of the passage that contains the scored piece."""
    text = passages[cand.n - 1].text
    if cand.n not in spans:
        spans[cand.n] = sentence_spans(text)
    a, b = next(((a, b) for a, b in spans[cand.n] if a <= cand.start < b), (cand.start, cand.end))
    return Scored(cand.n, a, max(b, cand.end), text[a:max(b, cand.end)], cand.score)


def pick_sentences(question: str, passages: list[Passage], params: AnswerParams, host_weight: float,
                   semantic: dict[str, list[tuple[int, int, float]]] | None = None,
                   skip: Callable[[str], bool] | None = None) -> list[Scored]:
    """The best whole sentences for the question: scored piece by piece, quoted whole. `skip`:
    sentences not to quote (a follow-up's "tell me more" skips what was quoted)."""
    scored = score_sentences(question, passages, host_weight=host_weight)
    if skip is not None:
        scored = [x for x in scored if not skip(x.text)]
    if not scored:
        return []
    if semantic:
        scored = _blend(scored, passages, semantic, params.semantic_share, host_weight)
    # Questions (mostly the host's) are context, not answers: quote one only as a last resort.
    ranked = [s for s in scored if not _is_question(s.text)] or scored
    best = ranked[0].score
    picks: list[Scored] = []
    seen: list[tuple[str, set[str]]] = []
    spans: dict[int, list[tuple[int, int]]] = {}
    for cand in ranked:
        if len(picks) >= params.max_sentences:
            break
        weak = cand.score <= 0 or cand.score < params.keep_ratio * best
        if weak and (len(picks) >= 2 or cand.score <= 0):
            break
        whole = _whole(cand, passages, spans)
        if is_filler(whole.text) or _names_title(whole.text, passages[whole.n - 1].title) \
                or any(p.n == whole.n and p.start == whole.start for p in picks):
            continue   # says nothing, or only restates the interview's title ("今天分享的主题是《…》")
        key, bi = norm(whole.text), bigrams(whole.text)
        if any(key in k or k in key or (bi and len(bi & b) / len(bi | b) > 0.7) for k, b in seen):
            continue   # the same words again (overlapping chunks, repeated titles)
        if picks and sum(len(p.text) for p in picks) + len(whole.text) > params.max_chars:
            continue
        picks.append(whole)
        seen.append((key, bi))
    if not picks:
        # Nothing overlaps the question: the retriever still ranked passage 1 first, so show its
        # opening sentence rather than nothing.
        first = [s for s in ranked if s.n == 1] or ranked
        picks = [_whole(min(first, key=lambda s: (s.n, s.start)), passages, spans)]
    return picks


def _names_title(text: str, title: str) -> bool:
    t = norm(title)
    return len(t) >= 8 and t in norm(text)


def _q(text: str) -> str:
    """Quote marks that do not clash with quote marks inside the quoted sentence."""
    if "“" in text or "”" in text:
        return f"「{text}」" if "「" not in text and "」" not in text else f"『{text}』"
    return f"“{text}”"


def short_title(title: str, limit: int = 16) -> str:
    """A name for an interview short enough to repeat: the part of its title before the colon
    ("拾象科技李广密:硅谷大模型的融资…" -> "拾象科技李广密"), cut further when still long."""
    full = " ".join((title or "").split())
    head = re.split(r"\s*[:：|｜]\s*|\s+[-—–]\s+", full, maxsplit=1)[0]
    if len(head) > limit:
        head = re.split(r"[、,，;；]", head, maxsplit=1)[0]
    if len(head) > limit + 4:
        head = head[:limit].rstrip() + "…"
    return head or full[:limit]


_ROLES = {"zh": {"host": "主持人", "guest": "嘉宾", "speaker": "演讲者"},
          "en": {"host": "host", "guest": "guest", "speaker": "speaker"}}


def _intro(p: Passage, lang: Lang) -> str:
    """Who is quoted, on what footing, in which interview: "李广密(嘉宾,《拾象科技李广密》):"."""
    name = short_title(p.title)
    editor = p.speaker is None and p.kind != "speech"
    if p.unmarked:   # raw ASR: the words are quoted, credited to nobody
        return (f"《{p.title}》(转录未标明说话人)中说:" if lang == "zh"
                else f"In «{p.title}» (the transcript does not mark speakers): ")
    role = _ROLES[lang].get(p.role)
    if lang == "zh":
        if editor:
            return f"编者按(《{name}》):"
        return _with(p.speaker or "演讲者", [role, f"《{name}》"], ",") + ":"
    if editor:
        return f"{'Editors’ summary' if p.kind == 'summary' else 'Editors’ note'} («{name}»): "
    return _with(p.speaker or "The speaker", [role, f"«{name}»"], ", ", " ") + ": "


def _with(who: str, extras: list[str | None], sep: str, space: str = "") -> str:
    """"李广密" + (嘉宾, 《…》) -> "李广密(嘉宾,《…》)"; a name that already ends in a bracket
    ("演讲者(未具名,出门问问)") takes the extras inside it, and a role it already says is dropped."""
    bits = [x for x in extras if x and x not in who]
    if not bits:
        return who
    if who.endswith((")", "）")) and ("(" in who or "（" in who):
        return f"{who[:-1]}{sep}{sep.join(bits)}{who[-1]}"
    return f"{who}{space}({sep.join(bits)})"


def extractive_answer(question: str, passages: list[Passage], lang: Lang | None = None,
                      max_sentences: int | None = None,
                      semantic: dict[str, list[tuple[int, int, float]]] | None = None,
                      params: AnswerParams | None = None, host_weight: float = 0.8,
                      skip: Callable[[str], bool] | None = None) -> Extract:
    """An answer made of the passages' best whole sentences, quoted verbatim with [n] markers:
    one line per speaker (and interview), naming their role and the interview once.
    `semantic`: Retrieval.sentence_scores, when the store has sentence vectors; `params` and
    `host_weight` come from Settings (`max_sentences` overrides params.max_sentences)."""
    lang = lang or detect_lang(question)
    params = params or AnswerParams()
    if max_sentences is not None:
        params = params.model_copy(update={"max_sentences": max_sentences})
    picks = pick_sentences(question, passages, params, host_weight, semantic, skip)
    groups: dict[tuple[str | None, str, str], list[Scored]] = {}
    for s in picks:   # dicts keep insertion order: the group of the best sentence comes first
        p = passages[s.n - 1]
        groups.setdefault((p.speaker, p.doc_id, p.kind if p.speaker is None else "speech"), []).append(s)
    lines = []
    for group in groups.values():
        sep = "" if lang == "zh" else " "
        quotes = " ".join(f"{_q(s.text)}{sep}[{s.n}]" for s in group)
        lines.append(_intro(passages[group[0].n - 1], lang) + quotes)
    return Extract(text="\n".join(lines), picks=picks)
