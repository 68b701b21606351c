"""Incremental, idempotent, crash-safe ingestion (with a fake embedder, except the kill test)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.index.keyword import KeywordIndex
from bot.index.store import StoreError, open_collection, sentences_collection
from bot.settings import PROJECT_ROOT, Settings
from ingest.pipeline import IngestError, run_ingest
from tests.fakes import FakeEmbedder

SEEDS = PROJECT_ROOT / "seeds"


def _src(tmp_path: Path, names: list[str]) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    for n in names:
        shutil.copy(SEEDS / n, src / n)
    if (SEEDS / "manifest.toml").exists():
        shutil.copy(SEEDS / "manifest.toml", src / "manifest.toml")
    return src


def _snapshot(settings: Settings, embedder) -> dict:
    col = open_collection(settings, embedder)
    got = col.get(include=["metadatas", "documents"])
    rows = {i: (d, {k: v for k, v in m.items() if not k.startswith("_")})
            for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])}
    sent = open_collection(settings, embedder, name=sentences_collection(settings.collection)).get(
        include=["metadatas", "documents"])
    return {"rows": rows, "sentences": dict(zip(sent["ids"], zip(sent["documents"], (tuple(sorted(m.items())) for m in sent["metadatas"])))),
            "keyword": KeywordIndex.current_fingerprint(settings.keyword_dir),
            "docs": sorted(p.name for p in settings.docs_dir.glob("*.json"))}


def test_ingest_twice_adds_nothing_and_embeds_nothing(tmp_path):
    src = _src(tmp_path, ["000_7c025ce395f4bbe9.txt", "004_4afa1a6a78a1a4ce.txt"])
    settings = Settings(data_dir=tmp_path / "data")
    emb = FakeEmbedder()
    first = run_ingest(settings, src, embedder=emb)
    assert len(first.files_indexed) == 2 and first.chunks_added == first.chunks_total > 10
    n_embedded = len(emb.embedded)
    before = _snapshot(settings, emb)
    second = run_ingest(settings, src, embedder=emb)
    assert second.chunks_added == 0 and second.chunks_deleted == 0 and second.chunks_updated == 0
    assert len(emb.embedded) == n_embedded, "unchanged files must not be re-embedded"
    assert _snapshot(settings, emb) == before


def test_changed_file_reembeds_only_changed_passages(tmp_path):
    src = _src(tmp_path, ["004_4afa1a6a78a1a4ce.txt"])
    settings = Settings(data_dir=tmp_path / "data")
    emb = FakeEmbedder()
    run_ingest(settings, src, embedder=emb)
    f = src / "004_4afa1a6a78a1a4ce.txt"
    text = f.read_text(encoding="utf-8")
    # A new paragraph at the top shifts every offset; only the new passage may be embedded.
    f.write_text("开场白:今天天气很好,我们开始吧。\n" + text, encoding="utf-8")
    emb2 = FakeEmbedder()
    rep = run_ingest(settings, src, embedder=emb2)
    assert rep.chunks_added <= 2 and len(emb2.embedded) == rep.chunks_added + rep.sentences_added
    assert rep.sentences_added <= 4 * rep.chunks_added   # the new passages' sentences, no others
    assert rep.chunks_updated > 5  # offsets moved: metadata updated in place, not re-embedded
    col = open_collection(settings, emb2)
    doc = json.loads((settings.docs_dir / "004_4afa1a6a78a1a4ce.json").read_text(encoding="utf-8"))
    got = col.get(include=["metadatas", "documents"])
    for d, m in zip(got["documents"], got["metadatas"]):
        assert doc["text"][m["start"]:m["end"]] == d


def test_removed_file_disappears_from_both_indexes(tmp_path):
    src = _src(tmp_path, ["000_7c025ce395f4bbe9.txt", "004_4afa1a6a78a1a4ce.txt"])
    settings = Settings(data_dir=tmp_path / "data")
    emb = FakeEmbedder()
    run_ingest(settings, src, embedder=emb)
    (src / "000_7c025ce395f4bbe9.txt").unlink()
    rep = run_ingest(settings, src, embedder=emb)
    assert rep.chunks_deleted > 0
    col = open_collection(settings, emb)
    assert not col.get(where={"doc_id": "000_7c025ce395f4bbe9"})["ids"]
    kw = KeywordIndex.load(settings.keyword_dir)
    assert kw is not None and all(not i.startswith("000_") for i in kw.ids)
    assert kw.search("闫俊杰 MoE") == [] or all(not i.startswith("000_") for i, _ in kw.search("闫俊杰 MoE"))
    assert not (settings.docs_dir / "000_7c025ce395f4bbe9.json").exists()
    assert rep.chunks_total == len(kw.ids)


def test_chunks_carry_speaker_metadata_and_exact_offsets(tmp_path):
    src = _src(tmp_path, ["001_b96526bf4526be4e.txt"])
    settings = Settings(data_dir=tmp_path / "data")
    emb = FakeEmbedder()
    run_ingest(settings, src, embedder=emb)
    got = open_collection(settings, emb).get(include=["metadatas", "documents"])
    doc = json.loads((settings.docs_dir / "001_b96526bf4526be4e.json").read_text(encoding="utf-8"))
    speakers = {m["speaker"] for m in got["metadatas"]}
    assert {"李广密", "张小珺"} <= speakers
    assert "拾象科技李广密" not in speakers
    for d, m in zip(got["documents"], got["metadatas"]):
        assert doc["text"][m["start"]:m["end"]] == d
        assert m["doc_id"] == "001_b96526bf4526be4e" and m["title"] and isinstance(m["turn"], int)
        assert len(d) <= settings.chunk_max
    guest = [m for m in got["metadatas"] if m["speaker"] == "李广密"]
    assert sum(1 for m in guest if m["question"]) > len(guest) // 3, "guest answers keep the host's question"
    assert all("李广密:" not in (m["question"] or "") for m in guest)


def test_refuses_to_mix_embedding_models(tmp_path):
    src = _src(tmp_path, ["004_4afa1a6a78a1a4ce.txt"])
    settings = Settings(data_dir=tmp_path / "data")
    run_ingest(settings, src, embedder=FakeEmbedder())

    class Other(FakeEmbedder):
        def __init__(self):
            super().__init__()
            self.model_name = "another-model"

    with pytest.raises(StoreError, match="--rebuild"):
        run_ingest(settings, src, embedder=Other())
    rep = run_ingest(settings, src, embedder=Other(), rebuild=True)
    assert rep.chunks_total == rep.chunks_added > 0


def test_nothing_usable_is_an_error_with_advice(tmp_path):
    src = tmp_path / "empty"
    src.mkdir()
    (src / "notes.pdf").write_bytes(b"%PDF-1.4")   # a PDF header and nothing readable after it
    with pytest.raises(IngestError, match=r"\.txt, \.md.*\.pdf files"):
        run_ingest(Settings(data_dir=tmp_path / "data"), src, embedder=FakeEmbedder())


def _cli(args: list[str], env_extra: dict | None = None, **kw) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env_extra or {})}
    return subprocess.Popen([sys.executable, "-m", "ingest", *args], cwd=PROJECT_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


@pytest.mark.slow
@pytest.mark.parametrize("phase", ["embed", "sentences"])
def test_cli_json_and_killed_ingest_recovers(tmp_path, phase):
    """A real `python -m ingest` is killed with SIGKILL mid-embedding (of the passages, or of their
    sentences); the next run completes the store to exactly what a clean ingest produces."""
    src = _src(tmp_path, ["000_7c025ce395f4bbe9.txt", "004_4afa1a6a78a1a4ce.txt"])
    (src / "cover.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    killed_dir, clean_dir = tmp_path / "killed", tmp_path / "clean"
    proc = _cli([str(src), "--data-dir", str(killed_dir)], {"EMBED_BATCH_SIZE": "8"})
    # Wait for the first progress lines past zero, i.e. some batches are in the store.
    deadline = time.time() + 120
    seen = []
    while time.time() < deadline:
        line = proc.stderr.readline()
        seen.append(line)
        if line.startswith(f"{phase}:") and not line.startswith(f"{phase}: 0/"):
            break
        assert line or proc.poll() is None, f"ingest ended early: {''.join(seen)}"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    resumed = _cli([str(src), "--data-dir", str(killed_dir), "--json"])
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    summary = json.loads(out.strip().splitlines()[-1])
    if phase == "embed":
        assert 0 < summary["chunks_added"] < summary["chunks_total"], "the resumed run keeps what was done"
    else:
        assert summary["chunks_added"] == 0 and summary["sentences_added"] > 0
    assert summary["files_indexed"] == 2
    assert [(s["file"], s["code"]) for s in summary["files_skipped"]] == [("cover.png", "unsupported")]
    assert {"embed_and_store", "total"} <= set(summary["seconds"])

    clean = _cli([str(src), "--data-dir", str(clean_dir), "--json"])
    out2, err2 = clean.communicate(timeout=300)
    assert clean.returncode == 0, err2
    assert json.loads(out2.strip().splitlines()[-1])["chunks_total"] == summary["chunks_total"]

    from bot.index.embeddings import E5Embedding

    emb = E5Embedding()
    a = _snapshot(Settings(data_dir=killed_dir), emb)
    b = _snapshot(Settings(data_dir=clean_dir), emb)
    assert a == b

    again = _cli([str(src), "--data-dir", str(killed_dir), "--json"])
    out3, _ = again.communicate(timeout=120)
    s3 = json.loads(out3.strip().splitlines()[-1])
    assert s3["chunks_added"] == 0 and s3["chunks_deleted"] == 0 and s3["sentences_added"] == 0


def test_cli_exit_code_and_message_when_nothing_usable(tmp_path):
    src = tmp_path / "nothing"
    src.mkdir()
    proc = _cli([str(src), "--data-dir", str(tmp_path / "d"), "--json"])
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2
    assert "No usable transcripts" in err
    assert "error" in json.loads(out.strip().splitlines()[-1])


def test_chroma_settings_are_read_once_and_handed_out_as_copies():
    # chromadb.HttpClient writes the server's address into the settings it gets: a shared object
    # would turn the next embedded client into an HTTP one
    from bot.index.store import _chroma_settings

    a, b = _chroma_settings(), _chroma_settings()
    assert a is not b and a == b and a.anonymized_telemetry is False
    a.chroma_server_host = "example.invalid"
    assert _chroma_settings().chroma_server_host is None
