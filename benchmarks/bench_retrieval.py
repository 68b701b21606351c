"""Retrieval latency and memory over one corpus, in a fresh process (so RSS is this corpus's).

  python -m benchmarks.bench_retrieval build --size N --data DIR [--host H --port P]
  python -m benchmarks.bench_retrieval query --size N --data DIR [--host H --port P] [--e5]

`query` opens the store as the bot does (build_services), asks every golden question twice through
HybridRetriever.retrieve, and reports p50/p95, the time split between its parts (query embedding,
vector side, keyword side, the rest), load time and RSS. With --e5 the real model embeds the
queries (for the real seeds store); otherwise the stand-in does, matching the stand-in vectors.
"""

from __future__ import annotations

import argparse
import logging
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.common import HashEmbedder, emit, golden_questions, peak_rss_mb, rss_mb, summary_ms
from bot.settings import Settings

logger = logging.getLogger(__name__)


def _instrument(timers: dict[str, float]) -> None:
    """Accumulate the time spent in the retriever's parts (this process only)."""
    from bot.index.keyword import KeywordIndex
    from bot.retrieval import hybrid as retrieve

    def wrap(owner: Any, name: str, label: str) -> None:
        original: Callable = getattr(owner, name)

        def timed(*args: Any, **kw: Any) -> Any:
            t = time.perf_counter()
            try:
                return original(*args, **kw)
            finally:
                timers[label] += time.perf_counter() - t

        setattr(owner, name, timed)

    wrap(retrieve.VectorSide, "_retrieve", "vector side (Chroma)")
    wrap(retrieve.KeywordSide, "_retrieve", "keyword side (BM25)")
    wrap(KeywordIndex, "mask_where", "filter mask")
    wrap(retrieve, "judge", "relevance judge")


def settings_for(data: Path, host: str | None, port: int | None) -> Settings:
    return Settings(data_dir=data, chroma_host=host, chroma_port=port or 8000, openai_api_key=None,
                    openai_base_url=None)


def query(settings: Settings, e5: bool, rounds: int = 2) -> dict[str, Any]:
    from bot.retrieval.live import build_services

    rss0 = rss_mb()
    if e5:
        from bot.index.embeddings import E5Embedding

        embedder: Any = E5Embedding()
        embedder.get_query_embedding("warm-up")   # model load is not retrieval
    else:
        embedder = HashEmbedder()
    t = time.perf_counter()
    services = build_services(settings, embedder=embedder)
    load_s = time.perf_counter() - t
    rss_loaded = rss_mb()
    questions = [q["question"] for q in golden_questions()]
    retriever = services.retriever
    for q in questions[:3]:
        retriever.retrieve(q, top_k=settings.top_k)
    timers: dict[str, float] = defaultdict(float)
    _instrument(timers)
    orig_embed = embedder.get_query_embedding

    def embed(q: str) -> Any:
        t = time.perf_counter()
        try:
            return orig_embed(q)
        finally:
            timers["query embedding"] += time.perf_counter() - t

    object.__setattr__(embedder, "get_query_embedding", embed)
    times = []
    for _ in range(rounds):
        for q in questions:
            t = time.perf_counter()
            retriever.retrieve(q, top_k=settings.top_k)
            times.append(time.perf_counter() - t)
    total = sum(times)
    parts = {k: round(v / len(times) * 1000, 1) for k, v in sorted(timers.items(), key=lambda kv: -kv[1])}
    parts["rest (fusion, library, passages)"] = round((total - sum(timers.values())) / len(times) * 1000, 1)
    return {**summary_ms(times), "mean_parts_ms": parts, "load_s": round(load_s, 2),
            "rss_base_mb": round(rss0), "rss_loaded_mb": round(rss_loaded), "peak_rss_mb": round(peak_rss_mb()),
            "chunks": services.collection.count(), "mode": "server" if settings.chroma_host else "embedded"}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.bench_retrieval")
    ap.add_argument("action", choices=["build", "query"])
    ap.add_argument("--size", type=int, default=0)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--host")
    ap.add_argument("--port", type=int)
    ap.add_argument("--keyword-cache", type=Path)
    ap.add_argument("--e5", action="store_true", help="embed queries with the real model (seeds store)")
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    settings = settings_for(args.data, args.host, args.port)
    if args.action == "build":
        from benchmarks.synth import build

        emit(build(args.size, settings, args.keyword_cache))
    else:
        emit(query(settings, args.e5, args.rounds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
