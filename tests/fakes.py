"""Hand-written fakes that record their calls (shared by the tests and the benchmarks)."""

from __future__ import annotations

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr


class FakeEmbedder(BaseEmbedding):
    """Character-bigram hashing vectors, L2-normalised: cheap (microseconds), deterministic, and
    similar texts get similar vectors. The benchmarks use it at 384 dimensions (e5-small's size)
    so that they measure the store and the retriever, not a model, on both the passage and the
    query side (a store of stand-in vectors answers only stand-in queries meaningfully).

    Records every text it embeds, so tests can assert what was (re-)embedded.
    """

    dim: int = 128
    _calls: list = PrivateAttr(default_factory=list)

    def __init__(self, dim: int = 128, **kw):
        kw.setdefault("embed_batch_size", 256)
        super().__init__(model_name=f"fake-bigram-{dim}", dim=dim, **kw)

    @classmethod
    def class_name(cls) -> str:
        return "FakeBigramEmbedder"

    @property
    def embedded(self) -> list[str]:
        return [t for kind, t in self._calls if kind == "passage"]

    @property
    def queries(self) -> list[str]:
        return [t for kind, t in self._calls if kind == "query"]

    def vector(self, text: str) -> np.ndarray:
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        v = np.zeros(self.dim, dtype=np.float32)
        if len(codes) >= 2:
            h = (codes[:-1] * np.uint64(1_000_003) + codes[1:] * np.uint64(7919)) % np.uint64(self.dim)
            np.add.at(v, h.astype(np.int64), 1.0)
        else:
            v[0] = 1.0
        return v / (np.linalg.norm(v) or 1.0)

    def _vec(self, text: str) -> list[float]:
        return self.vector(text).tolist()

    def _get_query_embedding(self, query: str) -> list[float]:
        self._calls.append(("query", query))
        return self._vec(query)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        self._calls.append(("passage", text))
        return self._vec(text)
