#!/usr/bin/env bash
# bench/run_delivery.sh - the delivery benchmark end to end.
#
# Starts nginx (bench/nginx_delivery.conf) on two free loopback ports, one
# plain and one TLS (a self-signed certificate made for the run), answering
# 204 on /hook at once and on /slow after 50 ms, then in the same run
# measures, interleaved round by round:
#   wrk      wrk -t2 -c16 POSTing the eleven fixture bodies with the webhook
#            headers ugw sends (the same bytes), over HTTP, then over HTTPS;
#   ugw      bench_delivery: EVENTS events, signed, max_in_flight 16, queue
#            10000, enqueue waiting, delivery_threads THREADS (0: one per
#            online core); over HTTP, then HTTPS (the certificate verified);
#            then unsigned over HTTP, for information;
#   slow     against /slow (50 ms): wrk -c256, ugw at concurrency 256 and at
#            16, each for about SLOW_SECONDS;
#   curl     one curl process per event, CURL_EVENTS in a row;
#   backlog  BACKLOG_EVENTS events through a queue of 10000, peak RSS;
# and prints a summary with the ratios against the targets (medians of the
# rounds; CPU is user + system time per request of each client process):
#   ugw >= 0.7 x wrk requests/s over HTTP and over HTTPS,
#   ugw CPU per event <= 1.5 x wrk's CPU per request, over both,
#   at concurrency 256 against /slow: >= 97% of 256 / 50 ms, with a CPU per
#   event no higher than at concurrency 16 (and, for information, ugw and
#   wrk against the cap the receiver itself sets: 256 / the p50 latency
#   wrk measured on /slow in the same round, since nginx answers /slow a
#   little later than 50 ms),
#   ugw >= 100 x curl per event.
# nginx is stopped at the end, also on failure or interruption.
#
# Usage: bench/run_delivery.sh            (from anywhere; about 5 minutes)
# Environment (defaults in brackets):
#   BUILD_DIR [build]  build folder; configured as Release when it has no
#                      CMakeCache.txt; bench_delivery is built in it
#   EVENTS [50000] REPEATS [5] WRK_DURATION [5s] SLOW_SECONDS [5]
#   WRK_THREADS [2] CONNECTIONS [16] THREADS [0] CURL_EVENTS [100]
#   BACKLOG_EVENTS [200000] (0 skips the backlog run) TUNE_MALLOC [0]
#   (1: the client's tune_malloc) NGINX_WORKERS [1]
#   PIN [0]            1: nginx on CPU SERVER_CPU [1], every client (wrk,
#                      bench_delivery, curl) on CPU CLIENT_CPU [0];
#                      0: no pinning, the scheduler shares the CPUs (the
#                      delivery threads need more than one core)
#   CHECK [0]          1: exit 1 when a target is missed
# Exit: 0 when the run completed (and, with CHECK=1, met the targets);
# 1 on a missed target with CHECK=1; 2 on a failure of the run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

BUILD_DIR=${BUILD_DIR:-build}
EVENTS=${EVENTS:-50000}
REPEATS=${REPEATS:-5}
WRK_DURATION=${WRK_DURATION:-5s}
SLOW_SECONDS=${SLOW_SECONDS:-5}
WRK_THREADS=${WRK_THREADS:-2}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-0}
CURL_EVENTS=${CURL_EVENTS:-100}
BACKLOG_EVENTS=${BACKLOG_EVENTS:-200000}
TUNE_MALLOC=${TUNE_MALLOC:-0}
NGINX_WORKERS=${NGINX_WORKERS:-1}
PIN=${PIN:-0}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
CHECK=${CHECK:-0}
QUEUE=10000

die() { echo "run_delivery: $*" >&2; exit 2; }

for tool in nginx wrk curl cmake python3 openssl; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install nginx-light wrk curl cmake python3 openssl)"
done
[ -f /usr/lib/nginx/modules/ngx_http_echo_module.so ] \
    || die "nginx's echo module not found (apt-get install nginx-light)"
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
# A certificate for 127.0.0.1, made for this run; the client verifies it.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$PREFIX/key.pem" -out "$PREFIX/cert.pem" \
    >/dev/null 2>&1 || die "openssl could not make a certificate"
