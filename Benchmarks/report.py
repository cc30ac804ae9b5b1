#!/usr/bin/env python3
"""Turns the raw results of Benchmarks/run.sh (one JSON object per loadgen run) into the benchmark table.

    report.py table RESULTS.jsonl MACHINE.json   -> markdown (table, goals, machine info) on stdout
    report.py line 'JSON'                         -> a one-line progress summary of one loadgen run

Every figure is the median over the repetitions; a ratio to nginx is computed within each repetition (same
emulator, same moment) and the median of those ratios is shown.
"""
import json
import statistics
import sys

TARGETS = ["direct", "nginx", "chat-passthrough", "chat-final", "agent"]
RELAYS = TARGETS[1:]


def load(path):
    runs = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                runs.append(json.loads(line))
    return runs


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value, digits=1):
    if value is None:
        return "—"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    return f"{value:.{digits}f}"


def ratio_text(ratio):
    return "" if ratio is None else f" ({ratio:.2f}×)"


class Results:
    def __init__(self, runs):
        self.runs = runs
        # rep 0 holds the single max-concurrency runs; the repeated measurements are reps 1..n
        self.reps = sorted({r["rep"] for r in runs if isinstance(r.get("rep"), int) and r["rep"] > 0})

    def get(self, target, test, rep):
        for r in self.runs:
            if r.get("target") == target and r.get("test") == test and r.get("rep") == rep:
                return r
        return None

    def per_rep(self, target, test, fn):
        """fn(run, rep) for each repetition, None where the run is missing or the value undefined."""
        out = []
        for rep in self.reps:
            run = self.get(target, test, rep)
            try:
                out.append(fn(run, rep) if run and run.get("mode") != "failed" else None)
            except (KeyError, TypeError, ZeroDivisionError):
                out.append(None)
        return out

    def value(self, target, test, fn):
        return median(self.per_rep(target, test, fn))

    def ratio_to(self, target, test, fn, base="nginx"):
        mine = self.per_rep(target, test, fn)
        theirs = self.per_rep(base, test, fn)
        ratios = [m / t for m, t in zip(mine, theirs) if m is not None and t]
        return median(ratios)


# --- figure extractors (run -> number) ---

def lat(key, field):
    def f(run, rep):
        v = run[key][field]
        return None if v is None or v < 0 else v
    return f


def cpu_per_chunk(run, rep):
    if run["cpu_us"] < 0 or run["chunks"] == 0:
        return None
    return run["cpu_us"] / run["chunks"]


def cpu_per_request(run, rep):
    if run["cpu_us"] < 0 or run["requests"] <= 0:
        return None
    return run["cpu_us"] / run["requests"]


def rss_per_stream(run, rep):
    if run["rss_open_kb"] < 0 or run["rss_idle_kb"] < 0:
        return None
    return (run["rss_open_kb"] - run["rss_idle_kb"]) / run["streams"]


def rps(run, rep):
    return run["rps"]


def errors(run, rep):
    return run["errors"]


