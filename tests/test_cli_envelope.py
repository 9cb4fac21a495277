"""test_cli_envelope.py - `ugw convert`, `ugw send` and `ugw serve` over a schema
with envelope fields (tests/envelope/standard_webhooks.toml, built as sw_ugw by
ugw_generate(... CLI)), run by ctest: the envelope's "timestamp" goes through
JSON -> MessagePack -> JSON byte for byte, into the body `send` posts to a
receiver on 127.0.0.1, and through `serve` (signed, JSON and MessagePack) into
its --out lines, its inspector and what it forwards; a document without it, or
with a bad or huge one, is refused with its path.

Environment: UGW_BIN  path of the built command over that schema (required).
Python 3.11+ standard library only; about two seconds.
"""

import base64
import http.server
import json
import os
import subprocess
import tempfile
import threading
import time
import unittest

from serve_support import Server, Stream, new_secret, py_sign

BIN = os.environ["UGW_BIN"]
TS = "2022-11-03T20:26:10.344Z"
DOC = (b'{"type":"guide started (userguiding)","timestamp":"' + TS.encode() + b'",'
       b'"data":{"userId":"u1","pageUrl":"https://e.com/","guideId":7,"guideName":"g"}}')


def mp_str(s):
    b = s.encode()
    assert len(b) < 32
    return bytes([0xA0 | len(b)]) + b


def run(*args, stdin=b""):
    return subprocess.run([BIN, *args], input=stdin, capture_output=True, timeout=60)


class ConvertEnvelope(unittest.TestCase):
    def convert(self, to, doc):
        p = run("convert", "--to", to, "-", stdin=doc)
        self.assertEqual(p.returncode, 0, p.stderr.decode(errors="replace"))
        return p.stdout.rstrip(b"\n") if to == "json" else p.stdout

    def test_round_trip_keeps_the_envelope(self):
        mp = self.convert("msgpack", DOC)
        # a map of 3: "type", the event, "timestamp", its text, then "data"
        self.assertEqual(mp[0], 0x83)
        self.assertIn(mp_str("timestamp") + mp_str(TS) + mp_str("data"), mp)
        self.assertEqual(self.convert("json", mp), DOC)
        self.assertEqual(self.convert("json", DOC), DOC)
        self.assertEqual(self.convert("msgpack", mp), mp)

    def test_missing_envelope_field_refused(self):
        doc = DOC.replace(b'"timestamp":"' + TS.encode() + b'",', b"")
        for to in ("json", "msgpack"):
            p = run("convert", "--to", to, "-", stdin=doc)
            self.assertNotEqual(p.returncode, 0)
            self.assertEqual(p.stdout, b"")
            self.assertIn(b"timestamp", p.stderr)


class Receiver(http.server.BaseHTTPRequestHandler):
    """Records the bodies POSTed to it and answers 204."""
    bodies = []

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        Receiver.bodies.append(self.rfile.read(n))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def start_receiver(test):
    """A Receiver on a free loopback port, stopped at the test's cleanup; its URL."""
    srv = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()

    def stop():
        srv.shutdown()
        srv.server_close()
        th.join(10)
    test.addCleanup(stop)
    Receiver.bodies = []
    return "http://127.0.0.1:%d/hook" % srv.server_address[1]


class SendEnvelope(unittest.TestCase):
    def test_send_keeps_the_envelope(self):
        url = start_receiver(self)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "ev.json")
            with open(path, "wb") as f:
                f.write(DOC)
            p = run("send", "--url", url, "--quiet", "--max-attempts", "1", path)
            self.assertEqual(p.returncode, 0, p.stderr.decode(errors="replace"))
            self.assertEqual(Receiver.bodies, [DOC])


class ServeEnvelope(unittest.TestCase):
    """`serve --secret --out FILE --forward-to APP`: what it received, it writes,
    shows and forwards with the envelope fields."""

    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.out = os.path.join(tmp.name, "events.jsonl")
        app = start_receiver(self)
        self.secret, self.key = new_secret()
        self.srv = Server("--secret", self.secret, "--out", self.out, "--forward-to", app)
        self.addCleanup(self.srv.kill)

    def post(self, body, msg_id, content_type="application/json"):
        ts = int(time.time())
        h = {"webhook-id": msg_id, "webhook-timestamp": str(ts),
             "webhook-signature": py_sign(self.key, msg_id, ts, body)}
        return self.srv.post(body, content_type, h)

    def stop(self):
        rc, _, err = self.srv.stop()
        self.assertEqual(rc, 0, err)
        with open(self.out, "rb") as f:
            return f.read().splitlines(), err

    def test_out_inspector_and_forward_keep_the_envelope(self):
        p = run("convert", "--to", "msgpack", "-", stdin=DOC)
        self.assertEqual(p.returncode, 0, p.stderr)
        mp = p.stdout
        self.assertEqual(self.post(DOC, "msg_json")[0], 204)
        self.assertEqual(self.post(mp, "msg_mp", "application/msgpack")[0], 204)
        stream = Stream(self.srv.port)
        self.addCleanup(stream.close)
        shown = [json.loads(e["data"]) for e in stream.events(3)[1:]]  # after "hello"
        lines, _ = self.stop()
        self.assertEqual(len(lines), 2, lines)
        for line, msg_id, fmt in zip(lines, ("msg_json", "msg_mp"), ("json", "msgpack")):
            # the body is the event as received, re-encoded as JSON: timestamp included
            self.assertTrue(line.endswith(b',"body":' + DOC + b"}"), line)
            rec = json.loads(line)
            self.assertEqual((rec["id"], rec["format"], rec["verified"]), (msg_id, fmt, True))
            self.assertEqual(rec["body"]["timestamp"], TS)
        self.assertEqual([(r["id"], r["verdict"], base64.b64decode(r["body"])) for r in shown],
                         [("msg_json", "delivered", DOC), ("msg_mp", "delivered", mp)])
        self.assertEqual(Receiver.bodies, [DOC, mp])  # forwarded byte for byte

    def test_bad_envelope_field_refused_with_its_path(self):
        value = DOC.index(TS.encode()) - 1  # where the timestamp's value starts
        huge = DOC.replace(TS.encode(), b"2" * 600000)
        cases = ((DOC.replace(TS.encode(), b"2023-02-29T00:00:00Z"), "format", value + 9),  # no such day
                 (DOC.replace(b'"' + TS.encode() + b'"', b"1667507170344"), "type", value),
                 (DOC.replace(b'"timestamp":"' + TS.encode() + b'",', b""), "missing", 0),
                 (huge, "format", value + 5))
        for i, (body, code, pos) in enumerate(cases):
            st, answer, _ = self.post(body, "msg_bad%d" % i)
            self.assertEqual(st, 400, answer)
            err = json.loads(answer)
            self.assertEqual((err["code"], err["path"], err["pos"]), (code, "timestamp", pos), answer)
        self.assertEqual(self.post(DOC, "msg_good")[0], 204)  # still serving
        lines, err = self.stop()
        self.assertEqual(len(lines), 1)
        self.assertEqual(json.loads(lines[0])["id"], "msg_good")
        self.assertEqual(Receiver.bodies, [DOC])
        self.assertEqual(err.count(b": timestamp: "), len(cases), err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
