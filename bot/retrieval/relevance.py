"""Is the best evidence strong enough to answer from?

Signals, because each fails alone:
- the words and the cosine, by the language pair: in the question's own language, the share of
  the question's rare words (in any spelling or translation) found in the top passages must come
  with a high cosine (Chinese, as set on Chinese over Chinese) or, for English over English, with a
  high standing of the best sentence among the English passages (a z-score against the question's
  own background in this corpus: e5's English cosines run on another scale than the Chinese
  rules'); across languages words compare poorly, so the cosine leads, on its own, lower scale;
- the figure: a question that asks for a number (多少, how many…) needs a number in the
  sentences closest to it; a passage on the topic that gives no figure is not an answer.
The thresholds (`Settings.retrieval`) were set on the tune splits of the golden and mixed sets
and checked on their holdouts and on a blind set written separately; README, "Evaluation".
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from bot.settings import RetrievalParams
from bot.text.aliases import forms as alias_forms
from bot.text.lang import cjk_count
from bot.text.normalize import normalize
from bot.text.tokenize import stem, tokenize

# A question asking for a figure, and a figure in a sentence (digits, Chinese numerals with a
# measure word, English number words); general question forms, not words of any transcript.
_ASKS_FIGURE = re.compile(
    r"多少|几(?:[个年月天次岁倍成种家位名人元块辆条项台轮款分秒周]|万|亿|千|百|十)|多大|多久|多长|多高|多远|多重|"
    r"占比|比例|百分之几|\bhow (?:many|much|long|far|big|large|old|often)\b|"
    r"\bwhat (?:percentage|share|fraction|proportion|number|amount)\b", re.I)
_FIGURE = re.compile(
    r"\d+(?:[.,]\d+)*|[零一二两三四五六七八九十百千万亿半]+(?:[个年月天次岁倍成种家位名人元块辆条项台轮款分秒周]|万|亿|千|百)|"
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
    r"sixty|seventy|eighty|ninety|hundred|thousand|million|billion|trillion|dozen|half|twice|double)\b", re.I)


def asks_for_figure(question: str) -> bool:
    return bool(_ASKS_FIGURE.search(normalize(question)))


# A question asking for a sum of money, and a sum of money: a currency, or a magnitude (万, 亿,
# million) as Chinese and English state amounts. General forms, not words of any transcript.
# A question asking for a sum of money: its words, or a price-like word before "how much" / 多少
# ("每个月的服务费是多少", "How much is the monthly cloud fee?")
_ASKS_MONEY = re.compile(r"多少钱|花多少|多少[\u4e00-\u9fff]{0,3}(?<![付收消免花浪])(?:费|薪)|(?:费|价格|售价|价钱|估值|薪|金额)(?:用)?(?:是|有|要|大概|大约|一共)*多少|"
                         r"how much money|how much (?:does|did|do|would|will) (?:it|they|\w+) (?:cost|pay|raise)|"
                         r"how much (?:is|are|was|were|does|did|do|would|will|has|have)\b[^?]{0,60}?"
                         r"\b(?:costs?|fees?|prices?|charges?|salary|salaries|valuation|subscriptions?)\b", re.I)
# A sum of money: a currency, or a magnitude after a number ("raised 50 million"). A magnitude
# alone is a manner of speaking ("I can think of a million examples": zh_en tune z025).
_MONEY = re.compile(r"[$¥€£]|美元|美金|欧元|人民币|块钱|\d\s*元|[万亿]|\b(?:dollars?|euros?|yuan|rmb|usd)\b|"
                    r"(?:\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|hundreds? of|tens of|few|several))"
                    r"\s*(?:million|billion|trillion)\b|\d\s*[kmb]\b", re.I)


def asks_for_money(question: str) -> bool:
    return bool(_ASKS_MONEY.search(normalize(question)))


_YEAR = re.compile(r"(?:19|20)\d\d")


def has_figure(text: str, question: str = "", forms: Callable[[str], tuple[str, ...]] | None = alias_forms) -> bool:
    """A figure in `text` that is not one the question itself states ("2024年的营收" → not 2024),
    nor a year (a date, not an amount); a sentence that is itself a question gives none; a
    question asking for money needs a sum of money. `forms`: a counted word's spellings; None
    sets no counted-word condition."""
    if text.rstrip("”」』）) ").endswith(("?", "？")):
        return False
    given = {m.group().lower() for m in _FIGURE.finditer(normalize(question))}
    norm = normalize(text)
    if asks_for_money(question) and not _MONEY.search(norm):
        return False   # "多少钱" is answered by a sum, not by "三家公司" or "90% 的时间"
    counted = _counted(question) if forms is not None else ()
    return any(m.group().lower() not in given and not _YEAR.fullmatch(m.group()) and not _not_amount(norm, m)
               and (not counted or _counts(norm, m, counted, forms))
               for m in _FIGURE.finditer(norm))


# What a "how many" question counts: the words right after 多少 / "how many" ("多少付费用户",
# "how many employees"), past a measure word. A figure answers it only when one of those words
# stands next to it ("24亿的参数" counts parameters, not employees; "20 张" photos, not users):
# a numeral, its measure word and 的 take a few characters in Chinese, a number, a magnitude and
# an adjective a few words in English. Grammar, not tuned.
_COUNT_Q = re.compile(r"多少(个|位|名|家|种|款|台|条|项|次|张|篇|本|部|辆|架|单|份)?\s*([^\s,，。?？!！、]{1,8})|"
                      r"\bhow many\s+()((?:[a-z][\w'-]*\s*){1,2})", re.I)
_COUNT_NEAR = {"zh": 6, "en": 20}   # characters between the figure and the counted word


# "胃之书的日活跃用户有多少?": the counted words before 有多少 / 是多少 at the question's end
_COUNT_BEFORE = re.compile(r"([\u4e00-\u9fff]{2,6})(?:大概|大约|一共|总共|现在)?(?:有|是)多少\s*[?？]?\s*$")


@lru_cache(maxsize=256)
def _counted(question: str) -> tuple[str, ...]:
    """The counted words, then the measure word if the question has one ("多少家客户": 客户, 家)."""
    q = normalize(question)
    m = _COUNT_Q.search(q)
    if not m or not (m.group(2) or m.group(4) or "").strip(" ?？"):
        before = _COUNT_BEFORE.search(q)
        words = [w for w in tokenize(before.group(1)) if len(w) >= 2][-2:] if before else []
        return tuple(w for w in words if w not in ("钱", "money"))
    words = tokenize(m.group(2) or m.group(4) or "")
    # one-character words (人, 行, 瓦) are units as often as nouns: no condition then
    out = [w for w in words[:2] if len(w) >= 2 and w not in ("钱", "money")]
    return (*out, m.group(1)) if out and m.group(1) else tuple(out)


def _counts(text: str, m: re.Match, counted: tuple[str, ...],
            forms: Callable[[str], tuple[str, ...]] = alias_forms) -> bool:
    # the same measure word right after the figure answers with the noun left out: "接近一千家"
    if len(counted[-1]) == 1 and (m.group().endswith(counted[-1])
                                  or text[m.end():m.end() + 2].lstrip().startswith(counted[-1])):
        return True
    counted = [c for c in counted if len(c) > 1]
    near = _COUNT_NEAR["en" if _latin_near(text, m) else "zh"]
    window = text[max(0, m.start() - near): m.end() + near]
    words = set(tokenize(window))
    return any(any((f in words) if f.isascii() else (f in window) for f in forms(c)) for c in counted)


def _latin_near(text: str, m: re.Match) -> bool:
    """The figure stands in English text (no Chinese character beside it): the window for its
    counted word is counted in English words' characters, whatever the question's language."""
    return not cjk_count(text[max(0, m.start() - 4): m.end() + 4])


def _not_amount(text: str, m: re.Match) -> bool:
    """Numerals that count nothing: an ordinal (第三个), and 一 with a measure word or "one", which
    are how Chinese and English say "a" (一个问题, one of the…)."""
    word = m.group().lower()
    return (m.start() > 0 and text[m.start() - 1] == "第") or word == "one" or (len(word) == 2 and word[0] == "一")


_NAME = re.compile(r"(?<![A-Za-z])[A-Za-z]*[A-Z][A-Za-z0-9.\-]*[a-z0-9][A-Za-z0-9.\-]*|[A-Z]{4,}")


def question_names(question: str) -> list[tuple[str, ...]]:
    """The names a question is about, each in all its spellings: words written with a capital
    letter (not a question word such as "How", nor a short acronym such as AI) and Chinese words
    with a known other spelling (苹果 / Apple). Used to tie a figure to what it is a figure of."""
    from bot.text.tokenize import index_token

    out: list[tuple[str, ...]] = []
    text = normalize(question)
    for m in _NAME.finditer(question):
        tok = index_token(m.group().lower())
        if tok:
            out.append(alias_forms(tok))
    for t in tokenize(text):
        f = alias_forms(t)
        if not t.isascii() and len(f) > 1:
            out.append(f)
    return out


def docs_naming(keyword: Any, spellings: tuple[str, ...]) -> set[str]:
    """The interviews that mention a name in any of its spellings, in its other language too
    ("Taiwan" is 台湾 in a Chinese interview): `keyword` is the KeywordIndex."""
    return keyword.docs_holding(tuple(dict.fromkeys(g for f in spellings for g in keyword.forms(f))))


def holds_name(text: str, names: list[tuple[str, ...]]) -> bool:
    low = normalize(text)
    latin = {stem(w) for w in re.findall(r"[a-z][a-z0-9]*", low)} | set(re.findall(r"[a-z0-9][a-z0-9.+\-]*[a-z0-9]", low))
    return any((f in latin) if f.isascii() else (f in low) for fs in names for f in fs)

Forms = Callable[[str], tuple[str, ...]]

@dataclass
class Evidence:
    query: str
    query_tokens: list[str]
    vector: list[tuple[str, float]]        # (chunk id, cosine) best first
    keyword: list[tuple[str, float]]       # (chunk id, bm25) best first
    top_texts: list[str] = field(default_factory=list)
    idf: Callable[[str], float | None] = lambda t: None
    chinese: bool = True
    forms: Forms = alias_forms     # a question word's spellings and translations (KeywordIndex.forms)
    z: float | None = None         # how far the top passages' best sentence stands above its language's passages
    english_corpus: bool = False   # the corpus holds English passages: an English word none holds counts against
    top_lang: str | None = None    # the language of the best passage, when the corpus has several
    cos_by_lang: dict[str, float] = field(default_factory=dict)   # best cosine among each language's passages


@dataclass
class Verdict:
    weak: bool
    cos: float
    coverage: float      # over the top three passages
    top1_coverage: float = 0.0  # over the best passage alone
    chinese: bool = True        # the best passage is in the question's language (words compare)
    z: float | None = None
    best_coverage: float = 0.0  # the best single passage among the top three
    lang: str | None = None     # the best passage's language, when the corpus has several
    cos_by_lang: dict[str, float] = field(default_factory=dict)   # best cosine in each language


@lru_cache(maxsize=4096)
def _words(text: str) -> frozenset[str]:
    """A passage's tokens (one passage is measured several times per question)."""
    return frozenset(tokenize(text))


