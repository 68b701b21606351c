"""LLM mode over the golden and blind sets against stand-ins that write like providers (issue 14).

Two stand-in models read the real prompt (the numbered passages and the question) and answer from it:

- declining: answers by quoting the passages that hold most of the question's words, cited with
  `[n]`; declines in its own words ("根据提供的段落,无法回答这个问题。", "The passages do not mention
  this.") when the passages (with their speakers, titles and the host's questions) contain none of
  the question's words (speakers' other spellings, e.g. "Yan Junjie", count as their names).
- strict: the same, but it declines already when the passages hold less than half of the
  question's words (English words are not in Chinese passages: it declines answerable questions;
  what is measured is that every decline becomes a refusal).
- reasoning: the same decisions, but it thinks first (in tags, after a lone `</think>`, or as
  `reasoning_content`, by provider preset), its reasoning cites and quotes things ("段落[4]好像不太
  相关", an invented quote), it cites with odd marker styles (［n］ （n） (n) ^n^ [^n] <sup>n</sup> 【n】
  第n段 / passage n …), quotes with other quote marks, dashes or a final 。, adds a translation in
  quotes to English answers, ends some answers with a "参考来源" list naming an unused passage, and
  runs out of tokens (finish_reason "length") on every fourth answer.

The stand-in records what it meant (markers, declines, cuts); the answers through the real engine
(streamed) are checked against that: no reasoning text in any delta or answer, every meant marker a
citation, no citation it did not mean, no false ⚠ flag, every cut answer says so, every decline a
refusal, and the refusal accuracy of LLM mode next to offline mode's.

  python -m benchmarks.providers [--data-dir DIR] [--json FILE]     (ingests the seeds if needed)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.settings import PROJECT_ROOT, Settings

SETS = {"golden": PROJECT_ROOT / "tests/eval/golden.jsonl", "blind": PROJECT_ROOT / "tests/eval/blind.jsonl"}
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
        lang = "zh" if "请按规则用中文回答" in user else "en"
        meant = self.meant[_key(question)] = Meant(lang)
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
            claims.append((n, self._claim(question, ci, n, speaker or "编者", quote, lang, detect_lang)))
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

    def _claim(self, question: str, ci: int, n: int, speaker: str, quote: str, lang: str, detect) -> str:
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


def _key(question: str) -> str:
    return " ".join(question.split())


def _clause(sentence: str, words: list[str]) -> str:
    """A quotable stretch of a sentence: the clause with most of the question's words, ≤ 60 chars."""
    from bot.text.lang import norm

    if len(sentence) <= 60:
        return sentence
    parts = [p for p in re.split(r"(?<=[,\uff0c;\uff1b])", sentence) if p.strip()]
    best = max(parts, key=lambda p: sum(w in norm(p) for w in words))
    return best[:60]


# --- running ------------------------------------------------------------------------------------------

def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


class CachedRetriever:
    """The services' retriever, each question searched once for all the runs (they differ only in
    the LLM; the machine is shared, and the e5 query embedding is most of the time)."""

    def __init__(self, retriever: Any) -> None:
        self._retriever, self._seen = retriever, {}

    def retrieve(self, query: str, filters: Any = None, top_k: int = 10) -> Any:
        import copy

        key = (query, repr(filters), top_k)
        if key not in self._seen:
            self._seen[key] = self._retriever.retrieve(query, filters, top_k=top_k)
        return copy.deepcopy(self._seen[key])

    def __getattr__(self, name: str) -> Any:
        return getattr(self._retriever, name)


class _Cached:
    def __init__(self, services: Any) -> None:
        self.retriever = CachedRetriever(services.retriever)


def run_offline(settings: Settings, services: Any, items: list[dict]) -> list[dict]:
    from bot.answer.engine import ChatEngine
    from bot.eval.cli import record

    engine = ChatEngine(settings, services.retriever)
    return [record(item, engine.ask(item["question"])) for item in items]


