"""What's in here: the library's catalogue as an answer (title, date, speakers and roles,
length, sections of each interview), and as plain data for a library view.
"""

from __future__ import annotations

from typing import Any

from bot.answer.gather import Context, Gathered, person_label, plain
from bot.answer.messages import MSG
from bot.index.digests import DigestStore, Point
from bot.text.lang import Lang


def _date(date: str, lang: Lang) -> str:
    """"inferred: spring 2024 (GPT-4o is …)" -> "推断:spring 2024": the manifest's words, shorter."""
    if not date or date == "not stated":
        return MSG[lang]["no_date"]
    date = date.split(" (")[0]
    return MSG[lang]["inferred"] + date[len("inferred:"):].strip() if date.startswith("inferred:") else date


def collection(ctx: Context) -> Gathered:
    """What interviews there are: title, date, speakers and roles, length, sections."""
    m, lang = MSG[ctx.lang], ctx.lang
    items = ctx.library.catalog()
    lines = [m["collection"].format(n=len(items))]
    for i, item in enumerate(items, 1):
        people = [person_label(ctx.library, sp["name"], lang) for sp in item["speakers"]]
        title = plain(item["title"])
        lines.append(f"{i}. 《{title}》" if lang == "zh" else f"{i}. «{title}»")
        lines.append("   " + m["collection_item"].format(date=_date(item["date"], lang),
                                                        who=("、" if lang == "zh" else ", ").join(people),
                                                        chars=f"{item['chars']:,}", turns=item["turns"]))
        if item["sections"]:
            sep = ";" if lang == "zh" else "; "
            lines.append("   " + m["sections"] + sep.join(plain(s["title"]) for s in item["sections"]))
    guests = [sp["name"] for item in items for sp in item["speakers"] if sp["role"] != "host"]
    return Gathered(text="\n".join(lines), subjects=guests)


def interview_overview(doc_id: str, library: Any, digests: DigestStore) -> dict | None:
    """One interview for the UI's library view: its catalogue entry plus its digest (the
    interview's points by section and each speaker's points), every quote with its offsets."""
    entry = next((i for i in library.catalog() if i["doc_id"] == doc_id), None)
    if entry is None:
        return None
    digest = digests.get(doc_id)

    def as_data(points: list[Point]) -> list[dict]:
        return [{"quote": p.quote, "speaker": p.speaker, "section": p.section, "start": p.start, "end": p.end,
                 "turn": p.turn} for p in points]

    entry["points"] = as_data(digest.interview) if digest else []
    entry["speaker_points"] = {name: as_data(points) for name, points in digest.speakers.items()} if digest else {}
    return entry


def library_view(library: Any, digests: DigestStore) -> list[dict]:
    """Every interview as `interview_overview` gives it: plain data for the UI's library view."""
    return [v for v in (interview_overview(d, library, digests) for d in sorted(library.docs)) if v]
