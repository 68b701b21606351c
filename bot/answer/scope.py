"""Filters are a promise: what the reader excluded stays out of every part of the answer.

Retrieval restricts its searches to the chosen interviews and speakers, but a person named in the
question takes precedence there (it searches their turns), and a refusal's "closest passages"
come from a wider search. So the engine checks both ends: a question about someone the filters
leave out gets "X is not in the interviews you selected" (not "X never discussed it", which would
be a claim about interviews nobody searched), and passages outside the filters are dropped.
"""

from __future__ import annotations

from typing import Any

from bot.schema import Filters, Passage


def outside_filters(question: str, filters: Filters | None, library: Any) -> tuple[str, list[str]] | None:
    """("speakers" | "docs", names) when every person the question names is excluded by the
    filters; None when the question names nobody, someone within them, or there are no filters."""
    if library is None or filters is None or filters.is_empty():
        return None
    named, _ = library.split_speakers(question)
    if not named:
        return None
    if filters.speakers and not set(named) & set(filters.speakers):
        return "speakers", named
    if filters.docs:
        wanted = set(filters.docs)
        entries = library.speakers
        if not any(entries[n].docs & wanted for n in named if n in entries):
            return "docs", named
    return None


def within_filters(passages: list[Passage], filters: Filters | None) -> list[Passage]:
    if filters is None or filters.is_empty():
        return passages
    docs, speakers = set(filters.docs), set(filters.speakers)
    return [p for p in passages
            if (not docs or p.doc_id in docs) and (not speakers or (p.speaker or "") in speakers)]
