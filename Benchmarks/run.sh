#!/usr/bin/env bash
# The pplx-proxy benchmark, in one command: bash Benchmarks/run.sh (or make bench).
#
# Installs what is missing (nginx-light, libnghttp2-dev, a C compiler, python3), builds the emulator, the load
# client and the release proxy, then measures side by side: direct (load client -> emulator), nginx, and
# pplx-proxy in chat passthrough, chat final and agent mode. Prints one table and writes it, with the machine
# details, to bench-results/latest.md (raw loadgen output: latest.jsonl, process logs: logs/).
# Every process it starts is stopped on exit; every step has a time bound. See Benchmarks/README.md.
#
# Knobs (environment): BENCH_REPS (3; 0 = only the max-concurrency runs), BENCH_QUICK=1 (small numbers, for
# trying the script), BENCH_PROXY_BIN=path (use this pplx-proxy binary instead of building the release one),
# BENCH_SKIP_MAX=1, BENCH_TARGETS="nginx agent" (a subset of the columns).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/Benchmarks
OUT=$ROOT/bench-results
BUILD=$BENCH/.build
LOADGEN=$BUILD/loadgen
EMULATOR=$BUILD/emulator
T_START=$SECONDS

REPS=${BENCH_REPS:-3}
if [ "${BENCH_QUICK:-0}" = 1 ]; then
    ONE_CHUNKS=40; ONE_INTERVAL=5
    MANY_STREAMS=200; MANY_CHUNKS=10; MANY_INTERVAL=50; MANY_RAMP=200
    FLAT_STREAMS=32; FLAT_CHUNKS=500
    RPS_CONNS=16; RPS_SECS=1
    MAX_STREAMS=1000; MAX_CHUNKS=3; MAX_INTERVAL=1000; MAX_RAMP=500
else
    ONE_CHUNKS=200; ONE_INTERVAL=5             # 1 stream: 200 deltas 5 ms apart (1 s)
    MANY_STREAMS=1000; MANY_CHUNKS=30; MANY_INTERVAL=100; MANY_RAMP=500   # 10,000 deltas/s for ~3.5 s
    FLAT_STREAMS=32; FLAT_CHUNKS=5000          # flat out: 32 streams x 5,000 deltas, no delay (160,000 events)
    RPS_CONNS=16; RPS_SECS=2
    MAX_STREAMS=10000; MAX_CHUNKS=3; MAX_INTERVAL=2000; MAX_RAMP=2500     # each stream open 4 s, all at once
fi
read -r -a TARGETS <<<"${BENCH_TARGETS:-direct nginx chat-passthrough chat-final agent}"
# Bounds per loadgen run (s): a healthy run ends long before; a relay that leaves streams hanging costs this much.
ONE_TMO=20; MANY_TMO=25; FLAT_TMO=40; MAX_TMO=15
TTFB_REQUESTS=${BENCH_TTFB_REQUESTS:-100}

