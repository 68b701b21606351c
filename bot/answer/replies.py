"""A reply opens with its answer: the opening sentence of a guest's reply takes the words of the
question it answers.

Guests answer elliptically: to "这两个milestone需要多久达到？" the reply is "两到三年，有可能更快。",
to "怎么看…技术辨识度还不算太高？" it is "我觉得还好啊，…". The answer's words are in the host's
question (`Passage.question`), not in the sentence, so by its own words the opening sentence ranks
low. When the host's question matches the user's as well as any sentence does, the reply's
opening sentence scores as the best sentence, discounted as a host's words are (`host_weight`).
No new number: a comparison with the best sentence and the existing host discount.
"""

from __future__ import annotations

from bot.answer.matching import Scored, WordScorer, named_speakers
from bot.schema import Passage


def lift_openings(query: str, passages: list[Passage], ranked: list[Scored], host_weight: float,
                  forms: dict[str, tuple[str, ...]] | None = None) -> list[Scored]:
    """`ranked` (best first), re-sorted: the opening sentence of a reply whose host's question
    holds the query's words at least as fully as the best sentence does scores at least as the
    best sentence, discounted as a host's words (`host_weight`). Scores are changed in place."""
    opening: dict[int, Scored] = {}
    for x in ranked:
        if passages[x.n - 1].question and passages[x.n - 1].role != "host" \
                and (x.n not in opening or x.start < opening[x.n].start):
            opening[x.n] = x
    if not opening or not ranked:
        return ranked
    scorer = WordScorer(query, [x.text for x in ranked], named_speakers(query, passages), forms)
    top_words = max(scorer.score(x.text) for x in ranked)
    best = ranked[0].score
    if top_words <= 0 or best <= 0:
        return ranked
    for n, x in opening.items():
        # only a host's question that matches the user's at least as well as any sentence does:
        # a match relative to weak candidates (another language, another topic) says nothing
        if scorer.score(passages[n - 1].question or "") >= top_words:
            x.score = max(x.score, host_weight * best)
    return sorted(ranked, key=lambda s: -s.score)
