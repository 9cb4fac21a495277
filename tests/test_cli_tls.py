"""test_cli_tls.py - `ugw send` to an https:// URL (docs/CONTRACT.md §4.4):
a certificate that fails verification ends the event at once, as "tls",
with libcurl's reason (not retried like a timeout); --ca-file trusts the
certificate; --retry-tls-errors opts in to retries. Run by ctest.

The server is Python's http.server behind ssl on 127.0.0.1, with a
self-signed certificate made by the openssl command for this run.
"""
import json
import os
import shutil
import ssl
import subprocess
import tempfile
import time
import unittest

from send_support import KEY, SECRET, Receiver, describe, run, summary, valid_fixtures
from serve_support import py_sign, setUpModule as send_setup


def setUpModule():
    send_setup()
    if not shutil.which("openssl"):
        raise unittest.SkipTest("the openssl command is needed (apt-get install openssl)")


class TlsReceiver(Receiver):
    def __init__(self, cert, key):
        super().__init__()
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
        self.url = self.url.replace("http://", "https://")


class TlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        d = cls.tmp.name
        cls.cert, cls.key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", cls.key,
                        "-out", cls.cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def send(self, url, *extra):
        dl = os.path.join(self.tmp.name, "dead-%d.jsonl" % time.monotonic_ns())
        p = run("send", "--url", url, "--max-attempts", "4", "--backoff-ms", "50", "--dead-letter", dl,
                *extra, valid_fixtures("json")[0])
        with open(dl, "rb") as f:
            return p, [json.loads(l) for l in f.read().splitlines() if l.strip()]

    def test_untrusted_certificate_fails_at_once(self):
        with TlsReceiver(self.cert, self.key) as rx:
            t0 = time.monotonic()
            p, dead = self.send(rx.url)
            took = time.monotonic() - t0
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertEqual(summary(p), (1, 0, 1, 0))
        self.assertIn(b"failed", p.stderr)
        self.assertIn(b"tls, no HTTP answer", p.stderr)
        self.assertIn(b"(1 attempt,", p.stderr)       # not retried
        self.assertRegex(p.stderr, rb"(?i)certificate")  # libcurl's reason
        self.assertEqual(len(dead), 1)
        self.assertEqual((dead[0]["result"], dead[0]["attempts"]), ("tls", 1))
        self.assertRegex(dead[0]["error"], "(?i)certificate")
        self.assertLess(took, 30)

    def test_ca_file_trusts_it(self):
        with TlsReceiver(self.cert, self.key) as rx:
            p, dead = self.send(rx.url, "--ca-file", self.cert)
            reqs = rx.snapshot()
        self.assertEqual(p.returncode, 0, describe(p))
        self.assertEqual((summary(p), len(reqs), dead), ((1, 1, 0, 0), 1, []))

    def test_body_larger_than_a_tls_record(self):
        # The client's upload buffer is one TLS record (16 KiB): a larger
        # body goes out in several writes and must arrive whole, signed.
        feedback = "\u0001" * 3500 + "end"  # escaped: about 21 KiB of JSON
        event = {"event": "nps feedback submit (userguiding)",
                 "payload": {"userId": "user-42", "pageUrl": "https://app.example.com/",
                             "question": "How likely?", "feedback": feedback}}
        path = os.path.join(self.tmp.name, "large.json")
        with open(path, "w") as f:
            json.dump(event, f)
        with TlsReceiver(self.cert, self.key) as rx:
            p = run("send", "--url", rx.url, "--ca-file", self.cert, "--secret", SECRET, path)
            reqs = rx.snapshot()
        self.assertEqual(p.returncode, 0, describe(p))
        self.assertEqual((summary(p), len(reqs)), ((1, 1, 0, 0), 1))
        self.assertGreater(len(reqs[0].body), 16384)
        self.assertEqual(json.loads(reqs[0].body)["payload"]["feedback"], feedback)
        self.assertEqual(reqs[0].sig, py_sign(KEY, reqs[0].id, reqs[0].ts, reqs[0].body))

    def test_unreadable_ca_file_is_a_tls_failure(self):
        with TlsReceiver(self.cert, self.key) as rx:
            p, dead = self.send(rx.url, "--ca-file", os.path.join(self.tmp.name, "missing.pem"))
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertEqual((dead[0]["result"], dead[0]["attempts"]), ("tls", 1))

    def test_retry_tls_errors_opts_in(self):
        with TlsReceiver(self.cert, self.key) as rx:
            p, dead = self.send(rx.url, "--retry-tls-errors")
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertIn(b"(4 attempts,", p.stderr)
        self.assertEqual((dead[0]["result"], dead[0]["attempts"]), ("attempts", 4))
        self.assertRegex(dead[0]["error"], "(?i)certificate")


if __name__ == "__main__":
    unittest.main(verbosity=2)
