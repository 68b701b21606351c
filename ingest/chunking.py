"""Speaker-aware chunking: turns → chunks that never mix two speakers.

A long turn is split at sentence ends (`bot.text.sentences`, the splitter quotes use too: English
and Chinese rules by the text around each end) and packed up to `size` characters, never more than `max_size` (e5 reads at most 512 tokens; a Chinese character is
about one token). A guest's chunk keeps the host's preceding question as *metadata*, so the
answer can show what was asked without crediting the question to the guest.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from bot.index.documents import CleanDoc, SpeakerInfo, Turn
from bot.text.sentences import sentence_spans, sentence_units
from ingest.timestamps import time_at

__all__ = ["Chunk", "chunk_document", "pack", "sentence_spans", "sentence_units"]

_SOFT_BREAK = re.compile(r"[，、,：:]")
# Part of every chunk id: bump it when what gets embedded for a chunk changes (see
# ingest.records.embed_text), and the next ingest re-embeds everything by itself.
EMBED_RECIPE = "2"


@dataclass
class Chunk:
    id: str
    doc_id: str
    text: str            # == doc.text[start:end]
    start: int
    end: int
    turn: int
    kind: str
    speaker: str | None
    role: str
    section: str | None
    question: str | None  # the preceding question from another speaker (context only)
    part: int             # position of this chunk within its turn
    time: float | None = None  # seconds into the recording where the chunk starts (timed transcripts)


def _hard_split(text: str, s: int, e: int, max_size: int) -> list[tuple[int, int]]:
    """Split one over-long sentence, preferring commas, else at max_size."""
    parts = []
    while e - s > max_size:
        cut = None
        for m in _SOFT_BREAK.finditer(text, s + max_size // 2, s + max_size):
            cut = m.end()
        cut = cut or s + max_size
        parts.append((s, cut))
        s = cut
    parts.append((s, e))
    return parts


def pack(text: str, start: int, end: int, size: int, max_size: int) -> list[tuple[int, int]]:
    """Group consecutive sentences of text[start:end] into spans of about `size` characters."""
    sents: list[tuple[int, int]] = []
    for s, e in sentence_spans(text, start, end, pieces=False):
        sents.extend(_hard_split(text, s, e, max_size) if e - s > max_size else [(s, e)])
    groups: list[tuple[int, int]] = []
    cur: tuple[int, int] | None = None
    for s, e in sents:
        if cur is None:
            cur = (s, e)
        elif e - cur[0] <= size or (e - cur[0] <= max_size and cur[1] - cur[0] < size // 3):
            cur = (cur[0], e)
        else:
            groups.append(cur)
            cur = (s, e)
    if cur is not None:
        # A tiny tail reads badly alone: merge it into the previous chunk when that stays in bounds.
        if groups and cur[1] - cur[0] < size // 4 and cur[1] - groups[-1][0] <= max_size:
            groups[-1] = (groups[-1][0], cur[1])
        else:
            groups.append(cur)
    return groups


# The role of speech in a transcript that does not mark who speaks (raw ASR): nobody's in particular.
UNMARKED = "unmarked"


def _role(speaker: str | None, speakers: dict[str, SpeakerInfo], kind: str = "speech") -> str:
    if speaker is None:
        return UNMARKED if kind == "speech" else "editor"
    info = speakers.get(speaker)
    return info.role if info else "unknown"


def chunk_id(doc_id: str, speaker: str | None, text: str, seen: dict[str, int]) -> str:
    # Content-addressed: an unchanged passage keeps its id (and its vector) when the file around
    # it changes; the counter keeps repeated identical passages apart.
    digest = hashlib.sha1(f"{EMBED_RECIPE}\x00{speaker}\x00{text}".encode()).hexdigest()[:16]
    n = seen.get(digest, 0)
    seen[digest] = n + 1
    return f"{doc_id}::{digest}" + (f"-{n}" if n else "")


def chunk_document(doc: CleanDoc, size: int = 320, max_size: int = 480, question_chars: int = 240) -> list[Chunk]:
    speakers = {s.name: s for s in doc.meta.speakers}
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    last_question: tuple[str, str] | None = None  # (speaker, text) of the latest other-speaker turn
    for turn in doc.turns:
        if turn.kind == "heading":
            continue
        question = _question_for(turn, last_question, speakers, question_chars)
        for part, (s, e) in enumerate(pack(doc.text, turn.start, turn.end, size, max_size)):
            text = doc.text[s:e]
            chunks.append(Chunk(
                id=chunk_id(doc.doc_id, turn.speaker, text, seen), doc_id=doc.doc_id, text=text,
                start=s, end=e, turn=turn.index, kind=turn.kind, speaker=turn.speaker,
                role=_role(turn.speaker, speakers, turn.kind), section=turn.section, question=question, part=part,
                time=time_at(doc.times, s) if doc.times else None,
            ))
        if turn.kind == "speech" and turn.speaker:
            last_question = (turn.speaker, doc.text[turn.start:turn.end])
    return chunks


def _question_for(turn: Turn, last: tuple[str, str] | None, speakers: dict[str, SpeakerInfo], chars: int) -> str | None:
    """The host's words just before a guest's turn, trimmed to the question at their end (`chars`)."""
    if turn.kind != "speech" or last is None or last[0] == turn.speaker:
        return None
    asker = speakers.get(last[0])
    me = speakers.get(turn.speaker or "")
    if asker is None or asker.role != "host" or (me is not None and me.role == "host"):
        return None
    text = last[1].strip()
    return text if len(text) <= chars else "…" + text[-chars:]
