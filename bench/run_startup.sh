#!/usr/bin/env bash
# bench/run_startup.sh - what `ugw validate` of one small file costs to
# start, for one or more ugw executables side by side (e.g. two installed
# prefixes, before and after a change), with /bin/true as the floor of
# starting any dynamically linked program:
#   objects       shared objects the dynamic loader maps (LD_DEBUG=files)
#   instructions  executed by the whole process, dynamic loader included
#                 (callgrind; independent of the machine's load)
#   median ms     hyperfine (-N, no shell), ROUNDS rounds with the programs
#                 interleaved in each, RUNS runs per program per round: the
#                 median of the rounds' medians, and user + system CPU ms
#
# Usage: bench/run_startup.sh [UGW...]   (default: $BUILD_DIR/ugw; ~1 minute)
# Environment (defaults in brackets):
#   BUILD_DIR [build]  where the default ugw is (built there if missing)
#   FILE [generated/fixtures/valid/nps_score_submit.json]  the document
#   ROUNDS [3] RUNS [200]
# Exit: 0 when the run completed; 2 on a failure of the run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BUILD_DIR=${BUILD_DIR:-build}
FILE=${FILE:-generated/fixtures/valid/nps_score_submit.json}
ROUNDS=${ROUNDS:-3}
RUNS=${RUNS:-200}

die() { echo "run_startup: $*" >&2; exit 2; }
for tool in hyperfine valgrind python3; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install hyperfine valgrind python3)"
done
progs=("$@")
if [ ${#progs[@]} -eq 0 ]; then
    if [ ! -x "$BUILD_DIR/ugw" ]; then
        [ -f "$BUILD_DIR/CMakeCache.txt" ] || cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
        cmake --build "$BUILD_DIR" -j2 --target ugw_command >/dev/null
    fi
    progs=("$BUILD_DIR/ugw")
fi
[ -f "$FILE" ] || die "no document $FILE"
work=$(mktemp -d /tmp/ugw-startup.XXXXXX)
trap 'rm -rf "$work"' EXIT

cmds=("/bin/true")
for p in "${progs[@]}"; do
    [ -x "$p" ] || die "$p is not an executable"
    "$p" validate "$FILE" 2>/dev/null || die "$p validate $FILE failed"
    cmds+=("$p validate $FILE")
done

count_objects() { # the command line's mapped objects
    rm -f "$work"/ld.*
    # shellcheck disable=SC2086
    LD_DEBUG=files LD_DEBUG_OUTPUT="$work/ld" $1 >/dev/null 2>&1 || true
    cat "$work"/ld.* | grep -c 'generating link map' || true
}
count_instructions() {
    # shellcheck disable=SC2086
    valgrind --tool=callgrind --callgrind-out-file=/dev/null $1 2>&1 >/dev/null \
        | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

for r in $(seq "$ROUNDS"); do
    hyperfine -N --warmup 10 --runs "$RUNS" --export-json "$work/round-$r.json" "${cmds[@]}" >/dev/null 2>&1 \
        || die "hyperfine failed"
done
for i in "${!cmds[@]}"; do
    printf '%s\t%s\t%s\n' "${cmds[$i]}" "$(count_objects "${cmds[$i]}")" "$(count_instructions "${cmds[$i]}")"
done >"$work/counts.tsv"

python3 - "$work" "$ROUNDS" <<'EOF'
import json, os, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
counts = [l.rstrip("\n").split("\t") for l in open(os.path.join(work, "counts.tsv"))]
res = [json.load(open(os.path.join(work, "round-%d.json" % r)))["results"] for r in range(1, rounds + 1)]
print("load average: %s" % open("/proc/loadavg").read().split()[0])
print("| command | objects | instructions | median ms | user+sys ms |")
print("|---|---:|---:|---:|---:|")
for i, (cmd, objs, ins) in enumerate(counts):
    med = statistics.median(r[i]["median"] for r in res) * 1e3
    cpu = statistics.median(r[i]["user"] + r[i]["system"] for r in res) * 1e3
    print("| `%s` | %s | %s | %.2f | %.2f |" % (cmd, objs, "{:,}".format(int(ins)) if ins else "?", med, cpu))
EOF
