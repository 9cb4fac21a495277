"""serve_support.py - what the tests of the `ugw` command share: running it,
the fixtures, Standard Webhooks signatures computed with Python's own hmac
(not ugw's code), and `ugw serve` as a subprocess on a free loopback port
(--listen 127.0.0.1:0, the port read from its "listening on" line), killed
in tearDown, and the inspector's event stream read event by event.

Environment:
  UGW_BIN         path of the built `ugw` program (required)
  UGW_SOURCE_DIR  the source tree (default: the folder above this file)

Python 3.11+ standard library only.
"""

import base64
import hashlib
import hmac
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import threading
import time
import tomllib
import unittest
import urllib.error
import urllib.request

BIN = os.path.abspath(os.environ["UGW_BIN"]) if os.environ.get("UGW_BIN") else ""
SRC = os.environ.get("UGW_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VALID = os.path.join(SRC, "generated", "fixtures", "valid")
INVALID = os.path.join(SRC, "generated", "fixtures", "invalid")
MANIFEST = os.path.join(INVALID, "MANIFEST.tsv")

with open(os.path.join(SRC, "schema", "events.toml"), "rb") as _f:
    EVENT_IDS = [e["id"] for e in __import__("tomllib").load(_f)["event"]]

SUMMARY_RE = re.compile(rb"received (\d+), valid (\d+), invalid (\d+), unauthorized (\d+), duplicates (\d+)")
START_TIMEOUT = 10
STOP_TIMEOUT = 15




def setUpModule():
    if not BIN or not os.access(BIN, os.X_OK):
        raise RuntimeError("set UGW_BIN to the built ugw program (got %r)" % BIN)
    if not os.path.isdir(VALID):
        raise RuntimeError("no fixtures under %r: set UGW_SOURCE_DIR" % SRC)


def run(*args, stdin=b"", cwd=None):
    return subprocess.run([BIN, *args], input=stdin, capture_output=True, timeout=60, cwd=cwd)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def fixture(event_id, ext="json"):
    return read(os.path.join(VALID, "%s.%s" % (event_id, ext)))


def load_schema():
    with open(os.path.join(SRC, "schema", "events.toml"), "rb") as f:
        return tomllib.load(f)


def load_manifest():
    rows = []
    with open(MANIFEST, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            assert len(cols) == 4, "bad manifest row %r" % line
            rows.append(tuple(cols))
    return rows


def describe(p):
    return "exit %d, stdout %r, stderr %r" % (p.returncode, p.stdout[:600], p.stderr[:600])


def new_secret(nbytes=24, prefix=True):
    key = os.urandom(nbytes)
    return ("whsec_" if prefix else "") + base64.b64encode(key).decode(), key


def py_sign(key, msg_id, ts, body):
    """The Standard Webhooks signature, computed independently of ugw."""
    mac = hmac.new(key, ("%s.%s." % (msg_id, ts)).encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def write_tmp(tmpdir, name, data):
    path = os.path.join(tmpdir, name)
    with open(path, "wb") as f:
        f.write(data)
    return path



class Schema:
    """Event and field facts: names and order from the valid fixtures, types
    and limits from schema/events.toml."""

    def __init__(self):
        self.toml = load_schema()
        self.fields = self.toml["field"]
        self.events = []  # (schema id, wire, aliases, fixture object, optional names)
        for ev in self.toml["event"]:
            with open(os.path.join(VALID, ev["id"] + ".json"), "rb") as f:
                obj = json.loads(f.read())
            self.events.append((ev["id"], ev["event"], ev.get("aliases", []), obj, set(ev.get("optional", []))))

    def limits(self, name):
        f = self.fields[name]
        return f["type"], f.get("min", 0), f.get("max")


class Server:
    """`ugw serve` as a subprocess on a free loopback port."""

    def __init__(self, *args, expect_start=True, preexec_fn=None):
        self.args = [BIN, "serve", "--listen", "127.0.0.1:0", *args]
        self.proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, preexec_fn=preexec_fn)
        self.out, self.err = bytearray(), bytearray()
        self.started = threading.Event()
        self.url = None
        self._threads = [threading.Thread(target=self._pump, args=(self.proc.stdout, self.out), daemon=True),
                         threading.Thread(target=self._pump, args=(self.proc.stderr, self.err), daemon=True)]
        for t in self._threads:
            t.start()
        if expect_start:
            if not self.started.wait(START_TIMEOUT):
                self.kill()
                raise AssertionError("ugw serve did not start: %r" % bytes(self.err))
            m = re.search(rb"listening on (http://127\.0\.0\.1:(\d+)/)", self.err)
            self.url = m.group(1).decode()
            self.port = int(m.group(2))
            assert self.port != 0

    def _pump(self, stream, buf):
        for line in iter(stream.readline, b""):
            buf += line
            if b"listening on" in line:
                self.started.set()
        stream.close()

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        rc = self.proc.wait(STOP_TIMEOUT)
        for t in self._threads:
            t.join(STOP_TIMEOUT)
        return rc, bytes(self.out), bytes(self.err)

    def wait_exit(self):
        rc = self.proc.wait(STOP_TIMEOUT)
        for t in self._threads:
            t.join(STOP_TIMEOUT)
        return rc, bytes(self.out), bytes(self.err)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for t in self._threads:
            t.join(5)

    def post(self, body, content_type="application/json", headers=None, path="/", method="POST"):
        h = dict(headers or {})
        if content_type is not None:
            h["Content-Type"] = content_type
        req = urllib.request.Request(self.url.rstrip("/") + path, data=body, headers=h, method=method)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.read(), r.headers
        except urllib.error.HTTPError as e:
            with e:
                return e.code, e.read(), e.headers


class Stream:
    """An open event stream, asked in HTTP/1.0 (so not chunked): read its
    events one by one."""

    def __init__(self, port, path="/_ugw/events", headers=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        lines = ["GET %s HTTP/1.0" % path, "Host: 127.0.0.1:%d" % port]
        lines += ["%s: %s" % kv for kv in (headers or {}).items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            self.buf += self.sock.recv(65536)
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        self.status = int(head.split(b" ")[1])
        self.head = head.decode()

    def events(self, n, timeout=10):
        """The next n events, each {"event": .., "id": .., "data": ..}."""
        out, deadline = [], time.monotonic() + timeout
        while len(out) < n and time.monotonic() < deadline:
            while b"\n\n" in self.buf and len(out) < n:
                block, self.buf = self.buf.split(b"\n\n", 1)
                ev = {}
                for line in block.split(b"\n"):
                    if b": " in line and not line.startswith(b":"):
                        k, v = line.split(b": ", 1)
                        ev[k.decode()] = v
                if "event" in ev:
                    out.append(ev)
            if len(out) < n:
                self.buf += self.sock.recv(65536)
        return out

    def close(self):
        self.sock.close()


def summary(err):
    m = SUMMARY_RE.search(err)
    assert m, "no summary in %r" % err
    return tuple(int(x) for x in m.groups())


class ServeTestCase(unittest.TestCase):
    def setUp(self):
        self.servers = []
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.secret, self.key = new_secret()
        self.n = 0

    def tearDown(self):
        for s in self.servers:
            s.kill()

    def start(self, *args, **kw):
        s = Server(*args, **kw)
        self.servers.append(s)
        return s

    def signed(self, body, msg_id=None, ts=None, key=None):
        if msg_id is None:
            self.n += 1
            msg_id = "msg_test_%d" % self.n
        ts = int(time.time()) if ts is None else ts
        return {"webhook-id": msg_id, "webhook-timestamp": str(ts),
                "webhook-signature": py_sign(key or self.key, msg_id, ts, body)}


