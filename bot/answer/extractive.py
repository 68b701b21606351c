"""The extractive answer, used when there is no LLM (or it failed): the passages' own best
sentences, grouped by speaker, each quoted verbatim with its `[n]` marker.

Quotes are exact substrings of `Passage.text`, so `bot.answer.citations` finds them again and the
citation offsets point at exactly the quoted words. Which sentences answer the question is
`bot.answer.matching`'s scoring (words in either language, bigrams, the stored sentence vectors).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.answer.asks import asks, supplies
from bot.answer.matching import Scored, bigrams, blend, is_question, score_sentences
from bot.answer.replies import lift_openings
from bot.schema import Passage
from bot.settings import AnswerParams
from bot.text.lang import Lang, cjk_count, detect_lang, norm, split_sentences

log = logging.getLogger(__name__)

@dataclass
class Extract:
    text: str
    picks: list[Scored]



# Sentences with this little in them ("我同意。", "对。", "Right.") say nothing on their own:
# CJK characters plus twice the Latin words must reach this.
FILLER_SIZE = 8
_LATIN = re.compile(r"[A-Za-z]+")
_END_MARKS = set("。！？!?；;.…")
_CLOSING = set("”’」』）)】\"'")


def is_filler(text: str) -> bool:
    return cjk_count(text) + 2 * len(_LATIN.findall(text)) < FILLER_SIZE


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Whole sentences of `text`: `split_sentences` cuts long ones at commas into pieces; a quote
    must not start or stop mid-clause, so the pieces of one sentence are joined again."""
    merged: list[tuple[int, int]] = []
    for a, b in split_sentences(text):
        if merged and not _ends_sentence(text, merged[-1][1]):
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


def _ends_sentence(text: str, end: int) -> bool:
    rest = text[end:]
    if not rest.strip() or rest.lstrip(" \t").startswith("\n"):
        return True
    k = end - 1
    while k >= 0 and text[k] in _CLOSING:
        k -= 1
    return k >= 0 and text[k] in _END_MARKS


def _whole(cand: Scored, passages: list[Passage], spans: dict[int, list[tuple[int, int]]]) -> Scored:
    """The whole sentence of the passage that contains the scored piece."""
    text = passages[cand.n - 1].text
    if cand.n not in spans:
        spans[cand.n] = sentence_spans(text)
    a, b = next(((a, b) for a, b in spans[cand.n] if a <= cand.start < b), (cand.start, cand.end))
    return Scored(cand.n, a, max(b, cand.end), text[a:max(b, cand.end)], cand.score)


def _with_next(cand: Scored, passages: list[Passage], spans: dict[int, list[tuple[int, int]]]) -> Scored:
    text = passages[cand.n - 1].text
    nxt = next(((a, b) for a, b in spans.get(cand.n, []) if a >= cand.end), None)
    if nxt is None:
        return cand
    return Scored(cand.n, cand.start, nxt[1], text[cand.start:nxt[1]], cand.score)


def _with_answer(cand: Scored, passages: list[Passage], spans: dict[int, list[tuple[int, int]]],
                 wanted: set[str], question: str) -> Scored:
    """The sentence with its neighbour in the same paragraph (the next one first, else the one
    before) when the question asks for a reason, time or figure that only the neighbour gives:
    speakers restate the question, then answer it."""
    text = passages[cand.n - 1].text
    if not wanted or supplies(cand.text, wanted, question):
        return cand
    own = spans.get(cand.n, [])
    after = next(((a, b) for a, b in own if a >= cand.end), None)
    before = next(((a, b) for a, b in reversed(own) if b <= cand.start), None)
    for a, b in (x for x in (after, before) if x is not None):
        lo, hi = min(a, cand.start), max(b, cand.end)
        gap = text[cand.end:a] if a >= cand.end else text[b:cand.start]
        piece = text[a:b]
        if "\n" in gap or is_question(piece) or is_filler(piece) or not supplies(piece, wanted, question):
            continue
        return Scored(cand.n, lo, hi, text[lo:hi], cand.score)
    return cand


def _passage_prior(scored: list[Scored], passages: list[Passage], power: float) -> list[Scored]:
    """Each sentence's score times its passage's retrieval score relative to the best passage's
    (to `power`); passages without a retrieval score (summaries' digests) leave it as it is."""
    top = max((p.score for p in passages), default=0.0)
    if power <= 0 or top <= 0 or any(p.score <= 0 for p in passages):
        return scored
    for x in scored:
        x.score *= (passages[x.n - 1].score / top) ** power
    return sorted(scored, key=lambda s: -s.score)