NGINX_TEMPLATE=bench/nginx_delivery.conf nginx_start "$PREFIX" "$NGINX_WORKERS" "${ON_SERVER[@]}" \
    || die "nginx did not start"
TLS_URL=https://127.0.0.1:$TLS_PORT/hook
SLOW_URL=${URL%/hook}/slow
curl -s -o /dev/null --cacert "$PREFIX/cert.pem" -X POST --data x -w '%{http_code}' "$TLS_URL" | grep -q 204 \
    || die "nginx does not answer 204 over TLS"
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
echo "client:   delivery_threads $THREADS (0: one per online core), tune_malloc $TUNE_MALLOC"
echo "curl:     $(curl --version | head -1 | awk '{ print $2 }') (libcurl of ugw: $(curl-config --version 2>/dev/null || echo '?'))"
echo "ugw:      $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- runtime 2>/dev/null || echo ' (runtime/ modified)'), $BUILD_TYPE build"
if [ "$PIN" = 1 ]; then
    echo "pinning:  nginx on CPU $SERVER_CPU; wrk, bench_delivery (every thread) and curl on CPU $CLIENT_CPU"
else
    echo "pinning:  none"
fi
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min, before the run)"
echo "endpoint: $URL and $TLS_URL ($NBODIES bodies); $SLOW_URL answers after 50 ms"

# ---------------------------------------------------------------- runs
# REPEATS rounds of: wrk and ugw over HTTP, wrk and ugw over HTTPS, ugw
# unsigned. Interleaving keeps a change of the machine's load (other
# processes) from landing on one side of a ratio only; each round also
# gives its own ratios.
WRK_RPS= WRK_CPU= WRK_NGINX_CPU= WRK_P50=
run_wrk() { # url connections duration
    local url=$1 conns=$2 dur=$3 out line n0 n1 requests
    n0=$(nginx_ticks)
    out=$( { TIMEFORMAT='%U %S'; time UGW_BENCH_BODIES="$WORK/bodies" "${ON_CLIENT[@]}" wrk \
             -t"$WRK_THREADS" -c"$conns" -d"$dur" -s bench/wrk_post.lua "$url"; } \
           2>"$WORK/wrk.time") || die "wrk failed: $(cat "$WORK/wrk.time")"
    n1=$(nginx_ticks)
    line=$(grep '^WRK_RESULT' <<<"$out") || die "wrk printed no result: $out"
    [ "$(field errors <<<"$line")" = 0 ] && [ "$(field status_errors <<<"$line")" = 0 ] \
        || die "wrk saw errors: $line"
    requests=$(field requests <<<"$line")
    WRK_RPS=$(field rps <<<"$line")
    WRK_P50=$(field p50_us <<<"$line")
    WRK_CPU=$(tail -1 "$WORK/wrk.time" | awk -v n="$requests" '{ printf "%.1f", ($1 + $2) * 1e6 / n }')
    WRK_NGINX_CPU=$(per_req_us $((n1 - n0)) "$requests")
    printf '  %-22s %8s /s   CPU/request: client %5s us, nginx %5s us   (p50 %s us, p99 %s us)\n' \
        "wrk -c$conns" "$WRK_RPS" "$WRK_CPU" "$WRK_NGINX_CPU" "$(field p50_us <<<"$line")" "$(field p99_us <<<"$line")"
}

