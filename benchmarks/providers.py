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

The stand-ins are benchmarks.stand_in; this module runs them and checks the engine. The stand-in
records what it meant (markers, declines, cuts); the answers through the real engine
(streamed) are checked against that: no reasoning text in any delta or answer, every meant marker a
citation, no citation it did not mean, no false ⚠ flag, every cut answer says so, every decline a
refusal, and the refusal accuracy of LLM mode next to offline mode's.

  python -m benchmarks.providers [--data-dir DIR] [--json FILE]     (ingests the seeds if needed)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from benchmarks.stand_in import CUT_TAG, LEAKS, Meant, StandIn, question_key, speaker_aliases
from bot.settings import PROJECT_ROOT, Settings

SETS = {"golden": PROJECT_ROOT / "tests/eval/golden.jsonl", "blind": PROJECT_ROOT / "tests/eval/blind.jsonl"}


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
            row["meant"] = stand_in.meant.get(question_key(item["question"]))
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
        # the model's [n] is the n-th passage it was given; the answer renumbers markers in
        # reading order, so compare by passage, not by the number shown
        cited = {c["passage"] + 1 for c in row["citations"] if c.get("passage") is not None}
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
