"""test_spool_crash.py - the durable spool against SIGKILL, with real
processes and a real receiver on loopback.

  send      `ugw send --spool` on 20,000 events (UGW_CRASH_EVENTS), killed
            with SIGKILL at a random moment and started again with the same
            command, five times in a row, then run to its end, against a
            receiver that fails 10% of the attempts (503): every event is
            delivered, each under one webhook-id only (counted by webhook-id
            and by the event's own number at the receiver), and duplicates
            are bounded by what can be in flight at a kill.
  library   tests/spool_crash_producer.c records each webhook-id once
            ugw_client_enqueue_body() returned; killed with SIGKILL after a
            random number of them, then run again to resume: every recorded
            id is delivered.

Each prints its counts. The receiver is send_support.Receiver (a threaded
http.server on 127.0.0.1, port picked by the system), closed also on failure.
UGW_CRASH_SEED fixes the kill moments (printed otherwise). Bounded: about a
minute on two busy cores.
"""

import json
import os
import random
import signal
import subprocess
import sys
import time
import unittest
import zlib

from send_support import BIN, VALID, Receiver, SendTest

N_EVENTS = int(os.environ.get("UGW_CRASH_EVENTS", "20000"))
LIB_EVENTS = int(os.environ.get("UGW_CRASH_LIB_EVENTS", "20000"))
PRODUCER = os.environ.get("UGW_CRASH_PRODUCER", "")
KILLS = 5
CONCURRENCY = 8
SEED = int(os.environ.get("UGW_CRASH_SEED", str(int(time.time() * 1000) % 1000000)))


def flaky(req):
    """10% of the attempts fail with 503, decided by the id and the attempt
    number (so a retry of a failed attempt may succeed)."""
    h = zlib.crc32(("%s/%d" % (req.id, req.attempt)).encode())
    return 503 if h % 10 == 0 else 204


def make_input(path, n):
    """n JSON Lines events; event i has userId "crash-i" (how the receiver
    tells events apart whatever their webhook-id)."""
    docs = []
    for name in sorted(os.listdir(VALID)):
        if name.endswith(".json"):
            with open(os.path.join(VALID, name), "rb") as f:
                d = json.loads(f.read())
            if "userId" in d.get("payload", {}):
                docs.append(d)
    with open(path, "w") as f:
        for i in range(n):
            d = docs[i % len(docs)]
            d["payload"]["userId"] = "crash-%d" % i
            f.write(json.dumps(d, separators=(",", ":")) + "\n")


def tally(rx):
    """(ids answered 2xx -> count, event number -> set of ids, requests)."""
    ok = {}
    by_event = {}
    reqs = rx.snapshot()
    for r in reqs:
        try:
            user = json.loads(r.body)["payload"]["userId"]
        except (ValueError, KeyError):
            user = "?"
        by_event.setdefault(user, set()).add(r.id)
        if flaky(r) == 204:
            ok[r.id] = ok.get(r.id, 0) + 1
    return ok, by_event, len(reqs)


