#!/usr/bin/env bash
# bench/run_relay.sh - end-to-end delivery through NATS JetStream.
#
# Starts nginx (bench/nginx.conf: `return 204`) and one nats-server with
# JetStream (file storage) on free loopback ports, with their own folders
# under the build folder, then in REPEATS interleaved rounds measures:
#   send     `ugw send` of EVENTS events straight to nginx (signed, the same
#            --concurrency as a relay's in-flight limit);
#   publish  `ugw relay publish` of EVENTS events into a fresh stream (each
#            publish waits for JetStream's acknowledgement);
#   relay1   one `ugw relay run` draining that stream into nginx: the time
#            from its start to its counters saying every event delivered;
#   relay2   the same with two relays sharing the durable consumer;
# and prints the medians, the ratio relay2 / relay1 against its target
# (>= 1.6) and relay1 / send, and the CPU time each drain cost per event
# (user + system, from /proc) in the relays, in nats-server and in nginx:
# the machine is shared, so rates move with the load and CPU per event does
# not. It also prints the messages per event into and out of nats-server
# (its monitoring port, /varz), the cores those three processes used, and
# how busy the whole machine was during the drains (/proc/stat): two relays
# can add only what the cores left free. The drains are watched by tail -F
# and awk reading the relays' logs, which costs next to no CPU.
# Every server is stopped at the end, also on failure or interruption.
#
# DELAY_MS > 0 makes nginx answer each request after that many ms (the echo
# module, Debian's libnginx-mod-http-echo), like a real receiver: a relay is
# then bound by its requests on the wire (IN_FLIGHT per relay), not by CPU.
#
# Usage: bench/run_relay.sh          (from anywhere; 2-4 minutes)
# Environment (defaults in brackets):
#   BUILD_DIR [build]  build folder; configured as Release when it has no
#                      CMakeCache.txt; the ugw command is built in it
#   EVENTS [20000] REPEATS [3] IN_FLIGHT [8] (per endpoint and relay)
#   DELAY_MS [0]       the receiver's answer time (0: at once)
#   CHECK [0]          1: exit 1 when relay2 / relay1 < 1.6
# Needs: nginx (Debian's nginx-light; with DELAY_MS, libnginx-mod-http-echo),
# nats-server, curl, python3.
# Exit: 0 done (and with CHECK=1 the target met), 1 target missed, 2 failure.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

BUILD_DIR=${BUILD_DIR:-build}
EVENTS=${EVENTS:-20000}
REPEATS=${REPEATS:-3}
IN_FLIGHT=${IN_FLIGHT:-8}
DELAY_MS=${DELAY_MS:-0}
CHECK=${CHECK:-0}
ECHO_MODULE=/usr/lib/nginx/modules/ngx_http_echo_module.so

die() { echo "run_relay: $*" >&2; exit 2; }
for tool in nginx nats-server curl cmake python3; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install nginx-light nats-server curl cmake python3)"
done

# ---------------------------------------------------------------- build
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
    cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null || die "cmake configure failed"
fi
cmake --build "$BUILD_DIR" --target ugw_command -j2 >/dev/null || die "building ugw failed"
UGW=$(cd "$BUILD_DIR" && pwd)/ugw
[ -x "$UGW" ] || die "$UGW not built"
BUILD_TYPE=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$BUILD_DIR/CMakeCache.txt")

WORK=$(cd "$BUILD_DIR" && pwd)/bench-relay
PREFIX=$WORK/nginx
rm -rf "$WORK"
mkdir -p "$PREFIX/tmp" "$WORK/js"

# ---------------------------------------------------------------- servers
PIDS=()
stop_all() {
    local pid
    for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    if [ -f "$PREFIX/nginx.pid" ]; then
        pid=$(cat "$PREFIX/nginx.pid" 2>/dev/null || true)
        [ -n "$pid" ] && kill -QUIT "$pid" 2>/dev/null || true
    fi
    wait 2>/dev/null || true
}
trap stop_all EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

