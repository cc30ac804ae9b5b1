"""Harness: starts the built binary as mock upstream and proxy, and checks key hygiene at session end.

Binary: env PPLX_PROXY_BIN, else <repo>/.build/debug/pplx-proxy (this file is <repo>/Tests/e2e/conftest.py).
Every process listens on 127.0.0.1 port 0 and is ready once it logs `listening on HOST:PORT` to stderr.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import pytest
import requests

from support import MEMBER_KEY, RECORDER, UPSTREAM_KEY

E2E_DIR = Path(__file__).resolve().parent
REPO_ROOT = E2E_DIR.parent.parent
BINARY = Path(os.environ.get("PPLX_PROXY_BIN") or REPO_ROOT / ".build" / "debug" / "pplx-proxy").resolve()
READY_TIMEOUT_S = 30.0
LISTENING = re.compile(r"listening on (\S+):(\d+)")

# Every proxy stderr file of the session, scanned for the upstream key at the end.
PROXY_LOGS: list[Path] = []


def clean_env(**extra: str) -> dict[str, str]:
    """The test process's environment without any upstream key, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k not in ("PERPLEXITY_API_KEY", "PPLX_API_KEY")}
    env.update(extra)
    return env


def run_cli(*args: str, stdin: str | None = None, timeout: float = 30, cwd: Path = REPO_ROOT,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Runs a one-shot subcommand of the binary (check-config, hash-key, ...)."""
    return subprocess.run([str(BINARY), *args], input=stdin, capture_output=True, text=True, timeout=timeout,
                          cwd=cwd, env=env if env is not None else clean_env())


@dataclass
class Proc:
    """A started server process and where it listens."""
    name: str
    popen: subprocess.Popen
    log: Path
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=10)


def launch(name: str, args: list[str], env: dict[str, str], logdir: Path, wrapper: list[str] | None = None) -> Proc:
    """Starts `BINARY args...` (after `wrapper`, e.g. a shell that sets a ulimit first) and waits (up to 30 s) for
    its `listening on HOST:PORT` line. Proxies' logs join the session-end key check."""
    if not BINARY.exists():
        pytest.fail(f"binary not found: {BINARY} (build it, or set PPLX_PROXY_BIN)")
    log = logdir / f"{name}-{time.monotonic_ns()}.stderr.log"
    out = logdir / f"{name}-{time.monotonic_ns()}.stdout.log"
    with open(log, "wb") as err_f, open(out, "wb") as out_f:
        popen = subprocess.Popen([*(wrapper or []), str(BINARY), *args], stdout=out_f, stderr=err_f,
                                 stdin=subprocess.DEVNULL, env=env, cwd=REPO_ROOT)
    if name.startswith("proxy"):
        PROXY_LOGS.append(log)
    deadline = time.monotonic() + READY_TIMEOUT_S
    while True:
        text = log.read_text(errors="replace")
        match = LISTENING.search(text)
        if match:
            return Proc(name, popen, log, match.group(1), int(match.group(2)))
        if popen.poll() is not None:
            pytest.fail(f"{name} exited with {popen.returncode} before listening; args={args}\nstderr:\n{text}\n"
                        f"stdout:\n{out.read_text(errors='replace')}")
        if time.monotonic() > deadline:
            popen.kill()
            popen.wait(timeout=10)
            pytest.fail(f"{name} did not log 'listening on' within {READY_TIMEOUT_S} s; args={args}\n"
                        f"stderr:\n{log.read_text(errors='replace')}")
        time.sleep(0.05)


def start_mock(api: str, logdir: Path, *extra: str) -> Proc:
    return launch(f"mock-{api}", ["mock-upstream", "--listen", "127.0.0.1:0", "--api", api,
                                  "--expect-key", UPSTREAM_KEY, *extra], clean_env(), logdir)


def start_proxy(upstream_url: str, api: str, metadata: str, logdir: Path, *extra: str,
                env: dict[str, str] | None = None) -> Proc:
    proc = launch(f"proxy-{api}-{metadata}",
                  ["serve", "--listen", "127.0.0.1:0", "--upstream", upstream_url, "--upstream-api", api,
                   "--metadata", metadata, "--log-level", "debug", *extra],
                  env if env is not None else clean_env(PERPLEXITY_API_KEY=UPSTREAM_KEY), logdir)
    return proc


@dataclass
class Stack:
    """A mock upstream and a proxy in front of it."""
    api: str
    metadata: str
    mock: Proc
    proxy: Proc

    @property
    def url(self) -> str:
        return self.proxy.url

    @property
    def chat_url(self) -> str:
        return self.proxy.url + "/chat/completions"

    def mock_stats(self) -> dict:
        resp = requests.get(self.mock.url + "/mock/stats", timeout=(5, 20))
        resp.raise_for_status()
        return resp.json()


@pytest.fixture(scope="session")
def logdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("logs")


@pytest.fixture(scope="session", autouse=True)
def key_hygiene() -> Iterator[None]:
    """Session end: the upstream key appears in no proxy log and in nothing any client received."""
    yield
    leaks = []
    for log in PROXY_LOGS:
        if log.exists() and UPSTREAM_KEY in log.read_text(errors="replace"):
            leaks.append(f"proxy log {log}")
    for seen in RECORDER.items:
        if UPSTREAM_KEY in seen.headers or UPSTREAM_KEY.encode() in bytes(seen.body):
            leaks.append(f"response to {seen.where}")
    assert not leaks, f"upstream key leaked into: {leaks}"
    assert PROXY_LOGS, "no proxy was started, nothing was checked"


@pytest.fixture(scope="session")
def stacks(logdir: Path) -> Iterator[Callable[[tuple[str, str]], Stack]]:
    """stacks((api, metadata)) → a running mock + proxy, started once per mode and shared by the session."""
    mocks: dict[str, Proc] = {}
    cache: dict[tuple[str, str], Stack] = {}

    def get(mode: tuple[str, str]) -> Stack:
        api, metadata = mode
        stack = cache.get(mode)
        if stack is not None and not (stack.proxy.alive() and stack.mock.alive()):
            dead = stack.proxy if not stack.proxy.alive() else stack.mock
            cache.pop(mode)
            pytest.fail(f"{dead.name} died (exit {dead.popen.returncode}) during the session; log tail:\n"
                        f"{dead.log_text()[-4000:]}")
        if stack is None:
            mock = mocks.get(api)
            if mock is None:
                mock = mocks[api] = start_mock(api, logdir)
            proxy = start_proxy(mock.url, api, metadata, logdir)
            stack = cache[mode] = Stack(api, metadata, mock, proxy)
        return stack

    yield get
    for stack in cache.values():
        stack.proxy.stop()
    for mock in mocks.values():
        mock.stop()


@pytest.fixture
def spawn(logdir: Path) -> Iterator[Callable[..., Proc]]:
    """spawn(kind, ...) starts a one-off process for this test (stopped afterwards).

    spawn("mock", api, *extra) / spawn("proxy", upstream_url, api, metadata, *extra, env=None) /
    spawn("raw", name, args, env)
    """
    procs: list[Proc] = []

    def make(kind: str, *args, **kwargs) -> Proc:
        if kind == "mock":
            proc = start_mock(args[0], logdir, *args[1:])
        elif kind == "proxy":
            proc = start_proxy(*args[:3], logdir, *args[3:], **kwargs)
        elif kind == "raw":
            name, argv, env = args
            proc = launch(name, argv, env, logdir)
        else:
            raise ValueError(kind)
        procs.append(proc)
        return proc

    yield make
    for proc in reversed(procs):
        proc.stop()


def assert_member_key_not_forwarded(stack: Stack) -> None:
    """The mock's view of the last request: the proxy's key was sent, the caller's was not."""
    stats = stack.mock_stats()
    last = stats.get("last_request") or {}
    assert last.get("authorization_matches") is True, f"upstream did not get the proxy's key: {stats!r}"
    assert MEMBER_KEY not in json.dumps(last), f"caller's key reached the upstream: {last!r}"
