"""Scale-out: two instances behind HAProxy share limits and budgets through Redis (CONTRACT "Scale-out"), with the
real components from Debian (redis-server, haproxy) on loopback. Skipped only where those cannot be installed;
.ci/run installs both."""

from __future__ import annotations

import hashlib
import json
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

from conftest import UPSTREAM_KEY, clean_env
from support import QUESTION, eventually

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None or shutil.which("haproxy") is None,
    reason="redis-server or haproxy is not installed (.ci/run installs both)")

LEASE_MS = 2000
KEYS = {name: f"sk-scale-{name}" for name in ("rate", "solo", "spender", "free")}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, seconds: float = 10) -> None:
    def accepting() -> bool:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            return False
    assert eventually(accepting, seconds), f"nothing listens on {port}"


class Redis:
    def __init__(self, tmp: Path) -> None:
        self.port = _free_port()
        self.tmp = tmp
        self.popen: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        self.popen = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.tmp)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_port(self.port)

    def stop(self) -> None:
        if self.popen and self.popen.poll() is None:
            self.popen.terminate()
            self.popen.wait(timeout=10)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


@pytest.fixture
def redis(tmp_path):
    server = Redis(tmp_path)
    yield server
    server.stop()


def _config(tmp_path: Path, name: str, mock_url: str, redis_url: str, on_error: str = "local") -> Path:
    def member(key_name: str, **limits) -> dict:
        return {"name": key_name, "key_hash": "sha256:" + hashlib.sha256(KEYS[key_name].encode()).hexdigest(), **limits}
    config = {
        "upstream": {"url": mock_url, "api": "agent"},
        "usage_ledger": str(tmp_path / f"{name}.jsonl"),
        "redis": {"url": redis_url, "key_prefix": "test:", "on_error": on_error, "lease_ms": LEASE_MS},
        "models": {"sonar": {"model": "perplexity/sonar", "tools": [{"type": "web_search"}], "max_cost_usd": 0.006}},
        "clients": [member("rate", requests_per_minute=10), member("solo", max_concurrent_streams=1),
                    member("spender", usd_per_day=0.012), member("free")],
    }
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(config))
    return path


@pytest.fixture
def cluster(spawn, redis, tmp_path):
    """A mock upstream, two proxies sharing `redis`, and HAProxy round-robin in front of them."""
    mock = spawn("mock", "agent")
    env = clean_env(PERPLEXITY_API_KEY=UPSTREAM_KEY)
    proxies = [spawn("raw", f"proxy-{name}", ["serve", "--config", str(_config(tmp_path, name, mock.url, redis.url)),
                                             "--listen", "127.0.0.1:0"], env) for name in ("a", "b")]
    port = _free_port()
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text(f"""
global
    maxconn 256
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout tunnel 1h
frontend api
    bind 127.0.0.1:{port}
    default_backend proxies
backend proxies
    balance roundrobin
    option httpchk GET /readyz
""" + "".join(f"    server p{i} {p.host}:{p.port} check inter 1s\n" for i, p in enumerate(proxies)))
    haproxy = subprocess.Popen(["haproxy", "-f", str(cfg), "-db"], stdout=subprocess.DEVNULL,
                               stderr=open(tmp_path / "haproxy.log", "wb"))
    try:
        _wait_port(port)
        yield {"lb": f"http://127.0.0.1:{port}", "proxies": proxies, "mock": mock, "redis": redis, "tmp": tmp_path}
    finally:
        haproxy.terminate()
        haproxy.wait(timeout=10)


def _chat(url: str, member: str, scenario: str | None = None, stream: bool = False) -> requests.Response:
    content = QUESTION + (f" mock:{scenario}" if scenario else "")
    return requests.post(url + "/v1/chat/completions", timeout=(5, 20), stream=stream,
                         headers={"Authorization": f"Bearer {KEYS[member]}", "Connection": "close"},
                         json={"model": "sonar", "stream": stream, "messages": [{"role": "user", "content": content}]})


def _code(resp: requests.Response) -> str | None:
    try:
        return resp.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None


def test_rate_limit_holds_across_instances(cluster):
    """30 requests in a burst through the balancer with requests_per_minute 10: exactly 10 succeed."""
    statuses = [_chat(cluster["lb"], "rate").status_code for _ in range(30)]
    assert statuses.count(200) == 10 and statuses.count(429) == 20, statuses
    served = [sum(1 for line in (cluster["tmp"] / f"{n}.jsonl").read_text().splitlines()
                  if json.loads(line)["status"] == 200) for n in ("a", "b")]
    assert all(count > 0 for count in served), f"both instances served: {served}"


