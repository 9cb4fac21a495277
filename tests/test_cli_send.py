"""test_cli_send.py - tests of `ugw send` (cli/cmd_send.c) sending files,
JSON Lines and standard input, and its usage and I/O errors, help and
progress line, run by ctest. Failures, retries, dead letters and --replay are
tested in test_cli_send_failures.py.

Environment:
  UGW_BIN         path of the built `ugw` program (required)
  UGW_SOURCE_DIR  the source tree (default: the folder above this file)

Python 3.11+ standard library only. The webhook receiver is the one of
send_support.py, on 127.0.0.1 with a port the system picks.
"""

import base64
import json
import os
import pty
import re
import subprocess
import unittest

from send_support import (KEY, N_EVENTS, SECRET, Receiver, SendTest, describe, fixture_of, looks_like_json,
                          run, summary, valid_fixtures)
from serve_support import BIN, INVALID, load_manifest, read, setUpModule  # noqa: F401 (setUpModule runs here)


# ---------------------------------------------------------------------------
# Sending files
# ---------------------------------------------------------------------------

class TestSendFiles(SendTest):
    def test_all_valid_fixtures_json(self):
        files = valid_fixtures()
        self.assertEqual(len(files), 22)
        with Receiver() as rx:
            p = run("send", "--url", rx.url, "--secret", SECRET, *files)
            reqs = rx.snapshot()
        self.assertEqual(p.returncode, 0, describe(p))
        self.assertEqual(len(reqs), 22)
        self.assertEqual(sorted(r.body for r in reqs), sorted(fixture_of(f, "json") for f in files))
        for r in reqs:
            self.check_request(r, "json")
        self.assertEqual(len({r.id for r in reqs}), 22, "webhook-ids must be unique")
        self.assertEqual(summary(p), (22, 22, 0, 0))
        self.assertNotIn(b"\r", p.stderr, "no progress line when stderr is not a terminal")
        self.assertEqual(p.stdout, b"")

    def test_all_valid_fixtures_msgpack(self):
        files = valid_fixtures()
        with Receiver() as rx:
            p = run("send", "--url", rx.url, "--secret", SECRET, "--format", "msgpack", "--concurrency", "3", *files)
            reqs = rx.snapshot()
        self.assertEqual(p.returncode, 0, describe(p))
        self.assertEqual(len(reqs), 22)
        self.assertEqual(sorted(r.body for r in reqs), sorted(fixture_of(f, "msgpack") for f in files))
        for r in reqs:
            self.check_request(r, "msgpack")
        self.assertEqual(summary(p), (22, 22, 0, 0))

    def test_unsigned_without_secret(self):
        files = valid_fixtures("json")[:3]
        with Receiver() as rx:
            p = run("send", "--url", rx.url, *files)
            reqs = rx.snapshot()
        self.assertEqual(p.returncode, 0, describe(p))
        self.assertEqual(len(reqs), 3)
        for r in reqs:
            self.check_request(r, "json", key=None)

    def test_secret_without_prefix_signs_the_same(self):
        raw = base64.b64encode(KEY).decode()
        with Receiver() as rx:
            p = run("send", "--url", rx.url, "--secret", raw, valid_fixtures("json")[0])
            reqs = rx.snapshot()
        self.assertEqual(p.returncode, 0, describe(p))
        self.check_request(reqs[0], "json")

    def test_json_lines_by_name(self):
        fx = valid_fixtures("json")
        lines = [read(f) for f in fx]
        # blank lines, CRLF line ends and a last line without a newline
        data = b"\n".join(lines[:5]) + b"\n\n  \n" + b"\r\n".join(lines[5:])
        for name in ("events.jsonl", "events.ndjson"):
            path = self.write(name, data)
            with Receiver() as rx:
                p = run("send", "--url", rx.url, "--secret", SECRET, path)
                reqs = rx.snapshot()
            self.assertEqual(p.returncode, 0, describe(p))
            self.assertEqual(sorted(r.body for r in reqs), sorted(lines))
            for r in reqs:
                self.check_request(r, "json")
            self.assertEqual(summary(p), (N_EVENTS, N_EVENTS, 0, 0))

    def test_json_lines_by_content_and_stdin(self):
        lines = [read(f) for f in valid_fixtures("json")]
        data = b"\n".join(lines) + b"\n"
        path = self.write("events.txt", data)
        with Receiver() as rx:
            p = run("send", "--url", rx.url, path)
            q = run("send", "--url", rx.url, "--format", "msgpack", "-", stdin=data)
            reqs = rx.snapshot()
        self.assertEqual(p.returncode, 0, describe(p))
        self.assertEqual(q.returncode, 0, describe(q))
        self.assertEqual(len(reqs), 22)
        json_bodies = sorted(r.body for r in reqs if r.ctype == "application/json")
        mp_bodies = sorted(r.body for r in reqs if r.ctype == "application/msgpack")
        self.assertEqual(json_bodies, sorted(lines))
        self.assertEqual(mp_bodies, sorted(read(f) for f in valid_fixtures("msgpack")))

    def test_single_documents_on_stdin(self):
        js = read(valid_fixtures("json")[0])
        mp = read(valid_fixtures("msgpack")[1])
        pretty = json.dumps(json.loads(js), indent=2).encode()
        with Receiver() as rx:
            a = run("send", "--url", rx.url, "-", stdin=mp)
            b = run("send", "--url", rx.url, "-", stdin=pretty)
            reqs = rx.snapshot()
        self.assertEqual(a.returncode, 0, describe(a))
        self.assertEqual(b.returncode, 0, describe(b))
        # re-encoded in the default format, JSON
        self.assertEqual(sorted(r.body for r in reqs),
                         sorted([fixture_of(valid_fixtures("msgpack")[1], "json"), js]))

    def test_pretty_printed_invalid_document_reports_its_line(self):
        doc = json.loads(read(valid_fixtures("json")[0]))
        doc["payload"]["guideId"] = -1
        path = self.write("pretty.json", json.dumps(doc, indent=2).encode())
        lineno = [i for i, l in enumerate(json.dumps(doc, indent=2).split("\n"), 1) if '"guideId"' in l][0]
        with Receiver() as rx:
            p = run("send", "--url", rx.url, path)
            self.assertEqual(rx.snapshot(), [])
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertIn(("%s:%d: payload.guideId: " % (path, lineno)).encode(), p.stderr)
        self.assertEqual(summary(p), (1, 0, 0, 1))

    def test_invalid_fixture_among_valid_ones(self):
        rows = [r for r in load_manifest() if r[3] == "default" and r[0].endswith(".json")]
        bad = dict((r[0], r) for r in rows)["n_range_score_above.json"]
        bad_path = os.path.join(INVALID, bad[0])
        files = valid_fixtures()
        args = files[:10] + [bad_path] + files[10:]
        with Receiver() as rx:
            p = run("send", "--url", rx.url, "--secret", SECRET, *args)
            reqs = rx.snapshot()
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertEqual(len(reqs), 22, "the valid ones are still sent")
        self.assertEqual(sorted(r.body for r in reqs), sorted(fixture_of(f, "json") for f in files))
        line = [l for l in p.stderr.split(b"\n") if l.startswith(bad_path.encode())]
        self.assertEqual(len(line), 1, p.stderr)
        self.assertRegex(line[0].decode(), r"^%s:1: %s: .* \(%s at byte \d+\)$"
                         % (re.escape(bad_path), re.escape(bad[2]), bad[1]))
        self.assertEqual(summary(p), (23, 22, 0, 1))

    def test_every_invalid_fixture_is_refused(self):
        rows = [r for r in load_manifest() if r[3] == "default"]
        paths = [os.path.join(INVALID, r[0]) for r in rows]
        with Receiver() as rx:
            p = run("send", "--url", rx.url, *paths)
            self.assertEqual(rx.snapshot(), [])
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertEqual(summary(p), (len(rows), 0, 0, len(rows)))
        err = p.stderr.decode("utf-8", "replace")
        for r, path in zip(rows, paths):
            # JSON problems carry a line number; MessagePack ones do not. The
            # format is told by the bytes (an empty .msgpack file is JSON).
            where = re.escape(path) + (r":1" if looks_like_json(read(path)) else "")
            self.assertRegex(err, r"(?m)^%s: %s: .* \(%s at byte \d+\)$" % (where, re.escape(r[2]), r[1]))

    def test_strict_rejects_unknown_keys(self):
        doc = json.loads(read(valid_fixtures("json")[0]))
        doc["payload"]["newField"] = 1
        path = self.write("extra.json", json.dumps(doc).encode())
        with Receiver() as rx:
            p = run("send", "--url", rx.url, path)
            q = run("send", "--url", rx.url, "--strict", path)
            reqs = rx.snapshot()
        self.assertEqual(p.returncode, 0, describe(p))
        self.assertEqual(q.returncode, 1, describe(q))
        self.assertEqual(len(reqs), 1)
        # re-encoded from the decoded event: the unknown key is not forwarded
        self.assertEqual(reqs[0].body, read(valid_fixtures("json")[0]))
        self.assertIn(b"payload.newField", q.stderr)

    def test_json_lines_with_an_invalid_line(self):
        lines = [read(f) for f in valid_fixtures("json")[:4]]
        bad = json.loads(lines[2])
        bad["payload"]["userId"] = ""
        data = b"\n".join([lines[0], lines[1], json.dumps(bad).encode(), b"{\"event\": broken", lines[3]]) + b"\n"
        path = self.write("mixed.jsonl", data)
        with Receiver() as rx:
            p = run("send", "--url", rx.url, path)
            reqs = rx.snapshot()
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertEqual(sorted(r.body for r in reqs), sorted([lines[0], lines[1], lines[3]]))
        err = p.stderr.decode()
        self.assertRegex(err, r"(?m)^%s:3: payload\.userId: .*\(too_short at byte \d+\)$" % re.escape(path))
        self.assertRegex(err, r"(?m)^%s:4: .*\(syntax at byte \d+\)$" % re.escape(path))
        self.assertEqual(summary(p), (5, 3, 0, 2))

    def test_empty_json_lines_file_sends_nothing(self):
        path = self.write("none.jsonl", b"\n\n")
        with Receiver() as rx:
            p = run("send", "--url", rx.url, path)
            self.assertEqual(rx.snapshot(), [])
        self.assertEqual(p.returncode, 0, describe(p))
        self.assertEqual(summary(p), (0, 0, 0, 0))

    def test_over_long_line_is_invalid_and_the_rest_is_sent(self):
        line = read(valid_fixtures("json")[0])
        huge = b'{"event":"' + b"x" * (1 << 21) + b'"}'
        path = self.write("long.jsonl", line + b"\n" + huge + b"\n" + line + b"\n")
        with Receiver() as rx:
            p = run("send", "--url", rx.url, path)
            reqs = rx.snapshot()
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertEqual([r.body for r in reqs], [line, line])
        self.assertRegex(p.stderr.decode(), r"(?m)^%s:2: .*\(limit at byte \d+\)$" % re.escape(path))
        self.assertEqual(summary(p), (3, 2, 0, 1))


