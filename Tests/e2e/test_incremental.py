"""Chunks reach the client as the upstream produces them, not buffered until the end.

The mock's `slow` scenario waits 250 ms between upstream events. The assertions compare arrivals with each other
(several clearly separated gaps; the first chunk well before the last) rather than against wall-clock limits.
"""

from __future__ import annotations

import json
import subprocess
import time

import pytest

from support import CANONICAL_TEXT, MEMBER_KEY, MODES_ALL, RECORDER, chat_body, mode_id, post

GAP_S = 0.1  # well under the mock's 250 ms spacing, well over scheduling noise


def arrivals(reads: list[tuple[float, bytes]]) -> list[tuple[float, dict]]:
    """(arrival time, chunk) for each JSON data event, timed by the network read that completed it."""
    events, buf = [], b""
    for t, part in reads:
        buf += part
        while b"\n\n" in buf:
            frame, buf = buf.split(b"\n\n", 1)
            for line in frame.split(b"\n"):
                if line.startswith(b"data: {"):
                    events.append((t, json.loads(line[len(b"data: "):])))
    return events


def content_of(chunk: dict) -> str:
    choices = chunk.get("choices") or []
    return (choices[0].get("delta") or {}).get("content") or "" if choices else ""


@pytest.mark.parametrize("mode", MODES_ALL, ids=mode_id)
def test_chunks_arrive_spread_out_as_upstream_sends_them(stacks, mode):
    resp = post(stacks(mode).chat_url, chat_body("slow"), timeout=(5, 20))
    assert resp.status == 200, resp.body[:300]
    events = arrivals(resp.reads)
    content = [(t, content_of(c)) for t, c in events if content_of(c)]
    assert "".join(text for _, text in content) == CANONICAL_TEXT
    times = [t for t, _ in content]
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert sum(g > GAP_S for g in gaps) >= 3, f"content arrived in bursts: gaps {[round(g, 3) for g in gaps]}"
    # the first content chunk arrives well before the last one (not all at the end)
    assert times[-1] - times[0] > 3 * GAP_S, times


@pytest.mark.parametrize("mode", MODES_ALL, ids=mode_id)
def test_curl_no_buffer_shows_the_first_chunk_before_the_stream_ends(stacks, mode):
    body = json.dumps(chat_body("slow"))
    start = time.monotonic()
    proc = subprocess.Popen(
        ["curl", "-sS", "-N", "--max-time", "20", stacks(mode).chat_url,
         "-H", f"Authorization: Bearer {MEMBER_KEY}", "-H", "Content-Type: application/json", "-d", body],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first_content_at = done_at = None
    output = []
    try:
        for line in proc.stdout:  # curl -N writes each line as it arrives
            output.append(line)
            now = time.monotonic() - start
            if first_content_at is None and line.startswith(b"data: {") and content_of(json.loads(line[6:])):
                first_content_at = now
                assert proc.poll() is None, "curl had already finished when the first chunk showed"
            if line.strip() == b"data: [DONE]":
                done_at = now
        assert proc.wait(timeout=25) == 0, proc.stderr.read().decode(errors="replace")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        RECORDER.add("curl -N slow", None, b"".join(output))
    assert first_content_at is not None, b"".join(output)[:500]
    if mode[1] == "final":
        assert done_at is not None, b"".join(output)[-500:]
    end = done_at if done_at is not None else time.monotonic() - start
    assert end - first_content_at > 3 * GAP_S, (first_content_at, end)
