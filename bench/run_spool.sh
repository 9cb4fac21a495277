#!/usr/bin/env bash
# bench/run_spool.sh - the durable spool against the in-memory queue, in one
# run (bench_spool.c says what is measured):
#   enqueue    producers enqueue to an endpoint that never answers: events/s
#              and p50/p99 of one enqueue, memory vs spool (crash, power)
#   delivery   the same events delivered to nginx answering 204 on loopback:
#              events/s until all are delivered, memory vs spool
# ROUNDS rounds, the three queues interleaved in each, medians; then the
# ratios against the target: the spool with crash-only durability keeps at
# least 0.5 x the in-memory queue's delivered events/s.
# nginx is stopped at the end, also on failure or interruption.
#
# Usage: bench/run_spool.sh            (from anywhere; 2-4 minutes)
# Environment (defaults in brackets):
#   BUILD_DIR [build]  build folder; configured as Release when it has no
#                      CMakeCache.txt; bench_spool is built in it
#   EVENTS [50000] THREADS [4] ROUNDS [5] IN_FLIGHT [16] NGINX_WORKERS [1]
#   SPOOL_DIR [the build folder]  where the spool files go (its file system
#                      is what a sync costs)
#   CHECK [0]          1: exit 1 when the target is missed
# Exit: 0 when the run completed (and, with CHECK=1, met the target); 1 on a
# missed target with CHECK=1; 2 on a failure of the run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

BUILD_DIR=${BUILD_DIR:-build}
EVENTS=${EVENTS:-50000}
THREADS=${THREADS:-4}
ROUNDS=${ROUNDS:-5}
IN_FLIGHT=${IN_FLIGHT:-16}
NGINX_WORKERS=${NGINX_WORKERS:-1}
CHECK=${CHECK:-0}

die() { echo "run_spool: $*" >&2; exit 2; }
for tool in nginx curl cmake python3; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install nginx curl cmake python3)"
done
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
    cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null || die "cmake configure failed"
fi
cmake --build "$BUILD_DIR" --target bench_spool -j2 >/dev/null || die "building bench_spool failed"
BENCH=$BUILD_DIR/bench/bench_spool
WORK=$(cd "$BUILD_DIR" && pwd)/bench-spool
SPOOL_DIR=${SPOOL_DIR:-$WORK}
PREFIX=$WORK/nginx
rm -rf "$PREFIX"
mkdir -p "$PREFIX" "$SPOOL_DIR"

. bench/nginx_lib.sh
trap 'nginx_stop "$PREFIX"' EXIT
trap 'exit 130' INT TERM
nginx_start "$PREFIX" "$NGINX_WORKERS" || die "nginx did not start"

echo "build: $(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$BUILD_DIR/CMakeCache.txt"), spool files in $SPOOL_DIR" \
     "($(df -T "$SPOOL_DIR" | awk 'NR == 2 { print $2 }')), nginx at $URL, $(nproc) CPUs," \
     "load $(cut -d' ' -f1-3 /proc/loadavg)"
OUT=$("$BENCH" --url "$URL" --events "$EVENTS" --threads "$THREADS" --rounds "$ROUNDS" --in-flight "$IN_FLIGHT" \
      --dir "$SPOOL_DIR" | tee /dev/stderr) || die "bench_spool failed"

ratio() { sed -n "s/^RATIO measure=$1 .*$2=\([0-9.]*\).*/\1/p" <<<"$OUT"; }
R_DELIVERY=$(ratio delivery crash)
VERDICT=$(awk -v r="$R_DELIVERY" 'BEGIN { print (r >= 0.5 ? "met" : "MISS") }')
echo
echo "summary (medians of $ROUNDS rounds, $EVENTS events, $THREADS producers):"
grep '^RESULT' <<<"$OUT" | sed 's/^RESULT /  /'
printf '  delivery: spool (crash) / memory = %s, spool (power) / memory = %s   target >= 0.5   %s\n' \
       "$R_DELIVERY" "$(ratio delivery power)" "$VERDICT"
printf '  enqueue alone: spool (crash) / memory = %s, spool (power) / memory = %s\n' \
       "$(ratio enqueue crash)" "$(ratio enqueue power)"
if [ "$CHECK" = 1 ] && [ "$VERDICT" = MISS ]; then
    exit 1
fi