PORT=$(free_port)
if [ "$DELAY_MS" -gt 0 ]; then
    [ -f "$ECHO_MODULE" ] || die "DELAY_MS needs nginx's echo module (apt-get install libnginx-mod-http-echo)"
    delay=$(awk -v ms="$DELAY_MS" 'BEGIN { printf "%.3f", ms / 1000 }')
    { echo "load_module $ECHO_MODULE;"
      sed -e "s/@PORT@/$PORT/g" -e "s/@WORKERS@/1/g" \
          -e "s|^            return 204;|            echo_sleep $delay;\n            echo_status 204;|" bench/nginx.conf
    } >"$PREFIX/nginx.conf"
    grep -q echo_sleep "$PREFIX/nginx.conf" || die "bench/nginx.conf has no 'return 204;' for the delay"
else
    sed -e "s/@PORT@/$PORT/g" -e "s/@WORKERS@/1/g" bench/nginx.conf >"$PREFIX/nginx.conf"
fi
nginx -p "$PREFIX" -c nginx.conf -e "$PREFIX/error.log" || die "nginx did not start"
for _ in $(seq 50); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST --data x "http://127.0.0.1:$PORT/hook")" = 204 ] && break
    sleep 0.1
done
URL=http://127.0.0.1:$PORT/hook

NPORT=$(free_port)
MPORT=$(free_port)
nats-server -a 127.0.0.1 -p "$NPORT" -m "$MPORT" -js -sd "$WORK/js" >"$WORK/nats.log" 2>&1 &
PIDS+=($!)
NATS_PID=$!
NGINX_WORKER=$(pgrep -P "$(cat "$PREFIX/nginx.pid")" | head -1)
TCK=$(getconf CLK_TCK)
# CPU time (user + system) of a process so far, in clock ticks.
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# The machine's busy and total clock ticks so far (all cores, /proc/stat).
machine() { awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t; exit }' /proc/stat; }
# nats-server's message and byte counters so far (its monitoring port):
# messages in (publishes of the clients: pull requests, acks), out.
varz() {
    curl -s "http://127.0.0.1:$MPORT/varz" | python3 -c 'import json, sys
v = json.load(sys.stdin); print(v["in_msgs"], v["out_msgs"])' 2>/dev/null || echo "0 0"
}
NATS=nats://127.0.0.1:$NPORT
for _ in $(seq 100); do
    "$UGW" relay init --nats "$NATS" --stream WARM --subject-prefix warm.ev --dead-subject warm.dead \
        >/dev/null 2>&1 && break
    sleep 0.1
done

# ---------------------------------------------------------------- inputs
umask 077
"$UGW" secret new >"$WORK/secret"
python3 - "$ROOT/generated/fixtures/valid" "$EVENTS" >"$WORK/events.jsonl" <<'EOF'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
docs = [b" ".join(open(os.path.join(d, f), "rb").read().split(b"\n")).strip()
        for f in sorted(os.listdir(d)) if f.endswith(".json")]
sys.stdout.buffer.write(b"".join(docs[i % len(docs)] + b"\n" for i in range(n)))
EOF
printf 'hook %s secret=%s in_flight=%s\n' "$URL" "$(cat "$WORK/secret")" "$IN_FLIGHT" >"$WORK/endpoints"

