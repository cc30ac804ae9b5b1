"""The command line: serve --demo, check-config, hash-key, --version/--help, exit codes, SIGTERM."""

from __future__ import annotations

import json
import signal
import socket
import subprocess

import pytest
from openai import OpenAI

from conftest import BINARY, REPO_ROOT, clean_env, run_cli
from support import CANONICAL_CITATIONS, CANONICAL_TEXT, MEMBER_KEY, QUESTION, get, tee_http_client
from test_openai_sdk import openai_httpx


def test_demo_serves_a_cited_streamed_answer_without_a_key(spawn):
    proxy = spawn("raw", "proxy-demo", ["serve", "--demo", "--listen", "127.0.0.1:0"], clean_env())
    client = OpenAI(api_key=MEMBER_KEY, base_url=proxy.url, timeout=20, max_retries=0,
                    http_client=tee_http_client(openai_httpx(), "openai demo"))
    chunks = list(client.chat.completions.create(model="sonar", messages=[{"role": "user", "content": QUESTION}],
                                                 stream=True))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == CANONICAL_TEXT
    finish = [c for c in chunks if c.choices and c.choices[0].finish_reason]
    assert len(finish) == 1 and finish[0].choices[0].finish_reason == "stop"
    assert finish[0].citations == CANONICAL_CITATIONS


def test_check_config_accepts_the_example_config():
    example = REPO_ROOT / "config.example.json"
    assert example.exists(), example
    proc = run_cli("check-config", str(example))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_check_config_rejects_a_bad_config_naming_every_json_path(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({
        "listen": 8787,
        "upstream": {"api": "sideways"},
        "stream": {"metadata": "sometimes"},
        "clients": [{"name": "ok", "key_hash": "sha256:" + "0" * 64}, {"name": "bad", "key_hash": "md5:abc"}],
        "bogus_key": True,
    }))
    proc = run_cli("check-config", str(bad))
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    for path in ("listen", "upstream.api", "stream.metadata", "clients[1].key_hash", "bogus_key"):
        assert path in out, f"{path!r} not named in:\n{out}"


def test_check_config_rejects_unparseable_json(tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text('{"listen": ')
    proc = run_cli("check-config", str(bad))
    assert proc.returncode == 1, proc.stdout + proc.stderr


def test_hash_key_prints_the_sha256_key_hash():
    proc = run_cli("hash-key", stdin="abc")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


@pytest.mark.parametrize("flag", ["--version", "--help"])
def test_version_and_help_exit_0(flag):
    proc = run_cli(flag)
    assert proc.returncode == 0, proc.stderr
    assert (proc.stdout + proc.stderr).strip()


def test_mock_upstream_help_exits_0():
    assert run_cli("mock-upstream", "--help").returncode == 0


def test_cannot_bind_exits_2():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        proc = subprocess.run([str(BINARY), "serve", "--listen", f"127.0.0.1:{port}", "--upstream",
                               "http://127.0.0.1:9", "--upstream-api", "chat"],
                              capture_output=True, text=True, timeout=30,
                              env=clean_env(PERPLEXITY_API_KEY="test-upstream-key-123"))
    assert proc.returncode == 2, proc.stdout + proc.stderr


def test_invalid_usage_exits_1():
    proc = subprocess.run([str(BINARY), "serve", "--upstream-api", "sideways", "--listen", "127.0.0.1:0"],
                          capture_output=True, text=True, timeout=30, env=clean_env())
    assert proc.returncode == 1, proc.stdout + proc.stderr


def test_sigterm_drains_and_exits_0(spawn, stacks):
    mock = stacks(("chat", "final")).mock
    proxy = spawn("proxy", mock.url, "chat", "final")
    assert get(proxy.url + "/healthz").status == 200
    proxy.popen.send_signal(signal.SIGTERM)
    assert proxy.popen.wait(timeout=20) == 0, proxy.log_text()[-2000:]


def test_serve_with_a_config_but_no_key_refuses_to_start(tmp_path):
    config = tmp_path / "config.json"
    config.write_text('{"listen": "127.0.0.1:0"}')
    proc = subprocess.run([str(BINARY), "serve", "--config", str(config)], capture_output=True, text=True, timeout=30,
                          env=clean_env())
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "no upstream key" in proc.stderr


def test_usage_errors_exit_1():
    proc = subprocess.run([str(BINARY), "serve", "--no-such-flag"], capture_output=True, text=True, timeout=30,
                          env=clean_env())
    assert proc.returncode == 1, proc.stdout + proc.stderr
