"""The one sentence splitter, for ingest (chunk borders, sentence vectors) and the bot (quotes,
citations), so that a sentence vector's span and a quote's span are the same span.

Rules are chosen by the text around each candidate end, not by the corpus, so English, Chinese
and mixed passages split correctly side by side:
- 。！？!? and line breaks always end a sentence; ； (and ";" after a Chinese character) too.
- "." ends a sentence before a space, a line break, the end or a Chinese character; not inside a
  number or a name ("3.5", "GPT-3.5", "Character.AI"), not after a title or a single initial
  ("Mr. Smith", "J. K. Rowling"), not after a dotted abbreviation ("U.S.", "e.g."), not before a
  lower-case word ("approx. five"), and not after a list number at the start ("6.云端模型").
- "…" / "..." end a sentence only before a capital, a Chinese character after a space, a line
  break or the end: "……" inside a Chinese sentence or "well... you know" do not.
- Closing quotes and brackets after an end belong to the sentence they close.
Long sentences are cut into pieces after commas so that an answer never quotes a paragraph:
Chinese ones past `MAX_ZH` characters (a Chinese character carries about a word), English ones
only past `MAX_EN` (a spoken English sentence is often 200+ characters, and a piece of it reads
as a fragment).
"""

from __future__ import annotations

import re

