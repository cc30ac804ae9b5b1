"""`pplx-proxy keys add | rotate | revoke | list` against a running proxy: the config file is rewritten (comments and
order kept), the proxy applies each change within 2 s without a restart or a SIGHUP, open streams survive, and a
rotated key keeps working only through its grace period."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import threading
import time
from pathlib import Path

import requests

from conftest import run_cli
from support import CANONICAL_TEXT, QUESTION, chunks_of, eventually, text_of

# The whole budget a change has to take effect in a running proxy.
APPLY_WITHIN_S = 2.0
ORIGINAL = """{
  "//": "a team config, edited by hand and by pplx-proxy keys",
  "usage_ledger": "LEDGER",
  "clients": [
    {
      "//name": "the first member",
      "name": "first",
      "key_hash": "HASH"
    }
  ],
  "//budget": "shared by everyone",
  "budget": {"usd_per_day": 5}
}
"""
FIRST_KEY = "sk-team-first-member-key"


def _chat(url: str, key: str, scenario: str | None = None, stream: bool = True) -> requests.Response:
    content = QUESTION + (f" mock:{scenario}" if scenario else "")
    return requests.post(url + "/v1/chat/completions", timeout=(5, 20), stream=stream,
                         headers={"Authorization": f"Bearer {key}"},
                         json={"model": "sonar", "stream": stream, "messages": [{"role": "user", "content": content}]})


def _status(url: str, key: str) -> int:
    with _chat(url, key, stream=False) as resp:
        return resp.status_code


def _keys(*args: str) -> str:
    """Runs `pplx-proxy keys ...`; returns the key printed alone on the last line of stdout."""
    done = run_cli("keys", *args)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def _applied_within(condition) -> float:
    """Seconds until `condition` held (fails past APPLY_WITHIN_S)."""
    start = time.monotonic()
    assert eventually(condition, APPLY_WITHIN_S), f"not applied within {APPLY_WITHIN_S} s"
    return time.monotonic() - start


def _team(spawn, tmp_path: Path):
    config = tmp_path / "team.json"
    ledger = tmp_path / "ledger.jsonl"
    hashed = "sha256:" + hashlib.sha256(FIRST_KEY.encode()).hexdigest()
    config.write_text(ORIGINAL.replace("LEDGER", str(ledger)).replace("HASH", hashed))
    config.chmod(0o640)
    mock = spawn("mock", "agent")
    proxy = spawn("proxy", mock.url, "agent", "final", "--config", str(config))
    return config, proxy


def test_add_rotate_revoke_apply_live_and_keep_the_file_as_written(spawn, tmp_path):
    config, proxy = _team(spawn, tmp_path)
    before = config.read_text()

    # add: a strong key, printed once, stored only as its hash, usable within 2 s.
    key = _keys("add", "second", "--config", str(config), "--usd-per-day", "0.5", "--models", "sonar")
    assert re.fullmatch(r"sk-pplx-[0-9a-f]{64}", key), key
    text = config.read_text()
    assert key not in text and hashlib.sha256(key.encode()).hexdigest() in text
    assert text.startswith(before[:before.index('    }\n  ],')]), "what was there stays, byte for byte"
    assert '"//budget": "shared by everyone"' in text and text.index('"clients"') < text.index('"//budget"')
    assert stat.S_IMODE(os.stat(config).st_mode) == 0o640
    _applied_within(lambda: _status(proxy.url, key) == 200)

    # An open stream survives the next changes.
    result: dict = {}

    def read_slow_stream() -> None:
        with _chat(proxy.url, FIRST_KEY, "slow") as resp:
            result["status"] = resp.status_code
            result["body"] = b"".join(resp.iter_content(None))
        result["ended"] = time.monotonic()

    reader = threading.Thread(target=read_slow_stream)
    reader.start()
    assert eventually(lambda: "status" in result, 5)

    # rotate without grace: the new key works at once, the old one gets 401.
    rotated = _keys("rotate", "second", "--config", str(config))
    assert rotated != key
    _applied_within(lambda: _status(proxy.url, rotated) == 200 and _status(proxy.url, key) == 401)

    # revoke: 401 within 2 s.
    _keys("revoke", "second", "--config", str(config))
    _applied_within(lambda: _status(proxy.url, rotated) == 401)
    revoked = time.monotonic()
    assert '"second"' not in config.read_text()

    reader.join(timeout=30)
    assert result.get("status") == 200
    assert result["ended"] > revoked, "the stream was still open through all three reloads"
    assert text_of(chunks_of(result["body"])) == CANONICAL_TEXT and b"data: [DONE]" in result["body"]
    assert "configuration reloaded" in proxy.log_text()
    assert config.read_text() == before, "add then revoke leaves the file as it was"


def test_rotation_grace_keeps_the_old_key_until_it_expires(spawn, tmp_path):
    config, proxy = _team(spawn, tmp_path)
    grace = 4
    new_key = _keys("rotate", "first", "--config", str(config), "--grace", str(grace))
    rotated_at = time.monotonic()
    _applied_within(lambda: _status(proxy.url, new_key) == 200)
    assert _status(proxy.url, FIRST_KEY) == 200, "the old key works during the grace period"
    member = json.loads(config.read_text())["clients"][0]
    assert list(member)[:5] == ["//name", "name", "key_hash", "previous_key_hash", "previous_key_expires"]
    assert eventually(lambda: _status(proxy.url, FIRST_KEY) == 401, grace + 3)
    assert time.monotonic() - rotated_at >= grace - 1.5, "the old key stopped before its grace ended"
    assert _status(proxy.url, new_key) == 200


def test_list_shows_limits_and_spend_never_keys(spawn, tmp_path):
    config, proxy = _team(spawn, tmp_path)
    key = _keys("add", "third", "--config", str(config), "--usd-per-month", "20", "--admin")
    _applied_within(lambda: _status(proxy.url, key) == 200)
    with _chat(proxy.url, key, stream=False) as resp:
        cost = resp.json()["usage"]["cost"]["total_cost"]
    listed = run_cli("keys", "list", "--config", str(config), "--json")
    assert listed.returncode == 0, listed.stderr
    rows = {row["name"]: row for row in map(json.loads, listed.stdout.splitlines())}
    assert set(rows) == {"first", "third"}
    assert rows["third"]["admin"] is True and rows["third"]["usd_per_month"] == 20
    assert abs(rows["third"]["cost_usd_today"] - 2 * cost) < 1e-9, rows["third"]
    table = run_cli("keys", "list", "--config", str(config))
    assert table.returncode == 0 and "third" in table.stdout
    for output in (listed.stdout, table.stdout):
        assert key not in output and "sha256" not in output


def test_mistakes_exit_1_and_change_nothing(spawn, tmp_path):
    config, _ = _team(spawn, tmp_path)
    before = config.read_text()
    for args, message in [
        (("add", "first"), "exists already"),
        (("rotate", "nobody"), "no member named 'nobody'"),
        (("revoke", "nobody"), "no member named 'nobody'"),
        (("add", "fourth", "--models", "no-such-model"), "models"),
        (("add", "fifth", "--usd-per-day", "-1"), "--usd-per-day"),
        (("revoke", "first"), "last member"),
        (("rotate", "first", "--grace", "9223372036854775807"), "--grace"),
    ]:
        done = run_cli("keys", *args, "--config", str(config))
        assert done.returncode == 1, (args, done.stdout, done.stderr)
        assert message in done.stderr, (args, done.stderr)
        assert "sk-pplx-" not in done.stdout, "no key is shown for a change that was not made"
    assert config.read_text() == before
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name], "no temporary file left behind"
