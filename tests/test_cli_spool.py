"""test_cli_spool.py - `ugw send --spool` and `ugw spool`: events go through
the spool and leave it once delivered; a second run skips what the spool
had accepted; failed events are dead letters in the spool, listed, written
out for --replay and retried with their ids; SIGINT keeps the undelivered
ones for the next run; a foreign, damaged or busy spool and a changed input
are refused with clear errors and left as they were; usage errors.
Run by ctest. The receiver is the one of send_support.py on 127.0.0.1.
"""
import json
import os
import re
import signal
import stat
import subprocess
import time
import unittest

from send_support import Receiver, SendTest, run, valid_fixtures
from serve_support import read, setUpModule  # noqa: F401

SPOOL_SUMMARY = re.compile(rb"(\d+) events?: (\d+) delivered, (\d+) failed, (\d+) invalid, (\d+) kept in the spool in")


def kept_summary(p):
    m = SPOOL_SUMMARY.findall(p.stderr)
    assert m, "no summary line in %r" % p.stderr[-800:]
    return tuple(int(x) for x in m[-1])


def event_lines(n):
    fx = [json.dumps(json.loads(read(p)), separators=(",", ":")) + "\n" for p in valid_fixtures("json")]
    return "".join(fx[i % len(fx)] for i in range(n)).encode()


