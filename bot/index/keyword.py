"""The keyword index: BM25 (bm25s) over Chinese and English tokens, persisted beside the vector store.

bm25s's own tokenizer treats a run of Chinese characters as one word, so text is tokenised by
`bot.text.tokenize` here: jieba search mode for Chinese (speaker names added to its dictionary so
李广密 stays one token), stopwords and PyStemmer stems for English, each word by its own language.
Text is normalised (traditional → simplified, full-width → half-width) on both sides.

A question's word counts as one word in all its spellings: the names of `bot.text.aliases` (谷歌 /
Google) and its translations into the corpus's other language (`bot.text.bilingual.bridge`, built
here once per index from CC-CEDICT and the index's own vocabulary): a passage scores the best of
the spellings it holds, so "cost" finds 成本 in Chinese passages and "cost" in English ones.

On disk: `DIR/<fingerprint>/` holds one complete index; `DIR/CURRENT` names the live one and is
replaced atomically, so a reader never sees a half-written index and a killed build leaves the
previous index in place.
"""

from __future__ import annotations

import bisect
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Collection, Iterable, Sequence
from pathlib import Path

import numpy as np
from llama_index.core.schema import NodeWithScore, TextNode

from bot.text.aliases import forms as alias_forms
from bot.text.bilingual import bridge as make_bridge
from bot.text.lang import detect_lang
from bot.text.tokenize import add_words, tokenize

logger = logging.getLogger(__name__)

