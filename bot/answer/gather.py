"""What a question kind gathers and the pieces every kind builds it from.

A kind (a summary, a comparison, the collection) reads from the `Context` (settings, retriever,
library, digests, language, filters) and returns a `Gathered`: the offline answer with [n] markers
into its passages, and what the LLM needs to write one instead. `Numbering` gives passages their
[n] in first-cited order; `point_passage` turns a digest quote back into the passage it belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.answer.matching import terms
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


def in_quotes(text: str) -> str:
    """A quote in quote marks that do not clash with marks inside it."""
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


class Numbering:
    """Passages in first-cited order; a quote's [n] is its passage's place."""

    def __init__(self) -> None:
        self.passages: list[Passage] = []
        self._n: dict[str, int] = {}

    def n(self, passage: Passage) -> int:
        if passage.node_id not in self._n:
            self.passages.append(passage)
            self._n[passage.node_id] = len(self.passages)
        return self._n[passage.node_id]


def person_label(library: Any, name: str, lang: Lang) -> str:
    """"闫俊杰(嘉宾,MiniMax)", "闫俊杰 (Yan Junjie; guest, MiniMax)"."""
    e = library.speakers.get(name)
    role = MSG[lang].get(f"role_{e.role}", "") if e else ""
    bits = [b for b in (role, e.org if e else None) if b]
    if lang == "zh":
        return f"{name}({','.join(bits)})" if bits else name
    latin = latin_alias(library, name) if not name.isascii() else None
    inner = "; ".join(x for x in (latin, ", ".join(bits)) if x)
    return f"{name} ({inner})" if inner else name


def latin_alias(library: Any, name: str) -> str | None:
    entry = library.speakers.get(name)
    for doc_id in sorted(entry.docs if entry else []):
        doc = library.docs.get(doc_id)
        for s in doc.meta.speakers if doc else []:
            if s.name == name:
                return next((a for a in s.aliases if a.isascii() and " " in a.strip()), None)
    return None


def mentions_topic(topic: str, passages: list[Passage], every: bool = False) -> bool:
    """Some (`every`: each) content word of the topic occurs in the passages (or none can be
    checked: an English word the glossary does not know says nothing about Chinese text)."""
    words = terms(topic)
    if not words:
        return True
    hay = normalize(" ".join(p.text for p in passages))
    checkable = [w for w in words if not w.isascii()] or list(words)
    return (all if every else any)(w in hay for w in checkable)
