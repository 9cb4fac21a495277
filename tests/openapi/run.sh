#!/usr/bin/env bash
# The checks that need npm packages, pinned in package-lock.json and installed
# here with `npm ci` (node_modules/ is not in git):
#   1. the exported OpenAPI documents pass @redocly/cli lint (recommended
#      rules) with no error and no warning;
#   2. the Node receiver example (examples/validate/validate_event.mjs, ajv)
#      accepts every valid fixture and refuses the invalid corpus, but for
#      what JSON Schema cannot say (docs/SCHEMA_COMPAT.md).
# Usage: bash tests/openapi/run.sh   (needs node >= 18.17 and npm)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
gen=$root/generated
cd "$here"
npm ci --no-audit --no-fund

echo "== redocly lint"
out=$(./node_modules/.bin/redocly lint "$gen/openapi.json" "$gen/openapi.strict.json" 2>&1) || {
  echo "$out"; echo "tests/openapi: the OpenAPI documents do not lint clean" >&2; exit 1; }
echo "$out" | grep -v '^ *$'
if echo "$out" | grep -qi "warning"; then
  echo "tests/openapi: the linter warned" >&2; exit 1
fi

echo "== Node receiver example (ajv)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$root/examples/validate/validate_event.mjs" "$tmp/"
ln -s "$here/node_modules" "$tmp/node_modules"
valid=("$gen"/fixtures/valid/*.json)
node "$tmp/validate_event.mjs" "$gen/events.schema.json" "${valid[@]}" > "$tmp/valid.out"
[ "$(grep -c ': ok (' "$tmp/valid.out")" -eq "${#valid[@]}" ] || { cat "$tmp/valid.out"; exit 1; }
echo "${#valid[@]} valid fixtures accepted"
# The invalid corpus but for the strict-only cases and what the schema cannot
# see: duplicate keys (JSON.parse keeps the last), depth and size limits,
# lengths in bytes.
mapfile -t invalid < <(awk -F'\t' -v d="$gen/fixtures/invalid/" '
  $1 ~ /\.json$/ && $4 != "strict" && $2 != "duplicate_key" && $2 != "depth" && $2 != "limit" \
  && $1 !~ /multibyte/ { print d $1 }' "$gen/fixtures/invalid/MANIFEST.tsv")
rc=0
node "$tmp/validate_event.mjs" "$gen/events.schema.json" "${invalid[@]}" > "$tmp/invalid.out" || rc=$?
[ "$rc" -eq 1 ] && [ "$(grep -c ': invalid: ' "$tmp/invalid.out")" -eq "${#invalid[@]}" ] || {
  cat "$tmp/invalid.out"; echo "tests/openapi: the Node example accepted an invalid document" >&2; exit 1; }
echo "${#invalid[@]} invalid documents refused"
# Strict: the strict-only cases are refused by the strict schema.
mapfile -t strict < <(awk -F'\t' -v d="$gen/fixtures/invalid/" '$1 ~ /\.json$/ && $4 == "strict" { print d $1 }' \
  "$gen/fixtures/invalid/MANIFEST.tsv")
rc=0
node "$tmp/validate_event.mjs" "$gen/events.strict.schema.json" "${strict[@]}" > "$tmp/strict.out" || rc=$?
[ "$rc" -eq 1 ] && [ "$(grep -c ': invalid: ' "$tmp/strict.out")" -eq "${#strict[@]}" ] || { cat "$tmp/strict.out"; exit 1; }
echo "${#strict[@]} strict-only documents refused by the strict schema"
