"""test_cli_envelope.py - the `ugw` command over a schema with envelope fields
(tests/envelope/standard_webhooks.toml, built as sw_ugw by ugw_generate(... CLI)),
run by ctest: the envelope's "timestamp" goes through JSON -> MessagePack -> JSON
byte for byte, into the body `send` posts to a receiver on 127.0.0.1, and
through `serve` (signed, JSON and MessagePack) into its --out lines, its
inspector and what it forwards; a document without it, or with a bad or huge
one, is refused with its path. `fixtures` writes the generator's valid
fixtures byte for byte, envelope included, and `demo` delivers every event.
The same for a schema whose envelope fields are all optional
(tests/envelope/optional_envelope.toml, opt_ugw); and a main() that leaves
ugw_cli_app.fixture_envelope NULL (tests/envelope/app_without_envelope.c)
still writes the optional schema's fixtures, without envelope fields, and
refuses, naming the field, where the schema requires one.

Environment (all required):
  UGW_BIN            the command over the Standard Webhooks schema
  UGW_FIXTURES       the generator's fixtures/valid folder for that schema
  UGW_NOENV_BIN      that schema's command without fixture_envelope
  UGW_OPT_BIN, UGW_OPT_FIXTURES, UGW_OPT_NOENV_BIN  the same for the optional one
Python 3.11+ standard library only; about ten seconds (the demos).
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
FIXTURES = os.environ["UGW_FIXTURES"]
NOENV_BIN = os.environ["UGW_NOENV_BIN"]
OPT_BIN = os.environ["UGW_OPT_BIN"]
OPT_FIXTURES = os.environ["UGW_OPT_FIXTURES"]
OPT_NOENV_BIN = os.environ["UGW_OPT_NOENV_BIN"]
TS = "2022-11-03T20:26:10.344Z"
DOC = (b'{"type":"guide started (userguiding)","timestamp":"' + TS.encode() + b'",'
       b'"data":{"userId":"u1","pageUrl":"https://e.com/","guideId":7,"guideName":"g"}}')


def mp_str(s):
    b = s.encode()
    assert len(b) < 32
    return bytes([0xA0 | len(b)]) + b


def run(*args, stdin=b"", bin=BIN):
    return subprocess.run([bin, *args], input=stdin, capture_output=True, timeout=60)


def describe(p):
    return "exit %d\nstdout: %s\nstderr: %s" % (p.returncode, p.stdout.decode(errors="replace"),
                                                   p.stderr.decode(errors="replace"))


def read(path):
    with open(path, "rb") as f:
        return f.read()


def listing(folder, exts=("json", "msgpack")):
    """The valid fixtures' file names of `folder` (not the limit cases <id>.min / <id>.max)."""
    return sorted(n for n in os.listdir(folder) if n.count(".") == 1 and n.rsplit(".", 1)[1] in exts)


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


