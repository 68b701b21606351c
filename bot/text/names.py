"""Speaker labels that stand for no one in particular: the numbered labels of meeting recorders
and ASR tools ("说话人 1", "Speaker 2", "SPEAKER_01") and one-letter interview marks (问/答, Q/A).
Ingest counts them as speakers; the interface does not offer them as people to ask about."""

from __future__ import annotations

import re

NUMBERED_SPEAKER = re.compile(r"(?:说话人|說話人|发言人|發言人|讲话人|講話人|speaker|spk|person|参会人|參會人)\s*_?\s*\d{1,2}",
                              re.I)


def is_placeholder(name: str) -> bool:
    """`name` is a numbered label or a single character, not a person's name."""
    name = name.strip()
    return len(name) <= 1 or bool(NUMBERED_SPEAKER.fullmatch(name))
