#!/usr/bin/python3
"""Where a delivered request's instructions go, from two callgrind runs of
the same client that differ only in how many requests they made: the
difference of the two, divided by the difference of the requests, is the
cost of one more request with start-up (loading, handshakes, certificate
checks) taken out.

    callgrind_split.py LABEL SMALL.out N_SMALL BIG.out N_BIG [LABEL ...]

Each LABEL's column is split by call edges (inclusive costs of calls from
one library into another), so the rows of one block overlap as indented:

  - the client's TLS calls: SSL_write and SSL_read as called by the client
    (libcurl, or wrk), and of them the record crypto (EVP_Cipher* called by
    libssl: AES-GCM, which every TLS client pays), the client's BIO
    callbacks (socket reads and writes that OpenSSL calls back into
    libcurl for), the allocations OpenSSL makes for them (CRYPTO_malloc,
    CRYPTO_zalloc, CRYPTO_free, CRYPTO_realloc called by libssl), and the
    rest: OpenSSL's SSL layer;
  - other OpenSSL calls straight from the client (ERR_clear_error before
    every SSL call, SSL_pending, SSL_get_error, BIO_get_data);
  - signing (ugw_webhook_signer_sign);
  - malloc and free: every instruction of glibc's malloc.c, whoever called;
  - the rest of the client's own library (libcurl or wrk with LuaJIT):
    self cost by object.
Standard library only (no callgrind_annotate needed).
"""
import re
import sys

NAME = re.compile(r"^\((\d+)\)(?: (.*))?$")
MALLOC = re.compile(r"^(malloc|free|calloc|realloc|cfree|_int_\w+|malloc_consolidate|unlink_chunk.*|sysmalloc"
                    r"|systrim.*|heap_trim|shrink_heap|tcache\w*|arena_get2.*|__libc_(malloc|free|calloc|realloc))$")
CIPHER = re.compile(r"^(EVP_Cipher\w*|EVP_(En|De)crypt\w*|EVP_CIPHER_CTX_ctrl)$")
SOCKET_IO = ("read", "write", "recv", "send", "recvfrom", "sendto", "__libc_read", "__libc_write")
CRYPTO_ALLOC = re.compile(r"^CRYPTO_(malloc|zalloc|free|realloc|clear_free|clear_realloc)$")


def parse(path):
    """Self cost per (object, function) and (count, inclusive cost) per call
    edge (object, function, called object, called function)."""
    names = {"ob": {}, "fn": {}, "fl": {}}
    ob = fn = cob = cfn = None
    selfc, edges, call = {}, {}, None

    def name(kind, val):
        m = NAME.match(val)
        if not m:
            return val
        if m.group(2) is not None:
            names[kind][m.group(1)] = m.group(2)
            return m.group(2)
        return names[kind].get(m.group(1), "?")

    with open(path, errors="replace") as f:
        for line in f:
            c = line[:1]
            if c.isdigit() or c in "+-*":
                parts = line.split()
                cost = int(parts[1]) if len(parts) > 1 else 0
                if call:
                    e = edges.setdefault((ob, fn) + call[:2], [0, 0])
                    e[0] += call[2]
                    e[1] += cost
                    call = None
                else:
                    selfc[(ob, fn)] = selfc.get((ob, fn), 0) + cost
                continue
            key, eq, val = line.rstrip("\n").partition("=")
            if not eq:
                continue
            if key == "ob":
                ob = name("ob", val)
            elif key == "fn":
                fn, cob = name("fn", val), None
            elif key == "cob":
                cob = name("ob", val)
            elif key == "cfn":
                cfn = name("fn", val)
            elif key in ("fl", "fi", "fe", "cfl", "cfi"):
                name("fl", val)
            elif key == "calls":
                call = (cob if cob is not None else ob, cfn, int(val.split()[0]))
                cob = None
    return selfc, edges


def lib(obj):
    base = obj.rsplit("/", 1)[-1] if obj else "?"
    for short in ("libcurl", "libssl", "libcrypto", "libc.so", "libluajit", "ld-linux"):
        if base.startswith(short):
            return short
    return base


