"""Build everything the bot needs from one Settings object: embedder, store, indexes, retriever.

Shared with ingest (same embedder factory, same collection), so names and vector sizes cannot
drift apart. Nothing here runs at import time.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

from bot.embeddings import make_embedder
from bot.keyword import KeywordIndex
from bot.library import Library
from bot.retrieve import HybridRetriever
from bot.settings import Settings
from bot.store import make_vector_store, open_collection

logger = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    embedder: Any
    collection: Any
    retriever: HybridRetriever
    library: Library
    _lock: threading.Lock

    def refresh(self) -> bool:
        """Pick up an index rebuilt by another ingest run; True when something changed."""
        fp = KeywordIndex.current_fingerprint(self.settings.keyword_dir)
        current = self.retriever.keyword.fingerprint if self.retriever.keyword else None
        if fp == current:
            return False
        with self._lock:
            self.library = Library.load(self.settings.docs_dir)
            self.retriever.keyword = KeywordIndex.load(self.settings.keyword_dir)
            self.retriever.library = self.library
        logger.info("reloaded indexes (keyword index %s)", fp)
        return True


def build_services(settings: Settings, embedder: Any = None) -> Services:
    from llama_index.core import VectorStoreIndex

    embedder = embedder or make_embedder(settings)
    collection = open_collection(settings, embedder)
    index = VectorStoreIndex.from_vector_store(make_vector_store(collection), embed_model=embedder)
    library = Library.load(settings.docs_dir)
    keyword = KeywordIndex.load(settings.keyword_dir)
    retriever = HybridRetriever(index, keyword, library, embedder)
    return Services(settings, embedder, collection, retriever, library, threading.Lock())
