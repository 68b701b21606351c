"""Load: concurrent gradio_client sessions against the real app, mixing narrow questions,
summaries, comparisons and follow-ups (benchmarks.questions.mixed), offline answers.

  python -m benchmarks.bench_load --data DIR --seeds DIR --work DIR

Starts `python app.py` on a copy of a full store (DIR: e.g. the seeds store of bench_start), then
1. one user alone asks every question of the mix once, in order (the single-user latencies);
2. 20 sessions at once, each asking 4 of them back to back (burst: the server saturated);
3. 20 sessions at once, each pausing 2-6 s between its questions, as a person reading the
   answer would, and arriving within the first 6 s rather than in the same instant (paced).
A follow-up is sent with its first question's answer as history (the /chat API's history), and
both count as answers. Errors are exceptions, non-text replies and error messages; memory is the
app's RSS before and after. tests/test_load.py drives the same sessions and asserts correctness.
"""

from __future__ import annotations

import random
import re
import shutil
import statistics
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks.common import pct, store_cli
from benchmarks.questions import history_for, mixed

SESSIONS, PER_SESSION = 20, 4
THINK_S = (2.0, 6.0)
CITED = re.compile(r"\[\d+\]")
ERROR = re.compile(r"检索失败|Search failed|回答时出错|Something went wrong")   # bot.answer.messages, bot.ui.text


def ask(client: Any, item: dict[str, Any]) -> list[tuple[str, float, str]]:
    """(kind, seconds, reply) of each /chat call one item makes (a follow-up makes two)."""
    out = []
    history = None
    if item.get("first"):
        t = time.perf_counter()
        first = client.predict(item["first"], None, api_name="/chat")
        out.append(("narrow", time.perf_counter() - t, first))
        history = history_for(item["first"], first if isinstance(first, str) else "")
    t = time.perf_counter()
    reply = client.predict(item["question"], history, api_name="/chat")
    out.append((item["kind"], time.perf_counter() - t, reply))
    return out


def run_sessions(url: str, items: list[dict[str, Any]], sessions: int = SESSIONS, per_session: int = PER_SESSION,
                 think: tuple[float, float] | None = None, seed: int = 0, timeout: float = 600) -> dict[str, Any]:
    """`sessions` concurrent clients, session k asking items k*per_session... (wrapping round)."""
    from gradio_client import Client

    calls: list[tuple[str, float, str]] = []
    errors: list[str] = []
    lock = threading.Lock()
    go = threading.Barrier(sessions)

    def session(k: int) -> None:
        rng = random.Random(seed + k)
        try:
            client = Client(url, verbose=False)
            go.wait(timeout=120)
            for j in range(per_session):
                if think:   # paced sessions also arrive spread over the first pause, as people do
                    time.sleep(rng.uniform(*think) if j else rng.uniform(0.0, think[1]))
                got = ask(client, items[(k * per_session + j) % len(items)])
                with lock:
                    calls.extend(got)
                    errors.extend(f"{kind}: {str(r)[:200]}" for kind, _, r in got
                                  if not isinstance(r, str) or not r.strip() or ERROR.search(r))
        except Exception as exc:  # noqa: BLE001 - every failure is counted, none hidden
            with lock:
                errors.append(f"session {k}: {type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=session, args=(k,), daemon=True) for k in range(sessions)]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=timeout)
    wall = time.perf_counter() - t0
    if any(th.is_alive() for th in threads):
        errors.append(f"sessions still running after {timeout} s")
    return {**figures(calls, wall), "sessions": sessions, "per_session": per_session,
            "think_s": list(think) if think else None, "errors": len(errors), "error_samples": errors[:5]}


def figures(calls: list[tuple[str, float, str]], wall: float) -> dict[str, Any]:
    secs = [s for _, s, _ in calls]
    by_kind: dict[str, list[float]] = {}
    for kind, s, _ in calls:
        by_kind.setdefault(kind, []).append(s)
    return {"answers": len(calls), "cited": sum(1 for *_, r in calls if isinstance(r, str) and CITED.search(r)),
            "p50_s": round(statistics.median(secs), 3) if secs else None,
            "p95_s": round(pct(secs, 95), 3) if secs else None, "wall_s": round(wall, 1),
            "answers_per_s": round(len(calls) / wall, 2) if wall else None,
            "by_kind": {k: {"n": len(v), "p50_s": round(statistics.median(v), 3), "p95_s": round(pct(v, 95), 3)}
                        for k, v in sorted(by_kind.items())}}


def single_user(url: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    from gradio_client import Client

    client = Client(url, verbose=False)
    calls: list[tuple[str, float, str]] = []
    t0 = time.perf_counter()
    for item in items:
        calls.extend(ask(client, item))
    return figures(calls, time.perf_counter() - t0)


def bench(data: Path, seeds: Path, work: Path) -> dict[str, Any]:
    import psutil

    from benchmarks.bench_start import wait_ready
    from benchmarks.servers import start_app, stop

    app_data = work / "load-data"
    shutil.rmtree(app_data, ignore_errors=True)
    shutil.copytree(data, app_data)
    items = mixed()
    proc, port = start_app(app_data, seeds, work / "load-app.log")
    try:
        url = wait_ready(proc, port, items[0]["question"], work / "load-app.log")["url"]
        app = psutil.Process(proc.pid)
        rss0 = app.memory_info().rss / 2**20
        single = single_user(url, items)
        burst = run_sessions(url, items)
        rss_burst = app.memory_info().rss / 2**20
        paced = run_sessions(url, items, think=THINK_S, seed=1)
        rss1 = app.memory_info().rss / 2**20
    finally:
        stop(proc)
    return {"single": single, "burst": burst, "paced": paced, "rss_before_mb": round(rss0),
            "rss_after_burst_mb": round(rss_burst), "rss_after_mb": round(rss1),
            "p95_over_single": {k: round(r["p95_s"] / single["p95_s"], 2) for k, r in (("burst", burst), ("paced", paced))
                                if r["p95_s"] and single["p95_s"]}}


def main(argv: list[str] | None = None) -> int:
    return store_cli("python -m benchmarks.bench_load", bench, argv)


if __name__ == "__main__":
    raise SystemExit(main())
