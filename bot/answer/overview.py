"""Summaries: answers over a whole interview or a whole speaker, or on a topic within them.

- A summary is read from the digests ingest built (`bot.index.digests`): a few verbatim quotes
  covering the person's or interview's topics, grouped by section, each cited like a retrieved
  passage. Nothing is searched, so nothing is refused for want of one similar passage, and it
  costs a file read. With an LLM the same quotes become a written summary (`prompts/summary_*`),
  cached with the digest.
- A summary on a topic ("出门问问的演讲里讲了 Agent 的哪些方向?") searches within the named
  interview or person, wider than a narrow answer, and quotes several sentences by section.
The collection itself ("what's in here") is bot.answer.collection's; the pieces every kind
builds from (Context, Gathered, numbering) are bot.answer.gather's.
"""

from __future__ import annotations

import hashlib
from typing import Any

from bot.answer.extractive import pick_sentences
from bot.answer.gather import (
    Context,
    Gathered,
    Numbering,
    in_quotes,
    mentions_topic,
    person_label,
    plain,
    point_passage,
)
from bot.answer.kinds import QuestionKind
from bot.answer.matching import terms
from bot.answer.messages import MSG
from bot.index.digests import DigestStore, Point
from bot.schema import Filters, Passage
from bot.text.lang import Lang
from bot.text.normalize import normalize


def _section_label(section: str | None, lang: Lang) -> str:
    return plain(section) if section else MSG[lang]["opening"]


def _points_block(points: list[Point], doc: Any, numbering: Numbering, lang: Lang, by_section: bool = True) -> list[str]:
    lines: list[str] = []
    current: object = object()
    for p in points:
        passage = point_passage(p, doc)
        if passage is None:
            continue
        if by_section and p.section != current and len({q.section for q in points}) > 1:
            current = p.section
            lines.append(f"【{_section_label(p.section, lang)}】")
        lines.append(f"- {in_quotes(p.quote)}[{numbering.n(passage)}]" if lang == "zh" else
                     f"- {in_quotes(p.quote)} [{numbering.n(passage)}]")
    return lines


def _key(*parts: str) -> str:
    return hashlib.sha1("\x00".join(parts).encode()).hexdigest()[:24]


def summary(kind: QuestionKind, ctx: Context, question: str) -> Gathered:
    """A person's, interviews' or everything's digest, or a summary on a topic within them."""
    if kind.topic:
        return _topic_summary(kind, ctx, question)
    m, lib, numbering = MSG[ctx.lang], ctx.library, Numbering()
    lines: list[str] = []
    fingerprints: list[str] = []
    subjects: list[str] = []
    topics: list[str] = []
    most = ctx.settings.overview.summary_interviews
    if kind.people:
        for name in kind.people:
            entry = lib.speakers.get(name)
            shown = 0
            doc_ids = sorted(entry.docs if entry else [])
            for i, doc_id in enumerate(doc_ids):
                if shown == most:   # the rest only counted: a reader asks about one of them
                    lines.extend([m["more_interviews"].format(n=len(doc_ids) - i), ""])
                    break
                digest, doc = ctx.digests.get(doc_id), lib.docs.get(doc_id)
                points = digest.speakers.get(name, []) if digest else []
                if not points:
                    continue
                shown += 1
                fingerprints.append(digest.fingerprint)
                lines.append(m["person_points"].format(who=person_label(lib, name, ctx.lang), title=plain(doc.meta.title)))
                lines.extend(_points_block(points, doc, numbering, ctx.lang))
                lines.append("")
                subjects.append(name)
                topics.extend(p.section for p in points if p.section)
    else:
        doc_ids = kind.docs or sorted(lib.docs)
        overview_only = not kind.docs   # everything: a few points per interview
        if overview_only:
            lines.append(m["all_points"].format(n=len(doc_ids)))
        shown = 0
        for i, doc_id in enumerate(doc_ids):
            if shown == most:
                lines.extend([m["more_interviews"].format(n=len(doc_ids) - i), ""])
                break
            digest, doc = ctx.digests.get(doc_id), lib.docs.get(doc_id)
            if digest is None or doc is None or not digest.interview:
                continue
            shown += 1
            fingerprints.append(digest.fingerprint)
            points = digest.interview
            if overview_only:
                points = sorted(sorted(points, key=lambda p: -p.weight)[:ctx.settings.overview.brief_points],
                                key=lambda p: p.start)
            voices = [s for s in digest.speakers if s]
            who = "、".join(voices) if ctx.lang == "zh" else ", ".join(voices)
            lines.append(m["doc_brief" if overview_only else "doc_points"].format(title=plain(doc.meta.title), who=who))
            lines.extend(_points_block(points, doc, numbering, ctx.lang, by_section=not overview_only))
            lines.append("")
            subjects.extend(voices)
            topics.extend(p.section for p in points if p.section)
    if not numbering.passages:
        return Gathered(text=m["no_digest"], refused=True)
    text = "\n".join(lines).strip()
    return Gathered(text=text, passages=numbering.passages, prompt=f"summary_{ctx.lang}",
                    llm_question=_llm_question(question, kind, ctx, m),
                    cache_key=_key("summary", ctx.lang, *kind.people, *kind.docs, str(kind.everything), *fingerprints),
                    subjects=list(dict.fromkeys(subjects)), topics=list(dict.fromkeys(topics)))


