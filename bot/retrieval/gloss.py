"""Offline, a question's words glossed into another language of the corpus, for the vector sides.

e5-small places a Chinese question and an English sentence that answers it further apart than
two sentences of one language, and within an English interview it barely tells the answer from
its neighbours ("Waymo 的安全目标是什么？" put "The goal here is to be able to drive safer than
humans." 20th of the interview's 411 sentences). The keyword side already counts each question
word in the translations the corpus holds (`KeywordIndex.forms`, from CC-CEDICT); the vector
sides get the same help by embedding the question followed by those translations ("… waymo safe
secur target goal": 4th). Index tokens (English stems) embed about as well as the surface words
on the mixed set, so no surface form is kept. In LLM mode the model's rewrite replaces this.
"""

from __future__ import annotations

from collections.abc import Collection

from bot.index.keyword import KeywordIndex

# translations of one question word that join the gloss: the corpus's most common first
FORMS_PER_WORD = 2


def in_language(token: str, lang: str) -> bool:
    """Whether an index token is written in `lang` ("en": Latin letters, "zh": anything else)."""
    return token.isascii() == (lang == "en")


def gloss(question: str, tokens: list[str], keyword: KeywordIndex, lang: str,
          loose: Collection[str] = ()) -> str | None:
    """The question followed by its words' translations into `lang` that the corpus holds; None
    when no word has one (nothing to add to the question's own embedding). `loose`: the question's
    characters that are no words of their own (`KeywordIndex.question_forms`)."""
    added: list[str] = []
    for group in keyword.groups(tokens, loose):
        found = [f for f in group[1:] if in_language(f, lang) and f not in added]
        added.extend(found[:FORMS_PER_WORD])
    return f"{question} {' '.join(added)}" if added else None
