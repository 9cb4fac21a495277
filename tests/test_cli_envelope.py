"""test_cli_envelope.py - `ugw convert` and `ugw send` over a schema with envelope
fields (tests/envelope/standard_webhooks.toml, built as sw_ugw by ugw_generate(... CLI)),
run by ctest: the envelope's "timestamp" goes through JSON -> MessagePack -> JSON
byte for byte and into the body `send` posts to a receiver on 127.0.0.1, and a
document without it is refused with its path.

Environment: UGW_BIN  path of the built command over that schema (required).
Python 3.11+ standard library only; about a second.
"""

import http.server
import os
import subprocess
import tempfile
import threading
import unittest

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
    bodies = []

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        Receiver.bodies.append(self.rfile.read(n))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


class SendEnvelope(unittest.TestCase):
    def test_send_keeps_the_envelope(self):
        srv = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
        th = threading.Thread(target=srv.serve_forever, daemon=True)
        th.start()
        try:
            with tempfile.TemporaryDirectory() as d:
                path = os.path.join(d, "ev.json")
                with open(path, "wb") as f:
                    f.write(DOC)
                Receiver.bodies = []
                url = "http://127.0.0.1:%d/hook" % srv.server_address[1]
                p = run("send", "--url", url, "--quiet", "--max-attempts", "1", path)
                self.assertEqual(p.returncode, 0, p.stderr.decode(errors="replace"))
                self.assertEqual(Receiver.bodies, [DOC])
        finally:
            srv.shutdown()
            srv.server_close()
            th.join(10)


if __name__ == "__main__":
    unittest.main(verbosity=2)
