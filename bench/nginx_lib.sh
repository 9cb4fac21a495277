# bench/nginx_lib.sh - nginx answering 204 on a free loopback port, for the
# benchmark scripts (sourced by run_delivery.sh and run_spool.sh).
#
#   nginx_start PREFIX WORKERS [CMD...]   starts nginx from bench/nginx.conf
#       (or the template in NGINX_TEMPLATE) with its own prefix (every path
#       inside PREFIX), CMD (e.g. taskset -c 1) in front; sets URL
#       (http://127.0.0.1:PORT/hook), TLS_PORT (a second free port, for
#       templates that listen on @TLS_PORT@) and NGINX_PID; returns 1 (after
#       printing its logs) when it does not answer 204
#   nginx_stop PREFIX                      stops it (QUIT, then KILL)
# Needs nginx, curl and python3; run from the source tree's root.

nginx_stop() {
    local prefix=$1 pid
    [ -f "$prefix/nginx.pid" ] || return 0
    pid=$(cat "$prefix/nginx.pid" 2>/dev/null) || return 0
    [ -n "$pid" ] || return 0
    kill -QUIT "$pid" 2>/dev/null || return 0
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || { rm -f "$prefix/nginx.pid"; return 0; }
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$prefix/nginx.pid"
}

nginx_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

nginx_start() {
    local prefix=$1 workers=$2 p port=
    shift 2
    mkdir -p "$prefix/tmp"
    for _ in 1 2 3 4 5; do
        p=$(nginx_free_port)
        TLS_PORT=$(nginx_free_port)
        sed -e "s/@PORT@/$p/g" -e "s/@TLS_PORT@/$TLS_PORT/g" -e "s/@WORKERS@/$workers/g" \
            "${NGINX_TEMPLATE:-bench/nginx.conf}" >"$prefix/nginx.conf"
        if "$@" nginx -p "$prefix" -c nginx.conf -e "$prefix/error.log" 2>>"$prefix/start.log"; then
            for _ in $(seq 50); do
                if [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST --data x "http://127.0.0.1:$p/hook")" = 204 ]; then
                    port=$p
                    break
                fi
                sleep 0.1
            done
            [ -n "$port" ] && break
            nginx_stop "$prefix"
        fi
    done
    if [ -z "$port" ]; then
        cat "$prefix/start.log" "$prefix/error.log" >&2 2>/dev/null || true
        return 1
    fi
    URL=http://127.0.0.1:$port/hook
    NGINX_PID=$(cat "$prefix/nginx.pid")
}