# ---------------------------------------------------------------------------
# Usage and I/O errors, help, progress
# ---------------------------------------------------------------------------

class TestUsage(SendTest):
    def test_usage_errors_exit_2_and_send_nothing(self):
        f = valid_fixtures("json")[0]
        with Receiver() as rx:
            u = rx.url
            cases = [
                [f],                                        # no --url
                ["--url", u],                               # no FILE
                ["--url", u, "--format", "xml", f],
                ["--url", u, "--format", "", f],
                ["--url", u, "--concurrency", "0", f],
                ["--url", u, "--concurrency", "-3", f],
                ["--url", u, "--concurrency", "many", f],
                ["--url", u, "--concurrency", "1025", f],
                ["--url", u, "--max-attempts", "0", f],
                ["--url", u, "--timeout", "0", f],
                ["--url", u, "--timeout", "soon", f],
                ["--url", u, "--backoff-ms", "-1", f],
                ["--url", "ftp://127.0.0.1/", f],
                ["--url", "not a url", f],
                ["--url", "http://", f],
                ["--url", u, "--secret", "whsec_not*base64", f],
                ["--url", u, "--secret", "", f],
                ["--url", u, "--bogus", f],
                ["--url", u, "--replay", f, f],             # --replay takes no FILE
                ["--url", u, "--replay", f, "--format", "json"],
                ["--url", u, "--replay", f, "--strict"],
                ["--url", u, "--replay", f, "--replay", f],
                ["--url"],
            ]
            for args in cases:
                p = run("send", *args)
                self.assertEqual(p.returncode, 2, "%r: %s" % (args, describe(p)))
                self.assertIn(b"ugw send", p.stderr)
            self.assertEqual(rx.snapshot(), [])

    def test_unreadable_files_exit_2_before_sending(self):
        f = valid_fixtures("json")[0]
        with Receiver() as rx:
            for bad in (self.path("missing.json"), self.dir):
                p = run("send", "--url", rx.url, f, bad)
                self.assertEqual(p.returncode, 2, describe(p))
                self.assertIn(bad.encode(), p.stderr)
            self.assertEqual(rx.snapshot(), [], "nothing is sent when a file cannot be read")

    @unittest.skipUnless(os.path.exists("/proc/self/mem"), "needs Linux /proc")
    def test_read_error_while_sending_exits_2_and_the_rest_is_sent(self):
        # /proc/self/mem opens (so the check before sending passes) but
        # reading it at offset 0 fails with EIO.
        f = valid_fixtures("json")[0]
        with Receiver() as rx:
            p = run("send", "--url", rx.url, "/proc/self/mem", f)
            reqs = rx.snapshot()
        self.assertEqual(p.returncode, 2, describe(p))
        self.assertIn(b"/proc/self/mem: ", p.stderr)
        self.assertEqual([r.body for r in reqs], [read(f)])
        self.assertEqual(summary(p), (1, 1, 0, 0))

    def test_unwritable_dead_letter_file_exits_2(self):
        f = valid_fixtures("json")[0]
        with Receiver() as rx:
            p = run("send", "--url", rx.url, "--dead-letter", self.path("no/such/dir/dl.jsonl"), f)
            self.assertEqual(rx.snapshot(), [])
        self.assertEqual(p.returncode, 2, describe(p))
        self.assertIn(b"dead-letter", p.stderr)

    def test_help(self):
        p = run("send", "--help")
        self.assertEqual(p.returncode, 0)
        self.assertTrue(p.stdout.startswith(b"Usage: ugw send --url URL"), p.stdout[:80])
        for opt in (b"--secret", b"--format", b"--concurrency", b"--dead-letter", b"--strict", b"--timeout",
                    b"--max-attempts", b"--backoff-ms", b"--replay", b"Exit status"):
            self.assertIn(opt, p.stdout)
        q = run("help", "send")
        self.assertEqual(q.returncode, 0)
        self.assertEqual(q.stdout, p.stdout)
        r = run("--help")
        self.assertRegex(r.stdout.decode(), r"(?m)^  send +\S")

    def test_progress_line_on_a_terminal(self):
        files = valid_fixtures("json")[:6]
        master, slave = pty.openpty()
        with Receiver(delay=0.15) as rx:
            proc = subprocess.Popen([BIN, "send", "--url", rx.url, "--concurrency", "1", *files],
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave)
            os.close(slave)
            chunks = []
            while True:
                try:
                    d = os.read(master, 4096)
                except OSError:  # EIO: the terminal's other side is closed
                    break
                if not d:
                    break
                chunks.append(d)
            proc.wait(timeout=60)
            os.close(master)
        out = b"".join(chunks)
        self.assertEqual(proc.returncode, 0, out)
        # Six files of known size: the total, the percentage and the time left.
        self.assertRegex(out, rb"\rsent \d+ of ~?\d+ \(\d+%\), delivered \d+, retried \d+, failed 0, \d+ ev/s, "
                              rb"\d+ s left\x1b\[K")
        self.assertIn(b"\r\x1b[K", out, "the progress line is cleared")
        self.assertRegex(out, rb"\r\x1b\[K6 events: 6 delivered, 0 failed, 0 invalid in [0-9.]+ s\r?\n$")


if __name__ == "__main__":
    unittest.main(verbosity=2)
