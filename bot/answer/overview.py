"""Answers over a whole interview, a whole speaker or the whole collection.

- A summary is read from the digests ingest built (`bot.index.digests`): a few verbatim quotes
  covering the person's or interview's topics, grouped by section, each cited like a retrieved
  passage. Nothing is searched, so nothing is refused for want of one similar passage, and it
  costs a file read. With an LLM the same quotes become a written summary (`prompts/summary_*`),
  cached with the digest.
- A summary on a topic ("出门问问的演讲里讲了 Agent 的哪些方向?") searches within the named
  interview or person, wider than a narrow answer, and quotes several sentences by section.
- "What's in here": the library's catalogue, also exposed as plain data for the UI
  (`library_view`, `interview_overview`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from bot.answer.extractive import pick_sentences, terms
from bot.answer.kinds import QuestionKind
from bot.answer.messages import MSG
from bot.index.digests import DigestStore, Point
from bot.schema import Filters, Passage, Retriever
from bot.settings import Settings
from bot.text.lang import Lang
from bot.text.normalize import normalize


@dataclass
class Context:
    settings: Settings
    retriever: Retriever
    library: Any
    digests: DigestStore
    lang: Lang
    filters: Filters = field(default_factory=Filters)


@dataclass
class Gathered:
    """What a kind gathered: the offline answer (its [n] markers point into `passages`) and what
    the LLM needs to write one instead."""

    text: str = ""
    passages: list[Passage] = field(default_factory=list)
    refused: bool = False
    prompt: str | None = None        # LLM prompt name; None: the answer is the same with an LLM
    llm_question: str = ""
    cache_key: str | None = None     # a written summary worth keeping (digests, not searches)
    semantic: dict = field(default_factory=dict)
    subjects: list[str] = field(default_factory=list)   # people the answer is about (suggestions)
    topics: list[str] = field(default_factory=list)     # sections / topics it covers (suggestions)


_QUOTE_MARKS = str.maketrans("", "", "「」『』“”\"")


def plain(text: str) -> str:
    """A label (section, title) inside an answer without quote marks: citation checks read
    quoted text as a claim about someone's words."""
    return text.translate(_QUOTE_MARKS)


def _q(text: str) -> str:
    if "“" in text or "”" in text:
        return f"「{text}」"
    return f"“{text}”"


def point_passage(p: Point, doc: Any) -> Passage | None:
    """The passage a digest quote belongs to, as retrieval would return it; None when the
    document changed since the digest was built (the next ingest rebuilds it)."""
    if doc is None or doc.text[p.start:p.end] != p.quote:
        return None
    return Passage(node_id=p.chunk_id, doc_id=doc.doc_id, doc_file=doc.file, title=doc.meta.title,
                   speaker=p.speaker, role=p.role, kind="speech", section=p.section, turn=p.turn,
                   start=p.chunk_start, end=p.chunk_end, text=doc.text[p.chunk_start:p.chunk_end])


class _Numbering:
    """Passages in first-cited order; a quote's [n] is its passage's place."""

    def __init__(self) -> None:
        self.passages: list[Passage] = []
        self._n: dict[str, int] = {}

    def n(self, passage: Passage) -> int:
        if passage.node_id not in self._n:
            self.passages.append(passage)
            self._n[passage.node_id] = len(self.passages)
        return self._n[passage.node_id]


def _section_label(section: str | None, lang: Lang) -> str:
    return plain(section) if section else MSG[lang]["opening"]


def _points_block(points: list[Point], doc: Any, numbering: _Numbering, lang: Lang, by_section: bool = True) -> list[str]:
    lines: list[str] = []
    current: object = object()
    for p in points:
        passage = point_passage(p, doc)
        if passage is None:
            continue
        if by_section and p.section != current and len({q.section for q in points}) > 1:
            current = p.section
            lines.append(f"【{_section_label(p.section, lang)}】")
        lines.append(f"- {_q(p.quote)}[{numbering.n(passage)}]" if lang == "zh" else
                     f"- {_q(p.quote)} [{numbering.n(passage)}]")
    return lines


def _who(library: Any, name: str, lang: Lang) -> str:
    """"闫俊杰(嘉宾,MiniMax)", "闫俊杰 (Yan Junjie; guest, MiniMax)"."""
    from bot.answer.suggest import latin_alias

    e = library.speakers.get(name)
    role = MSG[lang].get(f"role_{e.role}", "") if e else ""
    bits = [b for b in (role, e.org if e else None) if b]
    if lang == "zh":
        return f"{name}({','.join(bits)})" if bits else name
    latin = latin_alias(library, name) if not name.isascii() else None
    inner = "; ".join(x for x in (latin, ", ".join(bits)) if x)
    return f"{name} ({inner})" if inner else name


def _key(*parts: str) -> str:
    return hashlib.sha1("\x00".join(parts).encode()).hexdigest()[:24]


