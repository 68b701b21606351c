"""A stand-in OpenAI-compatible chat server for tests (stdlib only, 127.0.0.1, a free port).

It speaks the real wire protocol, so tests exercise the real openai client, httpx and our
retry code: POST /v1/chat/completions with `stream: true` answers with SSE `data: {chunk}`
lines, a last chunk carrying finish_reason, then `data: [DONE]`, over HTTP/1.1 chunked
encoding (so a connection closed mid-stream is a real protocol error, as with a real server).
Without `stream` it answers one JSON completion.

It writes the way providers do, not the way our prompt asks: `FakeLLMServer(provider="glm")` (or
`server.provider = PRESETS["qwen3"]`) picks how reasoning is sent (a `<think>` block in the
content, reasoning then a lone `</think>`, `reasoning_content` or Ollama's `reasoning` deltas),
whether SSE keep-alive comments, a usage chunk with empty choices, or usage inside the last choice
come along, how big the pieces are, and the finish_reason a content filter uses (GLM: "sensitive").

Behaviours are queued per request with `server.script(...)`; when the queue is empty every
request gets `server.default`. Every request is recorded in `server.requests`. A behaviour's text
may be a function of the request body, returning the text or a whole Behaviour (to decide, from
the passages in the prompt, to answer, think, decline or run out of tokens).
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

ReplyText = str | Callable[[dict], "str | Behaviour"]


@dataclass
class Provider:
    """How one kind of server writes its stream."""

    name: str
    reasoning: str = "none"        # none | tags | close-only | reasoning_content | reasoning
    model: str | None = None       # the model name in the chunks (None: echo the request's)
    piece: int = 6                 # characters per content chunk (small pieces split the tags)
    keep_alive: bool = False       # ": keep-alive" SSE comments before and between chunks
    usage_chunk: bool = False      # a last chunk with "choices": [] and usage (stream_options.include_usage)
    usage_in_choice: bool = False  # Kimi: usage inside the final choice
    filter_reason: str = "content_filter"
    role_chunk: bool = True        # a first chunk with the role and empty content
    fingerprint: str | None = None


PRESETS: dict[str, Provider] = {
    "openai": Provider("openai", usage_chunk=True, fingerprint="fp_44709d6fcb"),
    # DeepSeek-R1 served raw by vLLM / llama.cpp: the thinking in the content, in tags.
    "deepseek-r1": Provider("deepseek-r1", reasoning="tags", model="deepseek-r1", piece=3),
    # DeepSeek's own API: reasoning_content deltas, keep-alive comments while it works.
    "deepseek-api": Provider("deepseek-api", reasoning="reasoning_content", model="deepseek-reasoner",
                             keep_alive=True, usage_chunk=True),
    # Qwen3 by vLLM whose chat template already opened <think> in the prompt: only the closing tag.
    "qwen3": Provider("qwen3", reasoning="close-only", model="qwen3-8b", piece=4),
    # Qwen on DashScope's compatible mode: reasoning_content, a usage chunk with empty choices.
    "qwen-dashscope": Provider("qwen-dashscope", reasoning="reasoning_content", model="qwen-plus",
                               usage_chunk=True),
    # Kimi (Moonshot): reasoning_content from its thinking model, usage inside the last choice.
    "kimi": Provider("kimi", reasoning="reasoning_content", model="kimi-k2-thinking", usage_in_choice=True, piece=8),
    # GLM (Zhipu): reasoning_content, and "sensitive" when its filter stops an answer.
    "glm": Provider("glm", reasoning="reasoning_content", model="glm-4.5", filter_reason="sensitive",
                    usage_in_choice=True),
    # Ollama's /v1: <think> in the content, one token-sized piece at a time, its fingerprint.
    "ollama": Provider("ollama", reasoning="tags", model="qwen3:8b", piece=2, fingerprint="fp_ollama"),
    "ollama-reasoning": Provider("ollama-reasoning", reasoning="reasoning", model="gpt-oss:20b", piece=2,
                                 fingerprint="fp_ollama"),
    "llamacpp": Provider("llamacpp", reasoning="tags", model="qwen3-4b-instruct.gguf", piece=5, role_chunk=False),
}


@dataclass
class Behaviour:
    kind: str                      # reply | status | cut | no_finish | hang | keepalive
    text: ReplyText = ""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: dict | None = None
    chunks_before_cut: int = 2
    delay: float = 0.0             # hang/keepalive: seconds; reply: seconds between chunks
    reasoning: str = ""            # what the model thinks first (sent the provider's way)
    finish: str = "stop"           # stop | length | filter


def reply(text: ReplyText, reasoning: str = "", finish: str = "stop", delay: float = 0.0) -> Behaviour:
    """A normal answer; `text` may be a function of the request body (to echo the prompt).
    `reasoning` is thought first; finish="length" ends it as cut off, "filter" as filtered."""
    return Behaviour("reply", text, reasoning=reasoning, finish=finish, delay=delay)


def truncated(text: ReplyText, reasoning: str = "") -> Behaviour:
    """The model ran into its max_tokens: the text so far, then finish_reason "length"."""
    return reply(text, reasoning, finish="length")


def filtered(text: ReplyText = "") -> Behaviour:
    """The provider's content filter stopped the answer (GLM says "sensitive")."""
    return reply(text, finish="filter")


