#!/usr/bin/env bash
# The package as another project sees it, from a fresh copy of the sources:
#
#   bash tests/package/run.sh [SRC]      (SRC: a clean clone; default this tree)
#
#  1. static and shared builds installed to temporary prefixes;
#  2. each examples/ project built against each by find_package and run:
#     the sender delivers to the receiver, the own-schema app encodes, decodes
#     and delivers its events and the bundled ones (a two-schema program), and
#     the command ugw_generate(... CLI ...) built validates its own fixtures;
#  3. pkg-config one-file programs against both prefixes;
#  4. `nm -D` of every shared library shows ugw_ names and nothing else, the
#     commands module its entry alone; the installed `ugw validate` loads no
#     network or crypto library (LD_DEBUG=files) and `ugw sign` its module;
#  5. every installed header compiles as C++11 with -pedantic-errors;
#  6. add_subdirectory() and FetchContent() consumers, which must write
#     nothing into the source tree, and a codec-only build;
#  7. the installed generator launcher, ugw-codegen, also over a schema that
#     includes the installed bundled schema (include = ["ugw:events.toml"]).
# Exits non-zero at the first failure; servers it starts are stopped on exit.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "${1:-$here/../..}" && pwd)
work=$(mktemp -d /tmp/ugw-package.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
step() { printf '\n---- package: %s\n' "$*"; }
fail() { echo "package test FAILED: $*" >&2; exit 1; }
# grep that reads all its input: `cmd | grep -q` can kill cmd with SIGPIPE,
# which pipefail turns into a failure.
has() { grep "$@" >/dev/null; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_port() { # wait_port PORT: until something listens (10 s at most)
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    fail "nothing listens on port $1"
}
gen_flags=(-DUGW_BUILD_TESTS=OFF -DUGW_BUILD_BENCH=OFF -DUGW_REGENERATE=OFF)
before=$(cd "$src" && git status --porcelain 2>/dev/null || true)

for kind in static shared; do
    shared=OFF; [ "$kind" = shared ] && shared=ON
    P=$work/prefix-$kind
    step "$kind build, installed to a prefix"
    cmake -S "$src" -B "$work/build-$kind" -DCMAKE_INSTALL_PREFIX="$P" -DBUILD_SHARED_LIBS=$shared \
          "${gen_flags[@]}" >/dev/null
    cmake --build "$work/build-$kind" -j2 >/dev/null
    cmake --install "$work/build-$kind" >/dev/null
    for f in include/ugw/ugw_events.h include/ugw/ugw_client.h include/ugw/ugw_webhook.h \
             include/ugw/ugw_runtime.h include/ugw/ugw_generated_support.h include/ugw/ugw_cli.h bin/ugw bin/ugw-codegen \
             include/ugw/ugw_receiver.h include/ugw/ugw_receiver_mhd.h include/ugw/ugw_metrics_http.h \
             lib/pkgconfig/ugw-receiver.pc \
             lib/cmake/ugw/ugwConfig.cmake lib/cmake/ugw/ugwConfigVersion.cmake \
             lib/pkgconfig/ugw.pc lib/pkgconfig/ugw-client.pc share/man/man1/ugw.1 \
             include/ugw/ugw_relay.h lib/pkgconfig/ugw-relay.pc \
             share/ugw/codegen/ugw_codegen.py share/ugw/schema/events.toml share/doc/ugw/LICENSE; do
        [ -e "$P/$f" ] || fail "$kind install lacks $f"
    done
    step "$kind: ugw validate loads the codec alone; the commands module the rest"
    [ -f "$P/lib/ugw/ugw-commands.so" ] || fail "$kind install lacks lib/ugw/ugw-commands.so"
    bad=$(nm -D --defined-only "$P/lib/ugw/ugw-commands.so" | awk '{print $3}' | grep -vx ugw_cli_module || true)
    [ -z "$bad" ] || fail "ugw-commands.so exports more than its entry: $bad"
    LD_DEBUG=files LD_DEBUG_OUTPUT="$work/ld-$kind" "$P/bin/ugw" validate "$src/generated/fixtures/valid/nps_score_submit.json"
    loaded=$(grep -ho 'file=[^ ]* \[[0-9]*\];  generating link map' "$work/ld-$kind".* | awk '{print $1}')
    rm -f "$work/ld-$kind".*
    ! has -E 'curl|microhttpd|nats|sqlite|crypto|ssl|ugw-commands' <<<"$loaded" \
        || fail "$kind ugw validate loaded: $(echo $loaded)"
    echo "ugw validate loaded $(wc -l <<<"$loaded") objects: $(echo ${loaded//file=/})"
    UGW_SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw "$P/bin/ugw" sign --id msg_1 --timestamp 1700000000 \
        "$src/generated/fixtures/valid/nps_score_submit.json" | has '^v1,' || fail "$kind installed ugw sign"
    if [ "$kind" = shared ]; then
        ls "$P"/lib/libugw_runtime.so.0* >/dev/null || fail "no versioned libugw_runtime.so"
        [ "$(readlink "$P/lib/libugw_runtime.so")" = libugw_runtime.so.0 ] || fail "SONAME link is not .so.0"
        step "nm -D exports ugw_ names only"
        for lib in "$P"/lib/libugw_*.so; do
            bad=$(nm -D --defined-only "$lib" | awk '{print $3}' | grep -v '^ugw_' || true)
            [ -z "$bad" ] || fail "$lib exports non-ugw names: $bad"
            n=$(nm -D --defined-only "$lib" | wc -l)
            echo "$(basename "$lib"): $n exported symbols, all ugw_"
        done
    fi

    step "$kind: examples by find_package"
    for ex in sender receiver own-schema; do
        cmake -S "$src/examples/$ex" -B "$work/ex-$kind-$ex" -DCMAKE_PREFIX_PATH="$P" >/dev/null
        cmake --build "$work/ex-$kind-$ex" -j2 >/dev/null
    done
    secret=$("$P/bin/ugw" sign --help >/dev/null 2>&1; python3 -c 'import base64,os; print("whsec_" + base64.b64encode(os.urandom(32)).decode())')
    port=$(free_port)
    UGW_SECRET=$secret "$work/ex-$kind-receiver/receiver" "$port" 1 >"$work/receiver.out" 2>&1 &
    rpid=$!; pids+=("$rpid")
    wait_port "$port"
    "$work/ex-$kind-sender/sender" "http://127.0.0.1:$port/" "$secret"
    wait "$rpid" || fail "receiver exited with $?"
    grep -q 'nps score submit (userguiding) (json)' "$work/receiver.out" || fail "receiver did not get the event"
    cat "$work/receiver.out"

    step "$kind: own schema: two schemas in one program, delivered to their own commands"
    exb=$work/ex-$kind-own-schema
    "$exb/app"
    "$exb/acme-ugw" validate --strict "$exb"/acme_generated/fixtures/valid/*
    if "$exb/acme-ugw" validate "$src/generated/fixtures/valid/guide_preview_start.json" >/dev/null 2>&1; then
        fail "acme-ugw accepted a UserGuiding event"
    fi
    pa=$(free_port); pu=$(free_port)
    "$exb/acme-ugw" serve --listen "127.0.0.1:$pa" --out "$work/acme.jsonl" --quiet &
    pids+=($!); apid=$!
    "$P/bin/ugw" serve --listen "127.0.0.1:$pu" --out "$work/ugw.jsonl" --quiet &
    pids+=($!); upid=$!
    wait_port "$pa"; wait_port "$pu"
    "$exb/app" "http://127.0.0.1:$pa/" "http://127.0.0.1:$pu/"
    kill -TERM "$apid" "$upid"; wait "$apid" "$upid" || true
    grep -q '"invoice paid (acme)"' "$work/acme.jsonl" || fail "acme-ugw serve did not store the acme event"
    grep -q '"guide started (userguiding)"' "$work/ugw.jsonl" || fail "ugw serve did not store the bundled event"

    if [ "$kind" = static ]; then
        step "ugw_generate regenerates when the schema changes, into the build tree only"
        cp -r "$src/examples/own-schema" "$work/own-copy"
        cmake -S "$work/own-copy" -B "$work/own-copy-b" -DCMAKE_PREFIX_PATH="$P" >/dev/null
        cmake --build "$work/own-copy-b" -j2 >/dev/null
        ! grep -q ACME_EVENT_SEAT_ADD "$work/own-copy-b/acme_generated/acme_events.h" || fail "event there too early"
        printf '\n[[event]]\nid = "seat_add"\nevent = "seat added (acme)"\ndescription = "A seat was added."\nfields = ["accountId", "seats"]\n' \
            >>"$work/own-copy/acme.toml"
        cmake --build "$work/own-copy-b" -j2 >/dev/null
        grep -q ACME_EVENT_SEAT_ADD "$work/own-copy-b/acme_generated/acme_events.h" || fail "no regeneration"
        "$work/own-copy-b/acme-ugw" validate --strict "$work/own-copy-b/acme_generated/fixtures/valid/seat_add.json"
        [ -z "$(find "$work/own-copy" -newer "$work/own-copy/acme.toml" -type f)" ] || fail "generated into the source tree"
    fi

    step "$kind: pkg-config one-file programs"
    cat >"$work/pc.c" <<'EOF'
#include <stdio.h>
#include <ugw/ugw_events.h>
int main(void)
{
    ugw_event ev = ugw_event_init(UGW_EVENT_NPS_SCORE_SUBMIT);
    char buf[512];
    size_t len;
    ev.u.nps_score_submit.user_id = UGW_STR("u");
    ev.u.nps_score_submit.page_url = UGW_STR("https://a.example/");
    ev.u.nps_score_submit.question = UGW_STR("q");
    ev.u.nps_score_submit.score = 10;
    if (ugw_encode_json(&ev, buf, sizeof buf, &len, NULL) != UGW_OK || ugw_version() != UGW_VERSION_HEX)
        return 1;
    printf("%.*s\n", (int)len, buf);
    return 0;
}
EOF
    cat >"$work/pc-client.c" <<'EOF'
#include <stdio.h>
#include <ugw/ugw_webhook.h>
int main(void)
{
    char id[UGW_WEBHOOK_ID_MAX];
    return ugw_webhook_id_new(id) == UGW_OK && printf("%s\n", id) > 0 ? 0 : 1;
}
EOF
    cat >"$work/pc-relay.c" <<'EOF'
#include <stdio.h>
#include <ugw/ugw_relay.h>
int main(void)
{
    ugw_read_error err;
    ugw_relay_endpoints *e = ugw_relay_endpoints_parse("main http://127.0.0.1:1/\n", 25, &err);
    int ok = e && ugw_relay_name_check("main", 4) && printf("%s\n", ugw_relay_endpoints_at(e, 0)->name) > 0;
    ugw_relay_endpoints_free(e);
    return ok ? 0 : 1;
}
EOF
    export PKG_CONFIG_PATH=$P/lib/pkgconfig
    # shellcheck disable=SC2046
    cc -std=c11 -Wall -Wextra -Werror "$work/pc.c" -o "$work/pc" $(pkg-config --cflags --libs ugw) -Wl,-rpath,"$P/lib"
    "$work/pc" | has '"score":10' || fail "pkg-config program"
    # shellcheck disable=SC2046
    cc -std=c11 -Wall -Wextra -Werror "$work/pc-client.c" -o "$work/pc-client" $(pkg-config --cflags --libs ugw-client) -Wl,-rpath,"$P/lib"
    "$work/pc-client" | has '^msg_' || fail "pkg-config client program"
    # shellcheck disable=SC2046
    cc -std=c11 -Wall -Wextra -Werror "$work/pc-relay.c" -o "$work/pc-relay" $(pkg-config --cflags --libs ugw-relay) -Wl,-rpath,"$P/lib"
    "$work/pc-relay" | has '^main$' || fail "pkg-config relay program"
    if [ "$kind" = shared ]; then
        ldd "$work/pc" | has "$P/lib/libugw_runtime.so.0" || fail "pc not linked to the shared runtime"
    else
        # The static libraries are position-independent: they link into a shared object.
        # shellcheck disable=SC2046
        cc -std=c11 -shared -fPIC "$work/pc-client.c" -o "$work/libpc.so" \
           -Wl,--whole-archive "$P/lib/libugw_client.a" "$P/lib/libugw_webhook.a" "$P/lib/libugw_events.a" \
           "$P/lib/libugw_runtime.a" -Wl,--no-whole-archive $(pkg-config --cflags --libs ugw-client) \
            || fail "static libraries are not position-independent"
    fi
    unset PKG_CONFIG_PATH

    step "$kind: the README's C snippets and commands, as written"
    mkdir -p "$work/readme-$kind"
    python3 "$here/readme_snippets.py" "$src/README.md" "$work/readme-$kind"
    export PKG_CONFIG_PATH=$P/lib/pkgconfig
    for c in "$work/readme-$kind"/snippet*.c; do
        # shellcheck disable=SC2046
        cc -std=c11 -Wall -Wextra -Werror "$c" -o "${c%.c}" $(pkg-config --cflags --libs ugw-client) \
           -Wl,-rpath,"$P/lib" || fail "README snippet $(basename "$c") does not compile"
    done
    unset PKG_CONFIG_PATH
    (cd "$work/readme-$kind" && ./snippet1) | has '^score 9$' || fail "README snippet 1"
    port=$(free_port)
    "$P/bin/ugw" serve --listen "127.0.0.1:$port" --secret "$secret" --out "$work/readme.jsonl" --quiet &
    spid=$!; pids+=("$spid")
    wait_port "$port"
    (cd "$work/readme-$kind" && UGW_URL="http://127.0.0.1:$port/" UGW_SECRET=$secret ./snippet2) \
        | has ' delivered, HTTP 204' || fail "README snippet 2 did not deliver"
    kill -TERM "$spid"; wait "$spid" || true
    # Nothing listening: the snippet gives up after its three attempts, in seconds.
    t0=$(date +%s)
    (cd "$work/readme-$kind" && UGW_URL="http://127.0.0.1:$(free_port)/" ./snippet2) | has ' attempts, HTTP 0' \
        || fail "README snippet 2 did not report the failure"
    [ $(( $(date +%s) - t0 )) -lt 30 ] || fail "README snippet 2 blocks on an unreachable host"
    [ -s "$work/readme-$kind/undelivered.jsonl" ] || fail "README snippet 2 wrote no dead letter"
    mkdir -p "$work/readme-$kind/build" && ln -sf "$P/bin/ugw" "$work/readme-$kind/build/ugw"
    ln -sf "$src/generated" "$work/readme-$kind/generated"
    (cd "$work/readme-$kind" && bash commands.sh >/dev/null) || fail "the README's example commands"

    step "$kind: every installed header as C++11"
    for h in "$P"/include/ugw/*.h; do
        printf '#include <ugw/%s>\nint main() { return 0; }\n' "$(basename "$h")" >"$work/h.cpp"
        g++ -std=c++11 -Wall -Wextra -pedantic-errors -Werror -I"$P/include" -c "$work/h.cpp" -o "$work/h.o" \
            || fail "$(basename "$h") does not compile as C++11"
    done
    echo "$(ls "$P"/include/ugw/*.h | wc -l) headers compile as C++11"

    step "$kind: the installed generator launcher"
    "$P/bin/ugw-codegen" --schema "$src/examples/own-schema/acme.toml" --check
    "$P/bin/ugw-codegen" --schema "$src/examples/own-schema/acme.toml" --prefix acme --out "$work/gen-$kind" --quiet
    [ -f "$work/gen-$kind/acme_events.h" ] || fail "ugw-codegen wrote no acme_events.h"
    # a schema that includes the bundled one, found beside the installed generator
    printf 'version = 1\ninclude = ["ugw:events.toml"]\n[[event]]\nid = "order"\nevent = "order (acme)"\ndescription = "d"\nfields = ["userId"]\n' \
        >"$work/extends-$kind.toml"
    "$P/bin/ugw-codegen" --schema "$work/extends-$kind.toml" --prefix acme --out "$work/ext-$kind" --quiet
    has -F 'ACME_EVENT_ORDER = 12,' "$work/ext-$kind/acme_events.h" || fail "the bundled schema was not included"
done

step "add_subdirectory and FetchContent consumers"
for mode in subdir fetch; do
    cmake -S "$here/consumer" -B "$work/consumer-$mode" -DUGW_SRC="$src" -DMODE=$mode >/dev/null
    cmake --build "$work/consumer-$mode" -j2 >/dev/null
    "$work/consumer-$mode/consumer"
done
after=$(cd "$src" && git status --porcelain 2>/dev/null || true)
[ "$before" = "$after" ] || fail "a consumer's build wrote into the source tree"

step "codec-only build: msgpack-c and jsmn, nothing else"
cmake --no-warn-unused-cli -S "$src" -B "$work/codec-only" -DUGW_BUILD_CLIENT=OFF "${gen_flags[@]}" \
      -DCMAKE_DISABLE_FIND_PACKAGE_CURL=ON -DCMAKE_DISABLE_FIND_PACKAGE_OpenSSL=ON >/dev/null
cmake --build "$work/codec-only" -j2 >/dev/null
[ -f "$work/codec-only/libugw_runtime.a" ] && [ -f "$work/codec-only/libugw_events.a" ] || fail "codec-only build"
[ ! -e "$work/codec-only/libugw_client.a" ] || fail "codec-only build made the client"

echo
echo "package: all checks passed"
