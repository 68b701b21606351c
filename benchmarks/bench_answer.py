"""End-to-end answer latency over the seeds store (real model for the queries):

- offline: ChatEngine.ask on every golden question (guard, condense, retrieve, extractive answer,
  citations), with the engine's own split of the time;
- LLM mode against the stand-in OpenAI-compatible server (tests/llm_server.py): the time to the
  first answer token through the engine, against the same request sent straight to the server
  with the openai client. The difference is what the project adds before the LLM's first token
  (retrieval, prompt building, redaction), the LLM's own time being the same in both.
- question kinds (tests/eval/kinds.jsonl without a history): summaries, comparisons and the
  collection offline (wall and CPU time); and in LLM mode the time to the first answer token
  against the same request sent alone. A summary's first question asks the LLM twice (its kind,
  then the written summary, which is cached); later ones only for the kind. A comparison asks for
  its kind, searches each side, then asks for the comparison;
- summaries, comparisons and follow-ups with their history (benchmarks.questions, the same
  timing as each retrieval store's: `by_kind`).

  python -m benchmarks.bench_answer --data DIR      (DIR: a seeds store, e.g. from bench_ingest)
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

from benchmarks.bench_retrieval import kinds as by_kind
from benchmarks.common import emit, golden_questions, summary_ms
from bot.answer.engine import ChatEngine
from bot.index.embeddings import E5Embedding
from bot.retrieval.live import build_services
from bot.settings import Settings

logger = logging.getLogger(__name__)
REPLY = "李广密认为复现 GPT-4 是关键门槛 [1]。训练成本主要在前期实验 [2]。" * 4


def offline(settings: Settings, services: Any) -> dict[str, Any]:
    engine = ChatEngine(settings, services.retriever)
    questions = [q["question"] for q in golden_questions()]
    engine.ask(questions[0])
    times, parts = [], {"retrieve": [], "answer": []}
    for q in questions:
        t = time.perf_counter()
        a = engine.ask(q)
        times.append(time.perf_counter() - t)
        for k in parts:
            parts[k].append(a.timings_ms.get(k, 0.0))
    return {**summary_ms(times), "mean_parts_ms": {k: round(statistics.fmean(v), 1) for k, v in parts.items()}}


def llm_mode(settings: Settings, services: Any, n: int = 20) -> dict[str, Any]:
    import openai

    from tests.llm_server import FakeLLMServer, reply

    questions = [q["question"] for q in golden_questions() if not q.get("should_refuse")][:n]
    with FakeLLMServer(default=reply(REPLY)) as server:
        llm_settings = settings.model_copy(update={"openai_api_key": "bench-key", "openai_base_url": server.base_url})
        engine = ChatEngine.from_settings(llm_settings, services.retriever)
        client = openai.OpenAI(api_key="bench-key", base_url=server.base_url, max_retries=0)
        list(engine.stream(questions[0]))   # warm: connection pool, prompt files
        eng_first, eng_total, raw_first, raw_total, retrieve_ms = [], [], [], [], []
        for q in questions:
            t = time.perf_counter()
            first = None
            final = None
            for ev in engine.stream(q):
                if ev.kind == "delta" and first is None:
                    first = time.perf_counter() - t
                if ev.kind == "final":
                    final = ev.answer
            if final is None or final.mode != "llm" or final.refused:
                continue   # refused or fell back: no LLM first token to compare
            eng_total.append(time.perf_counter() - t)
            eng_first.append(first or 0.0)
            retrieve_ms.append(final.timings_ms.get("retrieve", 0.0))
            messages = server.chat_requests[-1]["json"]["messages"]   # the very request the engine sent
            t = time.perf_counter()
            got_first = None
            stream = client.chat.completions.create(model=settings.llm_model, messages=messages, stream=True)
            for chunk in stream:
                if got_first is None and chunk.choices and chunk.choices[0].delta.content:
                    got_first = time.perf_counter() - t
            raw_total.append(time.perf_counter() - t)
            raw_first.append(got_first or 0.0)
    overhead = [a - b for a, b in zip(eng_first, raw_first)]
    return {"answered_by_llm": len(eng_first), "engine_first_token": summary_ms(eng_first),
            "llm_alone_first_token": summary_ms(raw_first), "added_before_first_token": summary_ms(overhead),
            "engine_total": summary_ms(eng_total), "llm_alone_total": summary_ms(raw_total),
            "retrieve_mean_ms": round(statistics.fmean(retrieve_ms), 1) if retrieve_ms else None}


KINDS = Path(__file__).resolve().parent.parent / "tests" / "eval" / "kinds.jsonl"


def kind_questions(kind: str) -> list[str]:
    items = [json.loads(line) for line in KINDS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [i["question"] for i in items if i["expected_kind"] == kind and not i.get("history")]


def kinds_offline(settings: Settings, services: Any) -> dict[str, Any]:
    engine = ChatEngine(settings, services.retriever)
    out: dict[str, Any] = {}
    for kind in ("summary", "compare", "collection"):
        questions = kind_questions(kind)
        engine.ask(questions[0])
        wall, cpu = [], []
        for q in questions:
            t, c = time.perf_counter(), time.process_time()
            engine.ask(q)
            wall.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        out[kind] = {"wall": summary_ms(wall), "cpu": summary_ms(cpu)}
    return out


def _kind_reply(body: dict) -> str:
    """The stand-in LLM: to the kind prompt an empty verdict (the engine then keeps the rule's
    kind: the round trip is measured, the kind stays right), cited text to the others."""
    system = body["messages"][0]["content"] if body.get("messages") else ""
    return "{}" if "You classify questions" in system else REPLY


def kinds_llm(settings: Settings, services: Any, tmp: Path) -> dict[str, Any]:
    import openai

    from tests.llm_server import FakeLLMServer, reply

    out: dict[str, Any] = {}
    with FakeLLMServer(default=reply(_kind_reply)) as server:
        s = settings.model_copy(update={"openai_api_key": "bench-key", "openai_base_url": server.base_url})
        engine = ChatEngine.from_settings(s, services.retriever)
        # a copy of the digests without written summaries: the first summary is written, and
        # nothing lands in the seeds store
        shutil.copytree(settings.digests_dir, tmp, dirs_exist_ok=True, ignore=shutil.ignore_patterns("written"))
        engine.digests = type(engine.digests)(tmp)
        client = openai.OpenAI(api_key="bench-key", base_url=server.base_url, max_retries=0)
        list(engine.stream("warm-up"))
        for kind, rounds in (("summary", ("first", "cached")), ("compare", ("first",))):
            for rnd in rounds:
                first_tok, alone, requests = [], [], []
                for q in kind_questions(kind):
                    n0 = len(server.chat_requests)
                    t = time.perf_counter()
                    got = None
                    for ev in engine.stream(q):
                        if ev.kind == "delta" and got is None:
                            got = time.perf_counter() - t
                    first_tok.append(got or 0.0)
                    requests.append(len(server.chat_requests) - n0)
                    messages = server.chat_requests[-1]["json"]["messages"]   # the last request the engine sent
                    t = time.perf_counter()
                    for chunk in client.chat.completions.create(model=s.llm_model, messages=messages, stream=True):
                        if chunk.choices and chunk.choices[0].delta.content:
                            alone.append(time.perf_counter() - t)
                            break
                added = [a - b for a, b in zip(first_tok, alone)]
                out[f"{kind}_{rnd}"] = {"engine_first_token": summary_ms(first_tok), "llm_alone_first_token":
                                        summary_ms(alone), "added_before_first_token": summary_ms(added),
                                        "llm_requests_per_question": round(statistics.fmean(requests), 2)}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.bench_answer")
    ap.add_argument("--data", type=Path, required=True)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    settings = Settings(data_dir=args.data, openai_api_key=None, openai_base_url=None, chroma_host=None)
    embedder = E5Embedding()
    embedder.get_query_embedding("warm-up")
    services = build_services(settings, embedder=embedder)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        kinds = {"offline": kinds_offline(settings, services), "llm": kinds_llm(settings, services, Path(tmp))}
    emit({"offline": offline(settings, services), "llm": llm_mode(settings, services), "kinds": kinds,
          "by_kind": by_kind(settings, services, rounds=2)})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
