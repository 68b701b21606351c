"""Speaker-label shapes, roles and sponsor reads: what ingest.speakers needs to read a transcript
nobody described in a manifest, and the report of what it decided.

Label shapes (each may carry a time before or after it; ingest.timestamps removes those first):
`Name:` / `名字：`, `**Name:**`, `**Name**:`, `### Name:` (markup around a label is not part of the
name), `【名字】`, `Name (host):`, role labels (`Q:`/`A:`, `问：`/`答：`, `主持人`, `Host`,
`Interviewer`, `记者`), reporter labels with an outlet (`记者（新华社）：`, `Reuters reporter:`),
and a name alone on its line. A name is clean: no markup, no colon, no time.

Roles, when no manifest gives them: a role label says it; front matter's hosts/guests say it;
otherwise the speaker who introduces another ("welcome …", "欢迎…") or, failing that, the one
who asks most of the questions is the host and the others are guests. A manifest overrides all.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from bot.text.people import pinyin_names

_MARKUP = re.compile(r"^[\s#>*_`~]+|[\s*_`~]+$")
_WRAPPED = re.compile(r"^[【\[「『《]\s*(.+?)\s*[】\]」』》]$")
_ROLE_IN_LABEL = re.compile(
    r"^(.+?)\s*[(（]\s*(host|guest|speaker|interviewer|moderator|主持人|主持|嘉宾|嘉賓|演讲者|演講者)\s*[)）]$", re.I)
_ROLE_WORD = {"host": "host", "interviewer": "host", "moderator": "host", "主持人": "host", "主持": "host",
              "guest": "guest", "嘉宾": "guest", "嘉賓": "guest", "speaker": "speaker", "演讲者": "speaker",
              "演講者": "speaker"}

# Role labels count as labels even when they occur once. "q"/"a": a question or answer marker,
# whose name is the one host or guest the file names, else the label as written.
_ROLE_LABELS: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(r"^(?:q|question|问|問|提问|提問)$", re.I), "host", "q"),
    (re.compile(r"^(?:a|answer|答|回答)$", re.I), "guest", "a"),
    (re.compile(r"^(?:host|moderator|interviewer|主持人|主持|采访者|採訪者|提问者|提問者|访谈者|訪談者)$", re.I), "host", "label"),
    (re.compile(r"^(?:guest|interviewee|嘉宾|嘉賓|受访者|受訪者)$", re.I), "guest", "label"),
    # a reporter, with or without an outlet before or after: 记者 / 新华社记者 / 记者（新华社）/ CNN reporter
    (re.compile(r"^(?:[\w .&'-]{0,24}?\s*)?(?:记者|記者|reporter|journalist|correspondent)"
                r"(?:\s*[(（][^()（）]{1,24}[)）]|\s+[\w.&'-]{1,24})?$", re.I), "host", "reporter"),
]

# Whole lines and prefixes that are words, not people: "Note:", "好的", "Yeah".
_NOT_A_NAME = {
    "note", "notes", "update", "edit", "example", "source", "sources", "link", "links", "tags", "keywords",
    "summary", "transcript", "time", "date", "location", "ps", "p.s", "tldr", "warning", "disclaimer",
    "注", "备注", "備註", "注释", "注釋", "来源", "來源", "链接", "鏈接", "时间", "時間", "地点", "地點", "日期",
    "标签", "標籤", "关键词", "關鍵詞", "摘要", "总结", "總結", "原文", "正文", "目录", "目錄", "图", "圖",
    "yeah", "yes", "no", "okay", "ok", "right", "sure", "thanks", "thank you", "uh", "um", "mm", "hmm",
    "好的", "是的", "对对", "对对对", "對對", "對對對", "嗯嗯", "谢谢", "謝謝", "没有", "沒有", "对", "對", "好",
}
_PUNCT = re.compile(r"[，,。.!！?？、;；《》「」『』()（）【】\[\]“”\"'|｜#@/\\<>=+*]|^\d|\d{3,}")
_LATIN_WORD = re.compile(r"^(?:[A-Z][\w'’.-]*|\d{1,2}|de|da|van|von|der|del|la|le|di|bin|al|[A-Z]{2,}_?\d*)$")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

# Sponsor reads and ads inside a recording: never a speaker's words.
_SPONSOR = re.compile(
    r"(?:this|today'?s)\s+(?:episode|podcast|show|video|conversation)\s+is\s+(?:brought\s+to\s+you|sponsored|supported|presented)\s+by"
    r"|brought\s+to\s+you\s+by|(?:thanks|thank\s+you)\s+to\s+(?:our|this\s+episode'?s)\s+sponsors?"
    r"|check\s+out\s+(?:our|the)\s+sponsors|support\s+(?:it|this\s+podcast|the\s+show)\s+(?:by|please)"
    r"|use\s+(?:promo\s+)?code\s+\w+|go\s+to\s+\S+\.(?:com|io|co)/\w+\s+(?:to|and|for)"
    r"|本期(?:节目|節目|播客|内容|內容)?(?:由|感谢|感謝).{0,40}(?:赞助|贊助|冠名|独家支持|獨家支持)"
    r"|(?:广告|廣告)时间|(?:广告|廣告)[:：]|(?:赞助|贊助)(?:商|播出)[:：]", re.I)
_INTRO = re.compile(r"welcome|joining\s+(?:me|us)|my\s+guests?\b|our\s+guests?\b|today\s+(?:i'?m|we'?re)\s+(?:talking|speaking)\s+with"
                    r"|conversation\s+with|欢迎|歡迎|请到|請到|邀请到|邀請到|今天的嘉宾|今天的嘉賓|本期嘉宾|本期嘉賓|介绍一下|介紹一下", re.I)
_QUESTION_END = re.compile(r"[?？][”’」』\")）]*\s*$")
# The asker is host when at least this share of their turns end with a question and at least
# twice anyone else's share: set by reading interviews (hosts ask in 40–90% of turns, guests
# under 15%), not tuned on the collected set.
ASKER_SHARE = 0.3


def clean_label(raw: str) -> tuple[str, str | None]:
    """(the name, a role the label states) of a raw label: markup, wrapping brackets and a
    trailing "(host)" removed. "**Lex Fridman**" → ("Lex Fridman", None)."""
    label = _MARKUP.sub("", raw).strip()
    m = _WRAPPED.match(label)
    if m:
        label = m.group(1)
    m = _ROLE_IN_LABEL.match(label)
    if m:
        return m.group(1).strip(), _ROLE_WORD.get(m.group(2).lower())
    return label, None


def role_label(label: str) -> tuple[str, str] | None:
    """(role, kind) when `label` is a role label such as "Q", "主持人" or "记者（新华社）"."""
    for pat, role, kind in _ROLE_LABELS:
        if pat.match(label.strip()):
            return role, kind
    return None


def looks_like_name(label: str, alone: bool = False) -> bool:
    """Whether a recurring label can be a person (or a "Speaker 1"). `alone`: the label is a
    whole line, where ordinary short lines ("Yeah", "好的") recur too, so Latin labels must be
    capitalised words."""
    if not 1 <= len(label) <= 30 or label.casefold() in _NOT_A_NAME or _PUNCT.search(label):
        return False
    if _CJK.search(label):
        return len(label.replace(" ", "")) <= 12 and len(label) >= 2
    words = label.split()
    if not 1 <= len(words) <= 4 or len(label) < 2:
        return False
    return not alone or all(_LATIN_WORD.match(w) for w in words)


def auto_aliases(names: list[str]) -> dict[str, list[str]]:
    """Other ways a question may name a speaker the file labels: "Lambert" or "Nathan" for
    "Nathan Lambert" when no other speaker shares the word, and a Chinese name in pinyin, the
    way English text writes it ("Yang Zhilin" and "Zhilin Yang" for 杨植麟)."""
    words: Counter[str] = Counter()
    parts = {}
    for n in names:
        toks = [t for t in re.split(r"[\s·・]+", n) if len(t) >= 3 and t.isalpha() and t.isascii() and t[0].isupper()]
        parts[n] = toks if len(toks) >= 2 else []
        words.update({t.casefold() for t in parts[n]})
    out = {n: [t for t in toks if words[t.casefold()] == 1 and t.casefold() not in _NOT_A_NAME] for n, toks in parts.items()}
    for n in names:
        out[n].extend(_pinyin_names(n))
    return out


def _pinyin_names(name: str) -> list[str]:
    """"Yang Zhilin", "Zhilin Yang" for a Chinese personal name (not a role label such as 主持人)."""
    return [] if role_label(name) is not None else pinyin_names(name)


_BRAND = re.compile(r"(?:brought\s+to\s+you|sponsored|supported|presented)\s+by\s+([\w.&'-]+)", re.I)
_AD_CUE = re.compile(r"\b[\w-]+\.(?:com|io|co|ai|org)/\w+|promo\s+code|use\s+code|\d+\s*%\s+off|\$[\d,]+\s+off|free\s+trial"
                     r"|get\s+started\s+today|优惠码|優惠碼|折扣", re.I)


def is_sponsor(text: str) -> bool:
    return len(text) <= 1200 and bool(_SPONSOR.search(text))


def sponsor_brand(text: str) -> str | None:
    """The sponsor a read names ("brought to you by Vanta" → "Vanta"), to follow the read into
    the paragraphs after it."""
    m = _BRAND.search(text)
    return m.group(1).rstrip(".,") if m else None


def continues_sponsor(text: str, brand: str | None) -> bool:
    """A paragraph right after a sponsor read that is still the ad: it names the sponsor or
    carries an ad's cues (a vanity URL, a code, a discount)."""
    return len(text) <= 1200 and (bool(brand and brand.casefold() in text.casefold()) or bool(_AD_CUE.search(text)))


