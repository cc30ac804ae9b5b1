"""The official openai Python SDK against the proxy: streaming, the .stream() helper, strict validation,
non-streaming, stream_options.include_usage, base URLs with and without /v1."""

from __future__ import annotations

import pytest
from openai import OpenAI

from conftest import assert_member_key_not_forwarded
from support import (
    CANONICAL_CITATIONS, CANONICAL_TEXT, MEMBER_KEY, MODES_ALL, MODES_FINAL, QUESTION, assert_canonical_usage,
    mode_id, tee_http_client,
)

MESSAGES = [{"role": "user", "content": QUESTION}]


def openai_httpx():
    """The httpx flavour this openai version is built on (3.x: httpx2; 1.x: httpx)."""
    import openai._base_client as base
    return getattr(base, "httpx2", None) or getattr(base, "httpx")


def client(base_url: str, **kwargs) -> OpenAI:
    return OpenAI(api_key=MEMBER_KEY, base_url=base_url, timeout=20, max_retries=0,
                  http_client=tee_http_client(openai_httpx(), "openai"), **kwargs)


def collect(stream) -> tuple[str, list]:
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    return text, chunks


@pytest.mark.parametrize("mode", MODES_ALL, ids=mode_id)
def test_stream_yields_the_answer_and_final_metadata(stacks, mode):
    stack = stacks(mode)
    text, chunks = collect(client(stack.url).chat.completions.create(model="sonar", messages=MESSAGES,
                                                                       stream=True))
    assert text == CANONICAL_TEXT
    finishing = [c for c in chunks if c.choices and c.choices[0].finish_reason]
    assert [c.choices[0].finish_reason for c in finishing] == ["stop"]
    last = finishing[0]
    assert last.citations == CANONICAL_CITATIONS
    assert_canonical_usage(last.usage)
    assert_member_key_not_forwarded(stack)


@pytest.mark.parametrize("mode", MODES_FINAL, ids=mode_id)
def test_stream_helper_final_completion_has_content_role_finish_and_usage(stacks, mode):
    with client(stacks(mode).url).chat.completions.stream(model="sonar", messages=MESSAGES) as stream:
        for _ in stream:
            pass
        final = stream.get_final_completion()
    choice = final.choices[0]
    assert choice.message.content == CANONICAL_TEXT
    assert choice.message.role == "assistant"  # the helper concatenates a repeated role
    assert choice.finish_reason == "stop"
    assert_canonical_usage(final.usage)


@pytest.mark.parametrize("mode", MODES_FINAL, ids=mode_id)
def test_stream_passes_strict_response_validation(stacks, mode):
    strict = client(stacks(mode).url, _strict_response_validation=True)
    text, chunks = collect(strict.chat.completions.create(model="sonar", messages=MESSAGES, stream=True))
    assert text == CANONICAL_TEXT
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == ["stop"]


@pytest.mark.parametrize("mode", MODES_FINAL, ids=mode_id)
def test_non_streaming_create_passes_strict_response_validation(stacks, mode):
    strict = client(stacks(mode).url, _strict_response_validation=True)
    completion = strict.chat.completions.create(model="sonar", messages=MESSAGES)
    assert completion.choices[0].message.content == CANONICAL_TEXT


@pytest.mark.parametrize("mode", MODES_ALL, ids=mode_id)
def test_non_streaming_create_returns_content_and_citations(stacks, mode):
    stack = stacks(mode)
    completion = client(stack.url).chat.completions.create(model="sonar", messages=MESSAGES)
    assert completion.object == "chat.completion"
    assert completion.choices[0].message.content == CANONICAL_TEXT
    assert completion.choices[0].message.role == "assistant"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.citations == CANONICAL_CITATIONS
    assert [r["url"] for r in completion.search_results] == CANONICAL_CITATIONS
    assert_canonical_usage(completion.usage)
    assert_member_key_not_forwarded(stack)


@pytest.mark.parametrize("mode", MODES_FINAL, ids=mode_id)
def test_include_usage_adds_a_last_chunk_with_empty_choices_and_usage(stacks, mode):
    stream = client(stacks(mode).url).chat.completions.create(
        model="sonar", messages=MESSAGES, stream=True, stream_options={"include_usage": True})
    chunks = list(stream)
    last = chunks[-1]
    assert last.choices == []
    assert_canonical_usage(last.usage)
    # the finish chunk still comes right before it, with its own metadata
    finish = chunks[-2]
    assert finish.choices[0].finish_reason == "stop"
    assert finish.citations == CANONICAL_CITATIONS
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == CANONICAL_TEXT


@pytest.mark.parametrize("suffix", ["", "/v1", "/v1/"], ids=["root", "v1", "v1-slash"])
@pytest.mark.parametrize("mode", MODES_ALL, ids=mode_id)
def test_base_url_with_and_without_v1(stacks, mode, suffix):
    base = stacks(mode).url + suffix
    text, _ = collect(client(base).chat.completions.create(model="sonar", messages=MESSAGES, stream=True))
    assert text == CANONICAL_TEXT
    completion = client(base).chat.completions.create(model="sonar", messages=MESSAGES)
    assert completion.choices[0].message.content == CANONICAL_TEXT


@pytest.mark.parametrize("mode", MODES_FINAL, ids=mode_id)
def test_models_list_through_the_sdk(stacks, mode):
    for base in (stacks(mode).url, stacks(mode).url + "/v1"):
        ids = [m.id for m in client(base).models.list()]
        assert "sonar" in ids, ids


@pytest.mark.parametrize("mode", MODES_FINAL, ids=mode_id)
def test_stream_model_is_the_requested_model(stacks, mode):
    _, chunks = collect(client(stacks(mode).url).chat.completions.create(model="sonar-pro", messages=MESSAGES,
                                                                         stream=True))
    assert {c.model for c in chunks} == {"sonar-pro"}

