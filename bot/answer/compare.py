"""Comparisons: two or more people or interviews, each with their own best evidence, side by side.

Each side is searched on its own (a person: the question's topic with their name, so retrieval's
"does this person discuss it at all" check applies; an interview: the topic within it), so the
side whose words happen to score higher cannot crowd the other out. A side whose search is too
weak gets "X did not discuss it" rather than someone's unrelated sentences. Without a topic the
sides' digests stand side by side. The offline answer is a short line per side of quoted,
cited sentences; with an LLM, `prompts/compare_*` writes the lines from the same passages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.answer.extractive import pick_sentences, short_title
from bot.answer.gather import Context, Gathered, Numbering, in_quotes, mentions_topic, point_passage
from bot.answer.kinds import QuestionKind
from bot.answer.matching import terms
from bot.answer.messages import MSG
from bot.answer.overview import claim_prior
from bot.schema import Filters, Passage
from bot.text.normalize import normalize


@dataclass
class Side:
    label: str
    passages: list[Passage] = field(default_factory=list)
    quotes: list[tuple[Passage, str]] = field(default_factory=list)
    absent: bool = False
    semantic: dict = field(default_factory=dict)


def _label(kind: str, value: str, ctx: Context) -> str:
    if kind == "person":
        return value
    doc = ctx.library.docs.get(value)
    title = short_title(doc.meta.title) if doc else value   # the full title is on the source card
    return f"《{title}》" if ctx.lang == "zh" else f"«{title}»"


def _claim(kind: str, value: str, topic: str, ctx: Context) -> tuple[Passage, str] | None:
    """The side's own digest point on the topic (one of the claims their talk is built around,
    chosen at ingest): one holding the topic's rarest word ("成本" in "大模型成本", not "大模型"),
    rarity counted over every digest point of the library. Their position, if they state one."""
    words = {w for w in terms(topic) if not w.isascii() or len(w) > 2}
    everyone = [normalize(p.quote) for d in ctx.library.docs for g in [ctx.digests.get(d)] if g
                for p in g.interview + [q for pts in g.speakers.values() for q in pts]]
    df = {w: sum(1 for q in everyone if w in q) for w in words}
    present = [w for w in words if df[w]]
    if not present:
        return None
    rarest = min(present, key=lambda w: df[w])
    docs = sorted(ctx.library.speakers[value].docs) if kind == "person" and value in ctx.library.speakers else [value]
    best, best_key = None, (0, 0.0)
    for doc_id in docs:
        digest, doc = ctx.digests.get(doc_id), ctx.library.docs.get(doc_id)
        points = (digest.speakers.get(value, []) if kind == "person" else digest.interview) if digest else []
        for p in points:
            quote = normalize(p.quote)
            key = (sum(1 for w in present if w in quote), p.weight)
            if rarest in quote and key > best_key and (passage := point_passage(p, doc)) is not None:
                best, best_key = (passage, p.quote), key
    return best


def _search(kind: str, value: str, topic: str, ctx: Context) -> Side:
    s = ctx.settings
    side = Side(_label(kind, value, ctx))
    if kind == "person":
        retrieval = ctx.retriever.retrieve(f"{value} {topic}", Filters(docs=list(ctx.filters.docs)), top_k=s.top_k)
        ok = [p for p in retrieval.passages if p.speaker == value]
    else:
        retrieval = ctx.retriever.retrieve(topic, Filters(docs=[value]), top_k=s.top_k)
        ok = [p for p in retrieval.passages if p.doc_id == value and p.speaker and p.role != "host"]
    claim = _claim(kind, value, topic, ctx)
    # Absent when their turns miss it while others discuss it, or when the search is weak and
    # none of the topic's words is in their passages (an interview's search is judged like any);
    # a claim of theirs on the topic says they do discuss it, and so do passages of theirs that
    # hold every word of it, though another person's rank higher ("训练": 17 times in one
    # guest's words, yet "没有谈到" before this).
    said = mentions_topic(topic, ok, every=True) if retrieval.reason else mentions_topic(topic, ok)
    if claim is None and (not ok or (retrieval.weak and not said)):
        side.absent = True
        return side
    if claim is not None:
        side.quotes.append(claim)
        ok = [claim[0]] + [p for p in ok if p.node_id != claim[0].node_id]
    if retrieval.weak and claim is not None:
        ok = ok[:1]   # the claim stands alone: the search found nothing better
    side.passages = ok
    side.semantic = claim_prior(topic, ok, retrieval.sentence_scores, ctx.digests, s.overview.claim_prior)
    params = s.answer.model_copy(update={"max_sentences": s.overview.side_quotes + 1})
    for x in pick_sentences(topic, ok, params, s.host_weight, side.semantic, forms=retrieval.forms):
        if len(side.quotes) >= s.overview.side_quotes:
            break
        if not any(x.text in q or q in x.text for _, q in side.quotes):
            side.quotes.append((ok[x.n - 1], x.text))
    return side


def _digest_side(kind: str, value: str, ctx: Context) -> Side:
    """Without a topic: the side's own digest, its weightiest points."""
    side = Side(_label(kind, value, ctx))
    docs = sorted(ctx.library.speakers[value].docs) if kind == "person" and value in ctx.library.speakers else [value]
    for doc_id in docs:
        digest, doc = ctx.digests.get(doc_id), ctx.library.docs.get(doc_id)
        if digest is None or doc is None:
            continue
        points = digest.speakers.get(value, []) if kind == "person" else digest.interview
        for p in sorted(points, key=lambda p: -p.weight)[: ctx.settings.overview.side_quotes + 1]:
            passage = point_passage(p, doc)
            if passage is not None:
                side.passages.append(passage)
                side.quotes.append((passage, p.quote))
    side.absent = not side.quotes
    return side


