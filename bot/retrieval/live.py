"""Build everything the bot needs from one Settings object: embedder, store, indexes, retriever.

Shared with ingest (same embedder factory, same collection), so names and vector sizes cannot
drift apart. Nothing here runs at import time.

The data is alive: another process may ingest (or rebuild) while the bot answers. Before each
question the retriever checks the keyword index's CURRENT file (one small read); when it names
another index, the collection, keyword index and library are opened afresh. A Chroma server that
goes away gives a clear StoreError, and the next question reconnects by itself.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from bot.index.embeddings import make_embedder
from bot.index.keyword import KeywordIndex
from bot.index.library import Library
from bot.index.sentences import SentenceIndex
from bot.index.store import (
    REBUILD,
    StoreError,
    forget_embedded_client,
    is_connection_error,
    make_chroma_client,
    make_vector_store,
    open_collection,
    sentences_collection,
    unreachable,
    unreadable,
)
from bot.retrieval.hybrid import HybridRetriever
from bot.schema import Filters, Retrieval
from bot.settings import RetrievalParams, Settings

logger = logging.getLogger(__name__)


@dataclass
class _Opened:
    collection: Any
    index: Any
    keyword: KeywordIndex | None
    library: Library
    sentences: SentenceIndex | None = None


def _open_collection(settings: Settings, embedder: Any) -> tuple[Any, Any, int, Any]:
    """A fresh client, collection and vector index over it, the number of vectors, and the
    sentence collection (None when the store predates it or holds none: retrieval then goes
    without sentence vectors until the next ingest adds them)."""
    from llama_index.core import VectorStoreIndex

    forget_embedded_client(settings)
    client = make_chroma_client(settings)
    collection = open_collection(settings, embedder, client)
    try:
        n_vectors = collection.count()
    except Exception as exc:
        raise (unreachable(settings, exc) if settings.chroma_host and is_connection_error(exc)
               else unreadable(settings, exc)) from exc
    index = VectorStoreIndex.from_vector_store(make_vector_store(collection), embed_model=embedder)
    sentences = None
    try:
        sentences = open_collection(settings, embedder, client, create=False,
                                    name=sentences_collection(settings.collection))
    except StoreError as exc:
        logger.info("no sentence vectors (%s); run `python -m ingest` to add them", exc)
    return collection, index, n_vectors, sentences


def _sentences(collection: Any, keyword: KeywordIndex | None, params: RetrievalParams) -> SentenceIndex | None:
    """The sentence search, or None (no sentence vectors yet, or they cannot be read: retrieval
    then goes on without them rather than failing the question)."""
    if collection is None or keyword is None:
        return None
    try:
        return SentenceIndex.open(collection, keyword, params=params)
    except Exception as exc:
        logger.warning("sentence vectors unreadable (%s: %s); searching without them", type(exc).__name__, exc)
        return None


def _open(settings: Settings, embedder: Any) -> _Opened:
    """Open the collection and load the keyword index and library; refuse a store whose two
    indexes disagree (a damaged, half-written or half-deleted store) with advice to rebuild."""
    collection, index, n_vectors, sentences = _open_collection(settings, embedder)
    try:
        keyword = KeywordIndex.load(settings.keyword_dir)
        library = Library.load(settings.docs_dir)
    except Exception as exc:  # unreadable json, a truncated bm25 file, ...
        raise StoreError(f"The keyword index or documents in {settings.data_dir} cannot be read "
                         f"({type(exc).__name__}: {exc}). Rebuild them with `{REBUILD}`.") from exc
    n_keyword = len(keyword.ids) if keyword is not None else 0
    if keyword is None and n_vectors:
        raise StoreError(f"The keyword index in {settings.keyword_dir} is missing, but the vector store holds "
                         f"{n_vectors} passages. Rebuild both from the transcripts with `{REBUILD}`.")
    if n_vectors != n_keyword:
        raise out_of_step(n_vectors, n_keyword)
    return _Opened(collection, index, keyword, library,
                   _sentences(sentences, keyword, settings.retrieval))


def out_of_step(n_vectors: int, n_keyword: int) -> StoreError:
    return StoreError(f"The vector store holds {n_vectors} passages but the keyword index {n_keyword}: "
                      "they are out of step. If an ingest is running, wait for it to finish; otherwise the "
                      f"store is damaged or half-written: rebuild it with `{REBUILD}`.")


@dataclass
class Services:
    settings: Settings
    embedder: Any
    collection: Any
    retriever: HybridRetriever
    library: Library
    _lock: threading.Lock
    _broken: bool = False   # the last reopen failed: try again before the next question

    def refresh(self, force: bool = False) -> bool:
        """Pick up an index rebuilt by another ingest run; True when something was reopened.

        Cheap when nothing changed (one read of the keyword index's CURRENT file). `force`
        reopens the vector store even so (after a failed query: another process may be writing
        it, which leaves an open embedded client stale). Raises StoreError when the store
        changed into something unusable.
        """
        if not force and not self._changed():
            return False
        with self._lock:
            if not self._changed():
                if not force:
                    return False   # another thread reopened while this one waited
                self._reopen_vectors()
                return True
            self._broken = True
            opened = _open(self.settings, self.embedder)
            self.collection, self.library = opened.collection, opened.library
            self.retriever.index, self.retriever.keyword = opened.index, opened.keyword
            self.retriever.sentences = opened.sentences
            self.retriever.library = opened.library
            self._broken = False
        logger.info("reopened the indexes (keyword index %s)", opened.keyword.fingerprint if opened.keyword else None)
        return True

    def _reopen_vectors(self) -> None:
        """A fresh client on the same indexes. While an ingest is adding passages (before it
        switches the keyword index) the vector store may hold more than the keyword index: that
        is expected, and served. An empty store under a full keyword index is damage."""
        collection, index, n_vectors, sentences = _open_collection(self.settings, self.embedder)
        n_keyword = len(self.retriever.keyword.ids) if self.retriever.keyword else 0
        if n_vectors == 0 and n_keyword:
            self._broken = True
            raise out_of_step(n_vectors, n_keyword)
        self.collection, self.retriever.index = collection, index
        self.retriever.sentences = _sentences(sentences, self.retriever.keyword, self.settings.retrieval)
        logger.info("reopened the vector store (%d passages)", n_vectors)

    def _changed(self) -> bool:
        fp = KeywordIndex.current_fingerprint(self.settings.keyword_dir)
        current = self.retriever.keyword.fingerprint if self.retriever.keyword else None
        return self._broken or fp != current


RETRY_PAUSES = (0.1, 0.5)   # seconds before the 2nd and 3rd attempt after a store failure


class LiveRetriever(HybridRetriever):
    """HybridRetriever that keeps up with the store: refresh before each question, and on a
    store failure reopen and retry (twice, briefly paused) before giving up with a StoreError that
    says what to do. The retries ride over a server restart and over an embedded store that
    another process is writing (its open client goes stale: "Error finding id")."""

    services: Services | None = None

    def retrieve(self, query: str, filters: Filters | None = None, top_k: int = 10) -> Retrieval:
        services = self.services
        if services is None:
            return super().retrieve(query, filters, top_k)
        services.refresh()
        first: BaseException | None = None
        last: BaseException | None = None
        for attempt, pause in enumerate((None, *RETRY_PAUSES)):
            try:
                if pause is not None:
                    time.sleep(pause)
                    services.refresh(force=True)
                return super().retrieve(query, filters, top_k)
            except StoreError:
                if attempt == len(RETRY_PAUSES):
                    raise
            except Exception as exc:
                if not _store_failure(exc):
                    raise
                logger.warning("vector store failed (%s: %s); reopening (attempt %d)", type(exc).__name__, exc,
                               attempt + 1)
                first = first or exc
                last = exc
        assert last is not None   # the loop only ends here after a store failure
        settings = services.settings
        if settings.chroma_host and is_connection_error(last):
            raise unreachable(settings, last) from first
        raise unreadable(settings, last) from first


# chromadb errors that mean "your request is wrong", not "the store is unwell"
_CALLER_ERRORS = {"InvalidArgumentError", "InvalidUUIDError", "DuplicateIDError", "IDAlreadyExistsError",
                  "BatchSizeExceededError", "UniqueConstraintError", "AuthorizationError", "ChromaAuthError"}


def _store_failure(exc: BaseException) -> bool:
    """An error of the store (chromadb, its HTTP transport, the disk), not a bug of ours."""
    if is_connection_error(exc) or isinstance(exc, OSError):
        return True
    module = type(exc).__module__.split(".")[0]
    return module in ("chromadb", "chromadb_rust_bindings", "sqlite3", "httpx") and \
        type(exc).__name__ not in _CALLER_ERRORS


def build_services(settings: Settings, embedder: Any = None) -> Services:
    embedder = embedder or make_embedder(settings)
    opened = _open(settings, embedder)
    retriever = LiveRetriever(opened.index, opened.keyword, opened.library, embedder, opened.sentences,
                              params=settings.retrieval, remote=bool(settings.chroma_host),
                              host_weight=settings.host_weight)
    services = Services(settings, embedder, opened.collection, retriever, opened.library, threading.Lock())
    retriever.services = services
    return services
