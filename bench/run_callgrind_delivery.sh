#!/usr/bin/env bash
# Instructions per delivered event of the delivery client, under callgrind
# (noise-free, unlike rates on a shared machine), over HTTP and over HTTPS,
# beside wrk's per request against the same nginx (bench/nginx_delivery.conf,
# `return 204`, a self-signed certificate for 127.0.0.1 made for the run
# and verified by the client).
#
# For each protocol bench_delivery sends EVENTS signed events with one
# delivery thread and 16 in flight, and once more EVENTS/4; wrk -t1 -c16
# POSTs the same bodies and headers (bench/wrk_post.lua) for WRK_LONG and
# WRK_SHORT seconds. Printed:
#   - for the EVENTS run of each protocol: the whole process per event
#     (start-up included), the inclusive cost of the parts of an event, and
#     the most expensive functions by themselves;
#   - the table of bench/callgrind_split.py: the difference of the two runs
#     of each client divided by the difference of their requests (start-up,
#     handshakes and certificate checks taken out), split into record crypto,
#     OpenSSL's SSL layer, libcurl's TLS calls, libcurl's transfer work,
#     signing, malloc/free, and each library's own instructions.
#
#   bench/run_callgrind_delivery.sh BENCH_DELIVERY [EXTRA_ARGS...]
#
# BENCH_DELIVERY is a built bench/bench_delivery (RelWithDebInfo gives the
# function names of ugw; libcurl and libcrypto are named by their symbols).
# EXTRA_ARGS go to bench_delivery (e.g. --unsigned). Environment: EVENTS
# [8000], PROTOS ["http https"], WRK [1] (0: no wrk), WRK_SHORT [2],
# WRK_LONG [8] (seconds), KEEP [0] (1: keep the callgrind outputs, their
# folder is printed). Needs valgrind, nginx-light, openssl, curl, python3
# (and wrk). About three minutes.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ $# -lt 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 path/to/bench_delivery [EXTRA_ARGS...]" >&2
    exit 2
fi
BENCH=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shift
EVENTS=${EVENTS:-8000}
SMALL=$((EVENTS / 4))
PROTOS=${PROTOS:-http https}
WRK=${WRK:-1}
WRK_SHORT=${WRK_SHORT:-2}
WRK_LONG=${WRK_LONG:-8}
KEEP=${KEEP:-0}
for tool in valgrind callgrind_annotate nginx curl python3 openssl; do
    command -v "$tool" >/dev/null || { echo "$0: $tool not found (apt-get install valgrind nginx-light curl openssl)" >&2; exit 2; }
done
if [ "$WRK" = 1 ] && ! command -v wrk >/dev/null; then
    echo "$0: wrk not found (apt-get install wrk), or run with WRK=0" >&2
    exit 2
fi