log() { printf '[%s +%3ds] %s\n' "$(date +%H:%M:%S)" "$((SECONDS - T_START))" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------- dependencies
need=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
[ -f /usr/include/nghttp2/nghttp2.h ] || need+=(libnghttp2-dev)
command -v gcc >/dev/null 2>&1 || need+=(gcc libc6-dev)
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    log "installing: ${need[*]}"
    timeout 300 $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive timeout 600 $sudo_cmd apt-get install -y -qq "${need[@]}" >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
# nginx-light's package starts a system nginx on port 80; it does not interfere (we use our own config and port).

# ---------------------------------------------------------------- limits
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
FD_LIMIT=$(ulimit -n)
# A relay over HTTP/1.1 holds at least two descriptors per stream (client and upstream); leave room for the rest.
H1_MAX=$(( (FD_LIMIT - 400) / 2 ))
[ "$H1_MAX" -gt "$MAX_STREAMS" ] && H1_MAX=$MAX_STREAMS
FLAT_MAX=$(( FD_LIMIT - 200 ))
[ "$FLAT_MAX" -gt "$MAX_STREAMS" ] && FLAT_MAX=$MAX_STREAMS

# ---------------------------------------------------------------- build
mkdir -p "$BUILD" "$OUT"
log "building the emulator and the load client"
timeout 120 gcc -O2 -Wall -o "$EMULATOR" "$BENCH/emulator/emulator.c" -lnghttp2
timeout 120 gcc -O2 -Wall -o "$LOADGEN" "$BENCH/loadgen/loadgen.c"
if [ -n "${BENCH_PROXY_BIN:-}" ]; then
    PROXY=$BENCH_PROXY_BIN
else
    log "building the release proxy (swift build -c release; the first build takes minutes)"
    t0=$SECONDS
    if ! (cd "$ROOT" && timeout 3600 swift build -c release >"$BUILD/swift-build.log" 2>&1); then
        tail -30 "$BUILD/swift-build.log" >&2
        die "swift build -c release failed (log: $BUILD/swift-build.log)"
    fi
    log "release build done in $((SECONDS - t0)) s"
    PROXY=$ROOT/.build/release/pplx-proxy
fi
[ -x "$PROXY" ] || die "no proxy binary at $PROXY"
T_MEASURE=$SECONDS

# ---------------------------------------------------------------- process management
WORK=$(mktemp -d /tmp/pplx-bench.XXXXXX)
RESULTS=$WORK/results.jsonl
: >"$RESULTS"
PIDS=()

stop_pid() {
    local pid=$1 i
    kill -TERM "$pid" 2>/dev/null || return 0
    for i in $(seq 1 60); do
        kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
        sleep 0.05
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
    if [ -d "$WORK" ]; then
        rm -rf "$OUT/logs"
        mkdir -p "$OUT/logs"
        cp "$WORK"/*.err "$WORK"/*.log "$OUT/logs/" 2>/dev/null || true
        for d in "$WORK"/nginx-*/; do
            [ -f "$d/nginx-error.log" ] && cp "$d/nginx-error.log" "$OUT/logs/$(basename "$d")-error.log"
        done
        [ -s "$RESULTS" ] && cp "$RESULTS" "$OUT/latest.jsonl"
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_port() {
    local port=$1 deadline=$((SECONDS + 20))
    until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
        [ $SECONDS -ge $deadline ] && return 1
        sleep 0.05
    done
}

first_child() {
    local parent=$1 f p i
    for i in $(seq 1 100); do
        f=/proc/$parent/task/$parent/children
        if [ -r "$f" ]; then
            read -r p _ <"$f" || true
            [ -n "${p:-}" ] && { echo "$p"; return 0; }
        fi
        sleep 0.05
    done
    return 1
}

# Starts the emulator on a fresh port (so TIME_WAIT sockets of one target never meet the next one's).
start_emulator() {
    local tag=$1 i
    "$EMULATOR" --port 0 >/dev/null 2>"$WORK/emulator-$tag.err" &
    EMU_PID=$!
    PIDS+=("$EMU_PID")
    for i in $(seq 1 100); do
        EMU_PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$WORK/emulator-$tag.err")
        [ -n "$EMU_PORT" ] && return 0
        sleep 0.05
    done
    die "the emulator did not start"
}

# A throwaway CA and a certificate for 127.0.0.1 it signs, for the HTTPS upstream (made once per run).
make_tls() {
    TLS_DIR=$WORK/tls
    mkdir -p "$TLS_DIR"
    timeout 60 openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TLS_DIR/ca.key" -out "$TLS_DIR/ca.pem" -days 1 \
        -subj "/CN=pplx bench CA" -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign \
        >/dev/null 2>&1
    echo "subjectAltName=IP:127.0.0.1" >"$TLS_DIR/ext"
    timeout 60 openssl req -newkey rsa:2048 -nodes -keyout "$TLS_DIR/server.key" -out "$TLS_DIR/server.csr" \
        -subj "/CN=127.0.0.1" >/dev/null 2>&1
    timeout 60 openssl x509 -req -in "$TLS_DIR/server.csr" -CA "$TLS_DIR/ca.pem" -CAkey "$TLS_DIR/ca.key" \
        -CAcreateserial -out "$TLS_DIR/server.pem" -days 1 -extfile "$TLS_DIR/ext" >/dev/null 2>&1
}

# The HTTPS upstream: a TLS-terminating nginx in front of the emulator (sets TLS_PORT, TLS_STOP).
start_tls_front() {
    local tag=$1 dir=$WORK/tls-front-$1 user=""
    TLS_PORT=$("$LOADGEN" freeport)
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && user="user root;"
    sed -e "s#@PORT@#$TLS_PORT#g; s#@EMU_PORT@#$EMU_PORT#g; s#@DIR@#$dir#g; s#@USER@#$user#" \
        -e "s#@CERT@#$TLS_DIR/server.pem#g; s#@KEY@#$TLS_DIR/server.key#g" \
        "$BENCH/nginx-tls-front.conf.template" >"$dir/nginx.conf"
    "$NGINX" -c "$dir/nginx.conf" -e "$dir/nginx-error.log" 2>"$WORK/tls-front-$tag.err" &
    TLS_STOP=$!
    PIDS+=("$TLS_STOP")
    wait_port "$TLS_PORT" || { cat "$dir/nginx-error.log" >&2; die "the TLS front did not start"; }
}

# start_target NAME TAG [h1|h2c|https]: sets T_PORT, T_PATH, T_PID (the process measured), T_STOP (the one to
# stop). `https` puts the TLS front between the relay and the emulator.
start_target() {
    local name=$1 tag=$2 variant=${3:-h1} cfg port upstream_port upstream_scheme=http
    start_emulator "$name-$tag"
    TLS_STOP=""
    upstream_port=$EMU_PORT
    if [ "$variant" = https ]; then
        start_tls_front "$name-$tag"
        upstream_port=$TLS_PORT
        upstream_scheme=https
    fi
    T_PATH=/v1/chat/completions
    case $name in
    direct)
        T_PORT=$EMU_PORT; T_PID=$EMU_PID; T_STOP=""; T_PATH=/chat/completions
        return 0 ;;
    nginx)
        port=$("$LOADGEN" freeport)
        local dir=$WORK/nginx-$tag user="" upstream_tls=""
        mkdir -p "$dir"
        [ "$(id -u)" -eq 0 ] && user="user root;"
        [ "$variant" = https ] && upstream_tls="proxy_ssl_trusted_certificate $TLS_DIR/ca.pem; proxy_ssl_verify on; proxy_ssl_name 127.0.0.1; proxy_ssl_session_reuse on;"
        sed -e "s#@PORT@#$port#g; s#@EMU_PORT@#$upstream_port#g; s#@DIR@#$dir#g; s#@USER@#$user#" \
            -e "s#@SCHEME@#$upstream_scheme#g; s#@UPSTREAM_TLS@#$upstream_tls#" \
            "$BENCH/nginx.conf.template" >"$dir/nginx.conf"
        "$NGINX" -c "$dir/nginx.conf" -e "$dir/nginx-error.log" 2>"$WORK/nginx-$tag.err" &
        T_STOP=$!
        PIDS+=("$T_STOP")
        wait_port "$port" || { cat "$dir/nginx-error.log" >&2; die "nginx did not start"; }
        T_PID=$(first_child "$T_STOP") || die "no nginx worker"
        T_PORT=$port ;;
    chat-passthrough | chat-final | agent)
        port=$("$LOADGEN" freeport)
        cfg=$WORK/proxy-$tag.json
        # One event loop, like nginx's one worker: the columns compare relays on equal footing (BENCH_LOOPS overrides).
        if [ "$variant" = h2c ]; then
            echo "{\"shutdown_grace_ms\": 0, \"event_loops\": ${BENCH_LOOPS:-1}, \"upstream\": {\"http2\": true}}" >"$cfg"
        else
            echo "{\"shutdown_grace_ms\": 0, \"event_loops\": ${BENCH_LOOPS:-1}}" >"$cfg"
        fi
        local mode=(--upstream-api chat --metadata passthrough)
        [ "$name" = chat-final ] && mode=(--upstream-api chat --metadata final)
        [ "$name" = agent ] && mode=(--upstream-api agent)
        [ "$variant" = https ] && mode+=(--ca-file "$TLS_DIR/ca.pem")
        PERPLEXITY_API_KEY=bench-key "$PROXY" serve --config "$cfg" --listen "127.0.0.1:$port" \
            --upstream "$upstream_scheme://127.0.0.1:$upstream_port" "${mode[@]}" --log-level warning \
            >/dev/null 2>"$WORK/proxy-$name-$tag.log" &
        T_STOP=$!
        T_PID=$T_STOP
        PIDS+=("$T_STOP")
        wait_port "$port" || { cat "$WORK/proxy-$name-$tag.log" >&2; die "pplx-proxy ($name) did not start"; }
        T_PORT=$port ;;
    *) die "unknown target $name" ;;
    esac
}

