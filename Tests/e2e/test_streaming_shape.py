"""Raw SSE as the proxy sends it (requests, no SDK), checked against CONTRACT.md "Streams to clients" 1–7.

Each upstream scenario of the mock is selected with " mock:NAME" in the user message. In final mode every stream
must come out in the one normalised shape whatever the upstream did.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest
import requests

from support import (
    CANONICAL_CITATIONS, CANONICAL_SEARCH_RESULTS, CANONICAL_TEXT, MODES_ALL, MODES_FINAL, Frame, RawResponse,
    assert_canonical_usage, chat_body, mode_id, post, split_frames, text_of,
)

# Read timeout for shape tests: a stream that does not end after its terminal event fails here instead of
# hanging (keep-alive pings are 15 s apart by default, so they do not reset it).
SHAPE_TIMEOUT = (5, 10)

# Expected answer per scenario (the mock's scripts, Sources/MockUpstream/*Scenarios.swift).
# text/citations/results: exact values, None = not pinned. usage: "canonical" (23 tokens and the canonical cost),
# a (prompt, completion, total) tuple, or None.
TRUNCATED_TEXT = "The capital of France is Paris[1]."
UNSOURCED_TEXT = "The capital of France is Paris. It lies on the Seine."
LONG_TEXT = "".join(f"tok{i} " for i in range(200))
THINK_PREFIX = "<think>\nLooking up sources.\n</think>\n\n"
OTHER_SOURCES = ["https://www.paris.fr/", "https://en.wikipedia.org/wiki/Seine"]


def expect(text=CANONICAL_TEXT, citations=CANONICAL_CITATIONS, results=CANONICAL_CITATIONS, finish="stop",
           usage="canonical") -> dict:
    return {"text": text, "citations": citations, "results": results, "finish": finish, "usage": usage}


CANON = expect()
CHAT_SCENARIOS = {
    "default": CANON,
    "legacy": expect(usage=(9, 14, 23)),  # legacy usage has no cost
    "no-done": CANON,
    "role-first-only": CANON,
    "empty-finish": CANON,
    "hold-open": CANON,
    "done-hold-open": CANON,
    "concise": CANON,  # upstream sends no citations in concise mode: the proxy derives them from search_results
    "reasoning": expect(text=THINK_PREFIX + CANONICAL_TEXT, usage=(9, 18, 27)),
    "split": CANON,
    "metadata-once": CANON,
    "long": expect(text=LONG_TEXT, usage=(9, 200, 209)),
}
AGENT_SCENARIOS = {
    "default": CANON,
    "no-event-lines": CANON,
    "crlf": CANON,
    "text-only-terminal": CANON,
    "partial-deltas": CANON,
    "mismatch-text": CANON,  # the done events' different text must not be appended or repeated
    "dup-sources": expect(usage=(9, 14, 23)),  # two searches billed
    "multi-search": expect(citations=CANONICAL_CITATIONS + OTHER_SOURCES, results=None, usage=(9, 14, 23)),
    "null-fields": CANON,
    "seq-gaps": CANON,
    "hold-open": CANON,
    "incomplete": expect(text=TRUNCATED_TEXT, finish="length", usage=(9, 8, 17)),
    "completed-incomplete": expect(text=TRUNCATED_TEXT, finish="length", usage=(9, 8, 17)),
    "multi-message": CANON,
    "no-search": expect(text=UNSOURCED_TEXT, citations=[], results=[], usage=(9, 12, 21)),
    "split": CANON,
    "long": expect(text=LONG_TEXT, usage=(9, 200, 209)),
}


@dataclass
class Stream:
    chunks: list[dict]
    content_chunks: list[dict]
    finish: dict
    usage_chunk: dict | None

    @property
    def text(self) -> str:
        return text_of(self.content_chunks)


def stream_request(stack, scenario: str | None, *, model: str = "sonar", **extra) -> RawResponse:
    try:
        return post(stack.chat_url, chat_body(scenario, model=model, **extra), timeout=SHAPE_TIMEOUT)
    except requests.exceptions.ConnectionError as exc:  # ReadTimeout included
        pytest.fail(f"stream for scenario {scenario!r} did not end (or broke) within the read timeout: {exc!r}")


def assert_stream_headers(resp: RawResponse) -> None:
    assert resp.status == 200, resp.body[:500]
    h = resp.headers
    assert h.get("Content-Type", "").split(";")[0].strip() == "text/event-stream", dict(h)
    assert h.get("Cache-Control") == "no-cache", dict(h)
    assert h.get("X-Accel-Buffering") == "no", dict(h)
    assert h.get("Transfer-Encoding", "").lower() == "chunked", dict(h)
    assert "Content-Length" not in h, dict(h)


def check_contract_stream(resp: RawResponse, model: str, *, include_usage: bool = False) -> Stream:
    """Asserts CONTRACT.md "Streams to clients" 1–6 on one complete response and returns its parts."""
    assert_stream_headers(resp)
    frames, tail = split_frames(resp.body)
    assert tail == "", f"body does not end with a complete event: tail {tail!r}"
    for f in frames:
        if f.comment_only:
            assert f.raw == ": ping", f"unexpected comment frame {f.raw!r}"
    data: list[Frame] = [f for f in frames if not f.comment_only]
    # 6. [DONE] is the last event and the body ends right after it (tail == '' and EOF was reached)
    assert data and data[-1].raw == "data: [DONE]", [f.raw[:80] for f in data[-3:]]
    assert [f.raw for f in data].count("data: [DONE]") == 1
    for f in data:
        # events are exactly `data: <json>\n\n`: one line, no event name
        assert f.raw.startswith("data: ") and "\n" not in f.raw, f"not a plain data event: {f.raw!r}"
    chunks = [json.loads(f.data) for f in data[:-1]]
    assert chunks, "no chunks before [DONE]"

    # 1. same object/id/created/model everywhere
    for c in chunks:
        assert c.get("object") == "chat.completion.chunk", c
        assert c.get("model") == model, c
        assert isinstance(c.get("id"), str) and c["id"], c
        assert isinstance(c.get("created"), int), c
    assert len({c["id"] for c in chunks}) == 1, {c["id"] for c in chunks}
    assert len({c["created"] for c in chunks}) == 1, {c["created"] for c in chunks}

    with_choices = [c for c in chunks if c.get("choices")]
    for c in with_choices:
        assert len(c["choices"]) == 1 and c["choices"][0].get("index") == 0, c

    # 4. exactly one finish chunk
    finishing = [i for i, c in enumerate(chunks) if c.get("choices") and c["choices"][0].get("finish_reason")]
    assert len(finishing) == 1, f"finish chunks: {[chunks[i] for i in finishing]}"
    fi = finishing[0]
    finish = chunks[fi]
    choice = finish["choices"][0]
    assert choice["delta"] == {}, finish
    assert choice["finish_reason"] in ("stop", "length"), finish
    assert isinstance(finish.get("citations"), list) and all(isinstance(u, str) for u in finish["citations"]), finish
    assert isinstance(finish.get("search_results"), list), finish
    for r in finish["search_results"]:
        assert isinstance(r.get("title"), str) and isinstance(r.get("url"), str), r
        assert set(r) <= {"title", "url", "date", "last_updated", "snippet", "source", "id"}, r
    if include_usage:
        # As OpenAI does: usage on the `choices: []` chunk only, so clients that add chunks up count it once.
        assert "usage" not in finish, finish
    else:
        usage = finish.get("usage")
        assert isinstance(usage, dict), finish
        for k in ("prompt_tokens", "completion_tokens", "total_tokens"):
            assert isinstance(usage.get(k), int), usage

    # 2./3. role only on the first chunk; content chunks carry content only
    content_chunks = chunks[:fi]
    assert content_chunks, "no chunk before the finish chunk"
    assert content_chunks[0]["choices"][0]["delta"].get("role") == "assistant", content_chunks[0]
    for i, c in enumerate(content_chunks):
        assert c.get("choices"), c
        ch = c["choices"][0]
        delta = ch.get("delta")
        assert isinstance(delta, dict), c
        allowed = {"role", "content"} if i == 0 else {"content"}
        assert set(delta) <= allowed, f"chunk {i} delta has {sorted(delta)}: {c}"
        if i > 0:
            assert "content" in delta, c
        assert ch.get("finish_reason") is None, c
        for key in ("citations", "search_results", "usage"):
            assert key not in c, f"content chunk {i} carries {key}: {c}"

    # 5. include_usage: one more chunk with "choices": [] and usage; otherwise nothing after the finish chunk
    after = chunks[fi + 1:]
    usage_chunk = None
    if include_usage:
        assert len(after) == 1, after
        usage_chunk = after[0]
        assert usage_chunk["choices"] == [], usage_chunk
        assert isinstance(usage_chunk.get("usage"), dict), usage_chunk
        for k in ("prompt_tokens", "completion_tokens", "total_tokens"):
            assert isinstance(usage_chunk["usage"].get(k), int), usage_chunk
    else:
        assert after == [], after
    return Stream(chunks, content_chunks, finish, usage_chunk)


def assert_expected(stream: Stream, expected: dict) -> None:
    finish = stream.finish
    if expected["text"] is not None:
        assert stream.text == expected["text"]
    if expected["citations"] is not None:
        assert finish["citations"] == expected["citations"]
    if expected["results"] is not None:
        assert [r["url"] for r in finish["search_results"]] == expected["results"]
    assert finish["choices"][0]["finish_reason"] == expected["finish"]
    if expected["usage"] == "canonical":
        assert_canonical_usage(finish["usage"])
    elif expected["usage"] is not None:
        u = finish["usage"]
        assert (u["prompt_tokens"], u["completion_tokens"], u["total_tokens"]) == expected["usage"], u
    # every [n] marker in the text points into citations
    if finish["citations"]:
        for n in re.findall(r"\[(\d+)\]", stream.text):
            assert 1 <= int(n) <= len(finish["citations"]), (n, finish["citations"])


@pytest.mark.parametrize("scenario", list(CHAT_SCENARIOS))
def test_chat_upstream_final_stream_follows_the_contract(stacks, scenario):
    stream = check_contract_stream(stream_request(stacks(("chat", "final")), scenario), "sonar")
    assert_expected(stream, CHAT_SCENARIOS[scenario])


@pytest.mark.parametrize("scenario", list(AGENT_SCENARIOS))
def test_agent_upstream_final_stream_follows_the_contract(stacks, scenario):
    stream = check_contract_stream(stream_request(stacks(("agent", "final")), scenario), "sonar")
    assert_expected(stream, AGENT_SCENARIOS[scenario])


@pytest.mark.parametrize("mode", [("chat", "final"), ("chat", "passthrough")], ids=mode_id)
def test_stream_cut_before_its_finish_ends_with_an_error_event(stacks, mode):
    # no finish_reason and no [DONE]: the body simply ends. That is a truncated answer, never an invented "stop".
    resp = stream_request(stacks(mode), "no-finish")
    assert resp.status == 200
    frames, tail = split_frames(resp.body)
    assert tail == ""
    data = [f for f in frames if not f.comment_only]
    assert data[-1].event == "error", data[-1].raw
    assert data[-1].json["error"]["code"] == "upstream_stream_truncated"
    assert "data: [DONE]" not in [f.raw for f in data]
    assert any('"content"' in f.raw for f in data[:-1]), "the deltas that did arrive are relayed"


@pytest.mark.parametrize("mode", MODES_FINAL, ids=mode_id)
def test_default_stream_carries_the_exact_search_results(stacks, mode):
    stream = check_contract_stream(stream_request(stacks(mode), None), "sonar")
    results = [{k: v for k, v in r.items() if k != "id"} for r in stream.finish["search_results"]]
    assert results == CANONICAL_SEARCH_RESULTS
    assert stream.text == CANONICAL_TEXT
    assert_canonical_usage(stream.finish["usage"])


@pytest.mark.parametrize("mode", MODES_FINAL, ids=mode_id)
def test_agent_and_chat_deltas_become_one_chunk_each(stacks, mode):
    stream = check_contract_stream(stream_request(stacks(mode), None), "sonar")
    contents = [c["choices"][0]["delta"].get("content") for c in stream.content_chunks]
    assert [c for c in contents if c] == ["The capital", " of France", " is Paris", "[1]", ".", " It lies on",
                                          " the Seine", "[2]", "."]


@pytest.mark.parametrize("model", ["sonar", "sonar-pro", "sonar-reasoning-pro", "sonar-deep-research"])
@pytest.mark.parametrize("mode", MODES_FINAL, ids=mode_id)
def test_model_is_echoed_as_requested(stacks, mode, model):
    check_contract_stream(stream_request(stacks(mode), None, model=model), model)


@pytest.mark.parametrize("mode", MODES_FINAL, ids=mode_id)
def test_include_usage_appends_one_usage_chunk_before_done(stacks, mode):
    stream = check_contract_stream(
        stream_request(stacks(mode), None, stream_options={"include_usage": True}), "sonar", include_usage=True)
    assert_canonical_usage(stream.usage_chunk["usage"])


@pytest.mark.parametrize("mode", MODES_FINAL, ids=mode_id)
def test_stream_options_without_include_usage_adds_nothing(stacks, mode):
    check_contract_stream(stream_request(stacks(mode), None, stream_options={"include_usage": False}), "sonar")


def test_passthrough_relays_the_upstream_bytes_unchanged(stacks):
    stack = stacks(("chat", "passthrough"))
    via_proxy = stream_request(stack, None)
    assert via_proxy.status == 200
    assert via_proxy.headers.get("Content-Type", "").split(";")[0].strip() == "text/event-stream"
    # the same request straight to the mock, with the key the mock expects
    from support import UPSTREAM_KEY  # local: this test is the one place that talks to the mock with it
    direct = requests.post(stack.mock.url + "/chat/completions", json=chat_body(None),
                           headers={"Authorization": f"Bearer {UPSTREAM_KEY}"}, timeout=SHAPE_TIMEOUT)
    assert direct.status_code == 200
    strip = lambda body: b"".join(  # noqa: E731 — keep-alive comments are the one thing the proxy may add
        f + b"\n\n" for f in body.split(b"\n\n") if f and not f.startswith(b":"))
    upstream = direct.content
    # the mock stamps each response with its own id/created; compare with those normalised
    ids = {json.loads(line[6:]).get("id") for line in upstream.split(b"\n") if line.startswith(b"data: {")}
    proxied_ids = {json.loads(line[6:]).get("id") for line in via_proxy.body.split(b"\n")
                   if line.startswith(b"data: {")}
    proxied = strip(via_proxy.body)
    for a, b in zip(sorted(proxied_ids), sorted(ids)):
        proxied = proxied.replace(a.encode(), b.encode())
    assert _without_created(proxied) == _without_created(strip(upstream))


def _without_created(body: bytes) -> bytes:
    return re.sub(rb'"created": ?\d+', b'"created":0', body)
