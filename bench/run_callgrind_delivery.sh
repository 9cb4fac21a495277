#!/usr/bin/env bash
# Instructions per delivered event of the delivery client, under callgrind
# (noise-free, unlike rates on a shared machine): bench_delivery sends
# EVENTS signed events over HTTP to a local nginx answering 204, with one
# delivery thread and 16 in flight, and the script divides callgrind's
# counts by EVENTS: the whole process (start-up included), then the
# inclusive cost of the parts of an event, then the most expensive
# functions by themselves.
#
#   bench/run_callgrind_delivery.sh BENCH_DELIVERY [EXTRA_ARGS...]
#
# BENCH_DELIVERY is a built bench/bench_delivery (RelWithDebInfo gives the
# function names of ugw; libcurl and libcrypto are named by their symbols).
# EXTRA_ARGS go to bench_delivery (e.g. --unsigned). Environment: EVENTS
# [4000], KEEP [0] (1: keep the callgrind output, its path is printed).
# Needs valgrind, nginx, curl and python3. About a minute.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ $# -lt 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 path/to/bench_delivery [EXTRA_ARGS...]" >&2
    exit 2
fi
BENCH=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shift
EVENTS=${EVENTS:-4000}
KEEP=${KEEP:-0}
for tool in valgrind callgrind_annotate nginx curl python3; do
    command -v "$tool" >/dev/null || { echo "$0: $tool not found (apt-get install valgrind nginx-light curl)" >&2; exit 2; }
done

cd "$ROOT"
tmp=$(mktemp -d)
. bench/nginx_lib.sh
cleanup() { nginx_stop "$tmp/nginx"; [ "$KEEP" = 1 ] || rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
nginx_start "$tmp/nginx" 1 || { echo "$0: nginx did not start" >&2; exit 2; }

out=$tmp/callgrind.out
valgrind --tool=callgrind --callgrind-out-file="$out" "$BENCH" --url "$URL" --events "$EVENTS" \
    --repeats 1 --warmup 0 --threads 1 --in-flight 16 "$@" >"$tmp/bench.log" 2>"$tmp/valgrind.log" \
    || { cat "$tmp/bench.log" "$tmp/valgrind.log" >&2; exit 1; }
grep -q '^RESULT' "$tmp/bench.log" || { cat "$tmp/bench.log" >&2; exit 1; }

# Inclusive counts per function (names without arguments), per event.
callgrind_annotate --inclusive=yes --threshold=100 "$out" 2>/dev/null >"$tmp/incl.txt"
callgrind_annotate --inclusive=no --threshold=100 "$out" 2>/dev/null >"$tmp/self.txt"
total=$(sed -n 's/^ *\([0-9,]*\) .*PROGRAM TOTALS.*/\1/p' "$tmp/incl.txt" | tr -d ,)
per() { awk -v v="$1" -v n="$EVENTS" 'BEGIN { printf "%\047.0f", v / n }'; }
incl() { # the inclusive count of the first function whose name matches
    awk -v pat="$1" '$0 ~ pat { gsub(",", "", $1); print $1; exit }' "$tmp/incl.txt"
}
echo "bench_delivery $* --events $EVENTS --threads 1 --in-flight 16, $URL"
printf '%-52s %12s\n' "where" "Ir/event"
printf '%-52s %12s\n' "whole process (start-up included)" "$(per "$total")"
for f in curl_multi_socket_action ugw__client_start_attempt ugw_webhook_signer_sign curl_multi_add_handle \
         curl_easy_setopt ugw__client_attempt_off curl_multi_remove_handle ugw_client_enqueue_body \
         ugw__client_deliver_outcomes ugw_events_client_enqueue 'malloc$' 'free$' getenv; do
    v=$(incl "[ :]$f( |\$|'|\\()")
    [ -n "$v" ] && printf '  %-50s %12s\n' "$f (inclusive)" "$(per "$v")"
done
echo "self, the top 25:"
awk '/^-+$/ { n++; next } n >= 2 && NF >= 2 && $1 ~ /^[0-9,]+$/' "$tmp/self.txt" | head -25 \
    | grep -v "PROGRAM TOTALS" | while read -r ir rest; do
        printf '  %-70s %10s\n' "$(cut -c1-70 <<<"$rest")" "$(per "${ir//,/}")"
    done
[ "$KEEP" = 1 ] && echo "callgrind output: $out"
exit 0