def test_a_second_stream_on_the_other_instance_is_refused(cluster):
    first, second = cluster["proxies"]
    with _chat(first.url, "solo", "stall", stream=True) as held:
        assert held.status_code == 200
        refused = _chat(second.url, "solo", stream=True)
        assert refused.status_code == 429 and _code(refused) == "concurrency_limit_exceeded", refused.text
    # Closed: the slot is free again, on either instance.
    assert eventually(lambda: _chat(second.url, "solo", stream=True).status_code == 200, 5)


def test_a_dollar_budget_holds_across_instances(cluster):
    """$0.012 a day, $0.006 reserved per request, $0.005023 each: two requests in all, whichever instance."""
    statuses = [_chat(cluster["lb"], "spender").status_code for _ in range(6)]
    assert statuses.count(200) == 2, statuses
    ledgers = [cluster["tmp"] / f"{n}.jsonl" for n in ("a", "b")]
    spent = sum(json.loads(line)["cost_usd"] or 0 for path in ledgers for line in path.read_text().splitlines())
    assert spent <= 0.012


def test_a_dead_instances_stream_slot_frees_within_the_lease(cluster):
    first, second = cluster["proxies"]
    held = _chat(first.url, "solo", "stall", stream=True)
    assert held.status_code == 200
    assert _chat(second.url, "solo", stream=True).status_code == 429
    first.popen.send_signal(signal.SIGKILL)
    first.popen.wait(timeout=10)
    killed = time.monotonic()
    held.close()
    assert eventually(lambda: _chat(second.url, "solo", stream=True).status_code == 200, LEASE_MS / 1000 + 5)
    freed_after = time.monotonic() - killed
    assert freed_after <= LEASE_MS / 1000 + 1.5, f"slot freed {freed_after:.1f} s after the kill (lease {LEASE_MS} ms)"


def test_redis_down_local_keeps_serving_and_reject_answers_503(cluster, spawn):
    mock, redis, tmp = cluster["mock"], cluster["redis"], cluster["tmp"]
    env = clean_env(PERPLEXITY_API_KEY=UPSTREAM_KEY)
    strict = spawn("raw", "proxy-strict", ["serve", "--config", str(_config(tmp, "strict", mock.url, redis.url, "reject")),
                                          "--listen", "127.0.0.1:0"], env)
    assert _chat(strict.url, "free").status_code == 200
    redis.stop()
    for proxy in cluster["proxies"]:
        assert _chat(proxy.url, "free").status_code == 200, "on_error local: this instance's limits apply"
    refused = _chat(strict.url, "free")
    assert refused.status_code == 503 and _code(refused) == "limits_unavailable", refused.text
    metrics = requests.get(cluster["proxies"][0].url + "/metrics", timeout=5,
                           headers={"Authorization": f"Bearer {KEYS['free']}"}).text
    errors = [line for line in metrics.splitlines() if line.startswith("pplx_redis_errors_total ")]
    assert errors and float(errors[0].split()[1]) >= 1, errors
    # Redis back: shared limits again, without a restart.
    redis.start()
    assert eventually(lambda: _chat(strict.url, "free").status_code == 200, 5)


def test_a_redis_that_accepts_and_never_answers_is_an_error_not_a_hang(spawn, tmp_path):
    """A Redis that stalls (a hung server, a black-holed network path) costs each request at most redis.timeout_ms:
    `local` serves under this instance's limits, `reject` answers 503, and neither hangs."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)
    url = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
    mock = spawn("mock", "agent")
    env = clean_env(PERPLEXITY_API_KEY=UPSTREAM_KEY)
    try:
        for on_error, status in (("local", 200), ("reject", 503)):
            proxy = spawn("raw", f"proxy-silent-{on_error}",
                          ["serve", "--config", str(_config(tmp_path, on_error, mock.url, url, on_error)),
                           "--listen", "127.0.0.1:0"], env)
            started = time.monotonic()
            answer = _chat(proxy.url, "free")
            assert answer.status_code == status, answer.text
            assert time.monotonic() - started < 5, "a stalled Redis held the request"
    finally:
        silent.close()
