"""The cleaned document model: what ingest writes (`bot.index.docstore`) and the bot reads.

Pydantic models: the document store reads and writes them as JSON, and the manifest
(`ingest.manifest`) fills `DocMeta` and `SpeakerInfo`. Offsets (`start`, `end`) always index the
*cleaned* document text (`CleanDoc.text`), so that a quote can be located exactly in what the UI
displays.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

# What a stretch of text is. Only "speech" is anyone's words; "summary" is an editor's summary,
# "narration" an editor's introduction or bridge text, "heading" a section heading.
TurnKind = Literal["speech", "summary", "narration", "heading"]


class SpeakerInfo(BaseModel):
    name: str
    role: str = "unknown"              # "host" | "guest" | "speaker" | "unknown"
    org: str | None = None
    aliases: list[str] = Field(default_factory=list)
    note: str | None = None             # e.g. "name not stated in the text"


class DocMeta(BaseModel):
    title: str
    date: str = "not stated"
    source: str = "not stated"
    speakers: list[SpeakerInfo] = Field(default_factory=list)
    default_speaker: str | None = None  # speaker of unlabelled speech when the text names none
    notes: str | None = None
    media_url: str | None = None        # the recording (audio, video, YouTube): times become links into it
    links: list[str] = Field(default_factory=list)  # pages about the transcript (front matter)


class Turn(BaseModel):
    index: int           # 0-based position among the document's turns
    kind: TurnKind
    speaker: str | None  # None unless kind == "speech"
    start: int           # offsets into CleanDoc.text of the words themselves (no "名字:" prefix)
    end: int
    section: str | None = None
    time: float | None = None  # seconds into the recording where the turn starts (timed transcripts)


class CleanDoc(BaseModel):
    doc_id: str
    file: str
    text: str            # cleaned original text (for display and quotes)
    meta: DocMeta
    turns: list[Turn]
    # (offset into text, seconds into the recording) in offset order: where each timestamp stood
    # before it was taken out of the words. Empty for untimed transcripts.
    times: list[tuple[int, float]] = Field(default_factory=list)
    # How the speakers were read (ingest.layouts.LayoutReport.to_json()): layout, labels, roles, why.
    layout: dict[str, Any] = Field(default_factory=dict)

    @field_validator("layout", mode="before")
    @classmethod
    def _no_layout(cls, value: Any) -> Any:
        return {} if value is None else value   # stores written before layouts were recorded