UGW_EPS= UGW_CPU= UGW_NGINX_CPU=
run_ugw() { # label, url, events, in-flight, extra args...
    local label=$1 url=$2 events=$3 inflight=$4 log=$WORK/ugw.log n0 n1 line
    shift 4
    local extra=(--threads "$THREADS" --ca-file "$PREFIX/cert.pem")
    [ "$TUNE_MALLOC" = 1 ] && extra+=(--tune-malloc)
    n0=$(nginx_ticks)
    "${ON_CLIENT[@]}" "$BENCH" --url "$url" --events "$events" --repeats 1 --warmup 0 \
        --in-flight "$inflight" --queue "$QUEUE" "${extra[@]}" "$@" >"$log" \
        || { cat "$log" >&2; die "bench_delivery $* failed"; }
    n1=$(nginx_ticks)
    line=$(grep '^RESULT' "$log") || die "bench_delivery $* printed no result"
    UGW_EPS=$(field median_eps <<<"$line")
    UGW_CPU=$(field cpu_us_per_event <<<"$line")
    UGW_NGINX_CPU=$(per_req_us $((n1 - n0)) "$events")
    printf '  %-22s %8s /s   CPU/event:   client %5s us, nginx %5s us\n' "$label" "$UGW_EPS" "$UGW_CPU" "$UGW_NGINX_CPU"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'; }

echo "== warm-up"
run_ugw "ugw signed" "$URL" $((EVENTS / 10)) "$CONNECTIONS"
H_WRK=() H_WRK_CPU=() H_NGINX_WRK=() H_UGW=() H_UGW_CPU=() H_NGINX_UGW=() H_R=() H_RC=()
S_WRK=() S_WRK_CPU=() S_UGW=() S_UGW_CPU=() S_R=() S_RC=()
U_UGW=() U_UGW_CPU=()
for ((round = 1; round <= REPEATS; round++)); do
    echo "== round $round of $REPEATS: HTTP (wrk -d$WRK_DURATION, ugw $EVENTS signed), HTTPS (the same), ugw unsigned"
    run_wrk "$URL" "$CONNECTIONS" "$WRK_DURATION"
    H_WRK+=("$WRK_RPS") H_WRK_CPU+=("$WRK_CPU") H_NGINX_WRK+=("$WRK_NGINX_CPU")
    run_ugw "ugw signed" "$URL" "$EVENTS" "$CONNECTIONS"
    H_UGW+=("$UGW_EPS") H_UGW_CPU+=("$UGW_CPU") H_NGINX_UGW+=("$UGW_NGINX_CPU")
    H_R+=("$(ratio "$UGW_EPS" "$WRK_RPS")") H_RC+=("$(ratio "$UGW_CPU" "$WRK_CPU")")
    run_wrk "$TLS_URL" "$CONNECTIONS" "$WRK_DURATION"
    S_WRK+=("$WRK_RPS") S_WRK_CPU+=("$WRK_CPU")
    run_ugw "ugw signed, https" "$TLS_URL" "$EVENTS" "$CONNECTIONS"
    S_UGW+=("$UGW_EPS") S_UGW_CPU+=("$UGW_CPU")
    S_R+=("$(ratio "$UGW_EPS" "$WRK_RPS")") S_RC+=("$(ratio "$UGW_CPU" "$WRK_CPU")")
    run_ugw "ugw unsigned" "$URL" "$EVENTS" "$CONNECTIONS" --unsigned
    U_UGW+=("$UGW_EPS") U_UGW_CPU+=("$UGW_CPU")
done

# Against /slow: 256 and 16 transfers of 50 ms each, for SLOW_SECONDS.
C256_EVENTS=$((256 * 20 * SLOW_SECONDS))
C16_EVENTS=$((16 * 20 * SLOW_SECONDS))
L_WRK=() L_256=() L_256_CPU=() L_16=() L_16_CPU=() L_R=() L_RC=() L_P50=() L_CAP=() L_RCAP=() L_WCAP=()
for ((round = 1; round <= REPEATS; round++)); do
    echo "== slow round $round of $REPEATS: /slow (50 ms), wrk -c256, ugw at 256 ($C256_EVENTS events) and at 16 ($C16_EVENTS)"
    run_wrk "$SLOW_URL" 256 "${SLOW_SECONDS}s"
    L_WRK+=("$WRK_RPS") L_P50+=("$WRK_P50")
    # What any client can reach with 256 in flight: 256 / the receiver's p50.
    L_CAP+=("$(awk -v p="$WRK_P50" 'BEGIN { printf "%.0f", (p > 0 ? 256 * 1e6 / p : 0) }')")
    L_WCAP+=("$(ratio "$WRK_RPS" "${L_CAP[-1]}")")
    run_ugw "ugw signed, 256" "$SLOW_URL" "$C256_EVENTS" 256
    L_256+=("$UGW_EPS") L_256_CPU+=("$UGW_CPU")
    L_R+=("$(ratio "$UGW_EPS" 5120)") L_RCAP+=("$(ratio "$UGW_EPS" "${L_CAP[-1]}")")
    run_ugw "ugw signed, 16" "$SLOW_URL" "$C16_EVENTS" 16
    L_16+=("$UGW_EPS") L_16_CPU+=("$UGW_CPU")
    L_RC+=("$(ratio "${L_256_CPU[-1]}" "$UGW_CPU")")
done
med() { printf '%s\n' "$@" | median; }

CURL_EPS=0
if [ "$CURL_EVENTS" -gt 0 ]; then
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

fi

BACKLOG_LINE=
if [ "$BACKLOG_EVENTS" -gt 0 ]; then
    echo "== backlog: $BACKLOG_EVENTS events through a queue of $QUEUE (signed)"
    "${ON_CLIENT[@]}" "$BENCH" --url "$URL" --backlog --events "$BACKLOG_EVENTS" \
        --in-flight "$CONNECTIONS" --queue "$QUEUE" --threads "$THREADS" | tee "$WORK/ugw-backlog.log" | grep -v '^RESULT' | sed 's/^/  /' \
        || die "bench_delivery --backlog failed (see $WORK/ugw-backlog.log)"
    BACKLOG_LINE=$(grep '^RESULT' "$WORK/ugw-backlog.log") || die "bench_delivery --backlog printed no result"
fi

# ---------------------------------------------------------------- summary
verdict() { awk -v r="$1" -v t="$2" -v d="$3" 'BEGIN { print ((d == "ge" ? r >= t : r <= t) ? "PASS" : "MISS") }'; }
R_HTTP=$(ratio "$(med "${H_UGW[@]}")" "$(med "${H_WRK[@]}")")
R_HTTPS=$(ratio "$(med "${S_UGW[@]}")" "$(med "${S_WRK[@]}")")
C_HTTP=$(ratio "$(med "${H_UGW_CPU[@]}")" "$(med "${H_WRK_CPU[@]}")")
C_HTTPS=$(ratio "$(med "${S_UGW_CPU[@]}")" "$(med "${S_WRK_CPU[@]}")")
R_SLOW=$(ratio "$(med "${L_256[@]}")" 5120)
SLOW_P50=$(med "${L_P50[@]}")
SLOW_CAP=$(awk -v p="$SLOW_P50" 'BEGIN { printf "%.0f", (p > 0 ? 256 * 1e6 / p : 0) }')
R_SLOW_CAP=$(ratio "$(med "${L_256[@]}")" "$SLOW_CAP")
W_SLOW_CAP=$(ratio "$(med "${L_WRK[@]}")" "$SLOW_CAP")
C_SLOW=$(ratio "$(med "${L_256_CPU[@]}")" "$(med "${L_16_CPU[@]}")")
R_CURL=$(ratio "$(med "${H_UGW[@]}")" "$CURL_EPS")
VERDICTS=("$(verdict "$R_HTTP" 0.7 ge)" "$(verdict "$R_HTTPS" 0.7 ge)" "$(verdict "$C_HTTP" 1.5 le)"
          "$(verdict "$C_HTTPS" 1.5 le)" "$(verdict "$R_SLOW" 0.97 ge)" "$(verdict "$C_SLOW" 1.0 le)")
[ "$CURL_EVENTS" -gt 0 ] && VERDICTS+=("$(verdict "$R_CURL" 100 ge)")

echo
echo "== summary (per second and us of CPU per request, medians of $REPEATS rounds; rounds in brackets)"
row() { printf '  %-40s %10s   %s\n' "$@"; }
row "wrk -t$WRK_THREADS -c$CONNECTIONS, HTTP" "$(med "${H_WRK[@]}")" "CPU $(med "${H_WRK_CPU[@]}") us, nginx $(med "${H_NGINX_WRK[@]}") us  [${H_WRK[*]}]"
row "ugw signed, HTTP" "$(med "${H_UGW[@]}")" "CPU $(med "${H_UGW_CPU[@]}") us, nginx $(med "${H_NGINX_UGW[@]}") us  [${H_UGW[*]}]"
row "ugw unsigned, HTTP" "$(med "${U_UGW[@]}")" "CPU $(med "${U_UGW_CPU[@]}") us  [${U_UGW[*]}]"
row "wrk -t$WRK_THREADS -c$CONNECTIONS, HTTPS" "$(med "${S_WRK[@]}")" "CPU $(med "${S_WRK_CPU[@]}") us  [${S_WRK[*]}]"
row "ugw signed, HTTPS" "$(med "${S_UGW[@]}")" "CPU $(med "${S_UGW_CPU[@]}") us  [${S_UGW[*]}]"
row "wrk -c256, /slow (50 ms)" "$(med "${L_WRK[@]}")" "p50 $SLOW_P50 us  [${L_WRK[*]}]"
row "receiver cap: 256 / wrk's p50 on /slow" "$SLOW_CAP" "[${L_CAP[*]}]"
row "ugw signed, 256 in flight, /slow" "$(med "${L_256[@]}")" "CPU $(med "${L_256_CPU[@]}") us  [${L_256[*]}]"
row "ugw signed, 16 in flight, /slow" "$(med "${L_16[@]}")" "CPU $(med "${L_16_CPU[@]}") us  [${L_16[*]}]"
[ "$CURL_EVENTS" -gt 0 ] && row "curl, one process per event ($CURL_EVENTS)" "$CURL_EPS" ""
echo
echo "== targets (ratio of the medians; the per-round ratios in brackets)"
tgt() { printf '  %-44s %7s   target %-7s %s   [%s]\n' "$@"; }
tgt "ugw / wrk requests/s, HTTP" "$R_HTTP" ">= 0.7" "${VERDICTS[0]}" "${H_R[*]}"
tgt "ugw / wrk requests/s, HTTPS" "$R_HTTPS" ">= 0.7" "${VERDICTS[1]}" "${S_R[*]}"
tgt "ugw / wrk CPU per request, HTTP" "$C_HTTP" "<= 1.5" "${VERDICTS[2]}" "${H_RC[*]}"
tgt "ugw / wrk CPU per request, HTTPS" "$C_HTTPS" "<= 1.5" "${VERDICTS[3]}" "${S_RC[*]}"
tgt "256 in flight on /slow / (256 / 50 ms)" "$R_SLOW" ">= 0.97" "${VERDICTS[4]}" "${L_R[*]}"
tgt "CPU per event, 256 / 16 in flight" "$C_SLOW" "<= 1.0" "${VERDICTS[5]}" "${L_RC[*]}"
info() { printf '  %-44s %7s   %-21s   [%s]\n' "$@"; }
info "256 in flight / receiver cap (256 / p50)" "$R_SLOW_CAP" "(information)" "${L_RCAP[*]}"
info "wrk -c256 / receiver cap (256 / p50)" "$W_SLOW_CAP" "(information)" "${L_WCAP[*]}"
[ "$CURL_EVENTS" -gt 0 ] && tgt "ugw signed / curl per event" "$R_CURL" ">= 100" "${VERDICTS[6]}" ""
if [ -n "$BACKLOG_LINE" ]; then
    row "backlog of $BACKLOG_EVENTS: events/s" "$(field eps <<<"$BACKLOG_LINE")" ""
    row "backlog peak RSS (ru_maxrss, kB)" "$(field maxrss_kb <<<"$BACKLOG_LINE")" \
        "before the client: $(field hwm_before_kb <<<"$BACKLOG_LINE") kB"
fi

if [ "$CHECK" = 1 ] && printf '%s\n' "${VERDICTS[@]}" | grep -q MISS; then
    exit 1
fi
exit 0
