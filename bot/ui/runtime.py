"""The heavy parts of the app (embedder, indexes, engine), built in the background.

The web server answers at once: `start()` runs the (incremental) ingest of the seeds on a thread
while the page shows its progress ("indexing 120/346") from `status()`. Whatever needs the index
waits for it: `services()` blocks until it is ready (the API simply answers later), and the chat
polls `status()` to tell the reader it is still indexing instead of looking dead.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.answer.llm import make_llm
from bot.settings import Settings

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (phase, done, total), as ingest.pipeline reports it


@dataclass(frozen=True)
class Status:
    """Where the start-up stands. phase: "waiting" (not started), "model" (loading the embedder),
    an ingest phase ("embed", "sentences", "keyword"), "opening", "ready" or "failed"."""

    phase: str = "waiting"
    done: int = 0
    total: int = 0
    error: str | None = None

    @property
    def ready(self) -> bool:
        return self.phase == "ready"

    @property
    def failed(self) -> bool:
        return self.phase == "failed"


class Runtime:
    """Builds the services once, on a background thread; `engine()` / `library()` wait for them."""

    def __init__(self, settings: Settings, line: Callable[[str], None] | None = None) -> None:
        self.settings = settings
        self.llm = make_llm(settings)
        self._line = line            # where progress lines go (the terminal, under app.py)
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._status = Status()
        self._services: Any = None
        self._engine: Any = None

    # --- start-up ----------------------------------------------------------------------------

    def start(self) -> None:
        """Begin building (once); returns at once."""
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(target=self._build, name="index-startup", daemon=True)
            self._thread.start()

    def status(self) -> Status:
        return self._status

    def wait(self, timeout: float | None = None) -> bool:
        """True once the services are ready or failed to build (see status().error)."""
        self.start()
        return self._ready.wait(timeout)

    def _progress(self, phase: str, done: int, total: int) -> None:
        self._status = Status(phase, done, total)
        if self._line is not None:
            self._line(phase, done, total)

    def _build(self) -> None:
        from bot.answer.engine import ChatEngine
        from bot.index.embeddings import make_embedder
        from bot.retrieval.live import build_services
        from ingest.pipeline import run_ingest

        t0 = time.perf_counter()
        try:
            self._status = Status("model")
            embedder = make_embedder(self.settings)
            # Incremental: embeds only what the store lacks, so "empty or stale" is just "run it".
            report = run_ingest(self.settings, embedder=embedder, progress=self._progress)
            self._status = Status("opening")
            services = build_services(self.settings, embedder=embedder)
            self._engine = ChatEngine(self.settings, services.retriever, self.llm)
            self._services = services
            self._status = Status("ready", report.chunks_total, report.chunks_total)
            logger.info("index ready: %d files, %d chunks (%d added) in %.1f s", len(report.files_indexed),
                        report.chunks_total, report.chunks_added, time.perf_counter() - t0)
        except Exception as exc:  # the page says why; the log keeps the trace
            logger.exception("cannot build the index")
            self._status = Status("failed", error=f"{type(exc).__name__}: {exc}" if not str(exc) else str(exc))
        finally:
            close = getattr(self._line, "close", None)
            if close is not None:   # a progress bar on the terminal
                close()
            self._ready.set()

    # --- what the UI uses ----------------------------------------------------------------------

    def services(self) -> Any:
        self.wait()
        if self._services is None:
            raise RuntimeError(self._status.error or "the index is not available")
        return self._services

    def engine(self) -> Any:
        self.services()
        return self._engine

    def library(self) -> Any:
        return self.services().library

    def reindex(self, progress: Progress, batch: int = 8) -> Any:
        """Ingest after an upload or removal, reusing the loaded embedder, then let the retriever
        see it. Small batches: an upload's few passages then report progress as they go."""
        from ingest.pipeline import run_ingest

        services = self.services()
        settings = self.settings.model_copy(update={"embed_batch_size": min(batch, self.settings.embed_batch_size)})
        report = run_ingest(settings, embedder=services.embedder, progress=progress)
        services.refresh()
        return report
