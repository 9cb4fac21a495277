"""test_cli_net.py - tests of `ugw sign`, `ugw verify` and `ugw fixtures`
(cli/cmd_sign.c, cli/cmd_fixtures.c), and the command's help, run by ctest.
`ugw serve` is tested in test_serve*.py, with the helpers of serve_support.py.

Environment:
  UGW_BIN         path of the built `ugw` program (required)
  UGW_SOURCE_DIR  the source tree (default: the folder above this file)

Python 3.11+ standard library only. Signatures are checked against an HMAC
computed here with Python's hmac, hashlib and base64 modules (the Standard
Webhooks scheme: key = base64 of the secret after "whsec_", message =
"{id}.{timestamp}." + body), not against ugw's own code.
"""

import os
import random
import tempfile
import time
import unittest

from serve_support import (EVENT_IDS, VALID, describe, fixture, new_secret, py_sign, read, run,
                           setUpModule, write_tmp)  # noqa: F401 (setUpModule runs here)



# ---------------------------------------------------------------------------
# ugw sign / ugw verify
# ---------------------------------------------------------------------------

class TestSign(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def test_sign_equals_python_hmac(self):
        rnd = random.Random(4)
        bodies = [fixture(e, ext) for e in EVENT_IDS for ext in ("json", "msgpack")]
        bodies += [b"", b"\n", b"{}\n", bytes(range(256)), b"x" * 100000]
        for i, body in enumerate(bodies):
            nbytes = rnd.choice([1, 16, 24, 32, 64, 256])
            secret, key = new_secret(nbytes, prefix=i % 2 == 0)
            msg_id = rnd.choice(["msg_%d" % i, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", "a.b.c", "id with space"])
            ts = rnd.choice([0, 1, 1700000000, 9223372036854775807, rnd.randrange(1, 2**40)])
            path = write_tmp(self.tmp.name, "body%d" % i, body)
            # keys under 24 bytes need the explicit opt-in
            weak = ["--allow-weak-secret"] if nbytes < 24 else []
            p = run("sign", "--secret", secret, *weak, "--id", msg_id, "--timestamp", str(ts), path)
            self.assertEqual(p.returncode, 0, describe(p))
            self.assertEqual(p.stdout.decode(), py_sign(key, msg_id, ts, body) + "\n", "body %d" % i)

    def test_sign_stdin_and_option_forms(self):
        secret, key = new_secret()
        body = fixture("nps_score_submit")
        want = py_sign(key, "msg_1", 1700000000, body) + "\n"
        p = run("sign", "--secret=" + secret, "--id=msg_1", "--timestamp=1700000000", "-", stdin=body)
        self.assertEqual((p.returncode, p.stdout.decode()), (0, want), describe(p))
        # options after the file
        path = write_tmp(self.tmp.name, "b.json", body)
        p = run("sign", path, "--timestamp", "1700000000", "--id", "msg_1", "--secret", secret)
        self.assertEqual((p.returncode, p.stdout.decode()), (0, want), describe(p))
        # the prefix is optional and surrounding white space is allowed
        p = run("sign", "--secret", " %s\n" % secret[len("whsec_"):], "--id", "msg_1", "--timestamp",
                "1700000000", path)
        self.assertEqual((p.returncode, p.stdout.decode()), (0, want), describe(p))

    def test_sign_known_vector(self):
        # The example of the Standard Webhooks specification.
        body = b'{"test": 2432232314}'
        path = write_tmp(self.tmp.name, "spec.json", body)
        p = run("sign", "--secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "--id",
                "msg_p5jXN8AQM9LWM0D4loKWxJek", "--timestamp", "1614265330", path)
        self.assertEqual(p.returncode, 0, describe(p))
        self.assertEqual(p.stdout, b"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=\n")

    def test_sign_usage_errors_exit_2(self):
        secret, _ = new_secret()
        path = write_tmp(self.tmp.name, "b.json", b"{}")
        cases = [
            ["sign", "--id", "m", "--timestamp", "1", path],                       # no secret
            ["sign", "--secret", secret, "--timestamp", "1", path],                # no id
            ["sign", "--secret", secret, "--id", "m", path],                       # no timestamp
            ["sign", "--secret", secret, "--id", "m", "--timestamp", "1"],         # no file
            ["sign", "--secret", secret, "--id", "m", "--timestamp", "1", path, path],
            ["sign", "--secret", secret, "--id", "m", "--timestamp", "x1", path],
            ["sign", "--secret", secret, "--id", "m", "--timestamp", "-1", path],
            ["sign", "--secret", secret, "--id", "m", "--timestamp", "01", path],
            ["sign", "--secret", secret, "--id", "m", "--timestamp", "99999999999999999999", path],
            ["sign", "--secret", secret, "--id", "m", "--timestamp", "1", "--bogus", path],
            ["sign", "--secret", "whsec_not*base64", "--id", "m", "--timestamp", "1", path],
            ["sign", "--secret", "", "--id", "m", "--timestamp", "1", path],
            ["sign", "--secret", "whsec_", "--id", "m", "--timestamp", "1", path],
            ["sign", "--secret", secret, "--id", "m", "--timestamp", "1",
             os.path.join(self.tmp.name, "missing")],
        ]
        for args in cases:
            p = run(*args)
            self.assertEqual(p.returncode, 2, "%r: %s" % (args, describe(p)))
            self.assertEqual(p.stdout, b"", args)
            self.assertTrue(p.stderr.startswith(b"ugw"), args)
        p = run("sign", "--secret", "whsec_not*base64", "--id", "m", "--timestamp", "1", path)
        self.assertIn(b"secret", p.stderr)


class TestVerify(unittest.TestCase):
    TS = 1700000000

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.secret, self.key = new_secret()
        self.body = fixture("hotspot_interaction")
        self.path = write_tmp(self.tmp.name, "b.json", self.body)
        self.sig = py_sign(self.key, "msg_1", self.TS, self.body)

    def verify(self, *extra, sig=None, ts=None, msg_id="msg_1", path=None, now=None, secret=None):
        args = ["verify", "--secret", secret or self.secret, "--id", msg_id,
                "--timestamp", str(self.TS if ts is None else ts),
                "--signature", self.sig if sig is None else sig]
        if now is not False:
            args += ["--now", str(self.TS if now is None else now)]
        return run(*args, *extra, path or self.path)

    def test_verified_exit_0(self):
        p = self.verify()
        self.assertEqual((p.returncode, p.stdout), (0, b"verified\n"), describe(p))
        # a list of signatures, the good one not first (key rotation)
        other = py_sign(os.urandom(24), "msg_1", self.TS, self.body)
        p = self.verify(sig="v1a,xyz %s  %s" % (other, self.sig))
        self.assertEqual(p.returncode, 0, describe(p))
        # the clock: a signature made now verifies without --now
        ts = int(time.time())
        p = self.verify(sig=py_sign(self.key, "msg_1", ts, self.body), ts=ts, now=False)
        self.assertEqual(p.returncode, 0, describe(p))
        # stdin
        p = run("verify", "--secret", self.secret, "--id", "msg_1", "--timestamp", str(self.TS),
                "--signature", self.sig, "--now", str(self.TS), "-", stdin=self.body)
        self.assertEqual(p.returncode, 0, describe(p))

    def test_wrong_signature_exit_1(self):
        bad_body = write_tmp(self.tmp.name, "bad.json", self.body + b" ")
        other_secret, _ = new_secret()
        cases = [
            dict(sig=py_sign(self.key, "msg_2", self.TS, self.body)),    # signed for another id
            dict(sig=py_sign(self.key, "msg_1", self.TS + 1, self.body)),  # another timestamp
            dict(path=bad_body),                                         # another body
            dict(secret=other_secret),                                   # another key
            dict(sig="v1,AAAA"), dict(sig=""), dict(sig=self.sig.replace("v1,", "v2,")),
            dict(msg_id="msg_2"),
        ]
        for c in cases:
            p = self.verify(**c)
            self.assertEqual(p.returncode, 1, "%r: %s" % (c, describe(p)))
            self.assertEqual(p.stdout, b"")
            self.assertIn(b"no signature matches the body", p.stderr, c)

    def test_stale_or_future_timestamp_exit_1(self):
        p = self.verify(now=self.TS + 301)
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertIn(b"timestamp outside the tolerance (301 s before now", p.stderr)
        p = self.verify(now=self.TS - 301)
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertIn(b"timestamp outside the tolerance (301 s after now", p.stderr)
        # the default tolerance is 300 s, inclusive
        self.assertEqual(self.verify(now=self.TS + 300).returncode, 0)
        self.assertEqual(self.verify(now=self.TS - 300).returncode, 0)
        # --tolerance widens and narrows it
        self.assertEqual(self.verify("--tolerance", "1000", now=self.TS + 1000).returncode, 0)
        p = self.verify("--tolerance", "1000", now=self.TS + 1001)
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertIn(b"tolerance 1000 s", p.stderr)
        self.assertEqual(self.verify("--tolerance", "10", now=self.TS + 10).returncode, 0)
        self.assertEqual(self.verify("--tolerance", "10", now=self.TS + 11).returncode, 1)
        # the clock, without --now: a timestamp of 2023 is stale
        p = self.verify(now=False)
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertIn(b"outside the tolerance", p.stderr)

    def test_malformed_timestamp_exit_1(self):
        for ts in ["", "abc", "+1700000000", " 1700000000", "1700000000.0", "99999999999999999999"]:
            p = self.verify(ts=ts)
            self.assertEqual(p.returncode, 1, "%r: %s" % (ts, describe(p)))
            self.assertIn(b"webhook-timestamp", p.stderr)

    def test_usage_errors_exit_2(self):
        base = ["--secret", self.secret, "--id", "m", "--timestamp", "1", "--signature", self.sig]
        cases = [
            ["verify"] + base,                                        # no file
            ["verify", "--id", "m", "--timestamp", "1", "--signature", "s", self.path],
            ["verify", "--secret", self.secret, "--timestamp", "1", "--signature", "s", self.path],
            ["verify", "--secret", self.secret, "--id", "m", "--signature", "s", self.path],
            ["verify", "--secret", self.secret, "--id", "m", "--timestamp", "1", self.path],
            ["verify"] + base + ["--now", "soon", self.path],
            ["verify"] + base + ["--now", "-5", self.path],
            ["verify"] + base + ["--tolerance", "0", self.path],
            ["verify"] + base + ["--tolerance", "ten", self.path],
            ["verify"] + base + ["--bogus", self.path],
            ["verify"] + base + [self.path, self.path],
            ["verify"] + base + [os.path.join(self.tmp.name, "missing")],
            ["verify", "--secret", "whsec_@@@@", "--id", "m", "--timestamp", "1", "--signature", "s",
             self.path],
        ]
        for args in cases:
            p = run(*args)
            self.assertEqual(p.returncode, 2, "%r: %s" % (args, describe(p)))
            self.assertEqual(p.stdout, b"", args)


# ---------------------------------------------------------------------------
# ugw fixtures
# ---------------------------------------------------------------------------

class TestFixtures(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def assert_same_as_shipped(self, folder, exts):
        names = sorted(os.listdir(folder))
        want = sorted("%s.%s" % (e, x) for e in EVENT_IDS for x in exts)
        self.assertEqual(names, want)
        self.assertEqual(sorted(n for n in os.listdir(VALID) if n.rsplit(".", 1)[-1] in exts), want)
        for n in names:
            self.assertEqual(read(os.path.join(folder, n)), read(os.path.join(VALID, n)), n)

    def test_both_formats_into_new_folder(self):
        out = os.path.join(self.tmp.name, "a", "b")
        p = run("fixtures", "--out", out)
        self.assertEqual(p.returncode, 0, describe(p))
        self.assertEqual(len(os.listdir(out)), 22)
        self.assert_same_as_shipped(out, ("json", "msgpack"))
        paths = p.stdout.decode().splitlines()
        self.assertEqual(sorted(paths), sorted(os.path.join(out, n) for n in os.listdir(out)))

    def test_one_format(self):
        for fmt in ("json", "msgpack"):
            out = os.path.join(self.tmp.name, fmt)
            p = run("fixtures", "--format", fmt, "--out", out + "/")
            self.assertEqual(p.returncode, 0, describe(p))
            self.assert_same_as_shipped(out, (fmt,))
            self.assertEqual(len(p.stdout.splitlines()), len(EVENT_IDS))

    def test_default_is_current_folder_and_files_are_replaced(self):
        write_tmp(self.tmp.name, "nps_score_submit.json", b"old content that is longer than the fixture" * 10)
        p = run("fixtures", cwd=self.tmp.name)
        self.assertEqual(p.returncode, 0, describe(p))
        self.assert_same_as_shipped(self.tmp.name, ("json", "msgpack"))
        # and they validate
        p = run("validate", *[os.path.join(self.tmp.name, n) for n in os.listdir(self.tmp.name)])
        self.assertEqual(p.returncode, 0, describe(p))

    def test_errors_exit_2(self):
        afile = write_tmp(self.tmp.name, "file", b"")
        for args in (["fixtures", "--format", "xml"], ["fixtures", "--out"], ["fixtures", "extra"],
                     ["fixtures", "--out", afile], ["fixtures", "--out", os.path.join(afile, "sub")],
                     ["fixtures", "--out", ""]):
            p = run(*args)
            self.assertEqual(p.returncode, 2, "%r: %s" % (args, describe(p)))

class TestHelp(unittest.TestCase):
    def test_help(self):
        p = run("--help")
        for name in ("sign", "verify", "serve", "fixtures"):
            self.assertRegex(p.stdout.decode(), r"\n  %s " % name)
            for args in (["help", name], [name, "--help"], [name, "-h"]):
                q = run(*args)
                self.assertEqual(q.returncode, 0, describe(q))
                self.assertTrue(q.stdout.startswith(b"Usage: ugw " + name.encode()), q.stdout[:80])
                self.assertIn(b"Exit status", q.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)

