#!/usr/bin/env bash
# Builds the libFuzzer targets in BUILD_DIR and runs each for SECONDS on a
# fresh copy of its seed corpus. Exits non-zero on any crash, sanitizer
# report, leak, timeout or oracle failure; the input that did it is left in
# BUILD_DIR/fuzz/artifacts/.
#
#   usage: bash fuzz/run.sh BUILD_DIR [SECONDS]     (default 30 seconds)
#   CI:    bash fuzz/run.sh build-fuzz 30
#
# BUILD_DIR is configured with clang and -DUGW_BUILD_FUZZ=ON when it has no
# CMakeCache.txt yet (set UGW_FUZZ_CC to use another clang). Extra libFuzzer
# flags can be given in UGW_FUZZ_FLAGS, e.g. UGW_FUZZ_FLAGS="-jobs=2".
# Targets run UGW_FUZZ_TARGETS_AT_ONCE at a time (default: the number of
# cores), each a single process on a core of its own for its whole time:
# on two cores the seven runs take about half as long, each as thorough.
set -euo pipefail

usage() { echo "usage: bash fuzz/run.sh BUILD_DIR [SECONDS]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage
build=$1
secs=${2:-30}
case $secs in '' | *[!0-9]*) usage ;; esac

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake -S "$src" -B "$build" -DCMAKE_C_COMPILER="${UGW_FUZZ_CC:-clang}" \
        -DUGW_BUILD_FUZZ=ON -DUGW_BUILD_TESTS=OFF -DUGW_BUILD_BENCH=OFF
else
    cmake -S "$src" -B "$build" -DUGW_BUILD_FUZZ=ON >/dev/null
fi
# The parser targets (signature, secret, Retry-After, dead letters) are small:
# UGW_FUZZ_PARSER_SECONDS each (default 10, at most SECONDS).
parsers="signature secret retry_after dead_letter"
psecs=${UGW_FUZZ_PARSER_SECONDS:-10}
case $psecs in '' | *[!0-9]*) usage ;; esac
[ "$psecs" -le "$secs" ] || psecs=$secs
cmake --build "$build" -j"$(nproc 2>/dev/null || echo 2)" --target fuzz_json fuzz_msgpack fuzz_receiver \
    $(for p in $parsers; do printf 'fuzz_%s ' "$p"; done)

out=$(cd "$build" && pwd)/fuzz
mkdir -p "$out/artifacts"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

at_once=${UGW_FUZZ_TARGETS_AT_ONCE:-$(nproc 2>/dev/null || echo 1)}
case $at_once in '' | *[!0-9]* | 0) usage ;; esac

# fuzz_one FMT: runs its target; the summary goes to $out/fuzz_FMT.report,
# the exit code to $out/fuzz_FMT.rc (the full log: $out/fuzz_FMT.log).
fuzz_one() {
    local fmt=$1 target=fuzz_$1 run_secs=$secs rc=0
    case " $parsers " in *" $fmt "*) run_secs=$psecs ;; esac
    local corpus=$out/corpus-$fmt log=$out/$target.log report=$out/$target.report
    rm -rf "$corpus"
    mkdir -p "$corpus"
    cp "$out/seeds-$fmt"/* "$corpus"/
    local flags=(-max_total_time="$run_secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048
                 -print_final_stats=1 -artifact_prefix="$out/artifacts/$target-")
    if [ -f "$src/fuzz/$fmt.dict" ]; then
        flags+=(-dict="$src/fuzz/$fmt.dict")
    fi
    # shellcheck disable=SC2206 # UGW_FUZZ_FLAGS is a list of flags
    flags+=(${UGW_FUZZ_FLAGS:-})
    echo "== $target: ${run_secs}s on $(ls "$corpus" | wc -l) seeds (log: $log)" >"$report"
    "$out/$target" "${flags[@]}" "$corpus" >"$log" 2>&1 || rc=$?
    {
        # The last status line ("#N DONE cov: ... exec/s: ...") and the final stats.
        grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|REDUCE|NEW)' "$log" | tail -n 1 || true
        grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" || true
    } >>"$report"
    echo "$rc" >"$out/$target.rc"
}

# shellcheck disable=SC2206 # $parsers is a list of names
fmts=(json msgpack receiver $parsers)
for fmt in "${fmts[@]}"; do
    rm -f "$out/fuzz_$fmt.rc" "$out/fuzz_$fmt.report"
    while [ "$(jobs -rp | wc -l)" -ge "$at_once" ]; do
        wait -n || true
    done
    fuzz_one "$fmt" &
done
wait

status=0
for fmt in "${fmts[@]}"; do
    target=fuzz_$fmt
    cat "$out/$target.report"
    rc=$(cat "$out/$target.rc" 2>/dev/null || echo "none")
    if [ "$rc" != 0 ]; then
        echo "!! $target failed with exit code $rc; report follows" >&2
        grep -vE '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse|RELOAD)' "$out/$target.log" | tail -n 60 >&2
        status=1
    fi
done
exit $status