def _llm_question(question: str, kind: QuestionKind, ctx: Context, m: dict) -> str:
    about = kind.people or [ctx.library.docs[d].meta.title for d in kind.docs if d in ctx.library.docs]
    return f"{question}\n{m['summary_of'].format(about='; '.join(about) if about else m['everything'])}"


def _topic_summary(kind: QuestionKind, ctx: Context, question: str) -> Gathered:
    """Within the named people / interviews (or everything), what is said on the topic: a wider
    search than a narrow answer, several sentences, in the order they were said."""
    m, s = MSG[ctx.lang], ctx.settings
    filters = Filters(docs=list(kind.docs) or list(ctx.filters.docs),
                      speakers=list(kind.people) or list(ctx.filters.speakers))
    retrieval = ctx.retriever.retrieve(kind.topic, filters, top_k=s.overview.topic_passages)
    passages = [p for p in retrieval.passages if p.kind == "speech" and p.speaker]
    scope = "、".join(kind.people or [f"《{plain(ctx.library.docs[d].meta.title)}》" if ctx.lang == "zh" else
                                      f"«{plain(ctx.library.docs[d].meta.title)}»"
                                      for d in filters.docs if d in ctx.library.docs])
    present = mentions_topic(kind.topic, passages)
    if not passages or (retrieval.weak and not present):
        return Gathered(text=m["topic_absent"].format(scope=scope or m["everything"], topic=kind.topic),
                        passages=retrieval.passages, refused=True)
    params = s.answer.model_copy(update={"max_sentences": s.overview.topic_quotes,
                                         "max_chars": s.overview.topic_quotes * s.overview.topic_quote_chars,
                                         "keep_ratio": s.overview.topic_keep_ratio})
    picks = pick_sentences(kind.topic, passages, params, s.host_weight, retrieval.sentence_scores,
                           forms=retrieval.forms)
    picks.sort(key=lambda x: (passages[x.n - 1].doc_id, passages[x.n - 1].start + x.start))
    voices = {passages[x.n - 1].speaker for x in picks}
    numbering, lines, current = Numbering(), [m["topic_points"].format(scope=scope or m["everything"],
                                                                         topic=kind.topic)], object()
    for x in picks:
        p = passages[x.n - 1]
        label = (p.doc_id, p.section)
        if label != current:
            current = label
            head = _section_label(p.section, ctx.lang)
            lines.append(f"【{head}】" if len(filters.docs) == 1 else f"【{plain(p.title)} · {head}】")
        who = "" if len(voices) == 1 else f"{p.speaker}:" if ctx.lang == "zh" else f"{p.speaker}: "
        n = numbering.n(p)
        lines.append(f"- {who}{in_quotes(x.text)}[{n}]" if ctx.lang == "zh" else f"- {who}{in_quotes(x.text)} [{n}]")
    return Gathered(text="\n".join(lines), passages=numbering.passages, prompt=f"summary_{ctx.lang}",
                    llm_question=_llm_question(question, kind, ctx, m), semantic=retrieval.sentence_scores,
                    subjects=list(dict.fromkeys(p.speaker for p in numbering.passages if p.speaker)),
                    topics=[kind.topic])


def claim_prior(question: str, passages: list[Passage], scores: dict[str, list[tuple[int, int, float]]],
                digests: DigestStore, delta: float) -> dict[str, list[tuple[int, int, float]]]:
    """Sentence similarities for the offline answer, with `delta` added where a sentence is one of
    its speaker's digest points and shares a word with the question: the claims a person's talk is
    built around, which a question about their view on that ("闫俊杰认为成本会怎样变化?") should
    quote before their side remarks."""
    words = {w for w in terms(question) if not w.isascii() or len(w) > 2}
    if not delta or not scores or not words:
        return scores
    out = dict(scores)
    for p in passages:
        digest = digests.get(p.doc_id) if p.speaker else None
        points = [(q.start - p.start, q.end - p.start) for q in (digest.speakers.get(p.speaker, []) if digest else [])
                  if p.start <= q.start and q.end <= p.end and any(w in normalize(q.quote) for w in words)]
        if points and p.node_id in out:
            out[p.node_id] = [(s, e, c + delta if any(s <= a and b <= e for a, b in points) else c)
                              for s, e, c in out[p.node_id]]
    return out
