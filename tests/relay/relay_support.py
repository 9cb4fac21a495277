"""relay_support.py - what the tests of `ugw relay` share: NATS servers (one
node, or a cluster of three) started on 127.0.0.1 on free ports with their
own temporary directories and always stopped, running the command, event
files, and the webhook receiver of send_support.py.

Python 3.11+ standard library only; needs Debian's nats-server.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from send_support import KEY, SECRET, Receiver, free_port  # noqa: E402,F401
from serve_support import BIN, VALID, py_sign  # noqa: E402,F401

NATS_SERVER = shutil.which("nats-server") or "/usr/bin/nats-server"


def events_jsonl(n):
    """`n` valid events, one JSON document a line, cycling through the fixtures."""
    docs = []
    for name in sorted(os.listdir(VALID)):
        if name.endswith(".json"):
            with open(os.path.join(VALID, name), "rb") as f:
                docs.append(b" ".join(f.read().split(b"\n")).strip())
    return b"".join(docs[i % len(docs)] + b"\n" for i in range(n))


def ugw(*args, stdin=b"", timeout=120):
    return subprocess.run([BIN, *args], input=stdin, capture_output=True, timeout=timeout)


def describe(p):
    return "exit %d, stderr %r" % (p.returncode, p.stderr[-1500:])


class Nats:
    """`n` nats-server nodes with JetStream; n > 1 makes a cluster whose
    nodes route to each other. Stopped by close() (also on failure, as a
    context manager)."""

    def __init__(self, n=1):
        self.tmp = tempfile.mkdtemp(prefix="ugw-nats-")
        self.ports = [free_port() for _ in range(n)]
        self.cports = [free_port() for _ in range(n)] if n > 1 else []
        self.procs = [None] * n
        self.n = n
        try:
            for i in range(n):
                self.start(i)
            self.wait_ready()
        except BaseException:
            self.close()
            raise

    @property
    def urls(self):
        return ",".join("nats://127.0.0.1:%d" % p for p in self.ports)

    def start(self, i):
        conf = os.path.join(self.tmp, "n%d.conf" % i)
        lines = [
            "server_name: n%d" % i,
            "listen: 127.0.0.1:%d" % self.ports[i],
            "jetstream { store_dir: %s }" % os.path.join(self.tmp, "store%d" % i),
        ]
        if self.n > 1:
            routes = ", ".join("nats-route://127.0.0.1:%d" % p for j, p in enumerate(self.cports) if j != i)
            lines.append("cluster { name: ugwtest, listen: 127.0.0.1:%d, routes: [%s] }" % (self.cports[i], routes))
        with open(conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        log = open(os.path.join(self.tmp, "n%d.log" % i), "ab")
        self.procs[i] = subprocess.Popen([NATS_SERVER, "-c", conf], stdout=log, stderr=log)
        log.close()

    def wait_ready(self, timeout=30):
        """Until JetStream answers: the streams can be made (by the caller)."""
        end = time.time() + timeout
        while time.time() < end:
            p = subprocess.run([BIN, "relay", "init", "--nats", self.urls, "--stream", "PROBE",
                                "--subject-prefix", "probe.events", "--dead-subject", "probe.dead",
                                "--replicas", str(min(self.n, 3)), "--memory"], capture_output=True)
            if p.returncode == 0:
                return
            time.sleep(0.3)
        raise AssertionError("JetStream did not come up: %s" % self.log_tail())

    def kill(self, i):
        if self.procs[i] and self.procs[i].poll() is None:
            self.procs[i].send_signal(signal.SIGKILL)
            self.procs[i].wait()

    def log_tail(self):
        out = []
        for i in range(self.n):
            try:
                with open(os.path.join(self.tmp, "n%d.log" % i), "rb") as f:
                    out.append(f.read()[-600:])
            except OSError:
                pass
        return out

    def close(self):
        for p in self.procs:
            if p and p.poll() is None:
                p.kill()
                p.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Relay:
    """`ugw relay run` in the background; stop() sends SIGTERM, kill() SIGKILL."""

    def __init__(self, nats_urls, endpoints, *args, log=None):
        self.log = log
        out = open(log, "ab") if log else subprocess.DEVNULL
        self.proc = subprocess.Popen([BIN, "relay", "run", "--nats", nats_urls, "--endpoints", endpoints,
                                      "--stats", "1", *args], stdout=out, stderr=out)
        if log:
            out.close()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def stats(self):
        """The last counters line the relay printed."""
        if not self.log:
            return ""
        with open(self.log, "rb") as f:
            lines = [ln for ln in f.read().decode(errors="replace").splitlines() if "fetched" in ln]
        return lines[-1] if lines else ""


def write_endpoints(path, rows):
    """rows: (name, url, secret or None, extra options); the file is made 0600."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("# name url [secret=...] [in_flight=N]\n")
        for name, url, secret, extra in rows:
            f.write("%s %s%s%s\n" % (name, url, " secret=" + secret if secret else "", " " + extra if extra else ""))
    return path


def wait_for(cond, timeout, step=0.1):
    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return True
        time.sleep(step)
    return cond()
