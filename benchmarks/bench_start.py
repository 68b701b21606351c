"""Time from `python app.py` to a page that answers, and to the first answered question, on an
empty store (the start ingests the seeds) and then on the full store it left.

  python -m benchmarks.bench_start --data DIR --seeds DIR --work DIR

DIR is emptied first; the full store stays there for the benchmarks after this one. The app
runs as a subprocess on a free port, offline; this process polls it: the port, then GET / until
the page comes back, then /status once (the API answering, with the start-up's progress), then
/chat with a narrow question until the reply cites a passage (a reply without one counts as the
first reply, not as an answer; this version's /chat waits for the index instead).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from benchmarks.common import store_cli
from benchmarks.questions import SUMMARIES
from benchmarks.servers import listening, start_app, stop

QUESTION = "李广密怎么看GPT-4的训练成本?"
CITED = re.compile(r"\[\d+\]")
POLL_S = 0.2


def wait_ready(proc: subprocess.Popen, port: int, question: str, log: Path, timeout: float = 900) -> dict[str, Any]:
    """Seconds (from now) to: the port listening, the page served, a first /chat reply, a first
    cited answer. Raises if the app exits or `timeout` passes."""
    import httpx
    from gradio_client import Client

    t0 = time.perf_counter()
    url = f"http://127.0.0.1:{port}/"
    out: dict[str, Any] = {"url": url, "listen_s": None, "page_s": None, "status_s": None, "status": None,
                           "first_reply_s": None, "first_answer_s": None}
    client = None
    while time.perf_counter() - t0 < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"app exited with {proc.returncode}: {log.read_text(errors='replace')[-3000:]}")
        now = time.perf_counter() - t0
        try:
            if out["listen_s"] is None:
                if listening(port):
                    out["listen_s"] = now
            elif out["page_s"] is None:
                r = httpx.get(url, timeout=10)
                if r.status_code == 200 and "<html" in r.text.lower():
                    out["page_s"] = time.perf_counter() - t0
            else:
                client = client or Client(url, verbose=False)
                if out["status_s"] is None:   # the page's API answers (with its progress) before the index is ready
                    try:
                        out["status"] = client.predict(api_name="/status")
                    except Exception as exc:  # noqa: BLE001 - a version without /status: say so, go on
                        out["status"] = {"phase": f"no /status ({type(exc).__name__})"}
                    out["status_s"] = time.perf_counter() - t0
                reply = client.predict(question, None, api_name="/chat")
                done = time.perf_counter() - t0
                out["first_reply_s"] = out["first_reply_s"] or done
                if isinstance(reply, str) and CITED.search(reply):
                    out["first_answer_s"] = done
                    return {k: round(v, 2) if isinstance(v, float) else v for k, v in out.items()}
        except Exception:  # noqa: BLE001, S110 - not up yet: poll again
            pass
        time.sleep(POLL_S)
    raise TimeoutError(f"no cited answer within {timeout} s: {log.read_text(errors='replace')[-3000:]}")


def one_start(data: Path, seeds: Path, log: Path) -> dict[str, Any]:
    import psutil
    from gradio_client import Client

    proc, port = start_app(data, seeds, log)
    try:
        ready = wait_ready(proc, port, QUESTION, log)
        client = Client(ready["url"], verbose=False)
        summary_s = []
        for q in SUMMARIES:   # a summary right after start, through the app
            t = time.perf_counter()
            client.predict(q, None, api_name="/chat")
            summary_s.append(round(time.perf_counter() - t, 3))
        ready["summary_after_start_s"] = summary_s
        ready["rss_mb"] = round(psutil.Process(proc.pid).memory_info().rss / 2**20)
    finally:
        stop(proc)
    return ready


def bench(data: Path, seeds: Path, work: Path) -> dict[str, Any]:
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    empty = one_start(data, seeds, work / "start-empty.log")
    full = one_start(data, seeds, work / "start-full.log")
    return {"empty": empty, "full": full, "question": QUESTION}


def main(argv: list[str] | None = None) -> int:
    return store_cli("python -m benchmarks.bench_start", bench, argv)


if __name__ == "__main__":
    raise SystemExit(main())
