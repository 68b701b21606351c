"""What's in here: the library's catalogue as an answer (title, date, speakers and roles,
length, sections of each interview).
"""

from __future__ import annotations

from bot.answer.gather import Context, Gathered, person_label, plain
from bot.answer.messages import MSG
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