stop_target() {
    [ -n "$T_STOP" ] && stop_pid "$T_STOP"
    [ -n "${TLS_STOP:-}" ] && stop_pid "$TLS_STOP"
    stop_pid "$EMU_PID"
}

# lg REP TARGET TEST VARIANT TIMEOUT_S loadgen-args...: one loadgen run, its JSON line tagged and kept.
lg() {
    local rep=$1 target=$2 test=$3 variant=$4 tmo=$5 out rc=0
    shift 5
    out=$(timeout $((tmo + 20)) "$LOADGEN" "$@" --timeout-s "$tmo" 2>>"$WORK/loadgen.err") || rc=$?
    if [ -z "$out" ] || [ "${out:0:1}" != "{" ]; then
        out="{\"mode\":\"failed\",\"reason\":\"loadgen exit $rc\"}"
    fi
    out="{\"rep\":$rep,\"target\":\"$target\",\"test\":\"$test\",\"variant\":\"$variant\",${out:1}"
    echo "$out" >>"$RESULTS"
    [ "$test" = warm ] || log "  $(python3 "$BENCH/report.py" line "$out")"
}

# ---------------------------------------------------------------- capabilities
H2C=0
echo "{\"upstream\": {\"url\": \"http://127.0.0.1:9\", \"http2\": true}}" >"$WORK/h2-probe.json"
if H2C_PROBE=$("$PROXY" check-config "$WORK/h2-probe.json" 2>&1); then H2C=1; fi

