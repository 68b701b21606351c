"""Hand-written fakes that record their calls."""

from __future__ import annotations

import hashlib
import math

from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr


class FakeEmbedder(BaseEmbedding):
    """Character-bigram hashing vectors: cheap, deterministic, and similar texts get similar vectors.

    Records every text it embeds, so tests can assert what was (re-)embedded.
    """

    dim: int = 64
    _calls: list = PrivateAttr(default_factory=list)

    def __init__(self, **kw):
        super().__init__(model_name="fake-bigram-64", **kw)

    @property
    def embedded(self) -> list[str]:
        return [t for kind, t in self._calls if kind == "passage"]

    @property
    def queries(self) -> list[str]:
        return [t for kind, t in self._calls if kind == "query"]

    def _vec(self, text: str) -> list[float]:
        v = [0.0] * self.dim
        for a, b in zip(text, text[1:]):
            h = int(hashlib.md5((a + b).encode()).hexdigest()[:8], 16)
            v[h % self.dim] += 1.0
        n = math.sqrt(sum(x * x for x in v)) or 1.0
        return [x / n for x in v]

    def _get_query_embedding(self, query: str) -> list[float]:
        self._calls.append(("query", query))
        return self._vec(query)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        self._calls.append(("passage", text))
        return self._vec(text)
