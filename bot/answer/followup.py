"""Follow-up questions: rewrite them into standalone ones offline, and keep "what else?" from
repeating what the previous answer already quoted."""

from __future__ import annotations

import re

from bot.schema import Passage
from bot.text.tokenize import segmenter

_PRONOUNS = re.compile(r"他|她|它|这个|那个|这些|那些|这种|那种|这一点|此事|为什么|为何|\b(he|she|him|her|his|they|them|"
                       r"their|it|that|this|those|these|why)\b", re.I)
_WHAT_ABOUT = re.compile(r"^(那|那么)?\s*[^\s?？]{1,12}\s*呢[?？]?$|^(what|how) about\b|^and\b", re.I)
_ASCII_NAME = re.compile(r"\b(?:[A-Z][A-Za-z0-9.+\-]+|[a-z]*\d[A-Za-z0-9.+\-]*)\b")
_FILLER = set("的 了 吗 呢 吧 啊 么 是 怎么 怎么看 怎样 如何 什么 为什么 哪些 谁 看 说 谈 认为 觉得 对 和 与 在 有 "
              "请 问 一下 关于 what did does do the a an of about is are was how why who say said think on in to".split())


def _turns(history: list[dict] | None) -> list[tuple[str, str]]:
    """(role, text) of the usable history items; Gradio may send content as parts or files."""
    out = []
    for item in history or []:
        role, content = item.get("role"), item.get("content")
        if isinstance(content, list):
            content = " ".join(c.get("text", "") if isinstance(c, dict) else str(c) for c in content)
        if role in ("user", "assistant") and isinstance(content, str) and content.strip():
            out.append((role, content.strip()))
    return out


def _key_terms(question: str) -> list[str]:
    """The content words of a question in their original spelling, adjacent CJK words rejoined:
    "李广密怎么看GPT-4的训练成本?" -> ["李广密", "GPT-4", "训练成本"]."""
    jieba = segmenter()
    groups: list[str] = []
    cur = ""
    for i, part in enumerate(re.split(r"([A-Za-z0-9][A-Za-z0-9.+\-]*)", question)):
        ascii_term = i % 2 == 1
        for w in [part] if ascii_term else jieba.lcut(part):
            content = w.strip() and w.lower() not in _FILLER and re.search(r"\w", w)
            if content and not ascii_term:
                cur += w
                continue
            if cur:
                groups.append(cur)
                cur = ""
            if content:
                groups.append(w)
    if cur:
        groups.append(cur)
    return groups


def _has_entity(question: str) -> bool:
    import jieba.posseg  # the POS tagger reads the dictionary segmenter() set up

    segmenter()
    if "《" in question:
        return True
    for m in _ASCII_NAME.finditer(question):
        w = m.group()
        if any(c.isdigit() for c in w) or (w.isupper() and len(w) > 1):
            return True   # GPT-4, AI, MoE-like terms
        if m.start() > 0 and w.lower() not in _FILLER and not _PRONOUNS.fullmatch(w):
            return True   # a capitalised word inside the sentence: OpenAI, Monica
    return any(p.flag.startswith("nr") or (p.flag in ("nt", "nz", "ns") and len(p.word) > 1)
               for p in jieba.posseg.cut(question))


def _is_follow_up(question: str) -> bool:
    """Does the question lean on the previous one? "他为什么这么想?", "那闫俊杰呢?", "why?", "详细说说"
    do; a new topic in a word or two ("机器人") does not, and is searched as typed rather than
    glued to the previous person."""
    q = question.strip()
    if _WHAT_ABOUT.search(q) or asks_for_more(q):
        return True
    if _has_entity(q):
        return False
    return bool(_PRONOUNS.search(q)) or not _key_terms(q)


def _people(text: str, names: set[str]) -> set[str]:
    """The key terms of `text` that are (parts of) people's names: the library's names present in
    the text, else words jieba tags as personal names."""
    low = text.lower()
    present = [n.lower() for n in names if n and n.lower() in low]
    found = set()
    for term in _key_terms(text):
        t = term.lower()
        if any(n in t or t in n for n in present):
            found.add(term)
        elif not names:
            import jieba.posseg

            segmenter()
            if any(p.flag.startswith("nr") for p in jieba.posseg.cut(term)):
                found.add(term)
    return found


