"""Synthetic stores kept between benchmark runs, keyed by the code that writes them.

Building the 100k-passage store through the real pipeline is most of a run (11 min on a quiet
2-core box, much more on a busy one), and the store only changes when the code that writes it
does. So a built store is kept under BENCH_CACHE (default ~/.cache/transcript-qa-bench), in a
folder named by the store's size and a hash of every file that decides its contents: ingest/,
bot/index/, bot/text/, bot/settings.py, the corpus generator, the stand-in embedder and the
seeds. A run whose code hashes the same reuses it (results say so, with the build's own time and
phases); any change to those files, `--fresh`, or a missing cache builds it again. Code that only
reads a store (bot/retrieval, bot/answer, bot/index/sentences.py, bot/index/library.py) is not part
of the key.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

from bot.settings import PROJECT_ROOT

KEY_PATHS = ("ingest", "bot/index", "bot/text", "bot/settings.py", "benchmarks/corpus.py", "benchmarks/formats.py",
             "benchmarks/synth.py", "tests/fakes.py", "seeds")
READ_ONLY = {"bot/index/sentences.py", "bot/index/library.py"}   # what reads a store, never writes it
DEFAULT = Path(os.environ.get("BENCH_CACHE", Path.home() / ".cache" / "transcript-qa-bench"))


def code_key(root: Path = PROJECT_ROOT) -> str:
    """Hash of the files that decide a synthetic store's contents (paths and bytes)."""
    h = hashlib.sha1()
    for rel in KEY_PATHS:
        base = root / rel
        files = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file()
                                                     and "__pycache__" not in p.parts)
        for p in files:
            if str(p.relative_to(root)) in READ_ONLY:
                continue
            h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def slot(cache: Path, n: int, key: str) -> Path:
    return cache / f"synth-{n}-{key}"


def lookup(cache: Path, n: int, key: str) -> tuple[Path, dict[str, Any]] | None:
    """(store folder, its build record) when this code already built a store of n passages."""
    where = slot(cache, n, key)
    record = where / "build.json"
    if not record.is_file() or not (where / "data").is_dir():
        return None
    return where / "data", json.loads(record.read_text(encoding="utf-8"))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, ValueError):
        return False
    except PermissionError:
        return True
    return True


def building(cache: Path, n: int, key: str, wait_s: float = 3600) -> Path:
    """Claim the build of this store (a lock file naming this process); if another live process
    holds it (a second run on the same code), wait for it first, up to wait_s. Returns the lock."""
    lock = cache / f"synth-{n}-{key}.lock"
    cache.mkdir(parents=True, exist_ok=True)
    deadline = time.time() + wait_s
    while lock.is_file() and time.time() < deadline:
        try:
            pid = int(lock.read_text().strip() or 0)
        except (OSError, ValueError):
            pid = 0
        if not _alive(pid) or lookup(cache, n, key):
            break
        time.sleep(5)
    lock.write_text(str(os.getpid()))
    return lock


def keep(cache: Path, n: int, key: str, data: Path, built: dict[str, Any]) -> None:
    """Move a freshly built store into the cache (older builds of the same size are removed)."""
    for old in cache.glob(f"synth-{n}-*"):
        shutil.rmtree(old, ignore_errors=True)
    where = slot(cache, n, key)
    where.mkdir(parents=True)
    shutil.move(str(data), where / "data")
    record = {**built, "built_at": time.strftime("%Y-%m-%d %H:%M %Z"), "code_key": key}
    (where / "build.json").write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")


def copy_out(src: Path, dest: Path) -> float:
    """A working copy of a cached store (queries open it read-write; the cache stays as built)."""
    t = time.perf_counter()
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(src, dest)
    return time.perf_counter() - t