def measures(path):
    """Named sums of one run."""
    selfc, edges = parse(path)
    m = {"total": sum(selfc.values())}

    def add(k, v):
        m[k] = m.get(k, 0) + v

    for (o, f), c in selfc.items():
        lo = lib(o)
        if lo == "libc.so" and MALLOC.match(f or ""):
            add("malloc", c)
        add("self:" + lo, c)
    for (o, f, co, cf), (n, c) in edges.items():
        lo, lco = lib(o), lib(co)
        if lco == "libssl" and lo != "libssl" and cf in ("SSL_write", "SSL_read"):
            add("tls:" + cf, c)
            add("calls:" + cf, n)
        elif lco in ("libssl", "libcrypto") and lo in ("libcurl", "wrk"):
            add("other_ossl", c)
        if lo == "libssl" and lco == "libcrypto" and CIPHER.match(cf or ""):
            add("cipher", c)
        if lo == "libssl" and lco == "libcrypto" and CRYPTO_ALLOC.match(cf or ""):
            add("ssl_alloc", c)
        if lo == "libcrypto" and (lco == "libcurl" or lco == "libc.so" and cf in SOCKET_IO):
            add("bio_cb", c)
        if cf == "ugw_webhook_signer_sign" and f != cf:
            add("sign", c)
        if cf == "curl_multi_socket_action" and lo != "libcurl":
            add("curl", c)
    return m


def main(argv):
    if len(argv) < 5 or len(argv) % 5:
        sys.exit(__doc__)
    cols = []
    for i in range(0, len(argv), 5):
        label, small, ns, big, nb = argv[i:i + 5]
        a, b = measures(small), measures(big)
        n = int(nb) - int(ns)
        per = {k: (b.get(k, 0) - a.get(k, 0)) / n for k in set(a) | set(b)}
        cols.append((label, per))
    rows = [
        ("whole process", "total"),
        ("SSL_write + SSL_read, from the client (OpenSSL)", "tls"),
        ("  record crypto (EVP_Cipher* under libssl: AES-GCM)", "cipher"),
        ("  the client's BIO callbacks (socket I/O under OpenSSL)", "bio_cb"),
        ("  OpenSSL's allocations (CRYPTO_malloc/free under libssl)", "ssl_alloc"),
        ("  OpenSSL's SSL layer (the rest)", "ssl_layer"),
        ("other OpenSSL calls from the client (ERR_clear_error, ...)", "other_ossl"),
        ("libcurl's transfer work (curl_multi_socket_action)", "curl"),
        ("signing (ugw_webhook_signer_sign)", "sign"),
        ("malloc/free (glibc malloc.c, every caller)", "malloc"),
        ("self: libcurl", "self:libcurl"),
        ("self: libssl", "self:libssl"),
        ("self: libcrypto", "self:libcrypto"),
        ("self: libc", "self:libc.so"),
        ("self: wrk + LuaJIT", "self:wrk+lj"),
        ("self: ugw (the program)", "self:bench_delivery"),
    ]
    for _, p in cols:
        p["tls"] = p.get("tls:SSL_write", 0) + p.get("tls:SSL_read", 0)
        p["ssl_layer"] = p["tls"] - p.get("cipher", 0) - p.get("bio_cb", 0) - p.get("ssl_alloc", 0)
        p["self:wrk+lj"] = p.get("self:wrk", 0) + p.get("self:libluajit", 0)
    print("%-62s" % "instructions per request (start-up excluded)" + "".join("%14s" % c[0] for c in cols))
    for title, key in rows:
        vals = [p.get(key, 0) for _, p in cols]
        if not any(abs(v) >= 0.5 for v in vals):
            continue
        print("%-62s" % title + "".join("%14s" % format(round(v), ",") for v in vals))
    print("%-62s" % "SSL_write / SSL_read calls per request"
          + "".join("%14s" % ("%.2f / %.2f" % (p.get("calls:SSL_write", 0), p.get("calls:SSL_read", 0)))
                    for _, p in cols))


if __name__ == "__main__":
    main(sys.argv[1:])
