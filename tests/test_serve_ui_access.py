"""test_serve_ui_access.py - the inspector's paths of `ugw serve` over plain
HTTP, as an attacker would try them: the token (wrong, missing, right),
the loopback Host rule against DNS rebinding, "send again" without the
page's header or from another origin, the event stream's bounds (history,
viewers, Last-Event-ID), hostile bytes kept as escaped JSON and base64,
--no-ui, and the option errors. Run by ctest; see serve_support.py. About
10 seconds.
"""

import base64
import http.client
import json
import os
import unittest

from serve_support import ServeTestCase, Stream, fixture, run, setUpModule, write_tmp  # noqa: F401

TOKEN = "t0k3n-for-the-inspector-test-0123456789"


def request(port, method, path, headers=None, body=None, timeout=10):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        return r.status, r.read(), r.headers
    finally:
        c.close()


class TestInspectorAccess(ServeTestCase):
    def test_token_required_when_given(self):
        tf = write_tmp(self.tmp.name, "token", (TOKEN + "\n").encode())
        srv = self.start("--ui-token-file", tf)
        # The page's files load without it (they hold no data)...
        for name in ("", "app.js", "body.js", "app.css"):
            st, body, h = request(srv.port, "GET", "/_ugw/" + name)
            self.assertEqual(st, 200, name)
            self.assertTrue(h["Content-Security-Policy"].startswith("default-src 'none'"))
            self.assertEqual(h["X-Content-Type-Options"], "nosniff")
        # ...the data does not.
        for q in ("", "?token=", "?token=" + "x" * len(TOKEN), "?token=" + TOKEN[:-1]):
            st, body, _ = request(srv.port, "GET", "/_ugw/events" + q)
            self.assertEqual((st, body), (403, b"forbidden\n"), q)
        st, _, _ = request(srv.port, "POST", "/_ugw/resend/1", {"X-Ugw-Inspector": "1"})
        self.assertEqual(st, 403)
        s = Stream(srv.port, "/_ugw/events?token=" + TOKEN)
        self.addCleanup(s.close)
        self.assertEqual(s.status, 200)
        self.assertIn("text/event-stream", s.head)
        s2 = Stream(srv.port, "/_ugw/events", {"X-Ugw-Token": TOKEN})
        self.addCleanup(s2.close)
        self.assertEqual(s2.status, 200)
        hello = s2.events(1)[0]
        self.assertEqual(json.loads(hello["data"]), {"resend": False, "history": 100})

    def test_loopback_host_only_without_token(self):
        srv = self.start()
        for host in ("evil.example", "127.0.0.1.evil.example", "localhost.evil", "127.0.0.1:80x"):
            st, body, _ = request(srv.port, "GET", "/_ugw/events", {"Host": host})
            self.assertEqual((st, body), (403, b"forbidden\n"), host)
            st, _, _ = request(srv.port, "GET", "/_ugw/", {"Host": host})
            self.assertEqual(st, 403, host)
        for host in ("localhost:%d" % srv.port, "127.0.0.1", "[::1]:%d" % srv.port):
            st, _, _ = request(srv.port, "GET", "/_ugw/", {"Host": host})
            self.assertEqual(st, 200, host)
        # Unknown paths and methods under the prefix, with fixed bodies.
        self.assertEqual(request(srv.port, "GET", "/_ugw/<script>")[:2], (404, b"not found\n"))
        self.assertEqual(request(srv.port, "DELETE", "/_ugw/")[:2], (405, b"method not allowed\n"))

    def test_resend_needs_the_page(self):
        srv = self.start("--forward-to", "http://127.0.0.1:9/none")
        self.assertEqual(srv.post(fixture("nps_score_submit"), headers={"webhook-id": "msg_r1"})[0], 502)
        for h in ({}, {"X-Ugw-Inspector": "0"}, {"X-Ugw-Inspector": "1", "Origin": "http://evil.example"},
                  {"X-Ugw-Inspector": "1", "Origin": "null"}):
            st, body, _ = request(srv.port, "POST", "/_ugw/resend/1", h)
            self.assertEqual((st, body), (403, b"forbidden\n"), h)
        ok = {"X-Ugw-Inspector": "1", "Origin": "http://127.0.0.1:%d" % srv.port}
        self.assertEqual(request(srv.port, "POST", "/_ugw/resend/99", ok)[0], 404)
        self.assertEqual(request(srv.port, "POST", "/_ugw/resend/x1", ok)[0], 404)
        # The 502 was not stored: nothing to send again.
        self.assertEqual(request(srv.port, "POST", "/_ugw/resend/1", ok)[0], 409)

    def test_hostile_bytes_stay_data_and_history_is_bounded(self):
        srv = self.start("--ui-history", "3")
        hostile = b'{"event":"</script><script>alert(1)</script>\n\r\x00\xff","x":"\xe2\x80\xa8"}'
        for i in range(5):
            st, _, _ = srv.post(hostile, headers={"webhook-id": "msg_h%d" % i, "X-Odd": "a\"b\\c"},
                                path="/p?<b>=1")
            self.assertEqual(st, 400)
        s = Stream(srv.port)
        self.addCleanup(s.close)
        evs = s.events(4)
        self.assertEqual(evs[0]["event"], b"hello")
        self.assertEqual([e["id"] for e in evs[1:]], [b"3", b"4", b"5"])  # only the last 3 kept
        for e in evs[1:]:
            self.assertNotIn(b"\n", e["data"])
            r = json.loads(e["data"])
            self.assertEqual(base64.b64decode(r["body"]), hostile)
            self.assertEqual(r["verdict"], "invalid")
            self.assertIn(["X-Odd", 'a"b\\c'], r["headers"])
            self.assertEqual(r["path"], "/p")
        # Live: a new request arrives on the open stream.
        srv.post(fixture("nps_score_submit"), headers={"webhook-id": "msg_new"})
        new = s.events(1)[0]
        self.assertEqual(new["id"], b"6")
        self.assertEqual(json.loads(new["data"])["id"], "msg_new")
        # Last-Event-ID: a reconnecting page gets only what it missed.
        s2 = Stream(srv.port, headers={"Last-Event-ID": "5"})
        self.addCleanup(s2.close)
        self.assertEqual([e["id"] for e in s2.events(2)[1:]], [b"6"])
        # Stopping with viewers waiting ends their streams: a clean exit.
        rc, _, err = srv.stop()
        self.assertEqual(rc, 0, err)
        self.assertEqual(s.sock.recv(65536), b"")

    def test_memory_is_bounded(self):
        # 800 bodies of 65 KiB: each kept as 64 KiB (87 KiB of base64), 70 MB
        # in all, over the 64 MiB of the ring: the oldest are dropped although
        # --ui-history would keep them all.
        srv = self.start("--ui-history", "100000")
        c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
        self.addCleanup(c.close)
        body = b"x" * (65 << 10)
        for i in range(800):
            c.request("POST", "/", body=body, headers={"Content-Type": "application/json"})
            r = c.getresponse()
            r.read()
            self.assertEqual(r.status, 400)
        s = Stream(srv.port)
        self.addCleanup(s.close)
        first = s.events(2)[1]
        self.assertGreater(int(first["id"]), 1)
        self.assertLess(int(first["id"]), 100)
        self.assertEqual(len(base64.b64decode(json.loads(first["data"])["body"])), 64 << 10)
        self.assertTrue(json.loads(first["data"])["body_cut"])

    def test_viewers_are_bounded(self):
        srv = self.start()
        streams = []
        for _ in range(16):
            s = Stream(srv.port)
            streams.append(s)
            self.addCleanup(s.close)
            self.assertEqual(s.status, 200)
        st, body, _ = request(srv.port, "GET", "/_ugw/events")
        self.assertEqual((st, body), (503, b"too many viewers\n"))
        # Webhooks still go through.
        self.assertEqual(srv.post(fixture("nps_score_submit"))[0], 204)
        for s in streams:
            s.close()
        rc, _, err = srv.stop()
        self.assertEqual(rc, 0, err)

    def test_no_ui_and_option_errors(self):
        srv = self.start("--no-ui")
        self.assertEqual(request(srv.port, "GET", "/_ugw/")[0], 405)
        self.assertEqual(srv.post(fixture("nps_score_submit"), path="/_ugw/x")[0], 204)  # a webhook path
        self.assertNotIn(b"inspector on", bytes(srv.err))
        short = write_tmp(self.tmp.name, "short", b"tooshort\n")
        for args, msg in ((["--ui-history", "0"], b"--ui-history must be"),
                          (["--ui-token-file", short], b"16 to 255 printable"),
                          (["--no-ui", "--ui-token-file", short], b"needs the inspector"),
                          (["--ui-token-file", os.path.join(self.tmp.name, "absent")], b"absent")):
            p = run("serve", "--listen", "127.0.0.1:0", *args)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
            self.assertIn(msg, p.stderr, args)


if __name__ == "__main__":
    unittest.main(verbosity=2)
