"""The cleaned document model: what ingest writes (`bot.index.docstore`) and the bot reads.

Offsets (`start`, `end`) always index the *cleaned* document text (`CleanDoc.text`), so that a
quote can be located exactly in what the UI displays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# What a stretch of text is. Only "speech" is anyone's words; "summary" is an editor's summary,
# "narration" an editor's introduction or bridge text, "heading" a section heading.
TurnKind = Literal["speech", "summary", "narration", "heading"]


@dataclass
class SpeakerInfo:
    name: str
    role: str = "unknown"              # "host" | "guest" | "speaker" | "unknown"
    org: str | None = None
    aliases: list[str] = field(default_factory=list)
    note: str | None = None             # e.g. "name not stated in the text"


@dataclass
class DocMeta:
    title: str
    date: str = "not stated"
    source: str = "not stated"
    speakers: list[SpeakerInfo] = field(default_factory=list)
    default_speaker: str | None = None  # speaker of unlabelled speech when the text names none
    notes: str | None = None


@dataclass
class Turn:
    index: int           # 0-based position among the document's turns
    kind: TurnKind
    speaker: str | None  # None unless kind == "speech"
    start: int           # offsets into CleanDoc.text of the words themselves (no "名字:" prefix)
    end: int
    section: str | None = None


@dataclass
class CleanDoc:
    doc_id: str
    file: str
    text: str            # cleaned original text (for display and quotes)
    turns: list[Turn]
    meta: DocMeta
