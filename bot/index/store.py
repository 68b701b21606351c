"""The vector store factory: embedded Chroma by default, a Chroma server when CHROMA_HOST is set.

The collection records which embedding model and vector size built it; opening it with another
model is refused, because mixed vectors silently ruin retrieval.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from bot.settings import Settings

logger = logging.getLogger(__name__)


class StoreError(RuntimeError):
    """The store cannot be used as configured; the message says what to do."""


REBUILD = "python -m ingest --rebuild"


def store_location(settings: Settings) -> str:
    if settings.chroma_host:
        return f"the Chroma server at {settings.chroma_host}:{settings.chroma_port}"
    return str(settings.chroma_dir)


def is_connection_error(exc: BaseException) -> bool:
    """True when `exc` (or what caused it) means "the server cannot be reached": refused,
    reset, timed out, or chromadb's own "Could not connect" wrapper."""
    import httpx

    seen: BaseException | None = exc
    depth = 0
    while seen is not None and depth < 10:
        if isinstance(seen, (httpx.TransportError, ConnectionError, TimeoutError)):
            return True
        if "Could not connect to a Chroma server" in str(seen):
            return True
        seen, depth = seen.__cause__ or seen.__context__, depth + 1
    return False


def unreachable(settings: Settings, exc: BaseException) -> StoreError:
    return StoreError(
        f"The vector store at {settings.chroma_host}:{settings.chroma_port} is unreachable "
        f"({type(exc).__name__}: {exc}). Check that the Chroma server is running "
        "(`chroma run --path DIR --host 127.0.0.1 --port PORT`); questions work again as soon as it is back."
    )


def unreadable(settings: Settings, exc: BaseException) -> StoreError:
    return StoreError(
        f"The vector store in {store_location(settings)} cannot be read ({type(exc).__name__}: {exc}). "
        "If an ingest is running, ask again when it has finished; otherwise the store is damaged or "
        f"half-written: rebuild it from the transcripts with `{REBUILD}`."
    )


def forget_embedded_client(settings: Settings) -> None:
    """Drop chromadb's in-process cache of the embedded store at settings.chroma_dir.

    PersistentClient shares one System per path in a process, and that System keeps the vector
    index in memory: writes by another process (a CLI ingest) or a store rebuilt under it stay
    invisible until the next client is built from a fresh System. Objects already handed out
    keep working on the old one (nothing is stopped), so a question in flight is not broken.
    """
    if settings.chroma_host:
        return
    from chromadb.api.shared_system_client import SharedSystemClient

    key = str(settings.chroma_dir)
    systems = getattr(SharedSystemClient, "_identifier_to_system", None)
    counts = getattr(SharedSystemClient, "_identifier_to_refcount", None)
    if isinstance(systems, dict) and isinstance(counts, dict):
        systems.pop(key, None)
        counts.pop(key, None)
    else:  # chromadb changed its internals: fall back to the public, process-wide reset
        SharedSystemClient.clear_system_cache()


@functools.cache
def _chroma_settings_base() -> Any:
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=True)


def _chroma_settings() -> Any:
    """Chroma's own settings, read once per process: a pydantic BaseSettings that reads the
    environment and .env when built (4 ms, paid by every ingest and reload), where a copy takes
    0.05 ms. A copy each time, because chromadb.HttpClient writes the server's address into the
    settings it is given (a shared object turned the next embedded client into an HTTP one)."""
    return _chroma_settings_base().model_copy()


def make_chroma_client(settings: Settings) -> Any:
    import chromadb

    chroma_settings = _chroma_settings()
    if settings.chroma_host:
        headers = {"Authorization": f"Bearer {settings.chroma_token}"} if settings.chroma_token else None
        try:
            return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port,
                                       headers=headers, settings=chroma_settings)
        except Exception as exc:  # connection refused, bad auth, ...
            raise StoreError(
                f"The vector store at {settings.chroma_host}:{settings.chroma_port} is unreachable ({exc}). "
                "Start it with `chroma run --path DIR --host 127.0.0.1 --port PORT`, "
                "or unset CHROMA_HOST to use the embedded store."
            ) from exc
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
    except Exception as exc:
        raise StoreError(
            f"The vector store in {settings.chroma_dir} cannot be opened ({exc}). "
            f"Rebuild it from the transcripts with `{REBUILD}`."
        ) from exc


def model_signature(embedder: Any) -> dict[str, Any]:
    dim = getattr(embedder, "dim", None)
    if dim is None:
        dim = len(embedder.get_query_embedding("dimension probe"))
    return {"embed_model": embedder.model_name, "embed_dim": int(dim)}


def collection_names(client: Any) -> set[str]:
    """Names of the client's collections (chromadb returns names or Collection objects by version)."""
    return {c if isinstance(c, str) else c.name for c in client.list_collections()}


def sentences_collection(collection: str) -> str:
    """The name of the collection of sentence vectors that goes with the passages' `collection`."""
    return f"{collection}-sentences"


def open_collection(settings: Settings, embedder: Any, client: Any | None = None, create: bool = True,
                    name: str | None = None) -> Any:
    """Get (or create) the collection (the passages', or `name`), refusing one built by a
    different embedding model."""
    client = client or make_chroma_client(settings)
    sig = model_signature(embedder)
    name = name or settings.collection
    try:
        if create:
            col = client.get_or_create_collection(
                name, embedding_function=None,
                metadata={**sig, "hnsw:space": "cosine"},
            )
        else:
            col = client.get_collection(name, embedding_function=None)
    except StoreError:
        raise
    except Exception as exc:
        if settings.chroma_host and is_connection_error(exc):
            raise unreachable(settings, exc) from exc
        if not create and type(exc).__name__ == "NotFoundError":
            raise StoreError(f"No collection '{name}' yet: run `python -m ingest` first.") from exc
        raise StoreError(
            f"The vector store collection '{name}' cannot be opened ({exc}). "
            "Rebuild it with `python -m ingest --rebuild`."
        ) from exc
    meta = col.metadata or {}
    built = {k: meta.get(k) for k in sig}
    if built != sig:
        raise StoreError(
            f"Collection '{name}' was built with {built['embed_model']} "
            f"({built['embed_dim']}-d) but the configured embedder is {sig['embed_model']} ({sig['embed_dim']}-d). "
            "Re-ingest with `python -m ingest --rebuild`, or set COLLECTION to another name."
        )
    return col


def make_vector_store(collection: Any) -> Any:
    from llama_index.vector_stores.chroma import ChromaVectorStore

    return ChromaVectorStore(chroma_collection=collection)