def coverage(tokens: list[str], texts: list[str], idf: Callable[[str], float | None],
             forms: Forms = alias_forms, latin_counts: bool = False) -> float:
    """IDF-weighted share of the question's content words found in the texts.

    Rare words weigh most ("营收" in "MiniMax 2025 年的营收" decides it, "大模型" does not). A word
    is found in any of its spellings (谷歌 / Google) and translations (cost / 成本): Chinese words
    as substrings, English stems as words of the text. A Chinese word, or a number, that no
    transcript contains counts fully against; so does an English word when `latin_counts` (the
    corpus has English passages to find it in); otherwise an English word none contains is ignored
    (an English question can't be expected to share words with Chinese).
    """
    hay = normalize(" ".join(texts))
    words = set().union(*(_words(t) for t in texts))
    total = got = 0.0
    max_idf = math.log(1000.0)
    seen: set[str] = set()
    for t in tokens:
        names = forms(t)
        if seen.intersection(names) or (t.isascii() and len(t) < 2):
            continue
        seen.update(names)
        w = max((x for x in map(idf, names) if x is not None), default=None)
        if w is None:
            if t.isascii() and not any(c.isdigit() for c in t) and not latin_counts:
                continue
            w = max_idf
        total += w
        got += w if any((n in words) if n.isascii() else (n in hay) for n in names) else 0.0
    # Nothing measurable (an English question whose words no transcript has): no evidence
    # either way, so it must not count against the passages.
    return got / total if total else 1.0


