"""One question as the sides search it: its embedding and keyword tokens, and its versions in the
corpus's other languages (rewritten by the LLM, else glossed offline through the dictionary), and
the sentence cosines each passage is scored by in its own language's version.

e5 ranks same-language pairs higher, so a Chinese question's own vector puts any Chinese passage
or sentence above the English one that answers it; each language is therefore searched, and its
sentences scored, with the question's version in that language.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from bot.index.keyword import KeywordIndex
from bot.index.sentences import SentenceIndex
from bot.retrieval.gloss import gloss
from bot.schema import Passage
from bot.text.lang import detect_lang
from bot.text.normalize import normalize
from bot.text.tokenize import loose_runs, tokenize

Translator = Callable[[str, list[str]], dict[str, str]]


class Versions(NamedTuple):
    embedding: list[float]
    tokens: list[str]
    # LLM mode: {language: (the question rewritten into it, its embedding, its tokens)}
    rewrites: dict[str, tuple[str, list[float], list[str]]]
    # offline: {language: the embedding of the question glossed into it}
    glosses: dict[str, list[float]]
    # the question's characters that are no words of their own: parts of a word jieba cut apart
    loose: frozenset[str] = frozenset()


def encode(text: str, embedder: Any, keyword: KeywordIndex | None, translator: Translator | None,
           gloss_into: tuple[str, ...] | list[str]) -> Versions:
    tokens = tokenize(text)
    # A word jieba's dictionary lacks is cut into characters (播客 → 播 / 客): they stay tokens (the
    # corpus was cut the same way) but are not translated one by one, and the word joined back is
    # a token too when the bilingual dictionary knows it (共情 → empathy: mixed m051).
    runs = loose_runs(text)
    loose = frozenset(c for run in runs for c in run)
    if keyword is not None:
        tokens += [run for run in runs if len(keyword.forms(run)) > 1]
    rewrites = _rewrites(text, embedder, keyword, translator)
    glosses = {} if rewrites else _glosses(text, tokens, embedder, keyword, gloss_into, loose)
    return Versions(embedder.get_query_embedding(normalize(text)), tokens, rewrites, glosses, loose)


def _rewrites(topic: str, embedder: Any, keyword: KeywordIndex | None,
              translator: Translator | None) -> dict[str, tuple[str, list[float], list[str]]]:
    """The question in the corpus's other languages, from the translator (LLM mode); empty
    offline or when the LLM fails."""
    if translator is None or keyword is None:
        return {}
    others = [lang for lang in keyword.languages() if lang != detect_lang(topic)]
    if not others:
        return {}
    out = {}
    for lang, text in translator(topic, others).items():
        if lang in others and text.strip():
            out[lang] = (text, embedder.get_query_embedding(normalize(text)), tokenize(text))
    return out


def _glosses(topic: str, tokens: list[str], embedder: Any, keyword: KeywordIndex | None,
             gloss_into: tuple[str, ...] | list[str], loose: frozenset[str]) -> dict[str, list[float]]:
    """Offline: the question glossed into each other language of the corpus it may be glossed
    into (`bot.retrieval.gloss`); the vector sides of that language search with it."""
    if keyword is None:
        return {}
    own = detect_lang(topic)
    out = {}
    for lang in keyword.languages():
        if lang != own and lang in gloss_into and (text := gloss(topic, tokens, keyword, lang, loose)):
            out[lang] = embedder.get_query_embedding(normalize(text))
    return out


def language_of(keyword: KeywordIndex | None, node_id: str) -> str | None:
    i = keyword.position(node_id) if keyword is not None else None
    return None if i is None else str(keyword.langs()[i])


def sentence_scores(sentences: SentenceIndex | None, keyword: KeywordIndex | None, passages: list[Passage],
                    versions: Versions) -> dict[str, list[tuple[int, int, float]]]:
    """Each passage's sentence cosines, for choosing what to quote: a passage in another language
    the question was rewritten or glossed into is scored against that version, as its vector side
    searched."""
    if sentences is None:
        return {}
    other = dict(versions.glosses) | {lang: r[1] for lang, r in versions.rewrites.items()}
    groups: dict[int, tuple[list[float], list[str]]] = {}
    for p in passages:
        emb = other.get(language_of(keyword, p.node_id) or "", versions.embedding) if other else versions.embedding
        groups.setdefault(id(emb), (emb, []))[1].append(p.node_id)
    out: dict[str, list[tuple[int, int, float]]] = {}
    for emb, ids in groups.values():
        out.update(sentences.sentence_scores(emb, ids))
    return out