def table(results, machine):
    lines = []
    header = "| figure | " + " | ".join(TARGETS) + " | goal |"
    lines.append(header)
    lines.append("|" + "---|" * (len(TARGETS) + 2))

    def row(name, cells, goal=""):
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {goal} |")

    def relay_row(name, test, fn, goal="", ratio=True, digits=1, include_direct=False):
        cells = []
        for t in TARGETS:
            if t == "direct" and not include_direct:
                cells.append("—")
                continue
            v = results.value(t, test, fn)
            r = results.ratio_to(t, test, fn) if ratio and t not in ("nginx", "direct") else None
            cells.append(fmt(v, digits) + ratio_text(r))
        row(name, cells, goal)

    def pair_row(name, test, key, added=False, goal=""):
        cells = []
        for t in TARGETS:
            if added and t == "direct":
                cells.append("—")
                continue

            def pick(field):
                def f(run, rep):
                    v = run[key][field]
                    if v is None or v < 0:
                        return None
                    if added:
                        base = results.get("direct", test, rep)
                        if not base or base[key][field] < 0:
                            return None
                        return v - base[key][field]
                    return v
                return f

            p50 = results.value(t, test, pick("p50"))
            p99 = results.value(t, test, pick("p99"))
            cells.append(f"{fmt(p50)} / {fmt(p99)}")
        row(name, cells, goal)

    many = results.runs and next((r for r in results.runs if r.get("test") == "many"), None)
    n_many = f"{many['streams']:,}" if many else "N"

    flat = results.runs and next((r for r in results.runs if r.get("test") == "flat"), None)
    flat_shape = f"{flat['streams']} streams × {flat['chunks'] // max(1, flat['streams']):,}" if flat else "flat"
    relay_row(f"CPU µs per relayed event, flat out ({flat_shape}, no delay)", "flat", cpu_per_chunk,
              "chat-passthrough ≤ 2.0× nginx, agent ≤ 4.0× nginx", digits=2)
    relay_row(f"CPU µs per relayed chunk ({n_many} streams)", "many", cpu_per_chunk,
              "chat-passthrough ≤ 1.5× nginx, agent ≤ 2.0× nginx")
    relay_row("CPU µs per non-streaming request (16 conns)", "rps", cpu_per_request, "≤ 3.0× nginx")
    relay_row(f"RSS KiB per open stream ({n_many} streams)", "many", rss_per_stream, "≤ 24 KiB")
    pair_row("chunk latency p50 / p99 µs, 1 stream", "one", "latency_us")
    pair_row("added latency p50 / p99 µs, 1 stream", "one", "latency_us", added=True, goal="p99 ≤ 100 µs")
    pair_row(f"chunk latency p50 / p99 µs, {n_many} streams", "many", "latency_us")
    pair_row(f"added latency p50 / p99 µs, {n_many} streams", "many", "latency_us", added=True,
             goal="p99 ≤ 1,000 µs")
    cells = []
    for t in TARGETS:
        cells.append(fmt(results.value(t, "one", lat("ttfb_us", "p50"))))
    row("TTFB µs, 1 stream", cells)
    pair_row(f"TTFB p50 / p99 µs, {n_many} streams", "many", "ttfb_us")
    relay_row("non-streaming requests/s (16 keep-alive conns)", "rps", rps, "≥ nginx", digits=0, include_direct=True)
    if any(r.get("test") == "many-https" for r in results.runs):
        relay_row(f"HTTPS upstream: CPU µs per relayed chunk ({n_many} streams)", "many-https", cpu_per_chunk)
        relay_row(f"HTTPS upstream: RSS KiB per open stream ({n_many} streams)", "many-https", rss_per_stream)
        cells = []
        for t in TARGETS:
            if t == "direct":
                cells.append("—")
                continue
            p50 = results.value(t, "many-https", lat("latency_us", "p50"))
            p99 = results.value(t, "many-https", lat("latency_us", "p99"))
            cells.append(f"{fmt(p50)} / {fmt(p99)}")
        row(f"HTTPS upstream: chunk latency p50 / p99 µs ({n_many} streams)", cells)

    # max concurrent streams: one run each, no repetitions
    def max_run(target, variant, test="max"):
        return next((r for r in results.runs if r.get("test") == test and r.get("target") == target
                     and r.get("variant") == variant), None)

    def held(run):
        return run.get("mode") != "failed" and run["errors"] == 0 and run["ok"] == run["streams"]

    def attempt(run):
        if run.get("mode") == "failed":
            return "failed"
        if held(run):
            return f"{run['peak_open']:,} ✓"
        return f"{run['peak_open']:,} peak, {run['errors']:,} err of {run['streams']:,}"

    def max_cell(target, variant):
        run = max_run(target, variant)
        if not run:
            return "—"
        if run.get("skipped"):
            return f"0 (its {run['streams']} warm-up streams: {run['errors']} errors)"
        retry = max_run(target, variant, "max2")
        if held(run) or not retry:
            return attempt(run)
        return f"{attempt(retry)} (tried {run['streams']:,}: {run['peak_open']:,} peak, {run['errors']:,} err)"

    def max_rss_cell(target, variant):
        run = max_run(target, variant)
        retry = max_run(target, variant, "max2")
        if run and retry and not held(run) and held(retry):
            run = retry
        if not run or run.get("mode") == "failed" or run.get("skipped") or target == "direct":
            return "—"
        if run.get("rss_open_kb", -1) >= 0:
            return fmt(rss_per_stream(run, 0))
        if run.get("rss_peak_kb", -1) >= 0 and run.get("peak_open"):
            # not every stream opened: the largest RSS seen over the most streams open at once
            return "≈" + fmt((run["rss_peak_kb"] - run["rss_idle_kb"]) / run["peak_open"])
        return "—"

    variants = sorted({r.get("variant") for r in results.runs if r.get("test") == "max"})
    for variant in ["h1", "h2c"]:
        if variant not in variants:
            continue
        label = "max concurrent streams, 0 errors" + (
            " (HTTP/1.1 upstream)" if variant == "h1" else " (pplx-proxy: upstream.http2 = h2c)")
        cells = [max_cell(t, variant) if (variant == "h1" or t not in ("direct", "nginx")) else "—"
                 for t in TARGETS]
        row(label, cells, "10,000, zero errors")
        row("RSS KiB per open stream at that count" + (" (h2c)" if variant == "h2c" else ""),
            [max_rss_cell(t, variant) for t in TARGETS], "≤ 16 KiB")

    err_cells = []
    for t in TARGETS:
        mine = [r for r in results.runs if r.get("target") == t and r.get("rep", 0) > 0]
        total = sum(r.get("errors", 0) for r in mine)
        failed = sum(1 for r in mine if r.get("mode") == "failed")
        err_cells.append(str(total) + (f" (+{failed} runs failed)" if failed else ""))
    row(f"errors in the 1-stream, {n_many}-stream and RPS runs", err_cells, "0")
    return lines


