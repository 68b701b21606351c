"""`python -m ingest.migrate --to-host H --to-port P [--to-token T] [--data-dir DIR] [--batch N]`

Copy the embedded vector store (DATA_DIR/chroma: the passages' collection and its sentence
vectors) into a Chroma server: ids, embeddings, documents and metadatas, batch by batch, so
nothing is embedded again. Each collection keeps its name and its metadata (which model built
it), so the bot and ingest accept it as theirs. Upserts make a killed
copy safe to run again; ids on the server that the embedded store lacks are deleted, so the server
ends as an exact copy. The keyword index and cleaned documents stay in DATA_DIR: the bot reads them
from there in server mode too.

Afterwards run the bot with CHROMA_HOST=H CHROMA_PORT=P (and CHROMA_TOKEN if the server wants one).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.index.store import StoreError, collection_names, make_chroma_client, sentences_collection
from bot.settings import Settings

logger = logging.getLogger(__name__)

FIELDS = ["embeddings", "documents", "metadatas"]


def _target_collection(client: Any, name: str, meta: dict[str, Any]) -> Any:
    sig = {k: meta.get(k) for k in ("embed_model", "embed_dim")}
    if name in collection_names(client):
        col = client.get_collection(name, embedding_function=None)
        found = {k: (col.metadata or {}).get(k) for k in sig}
        if found != sig:
            raise StoreError(f"The server's collection '{name}' was built with {found}, the embedded one with {sig}: "
                             "delete it on the server or set COLLECTION to another name.")
        return col
    return client.create_collection(name, embedding_function=None, metadata=meta)


def migrate(source: Settings, target: Settings, batch: int = 500,
            progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Copy `source`'s embedded collection into `target`'s Chroma server. Returns counts."""
    if source.chroma_host:
        raise StoreError("The source must be the embedded store: unset CHROMA_HOST for it.")
    if not target.chroma_host:
        raise StoreError("The target must be a Chroma server: give --to-host.")
    if not source.chroma_dir.exists():
        raise StoreError(f"No embedded store in {source.chroma_dir}: run `python -m ingest` first.")
    t0 = time.perf_counter()
    src_client, dst_client = make_chroma_client(source), make_chroma_client(target)
    try:
        src = src_client.get_collection(source.collection, embedding_function=None)
    except StoreError:
        raise
    except Exception as exc:
        raise StoreError(f"No collection '{source.collection}' in {source.chroma_dir} ({exc}).") from exc
    copied, extra, total = _copy(src, dst_client, target.collection, batch, progress, "passages")
    result = {"copied": copied, "deleted_on_target": extra, "total": total}
    # The sentence vectors go along (a store ingested before they existed has none: the next
    # ingest against the server adds them).
    name = sentences_collection(source.collection)
    if name in collection_names(src_client):
        n, _, _ = _copy(src_client.get_collection(name, embedding_function=None), dst_client,
                        sentences_collection(target.collection), batch, None, "sentences")
        result["sentences_copied"] = n
    return {**result, "collection": target.collection, "target": f"{target.chroma_host}:{target.chroma_port}",
            "seconds": round(time.perf_counter() - t0, 2)}


def _copy(src: Any, dst_client: Any, name: str, batch: int, progress: Callable[[int, int], None] | None,
          what: str) -> tuple[int, int, int]:
    """Make the server's collection `name` an exact copy of `src`: (copied, deleted, total)."""
    total = src.count()
    dst = _target_collection(dst_client, name, dict(src.metadata or {}))
    copied, offset, seen = 0, 0, set()
    while offset < total:
        got = src.get(include=FIELDS, limit=batch, offset=offset)
        ids = list(got["ids"])
        if not ids:
            break
        dst.upsert(ids=ids, embeddings=got["embeddings"], documents=got["documents"], metadatas=got["metadatas"])
        seen.update(ids)
        copied += len(ids)
        offset += len(ids)
        if progress:
            progress(copied, total)
    extra: list[str] = []
    offset = 0
    while True:  # ids only the server has: left over from an older copy or another store
        got = dst.get(include=[], limit=5000, offset=offset)
        extra.extend(i for i in got["ids"] if i not in seen)
        if len(got["ids"]) < 5000:
            break
        offset += 5000
    for i in range(0, len(extra), 5000):
        dst.delete(ids=extra[i:i + 5000])
    n_target = dst.count()
    if n_target != total:
        raise StoreError(f"The server holds {n_target} {what} after the copy, expected {total}: run it again.")
    return copied, len(extra), n_target


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m ingest.migrate",
                                 description="Copy the embedded vector store into a Chroma server (no re-embedding).")
    ap.add_argument("--to-host", required=True, help="Chroma server host, e.g. 127.0.0.1")
    ap.add_argument("--to-port", type=int, default=8000, help="Chroma server port (default 8000)")
    ap.add_argument("--to-token", default=None, help="bearer token, if the server requires one")
    ap.add_argument("--data-dir", type=Path, help="where the embedded store lives (default: DATA_DIR or ./data)")
    ap.add_argument("--batch", type=int, default=500, help="passages per request (default 500)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    overrides: dict[str, Any] = {"data_dir": args.data_dir} if args.data_dir else {}
    source = Settings(**overrides).model_copy(update={"chroma_host": None})
    target = source.model_copy(update={"chroma_host": args.to_host, "chroma_port": args.to_port,
                                       "chroma_token": args.to_token or source.chroma_token})

    def show(done: int, total: int) -> None:
        print(f"copied {done}/{total}", file=sys.stderr, flush=True)

    try:
        result = migrate(source, target, max(1, args.batch), show)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result, ensure_ascii=False))
    print(f"Done. Run the bot with CHROMA_HOST={args.to_host} CHROMA_PORT={args.to_port} "
          f"(DATA_DIR={source.data_dir} still holds the keyword index).", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
