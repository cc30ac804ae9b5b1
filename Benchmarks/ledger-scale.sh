#!/usr/bin/env bash
# Start-up and `pplx-proxy usage` over a large usage ledger: bash Benchmarks/ledger-scale.sh [MEGABYTES]
#
# Writes a ledger of MEGABYTES (default 300) spread over the last 30 UTC days (a month of a busy team), then
# measures with the release binary, three times each: the time from exec to the `listening on` line and the peak
# RSS of a proxy that seeds its budgets from that ledger (today only, and the whole month when a monthly budget is
# set), and the wall time and peak RSS of `usage` over it.
# Prints medians. Uses a scratch folder that it removes; listens on 127.0.0.1 only.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MEGABYTES=${1:-300}
BIN=${BENCH_PROXY_BIN:-$ROOT/.build/release/pplx-proxy}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

if [ -z "${BENCH_PROXY_BIN:-}" ]; then
    (cd "$ROOT" && swift build -c release >/dev/null)
fi

python3 - "$WORK/ledger.jsonl" "$MEGABYTES" <<'EOF'
import calendar, sys, time
path, megabytes = sys.argv[1], int(sys.argv[2])
line = ('{"ts":"%s","request_id":"req_%08d","client":"m%d","model":"sonar","upstream_model":"perplexity/sonar",'
        '"stream":true,"status":200,"outcome":"ok","prompt_tokens":2754,"completion_tokens":57,"total_tokens":2811,'
        '"cost_usd":0.00264,"ttfb_ms":812.4,"duration_ms":2381.2}\n')
count = megabytes * 1024 * 1024 // len(line % ("2026-12-05T10:00:00.000Z", 0, 0))
end = time.time()
start = end - 30 * 86400
with open(path, "w") as f:
    for i in range(count):
        ts = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(start + (end - start) * i / count))
        f.write(line % (ts, i, i % 20))
print(f"ledger: {count} lines, {megabytes} MB", file=sys.stderr)
EOF

python3 - "$BIN" "$WORK" <<'EOF'
import json, os, re, resource, statistics, subprocess, sys, time
binary, work = sys.argv[1], sys.argv[2]
ledger = os.path.join(work, "ledger.jsonl")
config = os.path.join(work, "config.json")
with open(config, "w") as f:
    json.dump({"usage_ledger": ledger, "listen": "127.0.0.1:0"}, f)
monthly = os.path.join(work, "monthly.json")
with open(monthly, "w") as f:
    json.dump({"usage_ledger": ledger, "listen": "127.0.0.1:0", "budget": {"usd_per_month": 1000}}, f)
env = {k: v for k, v in os.environ.items() if k not in ("PERPLEXITY_API_KEY", "PPLX_API_KEY")}
env["PERPLEXITY_API_KEY"] = "pplx-benchmark-not-a-key"

def peak_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(next(l.split()[1] for l in f if l.startswith("VmHWM:")))

def start_up(config_path):
    t0 = time.monotonic()
    proc = subprocess.Popen([binary, "serve", "--config", config_path], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env)
    line = b""
    deadline = t0 + 60
    while b"listening on" not in line and time.monotonic() < deadline:
        line = proc.stderr.readline()
    elapsed = time.monotonic() - t0
    rss = peak_kb(proc.pid)
    proc.terminate()
    proc.wait(timeout=30)
    return elapsed, rss

starts, start_rss, month_starts, month_rss, usage_times, usage_rss = [], [], [], [], [], []
for _ in range(3):
    elapsed, rss = start_up(config)
    starts.append(elapsed)
    start_rss.append(rss)
    elapsed, rss = start_up(monthly)
    month_starts.append(elapsed)
    month_rss.append(rss)
    t0 = time.monotonic()
    measure = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True); "
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", measure, binary, "usage", "--ledger", ledger],
                         capture_output=True, text=True, check=True, env=env)
    usage_times.append(time.monotonic() - t0)
    usage_rss.append(int(out.stdout.strip()))

size = os.path.getsize(ledger) / 1e6
print(f"ledger {size:.0f} MB: start-up to 'listening' median {statistics.median(starts)*1000:.0f} ms, "
      f"peak RSS {statistics.median(start_rss)/1024:.1f} MB; with a monthly budget (the month read) median "
      f"{statistics.median(month_starts)*1000:.0f} ms, peak RSS {statistics.median(month_rss)/1024:.1f} MB; usage median {statistics.median(usage_times):.2f} s, "
      f"peak RSS {statistics.median(usage_rss)/1024:.1f} MB")
EOF
