"""test_cli.py - tests of `ugw validate` and of the command's usage, help and
version (cli/ugw.c), run by ctest. `ugw convert` is tested in test_cli_convert.py.

Environment:
  UGW_BIN         path of the built `ugw` program (required)
  UGW_SOURCE_DIR  the source tree (default: the folder above this file)

Python 3.11+ standard library only; the fixtures, the manifest of the invalid
ones and the schema facts come from serve_support.py.
"""

import errno
import os
import re
import tempfile
import unittest

from serve_support import (INVALID, SRC, VALID, Schema, describe, load_manifest, load_schema, read, run,
                           setUpModule)  # noqa: F401 (setUpModule runs here)


# ---------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------

class TestValidate(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.schema = Schema()
        cls.valid = sorted(os.path.join(VALID, n) for n in os.listdir(VALID))

    def test_valid_fixture_set_is_complete(self):
        names = sorted(os.path.basename(p) for p in self.valid)
        want = sorted(e[0] + ext for e in self.schema.events for ext in (".json", ".msgpack"))
        self.assertEqual(names, want)
        self.assertEqual(len(names), 2 * len(self.schema.toml["event"]))

    def test_every_valid_fixture_validates(self):
        for extra in ([], ["--strict"]):
            p = run("validate", *extra, *self.valid)
            self.assertEqual(p.returncode, 0, describe(p))
            self.assertEqual(p.stdout, b"")
            self.assertEqual(p.stderr, b"%d valid, 0 invalid\n" % len(self.valid))

    def test_every_valid_fixture_one_by_one_and_via_stdin(self):
        for path in self.valid:
            data = read(path)
            for extra in ([], ["--strict"]):
                with self.subTest(path=path, extra=extra):
                    p = run("validate", *extra, path)
                    self.assertEqual(p.returncode, 0, describe(p))
                    self.assertEqual(p.stderr, b"1 valid, 0 invalid\n")
                    p = run("validate", *extra, "-", stdin=data)
                    self.assertEqual(p.returncode, 0, describe(p))
                    self.assertEqual(p.stdout, b"")
                    self.assertEqual(p.stderr, b"1 valid, 0 invalid\n")

    def test_verbose_names_event_and_format(self):
        wire = {e[0]: e[1] for e in self.schema.events}
        for flag in ("-v", "--verbose"):
            p = run("validate", flag, *self.valid)
            self.assertEqual(p.returncode, 0, describe(p))
            lines = p.stdout.decode().splitlines()
            want = []
            for path in self.valid:
                stem, ext = os.path.splitext(os.path.basename(path))
                want.append("%s: ok (%s, %s)" % (path, wire[stem], ext[1:]))
            self.assertEqual(lines, want)
        data = read(os.path.join(VALID, "guide_preview_start.msgpack"))
        p = run("validate", "-v", "-", stdin=data)
        self.assertEqual(p.stdout, b"-: ok (guide started (userguiding), msgpack)\n")

    def test_every_invalid_fixture_is_rejected_with_manifest_code_and_path(self):
        rows = load_manifest()
        listed = sorted(r[0] for r in rows)
        on_disk = sorted(n for n in os.listdir(INVALID) if n.startswith("n_"))
        self.assertEqual(listed, on_disk, "MANIFEST.tsv and invalid/ disagree")
        self.assertGreaterEqual(len(rows), 100)
        line_re = re.compile(r"^(.*): (\S+): (.+) \(([a-z_0-9]+) at byte (\d+)\)$")
        for name, code, fpath, mode in rows:
            path = os.path.join(INVALID, name)
            args = ["--strict"] if mode == "strict" else []
            for target, stdin in ((path, b""), ("-", read(path))):
                with self.subTest(file=name, target=target):
                    p = run("validate", *args, target, stdin=stdin)
                    self.assertEqual(p.returncode, 1, describe(p))
                    lines = p.stdout.decode("utf-8").splitlines()
                    self.assertEqual(len(lines), 1, describe(p))
                    m = line_re.match(lines[0])
                    self.assertIsNotNone(m, lines[0])
                    self.assertEqual(m.group(1), target)
                    self.assertEqual(m.group(2), fpath)
                    self.assertEqual(m.group(4), code)
                    self.assertEqual(p.stderr, b"0 valid, 1 invalid\n")
            if mode == "strict":
                with self.subTest(file=name, mode="default accepts"):
                    p = run("validate", path)
                    self.assertEqual(p.returncode, 0, describe(p))
                    self.assertEqual(p.stdout, b"")
            else:
                self.assertEqual(mode, "default")

    def test_all_invalid_in_one_run(self):
        # One decoder per run serves every file; rows of each mode in one run.
        # (A `default` row may fail differently under --strict: the first
        # error wins, and an unknown key can come before the row's problem.)
        rows = load_manifest()
        for mode, args in (("default", []), ("strict", ["--strict"])):
            sel = [r for r in rows if r[3] == mode]
            self.assertTrue(sel, mode)
            paths = [os.path.join(INVALID, r[0]) for r in sel]
            p = run("validate", *args, *paths)
            self.assertEqual(p.returncode, 1, describe(p))
            lines = p.stdout.decode("utf-8").splitlines()
            self.assertEqual(len(lines), len(sel))
            for line, (name, code, fpath, _mode) in zip(lines, sel):
                self.assertTrue(line.startswith("%s: %s: " % (os.path.join(INVALID, name), fpath)), line)
                self.assertRegex(line, r" \(%s at byte \d+\)$" % code)
            self.assertEqual(p.stderr, b"0 valid, %d invalid\n" % len(sel))
        # Without --strict the strict-only rows pass.
        paths = [os.path.join(INVALID, r[0]) for r in rows]
        nstrict = sum(1 for r in rows if r[3] == "strict")
        p = run("validate", *paths)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(len(p.stdout.splitlines()), len(rows) - nstrict)
        self.assertEqual(p.stderr, b"%d valid, %d invalid\n" % (nstrict, len(rows) - nstrict))

    def test_mixed_valid_and_invalid(self):
        good = os.path.join(VALID, "nps_score_submit.json")
        bad = os.path.join(INVALID, "n_range_score_above.msgpack")
        p = run("validate", good, bad, good)
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertEqual(len(p.stdout.splitlines()), 1)
        self.assertEqual(p.stderr, b"2 valid, 1 invalid\n")

    def test_quiet(self):
        bad = os.path.join(INVALID, "n_range_score_above.json")
        good = os.path.join(VALID, "nps_score_submit.json")
        for flag in ("-q", "--quiet"):
            p = run("validate", flag, good, bad)
            self.assertEqual((p.returncode, p.stdout, p.stderr), (1, b"", b""))
            p = run("validate", flag, good)
            self.assertEqual((p.returncode, p.stdout, p.stderr), (0, b"", b""))

    def test_options_after_files_and_double_dash(self):
        path = os.path.join(INVALID, "n_unknown_key_payload.json")
        p = run("validate", path, "--strict")
        self.assertEqual(p.returncode, 1, describe(p))
        p = run("validate", "--", path)
        self.assertEqual(p.returncode, 0, describe(p))
        p = run("validate", "--strict", "--", "--strict")  # a file named --strict
        self.assertEqual(p.returncode, 2, describe(p))
        self.assertIn(b"ugw: --strict: ", p.stderr)

    def test_input_over_max_input_is_a_limit_error(self):
        # 1 MiB is the decoder's default max_input; the CLI must hand the
        # decoder enough bytes to say so, also for an endless stream.
        big = b"{" + b" " * (1 << 20) + b"}"
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "big.json")
            with open(path, "wb") as f:
                f.write(big)
            p = run("validate", path)
            self.assertEqual(p.returncode, 1, describe(p))
            self.assertRegex(p.stdout.decode(), r"^%s: -: .* \(limit at byte \d+\)\n$" % re.escape(path))
        p = run("validate", "-", stdin=b" " * (3 << 20))
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertRegex(p.stdout.decode(), r"^-: -: .* \(limit at byte \d+\)\n$")

    def test_missing_file_is_exit_2_and_others_still_checked(self):
        with tempfile.TemporaryDirectory() as d:
            missing = os.path.join(d, "nope.json")
            good = os.path.join(VALID, "guide_preview_start.json")
            bad = os.path.join(INVALID, "n_url_space.json")
            p = run("validate", missing)
            self.assertEqual(p.returncode, 2, describe(p))
            self.assertIn(("ugw: %s: %s\n" % (missing, os.strerror(errno.ENOENT))).encode(), p.stderr)
            p = run("validate", good, missing, bad)
            self.assertEqual(p.returncode, 2, describe(p))
            self.assertTrue(p.stdout.startswith(("%s: payload.pageUrl: " % bad).encode()), describe(p))
            self.assertIn(("ugw: %s: %s\n" % (missing, os.strerror(errno.ENOENT))).encode(), p.stderr)
            self.assertTrue(p.stderr.endswith(b"1 valid, 1 invalid\n"), describe(p))
            p = run("validate", d)  # a directory cannot be read as a file
            self.assertEqual(p.returncode, 2, describe(p))
            self.assertIn(("ugw: %s: " % d).encode(), p.stderr)


