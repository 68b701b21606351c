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

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding

from bot.settings import PROJECT_ROOT

logger = logging.getLogger(__name__)
GOLDEN = PROJECT_ROOT / "tests" / "eval" / "golden.jsonl"


class HashEmbedder(BaseEmbedding):
    """384-d character-bigram hashing vectors (the size of e5-small's), L2-normalised.

    Costs microseconds, so a benchmark over it measures the store and the retriever, not a model.
    Used for the synthetic corpora on BOTH sides: passages and queries (a store of stand-in
    vectors answers only stand-in queries meaningfully)."""

    dim: int = 384

    def __init__(self, **kw: Any) -> None:
        super().__init__(model_name="bench-hash-384", embed_batch_size=256, **kw)

    @classmethod
    def class_name(cls) -> str:
        return "BenchHashEmbedder"

    def vector(self, text: str) -> np.ndarray:
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        v = np.zeros(self.dim, dtype=np.float32)
        if len(codes) >= 2:
            h = (codes[:-1] * np.uint64(1_000_003) + codes[1:] * np.uint64(7919)) % np.uint64(self.dim)
            np.add.at(v, h.astype(np.int64), 1.0)
        else:
            v[0] = 1.0
        return v / (np.linalg.norm(v) or 1.0)

    def _get_query_embedding(self, query: str) -> list[float]:
        return self.vector(query).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self.vector(text).tolist()


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
            "python": sys.version.split()[0], "platform": platform.platform()}


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


def work_dir(base: Path | None, name: str) -> Path:
    root = base or Path(os.environ.get("BENCH_WORK", "/tmp/transcript-qa-bench"))
    path = root / name
    path.mkdir(parents=True, exist_ok=True)
    return path
