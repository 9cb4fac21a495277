#!/usr/bin/env bash
# bench/run_delivery.sh - the delivery benchmark end to end.
#
# Starts nginx on a free loopback port (its own prefix under the build folder,
# answering 204 on /hook), then in the same run measures:
#   wrk      wrk -c16 POSTing the eleven fixture bodies with the webhook
#            headers ugw sends (the same bytes);
#   ugw      bench_delivery: EVENTS events, signed, max_in_flight 16, queue
#            10000, enqueue waiting; then unsigned;
#            (REPEATS rounds of wrk, ugw signed, ugw unsigned, interleaved;
#            medians; after one unmeasured warm-up of the client)
#   curl     one curl process per event, CURL_EVENTS in a row;
#   backlog  BACKLOG_EVENTS events through a queue of 10000, peak RSS;
# and prints a summary with the ratios against the targets it was built to meet:
#   ugw signed >= 0.45 x wrk requests/s, and >= 100 x curl per event.
# nginx is stopped at the end, also on failure or interruption.
#
# Usage: bench/run_delivery.sh            (from anywhere; 5-7 minutes)
# Environment (defaults in brackets):
#   BUILD_DIR [build]  build folder; configured as Release when it has no
#                      CMakeCache.txt; bench_delivery is built in it
#   EVENTS [100000] REPEATS [5] WRK_DURATION [10s]
#   WRK_THREADS [1] CONNECTIONS [16] CURL_EVENTS [200]
#   BACKLOG_EVENTS [1000000] (0 skips the backlog run)
#   NGINX_WORKERS [1]  worker_processes of nginx (a number or auto)
#   PIN [1]            1: nginx on CPU SERVER_CPU [1], every client (wrk,
#                      bench_delivery, curl) on CPU CLIENT_CPU [0];
#                      0: no pinning, the scheduler shares the CPUs
#   CHECK [0]          1: exit 1 when a target is missed
# Exit: 0 when the run completed (and, with CHECK=1, met the targets);
# 1 on a missed target with CHECK=1; 2 on a failure of the run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

BUILD_DIR=${BUILD_DIR:-build}
EVENTS=${EVENTS:-100000}
REPEATS=${REPEATS:-5}
WRK_DURATION=${WRK_DURATION:-10s}
WRK_THREADS=${WRK_THREADS:-1}
CONNECTIONS=${CONNECTIONS:-16}
CURL_EVENTS=${CURL_EVENTS:-200}
BACKLOG_EVENTS=${BACKLOG_EVENTS:-1000000}
NGINX_WORKERS=${NGINX_WORKERS:-1}
PIN=${PIN:-1}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
CHECK=${CHECK:-0}
QUEUE=10000

die() { echo "run_delivery: $*" >&2; exit 2; }

for tool in nginx wrk curl cmake python3; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install nginx wrk curl cmake python3)"
done
if [ "$PIN" = 1 ]; then
    command -v taskset >/dev/null || die "taskset not found (apt-get install util-linux), or run with PIN=0"
    ON_SERVER=(taskset -c "$SERVER_CPU")
    ON_CLIENT=(taskset -c "$CLIENT_CPU")
else
    ON_SERVER=()
    ON_CLIENT=()
fi

# ---------------------------------------------------------------- build
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
    cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null || die "cmake configure failed"
fi
cmake --build "$BUILD_DIR" --target bench_delivery -j2 >/dev/null || die "building bench_delivery failed"
BENCH=$BUILD_DIR/bench/bench_delivery
[ -x "$BENCH" ] || die "$BENCH not built"
BUILD_TYPE=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$BUILD_DIR/CMakeCache.txt")

WORK=$(cd "$BUILD_DIR" && pwd)/bench-delivery
PREFIX=$WORK/nginx
rm -rf "$PREFIX" "$WORK/bodies"
mkdir -p "$PREFIX/tmp" "$WORK/bodies"

# ---------------------------------------------------------------- nginx
. bench/nginx_lib.sh
stop_nginx() { nginx_stop "$PREFIX"; }
trap stop_nginx EXIT
trap 'exit 130' INT TERM
nginx_start "$PREFIX" "$NGINX_WORKERS" "${ON_SERVER[@]}" || die "nginx did not start"
CLK_TCK=$(getconf CLK_TCK)

