"""test_serve_attack.py - `ugw serve` attacked as a client on loopback would,
each attack bounded in connections and time (under a minute) and printing
its figures:

  slowloris   1,100 connections sending headers a line at a time: signed
              requests of a well-behaved client still answered within 1 s
  trickle     1,000 connections trickling bodies behind well-formed (forged)
              signature headers: the same, and each cut at its deadline
  memory      1,020 unsigned connections announcing 1 MiB bodies, then 4
              bodies of 64 MiB with --max-body at its maximum: peak RSS of
              the server stays within its memory budget plus overhead
  full disk   --out under a file-size limit (RLIMIT_FSIZE): every 2xx has its
              record written whole, every failed write is a 503, no torn line

Attackers connect from 127.0.0.2 and up (loopback holds all of 127/8), so
the per-address limit does not simply shut them out; the well-behaved
client comes from 127.0.0.1. Run by ctest; see serve_support.py.
"""

import http.client
import json
import os
import resource
import socket
import threading
import time
import unittest

from serve_support import ServeTestCase, fixture, setUpModule, summary  # noqa: F401
from test_serve_http import http_stats

ANSWER_WITHIN_S = 1.0

# Under AddressSanitizer, freed memory waits in a quarantine (256 MB by
# default) and would count in the server's RSS: keep it small so the peak
# RSS measures what the server holds.
os.environ["ASAN_OPTIONS"] = ":".join(x for x in (os.environ.get("ASAN_OPTIONS", ""), "quarantine_size_mb=16") if x)


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def attacker_addr(i, per_ip=20):
    return "127.0.%d.%d" % (1 + i // per_ip // 250, 2 + (i // per_ip) % 250)


def rss_peak_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


class Crowd:
    """`n` attacking connections kept open: each is reopened when the server
    closes it, and `tick(sock)` is sent to every one every `every` s."""

    def __init__(self, port, n, opening, tick, every):
        self.port, self.opening, self.tick, self.every = port, opening, tick, every
        self.socks = [None] * n
        self.reopened = 0
        self.stop = threading.Event()
        for i in range(n):
            self.socks[i] = self._open(i)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _open(self, i):
        try:
            s = socket.create_connection(("127.0.0.1", self.port), timeout=2, source_address=(attacker_addr(i), 0))
            s.setblocking(False)
            s.send(self.opening)
            return s
        except OSError:
            return None

    def _run(self):
        while not self.stop.wait(self.every):
            for i, s in enumerate(self.socks):
                if self.stop.is_set():
                    return
                ok = s is not None
                if ok:
                    try:
                        s.send(self.tick)
                    except OSError:
                        ok = False
                if not ok:
                    if s is not None:
                        s.close()
                    self.socks[i] = self._open(i)
                    self.reopened += 1

    def open_count(self):
        return sum(1 for s in self.socks if s is not None)

    def close(self):
        self.stop.set()
        self.thread.join(30)
        for s in self.socks:
            if s is not None:
                s.close()


class AttackCase(ServeTestCase):
    def well_behaved(self, srv, n=30):
        """n signed POSTs, each on a fresh connection; their latencies."""
        body = fixture("nps_score_submit")
        lat = []
        for _ in range(n):
            h = self.signed(body)
            h["Content-Type"] = "application/json"
            t0 = time.monotonic()
            c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10, source_address=("127.0.0.1", 0))
            try:
                c.request("POST", "/", body=body, headers=h)
                r = c.getresponse()
                r.read()
                status = r.status
            except OSError as e:
                status = repr(e)
            finally:
                c.close()
            lat.append((time.monotonic() - t0, status))
            time.sleep(0.1)
        return lat

    def check_answered(self, name, lat):
        ok = [t for t, st in lat if st == 204]
        worst = max(t for t, _ in lat)
        print("\n%s: %d of %d signed requests answered 204, slowest %.0f ms, median %.0f ms"
              % (name, len(ok), len(lat), worst * 1000, sorted(t for t, _ in lat)[len(lat) // 2] * 1000))
        self.assertEqual(len(ok), len(lat), lat)
        self.assertLess(worst, ANSWER_WITHIN_S, lat)


class TestSlowloris(AttackCase):
    def test_1100_slowloris_connections(self):
        if raise_fd_limit() < 2500:
            self.skipTest("needs 2,500 open files")
        srv = self.start("--secret", self.secret)
        crowd = Crowd(srv.port, 1100, b"POST / HTTP/1.1\r\nHost: x\r\n", b"X-Slow: 1\r\n", 2.0)
        self.addCleanup(crowd.close)
        time.sleep(1.0)
        lat = self.well_behaved(srv)
        held = crowd.open_count()
        crowd.close()
        rc, _, err = srv.stop()
        st = http_stats(err)
        print("slowloris: 1100 attacking connections (%d open at the end, %d reopened), server peak %d, "
              "evicted %d, header timeouts %d" % (held, crowd.reopened, st["peak"], st["evicted"],
                                                 st["header_timeouts"]))
        self.check_answered("slowloris", lat)
        self.assertEqual(summary(err)[1], len(lat))
        self.assertGreaterEqual(st["peak"], 900)


class TestTrickle(AttackCase):
    def test_1000_trickled_bodies(self):
        if raise_fd_limit() < 2500:
            self.skipTest("needs 2,500 open files")
        srv = self.start("--secret", self.secret, "--request-timeout", "4")
        ts = int(time.time())
        opening = (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nwebhook-id: msg_slow\r\n"
                   b"webhook-timestamp: %d\r\nwebhook-signature: v1,%s\r\nContent-Length: 1000\r\n\r\n"
                   % (ts, b"A" * 43 + b"="))
        crowd = Crowd(srv.port, 1000, opening, b"{", 1.0)
        self.addCleanup(crowd.close)
        time.sleep(1.0)
        lat = self.well_behaved(srv)
        time.sleep(3.0)  # past the deadline of the first ones
        crowd.close()
        rc, _, err = srv.stop()
        st = http_stats(err)
        print("trickle: 1000 connections trickling bodies (%d reopened), server peak %d, evicted %d, "
              "request timeouts %d" % (crowd.reopened, st["peak"], st["evicted"], st["request_timeouts"]))
        self.check_answered("trickle", lat)
        self.assertGreaterEqual(st["request_timeouts"], 900)
        self.assertEqual(summary(err)[1], len(lat))  # no trickled body was ever accepted


class TestMemory(AttackCase):
    def test_announced_bodies_do_not_take_memory(self):
        if raise_fd_limit() < 2500:
            self.skipTest("needs 2,500 open files")
        srv = self.start()  # unsigned: anyone may send a body
        head = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1048576\r\n\r\n"
        socks = []
        for i in range(1020):
            try:
                s = socket.create_connection(("127.0.0.1", srv.port), timeout=5,
                                             source_address=(attacker_addr(i), 0))
            except OSError:
                continue
            socks.append(s)  # closed below, whether or not all of it was sent
            try:
                s.sendall(head + b" " * 131072)
            except OSError:
                pass
        time.sleep(1.0)
        peak1 = rss_peak_kib(srv.proc.pid)
        for s in socks:
            s.close()
        # Once the attackers are gone their memory comes back: a sender that
        # honours Retry-After gets in (at once, or after a 503 while the
        # server is still closing the attacking connections).
        body = fixture("nps_score_submit")
        statuses = []
        for _ in range(20):
            c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
            c.request("POST", "/", body=body, headers={"Content-Type": "application/json",
                                                        "webhook-id": "msg_after"})
            r = c.getresponse()
            r.read()
            statuses.append(r.status)
            c.close()
            if r.status != 503:
                break
            time.sleep(float(r.getheader("Retry-After", "1")))
        rc, _, err = srv.stop()
        st = http_stats(err)
        print("\nmemory: %d connections announcing 1 MiB with 128 KiB sent each: peak RSS %.1f MB, "
              "peak body memory %.1f MB (budget 64 MiB), refusals %d"
              % (len(socks), peak1 / 1024, st["peak_body"] / 1048576, st["memory"]))
        self.assertLessEqual(st["peak_body"], 64 << 20)
        self.assertGreater(st["memory"], 0)
        self.assertLess(peak1, 256 * 1024)
        print("memory: after the attack, a sender honouring Retry-After got %s" % statuses)
        self.assertEqual(statuses[-1], 204)

        # --max-body at its maximum: 4 bodies of 64 MiB each.
        srv = self.start("--max-body", "268435456")
        socks = []
        chunk = b" " * (1 << 20)
        big = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 268435456\r\n\r\n"
        for i in range(4):
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=30, source_address=(attacker_addr(i), 0))
            s.sendall(big)
            socks.append(s)
        for _ in range(64):
            for s in socks:
                try:
                    s.sendall(chunk)
                except OSError:
                    pass
        time.sleep(0.5)
        peak2 = rss_peak_kib(srv.proc.pid)
        for s in socks:
            s.close()
        rc, _, err = srv.stop()
        st = http_stats(err)
        print("memory: 4 connections sending 64 MiB each with --max-body 268435456: peak RSS %.1f MB, "
              "peak body memory %.1f MB, refusals %d" % (peak2 / 1024, st["peak_body"] / 1048576, st["memory"]))
        self.assertLessEqual(st["peak_body"], 64 << 20)
        self.assertLess(peak2, 256 * 1024)


class TestFullDisk(AttackCase):
    def test_2xx_only_for_records_written_whole(self):
        out = os.path.join(self.tmp.name, "events.jsonl")
        limit = 20000

        def small_files():
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        srv = self.start("--out", out, preexec_fn=small_files)
        body = fixture("nps_score_submit")
        answers = {}
        for i in range(150):
            c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
            c.request("POST", "/", body=body, headers={"Content-Type": "application/json",
                                                        "webhook-id": "msg_disk_%d" % i})
            r = c.getresponse()
            r.read()
            answers[i] = (r.status, r.getheader("Retry-After"))
            c.close()
        rc, _, err = srv.stop()
        with open(out, "rb") as f:
            data = f.read()
        lines = data.split(b"\n")
        torn = lines.pop()  # after the last '\n': must be empty
        records = [json.loads(x) for x in lines]
        ok = [i for i, (st, _) in answers.items() if st == 204]
        refused = [i for i, (st, ra) in answers.items() if st == 503 and ra]
        print("\nfull disk: 150 events sent, %d answered 204, %d answered 503 with Retry-After, %d records "
              "written, %d bytes torn, file %d of %d bytes" % (len(ok), len(refused), len(records), len(torn),
                                                               len(data), limit))
        self.assertEqual(torn, b"")
        self.assertEqual(len(records), len(ok))
        self.assertEqual([r["id"] for r in records], ["msg_disk_%d" % i for i in ok])
        self.assertEqual(len(ok) + len(refused), 150)
        self.assertGreater(len(refused), 0)
        self.assertEqual(rc, 2, err)  # the failed writes are reported in the exit status
        self.assertIn(b"could not be written", err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