class FixturesEnvelope(unittest.TestCase):
    """`fixtures` writes exactly the generator's valid fixtures, envelope fields included."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def write(self, bin, want_dir, *fmt):
        out = os.path.join(self.tmp.name, bin.rsplit("/", 1)[-1] + "-".join(("",) + fmt))
        p = run("fixtures", *(("--format",) + fmt if fmt else ()), "--out", out, bin=bin)
        self.assertEqual(p.returncode, 0, describe(p))
        names = listing(out)
        self.assertEqual(names, listing(want_dir, fmt or ("json", "msgpack")))
        self.assertTrue(names)
        self.assertEqual(sorted(p.stdout.decode().splitlines()), [os.path.join(out, n) for n in names])
        for n in names:
            self.assertEqual(read(os.path.join(out, n)), read(os.path.join(want_dir, n)), n)
        return out, names

    def check(self, bin, want_dir, keys):
        for fmt in ((), ("json",), ("msgpack",)):
            with self.subTest(bin=bin, fmt=fmt):
                out, names = self.write(bin, want_dir, *fmt)
                p = run("validate", "--strict", *[os.path.join(out, n) for n in names], bin=bin)
                self.assertEqual(p.returncode, 0, describe(p))
                for n in names:
                    if n.endswith(".json"):
                        doc = json.loads(read(os.path.join(out, n)))
                        self.assertEqual([k for k in doc if k in keys], keys, n)

    def test_required_envelope_field(self):
        self.check(BIN, FIXTURES, ["timestamp"])
        self.assertIn(b'"timestamp":"2022-11-03T20:26:10.344Z"', read(os.path.join(FIXTURES, "guide_preview_start.json")))

    def test_optional_envelope_fields(self):
        self.check(OPT_BIN, OPT_FIXTURES, ["sentAt", "attempt"])

    def test_app_without_fixture_envelope_required_field(self):
        # The schema requires "timestamp": refused before anything is written, naming it.
        out = os.path.join(self.tmp.name, "noenv")
        for cmd in (["fixtures", "--out", out], ["demo", "--timeout", "5"]):
            with self.subTest(cmd=cmd[0]):
                p = run(*cmd, bin=NOENV_BIN)
                self.assertEqual(p.returncode, 2, describe(p))
                self.assertEqual(p.stdout, b"")
                self.assertIn(b"noenv %s: " % cmd[0].encode(), p.stderr)
                self.assertIn(b"requires the envelope field 'timestamp'", p.stderr)
                self.assertIn(b"fixture_envelope", p.stderr)
        self.assertFalse(os.path.exists(out))

    def test_help_tells_of_envelope_fields(self):
        # Both commands' help says where the envelope values come from and
        # what a command without fixture_envelope does.
        for cmd in ("fixtures", "demo"):
            with self.subTest(cmd=cmd):
                p = run(cmd, "--help")
                self.assertEqual(p.returncode, 0, describe(p))
                text = b" ".join(p.stdout.split())
                self.assertIn(b"envelope fields", text)
                self.assertIn(b"fixture_envelope()", text)
                self.assertIn(b"exits 2, naming the", text)

    def test_app_without_fixture_envelope_optional_fields(self):
        # Every envelope field may be absent: the payloads are written without them.
        out = os.path.join(self.tmp.name, "opt-noenv")
        p = run("fixtures", "--format", "json", "--out", out, bin=OPT_NOENV_BIN)
        self.assertEqual(p.returncode, 0, describe(p))
        names = listing(out)
        self.assertEqual(names, listing(OPT_FIXTURES, ("json",)))
        for n in names:
            got, want = json.loads(read(os.path.join(out, n))), json.loads(read(os.path.join(OPT_FIXTURES, n)))
            self.assertEqual(set(want) - set(got), {"sentAt", "attempt"}, n)
            self.assertEqual(got, {k: v for k, v in want.items() if k not in ("sentAt", "attempt")}, n)
        p = run("validate", "--strict", *[os.path.join(out, n) for n in names], bin=OPT_BIN)
        self.assertEqual(p.returncode, 0, describe(p))


class DemoEnvelope(unittest.TestCase):
    """`demo` sends every fixture with its envelope and the receiver takes them all."""

    def demo(self, bin, want_dir):
        n = len(listing(want_dir, ("json",)))
        for fmt in ("json", "msgpack"):
            with self.subTest(bin=bin, fmt=fmt):
                p = run("demo", "--format", fmt, "--timeout", "30", bin=bin)
                self.assertEqual(p.returncode, 0, describe(p))
                out = p.stdout.decode()
                self.assertIn("%d sent, %d delivered, %d received and verified, 0 invalid, 0 unauthorized"
                              % (n, n, n), out)
                self.assertIn("all %d events encoded, signed, posted, received, verified and validated" % n, out)
                got = [l.split() for l in out.splitlines() if l.startswith("  received ")]
                self.assertEqual(len(got), n, out)
                for words in got:
                    self.assertIn(fmt, words, out)
                    self.assertIn("verified", words, out)

    def test_required_envelope_field(self):
        self.demo(BIN, FIXTURES)

    def test_optional_envelope_fields(self):
        self.demo(OPT_BIN, OPT_FIXTURES)


if __name__ == "__main__":
    unittest.main(verbosity=2)
