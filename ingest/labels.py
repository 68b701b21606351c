"""Which labels in a document are speakers: the manifest's names and aliases, role labels
("Q:", "主持人", "记者（新华社）："), and, when no manifest lists the file's speakers, name-like labels
that recur at least `MIN_RECUR` times (so a title line "拾象科技李广密:硅谷…" or a heading "谈生态:…"
is never a speaker). Label shapes and roles themselves are ingest.layouts'.
"""

from __future__ import annotations

import logging
import re
from collections import Counter

from bot.index.documents import DocMeta
from bot.text.names import NUMBERED_SPEAKER  # one rule for what a numbered label is
from ingest.layouts import clean_label, looks_like_name, role_label
from ingest.manifest import name_key
from ingest.paragraphs import Para, is_numbered_heading

log = logging.getLogger(__name__)

# Times a name-like label must occur before it counts as a speaker when no manifest names them:
# twice is a footer's "公众号:" or a title line; set by reading the seeds and the format fixtures, not tuned.
MIN_RECUR = 3
# A label at a paragraph's start, markup around it allowed: "名字:", "**Name:**", "**Name**:", "### 名字："
PREFIX = re.compile(r"(?:#{1,6}\s+|>\s*)*(?:\*\*|__)?\s*([^:：\n*]{1,30}?)\s*(?:\*\*|__)?\s*[:：]\s*(?:\*\*|__)?\s*")
_TIMESTAMP = re.compile(r"\s*[(（\[]?\d{1,2}:\d{2}(?::\d{2})?[)）\]]?$")


class SpeakerNames:
    """Label → canonical name, from the manifest, role labels, or recurring name-like labels.

    `strict`: the manifest lists the file's speakers, so no other label is taken (a recurring
    one is logged and reported as ignored). Front-matter people are known names but not strict.
    """

    def __init__(self, paras: list[Para], meta: DocMeta, strict: bool = True) -> None:
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
        prefixes = Counter(lab for p in paras if (lab := prefix_label(p.text)))
        lines = Counter(lab for i, p in enumerate(paras) if (lab := line_label(p.text))
                        and i + 1 < len(paras) and not _name_line(paras[i + 1].text))
        self._role_labels(prefixes + Counter(lab for p in paras if (lab := line_label(p.text, colon=True))), meta)
        if strict and meta.speakers:
            for lab, n in (prefixes + lines).items():
                if n >= MIN_RECUR and name_key(lab) not in self.keys and looks_like_name(lab):
                    log.warning("label %r recurs %d times but is not in the manifest: not treated as a speaker", lab, n)
                    self.ignored[lab] = n
            return
        # A label counts in either shape ("Name: words" and "Name" alone on a line), but a line
        # that is only a word must look like a name to count (lines such as "Yeah" recur too).
        ok = {lab: n for lab, n in (prefixes + lines).items()
              if name_key(lab) and not is_numbered_heading(lab)
              and looks_like_name(lab, alone=prefixes[lab] < MIN_RECUR and lines[lab] > 0)}
        # Once a label recurs `MIN_RECUR` times the file is labelled. In a file whose speakers
        # stand alone on their lines, one who speaks only twice that way is a speaker too;
        # numbered speaker labels ("Speaker 3", "发言人 2") count from their first appearance.
        # Otherwise a label needs `MIN_RECUR` ("公众号" twice in a footer is no speaker).
        established = any(n >= MIN_RECUR for n in ok.values())
        by_lines = any(lines[lab] >= MIN_RECUR for lab in ok)
        for lab, n in ok.items():
            if n >= MIN_RECUR or (established and NUMBERED_SPEAKER.fullmatch(lab)) \
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
    label = line_label(text)
    return bool(label) and looks_like_name(label, alone=True)


def prefix_label(text: str) -> str | None:
    m = PREFIX.match(text)
    return clean_label(m.group(1))[0] or None if m else None


def line_label(text: str, colon: bool = False) -> str | None:
    """The whole paragraph as a name: "Yizhou Zheng01:46:42" → "Yizhou Zheng", "**Lex**" → "Lex".
    `colon`: only when the line ends with a colon ("Q:" alone on its line)."""
    body = _TIMESTAMP.sub("", text).strip()
    if colon and not body.rstrip("*_ ").endswith((":", "：")):
        return None
    label = clean_label(body.rstrip("*_ ").rstrip(":："))[0].strip()
    return label if 0 < len(label) <= 30 else None