class TestUsage(unittest.TestCase):
    def assertUsageError(self, *args):
        p = run(*args)
        self.assertEqual(p.returncode, 2, "%r: %s" % (args, describe(p)))
        self.assertEqual(p.stdout, b"", args)
        self.assertIn(b"Usage: ugw", p.stderr, args)

    def test_usage_errors_exit_2(self):
        f = os.path.join(VALID, "guide_preview_start.json")
        self.assertUsageError()
        self.assertUsageError("frobnicate")
        self.assertUsageError("--frobnicate")
        self.assertUsageError("validate")
        self.assertUsageError("validate", "--frobnicate", f)
        self.assertUsageError("validate", "-x", f)
        self.assertUsageError("validate", "--strict=yes", f)
        self.assertUsageError("convert", f)
        self.assertUsageError("convert", "--to", "xml", f)
        self.assertUsageError("convert", "--to")
        self.assertUsageError("convert", "--to", "json")
        self.assertUsageError("convert", "--to", "json", f, f)
        self.assertUsageError("convert", "--bogus", "--to", "json", f)
        self.assertUsageError("help", "frobnicate")

    def test_missing_file_exit_2(self):
        with tempfile.TemporaryDirectory() as d:
            missing = os.path.join(d, "missing.msgpack")
            for args in (["validate", missing], ["convert", "--to", "json", missing]):
                p = run(*args)
                self.assertEqual(p.returncode, 2, describe(p))
                self.assertEqual(p.stdout, b"")
                self.assertIn(("ugw: %s: %s\n" % (missing, os.strerror(errno.ENOENT))).encode(), p.stderr)

    def test_help_exit_0(self):
        for args in (["--help"], ["-h"], ["help"]):
            p = run(*args)
            self.assertEqual(p.returncode, 0, describe(p))
            self.assertIn(b"validate", p.stdout)
            self.assertIn(b"convert", p.stdout)
            self.assertEqual(p.stderr, b"")
        for cmd in ("validate", "convert"):
            for args in (["help", cmd], [cmd, "--help"], [cmd, "-h"]):
                p = run(*args)
                self.assertEqual(p.returncode, 0, describe(p))
                self.assertTrue(p.stdout.startswith(b"Usage: ugw " + cmd.encode()), describe(p))
                self.assertEqual(p.stderr, b"")

    def test_version(self):
        with open(os.path.join(SRC, "include", "ugw", "ugw_version.h"), encoding="utf-8") as f:
            text = f.read()
            version = ".".join(re.search(r"#define UGW_VERSION_%s (\d+)" % part, text).group(1)
                               for part in ("MAJOR", "MINOR", "PATCH"))
        with open(os.path.join(SRC, "generated", "ugw", "ugw_events.h"), encoding="utf-8") as f:
            codegen = re.search(r'#define UGW_CODEGEN_VERSION "([^"]+)"', f.read()).group(1)
        schema_version = load_schema()["version"]
        for flag in ("--version", "-V"):
            p = run(flag)
            self.assertEqual(p.returncode, 0, describe(p))
            self.assertEqual(p.stdout.decode(), "ugw %s (schema %d, codegen %s)\n" % (version, schema_version, codegen))
            self.assertEqual(p.stderr, b"")


if __name__ == "__main__":
    unittest.main()
