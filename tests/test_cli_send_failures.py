"""test_cli_send_failures.py - tests of `ugw send` (cli/cmd_send.c) when
delivery fails: rejections, retries, timeouts, 410 and SIGINT, the dead-letter
file, and `ugw send --replay` of it, run by ctest.

Environment:
  UGW_BIN         path of the built `ugw` program (required)
  UGW_SOURCE_DIR  the source tree (default: the folder above this file)

Python 3.11+ standard library only. The webhook receiver is the one of
send_support.py, on 127.0.0.1 with a port the system picks.
"""

import base64
import collections
import hashlib
import hmac
import json
import re
import signal
import subprocess
import time
import unittest

from send_support import (KEY, N_EVENTS, SECRET, Receiver, SendTest, describe, free_port, run, summary,
                          valid_fixtures)
from serve_support import BIN, setUpModule  # noqa: F401 (setUpModule runs here)


# ---------------------------------------------------------------------------
# Failures, dead letters, replay
# ---------------------------------------------------------------------------

def read_dead_letters(path):
    with open(path, "rb") as f:
        return [json.loads(l) for l in f.read().split(b"\n") if l]


class TestFailuresAndReplay(SendTest):
    REJECT = {"guide started (userguiding)", "nps score submit (userguiding)",
              "resource center article clicked (userguiding)"}

    def reject_some(self, req):
        # the wire event string is in the body as is, in JSON and in MessagePack
        return 404 if any(e.encode() in req.body for e in self.REJECT) else 204

    def fail_and_replay(self, fmt):
        files = valid_fixtures("json")
        dl = self.path("dead.jsonl")
        with Receiver(self.reject_some) as rx:
            p = run("send", "--url", rx.url, "--secret", SECRET, "--format", fmt, "--dead-letter", dl, *files)
            reqs = rx.snapshot()
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertEqual(len(reqs), N_EVENTS)
        rejected = [r for r in reqs if any(e.encode() in r.body for e in self.REJECT)]
        self.assertEqual(len(rejected), 3)
        err = p.stderr.decode()
        for r in rejected:
            ev = next(e for e in self.REJECT if e.encode() in r.body)
            self.assertRegex(err, r'(?m)^failed %s "%s": rejected, HTTP 404 \(1 attempt, .*\)$'
                             % (r.id, re.escape(ev)))
        self.assertEqual(len(re.findall(r"(?m)^failed ", err)), 3)
        self.assertEqual(summary(p), (N_EVENTS, N_EVENTS - 3, 3, 0))

        letters = read_dead_letters(dl)
        self.assertEqual(len(letters), 3)
        by_id = {r.id: r for r in rejected}
        self.assertEqual({d["id"] for d in letters}, set(by_id))
        for d in letters:
            self.assertEqual(d["format"], fmt)
            self.assertEqual(d["result"], "rejected")
            self.assertEqual(d["last_status"], 404)
            self.assertEqual(d["attempts"], 1)
            self.assertIn(d["event"], self.REJECT)
            body = d["body"].encode() if fmt == "json" else base64.b64decode(d["body_base64"])
            self.assertNotIn("body_base64" if fmt == "json" else "body", d)
            self.assertEqual(body, by_id[d["id"]].body)

        # Replay to a receiver that takes everything: same ids, same bytes, same type.
        other_key = b"k" * 24
        other = "whsec_" + base64.b64encode(other_key).decode()
        with Receiver() as rx2:
            q = run("send", "--replay", dl, "--url", rx2.url, "--secret", other)
            again = rx2.snapshot()
        self.assertEqual(q.returncode, 0, describe(q))
        self.assertEqual(summary(q), (3, 3, 0, 0))
        self.assertEqual(sorted((r.id, r.body) for r in again), sorted((r.id, r.body) for r in rejected))
        for r in again:
            self.check_request(r, fmt, key=other_key)

    def test_404_dead_letter_and_replay_json(self):
        self.fail_and_replay("json")

    def test_404_dead_letter_and_replay_msgpack(self):
        self.fail_and_replay("msgpack")

    def test_replay_keeps_bodies_byte_for_byte(self):
        # Bodies that are not what ugw would encode (key order, spaces, an
        # unknown key, even an invalid event) are sent exactly as recorded.
        odd_json = b'{ "payload": {"x": [1, 2]}, "event" : "whatever" }'
        odd_mp = b"\x81\xa1a\xc0\x00\xff"
        lines = [
            {"id": "msg_original_1", "event": "whatever", "format": "json", "body": odd_json.decode(),
             "last_status": 500, "attempts": 8, "result": "attempts", "error": "", "time": "2026-01-01T00:00:00Z",
             "a_later_key": {"nested": [1, {"x": None}]}},
            {"id": "id_no_spaces/and.dots:~!", "event": "guide started (userguiding)", "format": "msgpack",
             "body_base64": base64.b64encode(odd_mp).decode()},
            {"id": "msg_3!~", "event": "\u00fcnicode", "format": "json", "body": "\u00e9\u2028\u0001\"\\"},
            {"id": "msg_empty", "event": "", "format": "msgpack", "body_base64": ""},
        ]
        text = "\n".join(json.dumps(l) for l in lines[:2]) + "\n" + json.dumps(lines[2], ensure_ascii=False) \
            + "\n" + json.dumps(lines[3]).replace("msg_empty", "msg\\/empty")
        path = self.write("dead.jsonl", text.encode())
        with Receiver() as rx:
            p = run("send", "--replay", path, "--url", rx.url, "--secret", SECRET)
            reqs = rx.snapshot()
        self.assertEqual(p.returncode, 0, describe(p))
        got = {r.id: r for r in reqs}
        self.assertEqual(set(got), {"msg_original_1", "id_no_spaces/and.dots:~!", "msg_3!~",
                                    "msg/empty"})
        self.assertEqual(got["msg_original_1"].body, odd_json)
        self.assertEqual(got["msg_original_1"].ctype, "application/json")
        self.assertEqual(got["id_no_spaces/and.dots:~!"].body, odd_mp)
        self.assertEqual(got["id_no_spaces/and.dots:~!"].ctype, "application/msgpack")
        self.assertEqual(got["msg_3!~"].body, "\u00e9\u2028\u0001\"\\".encode())
        self.assertEqual(got["msg/empty"].body, b"")
        for r in reqs:
            # the signature covers the id as sent (bytes of the header)
            mac_id = r.id.encode("latin-1")
            mac = hmac.new(KEY, mac_id + b"." + r.ts.encode() + b"." + r.body, hashlib.sha256)
            self.assertEqual(r.sig, "v1," + base64.b64encode(mac.digest()).decode())

    def test_replay_reports_malformed_lines(self):
        good = {"id": "msg_good", "event": "e", "format": "json", "body": "{}"}
        bad_lines = [
            ("not json at all", "not valid JSON"),
            ('["an", "array"]', "not a JSON object"),
            ('{"event": "e", "format": "json", "body": "{}"}', 'no "id"'),
            ('{"id": "x", "format": "json", "body": "{}"}', 'no "event"'),
            ('{"id": "x", "event": "e", "body": "{}"}', 'no "format"'),
            ('{"id": "x", "event": "e", "format": "json"}', 'neither "body" nor "body_base64"'),
            ('{"id": "x", "event": "e", "format": "json", "body": "", "body_base64": ""}',
             'both "body" and "body_base64"'),
            ('{"id": "x", "event": "e", "format": "xml", "body": ""}', '"format" must be'),
            ('{"id": "x", "event": "e", "format": "msgpack", "body_base64": "@@@@"}', "base64"),
            ('{"id": "x", "event": "e", "format": "msgpack", "body_base64": "QUJD="}', "base64"),
            ('{"id": "", "event": "e", "format": "json", "body": ""}', '"id" must be 1 to 256 bytes'),
            ('{"id": "%s", "event": "e", "format": "json", "body": ""}' % ("x" * 257), '"id" must be 1 to 256 bytes'),
            ('{"id": "a\\nb", "event": "e", "format": "json", "body": ""}', "not printable ASCII"),
            ('{"id": "a b", "event": "e", "format": "json", "body": ""}', "not printable ASCII"),
            ('{"id": "msg_\\u00e9", "event": "e", "format": "json", "body": ""}', "not printable ASCII"),
            ('{"id": 5, "event": "e", "format": "json", "body": ""}', '"id" is not a string'),
            ('{"id": "x", "id": "y", "event": "e", "format": "json", "body": ""}', "twice"),
            ('{"id": "x", "event": "e", "format": "json", "body": "\\ud800"}', "bad escape"),
            ('{"id": "x", "event": "e", "format": "json", "body": ""} trailing', "not valid JSON"),
            ('{"id": "x", "event": "e", "format": "json", "body": ""} {}', "after the JSON object"),
            ('{"id": "x", "event": "e", "format": "json", "body": "unterminated', "not valid JSON"),
        ]
        text = json.dumps(good) + "\n" + "\n".join(l for l, _ in bad_lines) + "\n\n" + json.dumps(dict(good, id="msg_last")) + "\n"
        path = self.write("dead.jsonl", text.encode())
        with Receiver() as rx:
            p = run("send", "--replay", path, "--url", rx.url)
            reqs = rx.snapshot()
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertEqual(sorted(r.id for r in reqs), ["msg_good", "msg_last"])
        err = p.stderr.decode()
        for i, (_, why) in enumerate(bad_lines):
            self.assertRegex(err, r"(?m)^%s:%d: malformed dead-letter line: .*%s"
                             % (re.escape(path), i + 2, re.escape(why)))
        self.assertEqual(summary(p), (2 + len(bad_lines), 2, 0, len(bad_lines)))

    def test_replay_of_a_missing_file_is_an_io_error(self):
        with Receiver() as rx:
            p = run("send", "--replay", self.path("nope.jsonl"), "--url", rx.url)
            self.assertEqual(rx.snapshot(), [])
        self.assertEqual(p.returncode, 2, describe(p))

    def test_retries_until_delivered(self):
        files = valid_fixtures("json")
        with Receiver(lambda req: 500 if req.attempt <= 2 else 204) as rx:
            t0 = time.monotonic()
            p = run("send", "--url", rx.url, "--secret", SECRET, "--max-attempts", "3", "--backoff-ms", "20", *files)
            elapsed = time.monotonic() - t0
            reqs = rx.snapshot()
        self.assertEqual(p.returncode, 0, describe(p))
        self.assertEqual(summary(p), (N_EVENTS, N_EVENTS, 0, 0))
        self.assertEqual(len(reqs), 33)
        by_id = collections.defaultdict(list)
        for r in reqs:
            by_id[r.id].append(r)
            self.check_request(r, "json")  # every attempt signed anew
        self.assertEqual(len(by_id), N_EVENTS)
        for attempts in by_id.values():
            self.assertEqual([a.attempt for a in attempts], [1, 2, 3])
            self.assertEqual(len({a.body for a in attempts}), 1, "the same bytes on every attempt")
        self.assertLess(elapsed, 20)

    def test_retries_exhausted(self):
        files = valid_fixtures("json")[:4]
        dl = self.path("dl.jsonl")
        with Receiver(lambda req: 503) as rx:
            p = run("send", "--url", rx.url, "--max-attempts", "2", "--backoff-ms", "5", "--dead-letter", dl, *files)
            reqs = rx.snapshot()
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertEqual(len(reqs), 8)
        self.assertEqual(len(re.findall(rb"(?m)^failed msg_\w+ \"[^\"]+\": attempts, HTTP 503 \(2 attempts, ", p.stderr)), 4)
        letters = read_dead_letters(dl)
        self.assertEqual(sorted(d["id"] for d in letters), sorted({r.id for r in reqs}))
        self.assertTrue(all(d["result"] == "attempts" and d["attempts"] == 2 for d in letters))
        self.assertEqual(summary(p), (4, 0, 4, 0))

    def test_no_server_lists_the_libcurl_error(self):
        url = "http://127.0.0.1:%d/hook" % free_port()
        p = run("send", "--url", url, "--max-attempts", "2", "--backoff-ms", "5", valid_fixtures("json")[0])
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertRegex(p.stderr.decode(), r'(?m)^failed msg_\w+ "[^"]+": attempts, no HTTP answer, .+ \(2 attempts, ')
        self.assertEqual(summary(p), (1, 0, 1, 0))

    def test_concurrency_limits_requests_in_flight(self):
        files = valid_fixtures("json")[:8]
        for n in (1, 4):
            with Receiver(delay=0.2) as rx:
                p = run("send", "--url", rx.url, "--concurrency", str(n), *files)
                peak = rx.max_in_flight
            self.assertEqual(p.returncode, 0, describe(p))
            self.assertEqual(summary(p), (8, 8, 0, 0))
            if n == 1:
                self.assertEqual(peak, 1)
            else:
                self.assertGreater(peak, 1, "requests went out in parallel")
                self.assertLessEqual(peak, n)

    def test_timeout_limits_an_attempt(self):
        with Receiver(delay=3) as rx:
            t0 = time.monotonic()
            p = run("send", "--url", rx.url, "--timeout", "0.3", "--max-attempts", "1", valid_fixtures("json")[0])
            elapsed = time.monotonic() - t0
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertRegex(p.stderr.decode(), r'(?m)^failed msg_\w+ "[^"]+": attempts, no HTTP answer, .*([Tt]imeout|timed out)')
        self.assertLess(elapsed, 2.5)

    def test_gone_stops_sending(self):
        files = valid_fixtures("json")
        with Receiver(lambda req: 410) as rx:
            p = run("send", "--url", rx.url, "--concurrency", "1", *files)
            reqs = rx.snapshot()
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertGreaterEqual(len(reqs), 1)
        self.assertLess(len(reqs), N_EVENTS)
        self.assertIn(b": gone, HTTP 410", p.stderr)
        total, delivered, failed, invalid = summary(p)
        self.assertEqual(delivered, 0)
        self.assertEqual(total, failed)

    def test_sigint_hands_back_undelivered_events(self):
        files = valid_fixtures("json")
        dl = self.path("dl.jsonl")
        with Receiver(lambda req: 500) as rx:
            proc = subprocess.Popen([BIN, "send", "--url", rx.url, "--backoff-ms", "600000", "--dead-letter", dl, *files],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            deadline = time.monotonic() + 30
            while len(rx.snapshot()) < N_EVENTS and time.monotonic() < deadline:
                time.sleep(0.02)
            self.assertEqual(len(rx.snapshot()), N_EVENTS, "each event tried once")
            t0 = time.monotonic()
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=30)
            self.assertLess(time.monotonic() - t0, 10)
        self.assertEqual(proc.returncode, 1, err)
        self.assertIn(b"interrupted", err)
        self.assertEqual(len(re.findall(rb"(?m)^failed msg_\w+ \"[^\"]+\": closed, HTTP 500 \(1 attempt, ", err)), 11)
        letters = read_dead_letters(dl)
        self.assertEqual(len(letters), 11)
        self.assertTrue(all(d["result"] == "closed" for d in letters))



if __name__ == "__main__":
    unittest.main(verbosity=2)
