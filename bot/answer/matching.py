"""Sentence scoring for quotes: which sentences of the passages answer a question, by the words
they share with it, in either language.

Runs on simplified, lower-cased text: jieba words (Chinese stopwords out) and English words as
PyStemmer stems (English stopwords out), plus character bigrams, each weighted by how rare it is
among the candidate sentences. A question word is found in any of its spellings and in the
translations the corpus holds (`Retrieval.forms`, from CC-CEDICT), so an English question finds
成本 for "cost" without a hand-written glossary. Used by the extractive answer, by citations (a
passage's best sentence for a claim) and by the overviews.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from bot.schema import Passage
from bot.text.aliases import forms as alias_forms
from bot.text.lang import detect_lang, simplify, split_sentences
from bot.text.stopwords import is_stopword
from bot.text.tokenize import segmenter, stem

_ASCII_TERM = re.compile(r"[a-z0-9][a-z0-9.+\-]*[a-z0-9]|[a-z]")
_LATIN_WORD = re.compile(r"[a-z]+")


# Share of a sentence ending in "?" its last clause must make up for the sentence to be a question
# rather than a statement with a rhetorical tag; grammar, not tuned.
QUESTION_CLAUSE_SHARE = 0.35


def terms(text: str) -> set[str]:
    """Content words of a question or sentence: jieba words (Chinese stopwords out), whole ASCII
    terms like 'gpt-4', and English words as PyStemmer stems (English stopwords out), so "costs"
    meets "cost" and an English word is never matched inside another ("ai" in "said")."""
    jieba = segmenter()
    low = simplify(text).lower()
    found = set()
    for t in _ASCII_TERM.findall(low):
        if t.isalpha():
            if len(t) >= 2 and not is_stopword(t):
                found.add(stem(t))
        elif not is_stopword(t):
            found.add(t)
    for w in jieba.lcut(low):
        w = w.strip()
        # ASCII words came whole from the regex above ("gpt-4", not "gpt" and "4").
        if w and not is_stopword(w) and not w.isascii() and re.search(r"\w", w):
            found.add(w)
    return found


class _Words:
    """A sentence as matched against question terms: its Chinese text (a Chinese word is found as a
    substring) and its English stems and ASCII terms (found as whole words)."""

    def __init__(self, text: str) -> None:
        self.low = simplify(text).lower()
        self.latin = {stem(w) for w in _LATIN_WORD.findall(self.low)} | set(_ASCII_TERM.findall(self.low))

    def has(self, term: str) -> bool:
        return term in self.latin if term.isascii() else term in self.low


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


class WordScorer:
    """The words a query shares with candidate sentences, each weighted by how rare it is among
    them (an IDF over the candidates) and by its length. A query word is found in any of its
    spellings: `forms` (Retrieval.forms: other spellings of a name and the translations the corpus
    holds), else its own and its aliases. A speaker named in the query is not a word to find
    (people rarely say their own name): `names` holds those speakers' names."""

    def __init__(self, query: str, texts: list[str], names: set[str],
                 forms: dict[str, tuple[str, ...]] | None = None) -> None:
        q_terms, q_bi = terms(query), bigrams(query)
        # two question words that translate as one word ("business models" -> 商业模式) count as a word too
        q_terms |= {k for k in forms or {} if " " in k and set(k.split()) <= q_terms}
        q_terms = {t for t in q_terms if not any(t in nm for nm in names)}
        q_bi = {b for b in q_bi if not any(b in nm for nm in names)}
        self.groups = {t: tuple(dict.fromkeys((t, *(forms or {}).get(t, ()), *alias_forms(t)))) for t in q_terms}
        self.q_bi = q_bi
        self.words = words = [_Words(x) for x in texts]   # score_sentences reuses them
        total = len(texts)

        def idf(df: int) -> float:
            return math.log(1 + total / (1 + df)) if df else 0.0

        self.weights = {t: min(len(t), 4) * idf(sum(any(w.has(f) for f in g) for w in words))
                        for t, g in self.groups.items()}
        self.bi_w = {b: idf(sum(b in w.low for w in words)) for b in q_bi}
        self.w_sum = sum(min(len(t), 4) * math.log(1 + total) for t in q_terms) or 1.0
        self.b_sum = sum(math.log(1 + total) for _ in q_bi) or 1.0

    def score(self, text: str | _Words) -> float:
        """0..1: the rare query words and bigrams the text holds."""
        w = text if isinstance(text, _Words) else _Words(text)
        term_score = sum(wt for t, wt in self.weights.items() if any(w.has(f) for f in self.groups[t])) / self.w_sum
        bi_score = sum(wt for b, wt in self.bi_w.items() if b in w.low) / self.b_sum
        return 0.6 * term_score + 0.4 * bi_score


