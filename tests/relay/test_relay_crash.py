"""test_relay_crash.py - relays on a three-node JetStream cluster survive
losing a relay and a node, with nothing lost.

A cluster of three nats-server nodes on loopback holds a replicated (R3)
stream. Two relays deliver to a receiver in this test that fails the first
attempt of one event in twenty with a 503 (so redelivery with a delay is
exercised too), while a producer publishes the events. During the run one
relay and then one server node are killed with SIGKILL. At the end every
published webhook-id was delivered (answered 2xx) at least once; the events
delivered more than once are counted and printed, and must stay few: at
most those in flight at the kills (the killed relay's requests, whose
answers or acks were lost) plus a margin for acks lost with the node.

Bounded: about 30 to 60 seconds on two busy cores (EVENTS, default 3000).
"""

import collections
import os
import subprocess
import tempfile
import threading
import time
import unittest
import zlib

from relay_support import (BIN, KEY, SECRET, Nats, Receiver, Relay, events_jsonl, py_sign, ugw, describe,
                           wait_for, write_endpoints)

EVENTS = int(os.environ.get("UGW_RELAY_CRASH_EVENTS", "3000"))
IN_FLIGHT = 8


class CrashTest(unittest.TestCase):
    def test_kill_a_relay_and_a_node(self):
        tmp = tempfile.TemporaryDirectory(prefix="ugw-relay-crash-")
        self.addCleanup(tmp.cleanup)
        d = tmp.name
        delivered = collections.Counter()
        bad_sig = []
        lock = threading.Lock()

        def policy(req):
            if req.sig != py_sign(KEY, req.id, req.ts, req.body):
                bad_sig.append(req.id)
                return 401
            if req.attempt == 1 and zlib.crc32(req.id.encode()) % 20 == 0:
                return 503
            with lock:
                delivered[req.id] += 1
            return 204

        rx = Receiver(policy)
        self.addCleanup(rx.close)
        nats = Nats(3)
        self.addCleanup(nats.close)
        p = ugw("relay", "init", "--nats", nats.urls, "--replicas", "3")
        self.assertEqual(p.returncode, 0, describe(p))
        eps = write_endpoints(os.path.join(d, "endpoints"), [("main", rx.url, SECRET, None)])
        args = ["--in-flight", str(IN_FLIGHT), "--timeout", "2", "--ack-wait", "5", "--backoff-ms", "300",
                "--drain", "2", "--stats", "0.2"]
        relays = [Relay(nats.urls, eps, *args, log=os.path.join(d, "relay%d.log" % i)) for i in range(2)]
        for r in relays:
            self.addCleanup(r.kill)

        with open(os.path.join(d, "events.jsonl"), "wb") as f:
            f.write(events_jsonl(EVENTS))
        ids_path = os.path.join(d, "ids.txt")
        t0 = time.time()
        producer = subprocess.Popen(
            [BIN, "relay", "publish", "--nats", nats.urls, "--endpoint", "main", "--ids", ids_path,
             "--retry-for", "60", os.path.join(d, "events.jsonl")],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.addCleanup(lambda: producer.poll() is None and producer.kill())

        # Kill one relay once a quarter of the events went through, then one
        # server node at half of them.
        self.assertTrue(wait_for(lambda: len(delivered) >= EVENTS // 4, 60), "no progress: %s" % relays[0].stats())
        # ... and once relay 0 has said that it took work (its counters come every 0.2 s)
        self.assertTrue(wait_for(lambda: "fetched" in relays[0].stats() and "fetched 0," not in relays[0].stats(),
                                 30), "relay 0 took no work: %s" % relays[0].stats())
        at_relay_kill = len(delivered)
        relays[0].kill()
        self.assertTrue(wait_for(lambda: len(delivered) >= EVENTS // 2, 60), "no progress after the relay kill")
        at_node_kill = len(delivered)
        nats.kill(0)
        out, err = producer.communicate(timeout=120)
        self.assertEqual(producer.returncode, 0, err[-1500:])
        with open(ids_path) as f:
            ids = [ln.strip() for ln in f if ln.strip()]
        self.assertEqual(len(ids), EVENTS)
        self.assertEqual(len(set(ids)), EVENTS)

        ok = wait_for(lambda: set(ids) <= set(delivered), 60, 0.25)
        elapsed = time.time() - t0
        missing = [i for i in ids if i not in delivered]
        dups = {i: n for i, n in delivered.items() if n > 1}
        extra = sum(n - 1 for n in dups.values())
        print("\nrelay crash test: %d events published to an R3 stream on 3 nodes, 2 relays; relay 0 killed "
              "after %d delivered, node 0 killed after %d" % (EVENTS, at_relay_kill, at_node_kill))
        print("  delivered %d of %d distinct ids in %.1f s; missing %d; delivered twice or more: %d ids "
              "(%d extra deliveries); 503s injected: %d; requests %d"
              % (len(set(ids) & set(delivered)), EVENTS, elapsed, len(missing), len(dups), extra,
                 sum(1 for r in rx.snapshot() if r.attempt == 1 and zlib.crc32(r.id.encode()) % 20 == 0),
                 len(rx.snapshot())))
        print("  relay 1: %s" % relays[1].stats())
        print("  producer: %s" % err.decode(errors="replace").strip().splitlines()[-1])
        self.assertTrue(ok, "lost: %d ids never delivered, e.g. %s; relay 1: %s" % (len(missing), missing[:3],
                                                                                    relays[1].stats()))
        self.assertEqual(bad_sig, [])
        self.assertEqual(set(delivered) - set(ids), set(), "deliveries of ids never published")
        # At least once, and the repeats bounded: the killed relay's requests
        # in flight, plus acks lost with the node (at most a window of
        # IN_FLIGHT per relay around the kill, counted generously).
        self.assertLessEqual(len(dups), 4 * IN_FLIGHT * 2 + EVENTS // 50, dups)
        self.assertEqual(relays[1].stop(), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
