"""Errors per CONTRACT.md "Errors" and "Streams to clients" 7, seen with requests and both SDKs."""

from __future__ import annotations

import json
import socket

import httpx
import openai
import perplexity
import pytest
from openai import OpenAI
from perplexity import Perplexity

from support import (
    MEMBER_KEY, MODES_ALL, MODES_FINAL, QUESTION, assert_error_body, chat_body, data_frames, get,
    mode_id, post, split_frames, tee_http_client,
)
from test_openai_sdk import openai_httpx

# Mock scenarios that fail before the stream starts: name → (client status, error code or None when free).
# The agent emulator has no 422 or 503 scenario.
PRE_STREAM = {
    "error-400": (400, None),
    "error-401": (502, "upstream_auth_failed"),
    "error-422": (400, None),
    "error-429": (429, None),
    "error-500": (502, None),
    "error-503": (502, None),
}
CHAT_ONLY = {"error-422", "error-503"}
PRE_STREAM_CASES = [(mode, scenario) for mode in MODES_ALL for scenario in PRE_STREAM
                    if mode[0] == "chat" or scenario not in CHAT_ONLY]
# The messages the mock's 400 scenarios send; the proxy must pass them on.
UPSTREAM_400_MESSAGE = {
    "chat": "Permitted models can be found in the documentation",
    "agent": "search recency filter must be one of: hour day week month year",
}
MID_STREAM_DROP = "drop"
AGENT_TERMINAL_FAILURES = ["failed", "failed-nested", "cancelled", "error-event"]


def openai_client(base_url: str) -> OpenAI:
    return OpenAI(api_key=MEMBER_KEY, base_url=base_url, timeout=20, max_retries=0,
                  http_client=tee_http_client(openai_httpx(), "openai"))


def pplx_client(base_url: str) -> Perplexity:
    return Perplexity(api_key=MEMBER_KEY, base_url=base_url, timeout=20, max_retries=0,
                      http_client=tee_http_client(httpx, "perplexityai"))


def messages(scenario: str) -> list[dict]:
    return [{"role": "user", "content": f"{QUESTION} mock:{scenario}"}]


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- upstream errors before the stream starts ---------------------------------------------------------------

@pytest.mark.parametrize("stream", [True, False], ids=["stream", "non-stream"])
@pytest.mark.parametrize("mode,scenario", PRE_STREAM_CASES, ids=lambda v: mode_id(v) if isinstance(v, tuple) else v)
def test_upstream_error_maps_to_contract_status_and_json(stacks, mode, scenario, stream):
    status, code = PRE_STREAM[scenario]
    resp = post(stacks(mode).chat_url, chat_body(scenario, stream=stream))
    assert resp.status == status, resp.body[:500]
    assert resp.headers.get("Content-Type", "").startswith("application/json"), dict(resp.headers)
    assert_error_body(resp.json(), code=code)
    if scenario == "error-429":
        assert resp.headers.get("Retry-After") == "7", dict(resp.headers)


@pytest.mark.parametrize("mode", MODES_ALL, ids=mode_id)
def test_upstream_400_message_is_passed_on(stacks, mode):
    """400 keeps the upstream's message (so the caller can fix the request)."""
    resp = post(stacks(mode).chat_url, chat_body("error-400"))
    assert resp.status == 400, resp.body[:500]
    message = assert_error_body(resp.json())["message"]
    assert UPSTREAM_400_MESSAGE[mode[0]] in message, message


@pytest.mark.parametrize("scenario", ["retired-403", "retired-403b"])
@pytest.mark.parametrize("mode", [("chat", "final"), ("chat", "passthrough")], ids=mode_id)
def test_retired_chat_endpoint_is_502_upstream_endpoint_retired(stacks, mode, scenario):
    resp = post(stacks(mode).chat_url, chat_body(scenario))
    assert resp.status == 502, resp.body[:500]
    err = assert_error_body(resp.json(), code="upstream_endpoint_retired")
    assert "agent" in err["message"].lower(), err


