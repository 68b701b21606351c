"""Synthetic stores of N passages, built the way the product builds them: transcript files
(benchmarks.corpus.copies) through the real ingest pipeline (ingest.pipeline.run_ingest), so
they hold everything this version's ingest writes: passages, their sentence vectors (about four
per passage), the keyword index, cleaned documents, and digests or any other store a later
version adds. Only the vectors are stand-ins (benchmarks.common.HashEmbedder), so that size,
not the model, is measured; queries use the same stand-in.

The build adds BUILD_BATCH texts per Chroma call instead of the app's embed_batch_size (32):
the same records, fewer round trips.
"""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path
from typing import Any

from benchmarks.common import HashEmbedder, peak_rss_mb, store_inventory
from benchmarks.corpus import copies
from bot.settings import Settings
from ingest.pipeline import run_ingest

logger = logging.getLogger(__name__)
BUILD_BATCH = 2000


def build(n: int, settings: Settings, source: Path) -> dict[str, Any]:
    """Write about n passages of seed copies to `source` and ingest them into settings' store."""
    t0 = time.perf_counter()
    made = copies(source, n)
    gen_s = time.perf_counter() - t0
    last = [0.0]

    def progress(phase: str, done: int, total: int) -> None:
        if time.perf_counter() - last[0] > 30:
            last[0] = time.perf_counter()
            logger.info("%s %d/%d", phase, done, total)

    s = settings.model_copy(update={"embed_batch_size": BUILD_BATCH, "seeds_dir": source})
    t = time.perf_counter()
    report = run_ingest(s, source, embedder=HashEmbedder(), progress=progress)
    ingest_s = time.perf_counter() - t
    return {"files": made["files"], "chunks": report.chunks_total, "sentences": report.sentences_added,
            "generate_s": round(gen_s, 1), "ingest_s": round(ingest_s, 1),
            "phases_s": {k: round(v, 1) for k, v in report.seconds.items()},
            "store": store_inventory(s), "peak_rss_mb": round(peak_rss_mb())}


def copy_for_server(data: Path, server_path: Path, server_data: Path) -> float:
    """The embedded store's Chroma files become a server's --path (same on-disk format: no second
    build); the keyword index and documents are copied to the server setup's data dir."""
    t = time.perf_counter()
    shutil.rmtree(server_path, ignore_errors=True)
    shutil.copytree(data / "chroma", server_path)
    shutil.rmtree(server_data, ignore_errors=True)
    shutil.copytree(data, server_data, ignore=lambda d, names: ["chroma"] if Path(d) == data else [])
    return time.perf_counter() - t
