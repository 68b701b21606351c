"""Load: the real app.py in a subprocess, 20 concurrent gradio_client sessions, each asking three
held-back golden questions (offline, extractive answers). No errors, every answer cited, memory
bounded. The figures (latency p50/p95, answers/second, RSS) are printed (see them with -s) and
written to tests/artifacts/load.json.

The app starts on a copy of the session's seeded index, so its start-up ingest finds nothing to
embed (a few seconds instead of a minute).
"""

from __future__ import annotations

import json
import re
import shutil
import statistics
import threading
import time
from pathlib import Path

import pytest
from app_fixtures import ROOT, start_app, stop_app

SESSIONS = 20
PER_SESSION = 3
RSS_GROWTH_LIMIT_MB = 300
ARTIFACTS = ROOT / "tests" / "artifacts"


def holdout_questions() -> list[str]:
    items = [json.loads(line) for line in (ROOT / "tests" / "eval" / "golden.jsonl").read_text().splitlines()
             if line.strip()]
    return [i["question"] for i in items if i.get("split") == "holdout" and not i.get("should_refuse")]


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


@pytest.mark.load
def test_twenty_concurrent_sessions(seeded, tmp_path: Path) -> None:  # noqa: F811
    import psutil
    from gradio_client import Client

    questions = holdout_questions()
    assert len(questions) >= PER_SESSION
    settings, _, _ = seeded
    shutil.copytree(settings.data_dir, tmp_path / "data")
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    t0 = time.perf_counter()
    proc, url = start_app(tmp_path / "data", tmp_path / "seeds", tmp_path / "app.log", timeout=300)
    started_s = time.perf_counter() - t0
    try:
        app = psutil.Process(proc.pid)
        warm = Client(url, verbose=False).predict(questions[0], api_name="/chat")   # model loaded, caches warm
        assert re.search(r"\[\d+\]", warm), warm
        rss_before = app.memory_info().rss

        latencies: list[float] = []
        failures: list[str] = []
        lock = threading.Lock()
        go = threading.Barrier(SESSIONS)

        def session(k: int) -> None:
            try:
                client = Client(url, verbose=False)
                go.wait(timeout=120)
                for j in range(PER_SESSION):
                    q = questions[(k * PER_SESSION + j) % len(questions)]
                    t = time.perf_counter()
                    text = client.predict(q, api_name="/chat")
                    dt = time.perf_counter() - t
                    with lock:
                        latencies.append(dt)
                        if not isinstance(text, str) or not re.search(r"\[\d+\]", text):
                            failures.append(f"no citation for {q!r}: {str(text)[:200]}")
            except Exception as exc:  # noqa: BLE001 - every failure is reported, none hidden
                with lock:
                    failures.append(f"session {k}: {type(exc).__name__}: {exc}")

        threads = [threading.Thread(target=session, args=(k,), daemon=True) for k in range(SESSIONS)]
        t_load = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=300)
        wall = time.perf_counter() - t_load
        assert not any(th.is_alive() for th in threads), "sessions still running after 300 s"
        rss_after = app.memory_info().rss
    finally:
        stop_app(proc)

    figures = {
        "sessions": SESSIONS, "questions_per_session": PER_SESSION, "answers": len(latencies),
        "latency_p50_s": round(statistics.median(latencies), 3) if latencies else None,
        "latency_p95_s": round(_pct(latencies, 95), 3) if latencies else None,
        "latency_max_s": round(max(latencies), 3) if latencies else None,
        "answers_per_s": round(len(latencies) / wall, 2), "wall_s": round(wall, 1),
        "app_start_s": round(started_s, 1), "rss_before_mb": round(rss_before / 2**20),
        "rss_after_mb": round(rss_after / 2**20), "rss_growth_mb": round((rss_after - rss_before) / 2**20),
    }
    print("\nload:", json.dumps(figures))
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "load.json").write_text(json.dumps(figures, indent=2))
    assert failures == [], failures[:5]
    assert len(latencies) == SESSIONS * PER_SESSION
    assert figures["rss_growth_mb"] < RSS_GROWTH_LIMIT_MB, figures