def compare(kind: QuestionKind, ctx: Context, question: str) -> Gathered:
    m = MSG[ctx.lang]
    sides = [_search(k, v, kind.topic, ctx) if kind.topic else _digest_side(k, v, ctx) for k, v in kind.sides()]
    numbering = Numbering()
    topic = kind.topic or m["their_views"]
    lines = [m["compare_head"].format(topic=topic)]
    for side in sides:
        if side.absent:
            lines.append(f"- {side.label}:{m['side_absent']}" if ctx.lang == "zh"
                         else f"- {side.label}: {m['side_absent']}")
            continue
        sep = ";" if ctx.lang == "zh" else " "
        quoted = sep.join(f"{in_quotes(text)}[{numbering.n(p)}]" if ctx.lang == "zh" else f"{in_quotes(text)} [{numbering.n(p)}]"
                          for p, text in side.quotes)
        lines.append(f"- {side.label}:{quoted}" if ctx.lang == "zh" else f"- {side.label}: {quoted}")
    if all(side.absent for side in sides):
        return Gathered(text=m["refuse"] + " " + m["none_discuss"], refused=True)
    # The quoted passages first (their [n]), then each side's other passages, interleaved: the
    # sources panel and the eval see every side's evidence.
    rest = [side.passages[i] for i in range(max((len(side.passages) for side in sides), default=0))
            for side in sides if i < len(side.passages)]
    for p in rest:
        if len(numbering.passages) >= max(ctx.settings.top_k, len(numbering.passages)):
            break
        numbering.n(p)
    semantic: dict = {}
    for side in sides:
        semantic.update(side.semantic)
    absent = [s.label for s in sides if s.absent]
    llm_q = question + (f"\n{m['absent_sides'].format(who='、'.join(absent))}" if absent else "")
    return Gathered(text="\n".join(lines), passages=numbering.passages, prompt=f"compare_{ctx.lang}",
                    llm_question=llm_q, semantic=semantic,
                    subjects=[v for k, v in kind.sides() if k == "person"], topics=[kind.topic] if kind.topic else [])
