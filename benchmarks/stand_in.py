"""The stand-in models of `benchmarks.providers`: functions of a chat request (see
tests/llm_server.py) that read the real prompt, the numbered passages and the question, and answer
from it like a provider would: a declining one, a strict one and a reasoning one (the kinds and
what each does are described in benchmarks/providers.py). Each records what it meant (`Meant`:
markers, declines, cuts) under the question's key, so a run can check the engine against it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from bot.settings import Settings

SENTINEL = "推理草稿"
FAKE = "GPT-4 只花了一百万美元"
LEAKS = (SENTINEL, FAKE, "<think", "</think", "好像不太相关")
CUT_TAG = {"zh": "……(回答被截断)", "en": "… (answer cut off)"}
STYLES = ["［{n}］", "［{fw}］", "（{n}）", "({n})", " ({n})", "^{n}^", "[^{n}]", "<sup>{n}</sup>", "【{n}】",
          "[{n}]", "word"]
QUOTES = ["“{q}”", "「{q}。」", "‘{q}’", "“{dash}”"]
DECLINE = {"zh": ["这些访谈没有谈到这个问题。", "根据提供的段落,无法回答这个问题。", "段落中没有提到相关信息。",
                  "抱歉,资料里没有涉及这一点。"],
           "en": ["I'm sorry, these interviews don't cover that.", "The passages do not mention this.",
                  "There is no information about that in the provided passages.",
                  "I cannot answer this from the interviews."]}
_STOP = set("什么 哪些 怎么 怎样 如何 为什么 为何 认为 觉得 看法 关于 提到 谈到 是否 有没有 多少 哪个 哪家 哪位 "
            "一个 这个 那个 他们 我们 你们 可以 没有 还是 以及 还有 对于 一下 请问 说过 讲过 分别 主要 那位 讲者".split())
_EN_STOP = {"what", "how", "who", "which", "why", "did", "does", "do", "according", "is", "are", "was", "the",
            "in", "on", "of", "and", "a", "an", "to", "for", "about", "say", "said", "think", "when", "where"}


def _h(*parts: Any) -> int:
    return int(hashlib.md5("|".join(map(str, parts)).encode()).hexdigest()[:8], 16)


def terms(question: str, known: set[str] | None = None) -> tuple[list[str], list[str]]:
    """(names and terms, other content words) of a question, normalised. Names and terms: the
    `known` speaker names, Latin words in a Chinese question, numbered or inner-capital ones in an
    English question (GPT-4, OpenAI, PaLM, AGI; not "Silicon"), Chinese words in an English question,
    and the words jieba tags as people, places, organisations."""
    import jieba.posseg

    from bot.text.lang import detect_lang, norm

    english = detect_lang(question) == "en"
    names, words = [], []
    for p in jieba.posseg.lcut(question):
        w = p.word.strip()
        if not w or w.lower() in _EN_STOP or w in _STOP:
            continue
        if re.fullmatch(r"[A-Za-z0-9][\w.+\-]*", w):
            if not english or any(c.isdigit() for c in w) or any(c.isupper() for c in w[1:]):
                names.append(norm(w))
            elif len(w) > 2:
                words.append(norm(w))
        elif re.fullmatch(r"[\u4e00-\u9fff]{2,}", w):
            tagged = p.flag.startswith(("nr", "nt", "nz", "ns")) or w in (known or set())
            (names if tagged or english else words).append(norm(w))
    return list(dict.fromkeys(names)), list(dict.fromkeys(words))


@dataclass
class Meant:
    lang: str
    declined: bool = False
    markers: list[int] = field(default_factory=list)
    extra: int | None = None      # the unused passage the source list names
    cut: bool = False


class StandIn:
    """The stand-in model: a function of the request body (see tests/llm_server.py)."""

    def __init__(self, kind: str, aliases: dict[str, str] | None = None) -> None:
        self.kind = kind               # "declining" | "strict" | "reasoning"
        self.meant: dict[str, Meant] = {}
        self.aliases = aliases or {}   # "Yan Junjie" -> "闫俊杰": a model knows both spellings

    def __call__(self, body: dict) -> Any:
        from bot.text.lang import detect_lang, norm, split_sentences
        from tests.llm_server import reply

        user = body["messages"][-1]["content"]
        question = re.search(r"<question>\n(.*?)\n</question>", user, re.S).group(1)
        passages = [(int(m.group(1)), m.group(2), m.group(3)) for m in re.finditer(
            r'<passage n="(\d+)" speaker="([^"]*)"[^>]*>\n(.*?)\n</passage>', user, re.S)]
        # a model answers in the question's language, whichever prompt (answer, summary, comparison) asked
        lang = "zh" if detect_lang(question) == "zh" else "en"
        meant = self.meant[question_key(question)] = Meant(lang)
        asked = question
        for alias, name in self.aliases.items():
            asked = re.sub(re.escape(alias), name, asked, flags=re.I)
        names, other = terms(asked, set(self.aliases.values()))
        words = names + other
        seen = norm(user[: user.find("<question>")])   # the passages, with their speakers and titles
        # It declines when the passages (with their speakers, titles and the host's questions) hold
        # none of the question's words; the strict one already when they hold less than half.
        found = sum(w in seen for w in words)
        if words and (found == 0 or (self.kind == "strict" and found < len(words) / 2)):
            meant.declined = True
            return reply(DECLINE[lang][_h(question) % 4], reasoning=self._thinking(question, passages))
        ranked = sorted(passages, key=lambda p: (-sum(w in norm(p[2]) for w in words), p[0]))
        claims = []
        for ci, (n, speaker, text) in enumerate(ranked[:2]):
            spans = [text[s:e] for s, e in split_sentences(text)]
            # A host's question is quoted only when the passage has nothing else (it may be the answer).
            spans = [x for x in spans if not x.rstrip().endswith(("?", "\uff1f"))] or spans
            if not spans:
                continue
            best = max(spans, key=lambda s: sum(w in norm(s) for w in words))
            quote = re.sub(r"[\u3002\uff01\uff1f!?\uff1b;\uff0c,\u3001\s]+$", "", _clause(best, words))
            if len(norm(quote)) < 4:
                continue
            claims.append((n, self._claim(question, ci, n, speaker or "编者", quote, lang)))
        if not claims:
            meant.declined = True
            return reply(DECLINE[lang][0], reasoning=self._thinking(question, passages))
        text = ""
        for i, (n, claim) in enumerate(claims):
            if self.kind == "reasoning" and i == 1 and _h(question, "cut") % 4 == 0:
                part = claim[: max(4, len(claim) // 2)]
                text += part
                meant.cut = True
                if re.search(rf"第{n}段|passage {n}\b", part):   # the words got out: they cite
                    meant.markers.append(n)
                break
            text += claim
            meant.markers.append(n)
        if self.kind == "reasoning" and not meant.cut:
            used = {n for n, _ in claims}
            unused = [n for n, _, _ in passages if n not in used]
            if "[^" in text:
                text += "".join(f"\n\n[^{n}]: {sp}" for n, sp, _ in passages if f"[^{n}]" in text)
            if unused and _h(question, "list") % 3 == 0:
                meant.extra = unused[0]
                names = {n: sp for n, sp, _ in passages}
                head = "参考来源:" if lang == "zh" else "Sources:"
                text += f"\n\n{head}\n" + "\n".join(f"- [{n}] {names[n]}" for n in [*meant.markers, unused[0]])
        reasoning = self._thinking(question, passages)
        finish = "length" if meant.cut else "stop"
        return reply(text, reasoning=reasoning, finish=finish)

    def _claim(self, question: str, ci: int, n: int, speaker: str, quote: str, lang: str) -> str:
        if self.kind != "reasoning":
            q, style = f"“{quote}”", "[{n}]"
        else:
            form = QUOTES[_h(question, ci, "q") % len(QUOTES)]
            if "–" not in quote and "dash" in form:
                form = "“{q}”"
            q = form.format(q=quote, dash=quote.replace("–", "-").replace(" - ", "-"))
            style = STYLES[_h(question, ci, "m") % len(STYLES)]
        fw = "".join(chr(ord(c) + 0xFEE0) for c in str(n))
        if lang == "en" and self.kind == "reasoning" and _h(question, ci, "t") % 2 == 0:
            q += ' ("a paraphrase in English")'
        if style == "word":
            return (f"据第{n}段,{speaker}说{q}。" if lang == "zh" else f"According to passage {n}, {speaker} said {q}. ")
        marker = style.format(n=n, fw=fw)
        return f"{speaker}说{q}{marker}。" if lang == "zh" else f"{speaker} said {q} {marker.strip()}. "

    def _thinking(self, question: str, passages: list) -> str:
        if self.kind != "reasoning":
            return ""
        last = passages[-1][0] if passages else 1
        return (f"{SENTINEL}:用户问“{question}”。段落[{last}]好像不太相关,第{last}段也不行,passage {last} is off topic。"
                f"也许可以引用“{FAKE}”({last})?不对,原文没有这句话。")


def speaker_aliases(settings: Settings) -> dict[str, str]:
    """Other spellings of the speakers' names (seeds/manifest.toml), longest first."""
    from ingest.manifest import load_manifest

    pairs = {a: sp.name for meta in load_manifest(settings.seeds_dir).values() for sp in meta.speakers
             for a in sp.aliases if a and a != sp.name}
    return dict(sorted(pairs.items(), key=lambda kv: -len(kv[0])))


def question_key(question: str) -> str:
    return " ".join(question.split())


def _clause(sentence: str, words: list[str]) -> str:
    """A quotable stretch of a sentence: the clause with most of the question's words, ≤ 60 chars."""
    from bot.text.lang import norm

    if len(sentence) <= 60:
        return sentence
    parts = [p for p in re.split(r"(?<=[,\uff0c;\uff1b])", sentence) if p.strip()]
    best = max(parts, key=lambda p: sum(w in norm(p) for w in words))
    return best[:60]
