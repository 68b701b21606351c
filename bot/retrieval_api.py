"""The contract between the retriever and everything that uses it (engine, eval, UI)."""

from __future__ import annotations

from typing import Protocol

from bot.types import Filters, Retrieval


class Retriever(Protocol):
    def retrieve(self, query: str, filters: Filters | None = None, top_k: int = 10) -> Retrieval: ...