now() { date +%s.%N; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'; }
# The functions below leave their figure in RESULT (no subshells: the
# processes they start stay known to the EXIT trap).
RESULT=

# One round of the direct sender.
run_send() {
    local t0 t1
    t0=$(now)
    "$UGW" send --url "$URL" --secret-file "$WORK/secret" --concurrency "$IN_FLIGHT" "$WORK/events.jsonl" \
        2>"$WORK/send.log" || die "ugw send failed: $(tail -3 "$WORK/send.log")"
    t1=$(now)
    RESULT=$(rate "$EVENTS" "$t0" "$t1")
}

# Fills stream S$1 with EVENTS events; prints the publish rate.
fill() {
    local s=$1 t0 t1
    "$UGW" relay init --nats "$NATS" --stream "S$s" --subject-prefix "s$s.ev" --dead-subject "s$s.dead" \
        >/dev/null 2>&1 || die "relay init failed"
    t0=$(now)
    "$UGW" relay publish --nats "$NATS" --stream "S$s" --subject-prefix "s$s.ev" --endpoint hook \
        "$WORK/events.jsonl" 2>"$WORK/publish.log" || die "publish failed: $(tail -3 "$WORK/publish.log")"
    t1=$(now)
    RESULT=$(rate "$EVENTS" "$t0" "$t1")
}

# Drains stream S$1 with $2 relays; RESULT is events/s from their start to
# the moment their counters add up to EVENTS delivered, CPU the microseconds
# of CPU per event then spent by the relays, nats-server and nginx, MSGS the
# messages per event into and out of nats-server, BUSY the share of the
# machine's CPU (all cores, every process) in use meanwhile.
CPU= MSGS= BUSY=
drain() {
    local s=$1 k=$2 t0 t1 i d p sum pids=() n0 g0 rt=0 v0 v1 m0 m1
    v0=$(varz) m0=$(machine)
    n0=$(ticks "$NATS_PID") g0=$(ticks "$NGINX_WORKER")
    t0=$(now)
    for i in $(seq "$k"); do
        "$UGW" relay run --nats "$NATS" --stream "S$s" --subject-prefix "s$s.ev" --dead-subject "s$s.dead" \
            --endpoints "$WORK/endpoints" --stats 0.05 2>"$WORK/relay$s-$i.log" &
        pids+=($!)
        PIDS+=($!)
    done
    # `tail -F` (inotify) and one awk follow the relays' counter lines and
    # stop at the line that makes EVENTS. The shell loop this replaced forked
    # grep, tail, cut and sleep every 20 ms: 0.2 to 0.34 of a core here (more
    # with two relays), taken from the relays it timed; a Python watcher
    # cost 0.6 s of CPU just to start.
    logs=()
    for i in $(seq "$k"); do logs+=("$WORK/relay$s-$i.log"); done
    awk -v need="$EVENTS" '
        /^==> .* <==$/ { cur = $2; next }
        match($0, /, delivered [0-9]+/) {
            seen[cur] = substr($0, RSTART + 12, RLENGTH - 12) + 0
            sum = 0
            for (f in seen) sum += seen[f]
            if (sum >= need) { done = 1; exit }
        }
        END { exit !done }' < <(timeout 3600 tail -v -n +1 -F --pid="${pids[0]}" "${logs[@]}" 2>/dev/null) \
        || die "a relay stopped: $(tail -3 "$WORK/relay$s-1.log")"
    t1=$(now)
    m1=$(machine)
    for p in "${pids[@]}"; do rt=$((rt + $(ticks "$p"))); done
    CPU=$(awk -v r="$rt" -v n=$(($(ticks "$NATS_PID") - n0)) -v g=$(($(ticks "$NGINX_WORKER") - g0)) \
              -v t="$TCK" -v e="$EVENTS" 'BEGIN { f = 1e6 / t / e; printf "%.0f %.0f %.0f", r * f, n * f, g * f }')
    v1=$(varz)
    MSGS=$(awk -v a="$v0" -v b="$v1" -v e="$EVENTS" 'BEGIN { split(a, x, " "); split(b, y, " ");
                printf "%.2f %.2f", (y[1] - x[1]) / e, (y[2] - x[2]) / e }')
    BUSY=$(awk -v a="$m0" -v b="$m1" 'BEGIN { split(a, x, " "); split(b, y, " ");
                printf "%.0f", (y[2] > x[2]) ? 100 * (y[1] - x[1]) / (y[2] - x[2]) : 0 }')
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    RESULT=$(rate "$EVENTS" "$t0" "$t1")
}

median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

echo "run_relay: $EVENTS events, $REPEATS rounds, in-flight $IN_FLIGHT, receiver delay ${DELAY_MS} ms," \
     "build $BUILD_TYPE; nginx $URL, nats $NATS; load average $(cut -d' ' -f1-3 /proc/loadavg)"
S=() P=() R1=() R2=() C1R=() C1N=() C1G=() C2R=() C2N=() C2G=() M1I=() M1O=() M2I=() M2O=() B1=() B2=()
for round in $(seq "$REPEATS"); do
    run_send; S+=("$RESULT")
    fill "${round}a"; P+=("$RESULT")
    drain "${round}a" 1; R1+=("$RESULT")
    read -r a b c <<<"$CPU"; C1R+=("$a") C1N+=("$b") C1G+=("$c")
    read -r a b <<<"$MSGS"; M1I+=("$a") M1O+=("$b"); B1+=("$BUSY")
    fill "${round}b"; P+=("$RESULT")
    drain "${round}b" 2; R2+=("$RESULT")
    read -r a b c <<<"$CPU"; C2R+=("$a") C2N+=("$b") C2G+=("$c")
    read -r a b <<<"$MSGS"; M2I+=("$a") M2O+=("$b"); B2+=("$BUSY")
    echo "round $round: send ${S[-1]}/s, publish ${P[-1]}/s, one relay ${R1[-1]}/s" \
         "(CPU us/event: relay ${C1R[-1]}, nats ${C1N[-1]}, nginx ${C1G[-1]}; machine ${B1[-1]}% busy)," \
         "two relays ${R2[-1]}/s (relays ${C2R[-1]}, nats ${C2N[-1]}, nginx ${C2G[-1]}; machine ${B2[-1]}% busy);" \
         "load $(cut -d' ' -f1 /proc/loadavg)"
done
ms=$(median "${S[@]}") mp=$(median "${P[@]}") m1=$(median "${R1[@]}") m2=$(median "${R2[@]}")
ratio=$(awk -v a="$m2" -v b="$m1" 'BEGIN { printf "%.2f", a / b }')
vs_send=$(awk -v a="$m1" -v b="$ms" 'BEGIN { printf "%.2f", a / b }')
echo
echo "medians of $REPEATS rounds, events/s:"
echo "  ugw send straight to nginx     $ms"
echo "  ugw relay publish (R1 stream)  $mp"
echo "  one relay  -> nginx            $m1   ($vs_send x ugw send)"
echo "  two relays -> nginx            $m2   ($ratio x one relay; target >= 1.6)"
echo "CPU per event (medians, microseconds, user + system):"
echo "  one relay:  relay $(median "${C1R[@]}"), nats-server $(median "${C1N[@]}"), nginx $(median "${C1G[@]}")"
echo "  two relays: relays $(median "${C2R[@]}"), nats-server $(median "${C2N[@]}"), nginx $(median "${C2G[@]}")"
echo "messages per event into / out of nats-server (medians):"
echo "  one relay:  $(median "${M1I[@]}") / $(median "${M1O[@]}");  two relays: $(median "${M2I[@]}") / $(median "${M2O[@]}")"
cores() { awk -v r="$1" -v a="$2" -v b="$3" -v c="$4" 'BEGIN { printf "%.2f", r * (a + b + c) / 1e6 }'; }
echo "cores used by relays + nats-server + nginx (median rate x median CPU per event; the machine has $(nproc)):"
echo "  one relay:  $(cores "$m1" "$(median "${C1R[@]}")" "$(median "${C1N[@]}")" "$(median "${C1G[@]}")");" \
     " two relays: $(cores "$m2" "$(median "${C2R[@]}")" "$(median "${C2N[@]}")" "$(median "${C2G[@]}")")"
echo "machine CPU busy during the drains (all cores, every process; medians):"
echo "  one relay:  $(median "${B1[@]}")%;  two relays: $(median "${B2[@]}")%"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$CHECK" = 1 ] && awk -v r="$ratio" 'BEGIN { exit !(r < 1.6) }'; then
    echo "run_relay: target missed: two relays $ratio x one relay" >&2
    exit 1
fi
