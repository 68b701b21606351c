"""`python -m ingest [SOURCE_DIR] [--data-dir DIR] [--json] [--rebuild]`.

Progress goes to stderr (a bar on a terminal); a summary table follows; with --json the last line
of stdout is one JSON object. Exit 0 when it indexed what it could; 2 when nothing usable was
there or the store is unusable, with a message that says what to do.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from bot.index.store import StoreError
from bot.settings import Settings
from ingest.manifest import ManifestError
from ingest.pipeline import IngestError, IngestReport, run_ingest
from ingest.progress import IngestProgress


def _summary(console, report: IngestReport) -> None:
    from rich.table import Table

    t = Table(title="Ingest summary", show_header=False)
    t.add_row("files indexed", str(len(report.files_indexed)))
    t.add_row("files skipped", str(len(report.files_skipped)))
    t.add_row("chunks added / updated / deleted", f"{report.chunks_added} / {report.chunks_updated} / {report.chunks_deleted}")
    t.add_row("chunks in store", str(report.chunks_total))
    t.add_row("sentences added / deleted", f"{report.sentences_added} / {report.sentences_deleted}")
    t.add_row("characters embedded", str(report.chars_embedded))
    embedding = report.seconds.get("embed_and_store", 0) + report.seconds.get("sentences", 0)
    t.add_row("seconds", f"{report.seconds.get('total', 0):.1f} (embedding {embedding:.1f})")
    console.print(t)
    files = Table(title="Files", show_header=True)
    for col in ("file", "format", "layout", "speakers (role)", "timed"):
        files.add_column(col)
    for f in report.per_file:
        who = ", ".join(f"{s['name']} ({s['role']})" for s in f["speakers"]) or \
            ("not marked" + (f"; in the recording: {', '.join(f['people'])}" if f["people"] else ""))
        files.add_row(f["file"], f["format"], f["layout"] or "", who, "yes" if f["timed"] else "no")
    if report.per_file:
        console.print(files)
    for s in report.files_skipped:
        console.print(f"[yellow]skipped[/] {s['file']}: {s['reason']}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m ingest", description="Index transcripts for the chatbot.")
    ap.add_argument("source", nargs="?", type=Path, help="folder of transcripts: .txt .md .srt .vtt .docx .pdf (default: seeds/)")
    ap.add_argument("--data-dir", type=Path, help="where the indexes live (default: DATA_DIR or ./data)")
    ap.add_argument("--json", action="store_true", help="print a JSON summary as the last line of stdout")
    ap.add_argument("--rebuild", action="store_true", help="drop every index and rebuild from the transcripts")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    from rich.console import Console

    console = Console(stderr=True)
    overrides = {"data_dir": args.data_dir} if args.data_dir else {}
    settings = Settings(**overrides)
    progress = IngestProgress(console)
    try:
        report = run_ingest(settings, args.source, progress=progress, rebuild=args.rebuild)
    except (IngestError, StoreError, ManifestError) as exc:
        progress.close()
        console.print(f"[red]error:[/] {exc}")
        if args.json:
            print(json.dumps({"error": str(exc)}, ensure_ascii=False))
        return 2
    progress.close()
    _summary(console, report)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
