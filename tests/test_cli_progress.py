"""test_cli_progress.py - what `ugw send` and `ugw serve --out` show on a
terminal, read off the screen of a pseudo-terminal (tmux, on a private
server of this test): one steady progress line of `send` with the total,
the percentage and the time left, redrawn in place (never a second line),
the summary at the end and --json on standard output; `serve --out`'s
status line of counters, and its summary after Ctrl-C; --quiet. Run by
ctest; see serve_support.py for the environment. About 20 seconds.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import time
import unittest

from serve_support import BIN, fixture, run, setUpModule  # noqa: F401

EVENTS = 20000
PROGRESS_RE = re.compile(r"^sent (\d+) of (~?)(\d+) \((\d+)%\), delivered (\d+), retried 0, failed 0, "
                         r"(\d+) ev/s(, (\d+ s|\d+ min \d+ s) left)?$")
STATUS_RE = re.compile(r"^ugw serve: received (\d+), valid (\d+), invalid 0, unauthorized 0, duplicates 0, "
                       r"\d+ req/s, up \d+ s$")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Tmux:
    def __init__(self, tmp):
        self.tmux = shutil.which("tmux")
        if not self.tmux:
            raise AssertionError("tmux is not installed (scripts/setup.sh installs it)")
        self.sock = "ugw-test-%d" % os.getpid()
        self.tmp = tmp
        self.windows = 0

    def cmd(self, *args):
        return subprocess.run([self.tmux, "-L", self.sock, *args], capture_output=True, timeout=30,
                              env=dict(os.environ, TERM="xterm"))

    def start(self, shell_cmd):
        """A new window running shell_cmd, then a shell kept open; its name."""
        name = "w%d" % self.windows
        self.windows += 1
        wrapped = "%s; echo EXIT=$?; sleep 600" % shell_cmd
        if name == "w0":
            p = self.cmd("new-session", "-d", "-s", "t", "-n", name, "-x", "150", "-y", "30", wrapped)
        else:
            p = self.cmd("new-window", "-t", "t", "-n", name, wrapped)
        assert p.returncode == 0, p.stderr
        return name

    def screen(self, name):
        return self.cmd("capture-pane", "-p", "-t", "t:" + name).stdout.decode(errors="replace")

    def keys(self, name, *keys):
        self.cmd("send-keys", "-t", "t:" + name, *keys)

    def kill(self):
        self.cmd("kill-server")


def lines(screen):
    return [ln.rstrip() for ln in screen.splitlines() if ln.strip()]


class TestProgressOnATerminal(unittest.TestCase):
    def setUp(self):
        self.tmpdir = os.path.realpath(os.environ.get("TMPDIR", "/tmp"))
        self.tmp = subprocess.run(["mktemp", "-d", os.path.join(self.tmpdir, "ugw-progress.XXXXXX")],
                                  capture_output=True, check=True).stdout.decode().strip()
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.t = Tmux(self.tmp)
        self.addCleanup(self.t.kill)

    def test_send_and_serve_on_a_terminal(self):
        obj = json.loads(fixture("nps_score_submit"))
        path = os.path.join(self.tmp, "events.jsonl")
        with open(path, "w") as f:
            for i in range(EVENTS):
                obj["payload"]["userId"] = "user-%d" % i
                f.write(json.dumps(obj) + "\n")
        port = free_port()
        out = os.path.join(self.tmp, "received.jsonl")
        srv = self.t.start("%s serve --listen 127.0.0.1:%d --no-ui --out %s" % (BIN, port, out))
        deadline = time.monotonic() + 20
        while "listening on" not in self.t.screen(srv) and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertIn("listening on", self.t.screen(srv))
        summary = os.path.join(self.tmp, "summary.json")
        snd = self.t.start("%s send --url http://127.0.0.1:%d/ %s --json > %s" % (BIN, port, path, summary))
        seen_progress, seen_status = [], []
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            s = lines(self.t.screen(snd))
            if any(ln.startswith("EXIT=") for ln in s):
                break
            sent = [ln for ln in s if ln.startswith("sent ")]
            self.assertLessEqual(len(sent), 1, s)  # one line, redrawn in place
            for ln in sent:
                if PROGRESS_RE.match(ln):
                    seen_progress.append(ln)
            st = [ln for ln in lines(self.t.screen(srv)) if "received" in ln]
            self.assertLessEqual(len(st), 1, st)
            seen_status += [ln for ln in st if STATUS_RE.match(ln)]
            time.sleep(0.15)
        final = lines(self.t.screen(snd))
        self.assertIn("EXIT=0", final, final)
        self.assertTrue(seen_progress, "no progress line with a total was seen")
        m = PROGRESS_RE.match(seen_progress[-1])
        self.assertTrue(0 <= int(m.group(4)) <= 100)
        self.assertTrue(any(PROGRESS_RE.match(x).group(7) for x in seen_progress), seen_progress)
        self.assertTrue(all(abs(int(PROGRESS_RE.match(x).group(3)) - EVENTS) <= EVENTS // 5
                            for x in seen_progress), seen_progress)  # the estimated total
        # The progress line is gone; the summary stays.
        self.assertFalse([ln for ln in final if ln.startswith("sent ")], final)
        self.assertTrue(any(re.match(r"^%d events: %d delivered, 0 failed, 0 invalid in " % (EVENTS, EVENTS), ln)
                            for ln in final), final)
        with open(summary) as f:
            js = json.load(f)
        self.assertEqual((js["events"], js["delivered"], js["failed"], js["invalid"]), (EVENTS, EVENTS, 0, 0))
        self.assertEqual(js["bytes"], os.path.getsize(path))
        self.assertIsNone(js["stopped_at"])
        self.assertTrue(seen_status, "no status line of serve was seen")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any(
                STATUS_RE.match(ln) and int(STATUS_RE.match(ln).group(1)) == EVENTS for ln in lines(self.t.screen(srv))):
            time.sleep(0.1)
        self.t.keys(srv, "C-c")
        deadline = time.monotonic() + 20
        while "EXIT=" not in self.t.screen(srv) and time.monotonic() < deadline:
            time.sleep(0.1)
        s = lines(self.t.screen(srv))
        self.assertIn("EXIT=0", s, s)
        self.assertIn("ugw serve: received %d, valid %d, invalid 0, unauthorized 0, duplicates 0" % (EVENTS, EVENTS), s)
        self.assertFalse([ln for ln in s if STATUS_RE.match(ln)], s)  # the status line is cleared

    def test_quiet(self):
        path = os.path.join(self.tmp, "one.json")
        with open(path, "wb") as f:
            f.write(fixture("nps_score_submit"))
        port = free_port()
        srv = self.t.start("%s serve --listen 127.0.0.1:%d --no-ui -q" % (BIN, port))
        deadline = time.monotonic() + 20
        while "listening on" not in self.t.screen(srv) and time.monotonic() < deadline:
            time.sleep(0.1)
        snd = self.t.start("%s send -q --url http://127.0.0.1:%d/ %s %s" % (BIN, port, path, path))
        deadline = time.monotonic() + 30
        while "EXIT=" not in self.t.screen(snd) and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual(lines(self.t.screen(snd)), ["EXIT=0"])
        # Not on a terminal: --json alone on standard output, the summary on stderr.
        p = run("send", "--json", "--url", "http://127.0.0.1:%d/" % port, path)
        self.assertEqual(p.returncode, 0, p.stderr)
        js = json.loads(p.stdout)
        self.assertEqual((js["events"], js["delivered"]), (1, 1))
        self.assertRegex(p.stderr, rb"^1 event: 1 delivered, 0 failed, 0 invalid in ")
        p = run("send", "--json", "--url", "http://127.0.0.1:%d/" % port, "-", stdin=fixture("nps_score_submit"))
        self.assertIsNone(json.loads(p.stdout)["bytes"])  # standard input: size unknown


if __name__ == "__main__":
    unittest.main(verbosity=2)