# Part of the index fingerprint: bump it when tokenisation or the indexed text changes, and the
# next ingest rebuilds the keyword index by itself.
FORMS_MEMO = 50_000   # tokens whose forms are kept (a few MB); not tuned
RECIPE = "7"   # 6: English stems and stopwords, the one sentence splitter, the bilingual bridge;
#   7: the bridge translates single-character nouns
class KeywordIndex:
    """BM25 over the chunks, plus each chunk's text and metadata (`records`), so that a keyword hit
    needs no round trip to the vector store and filters can be applied to the scores directly."""

    def __init__(self, ids: list[str], bm25, words: list[str], fingerprint: str, records: list[dict],
                 bridge: dict[str, list[str]] | None = None) -> None:
        self.ids = ids
        self.bm25 = bm25
        self.words = words
        self.fingerprint = fingerprint
        self.records = records
        self._pos = {cid: i for i, cid in enumerate(ids)}
        self._df: np.ndarray | None = None
        # Per-record codes of doc_id and speaker, built on first use, so filters are numpy
        # operations instead of a Python loop over every record (100k records: ~20 ms -> <1 ms).
        self._codes: dict[str, tuple[dict[str, int], np.ndarray]] = {}
        self._doc_of_code: dict[int, str] | None = None
        self._id_array: np.ndarray | None = None
        self._turns: dict[str, list[tuple[int, int, int]]] | None = None
        self.bridge = bridge or {}   # question token -> the corpus's words that translate it
        self._langs: np.ndarray | None = None
        self._languages: list[str] | None = None
        # forms() per token: a question asks for each of its words' forms ~20 times (sides, gloss,
        # checks, the answer), and the index never changes once loaded
        self._forms: dict[str, tuple[str, ...]] = {}

    # --- languages and spellings -------------------------------------------------------------
    def langs(self) -> np.ndarray:
        """Each chunk's language ('zh' / 'en', by its own text), as an array over `ids`."""
        if self._langs is None:
            self._langs = np.array([r.get("lang") or detect_lang(r.get("text", "")) for r in self.records],
                                   dtype=object)
        return self._langs

    def languages(self) -> list[str]:
        """The languages of the corpus, most passages first. Kept: every search asks (np.unique over
        100k passages' languages costs ~30 ms), and an index never changes once open."""
        if self._languages is None:
            values, counts = np.unique(self.langs(), return_counts=True) if self.ids else ([], [])
            self._languages = [str(v) for _, v in sorted(zip(counts, values), key=lambda x: -x[0])]
        return self._languages

    def forms(self, token: str, alone: bool = True) -> tuple[str, ...]:
        """A question token in every spelling the index may hold: itself, the other spellings of a
        name, and its translations that the corpus holds. `alone=False`: a single character that is
        part of a word jieba cut apart (`bot.text.tokenize.loose_runs`), not translated on its own."""
        if not alone and len(token) == 1:
            return tuple(dict.fromkeys(alias_forms(token)))
        if (known := self._forms.get(token)) is not None:
            return known
        out = dict.fromkeys(alias_forms(token))
        for f in list(out):
            out.update(dict.fromkeys(self.bridge.get(f, ())))
        # Another spelling in Chinese (a name's: ByteDance → 字节跳动; a translation's) is cut as
        # the corpus's words and a Chinese question's are (jieba search mode), its parts of two
        # characters or more joining it: a passage saying 字节 for ByteDance then counts, as it
        # would had the question been asked in Chinese.
        vocab = self.bm25.vocab_dict
        for f in list(out)[1:]:
            if not f.isascii():
                out.update(dict.fromkeys(p for p in tokenize(f) if p != f and len(p) > 1 and p in vocab))
        if len(self._forms) >= FORMS_MEMO:
            self._forms.clear()   # a long-running server meets ever new words: bounded
        self._forms[token] = found = tuple(out)
        return found

    def question_forms(self, loose: Collection[str] = ()) -> Callable[[str], tuple[str, ...]]:
        """`forms` for one question: its characters in `loose` (those of words jieba cut apart) are
        not translated on their own."""
        if not loose:
            return self.forms
        return lambda t: self.forms(t, t not in loose)

    def groups(self, tokens: list[str], loose: Collection[str] = ()) -> list[tuple[str, ...]]:
        """The question's words as groups of spellings (see `forms`; `loose` as `question_forms`),
        each word once; two adjacent English words that translate as one Chinese word ("computing
        power" → 算力) add a group."""
        forms = self.question_forms(loose)
        out: list[tuple[str, ...]] = []
        seen: set[str] = set()
        for t in tokens:
            if t not in seen:
                seen.add(t)
                out.append(forms(t))
        out.extend(self.phrases(tokens).values())
        return out

    def phrases(self, tokens: list[str]) -> dict[str, tuple[str, ...]]:
        """Two adjacent English words of a question that translate as one word the corpus holds:
        {"busi model": ("商业模式",)} for "business models" (the words alone give 业务, 模型)."""
        out: dict[str, tuple[str, ...]] = {}
        for a, b in zip(tokens, tokens[1:]):
            phrase = self.bridge.get(f"{a} {b}") if a.isascii() and b.isascii() else None
            if phrase:
                out[f"{a} {b}"] = tuple(phrase)
        return out

    def idf(self, token: str) -> float | None:
        """Inverse document frequency of a token, None when no chunk contains it."""
        tid = self.bm25.vocab_dict.get(token) if self.ids else None
        if tid is None:
            return None
        if self._df is None:
            self._df = np.diff(self.bm25.scores["indptr"])
        df = int(self._df[tid])
        if df == 0:
            return None
        n = len(self.ids)
        return float(np.log((n - df + 0.5) / (df + 0.5) + 1.0))

    def position(self, cid: str) -> int | None:
        """The chunk's row in `ids` (and in masks from `mask_where`), None if unknown."""
        return self._pos.get(cid)

    def record(self, cid: str) -> dict | None:
        i = self._pos.get(cid)
        return None if i is None else self.records[i]

    def node(self, cid: str, score: float) -> NodeWithScore:
        """The chunk as a LlamaIndex node (text and metadata from its record), with `score`: the one
        record -> node conversion, for the keyword side, the sentence side and the reply lift."""
        rec = self.record(cid) or {}
        meta = {k: v for k, v in rec.items() if k != "text"}
        return NodeWithScore(node=TextNode(id_=cid, text=rec.get("text", ""), metadata=meta), score=score)

    def _order(self, rec: dict) -> list[tuple[int, int, int]]:
        """(turn, part, row) of every chunk of `rec`'s document, in reading order."""
        if self._turns is None:
            turns: dict[str, list[tuple[int, int, int]]] = {}
            for j, r in enumerate(self.records):
                turns.setdefault(r.get("doc_id", ""), []).append((int(r.get("turn", 0)), int(r.get("part", 0)), j))
            self._turns = {d: sorted(v) for d, v in turns.items()}
        return self._turns.get(rec.get("doc_id", ""), [])

    def reply_to(self, cid: str) -> str | None:
        """The first chunk of the turn that follows chunk `cid` in its document: the answer, when
        `cid` is a question."""
        i = self._pos.get(cid)
        if i is None:
            return None
        rec = self.records[i]
        order = self._order(rec)
        k = bisect.bisect_left(order, (int(rec.get("turn", 0)) + 1, -1, -1))
        return self.ids[order[k][2]] if k < len(order) else None

    def next_part(self, cid: str) -> str | None:
        """The chunk after `cid` within the same turn (the same speaker going on), None at a turn's end."""
        i = self._pos.get(cid)
        if i is None:
            return None
        rec = self.records[i]
        order = self._order(rec)
        turn = int(rec.get("turn", 0))
        k = bisect.bisect_right(order, (turn, int(rec.get("part", 0)), i))
        return self.ids[order[k][2]] if k < len(order) and order[k][0] == turn else None

    def mask_where(self, docs: Iterable[str] = (), speakers: Iterable[str] = ()) -> np.ndarray:
        """Boolean mask over `ids` of the chunks in any of `docs` and by any of `speakers`
        (an empty list means no restriction)."""
        mask = np.ones(len(self.ids), dtype=bool)
        for key, wanted in (("doc_id", set(docs)), ("speaker", set(speakers))):
            if wanted:
                values, codes = self._field_codes(key)
                mask &= np.isin(codes, [values[v] for v in wanted if v in values])
        return mask

    def ids_at(self, mask: np.ndarray) -> list[str]:
        if self._id_array is None:
            self._id_array = np.array(self.ids, dtype=object)
        return list(self._id_array[mask])

    def _field_codes(self, key: str) -> tuple[dict[str, int], np.ndarray]:
        if key not in self._codes:
            values: dict[str, int] = {}
            codes = np.fromiter((values.setdefault(r[key], len(values)) for r in self.records),
                                dtype=np.int64, count=len(self.records))
            self._codes[key] = (values, codes)
        return self._codes[key]

    @classmethod
    def build(cls, ids: Sequence[str], texts: Sequence[str], words: Iterable[str], fingerprint: str,
              records: Sequence[dict]) -> KeywordIndex:
        import bm25s

        words = sorted(set(words))
        add_words(words)
        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs each build at DEBUG to stderr
        bm25 = bm25s.BM25()
        corpus = [tokenize(t) or ["∅"] for t in texts]
        if corpus:
            bm25.index(corpus, show_progress=False)
        bridge = make_bridge(bm25.vocab_dict) if corpus else {}
        return cls(list(ids), bm25, words, fingerprint, list(records), bridge)

    def docs_holding(self, forms: tuple[str, ...]) -> set[str]:
        """The interviews with a passage that holds any of `forms` (index tokens)."""
        s = self.scores([forms])
        if s is None:
            return set()
        values, codes = self._field_codes("doc_id")
        if self._doc_of_code is None:   # built once: a question asks this for each of its names
            self._doc_of_code = {code: doc for doc, code in values.items()}
        return {self._doc_of_code[int(c)] for c in np.unique(codes[s > 0])}

    def scores(self, groups: list[tuple[str, ...]]) -> np.ndarray | None:
        """BM25 of every chunk for the question's word groups: each group scores the best of its
        spellings (a synonym set), the groups add up. None when no spelling is in the index."""
        vocab = self.bm25.vocab_dict
        total: np.ndarray | None = None
        for group in groups:
            present = [f for f in dict.fromkeys(group) if f in vocab]
            if not present:
                continue
            s = np.asarray(self.bm25.get_scores([present[0]]), dtype=np.float32)
            for f in present[1:]:
                s = np.maximum(s, np.asarray(self.bm25.get_scores([f]), dtype=np.float32))
            total = s if total is None else total + s
        return total

    def search(self, query: str, top_k: int = 20, allowed: set[str] | np.ndarray | None = None,
               tokens: list[str] | None = None, groups: list[tuple[str, ...]] | None = None) -> list[tuple[str, float]]:
        """BM25 top hits, restricted to `allowed` (ids, or a mask from `mask_where`) if given.
        `tokens`: the query already segmented (`tokenize(query)`), to skip doing it again;
        `groups`: its words with their spellings (`groups`), to skip that too."""
        if not self.ids:
            return []
        if groups is None:
            groups = self.groups(tokenize(query) if tokens is None else tokens)
        scores = self.scores(groups)
        if scores is None:
            return []
        if allowed is not None:
            if isinstance(allowed, np.ndarray):
                mask = allowed
            else:
                mask = np.zeros(len(self.ids), dtype=bool)
                for cid in allowed:
                    i = self._pos.get(cid)
                    if i is not None:
                        mask[i] = True
            scores = np.where(mask, scores, 0.0)
        k = min(top_k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]

    # --- persistence -------------------------------------------------------------------------
    def save(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=root))
        if self.ids:
            self.bm25.save(str(tmp / "bm25"))
        (tmp / "ids.json").write_text(json.dumps({"ids": self.ids, "words": self.words, "records": self.records,
                                                   "bridge": self.bridge}, ensure_ascii=False))
        final = root / self.fingerprint
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
        cur_tmp = root / ".CURRENT.tmp"
        cur_tmp.write_text(self.fingerprint)
        os.replace(cur_tmp, root / "CURRENT")  # the switch is one atomic rename
        for old in root.iterdir():  # older indexes and leftovers of killed builds
            if old.is_dir() and old.name != self.fingerprint:
                shutil.rmtree(old, ignore_errors=True)

    @staticmethod
    def current_fingerprint(root: Path) -> str | None:
        try:
            return (root / "CURRENT").read_text().strip() or None
        except OSError:
            return None

    @classmethod
    def load(cls, root: Path) -> KeywordIndex | None:
        fp = cls.current_fingerprint(root)
        if not fp or not (root / fp / "ids.json").exists():
            return None
        import bm25s

        meta = json.loads((root / fp / "ids.json").read_text())
        add_words(meta["words"])
        bm25 = bm25s.BM25.load(str(root / fp / "bm25")) if meta["ids"] else bm25s.BM25()
        return cls(meta["ids"], bm25, meta["words"], fp, meta["records"], meta.get("bridge"))
