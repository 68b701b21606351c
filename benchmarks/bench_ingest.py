"""Ingest of the seeds with the real model: cold, unchanged re-run, and the bare embedding model on
the same passages and sentences in the same process (so the ratio says what the pipeline adds around the model).

  python -m benchmarks.bench_ingest --data DIR      (DIR is emptied first; the store is kept)
"""

from __future__ import annotations

import argparse
import logging
import shutil
import time
from pathlib import Path
from typing import Any

from benchmarks.common import emit, peak_rss_mb
from bot.index.embeddings import make_embedder
from bot.settings import Settings
from ingest.chunking import chunk_document
from ingest.pipeline import IngestReport, _load_docs, run_ingest
from ingest.records import embed_text, sentence_rows

logger = logging.getLogger(__name__)


def bench(data: Path) -> dict[str, Any]:
    shutil.rmtree(data, ignore_errors=True)
    settings = Settings(data_dir=data, openai_api_key=None, openai_base_url=None, chroma_host=None)
    embedder = make_embedder(settings)
    t = time.perf_counter()
    embedder.get_text_embedding("warm-up")   # model load, reported apart
    load_s = time.perf_counter() - t

    t = time.perf_counter()
    cold = run_ingest(settings, embedder=embedder)
    cold_s = time.perf_counter() - t
    t = time.perf_counter()
    again = run_ingest(settings, embedder=embedder)
    again_s = time.perf_counter() - t

    docs = _load_docs(settings.seeds_dir, IngestReport())
    chunks = [c for d, _ in docs for c in chunk_document(d, settings.chunk_size, settings.chunk_max)]
    # the same texts the ingest embeds: each passage, and each of its sentences
    texts = [embed_text(c) for c in chunks] + [t for c in chunks for _, t, _ in sentence_rows(c)]
    batch = settings.embed_batch_size
    t = time.perf_counter()
    for i in range(0, len(texts), batch):
        embedder.get_text_embedding_batch(texts[i:i + batch])
    bare_s = time.perf_counter() - t
    return {
        "chunks": cold.chunks_total, "sentences": cold.sentences_added, "texts_embedded": len(texts), "chars": sum(len(x) for x in texts), "model_load_s": round(load_s, 2),
        "cold_s": round(cold_s, 2), "cold_chunks_per_s": round(cold.chunks_total / cold_s, 1),
        "cold_phases_s": {k: round(v, 2) for k, v in cold.seconds.items()},
        "unchanged_s": round(again_s, 2), "unchanged_added": again.chunks_added,
        "bare_model_s": round(bare_s, 2), "bare_texts_per_s": round(len(texts) / bare_s, 1),
        "cold_over_bare": round(cold_s / bare_s, 3), "peak_rss_mb": round(peak_rss_mb()),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.bench_ingest")
    ap.add_argument("--data", type=Path, required=True)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    emit(bench(args.data))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
