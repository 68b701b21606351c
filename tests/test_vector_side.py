"""The passage-vector side asks Chroma for ids and distances only and makes each hit's node from
the keyword index's record: the same passages, scores and node hashes as the stock retriever,
and a passage the keyword index does not know yet (an ingest is running) still comes back."""

from __future__ import annotations

import shutil

import pytest
from llama_index.core.schema import QueryBundle

from bot.retrieval.hybrid import HybridRetriever
from bot.retrieval.live import build_services
from bot.retrieval.sides import VectorSide
from bot.schema import Filters
from bot.settings import PROJECT_ROOT, RetrievalParams, Settings
from ingest.pipeline import run_ingest
from tests.fakes import FakeEmbedder

SEEDS = PROJECT_ROOT / "seeds"
A, B = "000_7c025ce395f4bbe9.txt", "004_4afa1a6a78a1a4ce.txt"
QUESTION = "语音比文字便宜,因为语音慢"


@pytest.fixture
def retriever(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for n in (A, B, "manifest.toml"):
        shutil.copy(SEEDS / n, src / n)
    settings = Settings(data_dir=tmp_path / "data")
    emb = FakeEmbedder()
    run_ingest(settings, src, embedder=emb)
    return build_services(settings, emb).retriever


def _stock(monkeypatch) -> None:
    """Every vector side as LlamaIndex's own retriever (text and metadata fetched from Chroma)."""
    made = HybridRetriever._vector_side

    def stock(self, **kw):
        side = made(self, **kw)
        side.records = None
        return side

    monkeypatch.setattr(HybridRetriever, "_vector_side", stock)


@pytest.mark.parametrize("filters", [Filters(), Filters(docs=[B.removesuffix(".txt")])])
def test_nodes_from_the_keyword_index_give_what_chroma_gives(retriever, monkeypatch, filters):
    retriever.params = RetrievalParams(exact_max=0)   # a filtered search by ids, not the exact path
    queries = []
    original = type(retriever.index.vector_store.client).query
    monkeypatch.setattr(type(retriever.index.vector_store.client), "query",
                        lambda self, **kw: queries.append(kw) or original(self, **kw))
    light = retriever.retrieve(QUESTION, filters, top_k=8)
    assert queries and all(q["include"] == ["distances"] for q in queries)
    _stock(monkeypatch)
    stock = retriever.retrieve(QUESTION, filters, top_k=8)
    assert light.passages and [p.node_id for p in light.passages] == [p.node_id for p in stock.passages]
    assert [round(p.score, 6) for p in light.passages] == [round(p.score, 6) for p in stock.passages]
    assert [(p.text, p.speaker, p.start, p.end) for p in light.passages] == \
        [(p.text, p.speaker, p.start, p.end) for p in stock.passages]


def test_a_passage_the_keyword_index_lacks_comes_from_chroma(retriever):
    side = retriever._vector_side(similarity_top_k=5)
    bundle = QueryBundle(QUESTION, embedding=retriever.embedder.get_query_embedding(QUESTION))
    found = side.retrieve(bundle)
    assert len(found) == 5
    known = {n.node.node_id: n.node.hash for n in found}
    missing = found[0].node.node_id
    retriever.keyword._pos.pop(missing)   # as if Chroma held it before the keyword index was reloaded
    again = VectorSide(retriever.index, similarity_top_k=5)
    again.records = retriever.keyword
    hits = again.retrieve(bundle)
    assert [n.node.node_id for n in hits] == list(known)
    assert hits[0].node.get_content() == found[0].node.get_content()
    assert hits[0].score == pytest.approx(found[0].score)