from bot.text.lang import detect_lang

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff]")
_LATIN = re.compile(r"[A-Za-z]")
_ALWAYS_END = set("。！？!?；")
_CANDIDATES = _ALWAYS_END | set("\n;….")
_CLOSERS = set("”’」』）)】\"'")
_CLAUSE_END_ZH = set("，,、:：;；")
_CLAUSE_END_EN = set(",;:")
# Words a period follows without ending the sentence, because a name or number comes next.
_TITLES = frozenset(
    "mr mrs ms dr prof sr jr st mt gen col capt lt sgt rev hon gov sen rep pres vs cf fig figs vol "
    "pp ca approx no nos jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
MAX_ZH, PIECE_ZH = 150, 100   # characters: Chinese sentences longer than MAX_ZH are cut in ~PIECE_ZH pieces
MAX_EN, PIECE_EN = 450, 300   # the same for English sentences (whole sentences read far better)


def _word_before(text: str, i: int) -> str:
    """The run of letters and dots that ends at text[i] (exclusive): "U.S" before the last "."."""
    j = i
    while j > 0 and (text[j - 1].isalpha() and text[j - 1].isascii() or text[j - 1] == "."):
        j -= 1
    return text[j:i]


def _skip(text: str, i: int, chars: set[str] | str) -> int:
    while i < len(text) and text[i] in chars:
        i += 1
    return i


def _period_ends(text: str, i: int, start: int) -> bool:
    """Whether the "." at text[i] ends the sentence that began at `start`."""
    n = len(text)
    after = _skip(text, i + 1, _CLOSERS)
    if after < n and not (text[after].isspace() or _CJK.match(text[after])):
        return False                                  # "3.5", "Character.AI", "GPT-3.5"
    if text[start:i].strip().isdigit():
        return False                                  # "6.云端模型": a list number, not a sentence
    if i == 0 or not _LATIN.match(text[i - 1]):
        return True                                   # after a Chinese character, a digit, a bracket
    word = _word_before(text, i)
    bare = word.strip(".").lower()
    if bare in _TITLES or "." in word.strip("."):
        return False                                  # "Mr. Smith", "U.S.", "e.g."
    if len(word) == 1 and word.isupper() and word != "I":
        return False                                  # an initial: "J. K. Rowling"
    nxt = _skip(text, after, " \t")
    if nxt < n and text[nxt].islower() and text[nxt].isascii():
        return False                                  # English sentences start with a capital
    return True


def _ellipsis_ends(text: str, after: int) -> bool:
    """An ellipsis ending at `after` ends a sentence only before a line break, the end, or a
    space followed by a capital, a digit, an opening quote or a Chinese character."""
    n = len(text)
    if after >= n or text[after] == "\n":
        return True
    if not text[after].isspace():
        return False
    nxt = _skip(text, after, " \t")
    return nxt >= n or text[nxt] == "\n" or text[nxt].isupper() or bool(_CJK.match(text[nxt])) \
        or text[nxt] in "“「『\"'("


def _ends_at(text: str, i: int, start: int) -> int | None:
    """If a sentence ends with the punctuation at text[i], the offset after it (closers included)."""
    ch = text[i]
    if ch == "\n":
        return i + 1
    if ch in _ALWAYS_END:
        return _skip(text, i + 1, _ALWAYS_END | _CLOSERS)
    if ch == ";":
        j = i - 1
        while j >= start and text[j].isspace():
            j -= 1
        return _skip(text, i + 1, _CLOSERS) if j >= start and _CJK.match(text[j]) else None
    if ch in ".…" and i > start and text[i - 1] in ".…":
        return None                                   # inside an ellipsis, decided at its first dot
    if ch == "…" or (ch == "." and text.startswith("...", i)):
        after = _skip(text, i, "….")
        after = _skip(text, after, _CLOSERS)
        return after if _ellipsis_ends(text, after) else None
    if ch == "." and _period_ends(text, i, start):
        return _skip(text, _skip(text, i + 1, "."), _CLOSERS | _ALWAYS_END)
    return None


def sentence_spans(text: str, start: int = 0, end: int | None = None, pieces: bool = True) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences of text[start:end], whitespace-trimmed, offsets into
    `text`. With `pieces` (for quoting), long sentences come in pieces cut after commas and spans
    holding no word character are dropped; without (for packing chunks), whole, and every one."""
    end = len(text) if end is None else end
    raw: list[tuple[int, int]] = []
    s, i = start, start
    while i < end:
        stop = _ends_at(text, i, s) if text[i] in _CANDIDATES else None
        if stop is not None:
            stop = min(stop, end)
            raw.append((s, stop))
            s = i = stop
        else:
            i += 1
    if s < end:
        raw.append((s, end))
    out: list[tuple[int, int]] = []
    for a, b in raw:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a and pieces and re.search(r"\w", text[a:b]):
            out.extend(_pieces(text, a, b))
        elif b > a and not pieces:
            out.append((a, b))   # packing chunks keeps every character, punctuation alone too
    return out


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences of `text`, long ones in pieces: what a quote is."""
    return sentence_spans(text)


def _pieces(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """An over-long sentence cut after clause ends into pieces of about PIECE characters."""
    english = detect_lang(text[s:e]) == "en"
    limit, piece, ends = (MAX_EN, PIECE_EN, _CLAUSE_END_EN) if english else (MAX_ZH, PIECE_ZH, _CLAUSE_END_ZH)
    if e - s <= limit:
        return [(s, e)]
    out: list[tuple[int, int]] = []
    cur, last_cut = s, None
    for i in range(s, e):
        if text[i] in ends and (i + 1 == e or text[i + 1].isspace() if english
                                else not (text[i - 1].isdigit() and i + 1 < e and text[i + 1].isdigit())):
            if i + 1 - cur > piece and last_cut is not None:
                out.append((cur, last_cut))
                cur = last_cut
            last_cut = i + 1
    if e - cur > piece and last_cut is not None and last_cut > cur and e - last_cut > 10:
        out.append((cur, last_cut))
        cur = last_cut
    out.append((cur, e))
    trimmed = []
    for a, b in out:
        while a < b and text[a].isspace():
            a += 1
        while b > a and (text[b - 1].isspace() or text[b - 1] in "，,、"):
            b -= 1
        if b > a:
            trimmed.append((a, b))
    return trimmed


SENTENCE_MIN = 20  # characters: shorter sentences ("对。", "Yes.") join the next one


def sentence_units(text: str) -> list[tuple[int, int]]:
    """The sentences of `text` (a passage) as embedded for sentence vectors: `split_sentences`'s
    spans, a short one joined to the next (so every quote lies inside one unit). An answer one
    sentence long inside a 300-character turn about other things is found by its own vector."""
    units: list[list[int]] = []
    cur: list[int] | None = None
    for s, e in split_sentences(text):
        cur = [s, e] if cur is None else [cur[0], e]
        if e - cur[0] >= SENTENCE_MIN:
            units.append(cur)
            cur = None
    if cur is not None:
        if units:
            units[-1][1] = cur[1]
        else:
            units.append(cur)
    return [(s, e) for s, e in units]