def keep_alive_only(seconds: float) -> Behaviour:
    """HTTP 200 and SSE keep-alive comments for `seconds`, but no token (then an answer)."""
    return Behaviour("keepalive", "迟到的回答[1]。", delay=seconds)


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


_USAGE = {"prompt_tokens": 812, "completion_tokens": 64, "total_tokens": 876}


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
        written = b.text(body) if callable(b.text) else b.text
        if isinstance(written, str):
            text, reasoning, finish = written, b.reasoning, b.finish
        else:   # the function chose a whole behaviour
            text = written.text if isinstance(written.text, str) else ""
            reasoning, finish = written.reasoning, written.finish
        prov = owner.provider
        model = prov.model or body.get("model", "fake-model")
        finish_reason = {"stop": "stop", "length": "length", "filter": prov.filter_reason}[finish]
        content = text
        if reasoning and prov.reasoning == "tags":
            content = f"<think>\n{reasoning}\n</think>\n\n{text}"
        elif reasoning and prov.reasoning == "close-only":
            content = f"{reasoning}\n</think>\n\n{text}"
        if not body.get("stream"):
            message = {"role": "assistant", "content": content}
            if reasoning and prov.reasoning in ("reasoning_content", "reasoning"):
                message[prov.reasoning] = reasoning
            self._json(200, {
                "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()), "model": model,
                "choices": [{"index": 0, "message": message, "finish_reason": finish_reason}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            })
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if b.kind == "keepalive":
            end = time.monotonic() + b.delay
            while time.monotonic() < end:
                if not self._comment():
                    return
                time.sleep(0.05)
        if prov.keep_alive:
            self._comment()
        if prov.role_chunk:
            self._event(self._chunk(model, {"role": "assistant", "content": ""}, None))
        if reasoning and prov.reasoning in ("reasoning_content", "reasoning"):
            for piece in _pieces(reasoning, prov.piece):
                self._event(self._chunk(model, {"content": None, prov.reasoning: piece}, None))
        for i, piece in enumerate(_pieces(content, prov.piece)):
            if b.kind == "cut" and i >= b.chunks_before_cut:
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)   # mid-body: no terminating 0-chunk
                return
            if b.delay and b.kind == "reply":
                time.sleep(b.delay)
            if prov.keep_alive and i % 5 == 4:
                self._comment()
            self._event(self._chunk(model, {"content": piece}, None))
        if b.kind != "no_finish":
            last = self._chunk(model, {}, finish_reason)
            if prov.usage_in_choice:
                last["choices"][0]["usage"] = _USAGE
            self._event(last)
            if prov.usage_chunk:
                usage = self._chunk(model, {}, None)
                usage["choices"], usage["usage"] = [], _USAGE
                self._event(usage)
        self._write_chunk(b"data: [DONE]\n\n")
        self._write_chunk(b"")   # end of the chunked body

    def _comment(self) -> bool:
        try:
            self._write_chunk(b": keep-alive\n\n")
            return True
        except OSError:   # the client gave up waiting
            return False

    def _chunk(self, model: str, delta: dict, finish: str | None) -> dict:
        chunk = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()),
                 "model": model, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
        if self.server.owner.provider.fingerprint:
            chunk["system_fingerprint"] = self.server.owner.provider.fingerprint
        return chunk

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
    def __init__(self, default: Behaviour | None = None, provider: str | Provider = "openai") -> None:
        self.default = default or reply("(no scripted reply)")
        self.provider = PRESETS[provider] if isinstance(provider, str) else provider
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
