#!/usr/bin/env python3
"""Runs test_relay_publish_event (its path in UGW_PROBE) against a one-node
nats-server with JetStream started here on a free loopback port, and stops
the server afterwards, also when the test fails."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from relay_support import Nats  # noqa: E402


def main():
    with Nats(1) as nats:
        env = dict(os.environ, UGW_NATS_URL=nats.urls)
        p = subprocess.run([os.environ["UGW_PROBE"]], env=env, timeout=120)
        if p.returncode != 0:
            for tail in nats.log_tail():
                sys.stderr.write(tail.decode("utf-8", "replace"))
        return p.returncode


if __name__ == "__main__":
    sys.exit(main())
