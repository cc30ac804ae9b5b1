"""Signals: SIGTERM drains open streams before exiting; SIGHUP reloads the config file atomically."""

from __future__ import annotations

import json
import signal
import socket
import threading
import time

import requests

from conftest import UPSTREAM_KEY, clean_env
from support import CANONICAL_TEXT, QUESTION, chunks_of, text_of


def _chat(url: str, scenario: str | None = None, key: str | None = None) -> requests.Response:
    content = QUESTION + (f" mock:{scenario}" if scenario else "")
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return requests.post(url + "/v1/chat/completions", timeout=(5, 20), stream=True, headers=headers,
                         json={"model": "sonar", "stream": True, "messages": [{"role": "user", "content": content}]})


def test_sigterm_lets_open_streams_finish_and_readyz_says_503(spawn, stacks):
    mock = stacks(("chat", "final")).mock
    proxy = spawn("proxy", mock.url, "chat", "final")
    result: dict = {}

    def read_slow_stream() -> None:
        with _chat(proxy.url, "slow") as resp:
            result["status"] = resp.status_code
            result["body"] = b"".join(resp.iter_content(None))

    reader = threading.Thread(target=read_slow_stream)
    reader.start()
    deadline = time.monotonic() + 10
    while "status" not in result and time.monotonic() < deadline:
        time.sleep(0.02)
    assert result.get("status") == 200
    proxy.popen.send_signal(signal.SIGTERM)
    time.sleep(0.2)
    ready = requests.get(proxy.url + "/readyz", timeout=(5, 5))
    assert ready.status_code == 503
    refused = _chat(proxy.url)
    assert refused.status_code == 503 and refused.json()["error"]["code"] == "shutting_down"
    reader.join(timeout=20)
    assert text_of(chunks_of(result["body"])) == CANONICAL_TEXT
    assert b"data: [DONE]" in result["body"]
    assert proxy.popen.wait(timeout=20) == 0


def test_sighup_reloads_config_and_keeps_the_old_one_when_invalid(spawn, stacks, tmp_path):
    mock = stacks(("chat", "final")).mock
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"upstream": {"url": mock.url, "api": "chat"}}))
    proxy = spawn("raw", "proxy-reload", ["serve", "--config", str(config), "--listen", "127.0.0.1:0"],
                  clean_env(PERPLEXITY_API_KEY=UPSTREAM_KEY))
    with _chat(proxy.url) as resp:
        assert resp.status_code == 200

    # Add a member: anonymous requests are now refused, the member's key works.
    member_hash = "sha256:1fb7e1fdb017f1e8dba74dfce34ad860afe0221ec89ea97df5c20a537908bced"  # sk-team-alice-example
    config.write_text(json.dumps({"upstream": {"url": mock.url, "api": "chat"},
                                  "clients": [{"name": "alice", "key_hash": member_hash}]}))
    proxy.popen.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 10
    while "configuration reloaded" not in proxy.log_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    with _chat(proxy.url) as resp:
        assert resp.status_code == 401
    with _chat(proxy.url, key="sk-team-alice-example") as resp:
        assert resp.status_code == 200

    # An invalid file is refused and the running configuration stays.
    config.write_text('{"upstream": {"api": "sideways"}}')
    proxy.popen.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 10
    while "reload refused" not in proxy.log_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "upstream.api" in proxy.log_text()
    with _chat(proxy.url, key="sk-team-alice-example") as resp:
        assert resp.status_code == 200
    metrics = requests.get(proxy.url + "/metrics", timeout=5, headers={"Authorization": "Bearer sk-team-alice-example"}).text
    refused = [line for line in metrics.splitlines() if line.startswith("pplx_config_reloads_refused_total ")]
    assert refused and float(refused[0].split()[1]) >= 1, refused


def test_sigterm_the_moment_it_listens_stops_the_process(spawn, stacks):
    # Supervisors stop a process as soon as they see it ready; that signal must never be lost.
    mock = stacks(("chat", "final")).mock
    for _ in range(5):
        proxy = spawn("proxy", mock.url, "chat", "final")
        proxy.popen.send_signal(signal.SIGTERM)
        assert proxy.popen.wait(timeout=10) == 0


def test_systemd_notify_ready_reloading_and_stopping(spawn, stacks, tmp_path):
    """Under systemd `Type=notify` (deploy/pplx-proxy.service) the process says when it is ready, reloading and
    stopping, on the datagram socket named by NOTIFY_SOCKET."""
    mock = stacks(("chat", "final")).mock
    notify_path = tmp_path / "notify.sock"
    receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    receiver.bind(str(notify_path))
    receiver.settimeout(10)
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"upstream": {"url": mock.url, "api": "chat"}}))
    try:
        proxy = spawn("raw", "proxy-notify", ["serve", "--config", str(config), "--listen", "127.0.0.1:0"],
                      clean_env(PERPLEXITY_API_KEY=UPSTREAM_KEY, NOTIFY_SOCKET=str(notify_path)))
        ready = receiver.recv(4096).decode()
        assert ready == f"READY=1\nMAINPID={proxy.popen.pid}", ready
        proxy.popen.send_signal(signal.SIGHUP)
        reloading = receiver.recv(4096).decode()
        assert reloading.startswith("RELOADING=1\nMONOTONIC_USEC="), reloading
        assert receiver.recv(4096).decode().startswith("READY=1"), "ready again after the reload"
        proxy.popen.send_signal(signal.SIGTERM)
        assert receiver.recv(4096).decode() == "STOPPING=1"
        assert proxy.popen.wait(timeout=20) == 0
    finally:
        receiver.close()
