#!/usr/bin/env bash
# Installs what building and testing need, only when missing: libcurl (OpenSSL flavour), OpenSSL and tinyproxy
# from Debian, and the Python clients the end-to-end suite drives (openai, perplexityai, requests, pytest).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
dpkg -s libcurl4-openssl-dev >/dev/null 2>&1 || need_apt+=(libcurl4-openssl-dev)
dpkg -s libssl-dev >/dev/null 2>&1 || need_apt+=(libssl-dev)
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
# The end-to-end suite's outbound-proxy tests run a real forward proxy.
command -v tinyproxy >/dev/null 2>&1 || need_apt+=(tinyproxy)
if [ ${#need_apt[@]} -gt 0 ]; then
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    echo "installing: ${need_apt[*]}"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! python3 -c "import openai, perplexity, requests, pytest, pytest_timeout" >/dev/null 2>&1; then
    echo "installing Python test clients (Tests/e2e/requirements.txt)"
    python3 -m pip install -q -r Tests/e2e/requirements.txt
fi
