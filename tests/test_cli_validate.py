"""test_cli_validate.py - `ugw validate` for CI pipelines (cli/cmd_validate.c):
directories with -r, JSON Lines with line numbers (--jsonl, or by name), and
machine-readable results (--json). Run by ctest; standard library only.
"""
import json
import os
import shutil
import tempfile
import unittest

from send_support import describe, run
from serve_support import INVALID, VALID, read, setUpModule  # noqa: F401


def one_line(path):
    return json.dumps(json.loads(read(path)), separators=(",", ":"))


class ValidateTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.good = sorted(os.path.join(VALID, n) for n in os.listdir(VALID) if n.endswith(".json"))
        self.bad = os.path.join(INVALID, "n_url_space.json")

    def path(self, *parts):
        return os.path.join(self.tmp.name, *parts)

    def write(self, rel, data):
        p = self.path(rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
        return p

    def tree(self):
        shutil.copy(self.good[0], self.path("a.json"))
        os.makedirs(self.path("sub", "deeper"))
        shutil.copy(self.good[1], self.path("sub", "b.json"))
        shutil.copy(self.bad, self.path("sub", "deeper", "c.json"))
        self.write(".hidden/x.json", b"not even json")          # skipped
        self.write("sub/.dot.json", b"not even json")          # skipped
        return self.tmp.name

    def test_recursive(self):
        d = self.tree()
        p = run("validate", "-r", d)
        self.assertEqual(p.returncode, 1, describe(p))
        out = p.stdout.decode().splitlines()
        self.assertEqual(len(out), 1, out)
        self.assertTrue(out[0].startswith("%s: payload.pageUrl: " % self.path("sub", "deeper", "c.json")), out)
        self.assertTrue(p.stderr.endswith(b"2 valid, 1 invalid\n"), describe(p))
        # -v lists them in name order: a.json, sub/b.json, sub/deeper/c.json
        p = run("validate", "--recursive", "-v", d + "/")
        names = [l.split(": ")[0] for l in p.stdout.decode().splitlines()]
        self.assertEqual(names, [self.path("a.json"), self.path("sub", "b.json"),
                                 self.path("sub", "deeper", "c.json")])
        # without -r a directory is a usage error, the other files still checked
        p = run("validate", d, self.good[0])
        self.assertEqual(p.returncode, 2, describe(p))
        self.assertIn(b"is a directory (use -r", p.stderr)
        self.assertTrue(p.stderr.endswith(b"1 valid, 0 invalid\n"), describe(p))

    def test_jsonl(self):
        lines = [one_line(self.good[0]), "", one_line(self.bad), "{\"event\":", one_line(self.good[1])]
        data = ("\n".join(lines) + "\n").encode()
        plain = self.write("events.txt", data)
        p = run("validate", "--jsonl", plain)
        self.assertEqual(p.returncode, 1, describe(p))
        out = p.stdout.decode().splitlines()
        self.assertEqual(len(out), 2, out)
        self.assertTrue(out[0].startswith("%s:3: payload.pageUrl: " % plain), out)
        self.assertTrue(out[1].startswith("%s:4: -: " % plain), out)
        self.assertIn("(truncated at byte 9)", out[1])
        self.assertTrue(p.stderr.endswith(b"2 valid, 2 invalid\n"), describe(p))
        # by name, and from standard input with --jsonl
        named = self.write("events.ndjson", data)
        p = run("validate", named)
        self.assertEqual(p.stdout.decode().splitlines()[0].split(":")[1], "3")
        p = run("validate", "--jsonl", "-", stdin=data)
        self.assertTrue(p.stdout.decode().startswith("-:3: payload.pageUrl: "), describe(p))
        # without --jsonl the same file is one (invalid) document
        p = run("validate", plain)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(len(p.stdout.decode().splitlines()), 1)

    def test_json_results(self):
        d = self.tree()
        jl = self.write("more/e.jsonl", (one_line(self.good[0]) + "\n" + one_line(self.bad) + "\n").encode())
        missing = self.path("missing.json")
        p = run("validate", "-r", "--json", d, missing)
        self.assertEqual(p.returncode, 2, describe(p))
        rows = [json.loads(l) for l in p.stdout.decode().splitlines()]
        by = {(r["file"], r.get("line")): r for r in rows}
        self.assertEqual(len(rows), 6, rows)
        ok = by[(self.path("a.json"), None)]
        self.assertEqual((ok["valid"], ok["format"]), (True, "json"))
        self.assertTrue(ok["event"])
        bad = by[(self.path("sub", "deeper", "c.json"), None)]
        self.assertEqual((bad["valid"], bad["code"], bad["path"]), (False, "url", "payload.pageUrl"))
        self.assertIsInstance(bad["pos"], int)
        self.assertTrue(bad["message"])
        self.assertEqual(by[(jl, 1)]["valid"], True)
        self.assertEqual((by[(jl, 2)]["valid"], by[(jl, 2)]["code"]), (False, "url"))
        io = by[(missing, None)]
        self.assertEqual((io["valid"], io["code"]), (False, "io"))
        self.assertEqual(io["message"], os.strerror(2))
        # -q silences --json too
        self.assertEqual(run("validate", "-q", "--json", "-r", d).stdout, b"")

    def test_help(self):
        p = run("help", "validate")
        for opt in (b"-r, --recursive", b"--jsonl", b"--json"):
            self.assertIn(opt, p.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