class SpoolCrash(SendTest):
    def receiver(self):
        rx = Receiver(policy=flaky)
        rx.server.handle_error = lambda request, address: None  # connections cut by the kills
        self.addCleanup(rx.close)
        return rx

    def start(self, args, log):
        p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=log)
        self.addCleanup(lambda: p.poll() is None and p.kill())
        return p

    def wait_for(self, p, rx, more):
        """Until the receiver answered `more` more 2xx, or p ended."""
        base = len(tally(rx)[0])
        while p.poll() is None and len(tally(rx)[0]) < base + more:
            time.sleep(0.02)

    def test_send_sigkill(self):
        rng = random.Random(SEED)
        inp = self.path("events.jsonl")
        spool = self.path("spool.db")
        make_input(inp, N_EVENTS)
        rx = self.receiver()
        args = [BIN, "send", "--spool", spool, "--url", rx.url, "--concurrency", str(CONCURRENCY),
                "--backoff-ms", "20", "--max-attempts", "100", "--timeout", "5", inp]
        t0 = time.monotonic()
        kills = 0
        with open(self.path("send.log"), "wb") as log:
            for k in range(KILLS):
                p = self.start(args, log)
                if k == 0:
                    time.sleep(rng.uniform(0.05, 0.5))  # most likely while reading and committing
                else:
                    self.wait_for(p, rx, rng.randint(300, max(400, N_EVENTS // 8)))
                if p.poll() is None:
                    p.send_signal(signal.SIGKILL)
                    kills += 1
                p.wait()
                ok, by_event, nreq = tally(rx)
                print("kill %d at %.1f s: %d events delivered so far, %d requests" %
                      (k + 1, time.monotonic() - t0, len(ok), nreq), file=sys.stderr)
            p = self.start(args, log)
            p.wait(timeout=240)
        with open(self.path("send.log"), "rb") as f:
            out = f.read()
        self.assertEqual(p.returncode, 0, out[-2000:])
        self.assertGreaterEqual(kills, 3, "the runs ended before they could be killed")

        ok, by_event, nreq = tally(rx)
        two_ids = [e for e, ids in by_event.items() if len(ids) > 1]
        missing = [i for i in range(N_EVENTS) if "crash-%d" % i not in by_event]
        undelivered = [e for e, ids in by_event.items() if not any(i in ok for i in ids)]
        dups = sum(c - 1 for c in ok.values())
        print("send --spool: %d events, %d kills, %d requests, %d delivered, %d duplicates (at most %d), "
              "%d under two ids, %d never sent, %d undelivered, %.1f s (seed %d)" %
              (N_EVENTS, kills, nreq, len(ok), dups, kills * 2 * CONCURRENCY, len(two_ids), len(missing),
               len(undelivered), time.monotonic() - t0, SEED), file=sys.stderr)
        self.assertEqual(two_ids, [])
        self.assertEqual(missing, [])
        self.assertEqual(undelivered, [])
        self.assertEqual(len(ok), N_EVENTS)
        self.assertLessEqual(dups, kills * 2 * CONCURRENCY)
        st = subprocess.run([BIN, "spool", "stats", spool], capture_output=True, timeout=60)
        self.assertEqual(st.returncode, 0, st.stderr)
        self.assertIn(b"pending 0\n", st.stdout)
        self.assertIn(b"dead 0\n", st.stdout)

    @unittest.skipUnless(PRODUCER, "UGW_CRASH_PRODUCER (tests/spool_crash_producer) not given")
    def test_library_sigkill(self):
        rng = random.Random(SEED + 1)
        spool = self.path("lib.db")
        record = self.path("ids.txt")
        rx = self.receiver()
        t0 = time.monotonic()
        with open(self.path("lib.log"), "wb") as log:
            p = self.start([PRODUCER, spool, rx.url, record, str(LIB_EVENTS)], log)
            # Killed after a random number of recorded ids (a loaded machine
            # may take a while to start it), while it enqueues and delivers.
            target = rng.randint(50, LIB_EVENTS // 4)
            deadline = time.monotonic() + 60
            while p.poll() is None and time.monotonic() < deadline:
                if os.path.exists(record) and os.path.getsize(record) >= target * 31:
                    break  # 31 bytes a record: "msg_" + 26 characters + "\n"
                time.sleep(0.005)
            killed = p.poll() is None
            p.send_signal(signal.SIGKILL)
            p.wait()
            with open(record, "rb") as f:
                data = f.read()
            # A record line cut by the kill is not a recorded id.
            recorded = data.split(b"\n")[:-1]
            p = self.start([PRODUCER, spool, rx.url, record, "0"], log)
            p.wait(timeout=120)
        with open(self.path("lib.log"), "rb") as f:
            out = f.read()
        self.assertEqual(p.returncode, 0, out[-2000:])
        ok = tally(rx)[0]
        lost = [i for i in recorded if i.decode() not in ok]
        print("library: killed %s after %d recorded ids; %d delivered in all, %d recorded ids lost, %.1f s" %
              ("mid-run" if killed else "after its end", len(recorded), len(ok), len(lost),
               time.monotonic() - t0), file=sys.stderr)
        self.assertGreater(len(recorded), 0)
        self.assertEqual(lost, [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