def rule_condense(question: str, turns: list[tuple[str, str]], names: set[str] | None = None) -> str:
    """Offline follow-up rewrite: a follow-up without a name of its own gets the previous
    question's key terms in front ("他为什么这么想?" after "李广密怎么看GPT-4?"); "那 X 呢?" keeps
    the previous person and takes X as the new topic, or the previous topic when X is a person.
    `names`: the people the library knows (names and aliases)."""
    names = set(names or ())
    previous: str | None = None
    for role, text in turns[-12:]:   # the last few exchanges; older topics are not "he" any more
        if role == "user":
            previous = text if previous is None or not _is_follow_up(text) else _expand(text, previous, names)
    if previous is None or not _is_follow_up(question):
        return question
    return _expand(question, previous, names)


def _expand(question: str, previous: str, names: set[str]) -> str:
    terms = _key_terms(previous)
    people = _people(previous, names)
    q = question.strip()
    if _WHAT_ABOUT.search(q) and not asks_for_more(q):
        # "那机器人呢?" asks the same person about something else; "那闫俊杰呢?" asks someone else
        # about the same thing. Searched as "李广密 机器人" / "闫俊杰 开源".
        asks_person = bool(_people(q, names)) if names else _has_entity(q)
        terms = [t for t in terms if (t not in people) == asks_person]
        core = _WHAT_ABOUT_CORE.sub("", q).strip() or q
        extra = [t for t in terms if t.lower() not in core.lower()]
        return " ".join([core, *extra] if asks_person else [*extra, core])
    extra = [t for t in terms if t.lower() not in question.lower()]
    return f"{' '.join(extra)} {question}" if extra else question


# The wrapper of "那 X 呢?" / "what about X?" around its X.
_WHAT_ABOUT_CORE = re.compile(r"^(那么|那)\s*|\s*呢\s*[?？]?$|^(what|how) about\s+|^and\s+|\s*[?？]$", re.I)


_MORE = re.compile(r"还(说|讲|谈|提|有)了?(些)?(什么|啥|别的|其他)|其他(的)?(观点|看法)|别的呢|还有呢|"
                   r"详细(说说|讲讲|谈谈|说|讲|一点|点|些)|展开(说|讲|谈)|具体(说说|讲讲|一点|点|些)|多(说|讲)(一点|点|些)|"
                   r"再(说说|讲讲)|^\s*(为什么|为何|原因呢?|怎么说)\s*[?？!！。.]*\s*$|"
                   r"\b(what|anything|something) else\b|\btell me more\b|\bmore (about|on|detail)\b|"
                   r"\belaborate\b|\bin (more )?detail\b|\bgo on\b|^\s*(why|how so)\s*[?!.]*\s*$", re.I)


def asks_for_more(question: str) -> bool:
    """"他还说了什么?", "详细说说", "why?": the answer should bring evidence the last one did not."""
    return bool(_MORE.search(question))


def fresh_passages(passages: list[Passage], turns: list[tuple[str, str]]) -> list[Passage]:
    """The passages the recent answers did not quote from (possibly none): "详细说说" after "why?"
    must not bring back what the first answer said."""
    last = "\n".join(text for role, text in turns[-6:] if role == "assistant")
    if not last:
        return passages
    from bot.text.lang import split_sentences

    return [p for p in passages
            if not any(e - s >= 12 and p.text[s:e] in last for s, e in split_sentences(p.text))]


def drop_already_quoted(passages: list[Passage], turns: list[tuple[str, str]]) -> list[Passage]:
    """For "他还说了什么?": leave out passages the recent answers already quoted (any sentence of
    12+ characters of theirs in it). If that leaves nothing, the passages stay as they were."""
    return fresh_passages(passages, turns) or passages
