"""Who says what: split cleaned text (one paragraph per line, see ingest.clean) into `Turn`s.

Three layouts are recognised, and one is chosen per document by counting label hits:
  prefix — "名字:" / "名字：" at a paragraph start; unlabelled paragraphs continue the last speaker;
  lines  — the name alone on its own line (optionally with a timestamp) before the paragraphs;
  single — nobody is named: every paragraph is `meta.default_speaker`.
A label counts only if it is a manifest name/alias, or (no speakers in the manifest) a short
label that recurs at least `_MIN_RECUR` times, so title lines such as "拾象科技李广密:硅谷…"
or headings such as "谈生态:…" are never taken for a speaker. Editor text is kept apart:
an "观点提炼:" summary block is kind "summary"; intros before the first label, "更新:" notes,
image captions and tables of contents are "narration"; section headings are "heading" and set
`section` on the turns that follow. Offsets exclude the label, so text[start:end] is the words.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass

from bot.index.documents import DocMeta, Turn
from ingest.manifest import name_key

log = logging.getLogger(__name__)

_MIN_RECUR = 3
_MAX_HEADING = 50
_PREFIX = re.compile(r"([^:：\n]{1,24}?)\s*[:：]\s*")
_TIMESTAMP = re.compile(r"\s*[(（\[]?\d{1,2}:\d{2}(?::\d{2})?[)）\]]?$")
_NOT_NAME = re.compile(r"[，,。.!！?？、;；《》「」『』()（）【】\[\]“”\"'|｜#@/\\]|^\d")
# "观点提炼:" alone, or followed by the summary itself on the same line
_SUMMARY_MARK = re.compile(r"(?:观点提炼|觀點提煉|要点提炼|要點提煉|核心观点|核心觀點|内容提要|內容提要|本文要点|本文要點"
                           r"|划重点|劃重點|摘要|TL;?DR)\s*(?:[:：]|$)", re.I)
_LIST_ITEM = re.compile(r"(?:\d{1,2}\s*[.、．)）]|[①-⑳]|[一二三四五六七八九十]{1,3}[、.．])")
_TOC_MARK = re.compile(r"(?:目录|目錄|contents)\s*[:：]?$", re.I)
_EDITOR_NOTE = re.compile(r"[【\[(（]?\s*(?:更新|编者注|編者注|编者按|編者按|编注|編注|注|备注|備註|update|editor'?s note)\s*[:：]", re.I)
_CAPTION = re.compile(r"(?:^|[|｜\s])(?:图片来源|圖片來源|图源|圖源|图片|圖片|摄影|攝影)[:：]")
_BRACKETED = re.compile(r"[【\[(（][^】\])）]*[】\])）]")
_NUM_ONLY = re.compile(r"(?:0?[1-9]|[1-9]\d)")
_NUM_HEAD = re.compile(r"(0[1-9]|[1-9]\d?)(\s*[.、．]\s*|\s+)?(\S)")
_CHAPTER = re.compile(r"第[一二三四五六七八九十\d]{1,3}(?:部分|章|节|節|讲|講|篇)")
_UNITS = "年月日号號个個亿億万萬千百%％倍秒分天岁歲点點位名家种種次条條米元块塊"
_TERMINAL = "。.!！?？;；:：…,，、"
_NOT_AFTER_NAME = "说說认認表指提对對在是也的和与與跟及就还還则則等们們"


@dataclass
class _Para:
    start: int
    end: int
    text: str
    kind: str = "narration"
    speaker: str | None = None
    words: int = 0            # offset where the words begin (after a label)
    new_turn: bool = False    # an explicit label starts a new turn even for the same speaker
    section: str | None = None


def _paragraphs(text: str) -> list[_Para]:
    out = []
    for m in re.finditer(r"[^\n]+", text):
        line = m.group(0)
        lead = len(line) - len(line.lstrip())
        body = line.strip()
        if body:
            s = m.start() + lead
            out.append(_Para(s, s + len(body), body, words=s))
    return out


class _Names:
    """Label → canonical name, from the manifest or from recurring labels."""

    def __init__(self, paras: list[_Para], meta: DocMeta) -> None:
        self.keys: dict[str, str] = {}
        self.roles: dict[str, str] = {}
        for sp in meta.speakers:
            self.roles[sp.name] = sp.role
            for label in [sp.name, *sp.aliases]:
                if len(name_key(label)) >= 2:
                    self.keys[name_key(label)] = sp.name
        prefixes = Counter(lab for p in paras if (lab := _prefix_label(p.text)))
        lines = Counter(lab for p in paras if (lab := _line_label(p.text)))
        if meta.speakers:
            for lab, n in (prefixes + lines).items():
                if n >= _MIN_RECUR and name_key(lab) not in self.keys and _looks_like_name(lab):
                    log.warning("label %r recurs %d times but is not in the manifest: not treated as a speaker", lab, n)
            return
        for lab, n in (prefixes + lines).items():
            if n >= _MIN_RECUR and _looks_like_name(lab):
                self.keys.setdefault(name_key(lab), lab)

    def get(self, label: str | None) -> str | None:
        return self.keys.get(name_key(label)) if label else None


def _looks_like_name(label: str) -> bool:
    return 2 <= len(label) <= 20 and not _NOT_NAME.search(label) and not _is_numbered_heading(label)


def _prefix_label(text: str) -> str | None:
    m = _PREFIX.match(text)
    return m.group(1).strip() if m else None


def _line_label(text: str) -> str | None:
    """The whole paragraph as a name: "Yizhou Zheng01:46:42" → "Yizhou Zheng"."""
    label = _TIMESTAMP.sub("", text).rstrip(":：").strip()
    return label if 0 < len(label) <= 30 else None


def _is_numbered_heading(text: str) -> bool:
    if len(text) > _MAX_HEADING or "。" in text or text[-1] in ",，;；:：、":
        return False
    if _NUM_ONLY.fullmatch(text) or _CHAPTER.match(text):
        return True
    m = _NUM_HEAD.match(text)
    if not m:
        return False
    num, sep, nxt = m.groups()
    if not nxt.isalpha():  # "1 + 1 = 2", "3 %": a title starts with a word
        return False
    if not sep:  # "01大语言模型": only a zero-padded number may touch its title
        return num.startswith("0")
    return not (sep.strip() == "" and nxt in _UNITS)


def _is_short_heading(text: str) -> bool:
    return len(text) <= _MAX_HEADING and "。" not in text and text[-1] not in _TERMINAL


def parse_turns(text: str, meta: DocMeta) -> list[Turn]:
    """Turns of the cleaned `text`; offsets index `text` and exclude speaker labels."""
    paras = _paragraphs(text)
    if not paras:
        return []
    names = _Names(paras, meta)
    hits_prefix = sum(1 for p in paras if names.get(_prefix_label(p.text)))
    hits_line = sum(1 for p in paras if names.get(_line_label(p.text)))
    layout = "lines" if hits_line > hits_prefix else "prefix" if hits_prefix else "single"
    single = meta.default_speaker or (meta.speakers[0].name if len(meta.speakers) == 1 else None)
    log.debug("layout %s (prefix hits %d, line hits %d)", layout, hits_prefix, hits_line)
    _classify(paras, names, layout, single, meta)
    if layout == "prefix":
        _opening_question(paras, names)
    return _merge(paras)


def _label(p: _Para, names: _Names, layout: str, prev: _Para | None) -> tuple[str, int] | None:
    """(speaker, offset where the words start) if `p` carries a speaker label."""
    if layout == "lines":
        who = names.get(_line_label(p.text))
        return (who, p.end) if who else None
    if layout != "prefix":
        return None
    m = _PREFIX.match(p.text)
    if m and (who := names.get(m.group(1).strip())):
        return who, p.start + m.end()
    # A label that lost its colon ("李广密如果做不出来…") right after another speaker's question.
    if prev is not None and prev.kind == "speech" and prev.text[-1] in "?？":
        for key, who in names.keys.items():
            for n in range(2, min(len(p.text), 24)):
                if name_key(p.text[:n]) == key and p.text[n] not in _NOT_AFTER_NAME and not p.text[n].isspace() \
                        and who != prev.speaker and p.text[n] not in ":：":
                    log.info("speaker label without colon: %r", p.text[:n + 8])
                    return who, p.start + n
    return None


def _classify(paras: list[_Para], names: _Names, layout: str, single: str | None, meta: DocMeta) -> None:
    speaker: str | None = single if layout == "single" else None
    section: str | None = None
    mode = ""  # "summary" or "toc" while inside such a block
    toc_seen: set[int] = set()  # a TOC ends where its first entry's number comes round again
    title = re.sub(r"\s+", "", meta.title or "")
    pending_label = False
    i = 0
    while i < len(paras):
        p = paras[i]
        prev = paras[i - 1] if i else None
        nxt = paras[i + 1] if i + 1 < len(paras) else None
        p.section = section
        if mode == "toc":
            num = re.match(r"\d+", p.text)
            if not (_is_numbered_heading(p.text) and num and int(num.group(0)) not in toc_seen):
                mode = ""
            elif num:
                toc_seen.add(int(num.group(0)))
        elif mode and not _LIST_ITEM.match(p.text):
            mode = ""
        if i == 0 and title and re.sub(r"\s+", "", p.text) == title:
            p.kind = "heading"  # the document title: not a section, so `section` stays unset
        elif mode:
            p.kind = "summary" if mode == "summary" else "narration"
        elif _SUMMARY_MARK.match(p.text):
            p.kind, mode = "summary", "summary"
        elif _TOC_MARK.match(p.text):
            p.kind, mode, toc_seen = "narration", "toc", set()
        elif _EDITOR_NOTE.match(p.text) or (len(p.text) <= 60 and _CAPTION.search(p.text)) or _BRACKETED.fullmatch(p.text):
            p.kind = "narration"
        elif (lab := _label(p, names, layout, prev)) is not None:
            speaker, words = lab
            if words >= p.end:  # the label stands alone: the words start in the next paragraph
                p.kind, pending_label = "skip", True
            else:
                p.kind, p.speaker, p.words, p.new_turn = "speech", speaker, words, True
        elif _is_numbered_heading(p.text) or (layout != "single" and _is_short_heading(p.text) and nxt is not None
                                               and _label(nxt, names, layout, None) is not None):
            p.kind = "heading"
            section = p.text
            # "01" on its own line followed by its title line: one heading, one section name
            if _NUM_ONLY.fullmatch(p.text) and nxt is not None and _is_short_heading(nxt.text) \
                    and _label(nxt, names, layout, None) is None:
                nxt.kind, p.end = "skip", nxt.end
                section = f"{p.text} {nxt.text}"
                i += 1
            p.section = section
        elif speaker is not None or layout == "single":
            p.kind, p.speaker, p.new_turn = "speech", speaker, pending_label
        else:
            p.kind = "narration"  # editor's intro before anyone is named
        if p.kind == "speech":
            pending_label = False
        i += 1


def _opening_question(paras: list[_Para], names: _Names) -> None:
    """An unlabelled question right before the first labelled answer is the host's, but only when
    that is unambiguous: exactly one host, and the first labelled speaker is a guest. Otherwise it
    stays narration (we do not guess who asked)."""
    first = next((k for k, p in enumerate(paras) if p.kind == "speech"), None)
    if not first:
        return
    q = paras[first - 1]
    hosts = [n for n, r in names.roles.items() if r == "host"]
    if q.kind == "narration" and q.text[-1] in "?？" and len(hosts) == 1 \
            and names.roles.get(paras[first].speaker or "") == "guest":
        q.kind, q.speaker, q.new_turn = "speech", hosts[0], True


def _merge(paras: list[_Para]) -> list[Turn]:
    turns: list[Turn] = []
    for p in paras:
        if p.kind == "skip":
            continue
        last = turns[-1] if turns else None
        same = (last is not None and not p.new_turn and p.kind != "heading" and last.kind == p.kind
                and last.speaker == p.speaker and last.section == p.section)
        if last is not None and same:
            last.end = p.end
            continue
        turns.append(Turn(index=len(turns), kind=p.kind, speaker=p.speaker if p.kind == "speech" else None,  # type: ignore[arg-type]
                          start=p.words, end=p.end, section=p.section))
    return turns
