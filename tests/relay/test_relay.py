"""test_relay.py - `ugw relay` through one nats-server node: delivery signed
and exact, a retry whose delay the server keeps (it survives the relay),
attempts exhausted, dead letters published and copied out for `ugw send
--replay`, 410 stopping one endpoint only, a slow endpoint not holding back
another, a relay killed mid-request losing nothing, and the usage errors.

Each test has its own stream on a node shared by the class; about a minute.
"""

import json
import os
import subprocess
import tempfile
import threading
import time
import unittest

from relay_support import (BIN, KEY, SECRET, Nats, Receiver, Relay, describe, events_jsonl, py_sign, ugw,
                           wait_for, write_endpoints)


class RelayTest(unittest.TestCase):
    nats = None
    counter = 0

    @classmethod
    def setUpClass(cls):
        cls.nats = Nats(1)

    @classmethod
    def tearDownClass(cls):
        cls.nats.close()

    def setUp(self):
        RelayTest.counter += 1
        n = RelayTest.counter
        self.tmp = tempfile.TemporaryDirectory(prefix="ugw-relay-")
        self.addCleanup(self.tmp.cleanup)
        self.opts = ["--nats", self.nats.urls, "--stream", "T%d" % n, "--subject-prefix", "t%d.ev" % n,
                     "--dead-subject", "t%d.dead" % n]
        p = ugw("relay", "init", *self.opts)
        self.assertEqual(p.returncode, 0, describe(p))

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def receiver(self, policy=None, delay=0.0):
        rx = Receiver(policy, delay)
        self.addCleanup(rx.close)
        return rx

    def relay(self, rows, *args, ack_wait="7"):
        """A relay with a 3 s request timeout; the ack wait of 7 s (twice it +
        1) lets it hold messages ready, as the default does."""
        eps = write_endpoints(self.path("endpoints"), rows)
        r = Relay(self.nats.urls, eps, *self.opts[2:], "--timeout", "3", "--ack-wait", ack_wait, *args,
                  log=self.path("relay%d.log" % time.monotonic_ns()))
        self.addCleanup(r.kill)
        return r

    def publish(self, endpoint, n, fmt="json"):
        with open(self.path("ev.jsonl"), "wb") as f:
            f.write(events_jsonl(n))
        ids = self.path("ids-%d.txt" % time.monotonic_ns())
        p = ugw("relay", "publish", *self.opts, "--endpoint", endpoint, "--format", fmt, "--ids", ids,
                self.path("ev.jsonl"))
        self.assertEqual(p.returncode, 0, describe(p))
        self.assertIn(b"%d published (0 already in the stream)" % n, p.stderr)
        with open(ids) as f:
            return [ln.strip() for ln in f]

    def dead_letters(self, *extra):
        out = self.path("dead.jsonl")
        p = ugw("relay", "dead-letters", *self.opts, "--out", out, *extra)
        self.assertEqual(p.returncode, 0, describe(p))
        if not os.path.exists(out):
            return []
        self.assertEqual(os.stat(out).st_mode & 0o777, 0o600)
        with open(out) as f:
            return [json.loads(ln) for ln in f]

    def test_delivers_signed_and_exact(self):
        rx = self.receiver()
        ids = self.publish("main", 30) + self.publish("main", 5, "msgpack")
        r = self.relay([("main", rx.url, SECRET, None)], "--metrics", self.path("relay.prom"))
        self.assertTrue(wait_for(lambda: len(rx.snapshot()) >= 35, 30), r.stats())
        time.sleep(0.5)
        reqs = rx.snapshot()
        self.assertEqual(sorted(q.id for q in reqs), sorted(ids))  # each once
        sent = events_jsonl(30).splitlines()
        for q in reqs:
            self.assertEqual(q.sig, py_sign(KEY, q.id, q.ts, q.body))
            self.assertTrue(q.ua.startswith("ugw/"))
        json_bodies = sorted(q.body for q in reqs if q.ctype == "application/json")
        self.assertEqual(json_bodies, sorted(sent))
        self.assertEqual(sum(q.ctype == "application/msgpack" for q in reqs), 5)
        self.assertTrue(wait_for(lambda: "delivered 35," in r.stats(), 5), r.stats())
        self.assertEqual(r.stop(), 0)
        with open(self.path("relay.prom")) as f:
            prom = f.read()
        self.assertIn("# TYPE ugw_relay_delivered_total counter\n", prom)
        self.assertIn('ugw_relay_delivered_total{endpoint="main"} 35\n', prom)
        self.assertIn('ugw_relay_endpoint_gone{endpoint="main"} 0\n', prom)

    def test_retry_delay_kept_by_the_server(self):
        # The first attempt fails with a 503; the relay hands the message back
        # with a 3 s delay and is stopped at once; a new relay gets it only
        # when the server's delay is over.
        rx = self.receiver(lambda q: 503 if q.attempt == 1 else 204)
        ids = self.publish("main", 1)
        r = self.relay([("main", rx.url, SECRET, None)], "--backoff-ms", "3000", "--drain", "1")
        self.assertTrue(wait_for(lambda: len(rx.snapshot()) >= 1, 20))
        t_first = time.time()
        self.assertTrue(wait_for(lambda: "retried 1," in r.stats(), 5), r.stats())
        self.assertEqual(r.stop(), 0)
        self.assertEqual(len(rx.snapshot()), 1)  # what came while it closed went back to the stream
        r2 = self.relay([("main", rx.url, SECRET, None)], "--backoff-ms", "3000")
        self.assertTrue(wait_for(lambda: len(rx.snapshot()) >= 2, 20))
        self.assertTrue(wait_for(lambda: "delivered 1," in r2.stats(), 5), r2.stats())
        gap = time.time() - t_first
        reqs = rx.snapshot()
        print("\n503, relay stopped, new relay: the retry came %.2f s after the first attempt "
              "(backoff 3 s with jitter 0.5: 1.5 to 3 s, or the ack wait when the hand-back was lost)" % gap)
        self.assertGreaterEqual(gap, 1.4)
        self.assertEqual([q.id for q in reqs], ids * 2)
        self.assertEqual(r2.stop(), 0)
        self.assertIn("redelivered 1,", r2.stats())

    def test_attempts_exhausted_then_dead_letter(self):
        rx = self.receiver(lambda q: 500)
        ids = self.publish("main", 2)
        r = self.relay([("main", rx.url, SECRET, None)], "--max-attempts", "3", "--backoff-ms", "100")
        self.assertTrue(wait_for(lambda: "failed 2 " in r.stats(), 30), r.stats())
        self.assertEqual(len(rx.snapshot()), 6)  # 3 attempts each, the same id every time
        self.assertEqual(sorted(set(q.id for q in rx.snapshot())), sorted(ids))
        dl = self.dead_letters()
        self.assertEqual(sorted(d["id"] for d in dl), sorted(ids))
        for d in dl:
            self.assertEqual((d["result"], d["last_status"], d["attempts"], d["format"]), ("attempts", 500, 3, "json"))
            self.assertIn(d["body"].encode(), events_jsonl(2))
        self.assertEqual(r.stop(), 0)

    def test_rejected_dead_letter_and_replay(self):
        rx = self.receiver(lambda q: 400 if q.path == "/bad" else 204)
        ids = self.publish("bad", 3)
        r = self.relay([("bad", rx.url.replace("/hook", "/bad"), SECRET, None)])
        self.assertTrue(wait_for(lambda: "failed 3 " in r.stats(), 30), r.stats())
        self.assertEqual(len(rx.snapshot()), 3)  # not retried
        dl = self.dead_letters("--endpoint", "bad", "--remove")
        self.assertEqual(sorted(d["id"] for d in dl), sorted(ids))
        self.assertEqual({(d["result"], d["last_status"]) for d in dl}, {("rejected", 400)})
        self.assertEqual(self.dead_letters(), dl)  # removed: nothing more appended
        # the operator sends them again, with their ids, once the receiver is fixed
        with open(self.path("secret"), "w") as f:
            f.write(SECRET + "\n")
        os.chmod(self.path("secret"), 0o600)
        p = subprocess.run([BIN, "send", "--replay", self.path("dead.jsonl"), "--url", rx.url,
                            "--secret-file", self.path("secret")], capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, describe(p))
        self.assertEqual(sorted(q.id for q in rx.snapshot() if q.path == "/hook"), sorted(ids))
        self.assertEqual(r.stop(), 0)

    def test_gone_stops_that_endpoint_only(self):
        rx = self.receiver(lambda q: 410 if q.path == "/gone" else 204)
        self.publish("gone", 20)
        ok_ids = self.publish("ok", 20)
        r = self.relay([("gone", rx.url.replace("/hook", "/gone"), SECRET, "in_flight=1"),
                        ("ok", rx.url, SECRET, None)])
        self.assertTrue(wait_for(lambda: len([q for q in rx.snapshot() if q.path == "/hook"]) >= 20, 30))
        time.sleep(1)
        gone_reqs = [q for q in rx.snapshot() if q.path == "/gone"]
        self.assertEqual(len(gone_reqs), 1)  # the first 410 stopped it
        self.assertEqual(sorted(q.id for q in rx.snapshot() if q.path == "/hook"), sorted(ok_ids))
        self.assertTrue(wait_for(lambda: "endpoints gone 1," in r.stats(), 5), r.stats())
        self.assertEqual(r.stop(), 0)
        # the other 19 are still in the stream, not lost: a relay with the
        # endpoint fixed delivers them
        rx2 = self.receiver()
        r2 = self.relay([("gone", rx2.url, SECRET, None), ("ok", rx.url, SECRET, None)])
        self.assertTrue(wait_for(lambda: len(rx2.snapshot()) >= 19, 30), r2.stats())
        self.assertEqual(len(self.dead_letters("--endpoint", "gone")), 1)
        self.assertEqual(r2.stop(), 0)

    def test_slow_endpoint_does_not_hold_back_another(self):
        slow = self.receiver(delay=1.5)
        fast = self.receiver()
        self.publish("slow", 20)
        fast_ids = self.publish("fast", 100)
        t0 = time.time()
        r = self.relay([("slow", slow.url, SECRET, "in_flight=2"), ("fast", fast.url, SECRET, None)])
        self.assertTrue(wait_for(lambda: len(fast.snapshot()) >= 100, 30))
        took = time.time() - t0
        print("\n100 events to a fast endpoint in %.2f s while a slow one (1.5 s an answer, 2 at once) "
              "had %d requests" % (took, len(slow.snapshot())))
        self.assertLessEqual(slow.max_in_flight, 2)
        self.assertLess(len(slow.snapshot()), 20)
        self.assertEqual(sorted(q.id for q in fast.snapshot()), sorted(fast_ids))
        r.kill()

    def test_relay_killed_mid_request_loses_nothing(self):
        rx = self.receiver(delay=2.0)
        ids = self.publish("main", 4)
        r = self.relay([("main", rx.url, SECRET, None)])
        self.assertTrue(wait_for(lambda: len(rx.snapshot()) >= 4, 20))
        r.kill()  # answers are lost, nothing was acknowledged
        rx.delay = 0
        t_kill = time.time()
        r2 = self.relay([("main", rx.url, SECRET, None)])
        self.assertTrue(wait_for(lambda: len(rx.snapshot()) >= 8, 30), r2.stats())
        print("\nrelay killed with 4 requests on the wire: redelivered after %.1f s (ack wait 7 s)"
              % (time.time() - t_kill))
        self.assertEqual(sorted(q.id for q in rx.snapshot()), sorted(ids * 2))
        self.assertEqual(r2.stop(), 0)
        self.assertIn("redelivered 4,", r2.stats())

    def test_messages_held_ready_within_the_ack_wait(self):
        # in_flight 2 against a receiver that answers in 3 s (timeout 5 s):
        # with an ack wait of twice the timeout + 1 the relay holds 2 more
        # ready (fetched 4), never more than 2 on the wire; with a shorter one
        # it fetches only for free places
        for ack_wait, ready in (("11", 2), ("10.9", 0)):
            rx = self.receiver(delay=3)
            ids = self.publish("main", 8)
            r = self.relay([("main", rx.url, SECRET, "in_flight=2")], "--timeout", "5", ack_wait=ack_wait)
            self.assertTrue(wait_for(lambda: rx.in_flight == 2, 20), r.stats())
            time.sleep(1.5)  # a stats line (every second) after the fetch, before the answers
            self.assertIn("fetched %d," % (2 + ready), r.stats(), ack_wait)
            self.assertTrue(wait_for(lambda: len(rx.snapshot()) >= 8, 30), r.stats())
            self.assertTrue(wait_for(lambda: "delivered 8," in r.stats(), 5), r.stats())
            self.assertEqual(r.stop(), 0)
            self.assertEqual(sorted(q.id for q in rx.snapshot()), sorted(ids))  # each once
            self.assertEqual(rx.max_in_flight, 2)

    def test_usage_errors(self):
        cases = [
            (["relay"], b"no action"),
            (["relay", "fly"], b"unknown action 'fly'"),
            (["relay", "run"], b"--endpoints FILE"),
            (["relay", "run", "--endpoints", "/nonexistent/e"], b"cannot read the endpoints file"),
            (["relay", "run", "--endpoints", "x", "--in-flight", "0"], b"--in-flight must be"),
            (["relay", "run", "--endpoints", "x", "--delivery-threads", "0"], b"--delivery-threads must be"),
            (["relay", "run", "--endpoints", "x", "--delivery-threads", "257"], b"--delivery-threads must be"),
            (["relay", "publish", "x.jsonl"], b"--endpoint NAME"),
            (["relay", "publish", "--endpoint", "a.b", "x.jsonl"], b"an endpoint name"),
            (["relay", "init", "--replicas", "9"], b"--replicas must be 1 to 5"),
            (["relay", "dead-letters"], b"--out FILE"),
        ]
        for args, want in cases:
            p = ugw(*args)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
            self.assertIn(want, p.stderr, args)
        # a bad endpoints file: line, field and position; secrets file readable by others: a warning
        bad = self.path("bad")
        with open(bad, "w") as f:
            f.write("ok http://x/\nnot-a-url ftp://x/\n")
        p = ugw("relay", "run", "--endpoints", bad, *self.opts)
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"bad:2: url: not an absolute http:// or https:// URL (url at byte 23)", p.stderr)
        with open(bad, "w") as f:
            f.write("ok http://127.0.0.1:1/ secret=%s\n" % SECRET)
        os.chmod(bad, 0o644)
        p = ugw("relay", "run", "--endpoints", bad, "--nats", "nats://127.0.0.1:1", "--nats-timeout", "0.5")
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"can be read by other users (mode 0644)", p.stderr)
        self.assertIn(b"cannot start", p.stderr)
        # no stream for the subject: the producer says so
        with open(self.path("one.jsonl"), "wb") as f:
            f.write(events_jsonl(1))
        p = ugw("relay", "publish", "--nats", self.nats.urls, "--subject-prefix", "nobody.here", "--endpoint", "x",
                "--retry-for", "0", self.path("one.jsonl"))
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"no JetStream stream takes this subject", p.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
