"""Every common way a model writes a passage reference, rewritten as `[n]` before citations are mapped.

Models are asked for `[1]`, and write `[1, 2]`, `[1-3]`, `【2】`, `［１０］`, `〔3〕`, `(4)`, `（4）`,
`^5^`, `<sup>5</sup>`, `[^6]` footnotes (with a `[^6]: …` definition at the end), `[段落 2]`,
`(passage 2)`, `第2段`, "passage 4 says …", or a closing "参考来源 / Sources" list. This module turns all
of them into `[n]` runs, removes footnote definitions and trailing source lists (they would cite
sentences the answer never used), and reports numbers in bracket form that point at no passage.

Forms that are also ordinary text are only read as markers where a marker stands:
- `(4)` / `（4）`: every number in it is a passage number, it is attached to the text before it
  (not at the start of a line or after a colon or comma, as an enumeration "(1) …" is) and
  followed by punctuation, a line end or another marker; "GPT(4)" or "(2023)" stay text, and an
  answer that enumerates with parentheses anywhere ("(1) 实验, (2) 训练") has no parenthesised markers.
- "第2段" / "passage 4" in running text stay as words; the sentence they are in gets `[n]` at its end.
- Nothing inside a quotation is touched except bracket markers (so a quote still matches its source).
"""

from __future__ import annotations

import re

from bot.answer.quotes import quote_spans

_NUM = r"[0-9０-９]{1,3}"
_LIST = rf"{_NUM}(?:\s*(?:[,，、;；&]|and|和|及|与|-|–|—|~|～|to|到|至)\s*{_NUM})*"
_GROUP = re.compile(rf"([ \t]*)[\[【［〔〖]\s*({_LIST})\s*[\]】］〕〗]")
_OPENERS = "[\\[【［〔〖(（]"
_CLOSERS = "[\\]】］〕〗)）]"
_LABEL = (r"(?:see|cf\.?|见|参见|参考|详见|出自|引自|据)?\s*(?:passages?|paragraphs?|sources?|refs?|references?"
          r"|excerpts?|段落|文段|片段|来源|出处|资料|引用|材料|段)\s*(?:#|no\.?|编号)?\s*[:：]?\s*")
_LABELLED = re.compile(rf"([ \t]*){_OPENERS}\s*{_LABEL}({_LIST})\s*(?:段落?)?\s*{_CLOSERS}", re.I)
_NTH_WRAPPED = re.compile(rf"([ \t]*){_OPENERS}\s*(?:见|参见|详见|据)?\s*第\s*({_LIST})\s*(?:段落?|个段落)\s*{_CLOSERS}")
_FOOTNOTE_DEF = re.compile(r"^[ \t]*\[\^[0-9]+\][:：].*(?:\n(?![ \t]*\n)(?![ \t]*\[\^).*)*\n?", re.M)
_FOOTNOTE = re.compile(r"\[\^([0-9]{1,3})\]")
_CARET = re.compile(r"\^\[([0-9]{1,3})\]|\^([0-9]{1,3})\^")
_SUP = re.compile(r"<sup>\s*\[?\s*([0-9]{1,3}(?:\s*[,，]\s*[0-9]{1,3})*)\s*\]?\s*</sup>", re.I)
_FILE_SEARCH = re.compile(r"【([0-9]{1,3})(?::[0-9]+)?†[^】]{0,40}】")
_SUPERSCRIPT = re.compile(r"(?<![A-Za-z0-9\u00b2\u00b3\u00b9\u2070-\u2079])([\u00b9\u00b2\u00b3\u2070\u2074-\u2079]+)")
_SUP_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_PAREN = re.compile(rf"(\s?)[(（]\s*({_NUM}(?:\s*[,，、\-–~]\s*{_NUM})*)\s*[)）]")
_PAREN_AFTER = re.compile(r"\s*(?:$|\n|[。，,.;；!?！？、:：)）\]】]|[\[【(（][0-9０-９])")
_NOT_ATTACHED = set("(（[【:：,，、;；\n") | {"\u3000"}
# "(1) 实验, (2) 训练", "parts (1) and (2)": a parenthesised small number followed by words.
_ENUMERATION = re.compile(r"(?<![A-Za-z0-9])[(（][ \t]*[0-9]{1,2}[ \t]*[)）][ \t]*(?![\s。，,.;；!?！？、:：)）\]】\[【(（^]|$)")
_ZH_NUM = "一二三四五六七八九十"
_WORDS = re.compile(
    rf"第\s*((?:{_NUM}|[{_ZH_NUM}]{{1,3}})(?:\s*(?:[、,，和及与]|到|至)\s*第?\s*(?:{_NUM}|[{_ZH_NUM}]{{1,3}}))*)"
    rf"\s*(?:个段落|段落|段)(?![时路距])"
    rf"|(?:段落|文段)\s*({_LIST})(?![0-9])"
    rf"|\b(?:passages?|paragraphs?|excerpts?)\s+#?({_LIST})\b",
    re.I)
