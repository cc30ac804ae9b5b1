"""Shared helpers for the end-to-end suite: canonical answer, SSE parsing, response recording.

The suite drives the built `pplx-proxy` binary with clients nobody here wrote (openai, perplexityai, requests,
curl). Everything a client sees is recorded so the session can assert the upstream key never reached a client.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import requests

# The key the proxy holds for the upstream; the mock refuses any other. It must never reach a client or a log.
UPSTREAM_KEY = "test-upstream-key-123"
# What clients send. No members are configured, so anonymous use on loopback is allowed; the proxy must not
# forward it upstream.
MEMBER_KEY = "sk-member-anything"

CANONICAL_DELTAS = [
    "The capital", " of France", " is Paris", "[1]", ".", " It lies on", " the Seine", "[2]", ".",
]
CANONICAL_TEXT = "The capital of France is Paris[1]. It lies on the Seine[2]."
assert "".join(CANONICAL_DELTAS) == CANONICAL_TEXT
CANONICAL_CITATIONS = [
    "https://en.wikipedia.org/wiki/Paris",
    "https://www.britannica.com/place/Paris",
]
CANONICAL_SEARCH_RESULTS = [
    {"title": "Paris - Wikipedia", "url": "https://en.wikipedia.org/wiki/Paris", "date": "2026-03-01",
     "last_updated": "2026-03-02", "snippet": "Paris is the capital and largest city of France.", "source": "web"},
    {"title": "Paris | Britannica", "url": "https://www.britannica.com/place/Paris", "date": None,
     "last_updated": None, "snippet": "", "source": "web"},
]
CANONICAL_TOTAL_TOKENS = 23
CANONICAL_TOTAL_COST = 0.005023
QUESTION = "What is the capital of France?"

# (upstream api, metadata mode) combinations the contract defines.
MODES_ALL = [("agent", "final"), ("chat", "final"), ("chat", "passthrough")]
MODES_FINAL = [("agent", "final"), ("chat", "final")]


def mode_id(mode: tuple[str, str]) -> str:
    return f"{mode[0]}-{mode[1]}"


def question(scenario: str | None = None) -> str:
    """The user message; a trailing ` mock:NAME` selects the mock scenario."""
    return QUESTION if scenario is None else f"{QUESTION} mock:{scenario}"


def chat_body(scenario: str | None = None, *, model: str = "sonar", stream: bool = True, **extra: Any) -> dict:
    body = {"model": model, "messages": [{"role": "user", "content": question(scenario)}], "stream": stream}
    body.update(extra)
    return body


# --------------------------------------------------------------------------------------------------------------
# Recording what clients saw (for the session-end key check)
# --------------------------------------------------------------------------------------------------------------

@dataclass
class Seen:
    """One response as a client saw it: where from, its headers, and its body bytes."""
    where: str
    headers: str = ""
    body: bytearray = field(default_factory=bytearray)


class Recorder:
    """Thread-safe list of every response body and header block the tests received."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.items: list[Seen] = []

    def new(self, where: str, headers: Any = None) -> Seen:
        seen = Seen(where=where, headers=_headers_text(headers))
        with self._lock:
            self.items.append(seen)
        return seen

    def add(self, where: str, headers: Any = None, body: bytes | str = b"") -> None:
        seen = self.new(where, headers)
        seen.body.extend(body.encode() if isinstance(body, str) else body)


def _headers_text(headers: Any) -> str:
    if headers is None:
        return ""
    if isinstance(headers, str):
        return headers
    try:
        return "\n".join(f"{k}: {v}" for k, v in headers.items())
    except AttributeError:
        return str(headers)


RECORDER = Recorder()


def tee_http_client(httpx_module: Any, where: str) -> Any:
    """An httpx(-compatible) Client whose responses are copied into RECORDER as the SDK reads them.

    `httpx_module` is whichever httpx the SDK is built on (openai 3.x uses `httpx2`, perplexityai `httpx`).
    """

    class TeeStream(httpx_module.SyncByteStream):
        def __init__(self, inner: Any, seen: Seen) -> None:
            self._inner = inner
            self._seen = seen

        def __iter__(self):
            for part in self._inner:
                self._seen.body.extend(part)
                yield part

        def close(self) -> None:
            self._inner.close()

    class TeeTransport(httpx_module.HTTPTransport):
        def handle_request(self, request: Any) -> Any:
            response = super().handle_request(request)
            seen = RECORDER.new(f"{where} {request.method} {request.url}", response.headers)
            return httpx_module.Response(
                status_code=response.status_code,
                headers=response.headers,
                stream=TeeStream(response.stream, seen),
                extensions=response.extensions,
                request=request,
            )

    return httpx_module.Client(transport=TeeTransport())


# --------------------------------------------------------------------------------------------------------------
# Raw HTTP with requests
# --------------------------------------------------------------------------------------------------------------

REQUESTS_TIMEOUT = (5, 20)


@dataclass
class RawResponse:
    status: int
    headers: requests.structures.CaseInsensitiveDict
    body: bytes
    # (arrival time relative to the request start, bytes) per network read
    reads: list[tuple[float, bytes]]

    def json(self) -> Any:
        return json.loads(self.body)


