"""What the relevance verdict needs beyond the search's own scores: how far the best passage stands
out among the passages of its language, whether the sentences closest to a question that asks
for a figure give one, and whether the best passage is in the question's language."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
from llama_index.core.schema import NodeWithScore

from bot.index.keyword import KeywordIndex
from bot.index.library import Library
from bot.index.sentences import SentenceIndex
from bot.retrieval.relevance import asks_for_figure, has_figure, holds_name, question_names
from bot.schema import Passage
from bot.text.aliases import forms as alias_forms
from bot.text.lang import detect_lang
from bot.text.tokenize import tokenize


def standout(sentences: SentenceIndex | None, keyword: KeywordIndex | None, embedding: list[float],
         top: list[NodeWithScore]) -> float | None:
    """How far the best of `top` stands above the question's background: its best sentence's
    cosine as a z-score among all passages of its language (the question's own distribution over
    this corpus, so comparable across languages, questions and corpora). None without in-memory
    sentence vectors."""
    best = sentences.passage_best(embedding) if sentences is not None and keyword else None
    if best is None:
        return None
    langs = keyword.langs()
    finite = np.isfinite(best)
    zs = []
    for n in top:
        i = keyword.position(n.node.node_id)
        if i is None or not finite[i]:
            continue
        pool = best[finite & (langs == langs[i])]
        if len(pool) >= 10:
            zs.append(float((best[i] - pool.mean()) / (pool.std() + 1e-6)))
    return max(zs, default=None)

def no_figure(topic: str, passages: list[Passage], scores: dict[str, list[tuple[int, int, float]]],
          library: Library, closest: int, forms: Callable[[str], tuple[str, ...]] | None = alias_forms,
          named_docs: set[str] | frozenset[str] = frozenset()) -> bool:
    """The question asks for a figure and none of the sentences closest to it (the best
    `figure_sentences` of the top three passages) gives one. `named_docs`: interviews in which a
    figure counts wherever it stands (across languages, those that name the question's subject:
    "Yes, it is 7 billion parameters." names no model; its interview does)."""
    if not asks_for_figure(topic) or not scores:
        return False
    names = question_names(topic)
    sents = [(c, p.text[s:e], p) for p in passages[:3] for s, e, c in scores.get(p.node_id, ())]
    sents.sort(key=lambda x: -x[0])
    # the figure must stand where the question's subject does: a passage naming it (or its context)
    return bool(sents) and not any(
        has_figure(text, topic, forms)
        and (not names or p.doc_id in named_docs or holds_name(_context(p, library), names))
        for _, text, p in sents[:closest])

def same_language(question: str, passages: list[Passage], keyword: KeywordIndex | None) -> bool:
    """The best passage is in the question's language. Only then do the sentence cosines say
    which sentences are closest (across languages e5's cosines are flat, and the sentence that
    gives the figure is often not among the first three: mixed tune m030, m052)."""
    if not passages or keyword is None:
        return bool(passages)
    i = keyword.position(passages[0].node_id)
    return i is None or str(keyword.langs()[i]) == detect_lang(question)

# An acronym as questions write one: two to five capitals or digits starting with a capital, maybe
# plural ("GIL", "EU", "GPUs", "GPT4"); a word such as "AI Act" is checked by its acronym part.
_ACRONYM = re.compile(r"(?<![A-Za-z0-9])([A-Z][A-Z0-9]{1,4})s?(?![A-Za-z0-9])")


def unknown_term(question: str, keyword: KeywordIndex | None,
                 person: Callable[[str], bool] = lambda term: False) -> str | None:
    """An acronym the question asks about that no transcript holds in any spelling or corpus
    translation ("the GIL", "the EU AI Act" over transcripts that never say GIL or EU, nor 欧盟):
    the transcripts cannot say anything about it, however close e5 finds the question's other
    words. A term is exact where a topic is not: on every question set, each answerable question's
    acronyms were in its corpus (2026-11-26). `question` as asked (capitals kept); `person`: whether
    a term names a speaker (their label need not be in the passages' text)."""
    if keyword is None:
        return None
    for m in _ACRONYM.finditer(question):
        if person(m.group(1)):
            continue
        tokens = tokenize(m.group(1))
        if tokens and not any(keyword.idf(f) is not None for t in tokens for f in keyword.forms(t)):
            return m.group(1)
    return None


def top_language(passages: list[Passage], keyword: KeywordIndex | None) -> str | None:
    """The language of the best passage, None when unknown."""
    if not passages or keyword is None:
        return None
    i = keyword.position(passages[0].node_id)
    return None if i is None else str(keyword.langs()[i])

def _context(p: Passage, library: Library) -> str:
    """What a passage is about beyond its words: the host's question, the interview's title and
    the speaker's organisation (闫俊杰's "我们的开放平台" is MiniMax's)."""
    entry = library.speakers.get(p.speaker) if p.speaker else None
    return " ".join((p.text, p.question or "", p.title, (entry.org or "") if entry else ""))
