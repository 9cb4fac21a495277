"""test_relay_metrics.py - `ugw relay run --metrics-listen` as an operator
scrapes it: a relay against a nats-server node started here, GET /metrics
with a plain HTTP client before and after deliveries (the counters move by
the events delivered), the text checked by `promtool check metrics`
(Debian's prometheus package), 404 and 405, delivery going on while
scrapers hold every connection of the endpoint, and the usage errors.
About 20 seconds.
"""

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

from relay_support import (SECRET, Nats, Receiver, Relay, describe, events_jsonl, free_port, ugw, wait_for,
                           write_endpoints)


def get(url, method="GET", data=None):
    req = urllib.request.Request(url, method=method, data=data)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read(), r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.read(), e.headers


def status(url):
    """The status of a GET, or None when the connection failed (refused, reset)."""
    try:
        return get(url)[0]
    except OSError:
        return None


def sample(text, series):
    """The value of the sample `series` (name with labels) in `text`."""
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError("no sample %r in:\n%s" % (series, text[:3000]))


class RelayMetricsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.nats = Nats(1)

    @classmethod
    def tearDownClass(cls):
        cls.nats.close()

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="ugw-relay-metrics-")
        self.addCleanup(self.tmp.cleanup)
        self.opts = ["--nats", self.nats.urls, "--stream", "M", "--subject-prefix", "m.ev", "--dead-subject",
                     "m.dead"]
        p = ugw("relay", "init", *self.opts)
        self.assertEqual(p.returncode, 0, describe(p))
        self.rx = Receiver()
        self.addCleanup(self.rx.close)
        self.endpoints = write_endpoints(self.path("endpoints"), [("main", self.rx.url, SECRET, None)])

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def relay(self, *args):
        log = self.path("relay%d.log" % time.monotonic_ns())
        r = Relay(self.nats.urls, self.endpoints, *self.opts[2:], "--timeout", "3", "--ack-wait", "6", *args,
                  log=log)
        self.addCleanup(r.kill)
        return r, log

    def metrics_url(self, log):
        """The URL the relay printed at start."""
        found = []

        def printed():
            with open(log, "rb") as f:
                found[:] = re.findall(rb"metrics on (http://\S+)", f.read())
            return bool(found)
        if not wait_for(printed, 20):
            with open(log, "rb") as f:
                self.fail("no metrics URL printed: %r" % f.read()[-2000:])
        return found[0].decode()

    def publish(self, n):
        with open(self.path("ev.jsonl"), "wb") as f:
            f.write(events_jsonl(n))
        p = ugw("relay", "publish", *self.opts, "--endpoint", "main", self.path("ev.jsonl"))
        self.assertEqual(p.returncode, 0, describe(p))

    def test_scrape_counters_move_and_promtool(self):
        r, log = self.relay("--metrics-listen", "127.0.0.1:0")
        url = self.metrics_url(log)
        self.assertTrue(url.startswith("http://127.0.0.1:") and url.endswith("/metrics"), url)
        status, body, headers = get(url)
        self.assertEqual(status, 200)
        self.assertEqual(headers["Content-Type"], "text/plain; version=0.0.4; charset=utf-8")
        before = body.decode()
        self.assertIn("# TYPE ugw_relay_delivered_total counter\n", before)
        self.assertEqual(sample(before, 'ugw_relay_delivered_total{endpoint="main"}'), 0)
        self.assertEqual(sample(before, 'ugw_relay_fetched_total{endpoint="main"}'), 0)

        self.publish(40)
        self.assertTrue(wait_for(lambda: len(self.rx.snapshot()) >= 40, 30), r.stats())

        def delivered():
            return sample(get(url)[1].decode(), 'ugw_relay_delivered_total{endpoint="main"}')
        self.assertTrue(wait_for(lambda: delivered() == 40, 10), get(url)[1][:2000])
        after = get(url)[1].decode()
        self.assertEqual(sample(after, 'ugw_relay_fetched_total{endpoint="main"}'), 40)
        self.assertEqual(sample(after, 'ugw_relay_failed_total{endpoint="main"}'), 0)
        self.assertEqual(sample(after, 'ugw_relay_in_flight{endpoint="main"}'), 0)
        self.assertEqual(sample(after, 'ugw_relay_endpoint_gone{endpoint="main"}'), 0)
        # the same families as the --metrics file, by name
        names = sorted(set(re.findall(r"^# TYPE (\S+)", after, re.M)))
        self.assertEqual(len(names), 12, names)

        promtool = shutil.which("promtool")
        self.assertIsNotNone(promtool, "promtool is not installed (scripts/setup.sh installs Debian's prometheus)")
        p = subprocess.run([promtool, "check", "metrics"], input=after.encode(), capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, (p.stdout, p.stderr))
        print("\npromtool check metrics: exit %d %s%s" % (p.returncode, p.stdout.decode(), p.stderr.decode()))

        # other paths and methods
        base = url[: -len("/metrics")]
        self.assertEqual(get(base + "/")[0], 404)
        self.assertEqual(get(base + "/metrics/x")[0], 404)
        status, _, headers = get(url, "POST", b"{}")
        self.assertEqual(status, 405)
        self.assertEqual(headers["Allow"], "GET, HEAD")
        status, body, _ = get(url, "HEAD")
        self.assertEqual((status, body), (200, b""))
        self.assertEqual(r.stop(), 0)

    def test_delivery_goes_on_while_scrapers_hold_every_connection(self):
        port = free_port()
        r, log = self.relay("--metrics-listen", str(port))  # a bare port: 127.0.0.1
        url = self.metrics_url(log)
        self.assertEqual(url, "http://127.0.0.1:%d/metrics" % port)
        held = []
        try:
            for _ in range(40):  # more than the server's 16 places; none sends a whole request
                s = socket.create_connection(("127.0.0.1", port), timeout=5)
                held.append(s)
                try:
                    s.sendall(b"GET /metr")
                except OSError:
                    pass  # past the limit the server closes it at once
            self.publish(30)
            self.assertTrue(wait_for(lambda: len(self.rx.snapshot()) >= 30, 30), r.stats())
        finally:
            for s in held:
                s.close()
        # once they are gone, scrapes are answered again
        self.assertTrue(wait_for(lambda: status(url) == 200, 20))
        self.assertTrue(wait_for(lambda: sample(get(url)[1].decode(),
                                                'ugw_relay_delivered_total{endpoint="main"}') == 30, 10))
        self.assertEqual(r.stop(), 0)

    def test_usage_errors(self):
        for bad in ["nohost:", "127.0.0.1:70000", "::1:80", "[::1]80", "-1"]:
            p = ugw("relay", "run", "--endpoints", self.endpoints, *self.opts, "--metrics-listen", bad)
            self.assertEqual(p.returncode, 2, (bad, p.stderr))
            self.assertIn(b"--metrics-listen must be ADDR:PORT, [IPV6]:PORT or PORT (0 to 65535), not '%s'"
                          % bad.encode(), p.stderr)
        # a port already taken: the relay says so and stops, exit 2
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen(1)
            taken = s.getsockname()[1]
            p = ugw("relay", "run", "--endpoints", self.endpoints, *self.opts,
                    "--metrics-listen", "127.0.0.1:%d" % taken, timeout=60)
        self.assertEqual(p.returncode, 2, describe(p))
        self.assertIn(b"relay run: --metrics-listen: cannot listen on 127.0.0.1 port %d" % taken, p.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
