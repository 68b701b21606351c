"""Suggested follow-up questions, built from what the answer's evidence covers, never invented:
the people it quotes (their main points), others whose passages came up on the same topic (how
they differ), and the words those passages dwell on that the question did not ask about (what
the person says about them). Worded in the question's language, at most `limit`.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from typing import Any

from bot.answer.gather import latin_alias, mentions_topic
from bot.answer.kinds import QuestionKind, library_names
from bot.schema import Answer
from bot.text.lang import Lang, simplify
from bot.text.names import is_placeholder
from bot.text.stopwords import is_stopword
from bot.text.tokenize import segmenter

_NOUN = ("n", "nz", "ns", "nt", "vn")
# Latin terms whole ("RT-2", "GPT-4o", "Llama"), where jieba would cut "RT" off: a capital or a digit
_LATIN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*(?![A-Za-z0-9])")
_VAGUE = set("问题 东西 事情 时候 方面 情况 方式 能力 公司 产品 模型 大家 时间 领域 时代 事 人 感觉 角度 地方 部分 "
             "过程 阶段 层面 意义 价值 目标 结果 原因 一点 这件 那件 东西".split())

TEMPLATES = {
    "zh": {"points": "总结一下{who}的主要观点", "says": "{who}怎么看{term}?",
           "differ": "{a}和{b}对{term}的看法有什么不同?", "doc": "总结一下《{title}》", "all": "有哪些访谈?"},
    "en": {"points": "Summarize {who}'s main points", "says": "What does {who} say about {term}?",
           "differ": "How do {a} and {b} differ on {term}?", "doc": "Summarize «{title}»",
           "all": "What interviews are there?"},
}


_warming: threading.Thread | None = None


def warm_tagger() -> None:
    """Load jieba's part-of-speech tables (1.5 s on first use, measured) in a background thread,
    once per process, so the first answer's suggestions do not wait for them."""
    global _warming
    if _warming is None:
        def load() -> None:
            import jieba.posseg

            segmenter()
            list(jieba.posseg.cut("预热", HMM=False))

        _warming = threading.Thread(target=load, daemon=True, name="pos-tagger-warm-up")
        _warming.start()


def display_name(library: Any, name: str, lang: Lang) -> str:
    """An English question uses the first Latin alias the manifest lists ("Yan Junjie")."""
    if lang == "en" and library is not None and not name.isascii():
        return latin_alias(library, name) or name
    return name


def _terms(texts: list[str], question: str, names: set[str], least: int = 2) -> list[str]:
    """Nouns the texts dwell on (most frequent first, said at least `least` times) that the question
    does not name."""
    import jieba.posseg

    segmenter()
    q = simplify(question).lower()
    counts: Counter[str] = Counter()
    for text in texts:
        words = list(jieba.posseg.cut(simplify(text), HMM=False))   # HMM: 20x the time, for guessed words
        for i, p in enumerate(words):
            w = p.word.strip()
            prev = words[i - 1] if i else None
            if prev is not None and len(prev.word) == 1 and prev.flag in ("m", "a", "b") and "\u4e00" <= prev.word <= "\u9fff":
                w = prev.word + w   # jieba cuts 多模态 into 多 / 模态
            if (p.flag in _NOUN and len(w) >= 2 and w.lower() not in q and w not in _VAGUE
                    and not is_stopword(w.lower()) and not any(w in n or n in w for n in names)
                    and re.search(r"\w", w) and not w.isdigit()):
                counts[w] += 1
        for m in _LATIN.finditer(text):
            w = m.group()
            before = text[:m.start()].rstrip()
            if (not before or before[-1] in ".!?。！？:：\"“”'") and not (w.isupper() or any(c.isdigit() for c in w)):
                continue   # capitalised only because a sentence starts there ("Thank you", "Well")
            if (len(w) >= 3 and (w[0].isupper() or any(c.isdigit() for c in w)) and w.lower() not in q
                    and not is_stopword(w.lower()) and not any(w in n for n in names)):
                counts[w] += 1
    return [w for w, c in counts.most_common() if c >= least]