# ---------------------------------------------------------------- measurements
HTTPS_TARGETS=()
if [ "${BENCH_SKIP_HTTPS:-0}" != 1 ]; then
    make_tls
    for target in "${TARGETS[@]}"; do [ "$target" = direct ] || HTTPS_TARGETS+=("$target"); done
fi
log "measuring: ${TARGETS[*]}; $REPS repetitions; fd limit $FD_LIMIT (HTTP/1.1 relays hold at most $H1_MAX streams)"
for rep in $(seq 1 "$REPS"); do  # (no iterations when BENCH_REPS=0)
    for target in "${TARGETS[@]}"; do
        log "rep $rep/$REPS: $target"
        start_target "$target" "r$rep"
        lg "$rep" "$target" warm h1 20 stream --port "$T_PORT" --path "$T_PATH" --streams 20 --chunks 3 \
            --interval-ms 5 --ramp-ms 20
        lg "$rep" "$target" one h1 "$ONE_TMO" stream --port "$T_PORT" --path "$T_PATH" --streams 1 \
            --chunks "$ONE_CHUNKS" --interval-ms "$ONE_INTERVAL" --pid "$T_PID"
        lg "$rep" "$target" many h1 "$MANY_TMO" stream --port "$T_PORT" --path "$T_PATH" --streams "$MANY_STREAMS" \
            --chunks "$MANY_CHUNKS" --interval-ms "$MANY_INTERVAL" --ramp-ms "$MANY_RAMP" --pid "$T_PID"
        lg "$rep" "$target" flat h1 "$FLAT_TMO" stream --port "$T_PORT" --path "$T_PATH" --streams "$FLAT_STREAMS" \
            --chunks "$FLAT_CHUNKS" --interval-ms 0 --pid "$T_PID"
        lg "$rep" "$target" rps h1 30 rps --port "$T_PORT" --path "$T_PATH" --connections "$RPS_CONNS" \
            --duration-s "$RPS_SECS" --body nonstream --pid "$T_PID"
        stop_target
    done
    for target in "${HTTPS_TARGETS[@]}"; do
        log "rep $rep/$REPS: $target, HTTPS upstream"
        start_target "$target" "r$rep-https" https
        lg "$rep" "$target" warm https 20 stream --port "$T_PORT" --path "$T_PATH" --streams 20 --chunks 3 \
            --interval-ms 5 --ramp-ms 20
        lg "$rep" "$target" many-https https "$MANY_TMO" stream --port "$T_PORT" --path "$T_PATH" \
            --streams "$MANY_STREAMS" --chunks "$MANY_CHUNKS" --interval-ms "$MANY_INTERVAL" --ramp-ms "$MANY_RAMP" \
            --pid "$T_PID"
        if [ "$target" = chat-passthrough ]; then
            # A client that opens a new connection per request: through the relay (its pooled upstream TLS) or
            # straight to the HTTPS upstream (a TLS handshake each time).
            out=$(timeout 120 python3 "$BENCH/ttfb_new_connection.py" --relay-port "$T_PORT" --tls-port "$TLS_PORT" \
                --ca "$TLS_DIR/ca.pem" --requests "$TTFB_REQUESTS" 2>>"$WORK/loadgen.err") \
                || out='{"mode":"failed","reason":"ttfb_new_connection.py failed"}'
            echo "{\"rep\":$rep,\"target\":\"$target\",\"test\":\"ttfb-newconn\",\"variant\":\"https\",${out:1}" >>"$RESULTS"
            log "  new connection per request: $out"
        fi
        stop_target
    done
