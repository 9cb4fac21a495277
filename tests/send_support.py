"""send_support.py - what the tests of `ugw send` share (test_cli_send*.py,
test_cli_secret.py, test_cli_tls.py, test_cli_validate.py): running the
command, the valid fixtures, the summary line, and the webhook receiver.

Python 3.11+ standard library only. The receiver is a small
http.server.ThreadingHTTPServer in this file (not `ugw serve`), on 127.0.0.1
with a port the system picks. It records every request and answers by a
policy the test chooses. Signatures are checked with Python's hmac module
(serve_support.py's py_sign), independently of the C code.
"""

import base64
import collections
import http.server
import os
import re
import socket
import subprocess
import tempfile
import threading
import time
import unittest

from serve_support import BIN, EVENT_IDS, VALID, py_sign, read

# How many events the schema has (a fork that adds one stays green).
N_EVENTS = len(EVENT_IDS)

KEY = bytes(range(1, 33))
SECRET = "whsec_" + base64.b64encode(KEY).decode()
ID_RE = re.compile(r"^msg_[0-9a-hjkmnp-tv-z]{26}$")
SUMMARY_RE = re.compile(rb"(\d+) events?: (\d+) delivered, (\d+) failed, (\d+) invalid in [0-9.]+ s")


def valid_fixtures(ext=None):
    """Paths of the valid fixtures, sorted; only .json or .msgpack when ext is given."""
    names = sorted(os.listdir(VALID))
    return [os.path.join(VALID, n) for n in names if ext is None or n.endswith("." + ext)]


def fixture_of(path, fmt):
    """The fixture bytes of the same event as `path`, in format `fmt`."""
    stem = os.path.splitext(os.path.basename(path))[0]
    return read(os.path.join(VALID, stem + "." + fmt))


def looks_like_json(data):
    """ugw_detect_format(): JSON when the first byte that is not JSON white
    space is printable ASCII, or there is none."""
    rest = data.lstrip(b" \t\r\n")
    return not rest or 0x20 <= rest[0] < 0x7F


def run(*args, stdin=b"", timeout=90):
    return subprocess.run([BIN, *args], input=stdin, capture_output=True, timeout=timeout)


def describe(p):
    return "exit %d, stderr %r" % (p.returncode, p.stderr[-1500:])


def summary(p):
    """(total, delivered, failed, invalid) of the last summary line on stderr."""
    m = SUMMARY_RE.findall(p.stderr)
    assert m, "no summary line in %r" % p.stderr[-800:]
    return tuple(int(x) for x in m[-1])



# ---------------------------------------------------------------------------
# The receiver
# ---------------------------------------------------------------------------

Request = collections.namedtuple("Request", "method path id ts sig ctype ua body attempt")


class Receiver:
    """An HTTP server on 127.0.0.1:0 in a thread. `policy(req)` returns the
    status to answer (req.attempt is 1 for the first request with that
    webhook-id); `delay` seconds are slept before answering."""

    def __init__(self, policy=None, delay=0.0):
        self.policy = policy or (lambda req: 204)
        self.delay = delay
        self.requests = []
        self.lock = threading.Lock()
        self.attempts = collections.Counter()
        self.in_flight = self.max_in_flight = 0
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                msg_id = self.headers.get("webhook-id")
                with owner.lock:
                    owner.attempts[msg_id] += 1
                    req = Request(self.command, self.path, msg_id, self.headers.get("webhook-timestamp"),
                                  self.headers.get("webhook-signature"), self.headers.get("Content-Type"),
                                  self.headers.get("User-Agent"), body, owner.attempts[msg_id])
                    owner.requests.append(req)
                    owner.in_flight += 1
                    owner.max_in_flight = max(owner.max_in_flight, owner.in_flight)
                try:
                    if owner.delay:
                        time.sleep(owner.delay)
                    status = owner.policy(req)
                    self.send_response(status)
                    if status != 204:
                        self.send_header("Content-Length", "0")
                    self.end_headers()
                finally:
                    with owner.lock:
                        owner.in_flight -= 1

            do_PUT = do_GET = do_POST

            def log_message(self, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            request_queue_size = 128
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/hook" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def snapshot(self):
        with self.lock:
            return list(self.requests)


def free_port():
    """A loopback port nothing listens on (bound, then closed)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class SendTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, data):
        p = self.path(name)
        with open(p, "wb") as f:
            f.write(data)
        return p

    def check_request(self, req, fmt, key=KEY):
        """Method, headers and (when key is given) signature of one request."""
        self.assertEqual(req.method, "POST")
        self.assertEqual(req.path, "/hook")
        self.assertRegex(req.id or "", ID_RE)
        self.assertRegex(req.ts or "", r"^[1-9][0-9]*$")
        self.assertLess(abs(int(req.ts) - time.time()), 120)
        self.assertEqual(req.ctype, "application/json" if fmt == "json" else "application/msgpack")
        self.assertTrue((req.ua or "").startswith("ugw/"), req.ua)
        if key is None:
            self.assertIsNone(req.sig)
        else:
            self.assertEqual(req.sig, py_sign(key, req.id, req.ts, req.body))
