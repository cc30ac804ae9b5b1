#!/usr/bin/env bash
# Builds the libFuzzer targets (Fuzz/) with AddressSanitizer and coverage into .build-fuzz, then runs each for
# SECONDS (default 300) on a copy of its seed corpus (Fuzz/corpus/...). A crash stops the run, exits non-zero and
# leaves the input in fuzz-artifacts/ for `./.build-fuzz/release/<Fuzzer> fuzz-artifacts/crash-...` to replay.
#
#   bash scripts/fuzz.sh 25     # the bounded run in `make test`
#   bash scripts/fuzz.sh 3600   # a long run (`make fuzz`)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-300}
RT=$(dirname "$(find /opt/swift /usr -name 'libclang_rt.fuzzer_no_main-x86_64.a' 2>/dev/null | head -1)")
[ -n "$RT" ] || { echo "fuzz: libclang_rt.fuzzer_no_main not found in the Swift toolchain" >&2; exit 1; }
# SwiftPM names an executable's entry point <Target>_main, so libFuzzer's own main cannot be linked
# (-sanitize=fuzzer would): the targets call LLVMFuzzerRunDriver from the no-main runtime instead.
FLAGS=(-c release --scratch-path .build-fuzz -Xswiftc -sanitize=address
    -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table -Xswiftc -DFUZZING
    -Xlinker "$RT/libclang_rt.fuzzer_no_main-x86_64.a" -Xlinker -lstdc++)
mkdir -p fuzz-artifacts
status=0
for target in HTTPRequestParserFuzzer:http StreamFuzzer:stream; do
    name=${target%%:*}
    corpus=${target##*:}
    swift build "${FLAGS[@]}" --product "$name" 2>&1 | grep -E "error|warning: unre" || true
    work=$(mktemp -d)
    cp Fuzz/corpus/"$corpus"/* "$work"/
    echo "fuzz: $name for ${SECONDS_EACH}s"
    if ! ./.build-fuzz/release/"$name" "$work" -max_total_time="$SECONDS_EACH" -max_len=16384 -timeout=10 \
        -rss_limit_mb=2048 -artifact_prefix=fuzz-artifacts/ -print_final_stats=1 2>"$work.log"; then
        tail -40 "$work.log" >&2
        status=1
    else
        grep -E "^(stat::number_of_executed_units|Done)" "$work.log" || true
    fi
    rm -rf "$work" "$work.log"
done
exit $status