@pytest.mark.parametrize("scenario,exc", [
    ("error-400", openai.BadRequestError), ("error-401", openai.InternalServerError),
    ("error-429", openai.RateLimitError), ("error-500", openai.InternalServerError)])
@pytest.mark.parametrize("mode", MODES_FINAL, ids=mode_id)
def test_openai_sdk_raises_the_matching_status_error(stacks, mode, scenario, exc):
    with pytest.raises(exc) as info:
        list(openai_client(stacks(mode).url).chat.completions.create(
            model="sonar", messages=messages(scenario), stream=True))
    assert info.value.status_code == PRE_STREAM[scenario][0]


# ---- failures after the 200 --------------------------------------------------------------------------------

def assert_ends_with_error_frame(body: bytes) -> dict:
    frames, tail = split_frames(body)
    assert tail == "", f"body does not end with a complete event: {tail!r}"
    data = [f for f in frames if not f.comment_only]
    last = data[-1]
    assert last.raw.startswith("event: error\ndata: "), f"last event is not an error frame: {last.raw!r}"
    assert "data: [DONE]" not in [f.raw for f in data], "an error stream must not end with [DONE]"
    return assert_error_body(last.json)


def assert_error_status_or_error_event(resp) -> dict:
    """Before anything was sent the failure is an HTTP error; after the 200 it is an `event: error` frame."""
    if resp.status == 200:
        err = assert_ends_with_error_frame(resp.body)
        # whatever was sent before the failure is valid chunks
        chunks = [f.json for f in data_frames(resp.body) if f.event is None]
        assert all(c["object"] == "chat.completion.chunk" for c in chunks), chunks
        return err
    assert resp.status >= 400, resp.status
    return assert_error_body(resp.json())


@pytest.mark.parametrize("mode", MODES_FINAL, ids=mode_id)
def test_upstream_drop_mid_stream_ends_with_an_error(stacks, mode):
    resp = post(stacks(mode).chat_url, chat_body(MID_STREAM_DROP))
    assert_error_status_or_error_event(resp)


def test_upstream_drop_after_content_is_an_error_event_after_the_content(stacks):
    """The chat emulator drops after two content events: the 200 has gone out, so an error frame."""
    resp = post(stacks(("chat", "final")).chat_url, chat_body(MID_STREAM_DROP))
    assert resp.status == 200, resp.body[:500]
    assert_ends_with_error_frame(resp.body)
    chunks = [f.json for f in data_frames(resp.body) if f.event is None]
    assert chunks and chunks[0]["choices"][0]["delta"].get("role") == "assistant", chunks


@pytest.mark.parametrize("mode", MODES_FINAL, ids=mode_id)
def test_openai_sdk_raises_api_error_on_mid_stream_drop(stacks, mode):
    stream = openai_client(stacks(mode).url).chat.completions.create(
        model="sonar", messages=messages(MID_STREAM_DROP), stream=True)
    with pytest.raises(openai.APIError):
        for _ in stream:
            pass


@pytest.mark.parametrize("mode", MODES_FINAL, ids=mode_id)
def test_perplexity_sdk_raises_on_mid_stream_drop(stacks, mode):
    stream = pplx_client(stacks(mode).url).chat.completions.create(
        model="sonar", messages=messages(MID_STREAM_DROP), stream=True)
    with pytest.raises(perplexity.APIError):
        for _ in stream:
            pass


@pytest.mark.parametrize("scenario", AGENT_TERMINAL_FAILURES)
def test_agent_failure_terminals_raise_in_both_sdks(stacks, scenario):
    base = stacks(("agent", "final")).url
    with pytest.raises(openai.APIError):
        for _ in openai_client(base).chat.completions.create(model="sonar", messages=messages(scenario),
                                                             stream=True):
            pass
    with pytest.raises(perplexity.APIError):
        for _ in pplx_client(base).chat.completions.create(model="sonar", messages=messages(scenario),
                                                           stream=True):
            pass


