"""A stand-in OpenAI-compatible chat server for tests (stdlib only, 127.0.0.1, a free port).

It speaks the real wire protocol, so tests exercise the real openai client, httpx and our
retry code: POST /v1/chat/completions with `stream: true` answers with SSE `data: {chunk}`
lines, a last chunk carrying finish_reason, then `data: [DONE]`, over HTTP/1.1 chunked
encoding (so a connection closed mid-stream is a real protocol error, as with a real server).
Without `stream` it answers one JSON completion.

Behaviours are queued per request with `server.script(...)`; when the queue is empty every
request gets `server.default`. Every request is recorded in `server.requests`.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ReplyText = str | Callable[[dict], str]


@dataclass
class Behaviour:
    kind: str                      # reply | status | cut | no_finish | hang
    text: ReplyText = ""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: dict | None = None
    chunks_before_cut: int = 2
    delay: float = 0.0


def reply(text: ReplyText) -> Behaviour:
    """A normal answer; `text` may be a function of the request body (to echo the prompt)."""
    return Behaviour("reply", text)


def error(status: int, message: str = "server error", retry_after: float | None = None,
          code: str | None = None) -> Behaviour:
    headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
    body = {"error": {"message": message, "type": "server_error" if status >= 500 else "invalid_request_error",
                      "param": None, "code": code}}
    return Behaviour("status", status=status, headers=headers, body=body)


def unauthorized() -> Behaviour:
    # Real servers echo part of the key in this message; the client must not pass it on.
    return error(401, "Incorrect API key provided: sk-tes**********cret.", code="invalid_api_key")


def model_not_found(model: str = "gpt-4o-mini") -> Behaviour:
    return error(404, f"The model `{model}` does not exist or you do not have access to it.",
                 code="model_not_found")


def rate_limited(retry_after: float = 1) -> Behaviour:
    return error(429, "Rate limit reached for requests", retry_after=retry_after, code="rate_limit_exceeded")


def cut(text: ReplyText, chunks_before_cut: int = 2) -> Behaviour:
    """Send a few chunks of `text`, then drop the connection (no terminating chunk)."""
    return Behaviour("cut", text, chunks_before_cut=chunks_before_cut)


def no_finish(text: ReplyText) -> Behaviour:
    """A well-formed stream that ends with [DONE] but never sends a finish_reason."""
    return Behaviour("no_finish", text)


def hang(seconds: float) -> Behaviour:
    """Accept the request and say nothing for `seconds` (client timeouts)."""
    return Behaviour("hang", delay=seconds)


def _pieces(text: str, size: int = 6) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, fmt: str, *args: Any) -> None:   # keep test output clean
        pass

    def do_POST(self) -> None:   # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length", 0))
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            body = {}
        owner = self.server.owner
        owner.requests.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                               "json": body})
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._json(404, {"error": {"message": f"no route {self.path}"}})
            return
        b = owner._next()
        if b.kind == "status":
            self._json(b.status, b.body or {}, b.headers)
            return
        if b.kind == "hang":
            time.sleep(b.delay)
            self._json(500, {"error": {"message": "hung"}})
            return
        text = b.text(body) if callable(b.text) else b.text
        model = body.get("model", "fake-model")
        if not body.get("stream"):
            self._json(200, {
                "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()), "model": model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                             "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            })
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        pieces = _pieces(text)
        self._event(self._chunk(model, {"role": "assistant", "content": ""}, None))
        for i, piece in enumerate(pieces):
            if b.kind == "cut" and i >= b.chunks_before_cut:
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)   # mid-body: no terminating 0-chunk
                return
            self._event(self._chunk(model, {"content": piece}, None))
        if b.kind != "no_finish":
            self._event(self._chunk(model, {}, "stop"))
        self._write_chunk(b"data: [DONE]\n\n")
        self._write_chunk(b"")   # end of the chunked body

    def _chunk(self, model: str, delta: dict, finish: str | None) -> dict:
        return {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()),
                "model": model, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

    def _event(self, payload: dict) -> None:
        self._write_chunk(f"data: {json.dumps(payload, ensure_ascii=False)}\n\n".encode())

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _json(self, status: int, payload: dict, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: FakeLLMServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass   # clients that time out or hang up are part of the script, not test noise


class FakeLLMServer:
    def __init__(self, default: Behaviour | None = None) -> None:
        self.default = default or reply("(no scripted reply)")
        self.requests: list[dict] = []
        self._queue: deque[Behaviour] = deque()
        self._lock = threading.Lock()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        # A short poll interval: shutdown() waits for the next poll, and tests stop many servers.
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02},
                                        name="fake-llm", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> FakeLLMServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def script(self, *behaviours: Behaviour) -> FakeLLMServer:
        with self._lock:
            self._queue.extend(behaviours)
        return self

    def _next(self) -> Behaviour:
        with self._lock:
            return self._queue.popleft() if self._queue else self.default

    @property
    def chat_requests(self) -> list[dict]:
        return [r for r in self.requests if r["path"].rstrip("/").endswith("/chat/completions")]

    def __enter__(self) -> FakeLLMServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def free_port() -> int:
    """A port nothing listens on (for "connection refused")."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
