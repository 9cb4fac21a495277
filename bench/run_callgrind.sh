#!/usr/bin/env bash
# Instructions per event of the codec benchmark's measurements, under
# callgrind (noise-free, unlike wall-clock on a shared machine), with the
# functions each one spends them in (inclusive, per event).
#
#   bench/run_callgrind.sh BENCH_CODEC [KEY...]
#
# BENCH_CODEC is a built bench/bench_codec (Release or RelWithDebInfo); KEYs
# are its --only keys (default: ours and the floors). Only the measured pass
# function is counted (--toggle-collect), so set-up, warm-up bookkeeping and
# the sanity check are left out; the number of passes is read from the call
# counts callgrind records. Functions under 3% of a pass are not listed;
# the self list shows code inlined from headers (jsmn.h) apart.
# Needs valgrind. Each key takes a few seconds.
set -euo pipefail

if [ $# -lt 1 ] || [ ! -x "$1" ]; then
  echo "usage: $0 path/to/bench_codec [KEY...]" >&2
  exit 2
fi
bench=$1
shift
keys=("$@")
if [ ${#keys[@]} -eq 0 ]; then
  keys=(ours-json-encode ours-json-decode ours-msgpack-encode ours-msgpack-decode ours-validate
        jsmn-parse msgpack-unpack-next)
fi
command -v valgrind >/dev/null || { echo "$0: needs valgrind (apt-get install valgrind)" >&2; exit 2; }

# The pass function of each key, from the program's own sources.
src=$(cd "$(dirname "$0")" && pwd)
pass_of() {
  grep -ho "\"$1\", \"[^\"]*\", [0-9], [A-Za-z_0-9(]*" "$src/bench_codec.c" | awk '{print $NF}' | sed 's/.*(//'
}
nev=$("$bench" --only ours-validate --repeats 1 --batch-ms 1 | sed -n 's/^ugw codec benchmark: \([0-9]*\) fixtures.*/\1/p')
[ -n "$nev" ] || { echo "$0: cannot read the fixture count from $bench" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%-28s %12s\n' "measurement" "Ir/event"
for k in "${keys[@]}"; do
  fn=$(pass_of "$k")
  if [ -z "$fn" ]; then
    echo "$0: unknown key $k (see $bench --help)" >&2
    exit 2
  fi
  out=$tmp/cg.$k
  valgrind --tool=callgrind --compress-strings=no --callgrind-out-file="$out" \
    --toggle-collect="$fn" "$bench" --only "$k" --repeats 1 --batch-ms 2 >/dev/null 2>"$out.log" \
    || { cat "$out.log" >&2; exit 2; }
  total=$(sed -n 's/^summary: //p' "$out")
  passes=$(awk -v fn="cfn=$fn" '$0 == fn { want = 1; next } want && /^calls=/ { split($0, a, /[= ]/); n += a[2] } { want = 0 } END { print n + 0 }' "$out")
  if [ "$passes" -eq 0 ]; then
    echo "$0: no call of $fn recorded for $k" >&2
    exit 2
  fi
  awk -v t="$total" -v p="$passes" -v e="$nev" -v k="$k" 'BEGIN { printf "%-28s %12.0f\n", k, t / p / e }'
  for mode in yes no; do
    [ $mode = yes ] && echo "  inclusive:" || echo "  self (file of the code, where the compiler inlined it):"
    callgrind_annotate --inclusive=$mode --auto=no "$out" 2>/dev/null \
      | awk -v t="$total" -v p="$passes" -v e="$nev" -v fn="$fn" -v self=$mode '
          /file:function/ { on = 1; next }
          on && /^ *[0-9,]+ \( *[0-9.]+%\)  / {
            ir = $1; gsub(/,/, "", ir); if (ir + 0 < 0.03 * t) next
            rest = $0; sub(/^ *[0-9,]+ \( *[0-9.]+%\)  /, "", rest); sub(/ \[.*$/, "", rest)
            if (rest ~ /:0x[0-9a-f]+$/) next
            name = rest; sub(/^.*:/, "", name)
            file = rest; sub(/:[^:]*$/, "", file); sub(/^.*\//, "", file)
            if (name == fn || name == "main" || name == "run_all" || name == "alloc_report" || name == "calibrate" || name ~ /^\(below/ || name ~ /libc_start/) next
            if (self == "no") name = name " (" file ")"
            if (seen[name]++) next
            printf "    %-48s %10.0f\n", name, ir / p / e
          }'
  done
done
