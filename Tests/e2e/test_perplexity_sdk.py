"""Perplexity's own Python SDK (perplexityai) pointed at the proxy: streaming and non-streaming."""

from __future__ import annotations

import httpx
import pytest
from perplexity import Perplexity

from conftest import assert_member_key_not_forwarded
from support import (
    CANONICAL_CITATIONS, CANONICAL_TEXT, MEMBER_KEY, MODES_ALL, QUESTION, assert_canonical_usage, mode_id,
    tee_http_client,
)

MESSAGES = [{"role": "user", "content": QUESTION}]


def client(base_url: str) -> Perplexity:
    return Perplexity(api_key=MEMBER_KEY, base_url=base_url, timeout=20, max_retries=0,
                      http_client=tee_http_client(httpx, "perplexityai"))


def urls(results) -> list[str]:
    return [r["url"] if isinstance(r, dict) else r.url for r in results]


@pytest.mark.parametrize("mode", MODES_ALL, ids=mode_id)
def test_stream_reads_content_citations_search_results_and_usage(stacks, mode):
    stack = stacks(mode)
    stream = client(stack.url).chat.completions.create(model="sonar", messages=MESSAGES, stream=True)
    content = ""
    citations, search_results, usage, finish = [], [], None, []
    for chunk in stream:
        choice = chunk.choices[0]
        if choice.delta and choice.delta.content:
            content += choice.delta.content
        if chunk.citations:
            citations = chunk.citations
        if chunk.search_results:
            search_results = chunk.search_results
        if chunk.usage:
            usage = chunk.usage
        if choice.finish_reason:
            finish.append(choice.finish_reason)
    assert content == CANONICAL_TEXT
    assert citations == CANONICAL_CITATIONS
    assert urls(search_results) == CANONICAL_CITATIONS
    assert_canonical_usage(usage)
    assert finish == ["stop"]
    assert_member_key_not_forwarded(stack)


@pytest.mark.parametrize("mode", MODES_ALL, ids=mode_id)
def test_non_streaming_returns_content_citations_search_results_and_usage(stacks, mode):
    response = client(stacks(mode).url).chat.completions.create(model="sonar", messages=MESSAGES)
    choice = response.choices[0]
    assert choice.message.content == CANONICAL_TEXT
    assert choice.finish_reason == "stop"
    assert response.citations == CANONICAL_CITATIONS
    assert urls(response.search_results) == CANONICAL_CITATIONS
    assert_canonical_usage(response.usage)