def goals(results):
    out = []

    def check(label, ok, detail):
        mark = "met" if ok else ("NOT met" if ok is not None else "not measured")
        out.append(f"- {label}: **{mark}** ({detail})")

    for test, label, limits in (("flat", "flat out", (("chat-passthrough", 2.0), ("agent", 4.0))),
                                ("many", "1,000 streams", (("chat-passthrough", 1.5), ("agent", 2.0)))):
        for t, limit in limits:
            r = results.ratio_to(t, test, cpu_per_chunk)
            check(f"CPU per event, {label}, {t} ≤ {limit}× nginx", None if r is None else r <= limit,
                  "—" if r is None else f"{r:.2f}×")
    worst_rps = [(t, results.ratio_to(t, "rps", cpu_per_request)) for t in RELAYS[1:]]
    worst_rps = [(t, v) for t, v in worst_rps if v is not None]
    if worst_rps:
        t, v = max(worst_rps, key=lambda x: x[1])
        check("CPU per non-streaming request ≤ 3.0× nginx", v <= 3.0, f"worst: {t} {v:.2f}×")

    def added(t, test, field):
        def f(run, rep):
            base = results.get("direct", test, rep)
            return run["latency_us"][field] - base["latency_us"][field]
        return results.value(t, test, f)

    for test, limit in (("one", 100), ("many", 1000)):
        worst = [(t, added(t, test, "p99")) for t in RELAYS[1:]]
        worst = [(t, v) for t, v in worst if v is not None]
        if worst:
            t, v = max(worst, key=lambda x: x[1])
            check(f"added p99 ≤ {limit} µs ({'1 stream' if test == 'one' else 'many streams'})", v <= limit,
                  f"worst pplx-proxy mode: {t} {v:.0f} µs")
    rss = [(t, results.value(t, "many", rss_per_stream)) for t in RELAYS[1:]]
    rss = [(t, v) for t, v in rss if v is not None]
    if rss:
        t, v = max(rss, key=lambda x: x[1])
        check("RSS per open stream ≤ 24 KiB (1,000 streams)", v <= 24, f"worst: {t} {v:.1f} KiB")
    maxed = [r for r in results.runs if r.get("test") in ("max", "max2") and r.get("target") in RELAYS[1:]
             and not r.get("skipped") and r.get("mode") != "failed"]
    if maxed:
        best = max(maxed, key=lambda r: (r.get("errors", 1) == 0, r.get("peak_open", 0)))
        ok = best.get("errors", 1) == 0 and best.get("peak_open", 0) >= 10000
        check("10,000 concurrent streams, zero errors", ok,
              f"best: {best['target']} ({best.get('variant')}) {best.get('peak_open', 0):,} open, "
              f"{best.get('errors', '?')} errors")
    worst = [(t, results.ratio_to(t, "rps", rps)) for t in RELAYS[1:]]
    worst = [(t, v) for t, v in worst if v is not None]
    if worst:
        t, v = min(worst, key=lambda x: x[1])
        check("non-streaming RPS ≥ nginx", v >= 1.0, f"worst: {t} {v:.2f}×")
    return out


