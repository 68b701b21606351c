"""The vector store factory: embedded Chroma by default, a Chroma server when CHROMA_HOST is set.

The collection records which embedding model and vector size built it; opening it with another
model is refused, because mixed vectors silently ruin retrieval.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.settings import Settings

logger = logging.getLogger(__name__)


class StoreError(RuntimeError):
    """The store cannot be used as configured; the message says what to do."""


def make_chroma_client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
    if settings.chroma_host:
        headers = {"Authorization": f"Bearer {settings.chroma_token}"} if settings.chroma_token else None
        try:
            return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port,
                                       headers=headers, settings=chroma_settings)
        except Exception as exc:  # connection refused, bad auth, ...
            raise StoreError(
                f"Cannot reach the Chroma server at {settings.chroma_host}:{settings.chroma_port} ({exc}). "
                "Start it with `chroma run --path DIR --port PORT`, or unset CHROMA_HOST to use the embedded store."
            ) from exc
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
    except Exception as exc:
        raise StoreError(
            f"The vector store in {settings.chroma_dir} cannot be opened ({exc}). "
            "Rebuild it from the transcripts with `python -m ingest --rebuild`."
        ) from exc


def model_signature(embedder: Any) -> dict[str, Any]:
    dim = getattr(embedder, "dim", None)
    if dim is None:
        dim = len(embedder.get_query_embedding("dimension probe"))
    return {"embed_model": embedder.model_name, "embed_dim": int(dim)}


def open_collection(settings: Settings, embedder: Any, client: Any | None = None, create: bool = True) -> Any:
    """Get (or create) the collection, refusing one built by a different embedding model."""
    client = client or make_chroma_client(settings)
    sig = model_signature(embedder)
    try:
        if create:
            col = client.get_or_create_collection(
                settings.collection, embedding_function=None,
                metadata={**sig, "hnsw:space": "cosine"},
            )
        else:
            col = client.get_collection(settings.collection, embedding_function=None)
    except StoreError:
        raise
    except Exception as exc:
        if not create:
            raise StoreError(f"No collection '{settings.collection}' yet: run `python -m ingest` first.") from exc
        raise StoreError(
            f"The vector store collection '{settings.collection}' cannot be opened ({exc}). "
            "Rebuild it with `python -m ingest --rebuild`."
        ) from exc
    meta = col.metadata or {}
    built = {k: meta.get(k) for k in sig}
    if built != sig:
        raise StoreError(
            f"Collection '{settings.collection}' was built with {built['embed_model']} "
            f"({built['embed_dim']}-d) but the configured embedder is {sig['embed_model']} ({sig['embed_dim']}-d). "
            "Re-ingest with `python -m ingest --rebuild`, or set COLLECTION to another name."
        )
    return col


def make_vector_store(collection: Any) -> Any:
    from llama_index.vector_stores.chroma import ChromaVectorStore

    return ChromaVectorStore(chroma_collection=collection)