def judge(ev: Evidence, params: RetrievalParams, named: bool = False) -> Verdict:
    """Words and cosine. Rules by whether the best passage is in the question's language: there,
    a high cosine with the question's rare words (`zh_rules`, set on Chinese over Chinese); across
    languages (set on English over Chinese), the cosine on its lower scale, with a question word the
    corpus holds in some spelling."""
    cos = max((s for _, s in ev.vector), default=0.0)
    same = ev.chinese if ev.top_lang is None else (ev.top_lang == ("zh" if ev.chinese else "en"))
    if ev.top_lang is not None and ev.top_lang in ev.cos_by_lang:
        cos = ev.cos_by_lang[ev.top_lang]   # compare the best passage's language with its own scale
    cov = coverage(ev.query_tokens, ev.top_texts, ev.idf, ev.forms, ev.english_corpus)
    singles = [coverage(ev.query_tokens, [t], ev.idf, ev.forms, ev.english_corpus) for t in ev.top_texts]
    cov1 = singles[0] if singles else 0.0
    if not ev.vector and not ev.keyword:
        return Verdict(True, cos, cov, cov1, same, ev.z)
    best = max(singles, default=0.0)
    if same:
        rules = (*params.zh_rules, params.zh_named_rule) if named else params.zh_rules
        strong = any(cos >= c and cov >= k and best >= k1 for c, k, k1 in rules)
        if not strong and not ev.chinese and ev.z is not None:
            # English over English: on a corpus whose English cosines run lower than the Chinese
            # rules expect, the best sentence's standing among the English passages (a z-score)
            z, k, k1 = params.en_same_rule
            strong = ev.z >= z and cov >= k and best >= k1
    else:
        # a word of the question itself (or another spelling of a name) that the corpus holds: a
        # dictionary translation does not count, almost every word has one somewhere
        anchored = any(len(t) >= 2 and any(ev.idf(f) is not None for f in alias_forms(t)) for t in ev.query_tokens)
        strong = cos >= params.en_cos_strong or (cos >= params.en_cos and anchored)
    return Verdict(not strong, cos, cov, cov1, same, ev.z, best, ev.top_lang, dict(ev.cos_by_lang))


def speaker_absent(named: Verdict, everyone: Verdict, params: RetrievalParams) -> bool:
    """The named person's turns answer clearly worse than others' and miss the question's words:
    others' best passage beats theirs by `absent_gap`, or (Chinese questions, where words compare)
    others' passages hold `absent_coverage_gap` more of the question's words at a near-equal
    cosine (e5 finds the named person's nearest turn about as close, but it is about something else)."""
    if everyone.weak or named.top1_coverage >= params.absent_coverage:
        return False
    # cosines compare within a language: e5 scores a Chinese question higher against Chinese
    # passages, so the named person's English turns are set against others' English ones
    other = everyone.cos
    if named.lang and everyone.lang and named.lang != everyone.lang and named.lang in everyone.cos_by_lang:
        other = everyone.cos_by_lang[named.lang]
    gap = other - named.cos
    return gap >= params.absent_gap or (named.chinese and gap > 0
                                        and everyone.coverage - named.coverage >= params.absent_coverage_gap)
