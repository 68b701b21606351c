"""Living data: ingest (a real `python -m ingest` subprocess) while a built engine answers, and a
damaged store that says what to do and comes back with `python -m ingest --rebuild`.

The e5 store comes from the session's seeded fixture (copied, so it is not disturbed); the CLI
only embeds the few new passages, which keeps this quick.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bot.answer.engine import ChatEngine
from bot.index.store import StoreError
from bot.retrieval.live import build_services
from bot.settings import PROJECT_ROOT, Settings
from ingest.pipeline import run_ingest
from tests.fakes import FakeEmbedder

SEEDS = PROJECT_ROOT / "seeds"
NEW_FILE = "quantum_talk.txt"
TOPICS = ["纠错码", "超导比特", "离子阱", "光量子", "低温电子学", "封装工艺", "测控系统", "人才培养", "融资节奏",
          "产业链", "软件生态", "云平台", "行业客户", "国际合作", "标准制定", "专利布局", "良率", "散热"]
# A dozen-odd passages: enough embedding batches (EMBED_BATCH_SIZE=4) that questions overlap the writes.
NEW_TRANSCRIPT = "量子芯片访谈\n\n" + "".join(
    f"王小明:{t}方面,你们现在最大的挑战是什么?\n\n赵大力:{t}是我们每天都在琢磨的事情。说实话,{t}的进展比外界想象的慢,"
    f"但我们在{t}上已经积累了三年的经验,团队里有二十多位工程师专门做{t},明年会有新的成果发布。\n\n"
    for t in TOPICS) + ("王小明:你们的量子芯片最大的难点是什么?\n\n"
                         "赵大力:最大的难点是稀释制冷机的冷却成本,一台设备就要几百万美元,而且维护很贵。\n\n"
                         "王小明:那未来会便宜吗?\n\n赵大力:我认为五年内冷却成本会下降一半。\n")
NEW_ENTRY = f"""
["{NEW_FILE}"]
title = "量子芯片访谈"
[["{NEW_FILE}".speakers]]
name = "王小明"
role = "host"
[["{NEW_FILE}".speakers]]
name = "赵大力"
role = "guest"
"""
QUESTIONS = ["李广密怎么看 GPT-4 的训练成本?", "端侧大模型有什么优势?", "What does Li Guangmi think about Agents?"]


def _cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "EMBED_BATCH_SIZE": "4"}
    return subprocess.run([sys.executable, "-m", "ingest", *args, "--json"], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def _copy_seeded(seeded, tmp_path: Path) -> Settings:  # noqa: F811
    settings, _, _ = seeded
    shutil.copytree(settings.data_dir, tmp_path / "data")
    return Settings(data_dir=tmp_path / "data")


def test_ingest_subprocess_while_answering_is_picked_up_without_restart(seeded, tmp_path: Path) -> None:  # noqa: F811
    settings = _copy_seeded(seeded, tmp_path)
    embedder = seeded[1].embedder
    engine = ChatEngine(settings, build_services(settings, embedder=embedder).retriever)
    before = engine.ask("赵大力怎么看冷却成本?")
    assert before.error is None and not any(p.speaker == "赵大力" for p in before.passages)

    src = tmp_path / "src"
    shutil.copytree(SEEDS, src)
    (src / NEW_FILE).write_text(NEW_TRANSCRIPT, encoding="utf-8")
    with (src / "manifest.toml").open("a", encoding="utf-8") as fh:
        fh.write(NEW_ENTRY)

    errors: list[str] = []
    answered = 0
    done = threading.Event()

    def keep_asking() -> None:
        nonlocal answered
        for i in range(500):   # bounded; stops as soon as the ingest has finished
            if done.is_set():
                return
            a = engine.ask(QUESTIONS[i % len(QUESTIONS)])
            answered += 1
            if a.error:
                errors.append(a.text)

    asker = threading.Thread(target=keep_asking, daemon=True)
    asker.start()
    proc = _cli(str(src), "--data-dir", str(settings.data_dir))
    done.set()
    asker.join(120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert 10 <= summary["chunks_added"] <= 60 and summary["files_indexed"] == 6, summary
    assert answered >= 1 and errors == [], errors[:3]   # no lock errors, no failures meanwhile

    after = engine.ask("赵大力怎么看冷却成本?")   # the same engine and services
    assert after.error is None and not after.refused, after.text
    assert after.passages[0].speaker == "赵大力" and "冷却成本" in after.text and "[1]" in after.text
    assert engine.ask(QUESTIONS[0]).passages[0].speaker == "李广密"


def test_garbage_store_says_rebuild_and_cli_rebuild_restores_it(seeded, tmp_path: Path) -> None:  # noqa: F811
    settings = _copy_seeded(seeded, tmp_path)
    embedder = seeded[1].embedder
    engine = ChatEngine(settings, build_services(settings, embedder=embedder).retriever)
    assert engine.ask(QUESTIONS[0]).error is None

    sqlite = settings.chroma_dir / "chroma.sqlite3"
    with sqlite.open("r+b") as fh:   # garbage over the header and the first pages
        fh.write(os.urandom(64 * 1024))
    broken = engine.ask(QUESTIONS[0])
    assert broken.error and "python -m ingest --rebuild" in broken.text, broken.text
    assert "Traceback" not in broken.text
    with pytest.raises(StoreError, match="python -m ingest --rebuild"):
        build_services(settings, embedder=embedder)

    # Rebuild from the transcripts (one seed, to keep the test short) with the real CLI.
    src = tmp_path / "src"
    src.mkdir()
    for name in ("004_4afa1a6a78a1a4ce.txt", "manifest.toml"):
        shutil.copy(SEEDS / name, src / name)
    proc = _cli(str(src), "--data-dir", str(settings.data_dir), "--rebuild")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1])["files_indexed"] == 1

    healed = engine.ask("大模型的下半场是什么?")   # the same engine: it reopens the rebuilt store
    assert healed.error is None and healed.passages, healed.text
    assert {p.doc_id for p in healed.passages} == {"004_4afa1a6a78a1a4ce"}
    assert build_services(settings, embedder=embedder).retriever.keyword is not None


def _fake_store(tmp_path: Path) -> tuple[Settings, FakeEmbedder, Path]:
    src = tmp_path / "src"
    src.mkdir()
    for name in ("004_4afa1a6a78a1a4ce.txt", "manifest.toml"):
        shutil.copy(SEEDS / name, src / name)
    settings = Settings(data_dir=tmp_path / "data")
    emb = FakeEmbedder()
    run_ingest(settings, src, embedder=emb)
    return settings, emb, src


def test_deleted_keyword_index_says_rebuild_and_rebuild_restores_it(tmp_path: Path) -> None:
    settings, emb, src = _fake_store(tmp_path)
    engine = ChatEngine(settings, build_services(settings, embedder=emb).retriever)
    assert engine.ask("大模型的下半场").error is None
    shutil.rmtree(settings.keyword_dir)
    answer = engine.ask("大模型的下半场")
    assert answer.error and "keyword index" in answer.text and "python -m ingest --rebuild" in answer.text
    with pytest.raises(StoreError, match="python -m ingest --rebuild"):
        build_services(settings, embedder=emb)
    run_ingest(settings, src, embedder=emb, rebuild=True)
    assert engine.ask("大模型的下半场").error is None


@pytest.mark.parametrize("damage", ["truncate", "half"])
def test_truncated_or_half_written_store_says_rebuild(tmp_path: Path, damage: str) -> None:
    settings, emb, src = _fake_store(tmp_path)
    sqlite = settings.chroma_dir / "chroma.sqlite3"
    os.truncate(sqlite, 0 if damage == "truncate" else sqlite.stat().st_size // 2)
    with pytest.raises(StoreError, match="python -m ingest --rebuild"):
        build_services(settings, embedder=emb)
    report = run_ingest(settings, src, embedder=emb, rebuild=True)
    assert report.chunks_total == report.chunks_added > 0
    assert ChatEngine(settings, build_services(settings, embedder=emb).retriever).ask("大模型的下半场").error is None


def test_refresh_is_cheap_when_nothing_changed(tmp_path: Path) -> None:
    settings, emb, _ = _fake_store(tmp_path)
    services = build_services(settings, embedder=emb)
    t = time.perf_counter()
    for _ in range(200):
        assert services.refresh() is False
    assert (time.perf_counter() - t) / 200 < 0.002, "one small file read per question"
