"""test_serve_metrics.py - GET /metrics of `ugw serve` as an operator uses it:
the counts by verdict and event after known requests, the text checked by
`promtool check metrics`, and a real Prometheus server (Debian's prometheus
package), started here on a free loopback port, scraping it. Run by ctest;
see serve_support.py for the environment. About 15 seconds.
"""

import json
import os
import shutil
import socket
import subprocess
import time
import unittest
import urllib.parse
import urllib.request

from serve_support import (ServeTestCase, fixture, setUpModule, write_tmp)  # noqa: F401

PROMETHEUS_TIMEOUT = 90


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read(), r.headers


def need(tool):
    path = shutil.which(tool)
    if not path:
        raise AssertionError("%s is not installed (scripts/setup.sh installs Debian's prometheus)" % tool)
    return path


def sample(text, line_start):
    """The value of the sample line that starts with `line_start` + ' '."""
    for line in text.splitlines():
        if line.startswith(line_start + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError("no sample %r in:\n%s" % (line_start, text[:3000]))


class TestServeMetrics(ServeTestCase):
    def send_known_requests(self, srv):
        body = fixture("nps_score_submit")
        h = self.signed(body, msg_id="msg_metrics_1")
        self.assertEqual(srv.post(body, headers=h)[0], 204)
        self.assertEqual(srv.post(body, headers=h)[0], 204)  # duplicate
        self.assertEqual(srv.post(body)[0], 401)  # unsigned
        bad = b'{"event":"nps score submit (userguiding)","payload":{"userId":7}}'
        self.assertEqual(srv.post(bad, headers=self.signed(bad))[0], 400)
        mp = fixture("guide_preview_start", "msgpack")
        self.assertEqual(srv.post(mp, "application/msgpack", self.signed(mp))[0], 204)

    def test_counts_and_promtool(self):
        srv = self.start("--secret", self.secret)
        self.send_known_requests(srv)
        status, text, headers = get(srv.url + "metrics")
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("text/plain; version=0.0.4"), headers)
        text = text.decode()
        req = 'ugw_receiver_requests_total{verdict="%s",event="%s"}'
        self.assertEqual(sample(text, req % ("delivered", "nps_score_submit")), 1)
        self.assertEqual(sample(text, req % ("duplicate", "nps_score_submit")), 1)
        self.assertEqual(sample(text, req % ("delivered", "guide_preview_start")), 1)
        self.assertEqual(sample(text, req % ("unauthorized", "unknown")), 1)
        self.assertEqual(sample(text, req % ("invalid", "unknown")), 1)
        self.assertEqual(sample(text, "ugw_receiver_verify_seconds_count"), 4)
        self.assertEqual(sample(text, "ugw_receiver_decode_seconds_count"), 4)
        self.assertEqual(sample(text, "ugw_receiver_body_bytes_count"), 4)
        self.assertGreaterEqual(sample(text, "ugw_http_connections"), 1)
        self.assertGreaterEqual(sample(text, "ugw_http_connections_accepted_total"), 6)
        path = write_tmp(self.tmp.name, "metrics.txt", text.encode())
        with open(path, "rb") as f:
            p = subprocess.run([need("promtool"), "check", "metrics"], stdin=f, capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, (p.stdout, p.stderr))
        # POST to /metrics is still a webhook; HEAD answers without a body.
        self.assertEqual(srv.post(b"{}", path="/metrics")[0], 401)  # unsigned
        req_head = urllib.request.Request(srv.url + "metrics", method="HEAD")
        with urllib.request.urlopen(req_head, timeout=10) as r:
            self.assertEqual(r.status, 200)
            self.assertEqual(r.read(), b"")

    def test_no_metrics(self):
        srv = self.start("--no-metrics")
        status, _, _ = srv.post(None, None, path="/metrics", method="GET")
        self.assertEqual(status, 405)

    def test_scraped_by_prometheus(self):
        srv = self.start("--secret", self.secret)
        self.send_known_requests(srv)
        prom = need("prometheus")
        web = free_port()
        cfg = write_tmp(self.tmp.name, "prometheus.yml", (
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
            "scrape_configs:\n  - job_name: ugw\n    static_configs:\n"
            "      - targets: ['127.0.0.1:%d']\n" % srv.port).encode())
        data = os.path.join(self.tmp.name, "tsdb")
        log = open(os.path.join(self.tmp.name, "prometheus.log"), "wb")
        self.addCleanup(log.close)
        p = subprocess.Popen([prom, "--config.file=" + cfg, "--storage.tsdb.path=" + data,
                              "--web.listen-address=127.0.0.1:%d" % web], stdout=log, stderr=log,
                             stdin=subprocess.DEVNULL)

        def stop():
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(20)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        self.addCleanup(stop)
        query = 'ugw_receiver_requests_total{verdict="delivered",event="nps_score_submit"}'
        api = "http://127.0.0.1:%d/api/v1/" % web
        deadline = time.monotonic() + PROMETHEUS_TIMEOUT
        value = None
        while time.monotonic() < deadline and value is None:
            self.assertIsNone(p.poll(), "prometheus exited: see its log")
            try:
                _, body, _ = get(api + "query?query=" + urllib.parse.quote(query))
                result = json.loads(body)["data"]["result"]
                if result:
                    value = result[0]["value"][1]
            except (OSError, ValueError, KeyError):
                pass
            if value is None:
                time.sleep(0.5)
        with open(os.path.join(self.tmp.name, "prometheus.log"), "rb") as f:
            plog = f.read()[-3000:]
        self.assertEqual(value, "1", plog)
        _, body, _ = get(api + "targets")
        targets = json.loads(body)["data"]["activeTargets"]
        self.assertEqual([t["health"] for t in targets], ["up"], targets)
        self.assertEqual(targets[0]["lastError"], "")


if __name__ == "__main__":
    unittest.main(verbosity=2)