def first_errors(results):
    out = []
    for r in results.runs:
        if r.get("test") == "warm" and r.get("rep") == 0:
            continue  # a failed max warm-up is listed as its (skipped) max run
        if r.get("errors") or r.get("mode") == "failed":
            what = "max (skipped: warm-up failed)" if r.get("skipped") else r.get("test")
            out.append(f"- {r.get('target')} {what} {r.get('variant', '')} rep {r.get('rep')}: "
                       f"{r.get('errors', '?')} errors {json.dumps(r.get('error_kinds', {}))} — "
                       f"first: {r.get('first_error', r.get('reason', ''))}")
    return out


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "line":
        r = json.loads(sys.argv[2])
        if r.get("mode") == "failed":
            print(f"{r.get('target')} {r.get('test')}: FAILED ({r.get('reason', '')})")
        elif r.get("mode") == "rps":
            per = r["cpu_us"] / r["requests"] if r.get("cpu_us", -1) >= 0 and r["requests"] > 0 else None
            print(f"{r['target']} rps: {r['rps']:,.0f} req/s, cpu {fmt(per)} µs/req, errors {r['errors']}")
        else:
            per = r["cpu_us"] / r["chunks"] if r.get("cpu_us", -1) >= 0 and r["chunks"] else None
            rss = ((r["rss_open_kb"] - r["rss_idle_kb"]) / r["streams"]
                   if r.get("rss_open_kb", -1) >= 0 and r.get("rss_idle_kb", -1) >= 0 else None)
            print(f"{r['target']} {r['test']}{' ' + r['variant'] if r.get('variant') else ''}: "
                  f"{r['streams']:,} streams, peak open {r['peak_open']:,}, ok {r['ok']:,}, errors {r['errors']}, "
                  f"latency p50/p99 {fmt(r['latency_us']['p50'])}/{fmt(r['latency_us']['p99'])} µs, "
                  f"ttfb p50 {fmt(r['ttfb_us']['p50'])} µs, cpu {fmt(per)} µs/chunk, rss {fmt(rss)} KiB/stream"
                  + (f" — {r['first_error']}" if r['errors'] else ""))
        return
    if len(sys.argv) != 4 or sys.argv[1] != "table":
        sys.exit(__doc__)
    results = Results(load(sys.argv[2]))
    with open(sys.argv[3]) as f:
        machine = json.load(f)
    print("# pplx-proxy benchmark\n")
    print(f"Medians of {len(results.reps)} runs; (×) = ratio to nginx within each run, median of the ratios. "
          "Latencies in µs from the emulator's send to the load client's read; \"added\" = target − direct "
          "in the same run. CPU and RSS are the relay process's own (/proc); for nginx its one worker.\n")
    print("\n".join(table(results, machine)))
    print("\n## Targets (issue 9; the rest are earlier goals)\n")
    print("\n".join(goals(results)))
    newconn = [r for r in results.runs if r.get("test") == "ttfb-newconn" and r.get("mode") == "ttfb-newconn"]
    if newconn:
        relay50 = median([r["relay_us"]["p50"] for r in newconn])
        relay99 = median([r["relay_us"]["p99"] for r in newconn])
        direct50 = median([r["direct_tls_us"]["p50"] for r in newconn])
        direct99 = median([r["direct_tls_us"]["p99"] for r in newconn])
        print("\n## New connection per request, HTTPS upstream\n")
        print(f"TTFB (connect → first delta), {newconn[0]['requests']} requests per run, median of {len(newconn)} runs: "
              f"through chat-passthrough (its upstream TLS connections pooled) p50 {fmt(relay50)} / p99 {fmt(relay99)} µs; "
              f"straight to the HTTPS upstream (a TLS handshake each time) p50 {fmt(direct50)} / p99 {fmt(direct99)} µs "
              f"({direct50 / relay50:.2f}× the relay's p50).")
    errs = first_errors(results)
    if errs:
        print("\n## Runs with errors\n")
        print("\n".join(errs))
    print("\n## Machine\n")
    for k, v in machine.items():
        print(f"- {k}: {v}")


if __name__ == "__main__":
    main()
