"""Who says what: split cleaned text (one paragraph per line, see ingest.clean) into `Turn`s.

Four layouts are recognised, and one is chosen per document by counting label hits:
  prefix   — "名字:" / "名字：" at a paragraph start (also `**Name:**`, `### Name:`, role labels
             such as "Q:" or "记者（新华社）："); unlabelled paragraphs continue the last speaker;
  lines    — the name alone on its own line (its time, if any, already taken out by
             ingest.timestamps) before the paragraphs;
  single   — nobody is named, but the manifest says who speaks: every paragraph is theirs;
  unmarked — nobody is named and nobody is known (raw ASR): the words are speech by no one in
             particular, never credited to a person, to "the editor" or to "the speaker".
Label shapes and roles are in ingest.layouts. A label counts only if it is a manifest
name/alias, a role label, or (no speakers in the manifest) a name-like label that recurs at
least `_MIN_RECUR` times, so title lines such as "拾象科技李广密:硅谷…"
or headings such as "谈生态:…" are never taken for a speaker. Editor text is kept apart:
an "观点提炼:" summary block is kind "summary"; intros before the first label, "更新:" notes,
image captions, block quotes, sponsor reads and tables of contents are "narration"; section
headings (and paragraphs the markup marks as headings) are "heading" and set `section` on the
turns that follow. Offsets exclude the label, so text[start:end] is the words.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass

from bot.index.documents import DocMeta, Turn
from ingest.layouts import (
    LayoutReport,
    clean_label,
    continues_sponsor,
    is_sponsor,
    looks_like_name,
    role_label,
    sponsor_brand,
)
from ingest.manifest import name_key

log = logging.getLogger(__name__)

_MIN_RECUR = 3
_MAX_HEADING = 50
# A label at a paragraph's start, markup around it allowed: "名字:", "**Name:**", "**Name**:", "### 名字："
_PREFIX = re.compile(r"(?:#{1,6}\s+|>\s*)*(?:\*\*|__)?\s*([^:：\n*]{1,30}?)\s*(?:\*\*|__)?\s*[:：]\s*(?:\*\*|__)?\s*")
_TIMESTAMP = re.compile(r"\s*[(（\[]?\d{1,2}:\d{2}(?::\d{2})?[)）\]]?$")
# "观点提炼:" alone, or followed by the summary itself on the same line
_SUMMARY_MARK = re.compile(r"(?:观点提炼|觀點提煉|要点提炼|要點提煉|核心观点|核心觀點|内容提要|內容提要|本文要点|本文要點"
                           r"|划重点|劃重點|摘要|TL;?DR)\s*(?:[:：]|$)", re.I)
_LIST_ITEM = re.compile(r"(?:\d{1,2}\s*[.、．)）]|[①-⑳]|[一二三四五六七八九十]{1,3}[、.．])")
_TOC_MARK = re.compile(r"(?:目录|目錄|contents)\s*[:：]?$", re.I)
_EDITOR_NOTE = re.compile(r"[【\[(（]?\s*(?:更新|编者注|編者注|编者按|編者按|编注|編注|注|备注|備註|update|editor'?s note)\s*[:：]", re.I)
# A numbered speaker label of a meeting recorder or ASR tool: "说话人 1", "Speaker 2", "SPEAKER_01".
_NUMBERED_SPEAKER = re.compile(r"(?:说话人|說話人|发言人|發言人|讲话人|講話人|speaker|spk|person|参会人|參會人)\s*_?\s*\d{1,2}", re.I)
# A line of an export's header: keywords, date, attendees. Not a section, not speech.
_META_LINE = re.compile(r"(?:关键词|關鍵詞|keywords|tags|标签|標籤|日期|date|时间|時間|time|地点|地點|location"
                        r"|参会人|參會人|与会者|與會者|参与人|參與人|attendees|participants|录音时长|錄音時長|duration)\s*[:：]", re.I)
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
    """Label → canonical name, from the manifest, role labels, or recurring name-like labels.

    `strict`: the manifest lists the file's speakers, so no other label is taken (a recurring
    one is logged and reported as ignored). Front-matter people are known names but not strict.
    """

    def __init__(self, paras: list[_Para], meta: DocMeta, strict: bool = True) -> None:
        self.keys: dict[str, str] = {}
        self.roles: dict[str, str] = {}
        self.stated: dict[str, tuple[str, str]] = {}    # name -> (role, why) a label states
        self.written: dict[str, str] = {}               # label as written -> name, for the report
        self.ignored: dict[str, int] = {}
        for sp in meta.speakers:
            self.roles[sp.name] = sp.role
            for label in [sp.name, *sp.aliases]:
                if len(name_key(label)) >= 2:
                    self.keys[name_key(label)] = sp.name
        prefixes = Counter(lab for p in paras if (lab := _prefix_label(p.text)))
        lines = Counter(lab for i, p in enumerate(paras) if (lab := _line_label(p.text))
                        and i + 1 < len(paras) and not _name_line(paras[i + 1].text))
        self._role_labels(prefixes + Counter(lab for p in paras if (lab := _line_label(p.text, colon=True))), meta)
        if strict and meta.speakers:
            for lab, n in (prefixes + lines).items():
                if n >= _MIN_RECUR and name_key(lab) not in self.keys and looks_like_name(lab):
                    log.warning("label %r recurs %d times but is not in the manifest: not treated as a speaker", lab, n)
                    self.ignored[lab] = n
            return
        # A label counts in either shape ("Name: words" and "Name" alone on a line), but a line
        # that is only a word must look like a name to count (lines such as "Yeah" recur too).
        ok = {lab: n for lab, n in (prefixes + lines).items()
              if name_key(lab) and not _is_numbered_heading(lab)
              and looks_like_name(lab, alone=prefixes[lab] < _MIN_RECUR and lines[lab] > 0)}
        # Once a label recurs `_MIN_RECUR` times the file is labelled. In a file whose speakers
        # stand alone on their lines, one who speaks only twice that way is a speaker too;
        # numbered speaker labels ("Speaker 3", "发言人 2") count from their first appearance.
        # Otherwise a label needs `_MIN_RECUR` ("公众号" twice in a footer is no speaker).
        established = any(n >= _MIN_RECUR for n in ok.values())
        by_lines = any(lines[lab] >= _MIN_RECUR for lab in ok)
        for lab, n in ok.items():
            if n >= _MIN_RECUR or (established and _NUMBERED_SPEAKER.fullmatch(lab)) \
                    or (by_lines and lines[lab] >= 2 and _short_name(lab)):
                self.keys.setdefault(name_key(lab), lab)

    def _role_labels(self, counts: Counter[str], meta: DocMeta) -> None:
        """Q:/A:, 主持人, 记者（新华社）… count when role labels occur at least twice in the file
        (a single "Q:" in prose is not an interview). Q/A take the name of the file's one host or
        guest when it has exactly one."""
        found = {lab: rl for lab in counts if (rl := role_label(lab)) is not None}
        if sum(counts[lab] for lab in found) < 2:
            return
        for lab, (role, kind) in found.items():
            if name_key(lab) in self.keys:
                continue
            same = [sp.name for sp in meta.speakers if sp.role == role]
            name = same[0] if kind in ("q", "a") and len(same) == 1 else lab
            self.keys[name_key(lab)] = name
            self.stated.setdefault(name, (role, f"role label {lab!r}"))

    def get(self, label: str | None) -> str | None:
        if not label:
            return None
        who = self.keys.get(name_key(label))
        if who is not None:
            self.written.setdefault(label, who)
        return who


def _short_name(label: str) -> bool:
    """A label short enough to be only a name: at most 6 Chinese characters, or a few capitalised
    words ("未知的东西有这么两个:" is a sentence's start, not a person)."""
    if re.search(r"[\u3400-\u9fff]", label):
        return len(label.replace(" ", "")) <= 6
    return looks_like_name(label, alone=True)


def _name_line(text: str) -> bool:
    label = _line_label(text)
    return bool(label) and looks_like_name(label, alone=True)


def _prefix_label(text: str) -> str | None:
    m = _PREFIX.match(text)
    return clean_label(m.group(1))[0] or None if m else None


def _line_label(text: str, colon: bool = False) -> str | None:
    """The whole paragraph as a name: "Yizhou Zheng01:46:42" → "Yizhou Zheng", "**Lex**" → "Lex".
    `colon`: only when the line ends with a colon ("Q:" alone on its line)."""
    body = _TIMESTAMP.sub("", text).strip()
    if colon and not body.rstrip("*_ ").endswith((":", "：")):
        return None
    label = clean_label(body.rstrip("*_ ").rstrip(":："))[0].strip()
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
    return read_turns(text, meta)[0]


def read_turns(text: str, meta: DocMeta, *, strict: bool = True, headings: list[str] | None = None,
               quotes: list[str] | None = None, lang: str = "zh") -> tuple[list[Turn], LayoutReport]:
    """Turns of the cleaned `text` and the report of how they were read.

    `strict`: only the manifest's speakers are speakers (when it lists any). `headings`,
    `quotes`: paragraphs the file's markup marks as headings or block quotes. `lang`: the
    text's language ("zh" or "en"), for the report.
    """
    paras = _paragraphs(text)
    if not paras:
        return [], LayoutReport(layout="unmarked", why="no text")
    names = _Names(paras, meta, strict)
    hits_prefix = sum(1 for p in paras if names.get(_prefix_label(p.text)))
    hits_line = sum(1 for p in paras if names.get(_line_label(p.text)))
    names.written.clear()   # counted again below, for the labels actually used
    single = meta.default_speaker or (meta.speakers[0].name if len(meta.speakers) == 1 else None)
    if hits_line > hits_prefix:
        layout, why = "lines", f"{hits_line} paragraphs are a speaker's name alone on a line"
    elif hits_prefix:
        layout, why = "prefix", f"{hits_prefix} paragraphs start with a speaker label"
    elif single:
        layout, why = "single", (f"no speaker labels; the manifest names {single} as the speaker"
                                 if meta.default_speaker or strict else f"no speaker labels; the file names {single} as the speaker")
    else:
        layout, why = "unmarked", "no speaker labels and no manifest entry naming the speaker: speakers not marked"
    log.debug("layout %s (prefix hits %d, line hits %d)", layout, hits_prefix, hits_line)
    _classify(paras, names, layout, single, meta, set(headings or ()), set(quotes or ()))
    if layout == "prefix":
        _opening_question(paras, names)
    turns = _merge(paras)
    report = LayoutReport(layout=layout, why=why, labels=dict(names.written), ignored_labels=dict(names.ignored),
                          lang=lang)
    report.speakers = [{"name": n, "role": names.stated.get(n, (names.roles.get(n, "unknown"), ""))[0],
                        "why": names.stated.get(n, ("", "given" if n in names.roles else ""))[1],
                        "turns": c}
                       for n, c in Counter(t.speaker for t in turns if t.kind == "speech" and t.speaker).items()]
    if layout == "unmarked":
        report.people = [sp.name for sp in meta.speakers]
    return turns, report


def _label(p: _Para, names: _Names, layout: str, prev: _Para | None,
           started: bool = True) -> tuple[str, int] | None:
    """(speaker, offset where the words start) if `p` carries a speaker label. `started`: some
    speaker has spoken already (before that, "Name: role" lines of a lines-layout file are its
    guest list, not turns)."""
    if layout not in ("lines", "prefix"):
        return None
    # Either shape in either layout: exports mix them ("Name 0:05" lines, then "Name: words" rows).
    who = names.get(_line_label(p.text))
    if who:
        return who, p.end
    m = _PREFIX.match(p.text)
    if m and (who := names.get(clean_label(m.group(1))[0])) and (layout == "prefix" or started):
        return who, p.start + m.end()
    if layout == "lines":
        return None
    # A label that lost its colon ("李广密如果做不出来…") right after another speaker's question.
    if prev is not None and prev.kind == "speech" and prev.text[-1] in "?？":
        for key, who in names.keys.items():
            for n in range(2, min(len(p.text), 24)):
                if name_key(p.text[:n]) == key and p.text[n] not in _NOT_AFTER_NAME and not p.text[n].isspace() \
                        and who != prev.speaker and p.text[n] not in ":：":
                    log.info("speaker label without colon: %r", p.text[:n + 8])
                    return who, p.start + n
    return None


def _classify(paras: list[_Para], names: _Names, layout: str, single: str | None, meta: DocMeta,
              headings: set[str] | None = None, quotes: set[str] | None = None) -> None:
    headings, quotes = headings or set(), quotes or set()
    speaker: str | None = single if layout == "single" else None
    unlabelled = layout in ("single", "unmarked")
    section: str | None = None
    mode = ""  # "summary" or "toc" while inside such a block
    toc_seen: set[int] = set()  # a TOC ends where its first entry's number comes round again
    title = re.sub(r"\s+", "", meta.title or "")
    pending_label = False
    ad: str | None = None   # inside a sponsor read: its brand ("" when the read names none)
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
        lab = None if (i == 0 and title and re.sub(r"\s+", "", p.text) == title) else \
            _label(p, names, layout, prev, started=speaker is not None)
        if i == 0 and ((title and re.sub(r"\s+", "", p.text) == title) or (p.text in headings and lab is None)):
            p.kind = "heading"  # the document title: not a section, so `section` stays unset
        elif mode:
            p.kind = "summary" if mode == "summary" else "narration"
        elif _SUMMARY_MARK.match(p.text):
            p.kind, mode = "summary", "summary"
        elif _TOC_MARK.match(p.text):
            p.kind, mode, toc_seen = "narration", "toc", set()
        elif _EDITOR_NOTE.match(p.text) or (len(p.text) <= 60 and _CAPTION.search(p.text)) or _BRACKETED.fullmatch(p.text) \
                or (lab is None and speaker is None and _META_LINE.match(p.text)):
            p.kind = "narration"
        elif lab is not None:
            speaker, words = lab
            if words >= p.end:  # the label stands alone: the words start in the next paragraph
                p.kind, pending_label = "skip", True
            elif is_sponsor(p.text[words - p.start:]):
                p.kind, pending_label = "narration", True   # the sponsor read is nobody's words
                ad = sponsor_brand(p.text) or ""
            else:
                p.kind, p.speaker, p.words, p.new_turn = "speech", speaker, words, True
        elif p.text in headings:
            p.kind = "heading"
            section = p.text
            p.section = section
        elif p.text in quotes:
            p.kind = "narration"
        elif is_sponsor(p.text) or (ad is not None and continues_sponsor(p.text, ad)):
            p.kind, ad = "narration", sponsor_brand(p.text) or ad or ""
        elif _is_numbered_heading(p.text) or (not unlabelled and _is_short_heading(p.text) and nxt is not None
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
        elif speaker is not None or unlabelled:
            p.kind, p.speaker, p.new_turn = "speech", speaker, pending_label
        else:
            p.kind = "narration"  # editor's intro before anyone is named
        if p.kind == "speech":
            pending_label = False
            ad = None
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
