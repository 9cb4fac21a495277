"""test_cli_send_stop.py - `ugw send` accounts for every input line when it
stops early (a 410, SIGINT), says where (`stopped at FILE:LINE`) and goes on
from there with --resume-at; dead letters are 0600, written whole, and a
failed write makes the exit status 2; --replay reports a torn last line.
Run by ctest.

Input that arrives over time comes through a named pipe, so that the test
decides what the command has read when the endpoint goes away or the signal
comes. The receiver is the one of send_support.py on 127.0.0.1.
"""
import json
import os
import resource
import signal
import stat
import subprocess
import tempfile
import time
import types
import unittest

from send_support import Receiver, describe, run, summary, valid_fixtures
from serve_support import BIN, read, setUpModule  # noqa: F401


def event_lines():
    """Every valid JSON fixture as one compact JSON line."""
    return [json.dumps(json.loads(read(p)), separators=(",", ":")) + "\n" for p in valid_fixtures("json")]


def dead_letters(path):
    with open(path, "rb") as f:
        return [json.loads(l) for l in f.read().splitlines() if l.strip()]


def wait_for(cond, timeout=20):
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


class StopTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def start_fifo(self, url, *extra):
        fifo = self.path("events.jsonl")
        os.mkfifo(fifo)
        proc = subprocess.Popen([BIN, "send", "--url", url, "--concurrency", "1", *extra, fifo],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        # Read and write (Linux): never blocks for a reader, never EPIPE when
        # the command checks the file first (open, close) and reopens it.
        w = os.fdopen(os.open(fifo, os.O_RDWR), "w")
        self.addCleanup(self.close_quietly, w)
        return fifo, proc, w

    @staticmethod
    def close_quietly(f):
        try:
            f.close()
        except OSError:
            pass

    def test_gone_dead_letters_the_refused_event_and_resumes(self):
        lines = event_lines()
        dl = self.path("dl.jsonl")
        with Receiver(lambda req: 410) as rx:
            fifo, proc, w = self.start_fifo(rx.url, "--dead-letter", dl)
            w.write(lines[0])
            w.flush()
            wait_for(lambda: len(rx.snapshot()) == 1)
            time.sleep(0.5)                       # the 410 has been taken in
            try:
                w.writelines(lines[1:])          # read after the endpoint went away
                w.close()
            except BrokenPipeError:              # it stopped reading: expected
                pass
            out, err = proc.communicate(timeout=60)
            reqs = rx.snapshot()
        self.assertEqual(proc.returncode, 1, err)
        self.assertEqual(len(reqs), 1)
        # line 2 was refused, listed, and dead-lettered like line 1
        self.assertIn(b"not sent: the endpoint is gone (410)", err)
        letters = dead_letters(dl)
        self.assertEqual([d["result"] for d in letters], ["gone", "gone"])
        self.assertEqual(letters[1]["last_status"], 410)
        self.assertEqual(json.loads(letters[1]["body"]), json.loads(lines[1]))
        self.assertEqual(summary(types.SimpleNamespace(stderr=err)), (2, 0, 2, 0))
        self.assertIn(("stopped at %s:3" % fifo).encode(), err)
        self.assertIn(("--resume-at %s:3" % fifo).encode(), err)
        # the rest, from where it stopped, into an endpoint that is back
        os.unlink(fifo)
        with open(fifo, "w") as f:
            f.writelines(lines)
        with Receiver() as rx:
            p = run("send", "--url", rx.url, "--resume-at", fifo + ":3", fifo)
            reqs = rx.snapshot()
        self.assertEqual(p.returncode, 0, describe(p))
        self.assertEqual(sorted(json.dumps(json.loads(r.body), sort_keys=True) for r in reqs),
                         sorted(json.dumps(json.loads(l), sort_keys=True) for l in lines[2:]),
                         "exactly the lines from 3 on")

    def test_sigint_while_reading_says_where(self):
        lines = event_lines()
        with Receiver() as rx:
            fifo, proc, w = self.start_fifo(rx.url)
            w.writelines(lines[:3])
            w.flush()
            wait_for(lambda: len(rx.snapshot()) == 3)
            time.sleep(0.2)
            proc.send_signal(signal.SIGINT)       # blocked reading line 4
            out, err = proc.communicate(timeout=30)
            try:
                w.close()
            except BrokenPipeError:
                pass
        self.assertEqual(proc.returncode, 1, err)
        self.assertIn(("stopped at %s:4" % fifo).encode(), err)
        self.assertIn(("--resume-at %s:4" % fifo).encode(), err)

    def test_resume_at_usage(self):
        f = valid_fixtures("json")[0]
        for bad in ("nope.json:1", f + ":0", f + ":x", f, ":3", "-:1"):
            p = run("send", "--url", "http://127.0.0.1:9/", "--resume-at", bad, f, "-")
            self.assertEqual(p.returncode, 2, "%s: %s" % (bad, describe(p)))
            self.assertIn(b"--resume-at", p.stderr)
        # files before the one named are skipped whole
        files = valid_fixtures("json")[:3]
        with Receiver() as rx:
            p = run("send", "--url", rx.url, "--resume-at", files[2] + ":1", *files)
            reqs = rx.snapshot()
        self.assertEqual(p.returncode, 0, describe(p))
        self.assertEqual([r.body for r in reqs], [read(files[2])])

    def test_dead_letter_mode_and_failed_write(self):
        dl = self.path("dl.jsonl")
        files = valid_fixtures("json")
        with Receiver(lambda req: 404) as rx:
            p = run("send", "--url", rx.url, "--dead-letter", dl, files[0])
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertEqual(stat.S_IMODE(os.stat(dl).st_mode) & 0o077, 0, "no access for others")
        whole = os.path.getsize(dl)
        self.assertGreater(whole, 0)

        def limit():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (whole + 100, resource.RLIM_INFINITY))
        with Receiver(lambda req: 404) as rx:
            p = subprocess.run([BIN, "send", "--url", rx.url, "--dead-letter", dl, *files],
                               capture_output=True, timeout=60, preexec_fn=limit)
        self.assertEqual(p.returncode, 2, describe(p))
        self.assertIn(b"could not be written", p.stderr)
        # the file holds whole records only
        for d in dead_letters(dl):
            self.assertEqual(d["result"], "rejected")

    def test_replay_reports_torn_last_line(self):
        good = {"id": "msg_good", "event": "e", "format": "json", "body": "{}"}
        path = self.path("torn.jsonl")
        with open(path, "w") as f:
            f.write(json.dumps(good) + "\n" + '{"id": "msg_torn", "event": "e", "format": "json", "bo')
        with Receiver() as rx:
            p = run("send", "--replay", path, "--url", rx.url)
            reqs = rx.snapshot()
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertEqual([r.id for r in reqs], ["msg_good"])
        self.assertIn(("%s:2: malformed dead-letter line" % path).encode(), p.stderr)
        self.assertIn(b"torn write", p.stderr)
        self.assertEqual(summary(p), (2, 1, 0, 1))


if __name__ == "__main__":
    unittest.main(verbosity=2)
