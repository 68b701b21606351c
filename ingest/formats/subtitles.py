"""Subtitles (.srt with the `srt` package, .vtt with webvtt-py): cues joined into paragraphs.

Cues cut sentences anywhere; what a reader wants is sentences and turns. Consecutive cues are
joined (lines within a cue too; no space between Chinese characters) until the speaker changes
(a `<v Name>` voice tag, a `>>` or `-` turn mark, or a "Name:" label at the start of a cue), or
the paragraph is long enough and a sentence ends, or the recording pauses. Each paragraph
starts with its first cue's time and every later cue leaves its time mark where it began
(`[00:01:02]`), so any passage cut from the middle of a paragraph still knows its time;
ingest.timestamps takes the marks out of the words. A voice tag becomes a "Name:" label, which
the speaker parser reads like any other.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from ingest.formats.base import Extracted, hms, join_words

# A paragraph of unlabelled subtitles closes at the first sentence end after this many characters
# (about one chunk, ingest.chunking's 320): set by reading Whisper and YouTube exports, not tuned.
PARAGRAPH_CHARS = 300
# ...or at any cue after a pause this long (seconds), the point where a reader hears a new paragraph.
PARAGRAPH_PAUSE = 3.0

_TAGS = re.compile(r"</?(?:[a-z]+)(?:\.[\w.-]+)?(?:\s[^>]*)?>|<\d{1,2}:\d{2}(?::\d{2})?[.,]\d{3}>|\{\\[^}]*\}", re.I)
_TURN_MARK = re.compile(r"^\s*(?:>>+|-|–|—)\s*")
_LABEL = re.compile(r"^\s*([^:：\s][^:：]{0,30}?)\s*[:：]\s+\S|^\s*(\[[^\]]{1,30}\]|\([^)]{1,30}\))\s*[:：]?\s*$")
_SENT_END = re.compile(r"[。！？!?…]+[”’」』\")）]*$|[.]['\")]*$")


@dataclass
class Cue:
    start: float
    end: float
    text: str
    voice: str | None = None


def _clean(text: str) -> list[str]:
    text = html.unescape(_TAGS.sub("", text.replace("\u200b", "")))
    return [" ".join(ln.split()) for ln in text.splitlines() if ln.strip()]


def _starts_turn(line: str) -> bool:
    return bool(_TURN_MARK.match(line) or _LABEL.match(line))


def cues_to_text(cues: list[Cue]) -> str:
    paragraphs: list[str] = []
    cur = ""
    cur_voice: str | None = None
    last_end_time: float | None = None
    prev_line = ""
    for cue in cues:
        lines = _clean(cue.text)
        # Rolling captions (YouTube) repeat the previous cue's last line first: drop the repeat.
        if lines and prev_line and lines[0] == prev_line:
            lines = lines[1:]
        if not lines:
            continue
        prev_line = lines[-1]
        new_voice = cue.voice is not None and cue.voice != cur_voice
        pause = last_end_time is not None and cue.start - last_end_time >= PARAGRAPH_PAUSE
        last_end_time = cue.end
        for k, line in enumerate(lines):
            mark = hms(cue.start) if k == 0 else ""
            turn = _starts_turn(line)
            line = _TURN_MARK.sub("", line) if _TURN_MARK.match(line) else line
            long_enough = len(cur) >= PARAGRAPH_CHARS and bool(_SENT_END.search(cur))
            if cur and (turn or (k == 0 and (new_voice or pause or long_enough))):
                paragraphs.append(cur)
                cur = ""
            if not cur:
                label = f"{cue.voice}: " if cue.voice and new_voice and not _LABEL.match(line) else ""
                cur = f"{mark or hms(cue.start)} {label}{line}"
                new_voice = False
            else:
                joined = join_words(cur, line)
                cut = len(joined) - len(line)
                cur = joined[:cut] + mark + joined[cut:]
        cur_voice = cue.voice if cue.voice is not None else cur_voice
    if cur:
        paragraphs.append(cur)
    return "\n".join(paragraphs)


class SrtReader:
    suffixes = (".srt",)

    def read(self, data: bytes) -> Extracted | str:
        import srt

        from ingest.loader import decode_bytes

        decoded = decode_bytes(data)
        if isinstance(decoded, str):
            return decoded
        text, encoding = decoded
        try:
            subs = list(srt.parse(text))
        except (srt.SRTParseError, ValueError) as exc:
            return f"not a valid SubRip (.srt) file: {str(exc).splitlines()[0][:120]}"
        if not subs:
            return "no subtitle cues in the file"
        cues = [Cue(s.start.total_seconds(), s.end.total_seconds(), s.content) for s in subs]
        return Extracted(text=cues_to_text(cues), encoding=encoding, format="srt", timed=True, title_in_text=False)


class VttReader:
    suffixes = (".vtt",)

    def read(self, data: bytes) -> Extracted | str:
        import webvtt

        from ingest.loader import decode_bytes

        decoded = decode_bytes(data)
        if isinstance(decoded, str):
            return decoded
        text, encoding = decoded
        try:
            captions = list(webvtt.from_string(text))
        except Exception as exc:  # webvtt-py raises its own MalformedFileError and friends
            return f"not a valid WebVTT (.vtt) file: {str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__}"
        if not captions:
            return "no subtitle cues in the file"
        cues = [Cue(_seconds(c.start), _seconds(c.end), c.raw_text, (c.voice or "").strip() or None) for c in captions]
        # Voice tags name the speakers for certain, however rarely each one speaks.
        voices = list(dict.fromkeys(c.voice for c in cues if c.voice))
        return Extracted(text=cues_to_text(cues), encoding=encoding, format="vtt", timed=True, title_in_text=False,
                         facts={"voices": voices} if voices else {})


def _seconds(stamp: str) -> float:
    parts = [float(x) for x in stamp.replace(",", ".").split(":")]
    while len(parts) < 3:
        parts.insert(0, 0.0)
    return parts[0] * 3600 + parts[1] * 60 + parts[2]
