"""curl against the proxy: what a shell user sees."""

from __future__ import annotations

import json
import subprocess

import pytest

from support import (
    CANONICAL_CITATIONS, CANONICAL_TEXT, MEMBER_KEY, MODES_ALL, MODES_FINAL, RECORDER, assert_canonical_usage,
    chat_body, chunks_of, mode_id, text_of,
)


def curl(*args: str) -> bytes:
    proc = subprocess.run(["curl", "-sS", "--max-time", "20", *args], capture_output=True, timeout=30)
    RECORDER.add(f"curl {args[-1] if args else ''}", None, proc.stdout)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    return proc.stdout


def post_args(url: str, body: dict) -> list[str]:
    return [url, "-H", f"Authorization: Bearer {MEMBER_KEY}", "-H", "Content-Type: application/json",
            "-d", json.dumps(body)]


def split_head(raw: bytes) -> tuple[str, dict[str, str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return lines[0], headers, body


@pytest.mark.parametrize("path", ["/chat/completions", "/v1/chat/completions"])
@pytest.mark.parametrize("mode", MODES_FINAL, ids=mode_id)
def test_curl_stream_shows_headers_chunks_and_done(stacks, mode, path):
    raw = curl("-N", "-i", *post_args(stacks(mode).url + path, chat_body(None)))
    status, headers, body = split_head(raw)
    assert status.split()[1] == "200", status
    assert headers["content-type"].startswith("text/event-stream")
    assert headers["cache-control"] == "no-cache"
    assert headers["x-accel-buffering"] == "no"
    assert headers["transfer-encoding"].lower() == "chunked"
    assert body.endswith(b"data: [DONE]\n\n")
    chunks = chunks_of(body)
    assert text_of(chunks) == CANONICAL_TEXT
    assert chunks[-1]["citations"] == CANONICAL_CITATIONS
    assert_canonical_usage(chunks[-1]["usage"])


@pytest.mark.parametrize("mode", MODES_ALL, ids=mode_id)
def test_curl_non_streaming_gets_one_completion_object(stacks, mode):
    raw = curl("-i", *post_args(stacks(mode).chat_url, chat_body(None, stream=False)))
    status, headers, body = split_head(raw)
    assert status.split()[1] == "200", status
    assert headers["content-type"].startswith("application/json")
    completion = json.loads(body)
    assert completion["object"] == "chat.completion"
    assert completion["choices"][0]["message"]["content"] == CANONICAL_TEXT
    assert completion["citations"] == CANONICAL_CITATIONS
    assert [r["url"] for r in completion["search_results"]] == CANONICAL_CITATIONS
    assert_canonical_usage(completion["usage"])


def test_curl_healthz(stacks):
    assert json.loads(curl(stacks(("agent", "final")).url + "/healthz")) == {"status": "ok"}
