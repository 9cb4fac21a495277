"""test_cli_net.py - tests of `ugw sign`, `ugw verify`, `ugw serve` and
`ugw fixtures` (cli/cmd_sign.c, cli/cmd_serve.c, cli/serve.c,
cli/cmd_fixtures.c), run by ctest.

Environment:
  UGW_BIN         path of the built `ugw` program (required)
  UGW_SOURCE_DIR  the source tree (default: the folder above this file)

Python 3.11+ standard library only. Signatures are checked against an HMAC
computed here with Python's hmac, hashlib and base64 modules (the Standard
Webhooks scheme: key = base64 of the secret after "whsec_", message =
"{id}.{timestamp}." + body), not against ugw's own code. Each `ugw serve`
runs as a subprocess on a free loopback port (--listen 127.0.0.1:0, the port
read from its "listening on" line) and is always killed in tearDown.
"""

import base64
import hashlib
import hmac
import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

BIN = os.path.abspath(os.environ["UGW_BIN"]) if os.environ.get("UGW_BIN") else ""
SRC = os.environ.get("UGW_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VALID = os.path.join(SRC, "generated", "fixtures", "valid")

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


# ---------------------------------------------------------------------------
# ugw sign / ugw verify
# ---------------------------------------------------------------------------

class TestSign(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def test_sign_equals_python_hmac(self):
        rnd = random.Random(4)
        bodies = [fixture(e, ext) for e in EVENT_IDS for ext in ("json", "msgpack")]
        bodies += [b"", b"\n", b"{}\n", bytes(range(256)), b"x" * 100000]
        for i, body in enumerate(bodies):
            secret, key = new_secret(rnd.choice([1, 16, 24, 32, 64, 256]), prefix=i % 2 == 0)
            msg_id = rnd.choice(["msg_%d" % i, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", "a.b.c", "id with space"])
            ts = rnd.choice([0, 1, 1700000000, 9223372036854775807, rnd.randrange(1, 2**40)])
            path = write_tmp(self.tmp.name, "body%d" % i, body)
            p = run("sign", "--secret", secret, "--id", msg_id, "--timestamp", str(ts), path)
            self.assertEqual(p.returncode, 0, describe(p))
            self.assertEqual(p.stdout.decode(), py_sign(key, msg_id, ts, body) + "\n", "body %d" % i)

    def test_sign_stdin_and_option_forms(self):
        secret, key = new_secret()
        body = fixture("nps_score_submit")
        want = py_sign(key, "msg_1", 1700000000, body) + "\n"
        p = run("sign", "--secret=" + secret, "--id=msg_1", "--timestamp=1700000000", "-", stdin=body)
        self.assertEqual((p.returncode, p.stdout.decode()), (0, want), describe(p))
        # options after the file
        path = write_tmp(self.tmp.name, "b.json", body)
        p = run("sign", path, "--timestamp", "1700000000", "--id", "msg_1", "--secret", secret)
        self.assertEqual((p.returncode, p.stdout.decode()), (0, want), describe(p))
        # the prefix is optional and surrounding white space is allowed
        p = run("sign", "--secret", " %s\n" % secret[len("whsec_"):], "--id", "msg_1", "--timestamp",
                "1700000000", path)
        self.assertEqual((p.returncode, p.stdout.decode()), (0, want), describe(p))

    def test_sign_known_vector(self):
        # The example of the Standard Webhooks specification.
        body = b'{"test": 2432232314}'
        path = write_tmp(self.tmp.name, "spec.json", body)
        p = run("sign", "--secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "--id",
                "msg_p5jXN8AQM9LWM0D4loKWxJek", "--timestamp", "1614265330", path)
        self.assertEqual(p.returncode, 0, describe(p))
        self.assertEqual(p.stdout, b"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=\n")

    def test_sign_usage_errors_exit_2(self):
        secret, _ = new_secret()
        path = write_tmp(self.tmp.name, "b.json", b"{}")
        cases = [
            ["sign", "--id", "m", "--timestamp", "1", path],                       # no secret
            ["sign", "--secret", secret, "--timestamp", "1", path],                # no id
            ["sign", "--secret", secret, "--id", "m", path],                       # no timestamp
            ["sign", "--secret", secret, "--id", "m", "--timestamp", "1"],         # no file
            ["sign", "--secret", secret, "--id", "m", "--timestamp", "1", path, path],
            ["sign", "--secret", secret, "--id", "m", "--timestamp", "x1", path],
            ["sign", "--secret", secret, "--id", "m", "--timestamp", "-1", path],
            ["sign", "--secret", secret, "--id", "m", "--timestamp", "01", path],
            ["sign", "--secret", secret, "--id", "m", "--timestamp", "99999999999999999999", path],
            ["sign", "--secret", secret, "--id", "m", "--timestamp", "1", "--bogus", path],
            ["sign", "--secret", "whsec_not*base64", "--id", "m", "--timestamp", "1", path],
            ["sign", "--secret", "", "--id", "m", "--timestamp", "1", path],
            ["sign", "--secret", "whsec_", "--id", "m", "--timestamp", "1", path],
            ["sign", "--secret", secret, "--id", "m", "--timestamp", "1",
             os.path.join(self.tmp.name, "missing")],
        ]
        for args in cases:
            p = run(*args)
            self.assertEqual(p.returncode, 2, "%r: %s" % (args, describe(p)))
            self.assertEqual(p.stdout, b"", args)
            self.assertTrue(p.stderr.startswith(b"ugw"), args)
        p = run("sign", "--secret", "whsec_not*base64", "--id", "m", "--timestamp", "1", path)
        self.assertIn(b"secret", p.stderr)


class TestVerify(unittest.TestCase):
    TS = 1700000000

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.secret, self.key = new_secret()
        self.body = fixture("hotspot_interaction")
        self.path = write_tmp(self.tmp.name, "b.json", self.body)
        self.sig = py_sign(self.key, "msg_1", self.TS, self.body)

    def verify(self, *extra, sig=None, ts=None, msg_id="msg_1", path=None, now=None, secret=None):
        args = ["verify", "--secret", secret or self.secret, "--id", msg_id,
                "--timestamp", str(self.TS if ts is None else ts),
                "--signature", self.sig if sig is None else sig]
        if now is not False:
            args += ["--now", str(self.TS if now is None else now)]
        return run(*args, *extra, path or self.path)

    def test_verified_exit_0(self):
        p = self.verify()
        self.assertEqual((p.returncode, p.stdout), (0, b"verified\n"), describe(p))
        # a list of signatures, the good one not first (key rotation)
        other = py_sign(os.urandom(24), "msg_1", self.TS, self.body)
        p = self.verify(sig="v1a,xyz %s  %s" % (other, self.sig))
        self.assertEqual(p.returncode, 0, describe(p))
        # the clock: a signature made now verifies without --now
        ts = int(time.time())
        p = self.verify(sig=py_sign(self.key, "msg_1", ts, self.body), ts=ts, now=False)
        self.assertEqual(p.returncode, 0, describe(p))
        # stdin
        p = run("verify", "--secret", self.secret, "--id", "msg_1", "--timestamp", str(self.TS),
                "--signature", self.sig, "--now", str(self.TS), "-", stdin=self.body)
        self.assertEqual(p.returncode, 0, describe(p))

    def test_wrong_signature_exit_1(self):
        bad_body = write_tmp(self.tmp.name, "bad.json", self.body + b" ")
        other_secret, _ = new_secret()
        cases = [
            dict(sig=py_sign(self.key, "msg_2", self.TS, self.body)),    # signed for another id
            dict(sig=py_sign(self.key, "msg_1", self.TS + 1, self.body)),  # another timestamp
            dict(path=bad_body),                                         # another body
            dict(secret=other_secret),                                   # another key
            dict(sig="v1,AAAA"), dict(sig=""), dict(sig=self.sig.replace("v1,", "v2,")),
            dict(msg_id="msg_2"),
        ]
        for c in cases:
            p = self.verify(**c)
            self.assertEqual(p.returncode, 1, "%r: %s" % (c, describe(p)))
            self.assertEqual(p.stdout, b"")
            self.assertIn(b"no signature matches the body", p.stderr, c)

    def test_stale_or_future_timestamp_exit_1(self):
        p = self.verify(now=self.TS + 301)
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertIn(b"timestamp outside the tolerance (301 s before now", p.stderr)
        p = self.verify(now=self.TS - 301)
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertIn(b"timestamp outside the tolerance (301 s after now", p.stderr)
        # the default tolerance is 300 s, inclusive
        self.assertEqual(self.verify(now=self.TS + 300).returncode, 0)
        self.assertEqual(self.verify(now=self.TS - 300).returncode, 0)
        # --tolerance widens and narrows it
        self.assertEqual(self.verify("--tolerance", "1000", now=self.TS + 1000).returncode, 0)
        p = self.verify("--tolerance", "1000", now=self.TS + 1001)
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertIn(b"tolerance 1000 s", p.stderr)
        self.assertEqual(self.verify("--tolerance", "10", now=self.TS + 10).returncode, 0)
        self.assertEqual(self.verify("--tolerance", "10", now=self.TS + 11).returncode, 1)
        # the clock, without --now: a timestamp of 2023 is stale
        p = self.verify(now=False)
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertIn(b"outside the tolerance", p.stderr)

    def test_malformed_timestamp_exit_1(self):
        for ts in ["", "abc", "+1700000000", " 1700000000", "1700000000.0", "99999999999999999999"]:
            p = self.verify(ts=ts)
            self.assertEqual(p.returncode, 1, "%r: %s" % (ts, describe(p)))
            self.assertIn(b"webhook-timestamp", p.stderr)

    def test_usage_errors_exit_2(self):
        base = ["--secret", self.secret, "--id", "m", "--timestamp", "1", "--signature", self.sig]
        cases = [
            ["verify"] + base,                                        # no file
            ["verify", "--id", "m", "--timestamp", "1", "--signature", "s", self.path],
            ["verify", "--secret", self.secret, "--timestamp", "1", "--signature", "s", self.path],
            ["verify", "--secret", self.secret, "--id", "m", "--signature", "s", self.path],
            ["verify", "--secret", self.secret, "--id", "m", "--timestamp", "1", self.path],
            ["verify"] + base + ["--now", "soon", self.path],
            ["verify"] + base + ["--now", "-5", self.path],
            ["verify"] + base + ["--tolerance", "0", self.path],
            ["verify"] + base + ["--tolerance", "ten", self.path],
            ["verify"] + base + ["--bogus", self.path],
            ["verify"] + base + [self.path, self.path],
            ["verify"] + base + [os.path.join(self.tmp.name, "missing")],
            ["verify", "--secret", "whsec_@@@@", "--id", "m", "--timestamp", "1", "--signature", "s",
             self.path],
        ]
        for args in cases:
            p = run(*args)
            self.assertEqual(p.returncode, 2, "%r: %s" % (args, describe(p)))
            self.assertEqual(p.stdout, b"", args)


# ---------------------------------------------------------------------------
# ugw fixtures
# ---------------------------------------------------------------------------

class TestFixtures(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def assert_same_as_shipped(self, folder, exts):
        names = sorted(os.listdir(folder))
        want = sorted("%s.%s" % (e, x) for e in EVENT_IDS for x in exts)
        self.assertEqual(names, want)
        self.assertEqual(sorted(n for n in os.listdir(VALID) if n.rsplit(".", 1)[-1] in exts), want)
        for n in names:
            self.assertEqual(read(os.path.join(folder, n)), read(os.path.join(VALID, n)), n)

    def test_both_formats_into_new_folder(self):
        out = os.path.join(self.tmp.name, "a", "b")
        p = run("fixtures", "--out", out)
        self.assertEqual(p.returncode, 0, describe(p))
        self.assertEqual(len(os.listdir(out)), 22)
        self.assert_same_as_shipped(out, ("json", "msgpack"))
        paths = p.stdout.decode().splitlines()
        self.assertEqual(sorted(paths), sorted(os.path.join(out, n) for n in os.listdir(out)))

    def test_one_format(self):
        for fmt in ("json", "msgpack"):
            out = os.path.join(self.tmp.name, fmt)
            p = run("fixtures", "--format", fmt, "--out", out + "/")
            self.assertEqual(p.returncode, 0, describe(p))
            self.assert_same_as_shipped(out, (fmt,))
            self.assertEqual(len(p.stdout.splitlines()), len(EVENT_IDS))

    def test_default_is_current_folder_and_files_are_replaced(self):
        write_tmp(self.tmp.name, "nps_score_submit.json", b"old content that is longer than the fixture" * 10)
        p = run("fixtures", cwd=self.tmp.name)
        self.assertEqual(p.returncode, 0, describe(p))
        self.assert_same_as_shipped(self.tmp.name, ("json", "msgpack"))
        # and they validate
        p = run("validate", *[os.path.join(self.tmp.name, n) for n in os.listdir(self.tmp.name)])
        self.assertEqual(p.returncode, 0, describe(p))

    def test_errors_exit_2(self):
        afile = write_tmp(self.tmp.name, "file", b"")
        for args in (["fixtures", "--format", "xml"], ["fixtures", "--out"], ["fixtures", "extra"],
                     ["fixtures", "--out", afile], ["fixtures", "--out", os.path.join(afile, "sub")],
                     ["fixtures", "--out", ""]):
            p = run(*args)
            self.assertEqual(p.returncode, 2, "%r: %s" % (args, describe(p)))


# ---------------------------------------------------------------------------
# ugw serve
# ---------------------------------------------------------------------------

class Server:
    """`ugw serve` as a subprocess on a free loopback port."""

    def __init__(self, *args, expect_start=True):
        self.args = [BIN, "serve", "--listen", "127.0.0.1:0", *args]
        self.proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
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


class TestServeSigned(ServeTestCase):
    def test_signed_json_and_msgpack_then_sigterm(self):
        srv = self.start("--secret", self.secret)
        seen = []
        for i, e in enumerate(EVENT_IDS):
            for ext, ctype in (("json", "application/json"), ("msgpack", "application/msgpack")):
                body = fixture(e, ext)
                h = self.signed(body, msg_id="msg_%s_%s" % (ext, e))
                status, resp, _ = srv.post(body, ctype, h, path="/hooks/%d" % i)
                self.assertEqual(status, 204, (e, ext, resp))
                self.assertEqual(resp, b"")
                seen.append((h["webhook-id"], e, ext))
        rc, out, err = srv.stop()
        self.assertEqual(rc, 0, err)
        self.assertEqual(summary(err), (22, 22, 0, 0, 0))
        lines = out.decode().splitlines()
        self.assertEqual(len(lines), 22, out)
        for line, (msg_id, e, ext) in zip(lines, seen):
            uid = json.loads(fixture(e))["payload"]["userId"]
            self.assertEqual(line, "%s %s verified %s %s" % (msg_id, e, ext, uid))

    def test_rejections(self):
        srv = self.start("--secret", self.secret)
        body = fixture("nps_score_submit")
        now = int(time.time())

        # wrong signature: signed with another key, or for another body
        status, resp, h = srv.post(body, headers=self.signed(body, key=os.urandom(24)))
        self.assertEqual(status, 401)
        self.assertEqual(h.get("Content-Type"), "application/json")
        err = json.loads(resp)
        self.assertEqual((err["code"], err["path"]), ("signature", "webhook-signature"))
        self.assertIsInstance(err["message"], str)
        hdrs = self.signed(body)
        status, resp, _ = srv.post(body + b" ", headers=hdrs)
        self.assertEqual((status, json.loads(resp)["code"]), (401, "signature"))

        # stale and future timestamps, correctly signed
        for ts in (now - 400, now + 400):
            status, resp, _ = srv.post(body, headers=self.signed(body, ts=ts))
            self.assertEqual(status, 401, ts)
            err = json.loads(resp)
            self.assertEqual((err["code"], err["path"]), ("timestamp", "webhook-timestamp"))

        # missing headers
        for missing in ("webhook-id", "webhook-timestamp", "webhook-signature"):
            hdrs = self.signed(body)
            del hdrs[missing]
            status, resp, _ = srv.post(body, headers=hdrs)
            self.assertEqual(status, 401, missing)
            self.assertEqual(json.loads(resp)["path"], missing)

        # a valid signature on an invalid payload: 400 with the decoder's error
        bad = body.replace(b'"score":9', b'"score":11')
        self.assertNotEqual(bad, body)
        status, resp, _ = srv.post(bad, headers=self.signed(bad))
        self.assertEqual(status, 400, resp)
        err = json.loads(resp)
        self.assertEqual(set(err), {"code", "message", "path", "pos"})
        self.assertEqual((err["code"], err["path"]), ("range", "payload.score"))
        self.assertTrue(0 <= err["pos"] <= len(bad))
        # the same error as `ugw validate` gives for these bytes
        p = run("validate", "-", stdin=bad)
        self.assertIn(("%s (range at byte %d)" % (err["message"], err["pos"])).encode(), p.stdout)

        # not an event at all, and JSON declared for MessagePack bytes
        status, resp, _ = srv.post(b"{", headers=self.signed(b"{"))
        self.assertEqual((status, json.loads(resp)["code"]), (400, "truncated"))
        mp = fixture("nps_score_submit", "msgpack")
        status, resp, _ = srv.post(mp, "application/json", headers=self.signed(mp))
        self.assertEqual(status, 400)

        # unsupported media types (a signed request: the type is checked after the signature)
        for ctype in ("text/plain", "application/x-www-form-urlencoded", "application/jsonx",
                      "application/json-seq", "application/msgpack2"):
            status, resp, _ = srv.post(body, ctype, headers=self.signed(body))
            self.assertEqual(status, 415, ctype)
            self.assertEqual(json.loads(resp)["code"], "type")
        # parameters and case are allowed
        for ctype in ("application/json; charset=utf-8", "Application/JSON", " application/json ;x=y"):
            status, _, _ = srv.post(body, ctype, headers=self.signed(body))
            self.assertEqual(status, 204, ctype)

        # other methods
        status, resp, h = srv.post(None, None, method="GET")
        self.assertEqual(status, 405)
        self.assertEqual(h.get("Allow"), "POST")
        self.assertEqual(json.loads(resp)["code"], "arg")

        rc, out, err = srv.stop()
        self.assertEqual(rc, 0, err)
        # 3 valid; 401: 2 wrong signature + 2 timestamps + 3 missing headers = 7;
        # invalid: 3 bad bodies + 5 media types + 1 method = 9
        self.assertEqual(summary(err), (19, 3, 9, 7, 0))
        self.assertEqual(len(out.splitlines()), 3)
        self.assertIn(b"ugw serve: 401", err)
        self.assertIn(b"ugw serve: 400", err)

    def test_missing_content_type_is_415(self):
        srv = self.start()
        body = fixture("guide_preview_start")
        c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
        self.addCleanup(c.close)
        c.putrequest("POST", "/")
        c.putheader("Content-Length", str(len(body)))
        c.endheaders(body)
        r = c.getresponse()
        self.assertEqual(r.status, 415)
        self.assertEqual(json.loads(r.read())["code"], "type")

    def test_duplicate_is_204_counted_printed_once(self):
        out_path = os.path.join(self.tmp.name, "events.jsonl")
        srv = self.start("--secret", self.secret)
        body = fixture("checklist_item_trigger")
        first = self.signed(body, msg_id="msg_dup")
        self.assertEqual(srv.post(body, headers=first)[0], 204)
        # a retry: same id, new timestamp, new signature; and in the other format
        time.sleep(1.1)
        self.assertEqual(srv.post(body, headers=self.signed(body, msg_id="msg_dup"))[0], 204)
        mp = fixture("checklist_item_trigger", "msgpack")
        self.assertEqual(srv.post(mp, "application/msgpack", self.signed(mp, msg_id="msg_dup"))[0], 204)
        self.assertEqual(srv.post(body, headers=self.signed(body, msg_id="msg_other"))[0], 204)
        rc, out, err = srv.stop()
        self.assertEqual(rc, 0, err)
        self.assertEqual(summary(err), (4, 2, 0, 0, 2))
        lines = out.decode().splitlines()
        self.assertEqual([l.split()[0] for l in lines], ["msg_dup", "msg_other"], out)
        self.assertFalse(os.path.exists(out_path))

    def test_invalid_first_attempt_does_not_make_a_duplicate(self):
        srv = self.start("--secret", self.secret)
        body = fixture("nps_feedback_submit")
        bad = body.replace(b'"event":"', b'"event":"x')
        self.assertEqual(srv.post(bad, headers=self.signed(bad, msg_id="msg_x"))[0], 400)
        self.assertEqual(srv.post(body, headers=self.signed(body, msg_id="msg_x"))[0], 204)
        rc, out, err = srv.stop()
        self.assertEqual(summary(err), (2, 1, 1, 0, 0))
        self.assertEqual(len(out.splitlines()), 1)

    def test_tolerance_option(self):
        srv = self.start("--secret", self.secret, "--tolerance", "5")
        body = fixture("nps_score_submit")
        now = int(time.time())
        self.assertEqual(srv.post(body, headers=self.signed(body, ts=now - 60))[0], 401)
        self.assertEqual(srv.post(body, headers=self.signed(body, ts=now))[0], 204)
        srv2 = self.start("--secret", self.secret, "--tolerance", "3600")
        self.assertEqual(srv2.post(body, headers=self.signed(body, ts=now - 600))[0], 204)
        self.assertEqual(srv2.post(body, headers=self.signed(body, ts=now - 4000))[0], 401)


class TestServeLimits(ServeTestCase):
    def test_oversize_body_413(self):
        srv = self.start("--secret", self.secret)
        big = b'{"event":"guide started (userguiding)","payload":{"userId":"' + b"u" * (1 << 20) + b'"}}'
        # Content-Length over the limit, body sent without waiting (urllib)
        status, resp, _ = srv.post(big, headers=self.signed(big))
        self.assertEqual(status, 413)
        err = json.loads(resp)
        self.assertEqual(err["code"], "limit")
        self.assertIn("1048576", err["message"])
        # exactly at the limit is not 413 (it is decoded, and this one is invalid)
        at = b" " * ((1 << 20) - 2) + b"{}"
        status, resp, _ = srv.post(at, headers=self.signed(at))
        self.assertEqual(status, 400, resp)
        # chunked, no Content-Length: the limit is applied while reading
        c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
        self.addCleanup(c.close)
        h = self.signed(big)
        h["Content-Type"] = "application/json"
        c.request("POST", "/", body=iter([big[i:i + 65536] for i in range(0, len(big), 65536)]),
                  headers=h, encode_chunked=True)
        r = c.getresponse()
        self.assertEqual(r.status, 413)
        self.assertEqual(json.loads(r.read())["code"], "limit")
        # the connection is still usable after a drained 413
        body = fixture("guide_preview_start")
        h = self.signed(body)
        h["Content-Type"] = "application/json"
        c.request("POST", "/", body=body, headers=h)
        r = c.getresponse()
        r.read()
        self.assertEqual(r.status, 204)
        rc, out, err = srv.stop()
        self.assertEqual(summary(err), (4, 1, 3, 0, 0))

    def test_oversize_rejected_before_the_body_with_expect_100_continue(self):
        srv = self.start("--secret", self.secret)
        with socket.create_connection(("127.0.0.1", srv.port), timeout=30) as s:
            s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      b"Content-Length: 5000000\r\nExpect: 100-continue\r\n\r\n")
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
        self.assertTrue(data.startswith(b"HTTP/1.1 413"), data)
        rc, out, err = srv.stop()
        self.assertEqual(summary(err), (1, 0, 1, 0, 0))

    def test_max_body_option(self):
        srv = self.start("--max-body", "200")
        body = fixture("nps_survey_display")
        self.assertLessEqual(len(body), 200)
        self.assertEqual(srv.post(body)[0], 204)
        pad = body + b" " * (200 - len(body))
        self.assertEqual(srv.post(pad)[0], 204)
        self.assertEqual(srv.post(pad + b" ")[0], 413)
        srv2 = self.start("--max-body", str(4 << 20))
        big = b'{"event":"guide started (userguiding)","payload":{"userId":"' + b"u" * (2 << 20) + b'"}}'
        status, resp, _ = srv2.post(big)
        self.assertEqual(status, 400)                  # read whole, then too long a userId
        self.assertEqual(json.loads(resp)["code"], "too_long")


class TestServeUnsigned(ServeTestCase):
    def test_unsigned_requests_accepted(self):
        srv = self.start()
        body = fixture("resource_center_external_url_click")
        self.assertEqual(srv.post(body, headers={"webhook-id": "msg_u1"})[0], 204)
        self.assertEqual(srv.post(body)[0], 204)   # no webhook-id at all
        self.assertEqual(srv.post(body)[0], 204)   # ... is never a duplicate
        # a bad signature is not checked without a secret
        self.assertEqual(srv.post(body, headers={"webhook-id": "msg_u2", "webhook-signature": "v1,AAAA"})[0], 204)
        # a malformed webhook-id is rejected
        for bad_id in ("has space", "x" * 257):
            status, resp, _ = srv.post(body, headers={"webhook-id": bad_id})
            self.assertEqual(status, 400, bad_id)
            self.assertEqual(json.loads(resp)["path"], "webhook-id")
        self.assertEqual(srv.post(body, headers={"webhook-id": "x" * 256})[0], 204)
        rc, out, err = srv.stop(signal.SIGINT)
        self.assertEqual(rc, 0, err)
        self.assertEqual(summary(err), (7, 5, 2, 0, 0))
        lines = out.decode().splitlines()
        self.assertEqual([l.split()[:4] for l in lines],
                         [["msg_u1", "resource_center_external_url_click", "unsigned", "json"],
                          ["-", "resource_center_external_url_click", "unsigned", "json"],
                          ["-", "resource_center_external_url_click", "unsigned", "json"],
                          ["msg_u2", "resource_center_external_url_click", "unsigned", "json"],
                          ["x" * 256, "resource_center_external_url_click", "unsigned", "json"]])

    def test_strict(self):
        body = json.loads(fixture("nps_score_submit"))
        body["payload"]["newField"] = 1
        extra = json.dumps(body).encode()
        lax = self.start()
        self.assertEqual(lax.post(extra)[0], 204)
        strict = self.start("--strict")
        status, resp, _ = strict.post(extra)
        self.assertEqual(status, 400)
        err = json.loads(resp)
        self.assertEqual((err["code"], err["path"]), ("unknown_key", "payload.newField"))

    def test_user_id_is_escaped_in_the_line(self):
        srv = self.start()
        body = json.loads(fixture("guide_preview_start"))
        body["payload"]["userId"] = 'a b\n"c"\\d\u00e9\u001b'
        self.assertEqual(srv.post(json.dumps(body, ensure_ascii=False).encode())[0], 204)
        rc, out, err = srv.stop()
        self.assertEqual(out.count(b"\n"), 1, out)
        line = out.decode().rstrip("\n")
        self.assertEqual(json.loads('"%s"' % line.split(" ", 4)[4]), body["payload"]["userId"])

    def test_quiet(self):
        srv = self.start("--quiet")
        self.assertEqual(srv.post(fixture("guide_preview_start"))[0], 204)
        self.assertEqual(srv.post(b"{}")[0], 400)
        rc, out, err = srv.stop()
        self.assertEqual((rc, out), (0, b""))
        self.assertNotIn(b"ugw serve: 400", err)
        self.assertEqual(summary(err), (2, 1, 1, 0, 0))

    def test_concurrent_clients(self):
        srv = self.start("--secret", self.secret, "--threads", "3")
        bodies = [(fixture(e, x), "application/" + x, e) for e in EVENT_IDS for x in ("json", "msgpack")]
        results, lock = [], threading.Lock()

        def worker(k):
            for j in range(25):
                body, ctype, _ = bodies[(k + j) % len(bodies)]
                h = self.signed(body, msg_id="msg_%d_%d" % (k, j))
                st = srv.post(body, ctype, h)[0]
                with lock:
                    results.append(st)

        ts = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(120)
        self.assertEqual(results, [204] * 200)
        rc, out, err = srv.stop()
        self.assertEqual(summary(err), (200, 200, 0, 0, 0))
        self.assertEqual(len(set(l.split()[0] for l in out.splitlines())), 200)


class TestServeOut(ServeTestCase):
    def test_json_lines(self):
        out_path = os.path.join(self.tmp.name, "events.jsonl")
        write_tmp(self.tmp.name, "events.jsonl", b'{"earlier":true}\n')  # appended to
        srv = self.start("--secret", self.secret, "--out", out_path)
        sent = []
        for e in EVENT_IDS:
            for ext in ("json", "msgpack"):
                body = fixture(e, ext)
                h = self.signed(body)
                self.assertEqual(srv.post(body, "application/" + ext, h)[0], 204)
                sent.append((h["webhook-id"], e, ext))
        dup = fixture("nps_score_submit")
        self.assertEqual(srv.post(dup, headers=self.signed(dup, msg_id=sent[0][0]))[0], 204)
        rc, out, err = srv.stop()
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, b"")  # lines go to the file instead
        self.assertEqual(summary(err), (23, 22, 0, 0, 1))
        with open(out_path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        self.assertEqual(json.loads(lines[0]), {"earlier": True})
        recs = [json.loads(l) for l in lines[1:]]
        self.assertEqual(len(recs), 22)
        wire = {}
        for (msg_id, e, ext), rec in zip(sent, recs):
            self.assertEqual(set(rec), {"id", "event", "format", "verified", "received", "body"})
            self.assertEqual((rec["id"], rec["format"], rec["verified"]), (msg_id, ext, True))
            # whatever format it came in, body is the event as JSON: the JSON fixture
            self.assertEqual(rec["body"], json.loads(fixture(e)))
            self.assertEqual(rec["event"], rec["body"]["event"])
            wire.setdefault(e, rec["event"])
            self.assertRegex(rec["received"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
            t = time.mktime(time.strptime(rec["received"][:19], "%Y-%m-%dT%H:%M:%S")) - time.timezone
            self.assertLess(abs(t - time.time()), 600)
        self.assertEqual(len(set(wire.values())), len(EVENT_IDS))

    def test_json_lines_unsigned_to_stdout(self):
        srv = self.start("--out", "-")
        body = fixture("nps_survey_display")
        self.assertEqual(srv.post(body)[0], 204)
        odd_id = 'msg_"quoted"\\back{}'
        self.assertEqual(srv.post(body, headers={"webhook-id": odd_id})[0], 204)
        rc, out, err = srv.stop()
        self.assertEqual(rc, 0, err)
        recs = [json.loads(l) for l in out.splitlines()]
        self.assertEqual(len(recs), 2, out)
        self.assertEqual((recs[0]["id"], recs[0]["verified"], recs[0]["format"]), (None, False, "json"))
        self.assertEqual(recs[0]["body"], json.loads(body))
        self.assertEqual(recs[1]["id"], odd_id)


class TestServeUsage(unittest.TestCase):
    def test_usage_errors_exit_2(self):
        for args in (["--listen", "nope"], ["--listen", "127.0.0.1:70000"], ["--listen", "127.0.0.1:"],
                     ["--listen", "::1:80"], ["--max-body", "0"], ["--max-body", "1k"],
                     ["--tolerance", "0"], ["--threads", "0"], ["--secret", "whsec_!!"],
                     ["--bogus"], ["operand"], ["--out", "/nonexistent-dir/x.jsonl"]):
            p = run("serve", *args)
            self.assertEqual(p.returncode, 2, "%r: %s" % (args, describe(p)))
            self.assertNotIn(b"listening on", p.stderr)

    def test_port_in_use_exit_2(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen(1)
            port = s.getsockname()[1]
            p = subprocess.run([BIN, "serve", "--listen", "127.0.0.1:%d" % port], capture_output=True,
                               timeout=30)
        self.assertEqual(p.returncode, 2, describe(p))
        self.assertIn(b"cannot listen", p.stderr)

    def test_ipv6_loopback(self):
        if not socket.has_ipv6:
            self.skipTest("no IPv6")
        try:
            with socket.socket(socket.AF_INET6) as s:
                s.bind(("::1", 0))
        except OSError:
            self.skipTest("no IPv6 loopback")
        proc = subprocess.Popen([BIN, "serve", "--listen", "[::1]:0"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        try:
            line = proc.stderr.readline()
            m = re.search(rb"listening on http://\[::1\]:(\d+)/", line)
            self.assertIsNotNone(m, line)
            c = http.client.HTTPConnection("::1", int(m.group(1)), timeout=30)
            c.request("POST", "/", body=fixture("guide_preview_start"),
                      headers={"Content-Type": "application/json"})
            self.assertEqual(c.getresponse().status, 204)
            c.close()
            proc.send_signal(signal.SIGTERM)
            self.assertEqual(proc.wait(STOP_TIMEOUT), 0)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
            proc.stderr.close()


class TestHelp(unittest.TestCase):
    def test_help(self):
        p = run("--help")
        for name in ("sign", "verify", "serve", "fixtures"):
            self.assertRegex(p.stdout.decode(), r"\n  %s " % name)
            for args in (["help", name], [name, "--help"], [name, "-h"]):
                q = run(*args)
                self.assertEqual(q.returncode, 0, describe(q))
                self.assertTrue(q.stdout.startswith(b"Usage: ugw " + name.encode()), q.stdout[:80])
                self.assertIn(b"Exit status", q.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