def post(url: str, body: Any, *, stream: bool = True, headers: dict | None = None,
         timeout: tuple[float, float] = REQUESTS_TIMEOUT, raw_body: bytes | None = None,
         method: str = "POST") -> RawResponse:
    """Sends one request and reads the whole response, recording each network read with its arrival time."""
    hdrs = {"Authorization": f"Bearer {MEMBER_KEY}", "Content-Type": "application/json"}
    hdrs.update(headers or {})
    start = time.monotonic()
    data = raw_body if raw_body is not None else (json.dumps(body).encode() if body is not None else None)
    with requests.request(method, url, data=data, headers=hdrs, stream=stream, timeout=timeout) as resp:
        seen = RECORDER.new(f"requests {method} {url}", resp.headers)
        reads: list[tuple[float, bytes]] = []
        for part in resp.iter_content(chunk_size=None):
            if part:
                reads.append((time.monotonic() - start, part))
                seen.body.extend(part)
        return RawResponse(resp.status_code, resp.headers, bytes(seen.body), reads)


def get(url: str, *, headers: dict | None = None) -> RawResponse:
    return post(url, None, stream=False, headers=headers, method="GET")


# --------------------------------------------------------------------------------------------------------------
# SSE parsing
# --------------------------------------------------------------------------------------------------------------

@dataclass
class Frame:
    """One SSE event as sent: its raw text, the `event:` name (or None), and the `data:` payload (or None)."""
    raw: str
    event: str | None
    data: str | None
    comment_only: bool

    @property
    def json(self) -> Any:
        return json.loads(self.data)


def split_frames(body: bytes) -> tuple[list[Frame], str]:
    """Splits an SSE body on blank lines (`\\n\\n`, the framing the contract fixes).

    Returns the frames and whatever trailing text did not end with a blank line.
    """
    text = body.decode("utf-8")
    parts = text.split("\n\n")
    tail = parts.pop()  # text after the last "\n\n" ('' when the body ends cleanly)
    frames = []
    for raw in parts:
        event = None
        data_lines: list[str] = []
        comment_only = True
        for line in raw.split("\n"):
            if line.startswith(":"):
                continue
            comment_only = False
            if line.startswith("event:"):
                event = line[len("event:"):].strip()
            elif line.startswith("data:"):
                value = line[len("data:"):]
                data_lines.append(value[1:] if value.startswith(" ") else value)
            else:
                raise AssertionError(f"unexpected SSE line {line!r} in frame {raw!r}")
        frames.append(Frame(raw=raw, event=event, data="\n".join(data_lines) if data_lines else None,
                            comment_only=comment_only))
    return frames, tail


def data_frames(body: bytes) -> list[Frame]:
    frames, _ = split_frames(body)
    return [f for f in frames if not f.comment_only]


def chunks_of(body: bytes) -> list[dict]:
    """The JSON chunks of a stream, without comments and the `[DONE]` sentinel."""
    return [f.json for f in data_frames(body) if f.data != "[DONE]"]


def text_of(chunks: list[dict]) -> str:
    out = []
    for c in chunks:
        for ch in c.get("choices") or []:
            content = (ch.get("delta") or {}).get("content")
            if content:
                out.append(content)
    return "".join(out)


def assert_error_body(body: Any, *, code: str | None = None) -> dict:
    """Checks the contract's error envelope {"error":{message,type,code,param}} and returns the inner object."""
    assert isinstance(body, dict) and set(body) == {"error"}, f"not an error envelope: {body!r}"
    err = body["error"]
    assert set(err) == {"message", "type", "code", "param"}, f"error keys {sorted(err)}: {err!r}"
    assert isinstance(err["message"], str) and err["message"], err
    assert isinstance(err["type"], str) and err["type"], err
    assert isinstance(err["code"], str) and err["code"], err
    assert err["param"] is None or isinstance(err["param"], str), err
    if code is not None:
        assert err["code"] == code, f"expected code {code!r}, got {err!r}"
    assert UPSTREAM_KEY not in json.dumps(body)
    return err


def assert_canonical_usage(usage: Any) -> None:
    """Usage as a client sees it: 9 + 14 = 23 tokens and a cost object (chat or translated agent shape)."""
    if hasattr(usage, "model_dump"):
        usage = usage.model_dump()
    assert isinstance(usage, dict), usage
    assert usage["prompt_tokens"] == 9, usage
    assert usage["completion_tokens"] == 14, usage
    assert usage["total_tokens"] == CANONICAL_TOTAL_TOKENS, usage
    cost = usage.get("cost")
    if hasattr(cost, "model_dump"):
        cost = cost.model_dump()
    assert isinstance(cost, dict), f"usage has no cost object: {usage!r}"
    assert abs(cost["total_cost"] - CANONICAL_TOTAL_COST) < 1e-9, cost


def eventually(condition, seconds: float = 10) -> bool:
    """Polls `condition` every 0.1 s until it holds or `seconds` pass; its last answer."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()
