"""test_cli_secret.py - where the commands take their secrets from
(cli/secret_args.c) and `ugw secret new` (cli/cmd_secret.c), run by ctest.

Environment: UGW_BIN (the built `ugw`), UGW_SOURCE_DIR (the source tree).
Python 3.11+ standard library only; `ugw send` goes to the receiver of
send_support.py on 127.0.0.1, signatures are checked with Python's hmac.
"""
import base64
import os
import re
import tempfile
import unittest

from send_support import Receiver, describe, run, valid_fixtures
from serve_support import py_sign as expected_signature, setUpModule  # noqa: F401

KEY = bytes(range(100, 132))
SECRET = "whsec_" + base64.b64encode(KEY).decode()
OTHER_KEY = bytes(range(200, 232))
OTHER = "whsec_" + base64.b64encode(OTHER_KEY).decode()
WEAK = "whsec_" + base64.b64encode(b"k" * 23).decode()   # one byte short
BODY = b'{"a":1}'
SECRET_RE = re.compile(r"^whsec_[A-Za-z0-9+/]{43}=\n$")
CMDLINE_WARNING = b"puts the secret on the command line"


def sign_args(*extra):
    return ["sign", *extra, "--id", "msg_1", "--timestamp", "1700000000"]


class SecretTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.body = self.write("body.json", BODY)
        self.want = (expected_signature(KEY, "msg_1", "1700000000", BODY) + "\n").encode()

    def write(self, name, data, mode=0o600):
        path = os.path.join(self.tmp.name, name)
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, mode)
        return path

    def sign(self, *extra, env=None):
        import subprocess
        from serve_support import BIN
        e = dict(os.environ)
        e.pop("UGW_SECRET", None)
        e.update(env or {})
        return subprocess.run([BIN, *sign_args(*extra), self.body], env=e, capture_output=True, timeout=60)

    def test_secret_new(self):
        seen = set()
        for _ in range(20):
            p = run("secret", "new")
            self.assertEqual(p.returncode, 0, describe(p))
            text = p.stdout.decode()
            self.assertRegex(text, SECRET_RE)
            self.assertEqual(len(base64.b64decode(text[6:].strip())), 32)
            seen.add(text)
        self.assertEqual(len(seen), 20, "secrets must differ")
        # the new secret works for signing straight away, from a file
        path = self.write("new.txt", run("secret", "new").stdout)
        self.assertEqual(self.sign("--secret-file", path).returncode, 0)
        for bad in (["secret"], ["secret", "old"], ["secret", "new", "x"], ["secret", "--bogus"]):
            p = run(*bad)
            self.assertEqual(p.returncode, 2, bad)
            self.assertEqual(p.stdout, b"", bad)
        self.assertIn(b"ugw secret new", run("help", "secret").stdout)

    def test_secret_file(self):
        path = self.write("s.txt", ("# the key of the test\n\n  %s  \n" % SECRET).encode())
        p = self.sign("--secret-file", path)
        self.assertEqual((p.returncode, p.stdout), (0, self.want), describe(p))
        self.assertEqual(p.stderr, b"", "a private file gives no warning")
        # a file others can read works, with a warning naming its mode
        loose = self.write("loose.txt", SECRET.encode(), mode=0o644)
        p = self.sign("--secret-file", loose)
        self.assertEqual((p.returncode, p.stdout), (0, self.want), describe(p))
        self.assertIn(b"can be read by other users (mode 0644)", p.stderr)

    def test_secret_file_errors(self):
        cases = {
            "missing": (os.path.join(self.tmp.name, "nope"), b"cannot read the secret file"),
            "directory": (self.tmp.name, b"Is a directory"),
            "empty": (self.write("empty.txt", b"# only a comment\n\n"), b"holds no secret"),
            "invalid": (self.write("bad.txt", b"whsec_not*base64\n"), b"bad.txt:1"),
            "two lines": (self.write("two.txt", ("%s\n%s\n" % (SECRET, OTHER)).encode()), b"only one secret"),
            "huge": (self.write("huge.txt", b"#" * (65 << 10)), b"larger than"),
            "weak": (self.write("weak.txt", WEAK.encode()), b"23 bytes long; at least 24"),
        }
        for name, (path, msg) in cases.items():
            p = self.sign("--secret-file", path)
            self.assertEqual(p.returncode, 2, "%s: %s" % (name, describe(p)))
            self.assertEqual(p.stdout, b"", name)
            self.assertIn(msg, p.stderr, name)
            self.assertNotIn(KEY.hex().encode(), p.stderr)

    def test_environment(self):
        p = self.sign(env={"UGW_SECRET": " %s\n" % SECRET})
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, self.want, b""), describe(p))
        # an option wins over the environment
        path = self.write("s.txt", SECRET.encode())
        p = self.sign("--secret-file", path, env={"UGW_SECRET": OTHER})
        self.assertEqual((p.returncode, p.stdout), (0, self.want), describe(p))
        for value, msg in (("", b"holds no secret"), ("whsec_@@", b"invalid secret in UGW_SECRET"),
                           (WEAK, b"at least 24"), (SECRET + " " + OTHER, b"only one secret")):
            p = self.sign(env={"UGW_SECRET": value})
            self.assertEqual(p.returncode, 2, "%r: %s" % (value, describe(p)))
            self.assertIn(msg, p.stderr)
        # none anywhere: a usage error that says where a secret can come from
        p = self.sign()
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"--secret-file", p.stderr)

    def test_command_line_warns(self):
        p = self.sign("--secret", SECRET)
        self.assertEqual((p.returncode, p.stdout), (0, self.want), describe(p))
        self.assertIn(CMDLINE_WARNING, p.stderr)
        self.assertIn(b"UGW_SECRET", p.stderr)

    def test_weak_secret(self):
        for extra in (["--secret", WEAK], ["--secret", "Kg=="]):
            p = self.sign(*extra)
            self.assertEqual(p.returncode, 2, describe(p))
            self.assertIn(b"--allow-weak-secret", p.stderr)
            p = self.sign(*extra, "--allow-weak-secret")
            self.assertEqual(p.returncode, 0, describe(p))
        # exactly 24 bytes is enough
        ok = "whsec_" + base64.b64encode(b"k" * 24).decode()
        self.assertEqual(self.sign("--secret", ok).returncode, 0)

    def test_verify_rotation(self):
        sig = expected_signature(KEY, "msg_1", "1700000000", BODY)
        base = ["verify", "--id", "msg_1", "--timestamp", "1700000000", "--signature", sig,
                "--now", "1700000000", self.body]
        # two keys from a file: the second verifies
        path = self.write("keys.txt", ("%s\n%s\n" % (OTHER, SECRET)).encode())
        p = run(*base, "--secret-file", path)
        self.assertEqual((p.returncode, p.stdout), (0, b"verified\n"), describe(p))
        p = run(*base, "--secret", OTHER, "--secret", SECRET)
        self.assertEqual(p.returncode, 0, describe(p))
        p = run(*base, "--secret-file", self.write("other.txt", OTHER.encode()))
        self.assertEqual(p.returncode, 1, describe(p))

    def test_send_secret_file_and_env(self):
        path = self.write("s.txt", SECRET.encode())
        fixture = valid_fixtures("json")[0]
        import subprocess
        from serve_support import BIN
        for how in ("file", "env"):
            env = dict(os.environ)
            env.pop("UGW_SECRET", None)
            with Receiver() as rx:
                args = [BIN, "send", "--url", rx.url, fixture]
                if how == "file":
                    args[2:2] = ["--secret-file", path]
                else:
                    env["UGW_SECRET"] = SECRET
                p = subprocess.run(args, env=env, capture_output=True, timeout=60)
                reqs = rx.snapshot()
            self.assertEqual(p.returncode, 0, "%s: %s" % (how, describe(p)))
            self.assertNotIn(CMDLINE_WARNING, p.stderr)
            self.assertEqual(len(reqs), 1)
            r = reqs[0]
            self.assertEqual(r.sig, expected_signature(KEY, r.id, r.ts, r.body), how)
        # a weak key is refused before anything is sent
        with Receiver() as rx:
            p = run("send", "--url", rx.url, "--secret", WEAK, fixture)
            self.assertEqual(p.returncode, 2, describe(p))
            self.assertEqual(rx.snapshot(), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
