"""test_serve_ui.py - the inspector page of `ugw serve` as a person uses it:
the server started with a secret and --forward-to (an application inside
this test), valid, duplicate, unsigned, invalid, MessagePack and hostile
requests sent, then the page opened in Debian's headless Chromium, driven
by puppeteer-core (tests/inspector, pinned in package-lock.json, installed
with `npm ci` on first use), which checks what a person would see
(tests/inspector/check_page.mjs): every request with its verdict, the
invalid one with its field path and highlighted byte, markup shown as text
and never run, a new request appearing without a reload, copy as curl and
send again. The screenshot is saved beside the test's output
(inspector.png in the working directory; UGW_README_SCREENSHOT=PATH also
writes the one of the README). About 30 seconds, plus `npm ci` (about 40 s)
the first time.
"""

import base64
import http.server
import json
import os
import shutil
import subprocess
import threading
import time
import unittest

from serve_support import SRC, ServeTestCase, fixture, py_sign, setUpModule, write_tmp  # noqa: F401

HERE = os.path.join(SRC, "tests", "inspector")
NPM_TIMEOUT = 600
PAGE_TIMEOUT = 240


def ensure_puppeteer():
    """npm ci in tests/inspector unless the pinned puppeteer-core is there."""
    with open(os.path.join(HERE, "package.json")) as f:
        want = json.load(f)["devDependencies"]["puppeteer-core"]
    have = os.path.join(HERE, "node_modules", "puppeteer-core", "package.json")
    if os.path.exists(have):
        with open(have) as f:
            if json.load(f)["version"] == want:
                return
    npm = shutil.which("npm")
    if not npm:
        raise AssertionError("npm is not installed (scripts/setup.sh installs it)")
    p = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=HERE, capture_output=True,
                       timeout=NPM_TIMEOUT)
    if p.returncode != 0:
        raise AssertionError("npm ci in tests/inspector failed: %r" % p.stderr[-2000:])


class App:
    """The application behind --forward-to: answers 204, counts requests."""

    def __init__(self):
        self.bodies = []
        app = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                app.bodies.append(self.rfile.read(n))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


HOSTILE_USER = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'


class TestInspectorPage(ServeTestCase):
    def test_page_in_headless_chromium(self):
        chromium = shutil.which("chromium")
        node = shutil.which("node")
        if not chromium or not node:
            raise AssertionError("chromium and node are needed (scripts/setup.sh installs them)")
        ensure_puppeteer()
        app = App()
        self.addCleanup(app.stop)
        srv = self.start("--secret", self.secret, "--forward-to", "http://127.0.0.1:%d/app" % app.port,
                         "--ui-history", "50")
        want = b"inspector on %s_ugw/ (this machine only)" % srv.url.encode()
        deadline = time.monotonic() + 10
        while want not in bytes(srv.err) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertIn(want, bytes(srv.err))
        sent = []

        def send(body, verdict, event, msg_id, ctype="application/json", sign=True, extra=None):
            h = self.signed(body, msg_id=msg_id) if sign else {"webhook-id": msg_id}
            h.update(extra or {})
            status, resp, _ = srv.post(body, ctype, h, path="/hooks/userguiding")
            sent.append({"verdict": verdict, "event": event, "id": msg_id})
            return status, resp

        ok_body = fixture("nps_score_submit")
        nps = json.loads(ok_body)["event"]  # the wire event string, as the page shows it
        guide = json.loads(fixture("guide_preview_start"))["event"]
        self.assertEqual(send(ok_body, "delivered", nps, "msg_valid")[0], 204)
        self.assertEqual(send(ok_body, "duplicate", nps, "msg_valid")[0], 204)
        # Refused on its headers: its body is never read, so no event shows.
        self.assertEqual(send(ok_body, "unauthorized", None, "msg_unsigned", sign=False)[0], 401)
        obj = json.loads(fixture("nps_score_submit"))
        obj["payload"]["score"] = 99
        bad = json.dumps(obj, separators=(",", ":")).encode()
        status, resp = send(bad, "invalid", nps, "msg_invalid")
        self.assertEqual(status, 400)
        err = json.loads(resp)
        mp = fixture("guide_preview_start", "msgpack")
        self.assertEqual(send(mp, "delivered", guide, "msg_msgpack", "application/msgpack")[0], 204)
        obj = json.loads(fixture("nps_score_submit"))
        obj["payload"]["userId"] = HOSTILE_USER
        hostile = json.dumps(obj).encode()
        self.assertEqual(send(hostile, "delivered", nps, "msg_hostile",
                              extra={"X-Evil": "<img src=x onerror=window.__pwned=3>"})[0], 204)
        self.assertEqual(len(app.bodies), 3)  # the new valid events were forwarded

        live_body = fixture("guide_preview_complete")
        live_h = self.signed(live_body, msg_id="msg_live")
        live_h["Content-Type"] = "application/json"
        out_dir = os.getcwd()
        plan = {
            "url": srv.url + "_ugw/", "chromium": chromium,
            "screenshot": os.path.join(out_dir, "inspector.png"),
            "readme_screenshot": os.environ.get("UGW_README_SCREENSHOT") or None,
            "sent": sent,
            "invalid": {"id": "msg_invalid", "code": err["code"], "path": err["path"], "pos": err["pos"],
                        "char": chr(bad[err["pos"]])},
            "hostile": {"id": "msg_hostile"},
            "msgpack": {"id": "msg_msgpack", "event": guide},
            "resend": {"id": "msg_valid"},
            "live": {"url": srv.url + "hooks/live", "headers": live_h, "id": "msg_live", "status": 204,
                     "body_b64": base64.b64encode(live_body).decode(), "verdict": "delivered"},
        }
        self.assertEqual(err["path"], "payload.score")
        path = write_tmp(self.tmp.name, "plan.json", json.dumps(plan).encode())
        t0 = time.monotonic()
        p = subprocess.run([node, os.path.join(HERE, "check_page.mjs"), path], cwd=HERE, capture_output=True,
                           timeout=PAGE_TIMEOUT)
        print(p.stdout.decode(errors="replace"))
        print("inspector page checked in %.1f s; screenshot: %s" % (time.monotonic() - t0, plan["screenshot"]))
        self.assertEqual(p.returncode, 0, (p.stdout[-3000:], p.stderr[-3000:]))
        self.assertIn(b" passed, 0 failed", p.stdout)
        self.assertTrue(os.path.getsize(plan["screenshot"]) > 10000)
        # Send again reached the application: the valid event's exact bytes.
        self.assertEqual(len(app.bodies), 5)  # and the live one
        self.assertIn(ok_body, app.bodies[3:])
        rc, _, err_text = srv.stop()
        self.assertEqual(rc, 0, err_text)


if __name__ == "__main__":
    unittest.main(verbosity=2)
