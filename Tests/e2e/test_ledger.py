"""The usage ledger under faults, on the built binary: a full disk, logrotate, a required ledger, a large file.

The full-disk tests mount a 64 KiB tmpfs, which needs root (CI runs as root); elsewhere they are skipped with the
reason, and the same logic is covered by Tests/ProxyCoreTests/UsageLedgerWriteTests.swift with a simulated disk.
"""

from __future__ import annotations

import calendar
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from conftest import BINARY, UPSTREAM_KEY, clean_env, run_cli
from support import QUESTION, eventually


def _chat(url: str, scenario: str | None = None) -> requests.Response:
    content = QUESTION + (f" mock:{scenario}" if scenario else "")
    return requests.post(url + "/v1/chat/completions", timeout=(5, 20),
                         json={"model": "sonar", "stream": False, "messages": [{"role": "user", "content": content}]})


def _records(path: Path) -> list[dict]:
    out = []
    for line in path.read_bytes().split(b"\n"):
        try:
            out.append(json.loads(line))
        except ValueError:
            pass
    return out


def _metric(url: str, name: str) -> float:
    text = requests.get(url + "/metrics", timeout=(5, 10)).text
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"{name} not in /metrics")


@pytest.fixture
def tiny_disk(tmp_path):
    """A 64 KiB tmpfs, nearly filled by a file the test can delete to free space."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({result.stderr.strip()}); UsageLedgerWriteTests covers the logic")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def _fill(disk: Path) -> Path:
    """Fills the disk completely; returns the filler to delete."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"x" * 512)
    except OSError:
        pass
    finally:
        os.close(fd)
    return filler


def _proxy_with_ledger(spawn, stacks, tmp_path, ledger: Path, **extra_config):
    mock = stacks(("chat", "final")).mock
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"upstream": {"url": mock.url, "api": "chat"}, "usage_ledger": str(ledger),
                                  "metrics_open": True, **extra_config}))
    return spawn("raw", "proxy-ledger", ["serve", "--config", str(config), "--listen", "127.0.0.1:0"],
                 clean_env(PERPLEXITY_API_KEY=UPSTREAM_KEY))


def test_full_disk_loses_no_record_and_glues_no_line(spawn, stacks, tmp_path, tiny_disk):
    ledger = tiny_disk / "usage.jsonl"
    proxy = _proxy_with_ledger(spawn, stacks, tmp_path, ledger)
    for _ in range(5):
        assert _chat(proxy.url).status_code == 200
    filler = _fill(tiny_disk)
    for _ in range(55):
        assert _chat(proxy.url).status_code == 200
    assert _metric(proxy.url, "pplx_ledger_write_errors_total") >= 1
    assert _metric(proxy.url, "pplx_ledger_pending_records") >= 1
    failures = [line for line in proxy.log_text().splitlines() if "usage ledger write failed" in line]
    assert len(failures) == 1, failures  # once per episode, not once per record
    filler.unlink()
    assert eventually(lambda: _metric(proxy.url, "pplx_ledger_pending_records") == 0)
    records = _records(ledger)
    assert len(records) == 60, len(records)
    assert len({r["request_id"] for r in records}) == 60
    # Every line is a whole record or a torn fragment on its own line: nothing was glued onto a fragment.
    for line in ledger.read_bytes().split(b"\n"):
        assert line.count(b'{"ts"') <= 1, line[:200]
    assert "writable again" in proxy.log_text()


def test_required_ledger_refuses_requests_while_it_cannot_be_written(spawn, stacks, tmp_path, tiny_disk):
    ledger = tiny_disk / "usage.jsonl"
    proxy = _proxy_with_ledger(spawn, stacks, tmp_path, ledger, usage_ledger_required=True)
    assert _chat(proxy.url).status_code == 200
    filler = _fill(tiny_disk)
    # Records still fit in the file's last page for a while; the first that does not is the first failure.
    # That request was served before the failure was known (its record waits in memory); the next is refused.
    statuses = []
    for _ in range(60):
        refused = _chat(proxy.url)
        statuses.append(refused.status_code)
        if refused.status_code != 200:
            break
    assert statuses[-1] == 503 and set(statuses[:-1]) == {200}, statuses
    assert refused.json()["error"]["code"] == "ledger_unavailable"
    assert refused.headers.get("Retry-After")
    assert requests.get(proxy.url + "/healthz", timeout=(5, 5)).status_code == 200
    filler.unlink()
    assert eventually(lambda: _chat(proxy.url).status_code == 200)
    assert len(_records(ledger)) >= 3


def test_a_moved_ledger_is_written_afresh_and_sighup_reopens_it(spawn, stacks, tmp_path):
    ledger = tmp_path / "usage.jsonl"
    proxy = _proxy_with_ledger(spawn, stacks, tmp_path, ledger)
    assert _chat(proxy.url).status_code == 200
    # logrotate's default: move the file away, then (postrotate) SIGHUP.
    ledger.rename(tmp_path / "usage.jsonl.1")
    proxy.popen.send_signal(signal.SIGHUP)
    assert eventually(lambda: "configuration reloaded" in proxy.log_text())
    assert _chat(proxy.url).status_code == 200
    assert len(_records(tmp_path / "usage.jsonl.1")) == 1
    assert eventually(lambda: ledger.exists() and len(_records(ledger)) == 1)
    # Without a signal (a rotation tool that forgot it): noticed within a second or so.
    ledger.rename(tmp_path / "usage.jsonl.2")
    time.sleep(1.2)
    assert _chat(proxy.url).status_code == 200
    assert eventually(lambda: ledger.exists() and len(_records(ledger)) == 1)


