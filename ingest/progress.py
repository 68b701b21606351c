"""Progress of a long ingest, for people: a live bar on a terminal, one line per tenth elsewhere
(CI logs, pipes, a service's journal). Shared by `python -m ingest` and `app.py`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

LABELS = {"embed": "Embedding passages", "sentences": "Embedding sentences", "keyword": "Building keyword index"}


class IngestProgress:
    """Call it as `progress(phase, done, total)` (ingest.pipeline.Progress); `close()` at the end."""

    def __init__(self, console: Any = None, line: Callable[[str], None] | None = None) -> None:
        from rich.console import Console

        self.console = console or Console(stderr=True)
        self.line = line or self.console.print
        self._bar: Any = None
        self._tasks: dict[str, Any] = {}
        self._tenth: dict[str, int] = {}

    def __call__(self, phase: str, done: int, total: int) -> None:
        label = LABELS.get(phase, phase)
        if not self.console.is_terminal:
            tenth = (10 * done) // max(total, 1)
            if self._tenth.get(phase) != tenth:
                self._tenth[phase] = tenth
                self.line(f"{phase}: {done}/{total}")
            return
        if self._bar is None:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeRemainingColumn(), console=self.console)
            self._bar.start()
        if phase not in self._tasks:
            self._tasks[phase] = self._bar.add_task(label, total=max(total, 1))
        self._bar.update(self._tasks[phase], completed=done if total else 1)

    def close(self) -> None:
        if self._bar is not None and self._bar.live.is_started:
            self._bar.stop()
