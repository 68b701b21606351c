"""Who says what: split cleaned text (one paragraph per line, see ingest.clean) into `Turn`s.

Four layouts are recognised, and one is chosen per document by counting label hits:
  prefix   — "名字:" / "名字：" at a paragraph start (also `**Name:**`, `### Name:`, role labels
             such as "Q:" or "记者（新华社）："); unlabelled paragraphs continue the last speaker;
  lines    — the name alone on its own line (its time, if any, already taken out by
             ingest.timestamps) before the paragraphs;
  single   — nobody is named, but the manifest says who speaks: every paragraph is theirs;
  unmarked — nobody is named and nobody is known (raw ASR): the words are speech by no one in
             particular, never credited to a person, to "the editor" or to "the speaker".
Label shapes and roles are in ingest.layouts; which labels are speakers (manifest names, role
labels, recurring name-like labels, never a title line such as "拾象科技李广密:硅谷…") in
ingest.labels; paragraphs and heading shapes in ingest.paragraphs. Editor text is kept apart:
an "观点提炼:" summary block is kind "summary"; intros before the first label, "更新:" notes,
image captions, block quotes, sponsor reads and tables of contents are "narration"; section
headings (and paragraphs the markup marks as headings) are "heading" and set `section` on the
turns that follow. Offsets exclude the label, so text[start:end] is the words.
"""

from __future__ import annotations

import logging
import re
from collections import Counter

from bot.index.documents import DocMeta, Turn
from ingest.labels import PREFIX, SpeakerNames, line_label, prefix_label
from ingest.layouts import LayoutReport, clean_label, continues_sponsor, is_sponsor, sponsor_brand
from ingest.manifest import name_key
from ingest.paragraphs import NUM_ONLY, Para, is_numbered_heading, is_short_heading, paragraphs

log = logging.getLogger(__name__)

# "观点提炼:" alone, or followed by the summary itself on the same line
_SUMMARY_MARK = re.compile(r"(?:观点提炼|觀點提煉|要点提炼|要點提煉|核心观点|核心觀點|内容提要|內容提要|本文要点|本文要點"
                           r"|划重点|劃重點|摘要|TL;?DR)\s*(?:[:：]|$)", re.I)
_LIST_ITEM = re.compile(r"(?:\d{1,2}\s*[.、．)）]|[①-⑳]|[一二三四五六七八九十]{1,3}[、.．])")
_TOC_MARK = re.compile(r"(?:目录|目錄|contents)\s*[:：]?$", re.I)
_EDITOR_NOTE = re.compile(r"[【\[(（]?\s*(?:更新|编者注|編者注|编者按|編者按|编注|編注|注|备注|備註|update|editor'?s note)\s*[:：]", re.I)
# A line of an export's header: keywords, date, attendees. Not a section, not speech.
_META_LINE = re.compile(r"(?:关键词|關鍵詞|keywords|tags|标签|標籤|日期|date|时间|時間|time|地点|地點|location"
                        r"|参会人|參會人|与会者|與會者|参与人|參與人|attendees|participants|录音时长|錄音時長|duration)\s*[:：]", re.I)
_CAPTION = re.compile(r"(?:^|[|｜\s])(?:图片来源|圖片來源|图源|圖源|图片|圖片|摄影|攝影)[:：]")
_BRACKETED = re.compile(r"[【\[(（][^】\])）]*[】\])）]")
_NOT_AFTER_NAME = "说說认認表指提对對在是也的和与與跟及就还還则則等们們"


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
    paras = paragraphs(text)
    if not paras:
        return [], LayoutReport(layout="unmarked", why="no text")
    names = SpeakerNames(paras, meta, strict)
    hits_prefix = sum(1 for p in paras if names.get(prefix_label(p.text)))
    hits_line = sum(1 for p in paras if names.get(line_label(p.text)))
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


def _label(p: Para, names: SpeakerNames, layout: str, prev: Para | None,
           started: bool = True) -> tuple[str, int] | None:
    """(speaker, offset where the words start) if `p` carries a speaker label. `started`: some
    speaker has spoken already (before that, "Name: role" lines of a lines-layout file are its
    guest list, not turns)."""
    if layout not in ("lines", "prefix"):
        return None
    # Either shape in either layout: exports mix them ("Name 0:05" lines, then "Name: words" rows).
    who = names.get(line_label(p.text))
    if who:
        return who, p.end
    m = PREFIX.match(p.text)
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


def _classify(paras: list[Para], names: SpeakerNames, layout: str, single: str | None, meta: DocMeta,
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
            if not (is_numbered_heading(p.text) and num and int(num.group(0)) not in toc_seen):
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
        elif is_numbered_heading(p.text) or (not unlabelled and is_short_heading(p.text) and nxt is not None
                                               and _label(nxt, names, layout, None) is not None):
            p.kind = "heading"
            section = p.text
            # "01" on its own line followed by its title line: one heading, one section name
            if NUM_ONLY.fullmatch(p.text) and nxt is not None and is_short_heading(nxt.text) \
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


def _opening_question(paras: list[Para], names: SpeakerNames) -> None:
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


def _merge(paras: list[Para]) -> list[Turn]:
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
