"""Shared pieces of the benchmarks: a cheap stand-in embedder, timing and memory helpers, the
golden questions, and a description of the machine."""

from __future__ import annotations

import json
import logging
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bot.settings import PROJECT_ROOT

logger = logging.getLogger(__name__)
GOLDEN = PROJECT_ROOT / "tests" / "eval" / "golden.jsonl"


def HashEmbedder() -> Any:
    """The tests' bigram-hashing fake embedder at e5-small's 384 dimensions: costs microseconds,
    so a benchmark over it measures the store and the retriever, not a model."""
    from tests.fakes import FakeEmbedder

    return FakeEmbedder(dim=384)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary_ms(seconds: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {"n": len(ms), "p50_ms": round(statistics.median(ms), 1), "p95_ms": round(pct(ms, 95), 1),
            "max_ms": round(max(ms), 1), "mean_ms": round(statistics.fmean(ms), 1)}


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def golden_questions(split: str | None = None) -> list[dict[str, Any]]:
    items = [json.loads(line) for line in GOLDEN.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [i for i in items if split is None or i.get("split") == split]


def machine() -> dict[str, str]:
    def sh(cmd: str) -> str:
        try:
            return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=10).stdout.strip()
        except Exception:  # noqa: BLE001 - a missing tool only blanks one line
            return "?"

    cpu = sh("lscpu | sed -n 's/^Model name: *//p' | head -1") or platform.processor()
    mem = sh("free -h | awk '/^Mem:/ {print $2}'")
    return {"date": time.strftime("%Y-%m-%d %H:%M %Z"), "nproc": sh("nproc"), "memory": mem, "cpu": cpu,
            "python": sys.version.split()[0], "platform": platform.platform(), "load_average": load_average()}


def load_average() -> str:
    """The 1/5/15-minute load averages: how busy the machine was (other work shares the cores)."""
    try:
        return " / ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


def emit(result: dict[str, Any]) -> None:
    """Last line of stdout: the JSON result a parent process reads."""
    print(json.dumps(result, ensure_ascii=False), flush=True)


def run_child(module: str, *args: str, timeout: float = 3600) -> dict[str, Any]:
    """Run `python -m module args` (fresh process: clean memory figures) and parse its last line."""
    cmd = [sys.executable, "-m", module, *args]
    logger.info("running %s", " ".join(cmd[1:]))
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.run(cmd, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=timeout, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[1:])} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def timed(fn, *args: Any, **kw: Any) -> tuple[Any, float]:
    t = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - t


def dir_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20, 1)


def store_inventory(settings: Any) -> dict[str, Any]:
    """What a store holds, whatever this version writes: each Chroma collection's count, the size
    of each part of DATA_DIR, and the digests if any part's name says so (collection, folder or
    file). Lets one benchmark run report stores that later versions extend."""
    from bot.index.store import collection_names, make_chroma_client

    client = make_chroma_client(settings)
    cols = {n: client.get_collection(n, embedding_function=None).count() for n in sorted(collection_names(client))}
    data = Path(settings.data_dir)
    parts = {p.name: dir_mb(p) if p.is_dir() else round(p.stat().st_size / 2**20, 1)
             for p in sorted(data.iterdir())} if data.is_dir() else {}
    digests = {k: v for k, v in {**cols, **parts}.items() if "digest" in k.lower()}
    return {"collections": cols, "data_dir_mb": parts, "digests": digests}


def work_dir(base: Path | None, name: str) -> Path:
    root = base or Path(os.environ.get("BENCH_WORK", "/tmp/transcript-qa-bench"))
    path = root / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_cli(prog: str, bench: Any, argv: list[str] | None) -> int:
    """The command line of a benchmark run against a full store: --data (copied, not changed),
    --seeds (the transcripts it was built from), --work (a scratch folder)."""
    import argparse

    ap = argparse.ArgumentParser(prog=prog)
    ap.add_argument("--data", type=Path, required=True, help="a full store (copied, not changed)")
    ap.add_argument("--seeds", type=Path, required=True, help="the transcripts it was built from")
    ap.add_argument("--work", type=Path, required=True)
    args = ap.parse_args(argv)
    emit(bench(args.data, args.seeds, args.work))
    return 0