# CPU time of the nginx workers so far, in clock ticks.
nginx_ticks() {
    local t=0 p
    for p in $(pgrep -P "$NGINX_PID"); do
        t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
    done
    echo "$t"
}
# Microseconds of CPU per request: ticks, requests.
per_req_us() { awk -v t="$1" -v n="$2" -v hz="$CLK_TCK" 'BEGIN { printf "%.1f", (n > 0 ? t / hz * 1e6 / n : 0) }'; }

# ---------------------------------------------------------------- inputs
# The exact bodies the client encodes, and its headers (signed), for wrk and curl.
"$BENCH" --write-bodies "$WORK/bodies" >/dev/null || die "bench_delivery --write-bodies failed"
NBODIES=$(ls "$WORK/bodies"/*.json | wc -l)

cat >"$WORK/post.lua" <<'EOF'
-- POSTs the fixture bodies in turn, each with the headers ugw sends.
-- The requests are formatted once in init(); request() only picks one.
local dir = os.getenv("UGW_BENCH_BODIES")
local reqs = {}
local n = 0

init = function(args)
    for i = 1, 99 do
        local f = io.open(string.format("%s/%02d.json", dir, i), "rb")
        if not f then break end
        local body = f:read("*a")
        f:close()
        local headers = {}
        for line in io.lines(string.format("%s/%02d.headers", dir, i)) do
            local k, v = line:match("^([^:]+):%s*(.-)%s*$")
            if k then headers[k] = v end
        end
        reqs[#reqs + 1] = wrk.format("POST", nil, headers, body)
    end
    if #reqs == 0 then error("no bodies in " .. tostring(dir)) end
end

request = function()
    n = n % #reqs + 1
    return reqs[n]
end

done = function(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        "WRK_RESULT requests=%d duration_us=%d rps=%.0f errors=%d status_errors=%d p50_us=%d p99_us=%d\n",
        summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
        e.connect + e.read + e.write + e.timeout, e.status,
        latency:percentile(50), latency:percentile(99)))
end
EOF

field() { sed -n "s/^.*[ ]$1=\([^ ]*\).*$/\1/p" | tail -1; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }

# ---------------------------------------------------------------- machine
echo "== machine"
echo "cpu:      $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) CPUs"
echo "memory:   $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
echo "kernel:   $(uname -sr)"
echo "os:       $(. /etc/os-release && echo "$PRETTY_NAME")"
echo "nginx:    $(nginx -v 2>&1 | sed 's/^nginx version: //'), worker_processes $NGINX_WORKERS"
echo "wrk:      $(wrk -v 2>&1 | head -1 | awk '{ print $2 }'), -t$WRK_THREADS -c$CONNECTIONS -d$WRK_DURATION"
echo "curl:     $(curl --version | head -1 | awk '{ print $2 }') (libcurl of ugw: $(curl-config --version 2>/dev/null || echo '?'))"
echo "ugw:      $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- runtime 2>/dev/null || echo ' (runtime/ modified)'), $BUILD_TYPE build"
if [ "$PIN" = 1 ]; then
    echo "pinning:  nginx on CPU $SERVER_CPU; wrk, bench_delivery (both threads) and curl on CPU $CLIENT_CPU"
else
    echo "pinning:  none"
fi
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min, before the run)"
echo "endpoint: $URL ($NBODIES bodies)"

# ---------------------------------------------------------------- runs
# REPEATS rounds of: wrk, ugw signed, ugw unsigned. Interleaving keeps a
# change of the machine's load (other processes) from landing on one side
# of a ratio only; each round also gives its own ratio.
WRK_RPS=() WRK_CPU=() WRK_NGINX_CPU=()
run_wrk() {
    local out line n0 n1 cpu requests ncpu
    n0=$(nginx_ticks)
    out=$( { TIMEFORMAT='%U %S'; time UGW_BENCH_BODIES="$WORK/bodies" "${ON_CLIENT[@]}" wrk \
             -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$WRK_DURATION" -s "$WORK/post.lua" "$URL"; } \
           2>"$WORK/wrk.time") || die "wrk failed: $(cat "$WORK/wrk.time")"
    n1=$(nginx_ticks)
    line=$(grep '^WRK_RESULT' <<<"$out") || die "wrk printed no result: $out"
    [ "$(field errors <<<"$line")" = 0 ] && [ "$(field status_errors <<<"$line")" = 0 ] \
        || die "wrk saw errors: $line"
    requests=$(field requests <<<"$line")
    cpu=$(tail -1 "$WORK/wrk.time" | awk -v n="$requests" '{ printf "%.1f", ($1 + $2) * 1e6 / n }')
    ncpu=$(per_req_us $((n1 - n0)) "$requests")
    printf '  %-16s %8s /s   CPU/request: client %5s us, nginx %5s us   (p50 %s us, p99 %s us)\n' \
        "wrk" "$(field rps <<<"$line")" "$cpu" "$ncpu" "$(field p50_us <<<"$line")" "$(field p99_us <<<"$line")"
    WRK_RPS+=("$(field rps <<<"$line")")
    WRK_CPU+=("$cpu")
    WRK_NGINX_CPU+=("$ncpu")
}

SIGNED_EPS=() SIGNED_CPU=() SIGNED_NGINX_CPU=() UNSIGNED_EPS=() UNSIGNED_CPU=()
UGW_EPS= UGW_CPU= UGW_NGINX_CPU=
run_ugw() { # label, events, extra args...
    local label=$1 events=$2 log=$WORK/ugw.log n0 n1 line
    shift 2
    n0=$(nginx_ticks)
    "${ON_CLIENT[@]}" "$BENCH" --url "$URL" --events "$events" --repeats 1 --warmup 0 \
        --in-flight "$CONNECTIONS" --queue "$QUEUE" "$@" >"$log" \
        || { cat "$log" >&2; die "bench_delivery $* failed"; }
    n1=$(nginx_ticks)
    line=$(grep '^RESULT' "$log") || die "bench_delivery $* printed no result"
    UGW_EPS=$(field median_eps <<<"$line")
    UGW_CPU=$(field cpu_us_per_event <<<"$line")
    UGW_NGINX_CPU=$(per_req_us $((n1 - n0)) "$events")
    printf '  %-16s %8s /s   CPU/event:   client %5s us, nginx %5s us\n' "$label" "$UGW_EPS" "$UGW_CPU" "$UGW_NGINX_CPU"
}

echo "== warm-up"
run_ugw "ugw signed" $((EVENTS / 10))
ROUND_RATIOS=()
for ((round = 1; round <= REPEATS; round++)); do
    echo "== round $round of $REPEATS: wrk -d$WRK_DURATION, then ugw $EVENTS events signed, then unsigned"
    run_wrk
    run_ugw "ugw signed" "$EVENTS"
    SIGNED_EPS+=("$UGW_EPS") SIGNED_CPU+=("$UGW_CPU") SIGNED_NGINX_CPU+=("$UGW_NGINX_CPU")
    ROUND_RATIOS+=("$(awk -v a="$UGW_EPS" -v b="${WRK_RPS[-1]}" 'BEGIN { printf "%.3f", a / b }')")
    run_ugw "ugw unsigned" "$EVENTS" --unsigned
    UNSIGNED_EPS+=("$UGW_EPS") UNSIGNED_CPU+=("$UGW_CPU")
done
med() { printf '%s\n' "$@" | median; }
WRK=$(med "${WRK_RPS[@]}")
UGW_SIGNED=$(med "${SIGNED_EPS[@]}")
UGW_UNSIGNED=$(med "${UNSIGNED_EPS[@]}")

echo "== one curl process per event ($CURL_EVENTS events)"
CURL_OUT=$("${ON_CLIENT[@]}" bash -c '
    set -e
    dir=$1 url=$2 n=$3 nb=$4
    t0=$(date +%s%N)
    for ((i = 0; i < n; i++)); do
        f=$(printf "%s/%02d" "$dir" $((i % nb + 1)))
        curl -sS --fail -o /dev/null -X POST --data-binary "@$f.json" -H "@$f.headers" "$url"
    done
    t1=$(date +%s%N)
    echo "$n $(( (t1 - t0) / 1000 ))"
' curl-loop "$WORK/bodies" "$URL" "$CURL_EVENTS" "$NBODIES") || die "a curl request failed"
CURL_EPS=$(awk '{ printf "%.1f", $1 / ($2 / 1e6) }' <<<"$CURL_OUT")
echo "  $(awk '{ printf "%d events in %.2f s", $1, $2 / 1e6 }' <<<"$CURL_OUT") = $CURL_EPS events/s"

BACKLOG_LINE=
if [ "$BACKLOG_EVENTS" -gt 0 ]; then
    echo "== backlog: $BACKLOG_EVENTS events through a queue of $QUEUE (signed)"
    "${ON_CLIENT[@]}" "$BENCH" --url "$URL" --backlog --events "$BACKLOG_EVENTS" \
        --in-flight "$CONNECTIONS" --queue "$QUEUE" | tee "$WORK/ugw-backlog.log" | grep -v '^RESULT' | sed 's/^/  /' \
        || die "bench_delivery --backlog failed (see $WORK/ugw-backlog.log)"
    BACKLOG_LINE=$(grep '^RESULT' "$WORK/ugw-backlog.log") || die "bench_delivery --backlog printed no result"
fi

# ---------------------------------------------------------------- summary
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r >= t ? "PASS" : "MISS") }'; }
R_WRK=$(ratio "$UGW_SIGNED" "$WRK")
R_CURL=$(ratio "$UGW_SIGNED" "$CURL_EPS")
V_WRK=$(verdict "$R_WRK" 0.45)
V_CURL=$(verdict "$R_CURL" 100)

echo
echo "== summary (per second, median of $REPEATS rounds; CPU in us per request or event)"
printf '  %-44s %10s   %s\n' "wrk -t$WRK_THREADS -c$CONNECTIONS -d$WRK_DURATION" "$WRK" "runs: ${WRK_RPS[*]}"
printf '  %-44s %10s   %s\n' "ugw signed ($EVENTS events per round)" "$UGW_SIGNED" "runs: ${SIGNED_EPS[*]}"
printf '  %-44s %10s   %s\n' "ugw unsigned ($EVENTS events per round)" "$UGW_UNSIGNED" "runs: ${UNSIGNED_EPS[*]}"
printf '  %-44s %10s\n' "curl, one process per event ($CURL_EVENTS)" "$CURL_EPS"
printf '  %-44s %10s   target >= 0.45   %s\n' "ratio ugw signed / wrk" "$R_WRK" "$V_WRK"
printf '  %-44s %10s   %s\n' "  (median of the per-round ratios)" "$(med "${ROUND_RATIOS[@]}")" "rounds: ${ROUND_RATIOS[*]}"
printf '  %-44s %10s   target >= 100    %s\n' "ratio ugw signed / curl" "$R_CURL" "$V_CURL"
printf '  %-44s %10s\n' "ratio ugw unsigned / wrk" "$(ratio "$UGW_UNSIGNED" "$WRK")"
printf '  %-44s %10s   nginx %s\n' "CPU per request: wrk" "$(med "${WRK_CPU[@]}")" "$(med "${WRK_NGINX_CPU[@]}")"
printf '  %-44s %10s   nginx %s\n' "CPU per event: ugw signed" "$(med "${SIGNED_CPU[@]}")" "$(med "${SIGNED_NGINX_CPU[@]}")"
printf '  %-44s %10s\n' "CPU per event: ugw unsigned" "$(med "${UNSIGNED_CPU[@]}")"
if [ -n "$BACKLOG_LINE" ]; then
    printf '  %-44s %10s\n' "backlog of $BACKLOG_EVENTS: events/s" "$(field eps <<<"$BACKLOG_LINE")"
    printf '  %-44s %10s   before the client: %s kB\n' "backlog peak RSS (ru_maxrss, kB)" \
        "$(field maxrss_kb <<<"$BACKLOG_LINE")" "$(field hwm_before_kb <<<"$BACKLOG_LINE")"
fi

if [ "$CHECK" = 1 ] && { [ "$V_WRK" = MISS ] || [ "$V_CURL" = MISS ]; }; then
    exit 1
fi
exit 0