def infer_roles(turns: list[tuple[str, str]], known: dict[str, str]) -> dict[str, tuple[str, str]]:
    """{name: (role, reason)} for the speakers of `turns` ((speaker, words) in order) whose role
    `known` does not give: the one who introduces another speaker, else the one who asks most
    of the questions, is the host; the rest are guests. One speaker alone is "speaker"."""
    names = list(dict.fromkeys(sp for sp, _ in turns))
    todo = [n for n in names if known.get(n, "unknown") == "unknown"]
    if not todo:
        return {}
    if len(names) == 1:
        return {names[0]: ("speaker", "the only labelled speaker")}
    out: dict[str, tuple[str, str]] = {}
    hosts = [n for n in names if known.get(n) == "host"]
    if not hosts:
        for sp, words in turns[:4]:
            if not _INTRO.search(words):
                continue
            intro = [o for o in names if o != sp and _mentions(words, o)]
            if intro:
                out[sp] = ("host", f"introduces {', '.join(intro)}")
                hosts = [sp]
                break
    asked: dict[str, list[int]] = {}
    for sp, words in turns:
        asked.setdefault(sp, [0, 0])
        asked[sp][0] += 1
        asked[sp][1] += bool(_QUESTION_END.search(words[-80:]))
    # The askers: the speakers above the first clear drop in the share of turns ending with a
    # question (several hosts of one show ask, the guests answer).
    shares = sorted(((q / n, n, sp) for sp, (n, q) in asked.items()), reverse=True)
    for k in range(1, len(shares)):
        if shares[k - 1][0] >= ASKER_SHARE and shares[k - 1][0] >= 2 * shares[k][0] \
                and all(n >= 2 for _, n, _ in shares[:k]):
            for _, _, sp in shares[:k]:
                if sp not in hosts and known.get(sp, "unknown") == "unknown":
                    n, q = asked[sp]
                    out[sp] = ("host", f"asks the questions ({q} of {n} turns end with a question)")
                    hosts.append(sp)
            break
    if hosts:
        for n in todo:
            if n not in hosts and n not in out:
                out[n] = ("guest", f"answers {hosts[0]}")
    return {n: r for n, r in out.items() if n in todo}


def _mentions(words: str, name: str) -> bool:
    if name in words:
        return True
    toks = [t for t in name.split() if len(t) >= 3]
    return any(re.search(rf"\b{re.escape(t)}\b", words) for t in toks)


@dataclass
class LayoutReport:
    """What the speaker parser decided for one file, for `python -m ingest --json`."""

    layout: str                      # prefix | lines | single | unmarked
    why: str
    timed: bool = False
    labels: dict[str, str] = field(default_factory=dict)        # label as written -> speaker name
    speakers: list[dict[str, Any]] = field(default_factory=list)  # {name, role, why, turns}
    people: list[str] = field(default_factory=list)  # named people of an unmarked recording
    ignored_labels: dict[str, int] = field(default_factory=dict)  # recurring labels not taken, with counts
    lang: str = "zh"                 # the text's language: "zh" or "en"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
