"""A real Chroma server (`chroma run`, shipped with the chromadb package) on 127.0.0.1 and a free
port, for the server-mode tests and benchmarks. Stop and start it again on the same path and port
to simulate an outage."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

CHROMA = Path(sys.executable).parent / "chroma"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ChromaServer:
    def __init__(self, path: Path, port: int | None = None, log: Path | None = None) -> None:
        self.path = Path(path)
        self.port = port or free_port()
        self.log = log or self.path.parent / f"chroma-{self.port}.log"
        self.proc: subprocess.Popen | None = None

    @property
    def host(self) -> str:
        return "127.0.0.1"

    def start(self, timeout: float = 60.0) -> ChromaServer:
        if not CHROMA.exists():
            raise RuntimeError(f"{CHROMA} is missing: the chromadb package ships the `chroma` CLI")
        self.path.mkdir(parents=True, exist_ok=True)
        out = self.log.open("a")
        env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
        self.proc = subprocess.Popen([str(CHROMA), "run", "--path", str(self.path), "--host", self.host,
                                      "--port", str(self.port)], stdout=out, stderr=subprocess.STDOUT, env=env)
        out.close()
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"chroma exited with {self.proc.returncode}: {self.log.read_text()[-2000:]}")
            with socket.socket() as s:
                if s.connect_ex((self.host, self.port)) == 0:
                    return self
            time.sleep(0.05)
        self.stop()
        raise TimeoutError(f"chroma did not listen on {self.port} within {timeout}s")

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None
        # The port must be free again before a restart on it.
        deadline = time.time() + 10
        while time.time() < deadline:
            with socket.socket() as s:
                if s.connect_ex((self.host, self.port)) != 0:
                    return
            time.sleep(0.05)

    def __enter__(self) -> ChromaServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
