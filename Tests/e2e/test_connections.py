"""Hostile clients against the built binary: descriptor exhaustion, unauthenticated bodies, slow bodies.

Each case is the issue "Connections" reproduction, run as an attacker would, with no key.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

import requests

from conftest import BINARY, UPSTREAM_KEY, clean_env, launch
from support import eventually

MEMBER = {"name": "alice", "key_hash": "sha256:1fb7e1fdb017f1e8dba74dfce34ad860afe0221ec89ea97df5c20a537908bced"}


def _limited_proxy(logdir: Path, mock_url: str, nofile: int, tmp_path: Path, **limits):
    """The proxy under `ulimit -n nofile` (soft and hard), so it cannot raise it."""
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"upstream": {"url": mock_url, "api": "chat"}, "clients": [MEMBER],
                                  "metrics_open": True, "limits": limits}))
    return launch("proxy-limited", ["serve", "--config", str(config), "--listen", "127.0.0.1:0"],
                  clean_env(PERPLEXITY_API_KEY=UPSTREAM_KEY), logdir,
                  wrapper=["bash", "-c", f'ulimit -n {nofile} && exec "$0" "$@"'])


def _healthz(url: str) -> int:
    try:
        return requests.get(url + "/healthz", timeout=(2, 2)).status_code
    except requests.RequestException:
        return 0


def _open_idle(host: str, port: int, count: int) -> list[socket.socket]:
    conns = []
    for _ in range(count):
        s = socket.create_connection((host, port), timeout=5)
        conns.append(s)
    return conns


def _run_exhaustion(proc, count: int = 300) -> None:
    conns = _open_idle(proc.host, proc.port, count)
    time.sleep(0.5)
    for s in conns:
        s.close()
    # The listener must come back by itself, within about a second of descriptors being free again.
    assert eventually(lambda: _healthz(proc.url) == 200, 3), proc.log_text()[-2000:]
    assert proc.alive()


def test_connections_past_the_derived_cap_are_refused_and_the_listener_recovers(stacks, logdir, tmp_path):
    mock = stacks(("chat", "final")).mock
    proc = _limited_proxy(logdir, mock.url, 256, tmp_path)
    try:
        _run_exhaustion(proc)
        metrics = requests.get(proc.url + "/metrics", timeout=(2, 5)).text
        refused = next(float(line.split()[1]) for line in metrics.splitlines()
                       if line.startswith("pplx_connections_refused_total "))
        assert refused >= 1
    finally:
        proc.stop()


def test_out_of_descriptors_the_spare_one_sheds_connections_and_accept_recovers(stacks, logdir, tmp_path):
    mock = stacks(("chat", "final")).mock
    # A cap above what the descriptors allow: the process really runs out (EMFILE) while connections wait.
    proc = _limited_proxy(logdir, mock.url, 256, tmp_path, max_client_connections=5000)
    try:
        _run_exhaustion(proc)
        # And it still works for a member afterwards.
        ok = requests.post(proc.url + "/v1/chat/completions", timeout=(5, 20),
                           headers={"Authorization": "Bearer sk-team-alice-example"},
                           json={"model": "sonar", "messages": [{"role": "user", "content": "hi"}]})
        assert ok.status_code == 200
    finally:
        proc.stop()


def test_unauthenticated_large_bodies_are_refused_before_they_are_read(stacks, logdir, tmp_path):
    mock = stacks(("chat", "final")).mock
    proc = _limited_proxy(logdir, mock.url, 4096, tmp_path)
    try:
        status = Path(f"/proc/{proc.popen.pid}/status")
        before = int(next(line.split()[1] for line in status.read_text().splitlines() if line.startswith("VmRSS:")))
        answers: list[bytes] = []

        def attack() -> None:
            s = socket.create_connection((proc.host, proc.port), timeout=10)
            s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      b"Content-Length: 31457280\r\n\r\n")
            chunk = b" " * 65536
            sent = 0
            try:
                while sent < 31457280 - 1:
                    s.sendall(chunk)
                    sent += len(chunk)
            except OSError:
                pass  # the proxy answered and stopped listening: exactly what should happen
            try:
                answers.append(s.recv(4096))
            except OSError:
                answers.append(b"")
            s.close()

        threads = [threading.Thread(target=attack) for _ in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        peak = int(next(line.split()[1] for line in status.read_text().splitlines() if line.startswith("VmHWM:")))
        assert peak - before < 64 * 1024, f"RSS grew by {peak - before} KiB for 20 unauthenticated 30 MB bodies"
        assert sum(1 for a in answers if a.startswith(b"HTTP/1.1 401")) >= 18, answers[:3]
        assert _healthz(proc.url) == 200
    finally:
        proc.stop()


def test_a_body_sent_a_byte_at_a_time_is_cut_with_408(stacks, logdir, tmp_path):
    mock = stacks(("chat", "final")).mock
    proc = _limited_proxy(logdir, mock.url, 4096, tmp_path, request_timeout_ms=1500)
    try:
        s = socket.create_connection((proc.host, proc.port), timeout=10)
        s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk-team-alice-example\r\n"
                  b"Content-Length: 2000\r\n\r\n")
        start = time.monotonic()
        s.setblocking(False)
        answer = b""
        while time.monotonic() - start < 10 and not answer:
            try:
                s.send(b"{")
            except OSError:
                pass
            time.sleep(0.25)
            try:
                answer = s.recv(4096)
            except BlockingIOError:
                pass
        assert answer.startswith(b"HTTP/1.1 408"), answer[:100]
        assert b"request_timeout" in answer
    finally:
        proc.stop()


def _peak_kb(proc) -> int:
    status = Path(f"/proc/{proc.popen.pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))


def _rss_kb(proc) -> int:
    status = Path(f"/proc/{proc.popen.pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))


def test_a_30_mb_body_of_a_million_messages_takes_bounded_memory_and_stalls_nothing(logdir, tmp_path):
    # Agent mode toward an upstream that refuses connections: the body is parsed and translated in full, then the
    # request fails fast, so the proxy's own cost is what is measured.
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"upstream": {"url": "http://127.0.0.1:1", "api": "agent"}, "clients": [MEMBER]}))
    proc = launch("proxy-bigbody", ["serve", "--config", str(config), "--listen", "127.0.0.1:0"],
                  clean_env(PERPLEXITY_API_KEY=UPSTREAM_KEY), logdir)
    try:
        message = b'{"role":"user","content":"x"},'
        body = b'{"model":"sonar","stream":false,"messages":[' + message * 999_999 + message[:-1] + b"]}"
        assert len(body) > 29_000_000
        before = _rss_kb(proc)
        result: dict = {}

        def big() -> None:
            resp = requests.post(proc.url + "/v1/chat/completions", data=body, timeout=(5, 120),
                                 headers={"Authorization": "Bearer sk-team-alice-example",
                                          "Content-Type": "application/json"})
            result["status"] = resp.status_code
            result["done"] = time.monotonic()

        worker = threading.Thread(target=big)
        worker.start()
        # While the large body is being read and translated, other requests on the same loops keep being served.
        health = []
        while worker.is_alive() and len(health) < 400:
            health.append((_healthz(proc.url), time.monotonic()))
            time.sleep(0.01)
        worker.join(timeout=120)
        assert result.get("status") == 502, result  # translated, then the upstream refused the connection
        assert all(status == 200 for status, _ in health), health[:5]
        assert any(at < result["done"] for _, at in health)
        peak = _peak_kb(proc)
        assert peak - before < 4 * len(body) // 1024, f"peak grew by {peak - before} KiB for a {len(body)} byte body"
        # Memory is given back afterwards.
        assert eventually(lambda: _rss_kb(proc) - before < len(body) // 1024, 5), (_rss_kb(proc), before)
    finally:
        proc.stop()
