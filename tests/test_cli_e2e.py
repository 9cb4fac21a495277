"""test_cli_e2e.py - `ugw send` into `ugw serve`, both real processes, run by
ctest: both formats, with and without a secret, and a replay of a dead-letter
file reaching the receiver with the original webhook-ids.

Environment: UGW_BIN (the built `ugw`), UGW_SOURCE_DIR (the source tree).
Python 3.11+ standard library only.
"""

import collections
import json
import os
import re
import signal
import subprocess
import tempfile
import unittest

BIN = os.path.abspath(os.environ.get("UGW_BIN", ""))
SRC = os.environ.get("UGW_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# How many events the schema has (a fork that adds one stays green).
with open(os.path.join(SRC, "schema", "events.toml"), "rb") as _f:
    N_EVENTS = len(__import__("tomllib").load(_f)["event"])
VALID = os.path.join(SRC, "generated", "fixtures", "valid")
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SUMMARY = re.compile(r"received (\d+), valid (\d+), invalid (\d+), unauthorized (\d+), duplicates (\d+)")


def fixtures(ext):
    return sorted(os.path.join(VALID, f) for f in os.listdir(VALID) if f.endswith("." + ext))


class Server:
    """`ugw serve` on a free loopback port, always stopped."""

    def __init__(self, *args):
        self.out = tempfile.NamedTemporaryFile(suffix=".jsonl", delete=False)
        self.out.close()
        self.p = subprocess.Popen([BIN, "serve", "--listen", "127.0.0.1:0", "--out", self.out.name, *args],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = self.p.stderr.readline().decode()
        while line.startswith("ugw serve: warning:"):  # --secret on the command line
            line = self.p.stderr.readline().decode()
        m = re.search(r"listening on (http://127\.0\.0\.1:\d+/)", line)
        if not m:
            self.p.kill()
            raise RuntimeError("ugw serve did not start: %r" % line)
        self.url = m.group(1)

    def stop(self):
        """SIGTERM; returns (exit code, summary counts, JSON lines written)."""
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
        try:
            _, err = self.p.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.p.kill()
            raise
        m = SUMMARY.search(err.decode())
        with open(self.out.name) as f:
            lines = [json.loads(line) for line in f if line.strip()]
        os.unlink(self.out.name)
        return self.p.returncode, tuple(int(x) for x in m.groups()) if m else None, lines

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.communicate()
        if os.path.exists(self.out.name):
            os.unlink(self.out.name)


class SendIntoServe(unittest.TestCase):
    def setUp(self):
        if not os.access(BIN, os.X_OK):
            self.fail("set UGW_BIN to the built ugw program")
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.kill()

    def serve(self, *args):
        s = Server(*args)
        self.servers.append(s)
        return s

    def check(self, fmt, signed):
        srv = self.serve(*(["--secret", SECRET] if signed else []))
        files = fixtures("json") + fixtures("msgpack")
        send = subprocess.run([BIN, "send", "--url", srv.url, "--format", fmt,
                               *(["--secret", SECRET] if signed else []), *files],
                              capture_output=True, timeout=60)
        self.assertEqual(send.returncode, 0, send.stderr.decode())
        self.assertIn("22 events: 22 delivered, 0 failed, 0 invalid", send.stderr.decode())
        code, counts, lines = srv.stop()
        self.assertEqual(code, 0)
        self.assertEqual(counts, (22, 22, 0, 0, 0))
        self.assertEqual(len(lines), 22)
        self.assertTrue(all(x["format"] == fmt for x in lines))
        self.assertTrue(all(x["verified"] is signed for x in lines))
        # each fixture arrived once per input file, with its own webhook-id
        self.assertEqual(len({x["id"] for x in lines}), 22)
        per_event = collections.Counter(x["event"] for x in lines)
        self.assertEqual(len(per_event), N_EVENTS)
        self.assertTrue(all(n == 2 for n in per_event.values()), per_event)

    def test_json_signed(self):
        self.check("json", True)

    def test_msgpack_signed(self):
        self.check("msgpack", True)

    def test_json_unsigned(self):
        self.check("json", False)

    def test_msgpack_unsigned(self):
        self.check("msgpack", False)

    def test_wrong_secret_is_refused_and_replay_keeps_ids(self):
        # A receiver with another secret answers 401: every event fails at
        # once and goes to the dead-letter file ...
        other = self.serve("--secret", "whsec_" + "QUJD" * 8)
        with tempfile.TemporaryDirectory() as d:
            dead = os.path.join(d, "dead.jsonl")
            send = subprocess.run([BIN, "send", "--url", other.url, "--secret", SECRET,
                                   "--dead-letter", dead, *fixtures("json")], capture_output=True, timeout=60)
            self.assertEqual(send.returncode, 1)
            code, counts, _ = other.stop()
            self.assertEqual(counts[3], N_EVENTS)  # unauthorized
            with open(dead) as f:
                ids = [json.loads(line)["id"] for line in f]
            self.assertEqual(len(ids), N_EVENTS)
            # ... and a replay to the right receiver delivers them with the
            # original webhook-ids.
            srv = self.serve("--secret", SECRET)
            replay = subprocess.run([BIN, "send", "--replay", dead, "--url", srv.url, "--secret", SECRET],
                                    capture_output=True, timeout=60)
            self.assertEqual(replay.returncode, 0, replay.stderr.decode())
            code, counts, lines = srv.stop()
            self.assertEqual(counts, (N_EVENTS, N_EVENTS, 0, 0, 0))
            self.assertEqual(sorted(x["id"] for x in lines), sorted(ids))


if __name__ == "__main__":
    unittest.main(verbosity=2)
