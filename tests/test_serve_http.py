"""test_serve_http.py - `ugw serve` as an HTTP server under a client that does
not behave: request-smuggling shapes refused with 400, the header checks
before the body, the memory budget (503 with Retry-After), the header and
request deadlines, the per-address and total connection limits; and what a
2xx promises: --out created 0600, --replay-state across a restart, key
rotation, --forward-to. Run by ctest; see serve_support.py.
"""

import http.server
import json
import os
import re
import socket
import stat
import threading
import time
import unittest

from serve_support import (ServeTestCase, describe, fixture, new_secret, py_sign, run, setUpModule,  # noqa: F401
                           summary)

HTTP_STATS_RE = re.compile(rb"connections peak (\d+), evicted (\d+), header timeouts (\d+), "
                           rb"request timeouts (\d+), malformed (\d+), memory refusals (\d+), "
                           rb"peak body memory (\d+) bytes")


def http_stats(err):
    m = HTTP_STATS_RE.search(err)
    assert m, "no server counts in %r" % err
    return dict(zip(("peak", "evicted", "header_timeouts", "request_timeouts", "malformed", "memory",
                     "peak_body"), (int(x) for x in m.groups())))


def raw(port, data, src="127.0.0.1", timeout=10, shut=False):
    """Sends raw bytes, returns everything answered until the server closes."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(src, 0))
    try:
        s.sendall(data)
        if shut:
            s.shutdown(socket.SHUT_WR)
        out = b""
        while True:
            try:
                b = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not b:
                break
            out += b
            if b"\r\n\r\n" in out:  # a whole answer: stop reading (the connection may stay open)
                head, rest = out.split(b"\r\n\r\n", 1)
                m = re.search(rb"Content-Length: (\d+)", head, re.I)
                if status_of(head) == 204 or (m and len(rest) >= int(m.group(1))):
                    break
        return out
    finally:
        s.close()


def status_of(resp):
    m = re.match(rb"HTTP/1\.[01] (\d{3})", resp)
    return int(m.group(1)) if m else None


def body_of(resp):
    return resp.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in resp else b""


class TestFraming(ServeTestCase):
    def test_smuggling_shapes_400(self):
        srv = self.start()
        body = fixture("nps_score_submit")
        n = len(body)
        base = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        cases = {
            "two Content-Length": (base + b"Content-Length: %d\r\nContent-Length: %d\r\n\r\n" % (n, n + 5) + body,
                                   "Content-Length"),
            "same Content-Length twice": (base + b"Content-Length: %d\r\nContent-Length: %d\r\n\r\n" % (n, n)
                                          + body, "Content-Length"),
            "Content-Length and chunked": (base + b"Content-Length: %d\r\nTransfer-Encoding: chunked\r\n\r\n" % n
                                           + body, "Transfer-Encoding"),
            "gzip encoding": (base + b"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", "Transfer-Encoding"),
            "webhook-id twice": (base + b"webhook-id: a\r\nwebhook-id: b\r\nContent-Length: %d\r\n\r\n" % n + body,
                                 "webhook-id"),
            "Host twice": (b"POST / HTTP/1.1\r\nHost: x\r\nHost: y\r\nContent-Type: application/json\r\n"
                           b"Content-Length: %d\r\n\r\n" % n + body, "Host"),
            "Content-Type twice": (base + b"Content-Type: text/plain\r\nContent-Length: %d\r\n\r\n" % n + body,
                                   "Content-Type"),
        }
        for name, (req, path) in cases.items():
            resp = raw(srv.port, req, shut=True)
            self.assertEqual(status_of(resp), 400, "%s: %r" % (name, resp[:300]))
            err = json.loads(body_of(resp))
            self.assertEqual((err["code"], err["path"]), ("syntax", path), name)
        # HTTP/1.1 without Host (libmicrohttpd's strict mode may answer first)
        resp = raw(srv.port, b"POST / HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % n
                   + body, shut=True)
        self.assertEqual(status_of(resp), 400, resp[:300])
        # ...while HTTP/1.0 needs none, and a well-formed chunked body is fine
        resp = raw(srv.port, b"POST / HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % n
                   + body, shut=True)
        self.assertEqual(status_of(resp), 204, resp[:300])
        chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (n, body)
        resp = raw(srv.port, base + b"Transfer-Encoding: chunked\r\n\r\n" + chunked, shut=True)
        self.assertEqual(status_of(resp), 204, resp[:300])
        rc, _, err = srv.stop()
        self.assertEqual(rc, 0)
        # (libmicrohttpd's strict mode answers the one without Host itself)
        self.assertEqual(summary(err)[1:], (2, summary(err)[0] - 2, 0, 0))
        self.assertGreaterEqual(summary(err)[0], 9)
        self.assertGreaterEqual(http_stats(err)["malformed"], 7)

    def test_unsigned_refused_before_the_body(self):
        srv = self.start("--secret", self.secret)
        # Announces 1 MiB and waits for 100 Continue: refused at once, nothing sent.
        t0 = time.monotonic()
        resp = raw(srv.port, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                             b"webhook-id: msg_1\r\nExpect: 100-continue\r\nContent-Length: 1048576\r\n\r\n")
        self.assertEqual(status_of(resp), 401, resp[:300])
        self.assertLess(time.monotonic() - t0, 5)
        self.assertEqual(json.loads(body_of(resp))["path"], "webhook-timestamp")
        # A signature of the wrong shape is refused the same way.
        resp = raw(srv.port, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                             b"webhook-id: msg_1\r\nwebhook-timestamp: %d\r\nwebhook-signature: v1,abc\r\n"
                             b"Expect: 100-continue\r\nContent-Length: 1048576\r\n\r\n" % int(time.time()))
        self.assertEqual(status_of(resp), 401, resp[:300])
        self.assertEqual(json.loads(body_of(resp))["code"], "signature")
        # A chunked body sent without waiting is read (and dropped) before the
        # answer, and the connection stays usable.
        body = fixture("nps_score_submit")
        resp = raw(srv.port, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                             b"Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
        self.assertEqual(status_of(resp), 401, resp[:300])
        self.assertNotIn(b"Connection: close", resp)


class TestLimits(ServeTestCase):
    def test_memory_budget_503_with_retry_after(self):
        srv = self.start("--max-memory", "65536")
        body = fixture("nps_score_submit")
        head = (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n")
        # The first request's body takes the whole budget and waits.
        big = 40000
        a = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
        a.sendall(head % big + b" " * (big - 1))
        time.sleep(0.3)
        resp = raw(srv.port, head % len(body) + body)
        self.assertEqual(status_of(resp), 503, resp[:300])
        self.assertIn(b"Retry-After: 1", resp)
        self.assertEqual(json.loads(body_of(resp))["code"], "nomem")
        a.close()
        time.sleep(0.3)
        # Given back: the same request now passes.
        resp = raw(srv.port, head % len(body) + body)
        self.assertEqual(status_of(resp), 204, resp[:300])
        rc, _, err = srv.stop()
        st = http_stats(err)
        self.assertGreaterEqual(st["memory"], 1)
        self.assertLessEqual(st["peak_body"], 65536)

    def test_header_and_request_deadlines(self):
        srv = self.start("--header-timeout", "1", "--request-timeout", "2")
        # Headers that never end: closed after about a second.
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
        t0 = time.monotonic()
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")
        for _ in range(20):
            try:
                s.sendall(b"X-A: b\r\n")
            except OSError:
                break
            time.sleep(0.2)
            s.settimeout(0.01)
            try:
                if s.recv(100) == b"":
                    break
            except socket.timeout:
                pass
            except OSError:
                break
        held = time.monotonic() - t0
        s.close()
        self.assertGreater(held, 0.8)
        self.assertLess(held, 3.5)
        # A body trickled a byte at a time, each within the idle timeout: cut
        # at the request deadline, never answered 2xx.
        body = fixture("nps_score_submit")
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
        t0 = time.monotonic()
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                  % len(body))
        got = b""
        for i in range(len(body)):
            try:
                s.sendall(body[i:i + 1])
                s.settimeout(0.25)
                b = s.recv(100)
                got += b
                if not b:
                    break
            except socket.timeout:
                continue
            except OSError:
                break
        held = time.monotonic() - t0
        s.close()
        self.assertNotIn(b" 204 ", got)
        self.assertGreater(held, 1.5)
        self.assertLess(held, 4.5)
        rc, _, err = srv.stop()
        st = http_stats(err)
        self.assertGreaterEqual(st["header_timeouts"], 1)
        self.assertGreaterEqual(st["request_timeouts"], 1)

    def test_per_ip_and_total_connection_limits(self):
        srv = self.start("--max-per-ip", "4", "--max-connections", "10")
        body = fixture("nps_score_submit")
        req = (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
               % len(body) + body)
        idle = [socket.create_connection(("127.0.0.1", srv.port), timeout=5, source_address=("127.0.0.2", 0))
                for _ in range(4)]
        time.sleep(0.2)
        # A fifth from the same address is closed without an answer.
        resp = raw(srv.port, req, src="127.0.0.2")
        self.assertEqual(resp, b"")
        # Another address still gets in.
        self.assertEqual(status_of(raw(srv.port, req, src="127.0.0.3")), 204)
        # Fill the server from more addresses: past 10, the longest waiting
        # are closed, and a new client is still answered.
        more = [socket.create_connection(("127.0.0.1", srv.port), timeout=5,
                                         source_address=("127.0.0.%d" % (10 + i // 4), 0)) for i in range(12)]
        time.sleep(0.3)
        self.assertEqual(status_of(raw(srv.port, req, src="127.0.0.9")), 204)
        for s in idle:  # the longest waiting: closed first
            s.settimeout(5)
            self.assertEqual(s.recv(10), b"")
        for s in idle + more:
            s.close()
        rc, _, err = srv.stop()
        st = http_stats(err)
        self.assertGreaterEqual(st["evicted"], 6, err)


class TestStored(ServeTestCase):
    def test_out_file_is_0600(self):
        path = os.path.join(self.tmp.name, "events.jsonl")
        srv = self.start("--out", path, "--sync")
        body = fixture("nps_score_submit")
        self.assertEqual(srv.post(body)[0], 204)
        rc, _, err = srv.stop()
        self.assertEqual(rc, 0, err)
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        with open(path, "rb") as f:
            self.assertEqual(len(f.read().splitlines()), 1)

    def test_replay_state_survives_a_restart(self):
        state = os.path.join(self.tmp.name, "replay")
        out = os.path.join(self.tmp.name, "events.jsonl")
        body = fixture("nps_score_submit")
        h = self.signed(body, msg_id="msg_restart")
        srv = self.start("--secret", self.secret, "--replay-state", state, "--out", out)
        self.assertEqual(srv.post(body, headers=h)[0], 204)
        srv.stop()
        self.assertEqual(stat.S_IMODE(os.stat(state).st_mode), 0o600)
        srv = self.start("--secret", self.secret, "--replay-state", state, "--out", out)
        self.assertEqual(srv.post(body, headers=h)[0], 204)
        rc, _, err = srv.stop()
        self.assertEqual(summary(err), (1, 0, 0, 0, 1))
        with open(out, "rb") as f:
            self.assertEqual(len(f.read().splitlines()), 1)
        p = run("serve", "--replay-state", os.path.join(self.tmp.name, "no", "such", "dir"))
        self.assertEqual(p.returncode, 2, describe(p))

    def test_key_rotation(self):
        old, old_key = new_secret()
        srv = self.start("--secret", old, "--secret", self.secret)
        body = fixture("nps_score_submit")
        self.assertEqual(srv.post(body, headers=self.signed(body, key=old_key))[0], 204)
        self.assertEqual(srv.post(body, headers=self.signed(body))[0], 204)
        self.assertEqual(srv.post(body, headers=self.signed(body, key=os.urandom(24)))[0], 401)
        rc, _, err = srv.stop()
        self.assertEqual(summary(err), (3, 2, 0, 1, 0))

    def test_secret_from_a_file_or_the_environment(self):
        body = fixture("nps_score_submit")
        path = os.path.join(self.tmp.name, "secret")
        with open(path, "w") as f:
            f.write("# the current key\n%s\n" % self.secret)
        os.chmod(path, 0o600)
        srv = self.start("--secret-file", path)
        self.assertEqual(srv.post(body, headers=self.signed(body))[0], 204)
        self.assertEqual(srv.post(body)[0], 401)
        rc, _, err = srv.stop()
        self.assertNotIn(b"command line", err)  # no warning: the secret is not in ps
        self.assertNotIn(self.secret.encode(), err)
        os.environ["UGW_SECRET"] = self.secret
        try:
            srv = self.start()
        finally:
            del os.environ["UGW_SECRET"]
        self.assertEqual(srv.post(body, headers=self.signed(body))[0], 204)
        self.assertEqual(srv.post(body)[0], 401)
        srv.stop()
        # --secret still works, with a warning.
        srv = self.start("--secret", self.secret)
        rc, _, err = srv.stop()
        self.assertIn(b"command line", err)

    def test_weak_secret_refused_unless_allowed(self):
        weak, weak_key = new_secret(16)
        p = run("serve", "--secret", weak)
        self.assertEqual(p.returncode, 2, describe(p))
        self.assertNotIn(b"listening on", p.stderr)
        srv = self.start("--secret", weak, "--allow-weak-secret")
        body = fixture("nps_score_submit")
        self.assertEqual(srv.post(body, headers=self.signed(body, key=weak_key))[0], 204)
        srv.stop()

    def test_usage_errors_exit_2(self):
        for args in (["--sync"], ["--forward-secret", self.secret], ["--forward-to", "ftp://x/"],
                     ["--max-connections", "0"], ["--max-per-ip", "x"], ["--header-timeout", "0"],
                     ["--request-timeout", "-1"], ["--max-memory", "10"], ["--forward-to", "http://x/",
                                                                             "--forward-secret", "nope!"]):
            p = run("serve", *args)
            self.assertEqual(p.returncode, 2, "%r: %s" % (args, describe(p)))
            self.assertNotIn(b"listening on", p.stderr)
            self.assertNotIn(self.secret.encode(), p.stderr)


class App(http.server.BaseHTTPRequestHandler):
    """The local application behind --forward-to: records, answers as told."""

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        self.server.seen.append((dict(self.headers), body))
        status, answer = self.server.answers.pop(0) if self.server.answers else (200, b'{"ok":true}')
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


class TestForward(ServeTestCase):
    def setUp(self):
        super().setUp()
        self.app = http.server.ThreadingHTTPServer(("127.0.0.1", 0), App)
        self.app.seen, self.app.answers = [], []
        threading.Thread(target=self.app.serve_forever, daemon=True).start()
        self.addCleanup(self.app.server_close)
        self.addCleanup(self.app.shutdown)
        self.app_url = "http://127.0.0.1:%d/hook" % self.app.server_address[1]

    def test_forwarded_resigned_and_answered_with_the_apps_answer(self):
        local, local_key = new_secret()
        out = os.path.join(self.tmp.name, "events.jsonl")
        srv = self.start("--secret", self.secret, "--forward-to", self.app_url, "--forward-secret", local,
                         "--out", out)
        body = fixture("nps_score_submit")
        status, resp, _ = srv.post(body, headers=self.signed(body, msg_id="msg_fw1"))
        self.assertEqual((status, resp), (200, b'{"ok":true}'))
        hdrs, got = self.app.seen[0]
        hdrs = {k.lower(): v for k, v in hdrs.items()}
        self.assertEqual(got, body)
        self.assertEqual(hdrs["webhook-id"], "msg_fw1")
        self.assertEqual(hdrs["webhook-signature"], py_sign(local_key, "msg_fw1", hdrs["webhook-timestamp"], body))
        self.assertEqual(hdrs["content-type"], "application/json")
        # The application refuses: the sender gets its answer, nothing is
        # stored, and the id is not remembered (a retry is forwarded again).
        self.app.answers.append((422, b'{"error":"no"}'))
        h = self.signed(body, msg_id="msg_fw2")
        self.assertEqual(srv.post(body, headers=h)[:2], (422, b'{"error":"no"}'))
        self.assertEqual(srv.post(body, headers=h)[0], 200)
        self.assertEqual(len(self.app.seen), 3)
        rc, _, err = srv.stop()
        with open(out, "rb") as f:
            self.assertEqual(len(f.read().splitlines()), 2)

    def test_application_down_502(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        srv = self.start("--forward-to", "http://127.0.0.1:%d/" % port)
        body = fixture("nps_score_submit")
        status, resp, _ = srv.post(body, headers={"webhook-id": "msg_down"})
        self.assertEqual(status, 502)
        self.assertEqual(json.loads(resp)["code"], "io")
        rc, _, err = srv.stop()
        self.assertIn(b"unavailable 1", err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