class CliSpool(SendTest):
    def rx(self, **kw):
        r = Receiver(**kw)
        self.addCleanup(r.close)
        return r

    def stats(self, spool):
        p = run("spool", "stats", spool)
        self.assertEqual(p.returncode, 0, p.stderr)
        return dict(l.split(" ", 1) for l in p.stdout.decode().splitlines() if not l.startswith("mark "))

    def test_deliver_then_skip(self):
        inp = self.write("in.jsonl", event_lines(30))
        spool = self.path("s.db")
        r = self.rx()
        p = run("send", "--spool", spool, "--url", r.url, "--json", inp)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(kept_summary(p), (30, 30, 0, 0, 0))
        js = json.loads(p.stdout)
        self.assertEqual((js["events"], js["delivered"], js["kept"]), (30, 30, 0))
        self.assertEqual(stat.S_IMODE(os.stat(spool).st_mode), 0o600)
        st = self.stats(spool)
        self.assertEqual((st["pending"], st["dead"], st["marks"]), ("0", "0", "1"))
        p = run("spool", "stats", spool)
        self.assertIn(("mark input:%s %d" % (os.path.realpath(inp), os.path.getsize(inp))).encode(), p.stdout)
        # Again: the spool has every byte of the input already.
        p = run("send", "--spool", spool, "--url", r.url, inp)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(b"skipping its first", p.stderr)
        self.assertEqual(kept_summary(p), (0, 0, 0, 0, 0))
        self.assertEqual(len(r.snapshot()), 30)
        # A shorter file under that name is not the same input.
        self.write("in.jsonl", event_lines(2))
        p = run("send", "--spool", spool, "--url", r.url, inp)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn(b"not the same input", p.stderr)
        # Marks cleared: read from the start again.
        p = run("spool", "purge", spool, "--marks")
        self.assertEqual(p.returncode, 0, p.stderr)
        p = run("send", "--spool", spool, "--url", r.url, inp)
        self.assertEqual((p.returncode, kept_summary(p)), (0, (2, 2, 0, 0, 0)), p.stderr)

    def test_dead_letters_listed_replayed_retried(self):
        inp = self.write("in.jsonl", event_lines(4))
        spool = self.path("s.db")
        bad = self.rx(policy=lambda req: 400)
        p = run("send", "--spool", spool, "--url", bad.url, inp)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual(kept_summary(p), (4, 0, 4, 0, 0))
        ids = sorted({q.id for q in bad.snapshot()})
        p = run("spool", "list", "--dead", spool)
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.decode().splitlines()
        self.assertEqual(len(lines), 4)
        for l in lines:
            self.assertRegex(l, r'^dead msg_\S+ ".*" result=rejected attempts=1 last_status=400 failed=20')
        # As dead-letter records: `ugw send --replay` sends them with their ids.
        p = run("spool", "list", "--dead", "--jsonl", spool)
        dl = self.write("dl.jsonl", p.stdout)
        good = self.rx()
        p = run("send", "--replay", dl, "--url", good.url)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(sorted(q.id for q in good.snapshot()), ids)
        # Retried in the spool: the next run delivers them, same ids.
        p = run("spool", "retry", spool, ids[0])
        self.assertEqual(p.returncode, 0, p.stderr)
        p = run("spool", "retry", spool, "msg_unknown")
        self.assertEqual(p.returncode, 1, p.stderr)
        p = run("spool", "retry", spool, "--all")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.stats(spool)["pending"], "4")
        again = self.rx()
        p = run("send", "--spool", spool, "--url", again.url)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(b"resuming 4 events", p.stderr)
        self.assertEqual(sorted(q.id for q in again.snapshot()), ids)
        self.assertEqual(self.stats(spool)["pending"], "0")

    def test_sigint_keeps_events_and_busy(self):
        inp = self.write("in.jsonl", event_lines(6))
        spool = self.path("s.db")
        slow = self.rx(delay=30)
        proc = subprocess.Popen([os.environ["UGW_BIN"], "send", "--spool", spool, "--url", slow.url, "--concurrency",
                                 "2", "--json", inp], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        deadline = time.monotonic() + 20
        while len(slow.snapshot()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        # While it runs, it is its own: neither read nor changed by others.
        for args in (("spool", "stats", spool), ("spool", "purge", spool, "--dead")):
            p = run(*args)
            self.assertEqual(p.returncode, 2, args)
            self.assertIn(b"(busy)", p.stderr)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        p = subprocess.CompletedProcess([], proc.returncode, b"", err)
        self.assertEqual(proc.returncode, 1, err)
        self.assertIn(b"stay in the spool", err)
        self.assertEqual(kept_summary(p), (6, 0, 0, 0, 6))
        self.assertEqual((json.loads(out)["kept"], json.loads(out)["failed"]), (6, 0))
        self.assertEqual(self.stats(spool)["pending"], "6")
        first = {q.id for q in slow.snapshot()}
        fast = self.rx()
        p = run("send", "--spool", spool, "--url", fast.url, inp)
        self.assertEqual(p.returncode, 0, p.stderr)
        got = {q.id for q in fast.snapshot()}
        self.assertEqual(len(got), 6)
        self.assertTrue(first <= got, "the kept events went out under their first ids")

    def test_foreign_and_damaged_refused(self):
        inp = self.write("in.jsonl", event_lines(1))
        r = self.rx()
        for name, data in (("text.db", b"hello, not a database\n" * 10), ("garbage.db", bytes(range(256)) * 64),
                           ("short.db", b"SQLite format 3\x00")):
            path = self.write(name, data)
            for args in (("send", "--spool", path, "--url", r.url, inp), ("spool", "stats", path),
                         ("spool", "purge", path, "--dead")):
                p = run(*args)
                self.assertEqual(p.returncode, 2, (name, args, p.stderr))
                self.assertIn(b"not a ugw spool", p.stderr)
                self.assertIn(b"(corrupt)", p.stderr)
            self.assertEqual(read(path), data)
        self.assertEqual(r.snapshot(), [])
        p = run("spool", "stats", self.path("missing.db"))
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"does not exist", p.stderr)
        self.assertFalse(os.path.exists(self.path("missing.db")))

    def test_usage(self):
        inp = self.write("in.jsonl", event_lines(1))
        s = self.path("s.db")
        for args, msg in ((("send", "--spool", s, "--url", "http://127.0.0.1:1/", "-"), b"standard input"),
                          (("send", "--spool", s, "--replay", inp, "--url", "http://127.0.0.1:1/"), b"--replay"),
                          (("send", "--spool", s, "--resume-at", inp + ":2", "--url", "http://127.0.0.1:1/", inp),
                           b"--resume-at"),
                          (("send", "--spool", s, "--spool-sync", "disk", "--url", "http://127.0.0.1:1/", inp),
                           b"crash or power"),
                          (("send", "--spool-sync", "power", "--url", "http://127.0.0.1:1/", inp), b"needs --spool"),
                          (("spool",), b"no subcommand"),
                          (("spool", "stat", s), b"unknown subcommand"),
                          (("spool", "stats"), b"no SPOOL"),
                          (("spool", "retry", s), b"--all or the ids"),
                          (("spool", "purge", s), b"one of"),
                          (("spool", "purge", s, "--dead", "--marks"), b"one of"),
                          (("spool", "list", "--all", s), b"--all goes with retry")):
            p = run(*args)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
            self.assertIn(msg, p.stderr, args)
        self.assertFalse(os.path.exists(s), "a refused command made no spool")
        p = run("spool", "--help")
        self.assertEqual(p.returncode, 0)
        self.assertIn(b"ugw spool stats SPOOL", p.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