@pytest.mark.parametrize("scenario", AGENT_TERMINAL_FAILURES)
def test_agent_failure_terminals_end_the_stream_with_an_error_event(stacks, scenario):
    """These runs stream some text first, so the 200 has gone out: the failure is an error frame."""
    resp = post(stacks(("agent", "final")).chat_url, chat_body(scenario))
    assert resp.status == 200, resp.body[:500]
    assert_ends_with_error_frame(resp.body)
    text = "".join((c["choices"][0]["delta"].get("content") or "") for c in
                   (f.json for f in data_frames(resp.body) if f.event is None) if c.get("choices"))
    assert text == "The capital of France is Paris[1].", text


# ---- requests the proxy refuses itself ---------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES_FINAL, ids=mode_id)
def test_unknown_path_is_404_json(stacks, mode):
    for resp in (get(stacks(mode).url + "/no/such/path"), post(stacks(mode).url + "/v1/nothing", chat_body(None))):
        assert resp.status == 404, resp.body[:300]
        assert_error_body(resp.json())


@pytest.mark.parametrize("path", ["/chat/completions", "/v1/chat/completions"])
def test_get_on_chat_completions_is_405_json(stacks, path):
    resp = get(stacks(("agent", "final")).url + path)
    assert resp.status == 405, resp.body[:300]
    assert_error_body(resp.json())


@pytest.mark.parametrize("mode", MODES_ALL, ids=mode_id)
def test_malformed_json_is_400(stacks, mode):
    resp = post(stacks(mode).chat_url, None, raw_body=b'{"model": "sonar", "messages": [')
    assert resp.status == 400, resp.body[:300]
    assert_error_body(resp.json())


@pytest.mark.parametrize("body", [
    {"messages": [{"role": "user", "content": QUESTION}], "stream": True},
    {"model": "sonar", "stream": True},
    {"model": "sonar", "messages": "not a list", "stream": True},
    [1, 2, 3],
], ids=["no-model", "no-messages", "messages-not-array", "not-an-object"])
@pytest.mark.parametrize("mode", MODES_FINAL, ids=mode_id)
def test_invalid_request_is_400(stacks, mode, body):
    resp = post(stacks(mode).chat_url, body)
    assert resp.status == 400, resp.body[:300]
    assert_error_body(resp.json())


# ---- upstream unreachable or silent ------------------------------------------------------------------------

@pytest.mark.parametrize("stream", [True, False], ids=["stream", "non-stream"])
@pytest.mark.parametrize("api", ["agent", "chat"])
def test_unreachable_upstream_is_502(spawn, api, stream):
    proxy = spawn("proxy", f"http://127.0.0.1:{free_port()}", api, "final")
    resp = post(proxy.url + "/chat/completions", chat_body(None, stream=stream))
    assert resp.status == 502, resp.body[:300]
    assert_error_body(resp.json())


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "non-stream"])
@pytest.mark.parametrize("api", ["agent", "chat"])
def test_silent_upstream_is_504_after_the_first_byte_timeout(spawn, tmp_path, api, stream):
    mock = spawn("mock", api)
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"upstream": {"first_byte_timeout_ms": 500}}))
    proxy = spawn("proxy", mock.url, api, "final", "--config", str(config))
    resp = post(proxy.url + "/chat/completions", chat_body("no-response", stream=stream))
    assert resp.status == 504, resp.body[:300]
    assert_error_body(resp.json())


@pytest.mark.parametrize("api", ["agent", "chat"])
def test_upstream_stall_after_the_head_ends_with_an_error(spawn, tmp_path, api):
    mock = spawn("mock", api)
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"upstream": {"idle_timeout_ms": 500}}))
    proxy = spawn("proxy", mock.url, api, "final", "--config", str(config))
    resp = post(proxy.url + "/chat/completions", chat_body("stall"))
    assert_error_status_or_error_event(resp)
