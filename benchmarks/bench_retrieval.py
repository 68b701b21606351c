"""Retrieval latency and memory over one store, in a fresh process (so RSS is this store's).

  python -m benchmarks.bench_retrieval build --size N --data DIR --source DIR
  python -m benchmarks.bench_retrieval query --data DIR [--host H --port P] [--e5]

`build` writes about N passages of transcripts (benchmarks.corpus) and ingests them with the real
pipeline and stand-in vectors (benchmarks.synth). `query` opens the store as the bot does
(build_services), asks every golden question twice through HybridRetriever.retrieve (p50/p95,
where the time goes), then asks summaries, comparisons and follow-ups through the offline
ChatEngine (whatever this version does for them: digests, if it builds them). With --e5 the real
model embeds the queries (for a store built with it); otherwise the stand-in does.
"""

from __future__ import annotations

import argparse
import logging
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.common import HashEmbedder, emit, peak_rss_mb, rss_mb, store_inventory, summary_ms
from benchmarks.questions import COMPARISONS, FOLLOWUPS, SUMMARIES, history_for, narrow
from bot.settings import Settings

logger = logging.getLogger(__name__)


def _instrument(timers: dict[str, float]) -> None:
    """Accumulate the time spent in the retriever's parts (this process only)."""
    from bot.index.keyword import KeywordIndex
    from bot.index.sentences import SentenceIndex
    from bot.retrieval import hybrid

    def wrap(owner: Any, name: str, label: str) -> None:
        original: Callable = getattr(owner, name)

        def timed(*args: Any, **kw: Any) -> Any:
            t = time.perf_counter()
            try:
                return original(*args, **kw)
            finally:
                timers[label] += time.perf_counter() - t

        setattr(owner, name, timed)

    wrap(hybrid.VectorSide, "_retrieve", "passage vectors (Chroma)")
    wrap(hybrid.SentenceSide, "_retrieve", "sentence vectors")
    wrap(hybrid.KeywordSide, "_retrieve", "keywords (BM25)")
    wrap(SentenceIndex, "sentence_scores", "sentence scores of the hits")
    wrap(KeywordIndex, "mask_where", "filter mask")
    wrap(hybrid, "judge", "relevance judge")


def settings_for(data: Path, host: str | None, port: int | None) -> Settings:
    return Settings(data_dir=data, chroma_host=host, chroma_port=port or 8000, openai_api_key=None,
                    openai_base_url=None)


def _timed_embedder(embedder: Any, timers: dict[str, float]) -> None:
    orig = embedder.get_query_embedding

    def embed(q: str) -> Any:
        t = time.perf_counter()
        try:
            return orig(q)
        finally:
            timers["query embedding"] += time.perf_counter() - t

    object.__setattr__(embedder, "get_query_embedding", embed)


def kinds(settings: Settings, services: Any, rounds: int) -> dict[str, Any]:
    """Offline answers by kind through ChatEngine.ask (what the product does for each kind)."""
    from bot.answer.engine import ChatEngine

    engine = ChatEngine(settings, services.retriever)
    firsts = {q: engine.ask(q).text for q, _ in FOLLOWUPS}   # the follow-ups' context, not timed
    asks: dict[str, list[tuple[str, list[dict] | None]]] = {
        "summary": [(q, None) for q in SUMMARIES], "comparison": [(q, None) for q in COMPARISONS],
        "follow-up": [(f, history_for(q, firsts[q])) for q, f in FOLLOWUPS]}
    out: dict[str, Any] = {}
    for kind, items in asks.items():
        times, refused, answered_as = [], 0, {}
        for _ in range(rounds):
            for q, hist in items:
                t = time.perf_counter()
                a = engine.ask(q, history=hist)
                times.append(time.perf_counter() - t)
                refused += bool(a.refused)
                answered_as[a.kind] = answered_as.get(a.kind, 0) + 1   # the kind the engine recognised
        out[kind] = {**summary_ms(times), "refused": refused, "answered_as": answered_as}
    return out


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
    questions = narrow()
    retriever = services.retriever
    for q in questions[:3]:
        retriever.retrieve(q, top_k=settings.top_k)
    timers: dict[str, float] = defaultdict(float)
    _instrument(timers)
    _timed_embedder(embedder, timers)
    times = []
    for _ in range(rounds):
        for q in questions:
            t = time.perf_counter()
            retriever.retrieve(q, top_k=settings.top_k)
            times.append(time.perf_counter() - t)
    total = sum(times)
    parts = {k: round(v / len(times) * 1000, 1) for k, v in sorted(timers.items(), key=lambda kv: -kv[1])}
    parts["rest (fusion, rules, passages)"] = round((total - sum(timers.values())) / len(times) * 1000, 1)
    by_kind = kinds(settings, services, rounds)
    sentences = retriever.sentences
    sentence_mode = "none" if sentences is None else (
        "Chroma" if sentences.vectors is None else f"in memory ({sentences.vectors.shape[0]:,} × "
                                                    f"{sentences.vectors.shape[1]} {sentences.vectors.dtype})")
    return {**summary_ms(times), "mean_parts_ms": parts, "kinds": by_kind, "load_s": round(load_s, 2),
            "rss_base_mb": round(rss0), "rss_loaded_mb": round(rss_loaded), "rss_after_mb": round(rss_mb()),
            "peak_rss_mb": round(peak_rss_mb()), "chunks": services.collection.count(),
            "sentence_search": sentence_mode, "store": store_inventory(settings),
            "mode": "server" if settings.chroma_host else "embedded"}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.bench_retrieval")
    ap.add_argument("action", choices=["build", "query"])
    ap.add_argument("--size", type=int, default=0)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--source", type=Path, help="build: where the transcripts are written")
    ap.add_argument("--host")
    ap.add_argument("--port", type=int)
    ap.add_argument("--e5", action="store_true", help="embed queries with the real model (a store built with it)")
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    settings = settings_for(args.data, args.host, args.port)
    if args.action == "build":
        from benchmarks.synth import build

        emit(build(args.size, settings, args.source or args.data.parent / f"{args.data.name}-src"))
    else:
        emit(query(settings, args.e5, args.rounds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