_SENTENCE_END = re.compile(r"[。！？!?；;\n]|\.(?=\s|$)")
_RUN = re.compile(r"(?:\s?\[\d+\])+")

_STRONG_HEAD = ("参考来源|参考资料|参考文献|资料来源|引用来源|引用段落|引文出处|sources?|references?|citations?"
                "|cited passages|passages cited|works cited")
_SOURCES_HEAD = re.compile(
    rf"^[ \t]*(?:#{{1,6}}[ \t]*)?(?:[*_]{{1,2}})?[ \t]*({_STRONG_HEAD}|来源|出处|引用|参考)[ \t]*(?:[*_]{{1,2}})?"
    r"[ \t]*[:：]?[ \t]*(?:[*_]{1,2})?[ \t]*(.*)$", re.I | re.M)
_BULLETED = re.compile(r"^[ \t]*(?:[-*•·]|\d{1,2}[.)、])[ \t]*\S")
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*•·][ \t]*|\d{1,2}[.)、][ \t]*)?(?:\[\^?[0-9]{1,3}\]|[\[【(（]?(?:段落|passage|source)\s*[0-9]|第\s*[0-9]+\s*段)", re.I)


def _zh_int(s: str) -> int | None:
    """"三" -> 3, "十二" -> 12, "二十" -> 20; digits (also full-width) as int()."""
    s = s.strip()
    if s.isdigit():
        return int(s)
    if not s or any(c not in _ZH_NUM for c in s):
        return None
    if s == "十":
        return 10
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_ZH_NUM.index(tens) + 1 if tens else 1) * 10 + (_ZH_NUM.index(ones) + 1 if ones else 0)
    return _ZH_NUM.index(s) + 1 if len(s) == 1 else None


def _numbers(group: str) -> list[int]:
    """"1, 3-5" -> [1, 3, 4, 5] (a range only when it is short and ascending)."""
    nums: list[int] = []
    for part in re.split(r"\s*(?:[,，、;；&]|and|和|及|与)\s*|\s*第\s*", group):
        bounds = [_zh_int(x) for x in re.split(r"\s*(?:-|–|—|~|～|to|到|至)\s*", part) if x.strip()]
        bounds = [b for b in bounds if b is not None]
        if len(bounds) == 2 and 0 < bounds[1] - bounds[0] <= 10:
            nums.extend(range(bounds[0], bounds[1] + 1))
        else:
            nums.extend(bounds)
    return nums


def _inside(spans: list[tuple[int, int, int, int]], i: int) -> bool:
    return any(s <= i < e for s, e, _, _ in spans)


def strip_source_list(text: str) -> str:
    """The answer without a closing list of its sources ("参考来源:…", "Sources: [1] …", or a block of
    lines that each begin with a marker), and without footnote definitions."""
    text = _FOOTNOTE_DEF.sub("", text)
    for m in reversed(list(_SOURCES_HEAD.finditer(text))):
        before = text[: m.start()]
        if not before.strip():
            break   # the whole answer: nothing else to keep
        rest_lines = [ln for ln in text[m.end():].splitlines() if ln.strip()]
        inline = m.group(2).strip()
        if inline and not re.fullmatch(r"(?:[\[【(（]?\s*(?:段落|passage|source)?\s*[0-9]{1,3}\s*[\]】)）]?[\s,，、;；]*)+"
                                       r"|.*[\[【][0-9]{1,3}[\]】].*", inline, re.I):
            continue   # "来源：李广密在访谈中说…" is a sentence, not a list
        # Under a weak heading ("参考:") only marker lines go; under "参考来源" / "Sources" also short
        # bulleted lines ("- 李广密,《…》"). An answer's own sentences are never list items like these.
        strong = re.fullmatch(_STRONG_HEAD, m.group(1), re.I) is not None
        if all(_LIST_ITEM.match(ln) or (strong and _BULLETED.match(ln) and len(ln.strip()) <= 80)
               for ln in rest_lines):
            return before.rstrip()
    # a last block of "[n] title" lines, after a blank line
    blocks = re.split(r"\n[ \t]*\n", text.rstrip())
    if len(blocks) > 1:
        lines = [ln for ln in blocks[-1].splitlines() if ln.strip()]
        if lines and all(_LIST_ITEM.match(ln) for ln in lines) and all(len(ln) <= 160 for ln in lines):
            return text.rstrip()[: text.rstrip().rfind(blocks[-1])].rstrip()
    return text


def normalize_markers(text: str, n_passages: int, loose: bool = True) -> tuple[str, list[int]]:
    """Rewrite every marker as `[a][b]`; drop bracketed numbers outside 1..n_passages (returned).

    With loose=False only bracket groups are rewritten (for text this program wrote itself)."""
    if loose:
        text = strip_source_list(text)
        text = _FILE_SEARCH.sub(r"[\1]", text)
        text = _FOOTNOTE.sub(r"[\1]", text)
        text = _CARET.sub(lambda m: f"[{m.group(1) or m.group(2)}]", text)
        text = _SUP.sub(lambda m: f"[{m.group(1)}]", text)
        text = _LABELLED.sub(lambda m: f"{m.group(1)}[{m.group(2)}]", text)
        text = _NTH_WRAPPED.sub(lambda m: f"{m.group(1)}[{m.group(2)}]", text)
        text = _loose_forms(text, n_passages)
    dropped: list[int] = []

    def expand(m: re.Match[str]) -> str:
        keep = []
        for n in _numbers(m.group(2)):
            if 1 <= n <= n_passages:
                if n not in keep:
                    keep.append(n)
            elif n not in dropped:
                dropped.append(n)
        # A group left empty takes its leading space with it: "claim [9]." -> "claim."
        return m.group(1) + "".join(f"[{n}]" for n in keep) if keep else ""

    return _GROUP.sub(expand, text), dropped


def _loose_forms(text: str, n: int) -> str:
    """(4), superscript digits and "第2段"/"passage 2" words, where they stand as markers."""
    valid = range(1, n + 1)

    def paren(m: re.Match[str]) -> str:
        nums = _numbers(m.group(2))
        start = m.start()
        prev = text[start - 1] if start > 0 else "\n"
        if m.group(1):   # "claim (4)." in English: the word before decides
            attached = prev not in _NOT_ATTACHED and not prev.isspace()
        else:            # "成本(4)。" but not "GPT(4)" or "f(4)"
            attached = prev not in _NOT_ATTACHED and not prev.isspace() and not (prev.isascii() and prev.isalnum())
        if (nums and all(x in valid for x in nums) and attached and _PAREN_AFTER.match(text, m.end())
                and not _inside(quotes, start + len(m.group(1)))):
            return m.group(1) + "".join(f"[{x}]" for x in nums)
        return m.group(0)

    quotes = quote_spans(text)
    # An answer that enumerates with "(1) …, (2) …" uses parentheses for that, not for citations.
    if not any(not _inside(quotes, m.start()) for m in _ENUMERATION.finditer(text)):
        text = _PAREN.sub(paren, text)

    def sup(m: re.Match[str]) -> str:
        digits = m.group(1).translate(_SUP_DIGITS)
        nums = [int(digits)] if int(digits) in valid else [int(d) for d in digits]
        if all(x in valid for x in nums) and not _inside(quotes, m.start()):
            return "".join(f"[{x}]" for x in nums)
        return m.group(0)

    quotes = quote_spans(text)
    text = _SUPERSCRIPT.sub(sup, text)
    return _cite_words(text, valid)


def _cite_words(text: str, valid: range) -> str:
    """"据第2段,李广密认为…。" -> "据第2段,李广密认为…[2]。": the words stay, the sentence gets the marker."""
    quotes = quote_spans(text)
    inserts: dict[int, list[int]] = {}
    for m in _WORDS.finditer(text):
        if _inside(quotes, m.start()):
            continue
        nums = [x for x in _numbers(next(g for g in m.groups() if g)) if x in valid]
        after = text[m.end():]
        if not nums or re.match(r"\s*[\[【［]", after):   # "段落[4]": already a marker
            continue
        end = _sentence_end(text, m.end(), quotes)
        inserts.setdefault(end, [])
        for x in nums:
            if x not in inserts[end]:
                inserts[end].append(x)
    for end in sorted(inserts, reverse=True):
        # what the sentence already cites just before its end is not repeated
        before = text[:end]
        tail = re.search(r"(?:\s?\[\d+\])+\s*$", before)
        have = {int(x) for x in re.findall(r"\d+", tail.group())} if tail else set()
        add = "".join(f"[{x}]" for x in inserts[end] if x not in have)
        text = before + add + text[end:]
    return text


def _sentence_end(text: str, i: int, quotes: list[tuple[int, int, int, int]]) -> int:
    """Where a marker for the sentence containing offset i goes: before its closing punctuation."""
    for m in _SENTENCE_END.finditer(text, i):
        if not _inside(quotes, m.start()):
            j = m.start()
            while j > i and text[j - 1] in " \t":
                j -= 1
            return j
    j = len(text)
    while j > i and text[j - 1].isspace():
        j -= 1
    return j
