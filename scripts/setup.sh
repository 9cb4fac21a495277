#!/usr/bin/env bash
# Installs, from Debian 12's archive, what building and testing ugw needs and
# this machine lacks. Needs root (or sudo). Safe to run again.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libjsmn-dev libmsgpack-dev libcurl4-openssl-dev libssl-dev libmicrohttpd-dev libsqlite3-dev
  python3 python3-jinja2 openssl
  libcmocka-dev
  libcjson-dev libjansson-dev libmsgpuck-dev
  clang libclang-rt-14-dev valgrind
  python3-jsonschema python3-msgpack nodejs
  prometheus chromium tmux
  nats-server libnats-dev
  hyperfine
  nginx-light wrk
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm: Debian's package, unless the installed nodejs brings its own.
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages are installed"
  exit 0
fi
echo "setup: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update
$sudo apt-get install -y --no-install-recommends "${missing[@]}"
