"""Upstream HTTPS as it is in offices: a private CA and an outbound forward proxy (tinyproxy, from Debian).

The upstream is the built-in emulator over HTTPS with a certificate from a throwaway CA; the proxy reaches it
through tinyproxy (CONNECT for HTTPS, absolute-form requests for HTTP), configured by `upstream.proxy` or by the
environment (`HTTPS_PROXY`, `NO_PROXY`), as curl users expect.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import requests

from conftest import UPSTREAM_KEY, clean_env, launch
from support import CANONICAL_TEXT, QUESTION, chunks_of, text_of

pytestmark = pytest.mark.skipif(shutil.which("tinyproxy") is None, reason="tinyproxy is not installed (.ci/run installs it)")


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


@pytest.fixture(scope="module")
def certificates(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("ca")
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(d / "ca.key"), "-out", str(d / "ca.pem"),
             "-days", "1", "-subj", "/CN=pplx-proxy office CA", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    (d / "ext").write_text("subjectAltName=IP:127.0.0.1\n")
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(d / "server.key"), "-out", str(d / "server.csr"),
             "-subj", "/CN=127.0.0.1")
    _openssl("x509", "-req", "-in", str(d / "server.csr"), "-CA", str(d / "ca.pem"), "-CAkey", str(d / "ca.key"),
             "-CAcreateserial", "-out", str(d / "server.pem"), "-days", "1", "-extfile", str(d / "ext"))
    return {"ca": d / "ca.pem", "cert": d / "server.pem", "key": d / "server.key"}


@pytest.fixture(scope="module")
def https_mock(certificates, tmp_path_factory):
    logdir = tmp_path_factory.mktemp("https-mock")
    proc = launch("mock-https", ["mock-upstream", "--listen", "127.0.0.1:0", "--api", "agent", "--expect-key", UPSTREAM_KEY,
                                 "--tls-cert", str(certificates["cert"]), "--tls-key", str(certificates["key"])],
                  clean_env(), logdir)
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def http_mock(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("http-mock")
    proc = launch("mock-http", ["mock-upstream", "--listen", "127.0.0.1:0", "--api", "agent", "--expect-key", UPSTREAM_KEY],
                  clean_env(), logdir)
    yield proc
    proc.stop()


class Tinyproxy:
    def __init__(self, tmp: Path, credentials: tuple[str, str] | None = None):
        with __import__("socket").socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.log = tmp / "tinyproxy.log"
        conf = tmp / "tinyproxy.conf"
        lines = [f"Port {self.port}", "Listen 127.0.0.1", "Timeout 60", "LogLevel Info", "MaxClients 50",
                 "Allow 127.0.0.1"]
        if credentials:
            lines.append(f"BasicAuth {credentials[0]} {credentials[1]}")
        conf.write_text("\n".join(lines) + "\n")
        self.popen = subprocess.Popen(["tinyproxy", "-d", "-c", str(conf)], stdout=open(self.log, "wb"),
                                      stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                __import__("socket").create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("tinyproxy did not start")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def seen(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        self.popen.terminate()
        self.popen.wait(timeout=10)


@pytest.fixture
def tinyproxy(tmp_path):
    proxy = Tinyproxy(tmp_path)
    yield proxy
    proxy.stop()


def _serve(logdir: Path, tmp_path: Path, upstream: str, config_upstream: dict, env: dict[str, str] | None = None):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"upstream": {"url": upstream, "api": "agent", **config_upstream}}))
    environment = clean_env(PERPLEXITY_API_KEY=UPSTREAM_KEY, **(env or {}))
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY"):
        if name not in (env or {}):
            environment.pop(name, None)
    return launch("proxy-office", ["serve", "--config", str(config), "--listen", "127.0.0.1:0"], environment, logdir)


def _stream_text(proxy) -> str:
    resp = requests.post(proxy.url + "/v1/chat/completions", timeout=(5, 20),
                         json={"model": "sonar", "stream": True, "messages": [{"role": "user", "content": QUESTION}]})
    assert resp.status_code == 200, resp.text[:300]
    return text_of(chunks_of(resp.content))


def test_https_upstream_through_a_configured_proxy_is_tunnelled(logdir, tmp_path, https_mock, certificates, tinyproxy):
    proxy = _serve(logdir, tmp_path, https_mock.url.replace("http://", "https://"),
                   {"ca_file": str(certificates["ca"]), "proxy": tinyproxy.url})
    try:
        assert _stream_text(proxy) == CANONICAL_TEXT
        assert f"CONNECT 127.0.0.1:{https_mock.port}" in tinyproxy.seen()
    finally:
        proxy.stop()


def test_http_upstream_through_a_configured_proxy_is_forwarded(logdir, tmp_path, http_mock, tinyproxy):
    proxy = _serve(logdir, tmp_path, http_mock.url, {"proxy": tinyproxy.url})
    try:
        assert _stream_text(proxy) == CANONICAL_TEXT
        assert f"POST http://127.0.0.1:{http_mock.port}/v1/agent" in tinyproxy.seen()
    finally:
        proxy.stop()


def test_https_proxy_from_the_environment_is_used_and_no_proxy_bypasses_it(logdir, tmp_path, https_mock, certificates,
                                                                          tinyproxy):
    upstream = https_mock.url.replace("http://", "https://")
    proxy = _serve(logdir, tmp_path, upstream, {"ca_file": str(certificates["ca"])}, env={"HTTPS_PROXY": tinyproxy.url})
    try:
        assert _stream_text(proxy) == CANONICAL_TEXT
        assert "CONNECT 127.0.0.1" in tinyproxy.seen()
    finally:
        proxy.stop()
    before = tinyproxy.seen().count("CONNECT 127.0.0.1")
    bypass = _serve(logdir, tmp_path, upstream, {"ca_file": str(certificates["ca"])},
                    env={"HTTPS_PROXY": tinyproxy.url, "NO_PROXY": "127.0.0.1"})
    try:
        assert _stream_text(bypass) == CANONICAL_TEXT
        assert tinyproxy.seen().count("CONNECT 127.0.0.1") == before
    finally:
        bypass.stop()


def test_proxy_credentials_work_and_are_never_logged(logdir, tmp_path, https_mock, certificates):
    office = Tinyproxy(tmp_path, credentials=("alice", "hunter2-office"))
    try:
        proxy = _serve(logdir, tmp_path, https_mock.url.replace("http://", "https://"),
                       {"ca_file": str(certificates["ca"]), "proxy": f"http://alice:hunter2-office@127.0.0.1:{office.port}"})
        try:
            assert _stream_text(proxy) == CANONICAL_TEXT
            assert "hunter2-office" not in proxy.log_text()
            assert "[credentials]@127.0.0.1" in proxy.log_text()
        finally:
            proxy.stop()
    finally:
        office.stop()


def test_without_the_ca_file_the_office_ca_is_refused_with_advice(logdir, tmp_path, https_mock):
    proxy = _serve(logdir, tmp_path, https_mock.url.replace("http://", "https://"), {})
    try:
        resp = requests.post(proxy.url + "/v1/chat/completions", timeout=(5, 20),
                             json={"model": "sonar", "messages": [{"role": "user", "content": QUESTION}]})
        assert resp.status_code == 502
        error = resp.json()["error"]
        assert error["code"] == "upstream_tls_error"
        assert "upstream.ca_file" in error["message"]
    finally:
        proxy.stop()


def test_no_proxy_also_bypasses_a_configured_proxy(logdir, tmp_path, https_mock, certificates, tinyproxy):
    proxy = _serve(logdir, tmp_path, https_mock.url.replace("http://", "https://"),
                   {"ca_file": str(certificates["ca"]), "proxy": tinyproxy.url}, env={"NO_PROXY": "localhost,127.0.0.1"})
    try:
        assert _stream_text(proxy) == CANONICAL_TEXT
        assert "CONNECT 127.0.0.1:" not in tinyproxy.seen()
    finally:
        proxy.stop()
