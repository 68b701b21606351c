"""Server mode (CHROMA_HOST): a real `chroma run` on 127.0.0.1, ingest into it, answer through the
engine, survive the server going away and coming back, and copy an embedded store into it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from bot.answer.engine import ChatEngine
from bot.index.store import StoreError, open_collection, sentences_collection
from bot.retrieval.live import build_services
from bot.settings import PROJECT_ROOT, Settings
from ingest.pipeline import run_ingest
from tests.chroma_server import ChromaServer, free_port
from tests.fakes import FakeEmbedder

SEEDS = PROJECT_ROOT / "seeds"
QUESTION = "李广密怎么看 GPT-4 的训练成本?"


def _src(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    for n in ("001_b96526bf4526be4e.txt", "004_4afa1a6a78a1a4ce.txt", "manifest.toml"):
        shutil.copy(SEEDS / n, src / n)
    return src


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ChromaServer]:
    with ChromaServer(tmp_path / "server-data") as srv:
        yield srv


def _server_settings(tmp_path: Path, srv: ChromaServer) -> Settings:
    return Settings(data_dir=tmp_path / "data", chroma_host=srv.host, chroma_port=srv.port)


def _rows(col) -> dict:
    got = col.get(include=["embeddings", "documents", "metadatas"])
    return {i: (np.asarray(e, dtype=np.float32), d, m)
            for i, e, d, m in zip(got["ids"], got["embeddings"], got["documents"], got["metadatas"])}


def _same(a: dict, b: dict) -> bool:
    """Same ids, documents and metadatas; the same vectors up to float32 rounding over HTTP/JSON."""
    return a.keys() == b.keys() and all(
        a[i][1:] == b[i][1:] and np.allclose(a[i][0], b[i][0], rtol=0, atol=1e-6) for i in a)


def test_answers_through_server_and_recover_after_restart(tmp_path: Path, server: ChromaServer) -> None:
    settings = _server_settings(tmp_path, server)
    emb = FakeEmbedder()
    report = run_ingest(settings, _src(tmp_path), embedder=emb)
    assert report.chunks_total == report.chunks_added > 20
    assert not settings.chroma_dir.exists(), "server mode must not create an embedded store"
    engine = ChatEngine(settings, build_services(settings, embedder=emb).retriever)

    ok = engine.ask(QUESTION)
    assert ok.error is None and ok.passages and ok.passages[0].speaker == "李广密", ok.text

    server.stop()
    down = engine.ask(QUESTION)
    where = f"127.0.0.1:{server.port}"
    assert down.error and f"The vector store at {where} is unreachable" in down.text, down.text
    assert "Traceback" not in down.text and 'File "' not in down.text
    assert engine.ask("GPT-4 的成本").error, "still down: still a clear error"

    server.start()   # same path, same port; the engine and its services are not rebuilt
    back = engine.ask(QUESTION)
    assert back.error is None and back.passages and back.passages[0].speaker == "李广密", back.text
    assert [p.node_id for p in back.passages] == [p.node_id for p in ok.passages]


def test_unreachable_server_at_start_is_a_clear_store_error(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", chroma_host="127.0.0.1", chroma_port=free_port())
    with pytest.raises(StoreError, match=r"at 127\.0\.0\.1:\d+ is unreachable.*chroma run"):
        build_services(settings, embedder=FakeEmbedder())


def test_migrate_copies_embedded_store_into_server(tmp_path: Path, server: ChromaServer) -> None:
    local = Settings(data_dir=tmp_path / "data")
    emb = FakeEmbedder()
    run_ingest(local, _src(tmp_path), embedder=emb)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "ingest.migrate", "--to-host", server.host, "--to-port", str(server.port),
           "--data-dir", str(local.data_dir), "--batch", "40"]
    proc = subprocess.run(cmd, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    remote = _server_settings(tmp_path, server)
    src_rows = _rows(open_collection(local, emb, create=False))
    dst_col = open_collection(remote, emb, create=False)   # same model signature, accepted as ours
    assert result["copied"] == result["total"] == len(src_rows) > 40
    assert _same(_rows(dst_col), src_rows), "ids, embeddings, documents and metadatas copied as they are"
    assert result["sentences_copied"] > len(src_rows)
    assert len(emb.embedded) == len(src_rows) + result["sentences_copied"], "the copy embedded nothing"
    assert open_collection(remote, emb, create=False, name=sentences_collection(remote.collection)).count() \
        == result["sentences_copied"]

    # The bot in server mode answers exactly as it did from the embedded store.
    local_answer = ChatEngine(local, build_services(local, embedder=emb).retriever).ask(QUESTION)
    remote_answer = ChatEngine(remote, build_services(remote, embedder=emb).retriever).ask(QUESTION)
    assert remote_answer.text == local_answer.text and remote_answer.error is None

    # Run again after a stray id appeared on the server: idempotent, and the stray id is removed.
    dst_col.add(ids=["stray"], embeddings=[[0.0] * emb.dim], documents=["x"], metadatas=[{"doc_id": "x"}])
    again = subprocess.run(cmd, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout.strip().splitlines()[-1])["deleted_on_target"] == 1
    assert _same(_rows(dst_col), src_rows)


def test_migrate_refuses_without_an_embedded_store(tmp_path: Path, server: ChromaServer) -> None:
    proc = subprocess.run([sys.executable, "-m", "ingest.migrate", "--to-host", server.host, "--to-port",
                           str(server.port), "--data-dir", str(tmp_path / "nothing")], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "python -m ingest" in proc.stderr