def suggest(answer: Answer, kind: QuestionKind, library: Any, lang: Lang, limit: int,
            subjects: list[str] | None = None, topics: list[str] | None = None, texts_at_most: int = 40,
            missing: str | None = None, same: dict[str, str] | None = None) -> list[str]:
    """Up to `limit` follow-up questions for `answer` (none for errors and small talk). The words
    they ask about come from the first `texts_at_most` quotes or passages of a list: a summary
    over hundreds of interviews quotes thousands of times, and part-of-speech tagging them all
    cost seconds (its most frequent nouns are as well found in the first few dozen). `missing`: a
    term retrieval found in no transcript; nobody is offered as saying something about it.
    `same`: people who may be one person (Retrieval.maybe_same); they are not offered as differing."""
    if library is None or answer.error or limit <= 0:
        return []

    t = TEMPLATES[lang]
    names = library_names(library)
    # a label that stands for no one ("答", "发言人 2": one label in many interviews) is not offered
    # as a person to ask about, as the starters do not
    guests = [n for n in dict.fromkeys(subjects or []) if n in library.speakers and library.speakers[n].role != "host"
              and not is_placeholder(n)]
    cited = [c.speaker for c in answer.citations if c.speaker and c.role != "host" and not is_placeholder(c.speaker)]
    people = list(dict.fromkeys(guests + cited))
    question = answer.standalone_question or answer.question
    out: list[str] = []
    if kind.kind == "collection":
        out += [t["points"].format(who=display_name(library, n, lang)) for n in people[:limit]]
    elif kind.kind == "compare":
        out += [t["points"].format(who=display_name(library, n, lang)) for n in people[:2]]
        if people:
            texts = [c.quote for c in answer.citations] + [p.text for p in answer.passages[:4]]
            out += [t["says"].format(who=display_name(library, people[0], lang), term=w)
                    for w in _terms(texts[:texts_at_most], question, names)[:1]]
    elif kind.kind == "summary":
        for who in people[:2]:
            own = [c.quote for c in answer.citations if c.speaker == who]
            out += [t["says"].format(who=display_name(library, who, lang), term=w) for w in _terms(own[:texts_at_most], question, names)[:2]]
        if kind.people and len(kind.people) == 1:
            docs = sorted(library.speakers[kind.people[0]].docs) if kind.people[0] in library.speakers else []
            out += [t["doc"].format(title=library.docs[d].meta.title) for d in docs[:1] if d in library.docs]
        elif not kind.people:
            out += [t["points"].format(who=display_name(library, n, lang)) for n in people[:2]]
    elif not answer.refused and people:
        who = people[0]
        topic = kind.topic
        # someone else the answer quotes, or whose retrieved passage holds the topic's words
        others = cited[1:] if len(set(cited)) > 1 else [
            p.speaker for p in answer.passages if p.speaker and p.speaker not in people and p.role != "host"
            and p.speaker in library.speakers and not is_placeholder(p.speaker) and topic and mentions_topic(topic, [p])]
        pairs = {frozenset(x) for x in (same or {}).items()}
        others = [o for o in others if o != who and frozenset((who, o)) not in pairs]
        if topic and others:
            out.append(t["differ"].format(a=display_name(library, who, lang), b=display_name(library, others[0], lang), term=topic))
        out.append(t["points"].format(who=display_name(library, who, lang)))
        own = [p.text for p in answer.passages if p.speaker == who]
        out += [t["says"].format(who=display_name(library, who, lang), term=w) for w in _terms(own[:texts_at_most], question, names)[:2]]
    elif answer.refused:
        others = [p.speaker for p in answer.passages if p.speaker and p.role != "host" and p.speaker in library.speakers
                  and not is_placeholder(p.speaker)]
        if others and kind.topic and not (missing and missing.lower() in kind.topic.lower()):
            out.append(t["says"].format(who=display_name(library, others[0], lang), term=kind.topic))
        out.append(t["all"])
    asked = simplify(question).lower().strip(" ?？")
    return [q for q in dict.fromkeys(out) if simplify(q).lower().strip(" ?？") != asked][:limit]


def starters(library: Any, lang: Lang, limit: int) -> list[str]:
    """The first screen's example questions, made from what the library holds (so they fit the
    user's own transcripts, not ours): what is in here, the main points of the guest who says the
    most, what another guest says about a word they dwell on, and how two guests of different
    interviews differ on a word both use. Fewer when the library is too small for them."""
    if library is None or not library.docs or limit <= 0:
        return []
    t = TEMPLATES[lang]
    names = library_names(library)
    said: dict[str, int] = Counter()
    texts: dict[str, list[str]] = {}
    for doc in library.docs.values():
        for turn in doc.turns:
            entry = library.speakers.get(turn.speaker or "")
            if turn.kind == "speech" and entry is not None and entry.role not in ("host", "editor"):
                said[entry.name] += turn.end - turn.start
                texts.setdefault(entry.name, []).append(doc.text[turn.start:turn.end])
    # people by name first: "发言人 2" of one meeting and of another are not one person to compare
    guests = sorted((n for n, _ in said.most_common()), key=is_placeholder)
    # a guest's words, capped: the terms of their first few thousand characters are enough
    terms = {n: _terms(_capped(texts[n], 6000), "", names, least=1) for n in guests[:4]}
    out = [t["all"]]
    if guests:
        out.append(t["points"].format(who=display_name(library, guests[0], lang)))
    for who in guests[1:2] or guests[:1]:
        out += [t["says"].format(who=display_name(library, who, lang), term=w) for w in terms[who][:1]]
    pair = _shared_term(guests[:4], terms, library)
    if pair:
        a, b, term = pair
        out.append(t["differ"].format(a=display_name(library, a, lang), b=display_name(library, b, lang), term=term))
    for who in guests[2:4]:   # no comparison to offer: what a third guest says instead
        out += [t["says"].format(who=display_name(library, who, lang), term=w) for w in terms[who][:1]]
    return list(dict.fromkeys(out))[:limit]


def _capped(texts: list[str], chars: int) -> list[str]:
    out, n = [], 0
    for text in texts:
        if n >= chars:
            break
        out.append(text)
        n += len(text)
    return out


def _shared_term(guests: list[str], terms: dict[str, list[str]], library: Any) -> tuple[str, str, str] | None:
    """Two guests with no interview in common, and the word ranked highest in both their terms."""
    for i, a in enumerate(guests):
        for b in guests[i + 1:]:
            if is_placeholder(a) or is_placeholder(b) or library.speakers[a].docs & library.speakers[b].docs:
                continue
            rank_b = {w: i for i, w in enumerate(terms[b])}
            common = sorted((i + rank_b[w], w) for i, w in enumerate(terms[a]) if w in rank_b)
            if common:
                return a, b, common[0][1]
    return None