def run_llm(settings: Settings, services: Any, items: list[dict], kind: str, provider: str) -> dict:
    from bot.answer.engine import ChatEngine
    from bot.answer.llm import LLM
    from bot.eval.cli import record
    from tests.llm_server import PRESETS, FakeLLMServer, reply

    stand_in = StandIn(kind, speaker_aliases(settings))
    with FakeLLMServer(default=reply(stand_in), provider=provider) as server:
        llm_settings = settings.model_copy(update={
            "openai_api_key": "stand-in", "openai_base_url": server.base_url, "llm_retries": 0,
            "llm_model": PRESETS[provider].model or "stand-in"})
        engine = ChatEngine(llm_settings, services.retriever, llm=LLM(llm_settings))
        rows, leaks = [], []
        for item in items:
            events = list(engine.stream(item["question"]))
            answer = events[-1].answer
            streamed = "".join(e.text for e in events if e.kind == "delta")
            row = record(item, answer)
            row["meant"] = stand_in.meant.get(_key(item["question"]))
            if any(x in streamed or x in answer.text for x in LEAKS):
                leaks.append(item["id"])
            rows.append(row)
    return {"rows": rows, "leaks": leaks, "asked": len(server.chat_requests)}


def check(items: list[dict], run: dict) -> dict[str, Any]:
    from bot.eval.cli import score_rows
    from bot.eval.metrics import summarize

    rows = run["rows"]
    meant_total = meant_cited = extra = false_flags = 0
    cut = cut_said = declined = declined_refused = answered_refused = 0
    for row in rows:
        m: Meant | None = row["meant"]
        if m is None:
            continue   # refused before the LLM was asked
        cited = {c["n"] for c in row["citations"]}
        if m.declined:
            declined += 1
            declined_refused += bool(row["refused"])
            continue
        answered_refused += bool(row["refused"])
        meant_total += len(m.markers)
        meant_cited += len(set(m.markers) & cited)
        extra += len(cited - set(m.markers))
        false_flags += "⚠" in row["answer"]
        if m.cut:
            cut += 1
            notice = row["notice"] or ""
            cut_said += row["answer"].endswith(CUT_TAG[m.lang]) and ("截断" in notice or "cut off" in notice)
    scored = summarize(score_rows(items, rows))
    return {
        "questions": len(rows), "asked_llm": run["asked"], "reasoning_leaks": len(run["leaks"]),
        "markers_meant": meant_total, "marker_recall": meant_cited / meant_total if meant_total else float("nan"),
        "unmeant_citations": extra, "false_flags": false_flags, "cut": cut, "cut_said_so": cut_said,
        "declined": declined, "declines_refused": declined_refused, "answers_refused": answered_refused,
        "refusal_accuracy": scored["refusal_accuracy"],
    }


RUNS = [("declining", "openai"), ("strict", "kimi"), ("reasoning", "qwen3"), ("reasoning", "deepseek-r1"), ("reasoning", "ollama"),
        ("reasoning", "glm"), ("reasoning", "deepseek-api")]


def measure(settings: Settings, services: Any) -> dict[str, dict[str, Any]]:
    from bot.eval.cli import score_rows
    from bot.eval.metrics import summarize

    out: dict[str, dict[str, Any]] = {}
    services = _Cached(services)
    for name, path in SETS.items():
        items = load(path)
        offline = summarize(score_rows(items, run_offline(settings, services, items)))
        out[f"{name} offline"] = {"questions": len(items), "refusal_accuracy": offline["refusal_accuracy"]}
        for kind, provider in RUNS:
            out[f"{name} {kind} ({provider})"] = check(items, run_llm(settings, services, items, kind, provider))
    return out


COLUMNS = ["questions", "asked_llm", "reasoning_leaks", "markers_meant", "marker_recall", "unmeant_citations",
           "false_flags", "cut", "cut_said_so", "declined", "declines_refused", "answers_refused",
           "refusal_accuracy"]


def table(results: dict[str, dict[str, Any]]) -> str:
    lines = ["| run | " + " | ".join(COLUMNS) + " |", "|---|" + "---|" * len(COLUMNS)]
    for name, r in results.items():
        cells = []
        for c in COLUMNS:
            v = r.get(c)
            cells.append("—" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v))
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    import logging

    ap = argparse.ArgumentParser(prog="python -m benchmarks.providers")
    ap.add_argument("--data-dir", type=Path)
    ap.add_argument("--json", type=Path, help="also write the numbers here")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    from bot.eval.cli import ensure_index
    from bot.retrieval.live import build_services

    settings = Settings(**({"data_dir": args.data_dir} if args.data_dir else {}))
    ensure_index(settings)
    results = measure(settings, build_services(settings))
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
