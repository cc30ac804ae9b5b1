#!/usr/bin/env bash
# Installs what building and testing need, only when missing: libcurl (OpenSSL flavour), OpenSSL and hiredis from
# Debian; the real components the end-to-end suite runs (tinyproxy, redis-server, haproxy, chromium with its
# driver); and the Python clients it drives (Tests/e2e/requirements.txt).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
dpkg -s libcurl4-openssl-dev >/dev/null 2>&1 || need_apt+=(libcurl4-openssl-dev)
dpkg -s libssl-dev >/dev/null 2>&1 || need_apt+=(libssl-dev)
dpkg -s libhiredis-dev >/dev/null 2>&1 || need_apt+=(libhiredis-dev)
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
# The end-to-end suite's outbound-proxy tests run a real forward proxy.
command -v tinyproxy >/dev/null 2>&1 || need_apt+=(tinyproxy)
# Scale-out tests: Redis for shared limits, HAProxy in front of two instances.
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
command -v haproxy >/dev/null 2>&1 || need_apt+=(haproxy)
# The dashboard is tested in a real headless browser.
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need_apt+=(chromium-driver)
# deploy/ is checked by tools: nginx -t, systemd-analyze, strace (the unit's syscall filter), readelf.
command -v nginx >/dev/null 2>&1 || need_apt+=(nginx)
command -v systemd-analyze >/dev/null 2>&1 || need_apt+=(systemd)
command -v strace >/dev/null 2>&1 || need_apt+=(strace)
command -v readelf >/dev/null 2>&1 || need_apt+=(binutils)
if [ ${#need_apt[@]} -gt 0 ]; then
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    echo "installing: ${need_apt[*]}"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! python3 -c "import openai, perplexity, requests, pytest, pytest_timeout, instructor, langchain_openai, langchain_perplexity, selenium, kubernetes_validate, yaml" >/dev/null 2>&1; then
    echo "installing Python test clients (Tests/e2e/requirements.txt)"
    python3 -m pip install -q -r Tests/e2e/requirements.txt
fi
