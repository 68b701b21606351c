"""The `openai` embedding backend against a stand-in OpenAI-compatible /v1/embeddings on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.index.store import StoreError, open_collection
from bot.settings import PROJECT_ROOT, Settings
from ingest.pipeline import run_ingest
from tests.fakes import FakeEmbedder

DIM = FakeEmbedder().dim


class _Embeddings(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.calls.append({"path": self.path, "auth": self.headers.get("Authorization"), **body})
        texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
        vec = FakeEmbedder()._vec  # the same cheap bigram vectors, served over HTTP
        data = [{"object": "embedding", "index": i, "embedding": vec(t)} for i, t in enumerate(texts)]
        out = json.dumps({"object": "list", "data": data, "model": body["model"],
                          "usage": {"prompt_tokens": 1, "total_tokens": 1}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)


@pytest.fixture
def embeddings_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Embeddings)
    server.calls = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_openai_backend_ingests_and_answers(embeddings_server, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(PROJECT_ROOT / "seeds/004_4afa1a6a78a1a4ce.txt", src)
    shutil.copy(PROJECT_ROOT / "seeds/manifest.toml", src)
    host, port = embeddings_server.server_address[:2]
    settings = Settings(data_dir=tmp_path / "data", embed_backend="openai", embed_model="stand-in-embed",
                        openai_base_url=f"http://{host}:{port}/v1", openai_api_key="sk-test")
    report = run_ingest(settings, src)
    assert report.chunks_added == report.chunks_total > 5
    calls = embeddings_server.calls
    assert all(c["path"] == "/v1/embeddings" and c["model"] == "stand-in-embed" for c in calls)
    assert calls[0]["auth"] == "Bearer sk-test"
    assert sum(len(c["input"]) for c in calls if isinstance(c["input"], list)) >= report.chunks_added

    from bot.index.embeddings import make_embedder
    from bot.retrieval.live import build_services

    col = open_collection(settings, make_embedder(settings))
    assert col.metadata["embed_model"] == "stand-in-embed" and col.metadata["embed_dim"] == DIM
    r = build_services(settings).retriever.retrieve("出门问问做了哪些 AIGC 产品", top_k=5)
    assert any("魔音工坊" in p.text for p in r.passages)

    # An unchanged re-ingest with the same embedder sends nothing: the vector size is asked once.
    embedder = make_embedder(settings)
    run_ingest(settings, src, embedder=embedder)
    before = len(calls)
    run_ingest(settings, src, embedder=embedder)
    assert len(calls) == before

    # The same store opened with the local model is refused, not silently mixed.
    with pytest.raises(StoreError, match="--rebuild"):
        run_ingest(Settings(data_dir=tmp_path / "data"), src)