done

if [ "${BENCH_SKIP_MAX:-0}" != 1 ]; then
    max_specs=()
    for target in "${TARGETS[@]}"; do max_specs+=("$target h1"); done
    if [ "$H2C" = 1 ]; then
        for target in "${TARGETS[@]}"; do
            case $target in chat-* | agent) max_specs+=("$target h2c") ;; esac
        done
    else
        log "h2c runs skipped: ${H2C_PROBE##*: }"
    fi
    for spec in "${max_specs[@]}"; do
        read -r target variant <<<"$spec"
        n=$H1_MAX
        [ "$target" = direct ] || [ "$variant" = h2c ] && n=$FLAT_MAX
        log "max concurrent streams: $target ($variant), $n streams"
        start_target "$target" "max-$variant" "$variant"
        lg 0 "$target" warm "$variant" 20 stream --port "$T_PORT" --path "$T_PATH" --streams 20 --chunks 2 \
            --interval-ms 5
        if [ "$(tail -1 "$RESULTS" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("errors", 1))')" != 0 ]
        then
            # A relay that fails 20 warm-up streams will not hold thousands: report the warm-up, save the time.
            log "  $target ($variant) failed its warm-up streams; its max run is skipped"
            tail -1 "$RESULTS" | sed 's/"test":"warm"/"test":"max","skipped":true/' >>"$RESULTS"
        else
            lg 0 "$target" max "$variant" "$MAX_TMO" stream --port "$T_PORT" --path "$T_PATH" --streams "$n" \
                --chunks "$MAX_CHUNKS" --interval-ms "$MAX_INTERVAL" --ramp-ms "$MAX_RAMP" --pid "$T_PID"
            read -r errs peak <<<"$(tail -1 "$RESULTS" | python3 -c \
                'import json,sys; r=json.load(sys.stdin); print(r.get("errors", 0), r.get("peak_open", 0))')"
            if [ "$errs" != 0 ] && [ "$peak" -ge 200 ]; then
                # Errors: once more, on a fresh process, at 90 % of the most it held, to find a count it holds.
                n=$(( peak * 9 / 10 / 100 * 100 ))
                log "  again with $n streams (fresh processes)"
                stop_target
                start_target "$target" "max2-$variant" "$variant"
                lg 0 "$target" max2 "$variant" "$MAX_TMO" stream --port "$T_PORT" --path "$T_PATH" --streams "$n" \
                    --chunks "$MAX_CHUNKS" --interval-ms "$MAX_INTERVAL" --ramp-ms "$MAX_RAMP" --pid "$T_PID"
            fi
        fi
        stop_target
    done
fi
MEASURE_S=$((SECONDS - T_MEASURE))

# ---------------------------------------------------------------- report
rev=$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo none)
(cd "$ROOT" && [ -n "$(git status --porcelain 2>/dev/null | head -1)" ]) && rev="$rev (uncommitted changes)"
python3 - "$WORK/machine.json" <<EOF
import json, sys
m = {
    "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
    "git revision": "$rev",
    "cpu": "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)",
    "nproc": "$(nproc)",
    "kernel": "$(uname -r)",
    "swift": "$(swift --version 2>&1 | head -1 | tr -d '"')",
    "nginx": "$("$NGINX" -v 2>&1 | head -1)",
    "libcurl": "$(dpkg-query -W -f='${Version}' libcurl4 2>/dev/null || echo unknown)",
    "proxy binary": "$PROXY",
    "fd limit": "$FD_LIMIT",
    "shape": "1 stream: $ONE_CHUNKS deltas every $ONE_INTERVAL ms; many: $MANY_STREAMS streams x $MANY_CHUNKS deltas every $MANY_INTERVAL ms (opened over $MANY_RAMP ms); flat: $FLAT_STREAMS streams x $FLAT_CHUNKS deltas, no delay; rps: $RPS_CONNS connections x $RPS_SECS s; max: $MAX_CHUNKS deltas every $MAX_INTERVAL ms, opened over $MAX_RAMP ms",
    "measurement time": "$MEASURE_S s (whole run $((SECONDS - T_START)) s)",
}
json.dump(m, open(sys.argv[1], "w"))
EOF
python3 "$BENCH/report.py" table "$RESULTS" "$WORK/machine.json" >"$OUT/latest.md"
cat "$OUT/latest.md"
log "written: bench-results/latest.md (raw: bench-results/latest.jsonl, logs: bench-results/logs/)"