def test_check_config_refuses_a_ledger_in_a_missing_directory(tmp_path):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"usage_ledger": str(tmp_path / "missing" / "usage.jsonl")}))
    result = run_cli("check-config", str(config))
    assert result.returncode == 1
    assert "usage_ledger" in result.stdout and "does not exist" in result.stdout


def _write_month_of_ledger(path: Path, megabytes: int, today: str) -> int:
    """About `megabytes` of ledger lines over 30 days ending `today`; returns today's tokens for member `m0`."""
    day0 = calendar.timegm(time.strptime(today, "%Y-%m-%d")) - 29 * 86400
    line = ('{"ts":"%s","request_id":"req_%08d","client":"m%d","model":"sonar","upstream_model":"perplexity/sonar",'
            '"stream":true,"status":200,"outcome":"ok","prompt_tokens":2754,"completion_tokens":57,'
            '"total_tokens":2811,"cost_usd":0.00264,"ttfb_ms":812.4,"duration_ms":2381.2}\n')
    count = megabytes * 1024 * 1024 // len(line % ("2026-12-05T10:00:00.000Z", 0, 0))
    today_tokens = 0
    with open(path, "w") as f:
        for i in range(count):
            t = day0 + (30 * 86400) * i / count
            ts = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(t))
            f.write(line % (ts, i, i % 7))
            if ts.startswith(today) and i % 7 == 0:
                today_tokens += 2811
    return today_tokens


def test_a_large_ledger_is_read_in_bounded_memory(spawn, stacks, tmp_path):
    """Start-up reads only today's tail; `usage` streams the file. Memory is asserted, time is reported by
    Benchmarks/ledger-scale.sh (no timing assertions in tests)."""
    today = time.strftime("%Y-%m-%d", time.gmtime())
    ledger = tmp_path / "big.jsonl"
    today_tokens = _write_month_of_ledger(ledger, 120, today)
    proxy = _proxy_with_ledger(spawn, stacks, tmp_path, ledger)
    status = Path(f"/proc/{proxy.popen.pid}/status").read_text()
    rss_kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))
    assert rss_kb < 100 * 1024, f"peak RSS {rss_kb} KiB after start-up with a 120 MB ledger"
    # A fresh interpreter whose only child is `usage`: its peak RSS is that child's alone.
    measure = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], capture_output=True); "
               "sys.stdout.buffer.write(r.stdout); sys.stderr.write(str(r.returncode) + ' ' + "
               "str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))")
    usage = subprocess.run([sys.executable, "-c", measure, str(BINARY), "usage", "--ledger", str(ledger), "--json"],
                           capture_output=True, text=True, timeout=120, env=clean_env())
    code, peak_kb = (int(x) for x in usage.stderr.split())
    assert code == 0
    assert peak_kb < 100 * 1024, f"usage peaked at {peak_kb} KiB over a 120 MB ledger"
    rows = [json.loads(line) for line in usage.stdout.splitlines()]
    assert sum(r["requests"] for r in rows) == sum(1 for _ in open(ledger))
    since = run_cli("usage", "--ledger", str(ledger), "--since", today, "--json")
    m0 = next(json.loads(line) for line in since.stdout.splitlines() if json.loads(line)["client"] == "m0")
    assert m0["total_tokens"] == today_tokens
    assert os.path.getsize(ledger) > 100 * 1024 * 1024


def test_usage_totals_several_instances_ledgers_by_path_and_glob(tmp_path):
    """Each instance behind a balancer writes its own ledger; `usage` totals them (CONTRACT "Scale-out")."""
    def line(ts: str, client: str, cost: float) -> str:
        return json.dumps({"ts": ts, "request_id": "r", "client": client, "model": "sonar", "upstream_model": "sonar",
                           "stream": True, "status": 200, "outcome": "ok", "prompt_tokens": 1, "completion_tokens": 2,
                           "total_tokens": 3, "cost_usd": cost, "ttfb_ms": 1, "duration_ms": 2}) + "\n"
    (tmp_path / "a.jsonl").write_text(line("2026-12-01T10:00:00.000Z", "ann", 0.25) + line("2026-12-02T10:00:00.000Z", "bob", 0.5))
    (tmp_path / "b.jsonl").write_text(line("2026-12-02T11:00:00.000Z", "ann", 0.125))
    expected = {"2026-12-01": (1, 0.25), "2026-12-02": (2, 0.625)}
    for args in (["--ledger", str(tmp_path / "a.jsonl"), "--ledger", str(tmp_path / "b.jsonl")],
                 ["--ledger", str(tmp_path / "*.jsonl")],
                 ["--ledger", str(tmp_path / "*.jsonl"), "--ledger", str(tmp_path / "a.jsonl")]):
        done = run_cli("usage", *args, "--by", "day", "--json")
        assert done.returncode == 0, done.stderr
        rows = {row["day"]: (row["requests"], row["cost_usd"]) for row in map(json.loads, done.stdout.splitlines())}
        assert rows == expected, (args, rows)
    missing = run_cli("usage", "--ledger", str(tmp_path / "none-*.jsonl"))
    assert missing.returncode == 1 and "no such file" in missing.stderr
