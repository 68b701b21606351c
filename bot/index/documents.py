"""The cleaned document model: what ingest writes (`bot.index.docstore`) and the bot reads.

Offsets (`start`, `end`) always index the *cleaned* document text (`CleanDoc.text`), so that a
quote can be located exactly in what the UI displays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

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
    media_url: str | None = None        # the recording (audio, video, YouTube): times become links into it
    links: list[str] = field(default_factory=list)  # pages about the transcript (front matter)


@dataclass
class Turn:
    index: int           # 0-based position among the document's turns
    kind: TurnKind
    speaker: str | None  # None unless kind == "speech"
    start: int           # offsets into CleanDoc.text of the words themselves (no "名字:" prefix)
    end: int
    section: str | None = None
    time: float | None = None  # seconds into the recording where the turn starts (timed transcripts)


@dataclass
class CleanDoc:
    doc_id: str
    file: str
    text: str            # cleaned original text (for display and quotes)
    turns: list[Turn]
    meta: DocMeta
    # (offset into text, seconds into the recording) in offset order: where each timestamp stood
    # before it was taken out of the words. Empty for untimed transcripts.
    times: list[tuple[int, float]] = field(default_factory=list)
    # How the speakers were read (ingest.layouts.LayoutReport.to_json()): layout, labels, roles, why.
    layout: dict[str, Any] = field(default_factory=dict)
