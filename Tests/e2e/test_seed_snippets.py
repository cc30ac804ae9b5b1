"""The five snippets of Perplexity's streaming guide, run unchanged (base URL and key swapped) against the proxy.

Snippet sources (see the header of each file in seed_snippets/):
  https://docs.perplexity.ai/guides/streaming and its later revision
  https://docs.perplexity.ai/guides/streaming-responses ("Streaming Responses").
Each one must see the canonical answer, both citations, usage with total_tokens 23 and a cost, and
finish_reason "stop", whether the proxy translates the Agent API, normalises a chat upstream, or relays the chat
upstream's bytes (passthrough).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import E2E_DIR, assert_member_key_not_forwarded
from support import (
    CANONICAL_CITATIONS, CANONICAL_TEXT, MEMBER_KEY, MODES_ALL, RECORDER, assert_canonical_usage, chunks_of,
    mode_id, text_of,
)

SNIPPETS = E2E_DIR / "seed_snippets"
SNIPPET_TIMEOUT_S = 40


def run_python_snippet(name: str, base_url: str, tmp_path: Path) -> tuple[str, dict]:
    """Runs seed_snippets/NAME in a fresh interpreter; returns its stdout and the globals it collected."""
    out_json = tmp_path / f"{name}.globals.json"
    proc = subprocess.run(
        [sys.executable, str(SNIPPETS / "run_snippet.py"), str(SNIPPETS / name), base_url, MEMBER_KEY,
         str(out_json)],
        capture_output=True, text=True, timeout=SNIPPET_TIMEOUT_S,
    )
    RECORDER.add(f"seed snippet {name}", None, proc.stdout + proc.stderr)
    assert proc.returncode == 0, f"{name} failed (exit {proc.returncode}):\n{proc.stderr}\nstdout:\n{proc.stdout}"
    return proc.stdout, json.loads(out_json.read_text())


def last_nonempty(chunks: list[dict], key: str):
    values = [c[key] for c in chunks if c.get(key)]
    return values[-1] if values else None


def finish_reasons(chunks: list[dict]) -> list[str]:
    return [ch["finish_reason"] for c in chunks for ch in (c.get("choices") or []) if ch.get("finish_reason")]


def assert_raw_stream_answer(chunks: list[dict]) -> None:
    """What a reader of the raw SSE data lines collects, in any mode."""
    assert text_of(chunks) == CANONICAL_TEXT
    assert last_nonempty(chunks, "citations") == CANONICAL_CITATIONS
    assert_canonical_usage(last_nonempty(chunks, "usage"))
    assert finish_reasons(chunks)[-1:] == ["stop"], finish_reasons(chunks)


@pytest.mark.parametrize("mode", MODES_ALL, ids=mode_id)
def test_snippet1_curl_quickstart_streams_the_cited_answer(stacks, mode, tmp_path):
    stack = stacks(mode)
    script = (SNIPPETS / "s1_curl_quickstart.sh").read_text()
    script = script.replace("https://api.perplexity.ai", stack.url).replace("YOUR_API_KEY", MEMBER_KEY)
    proc = subprocess.run(["bash", "-c", script], capture_output=True, timeout=SNIPPET_TIMEOUT_S)
    RECORDER.add("seed snippet 1 (curl)", None, proc.stdout)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    assert_raw_stream_answer(chunks_of(proc.stdout))
    assert_member_key_not_forwarded(stack)


@pytest.mark.parametrize("mode", MODES_ALL, ids=mode_id)
def test_snippet2_openai_basic_loop_prints_the_answer(stacks, mode, tmp_path):
    stdout, _ = run_python_snippet("s2_openai_basic.py", stacks(mode).url, tmp_path)
    assert stdout == CANONICAL_TEXT


@pytest.mark.parametrize("mode", MODES_ALL, ids=mode_id)
def test_snippet3_openai_loop_collects_citations_usage_and_finish_reason(stacks, mode, tmp_path):
    stdout, found = run_python_snippet("s3_openai_citations_metadata.py", stacks(mode).url, tmp_path)
    assert found["content"] == CANONICAL_TEXT
    assert found["citations"] == CANONICAL_CITATIONS
    assert_canonical_usage(found["usage_info"])
    assert stdout.startswith(CANONICAL_TEXT + "\n\nFinish reason: stop\n"), stdout
    assert stdout.count("Finish reason:") == 1, stdout


@pytest.mark.parametrize("mode", MODES_ALL, ids=mode_id)
def test_snippet3b_openai_loop_collects_search_results_usage_and_finish_reason(stacks, mode, tmp_path):
    stdout, found = run_python_snippet("s3b_openai_search_results_metadata.py", stacks(mode).url, tmp_path)
    assert found["content"] == CANONICAL_TEXT
    assert [r["url"] for r in found["search_results"]] == CANONICAL_CITATIONS
    assert_canonical_usage(found["usage_info"])
    assert stdout.startswith(CANONICAL_TEXT + "\n\nFinish reason: stop\n"), stdout


@pytest.mark.parametrize("mode", MODES_ALL, ids=mode_id)
def test_snippet4_requests_iter_lines_prints_every_event(stacks, mode, tmp_path):
    stdout, _ = run_python_snippet("s4_requests_iter_lines.py", stacks(mode).url, tmp_path)
    lines = [line for line in stdout.splitlines() if line]
    data = [line[len("data: "):] for line in lines if line.startswith("data: ")]
    chunks = [json.loads(d) for d in data if d != "[DONE]"]
    assert_raw_stream_answer(chunks)


@pytest.mark.parametrize("mode", MODES_ALL, ids=mode_id)
def test_snippet5_requests_proper_sse_parsing_prints_the_answer(stacks, mode, tmp_path):
    stdout, _ = run_python_snippet("s5_requests_proper_parsing.py", stacks(mode).url, tmp_path)
    assert stdout == CANONICAL_TEXT


@pytest.mark.parametrize("mode", MODES_ALL, ids=mode_id)
def test_snippet5b_requests_metadata_collects_content_search_results_and_usage(stacks, mode, tmp_path):
    stdout, _ = run_python_snippet("s5b_requests_metadata.py", stacks(mode).url, tmp_path)
    assert stdout.startswith(CANONICAL_TEXT + "\n\nMetadata: "), stdout
    # The snippet prints its metadata dict once per chunk with a finish_reason; the last print is what it returns.
    metadata = ast.literal_eval(stdout.rsplit("Metadata: ", 1)[1].strip())
    assert [r["url"] for r in metadata["search_results"]] == CANONICAL_CITATIONS
    assert_canonical_usage(metadata["usage"])