def summary(kind: QuestionKind, ctx: Context, question: str) -> Gathered:
    """A person's, interviews' or everything's digest, or a summary on a topic within them."""
    if kind.topic:
        return _topic_summary(kind, ctx, question)
    m, lib, numbering = MSG[ctx.lang], ctx.library, _Numbering()
    lines: list[str] = []
    fingerprints: list[str] = []
    subjects: list[str] = []
    topics: list[str] = []
    if kind.people:
        for name in kind.people:
            entry = lib.speakers.get(name)
            for doc_id in sorted(entry.docs if entry else []):
                digest, doc = ctx.digests.get(doc_id), lib.docs.get(doc_id)
                points = digest.speakers.get(name, []) if digest else []
                if not points:
                    continue
                fingerprints.append(digest.fingerprint)
                lines.append(m["person_points"].format(who=_who(lib, name, ctx.lang), title=plain(doc.meta.title)))
                lines.extend(_points_block(points, doc, numbering, ctx.lang))
                lines.append("")
                subjects.append(name)
                topics.extend(p.section for p in points if p.section)
    else:
        doc_ids = kind.docs or sorted(lib.docs)
        overview_only = not kind.docs   # everything: a few points per interview
        if overview_only:
            lines.append(m["all_points"].format(n=len(doc_ids)))
        for doc_id in doc_ids:
            digest, doc = ctx.digests.get(doc_id), lib.docs.get(doc_id)
            if digest is None or doc is None or not digest.interview:
                continue
            fingerprints.append(digest.fingerprint)
            points = digest.interview
            if overview_only:
                points = sorted(sorted(points, key=lambda p: -p.weight)[:3], key=lambda p: p.start)
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
                                         "max_chars": s.overview.topic_quotes * 150, "keep_ratio": 0.3})
    picks = pick_sentences(kind.topic, passages, params, s.host_weight, retrieval.sentence_scores)
    picks.sort(key=lambda x: (passages[x.n - 1].doc_id, passages[x.n - 1].start + x.start))
    voices = {passages[x.n - 1].speaker for x in picks}
    numbering, lines, current = _Numbering(), [m["topic_points"].format(scope=scope or m["everything"],
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
        lines.append(f"- {who}{_q(x.text)}[{n}]" if ctx.lang == "zh" else f"- {who}{_q(x.text)} [{n}]")
    return Gathered(text="\n".join(lines), passages=numbering.passages, prompt=f"summary_{ctx.lang}",
                    llm_question=_llm_question(question, kind, ctx, m), semantic=retrieval.sentence_scores,
                    subjects=list(dict.fromkeys(p.speaker for p in numbering.passages if p.speaker)),
                    topics=[kind.topic])


def mentions_topic(topic: str, passages: list[Passage]) -> bool:
    """Some content word of the topic occurs in the passages (or none can be checked: an English
    word the glossary does not know says nothing about Chinese text)."""
    words = terms(topic)
    if not words:
        return True
    hay = normalize(" ".join(p.text for p in passages))
    checkable = [w for w in words if not w.isascii()] or list(words)
    return any(w in hay for w in checkable)


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


# --- the collection ------------------------------------------------------------------------------

def _date(date: str, lang: Lang) -> str:
    """"inferred: spring 2024 (GPT-4o is …)" -> "推断:spring 2024": the manifest's words, shorter."""
    if not date or date == "not stated":
        return MSG[lang]["no_date"]
    date = date.split(" (")[0]
    return MSG[lang]["inferred"] + date[len("inferred:"):].strip() if date.startswith("inferred:") else date


def collection(ctx: Context) -> Gathered:
    """What interviews there are: title, date, speakers and roles, length, sections."""
    m, lang = MSG[ctx.lang], ctx.lang
    items = ctx.library.catalog()
    lines = [m["collection"].format(n=len(items))]
    for i, item in enumerate(items, 1):
        people = [_who(ctx.library, sp["name"], lang) for sp in item["speakers"]]
        title = plain(item["title"])
        lines.append(f"{i}. 《{title}》" if lang == "zh" else f"{i}. «{title}»")
        lines.append("   " + m["collection_item"].format(date=_date(item["date"], lang),
                                                        who=("、" if lang == "zh" else ", ").join(people),
                                                        chars=f"{item['chars']:,}", turns=item["turns"]))
        if item["sections"]:
            sep = ";" if lang == "zh" else "; "
            lines.append("   " + m["sections"] + sep.join(plain(s["title"]) for s in item["sections"]))
    guests = [sp["name"] for item in items for sp in item["speakers"] if sp["role"] != "host"]
    return Gathered(text="\n".join(lines), subjects=guests)


def interview_overview(doc_id: str, library: Any, digests: DigestStore) -> dict | None:
    """One interview for the UI's library view: its catalogue entry plus its digest (the
    interview's points by section and each speaker's points), every quote with its offsets."""
    entry = next((i for i in library.catalog() if i["doc_id"] == doc_id), None)
    if entry is None:
        return None
    digest = digests.get(doc_id)

    def plain(points: list[Point]) -> list[dict]:
        return [{"quote": p.quote, "speaker": p.speaker, "section": p.section, "start": p.start, "end": p.end,
                 "turn": p.turn} for p in points]

    entry["points"] = plain(digest.interview) if digest else []
    entry["speaker_points"] = {name: plain(points) for name, points in digest.speakers.items()} if digest else {}
    return entry


def library_view(library: Any, digests: DigestStore) -> list[dict]:
    """Every interview as `interview_overview` gives it: plain data for the UI's library view."""
    return [v for v in (interview_overview(d, library, digests) for d in sorted(library.docs)) if v]
