"""Load: the real app.py in a subprocess, 20 concurrent gradio_client sessions mixing narrow
questions, summaries, comparisons and follow-ups (benchmarks.questions, the same sessions
`python -m benchmarks.bench_load` times). No errors, every session's answers arrive, most cite
passages, memory bounded. Speed is the benchmark's business (benchmarks/results.md), not this test's.

The app starts on a copy of the session's seeded index, so its start-up ingest finds nothing to
embed (a few seconds instead of a minute).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from app_fixtures import ROOT, start_app, stop_app

from benchmarks.bench_load import PER_SESSION, SESSIONS, run_sessions
from benchmarks.questions import mixed

RSS_GROWTH_LIMIT_MB = 300


@pytest.mark.load
def test_twenty_concurrent_sessions_mixing_question_kinds(seeded, tmp_path: Path) -> None:  # noqa: F811
    import psutil

    items = mixed()
    assert {i["kind"] for i in items} == {"narrow", "summary", "comparison", "follow-up"}
    settings, _, _ = seeded
    shutil.copytree(settings.data_dir, tmp_path / "data")
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    proc, url = start_app(tmp_path / "data", tmp_path / "seeds", tmp_path / "app.log", timeout=300)
    try:
        app = psutil.Process(proc.pid)
        rss_before = app.memory_info().rss
        got = run_sessions(url, items)
        rss_after = app.memory_info().rss
    finally:
        stop_app(proc)
    assert got["errors"] == 0, got["error_samples"]
    follow_ups = sum(1 for k in range(SESSIONS * PER_SESSION) if items[k % len(items)].get("first"))
    assert got["answers"] == SESSIONS * PER_SESSION + follow_ups
    assert set(got["by_kind"]) == {"narrow", "summary", "comparison", "follow-up"}
    assert got["cited"] >= 0.7 * got["answers"], got   # the rest are refusals with closest passages
    assert (rss_after - rss_before) / 2**20 < RSS_GROWTH_LIMIT_MB
