"""test_serve_forward.py - `ugw serve --forward-to`: connections to the
application are kept open and reused (one per forwarding thread, not one per
event), --forward-timeout bounds how long the application may take (then
502), and the sender gets what the application answered: status, body,
Content-Type and Retry-After. Run by ctest; see serve_support.py.
"""

import http.server
import json
import threading
import time
import unittest

from serve_support import ServeTestCase, fixture, run, setUpModule  # noqa: F401


class App(http.server.BaseHTTPRequestHandler):
    """The local application: HTTP/1.1 with keep-alive; records the client
    port of every request; answers as told, after a delay when told."""

    protocol_version = "HTTP/1.1"

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        with self.server.lock:
            self.server.seen.append((self.client_address[1], dict(self.headers), body))
            status, answer, extra, delay = (self.server.answers.pop(0) if self.server.answers
                                            else (200, b'{"ok":true}', {}, 0))
        if delay:
            time.sleep(delay)
        try:
            self.send_response(status)
            self.send_header("Content-Type", extra.get("Content-Type", "application/json"))
            for k, v in extra.items():
                if k != "Content-Type":
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
        except OSError:
            pass  # the forwarder gave up waiting

    def log_message(self, *args):
        pass


class TestForward(ServeTestCase):
    def setUp(self):
        super().setUp()
        self.app = http.server.ThreadingHTTPServer(("127.0.0.1", 0), App)
        self.app.daemon_threads = True
        self.app.seen, self.app.answers, self.app.lock = [], [], threading.Lock()
        threading.Thread(target=self.app.serve_forever, daemon=True).start()
        self.addCleanup(self.app.server_close)
        self.addCleanup(self.app.shutdown)
        self.app_url = "http://127.0.0.1:%d/hook" % self.app.server_address[1]

    def test_connections_to_the_application_are_reused(self):
        srv = self.start("--forward-to", self.app_url, "--threads", "2")
        body = fixture("nps_score_submit")
        events = 12
        for i in range(events):
            status, resp, _ = srv.post(body, headers={"webhook-id": "msg_reuse_%d" % i})
            self.assertEqual((status, resp), (200, b'{"ok":true}'))
        ports = [p for p, _, _ in self.app.seen]
        print("forward: %d events forwarded one after another over %d connection(s) to the application"
              % (len(ports), len(set(ports))))
        self.assertEqual(len(ports), events)
        # One idle connection is taken again for the next event.
        self.assertEqual(len(set(ports)), 1, ports)
        rc, _, err = srv.stop()
        self.assertEqual(rc, 0, err)

    def test_forward_timeout_answers_502_in_time(self):
        srv = self.start("--forward-to", self.app_url, "--forward-timeout", "1")
        body = fixture("nps_score_submit")
        self.app.answers.append((200, b'{"late":true}', {}, 4))
        t0 = time.monotonic()
        status, resp, _ = srv.post(body, headers={"webhook-id": "msg_slow"})
        took = time.monotonic() - t0
        print("forward: an application that takes 4 s answered 502 after %.2f s (--forward-timeout 1)" % took)
        self.assertEqual(status, 502)
        self.assertEqual(json.loads(resp)["code"], "io")
        self.assertIn("in time", json.loads(resp)["message"])
        self.assertGreaterEqual(took, 0.9)
        self.assertLess(took, 3.5)
        # Not stored: the sender's retry is forwarded again, and now answered.
        status, resp, _ = srv.post(body, headers={"webhook-id": "msg_slow"})
        self.assertEqual((status, resp), (200, b'{"ok":true}'))
        srv.stop()

    def test_sender_gets_the_applications_answer(self):
        srv = self.start("--forward-to", self.app_url)
        body = fixture("nps_score_submit")
        self.app.answers.append((429, b"slow down", {"Content-Type": "text/plain", "Retry-After": "7"}, 0))
        self.app.answers.append((201, b'{"id":42}', {}, 0))
        status, resp, headers = srv.post(body, headers={"webhook-id": "msg_ans"})
        self.assertEqual((status, resp), (429, b"slow down"))
        self.assertEqual(headers.get("Retry-After"), "7")
        self.assertTrue(headers.get("Content-Type", "").startswith("text/plain"))
        status, resp, headers = srv.post(body, headers={"webhook-id": "msg_ans"})
        self.assertEqual((status, resp), (201, b'{"id":42}'))
        srv.stop()

    def test_forward_timeout_usage(self):
        for args in (["--forward-timeout", "1"], ["--forward-to", self.app_url, "--forward-timeout", "0"],
                     ["--forward-to", self.app_url, "--forward-timeout", "3601"],
                     ["--forward-to", self.app_url, "--forward-timeout", "x"]):
            p = run("serve", "--listen", "127.0.0.1:0", *args)
            self.assertEqual(p.returncode, 2, args)
            self.assertIn(b"--forward-timeout", p.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
