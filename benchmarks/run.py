"""Run every benchmark and write benchmarks/results.md:

  .venv/bin/python -m benchmarks.run [--sizes 1000,10000,100000] [--server-sizes 1000,10000,100000] [--work DIR]

Each measurement runs in its own process (clean memory figures). About 10 minutes on 2 cores,
mostly building the 100k-chunk corpora; --sizes 1000,10000 --server-sizes 1000,10000 takes 3. Scratch data
goes to --work (default /tmp/transcript-qa-bench, removed afterwards unless --keep).
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import time
from pathlib import Path
from typing import Any

from benchmarks.common import machine, run_child
from benchmarks.report import render

logger = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent


def _sizes(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def retrieval_rows(work: Path, sizes: list[int], server_sizes: list[int], seeds_data: Path) -> list[dict[str, Any]]:
    from tests.chroma_server import ChromaServer

    rows: list[dict[str, Any]] = []
    r = run_child("benchmarks.bench_retrieval", "query", "--data", str(seeds_data), "--e5")
    rows.append({"corpus": "seeds (e5 queries)", **r})
    for n in sizes:
        data = work / f"synth-{n}-embedded"
        built = run_child("benchmarks.bench_retrieval", "build", "--size", str(n), "--data", str(data),
                          "--keyword-cache", str(work / f"kw-{n}"))
        r = run_child("benchmarks.bench_retrieval", "query", "--data", str(data))
        rows.append({"corpus": f"synthetic {n:,}", "build": built, **r})
        shutil.rmtree(data, ignore_errors=True)
    for n in ["seeds", *server_sizes]:
        with ChromaServer(work / f"server-{n}", log=work / f"server-{n}.log") as srv:
            host = ["--host", srv.host, "--port", str(srv.port)]
            if n == "seeds":
                data = work / "seeds-server"
                shutil.copytree(seeds_data, data)
                shutil.rmtree(data / "chroma")
                t = time.perf_counter()
                out = run_child("ingest.migrate", "--to-host", srv.host, "--to-port", str(srv.port),
                                "--data-dir", str(seeds_data))
                built = {"migrate_s": round(time.perf_counter() - t, 1), **out}
                r = run_child("benchmarks.bench_retrieval", "query", "--data", str(data), "--e5", *host)
                rows.append({"corpus": "seeds (e5 queries)", "build": built, **r})
                continue
            data = work / f"synth-{n}-server"
            built = run_child("benchmarks.bench_retrieval", "build", "--size", str(n), "--data", str(data),
                              "--keyword-cache", str(work / f"kw-{n}"), *host)
            r = run_child("benchmarks.bench_retrieval", "query", "--data", str(data), *host)
            rows.append({"corpus": f"synthetic {int(n):,}", "build": built, **r})
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    ap.add_argument("--sizes", default="1000,10000,100000", help="synthetic corpus sizes, embedded mode")
    ap.add_argument("--server-sizes", default="1000,10000,100000", help="synthetic corpus sizes, server mode")
    ap.add_argument("--work", type=Path, default=Path("/tmp/transcript-qa-bench"))
    ap.add_argument("--out", type=Path, default=HERE / "results.md")
    ap.add_argument("--keep", action="store_true", help="keep the scratch data in --work")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    t0 = time.perf_counter()
    results: dict[str, Any] = {"machine": machine()}
    seeds_data = args.work / "seeds-data"
    results["ingest"] = run_child("benchmarks.bench_ingest", "--data", str(seeds_data))
    results["retrieval"] = retrieval_rows(args.work, _sizes(args.sizes), _sizes(args.server_sizes), seeds_data)
    results["answer"] = run_child("benchmarks.bench_answer", "--data", str(seeds_data))
    load = HERE.parent / "tests" / "artifacts" / "load.json"
    if load.exists():
        results["load"] = json.loads(load.read_text())
    results["total_minutes"] = round((time.perf_counter() - t0) / 60, 1)
    (HERE / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    args.out.write_text(render(results), encoding="utf-8")
    print(f"wrote {args.out} ({results['total_minutes']} min)")
    if not args.keep:
        shutil.rmtree(args.work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