def named_speakers(query: str, passages: list[Passage]) -> set[str]:
    """Speakers of the passages whose name the query writes (simplified, lower-cased)."""
    low_q = simplify(query).lower()
    return {simplify(p.speaker).lower() for p in passages if p.speaker and simplify(p.speaker).lower() in low_q}


def score_sentences(query: str, passages: list[Passage], sentences: list[Scored] | None = None,
                    host_weight: float = 0.8, forms: dict[str, tuple[str, ...]] | None = None,
                    asked: frozenset[str] = frozenset()) -> list[Scored]:
    """Every sentence of `passages` scored against `query` (best first): the WordScorer's share
    of the query's words, then discounts for what is context rather than an answer."""
    if sentences is None:
        sentences = [
            Scored(n, s, e, p.text[s:e], 0.0)
            for n, p in enumerate(passages, 1)
            for s, e in split_sentences(p.text)
        ]
    if not sentences:
        return []
    # A speaker's name in the question picks whose sentences to prefer (below).
    names = named_speakers(query, passages)
    scorer = WordScorer(query, [x.text for x in sentences], names, forms)
    # `asked`: the people retrieval found the question naming (by alias, part of a name or role word)
    named = {p.speaker for p in passages if p.speaker and (simplify(p.speaker).lower() in names or p.speaker in asked)}
    for x, w in zip(sentences, scorer.words, strict=True):
        p = passages[x.n - 1]
        score = scorer.score(w)
        score *= 1.0 + 0.15 * (1 - (x.n - 1) / max(1, len(passages)))   # retrieval rank as a prior
        if p.role == "host" and p.speaker not in named:
            score *= host_weight    # a host's question is context, not an answer (unless the host is asked about)
        if is_question(x.text):
            score *= 0.5
        if len(w.low) < 10:
            score *= 0.5            # "我觉得最重要的几个:" says nothing on its own
        if _fragment(x.text):
            score *= 0.5            # an English piece that starts mid-clause (a cut chunk or sentence)
        if named:
            score *= 1.3 if p.speaker in named else 0.6
        x.score = score
    return sorted(sentences, key=lambda s: -s.score)


def _fragment(text: str) -> bool:
    """English text that does not start a sentence: a lower-case word or a comma first."""
    t = text.lstrip()
    return bool(t) and (t[0] in ",;:)]}" or (t[0].isascii() and t[0].islower())) and detect_lang(t) == "en"


def is_question(text: str) -> bool:
    """A sentence that asks. A statement ending in a short rhetorical tag ("…一年要 50 亿美金的算力
    投入,你怎么投?") answers: its last clause must be a good part of it to count as a question."""
    t = text.rstrip("”」』）) ")
    if not t.endswith(("?", "？")):
        return False
    last = re.split(r"[,，;；:：]", t.rstrip("?？"))[-1]
    return len(last) >= QUESTION_CLAUSE_SHARE * len(t)


def blend(scored: list[Scored], passages: list[Passage], semantic: dict[str, list[tuple[int, int, float]]],
          share: float, host_weight: float) -> list[Scored]:
    """Mix each sentence's word score with the cosine of the stored sentence vector it falls in
    (`share` of the result).
    Both are rescaled to 0..1 over the candidates: e5 cosines all sit within a narrow band. The
    cosines are rescaled within each passage language: across languages they are not comparable
    (a Chinese question meets any Chinese sentence above the English one that answers it)."""
    sims: list[float | None] = []
    for x in scored:
        spans = semantic.get(passages[x.n - 1].node_id, ())
        sims.append(max((c for s, e, c in spans if s < x.end and x.start < e), default=None))
    langs = {n: detect_lang(p.text) for n, p in enumerate(passages, 1)}
    bands: dict[str, tuple[float, float]] = {}
    for lang in set(langs.values()):
        known = [c for x, c in zip(scored, sims, strict=True) if c is not None and langs[x.n] == lang]
        if len(known) >= 2 and max(known) > min(known):
            bands[lang] = (min(known), max(known))
    if not bands:
        return scored
    top = max(x.score for x in scored) or 1.0
    for x, c in zip(scored, sims, strict=True):
        band = bands.get(langs[x.n])
        near = 0.0 if c is None or band is None else (c - band[0]) / (band[1] - band[0])
        # the same discounts as the word score: a host's words and questions are context
        near *= (host_weight if passages[x.n - 1].role == "host" else 1.0) * (0.5 if is_question(x.text) else 1.0)
        x.score = (1 - share) * x.score / top + share * near
    return sorted(scored, key=lambda s: -s.score)