cd "$ROOT"
tmp=$(mktemp -d)
. bench/nginx_lib.sh
cleanup() { nginx_stop "$tmp/nginx"; [ "$KEEP" = 1 ] || rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$tmp/nginx"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$tmp/nginx/key.pem" -out "$tmp/nginx/cert.pem" \
    >/dev/null 2>&1 || { echo "$0: openssl could not make a certificate" >&2; exit 2; }
NGINX_TEMPLATE=bench/nginx_delivery.conf nginx_start "$tmp/nginx" 1 || { echo "$0: nginx did not start" >&2; exit 2; }
HTTP_URL=$URL
HTTPS_URL=https://127.0.0.1:$TLS_PORT/hook
mkdir -p "$tmp/bodies"
"$BENCH" --write-bodies "$tmp/bodies" "$@" >/dev/null || { echo "$0: bench_delivery --write-bodies failed" >&2; exit 1; }

per() { awk -v v="$1" -v n="$2" 'BEGIN { printf "%\047.0f", v / n }'; }
ugw_run() { # url events out
    valgrind --tool=callgrind --callgrind-out-file="$3" "$BENCH" --url "$1" --events "$2" \
        --repeats 1 --warmup 0 --threads 1 --in-flight 16 --ca-file "$tmp/nginx/cert.pem" "${EXTRA[@]}" \
        >"$tmp/bench.log" 2>"$tmp/valgrind.log" || { cat "$tmp/bench.log" "$tmp/valgrind.log" >&2; exit 1; }
    grep -q '^RESULT' "$tmp/bench.log" || { cat "$tmp/bench.log" >&2; exit 1; }
}
wrk_run() { # url seconds out; prints the requests made
    local line
    line=$(UGW_BENCH_BODIES="$tmp/bodies" valgrind --tool=callgrind --callgrind-out-file="$3" \
        wrk -t1 -c16 -d"$2"s -s bench/wrk_post.lua "$1" 2>"$tmp/valgrind.log" | grep '^WRK_RESULT') \
        || { cat "$tmp/valgrind.log" >&2; exit 1; }
    sed -n 's/.* requests=\([0-9]*\) .*errors=0 status_errors=0 .*/\1/p' <<<"$line" | grep . \
        || { echo "$0: wrk saw errors: $line" >&2; exit 1; }
}
# Inclusive counts of the parts of an event, and the top functions by themselves.
parts() { # out events
    local out=$1 n=$2 total v
    callgrind_annotate --inclusive=yes --threshold=100 "$out" 2>/dev/null >"$tmp/incl.txt"
    callgrind_annotate --inclusive=no --threshold=100 "$out" 2>/dev/null >"$tmp/self.txt"
    total=$(sed -n 's/^ *\([0-9,]*\) .*PROGRAM TOTALS.*/\1/p' "$tmp/incl.txt" | tr -d ,)
    printf '%-52s %12s\n' "where" "Ir/event"
    printf '%-52s %12s\n' "whole process (start-up included)" "$(per "$total" "$n")"
    for f in curl_multi_socket_action SSL_write SSL_read ERR_clear_error ugw__client_start_attempt \
             ugw_webhook_signer_sign curl_multi_add_handle ugw__client_attempt_off curl_multi_remove_handle \
             ugw_client_enqueue_body ugw__client_deliver_outcomes ugw_events_client_enqueue; do
        v=$(awk -v pat="[ :]$f( |\$|'|\\\\()" '$0 ~ pat { gsub(",", "", $1); print $1; exit }' "$tmp/incl.txt")
        [ -n "$v" ] && printf '  %-50s %12s\n' "$f (inclusive)" "$(per "$v" "$n")"
    done
    echo "self, the top 20:"
    awk '/^-+$/ { n++; next } n >= 2 && NF >= 2 && $1 ~ /^[0-9,]+$/ && !/PROGRAM TOTALS/ && k++ < 20' \
        "$tmp/self.txt" | while read -r ir rest; do
            printf '  %-70s %10s\n' "$(cut -c1-70 <<<"$rest")" "$(per "${ir//,/}" "$n")"
        done
}

EXTRA=("$@")
SPLIT=()
for proto in $PROTOS; do
    case $proto in
        http) url=$HTTP_URL ;;
        https) url=$HTTPS_URL ;;
        *) echo "$0: PROTOS: http or https, not $proto" >&2; exit 2 ;;
    esac
    ugw_run "$url" "$SMALL" "$tmp/ugw.$proto.small"
    ugw_run "$url" "$EVENTS" "$tmp/ugw.$proto.big"
    echo "== bench_delivery $* --events $EVENTS --threads 1 --in-flight 16, $url"
    parts "$tmp/ugw.$proto.big" "$EVENTS"
    SPLIT+=("ugw $proto" "$tmp/ugw.$proto.small" "$SMALL" "$tmp/ugw.$proto.big" "$EVENTS")
    if [ "$WRK" = 1 ]; then
        ws=$(wrk_run "$url" "$WRK_SHORT" "$tmp/wrk.$proto.small")
        wl=$(wrk_run "$url" "$WRK_LONG" "$tmp/wrk.$proto.big")
        SPLIT+=("wrk $proto" "$tmp/wrk.$proto.small" "$ws" "$tmp/wrk.$proto.big" "$wl")
    fi
done
echo
echo "== per request, start-up excluded (runs of $SMALL and $EVENTS events; wrk ${WRK_SHORT}s and ${WRK_LONG}s)"
python3 bench/callgrind_split.py "${SPLIT[@]}"
[ "$KEEP" = 1 ] && echo "callgrind outputs: $tmp"
exit 0