def _fair_shares(ranked: list[Scored], passages: list[Passage], asked: frozenset[str], slots: int,
                 strong: float) -> list[Scored]:
    """A question naming several people ("A 和 B 各怎么看") gives each a fair share of the quotes, as
    retrieval gives each their own passages: a person's strong sentences beyond their share wait
    until the others' strong sentences are in, so the one whose words score higher does not take
    every slot (they still fill slots nobody else can)."""
    voice = _voices({p.speaker for p in passages if p.speaker in asked})
    if len(set(voice.values())) < 2:
        return ranked
    share = -(-slots // len(set(voice.values())))
    first, later, rest, taken = [], [], [], dict.fromkeys(voice.values(), 0)
    for x in ranked:
        v = voice.get(passages[x.n - 1].speaker or "")
        if x.score < strong:
            rest.append(x)
        elif v is not None and taken[v] >= share:
            later.append(x)
        else:
            first.append(x)
            if v is not None:
                taken[v] += 1
    return first + later + rest


def _voices(names: set[str]) -> dict[str, str]:
    """Each name -> the person it stands for in the question: a name that is the first word(s) of
    another ("Lenny", "Lenny Rachitsky": two interviews' labels the question's one "Lenny" found)
    is one voice with it."""
    out = {}
    for name in sorted(names, key=len):
        words = name.split()
        out[name] = next((out[o] for o in out if o.split() == words[: len(o.split())]), name)
    return out


def pick_sentences(question: str, passages: list[Passage], params: AnswerParams, host_weight: float,
                   semantic: dict[str, list[tuple[int, int, float]]] | None = None,
                   skip: Callable[[str], bool] | None = None,
                   forms: dict[str, tuple[str, ...]] | None = None, asked: frozenset[str] = frozenset()) -> list[Scored]:
    """The best whole sentences for the question: scored piece by piece, quoted whole. `skip`:
    sentences not to quote (a follow-up's "tell me more" skips what was quoted); `forms`: the
    question's words in the corpus's other spellings and language (Retrieval.forms)."""
    scored = score_sentences(question, passages, host_weight=host_weight, forms=forms, asked=asked)
    if skip is not None:
        scored = [x for x in scored if not skip(x.text)]
    if not scored:
        return []
    if semantic:
        scored = blend(scored, passages, semantic, params.semantic_share, host_weight)
    scored = _passage_prior(scored, passages, params.passage_prior)
    scored = lift_openings(question, passages, scored, host_weight, forms)
    # Questions (mostly the host's) are context, not answers: quote one only as a last resort.
    ranked = [s for s in scored if not is_question(s.text)] or scored
    best = ranked[0].score
    wanted = asks(question)
    picks: list[Scored] = []
    seen: list[tuple[str, set[str]]] = []
    spans: dict[int, list[tuple[int, int]]] = {}
    ranked = _fair_shares(ranked, passages, asked, params.max_sentences, params.keep_ratio * best)
    for cand in ranked:
        if len(picks) >= params.max_sentences:
            break
        weak = cand.score <= 0 or cand.score < params.keep_ratio * best
        if weak and (len(picks) >= 2 or cand.score <= 0):
            break
        whole = _whole(cand, passages, spans)
        if is_filler(whole.text) and cand.score > 0:
            # a short reply that holds the question's words is often the answer itself ("没有后续。",
            # "No."): quoted with the sentence that follows it, which says why
            whole = _with_next(whole, passages, spans)
        alone, whole = whole, _with_answer(whole, passages, spans, wanted, question)
        if is_filler(whole.text) or _names_title(whole.text, passages[whole.n - 1].title) \
                or any(p.n == whole.n and p.start == whole.start for p in picks):
            continue   # says nothing, or only restates the interview's title ("今天分享的主题是《…》")
        key, bi = norm(whole.text), bigrams(whole.text)
        grown = next((i for i, p in enumerate(picks) if p.n == whole.n and whole.start < p.end and p.start < whole.end),
                     None)
        if grown is not None:
            # it overlaps a quote of the same passage (a short answer and its explanation, a
            # sentence and the neighbour that answers): one quote of the sentences both cover
            old = picks[grown]
            lo, hi = min(old.start, whole.start), max(old.end, whole.end)
            text = passages[old.n - 1].text[lo:hi]
            if (lo, hi) != (old.start, old.end) and \
                    sum(len(p.text) for p in picks) - len(old.text) + len(text) <= params.max_chars:
                picks[grown] = Scored(old.n, lo, hi, text, old.score)
                seen[grown] = (norm(text), bigrams(text))
            continue
        if any(key in k or k in key or (bi and len(bi & b) / len(bi | b) > 0.7) for k, b in seen):
            continue   # the same words again (overlapping chunks, repeated titles)
        if picks and sum(len(p.text) for p in picks) + len(whole.text) > params.max_chars:
            if sum(len(p.text) for p in picks) + len(alone.text) > params.max_chars:
                continue
            whole, key, bi = alone, norm(alone.text), bigrams(alone.text)   # no room for the neighbour
        picks.append(whole)
        seen.append((key, bi))
    if not picks:
        # Nothing overlaps the question: the retriever still ranked passage 1 first, so show its
        # opening sentence rather than nothing.
        first = [s for s in ranked if s.n == 1] or ranked
        picks = [_whole(min(first, key=lambda s: (s.n, s.start)), passages, spans)]
    return picks


# An episode number before a title ("141. ", "EP12 ", "第3期："): pages that link the episode
# often leave it out, and punctuation between the title's parts varies (："、" " or "|").
_EPISODE = re.compile(r"^\s*(?:ep\.?\s*|#|第)?\d+\s*(?:期|集|话)?\s*[.、:：|｜\-—]?\s*", re.I)
_PUNCT = re.compile(r"[\W_]+")


def _names_title(text: str, title: str) -> bool:
    """The sentence restates the interview's title (an editor's link or heading, not an answer)."""
    t = _PUNCT.sub("", norm(_EPISODE.sub("", title)))
    return len(t) >= 8 and t in _PUNCT.sub("", norm(text))


def _q(text: str) -> str:
    """Quote marks that do not clash with quote marks inside the quoted sentence."""
    if "“" in text or "”" in text:
        return f"「{text}」" if "「" not in text and "」" not in text else f"『{text}』"
    return f"“{text}”"


def short_title(title: str, limit: int = 16) -> str:
    """A name for an interview short enough to repeat: the part of its title before the colon
    ("拾象科技李广密:硅谷大模型的融资…" -> "拾象科技李广密"), cut further when still long."""
    full = " ".join((title or "").split())
    head = re.split(r"\s*[:：|｜]\s*|\s+[-—–]\s+", full, maxsplit=1)[0]
    if len(head) > limit:
        head = re.split(r"[、,，;；]", head, maxsplit=1)[0]
    if len(head) > limit + 4:
        head = head[:limit].rstrip() + "…"
    return head or full[:limit]


_ROLES = {"zh": {"host": "主持人", "guest": "嘉宾", "speaker": "演讲者"},
          "en": {"host": "host", "guest": "guest", "speaker": "speaker"}}


def _intro(p: Passage, lang: Lang) -> str:
    """Who is quoted, on what footing, in which interview: "李广密(嘉宾,《拾象科技李广密》):"."""
    name = short_title(p.title)
    editor = p.speaker is None and p.kind != "speech"
    if p.unmarked:   # raw ASR: the words are quoted, credited to nobody
        return (f"《{p.title}》(转录未标明说话人)中说:" if lang == "zh"
                else f"In «{p.title}» (the transcript does not mark speakers): ")
    role = _ROLES[lang].get(p.role)
    if lang == "zh":
        if editor:
            return f"编者按(《{name}》):"
        return _with(p.speaker or "演讲者", [role, f"《{name}》"], ",") + ":"
    if editor:
        return f"{'Editors’ summary' if p.kind == 'summary' else 'Editors’ note'} («{name}»): "
    return _with(p.speaker or "The speaker", [role, f"«{name}»"], ", ", " ") + ": "


def _with(who: str, extras: list[str | None], sep: str, space: str = "") -> str:
    """"李广密" + (嘉宾, 《…》) -> "李广密(嘉宾,《…》)"; a name that already ends in a bracket
    ("演讲者(未具名,出门问问)") takes the extras inside it, and a role it already says is dropped."""
    bits = [x for x in extras if x and x not in who]
    if not bits:
        return who
    if who.endswith((")", "）")) and ("(" in who or "（" in who):
        return f"{who[:-1]}{sep}{sep.join(bits)}{who[-1]}"
    return f"{who}{space}({sep.join(bits)})"


def extractive_answer(question: str, passages: list[Passage], lang: Lang | None = None,
                      max_sentences: int | None = None,
                      semantic: dict[str, list[tuple[int, int, float]]] | None = None,
                      params: AnswerParams | None = None, host_weight: float = 0.8,
                      skip: Callable[[str], bool] | None = None,
                      forms: dict[str, tuple[str, ...]] | None = None, asked: frozenset[str] = frozenset()) -> Extract:
    """An answer made of the passages' best whole sentences, quoted verbatim with [n] markers:
    one line per speaker (and interview), naming their role and the interview once.
    `semantic`: Retrieval.sentence_scores, when the store has sentence vectors; `params` and
    `host_weight` come from Settings (`max_sentences` overrides params.max_sentences)."""
    lang = lang or detect_lang(question)
    params = params or AnswerParams()
    if max_sentences is not None:
        params = params.model_copy(update={"max_sentences": max_sentences})
    picks = pick_sentences(question, passages, params, host_weight, semantic, skip, forms, asked)
    groups: dict[tuple[str | None, str, str], list[Scored]] = {}
    for s in picks:   # dicts keep insertion order: the group of the best sentence comes first
        p = passages[s.n - 1]
        groups.setdefault((p.speaker, p.doc_id, p.kind if p.speaker is None else "speech"), []).append(s)
    lines = []
    for group in groups.values():
        sep = "" if lang == "zh" else " "
        quotes = " ".join(f"{_q(s.text)}{sep}[{s.n}]" for s in group)
        lines.append(_intro(passages[group[0].n - 1], lang) + quotes)
    return Extract(text="\n".join(lines), picks=picks)
