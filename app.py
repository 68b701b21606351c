"""Run the chatbot: `python app.py [--host 127.0.0.1] [--port 7860] [--share] [--auth user:password]`.

The server answers at once: the seeds are (incrementally) ingested in the background, with
progress on the terminal and on the page ("indexing 120/346"); questions asked meanwhile wait for
the index. `demo` is built at import so `gradio app.py` (reload mode) finds it, but importing stays
light: the embedder, index and engine are built by `bot.ui.runtime.Runtime` when started.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from pydantic import Field  # noqa: E402 - after the analytics switch, which gradio reads at import

from bot.settings import PROJECT_ROOT, Settings  # noqa: E402
from bot.ui.blocks import LAUNCH_KWARGS, build_ui  # noqa: E402
from bot.ui.runtime import Runtime  # noqa: E402
from bot.ui.text import mode_line  # noqa: E402
from ingest.progress import IngestProgress  # noqa: E402

logger = logging.getLogger("app")
SHARE_TIMEOUT_S = 20.0


class AppSettings(Settings):
    app_auth: str | None = Field(None, description="'user:password' required to use the app (also --auth).")


settings = AppSettings()
runtime = Runtime(settings, line=IngestProgress(line=lambda text: logger.info("%s", text)))
demo = build_ui(runtime, settings, mode_line(runtime.llm.model if runtime.llm else None, settings.openai_base_url))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="Question answering over the interview transcripts.")
    ap.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0 for the network)")
    ap.add_argument("--port", type=int, default=7860)
    ap.add_argument("--share", action="store_true", help="also ask Gradio for a temporary public link")
    ap.add_argument("--auth", metavar="USER:PASSWORD", help="require this login (default: APP_AUTH)")
    return ap.parse_args(argv)


def parse_auth(value: str | None) -> tuple[str, str] | None:
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise SystemExit("--auth / APP_AUTH must look like user:password")
    return user, password


def open_share_link(app: Any) -> str | None:
    """Ask Gradio's share servers for a tunnel; None (after one clear line) when that is impossible.

    Done here rather than with launch(share=True) so an offline machine gets one line instead of
    Gradio's multi-line troubleshooting text, and so a hanging request cannot block the start.
    """
    from gradio import networking

    result: dict[str, Any] = {}

    def attempt() -> None:
        try:
            result["url"] = networking.setup_tunnel(app.server_name, app.server_port, app.share_token, None, None)
        except Exception as exc:  # any failure means "no link"; the reason goes to the log
            result["error"] = exc

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(SHARE_TIMEOUT_S)
    url = result.get("url")
    if not url:
        err = result.get("error")
        logger.debug("share link failed: %r", err)
        reason = "no network to Gradio's share servers" if _network_failure(err) else f"{type(err).__name__}: {err}"
        print(f"Public link unavailable ({reason}); serving locally at {app.local_url}", flush=True)
        return None
    url = urlunparse(("https",) + tuple(urlparse(url))[1:])
    app.share_url, app.share = url, True
    print(f"* Running on public URL: {url}", flush=True)
    return url


def _network_failure(err: BaseException | None) -> bool:
    """True for a timeout or any failure caused by the network (DNS, refused, TLS, unreachable)."""
    import httpx

    if err is None:  # no answer within SHARE_TIMEOUT_S
        return True
    seen: BaseException | None = err
    while seen is not None:
        if isinstance(seen, (OSError, httpx.TransportError)):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def blocked_paths(s: Settings) -> list[str]:
    # Gradio serves nothing outside its own cache unless allowed; these are blocked anyway, so a
    # future allowed_paths entry cannot expose the index or secrets.
    paths = {Path(s.data_dir).resolve(), PROJECT_ROOT / ".env", Path.cwd().resolve() / ".env"}
    return sorted(str(p) for p in paths)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # Local names: in `gradio app.py` mode the reload thread re-executes this file in the same
    # globals, rebinding `demo` and `runtime` to fresh (lazy) ones while this server keeps running.
    app, rt = demo, runtime
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    auth = parse_auth(args.auth or settings.app_auth)
    app.queue(default_concurrency_limit=2)
    # "settings" in the footer: Gradio's own language (and theme) switch, which relabels the page.
    app.launch(server_name=args.host, server_port=args.port, auth=auth, prevent_thread_lock=True,
               allowed_paths=[], blocked_paths=blocked_paths(settings), max_file_size="20mb", **LAUNCH_KWARGS,
               quiet=True, show_error=False, footer_links=["api", "settings"])
    print(f"* Running on local URL: {app.local_url}", flush=True)
    rt.start()   # the index is built (or brought up to date) while the page already answers
    if args.share:
        open_share_link(app)
    app.block_thread()
    return 0


if __name__ == "__main__" and threading.current_thread() is threading.main_thread():
    # `gradio app.py` re-executes this file in its reload thread (still as __main__) to pick up a
    # new `demo`; only the first, main-thread run may start the server.
    sys.exit(main())
