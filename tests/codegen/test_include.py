"""Schemas that include others (include = [...], codegen/ugwgen/include.py):
the bundled schema by `ugw:events.toml`, relative files, files included
twice, conflicts reported with the places of both definitions, cycles and
unreadable files refused at the `include` line, the depfile for build
systems, and the bundled schema found by an installed generator.

    /usr/bin/python3 -m unittest discover -s tests/codegen -p 'test_include.py' -v
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from codegen_support import *  # noqa: F401,F403
from codegen_support import SCHEMA_DATA, SCHEMA_TEXT, line_of, run_codegen
import corpus

ORDER = """
[field.orderId]
type = "id"
description = "Order."
example = 5

[[event]]
id = "order_placed"
event = "order placed (acme)"
description = "An order was placed."
fields = ["userId", "orderId"]
"""

COUPON = """version = 1

[field.coupon]
type = "string"
max = 64
description = "Coupon."
example = "SPRING"
"""


class Includes(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="ugw-include-")
        self.addCleanup(self.tmp.cleanup)
        self.d = self.tmp.name

    def write(self, name, text):
        path = os.path.join(self.d, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def check(self, path, *args):
        p = run_codegen("--check", "--schema", path, *args, cwd=self.d)
        self.assertNotIn("Traceback", p.stderr)
        return p

    def assertRefused(self, path, where, fragment):
        """--check exits 1 with a line `where: ...fragment...` (where: file:line)."""
        p = self.check(path)
        self.assertEqual(p.returncode, 1, p.stderr)
        hits = [ln for ln in p.stderr.splitlines() if ln.startswith(f"{where}: ") and fragment in ln]
        self.assertTrue(hits, f"no line {where}: ...{fragment}... in:\n{p.stderr}")
        return p.stderr

    def test_bundled_schema_extended(self):
        # the eleven events keep their numbers; the new event comes after them
        top = self.write("acme.toml", 'version = 4\ninclude = ["ugw:events.toml"]\n' + ORDER)
        loc = include_mod.load_schema(top)
        self.assertEqual(check_mod.check(loc), [])
        m = model_mod.build(loc, "acme.toml")
        self.assertEqual([e.id for e in m.events], [e["id"] for e in SCHEMA_DATA["event"]] + ["order_placed"])
        self.assertEqual(m.schema_version, 4)
        self.assertEqual(loc.sources[0], top)
        self.assertEqual(os.path.realpath(loc.sources[1]), os.path.realpath(SCHEMA))
        # a check error in the bundled part names the bundled file
        self.assertEqual(loc.file(("field", "userId")), include_mod.resolve("ugw:events.toml", ""))

    @unittest.skipIf(corpus.MISSING, corpus.MISSING or "")
    def test_generated_compiled_and_round_tripped(self):
        self.write("common/coupon.toml", COUPON)
        text = ('version = 1\ninclude = ["ugw:events.toml", "common/coupon.toml"]\n' + ORDER
                + 'optional = ["coupon"]\n').replace('fields = ["userId", "orderId"]',
                                                    'fields = ["userId", "orderId", "coupon"]')
        out = corpus.generate(text, self.d)
        self.assertTrue(os.path.exists(os.path.join(out, "fixtures", "valid", "order_placed.json")))
        self.assertTrue(os.path.exists(os.path.join(out, "fixtures", "valid", "guide_preview_start.json")))
        self.assertTrue(corpus.build_and_run(out, self.d).startswith("ok 12 "))

    def test_relative_to_the_including_file_and_read_once(self):
        # a.toml and b.toml both include c.toml (a diamond): its field is read once
        self.write("lib/c.toml", COUPON)
        self.write("lib/b.toml", 'version = 1\ninclude = ["c.toml"]\n')
        self.write("a.toml", 'version = 1\ninclude = ["lib/c.toml"]\n')
        top = self.write("top.toml", 'version = 2\ninclude = ["a.toml", "lib/b.toml"]\n'
                         + ORDER.replace('"orderId"]', '"orderId", "coupon"]').replace('"userId", ', ""))
        p = self.check(top)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(include_mod.load_schema(top).sources), 4)

    def test_same_definition_twice_is_no_conflict(self):
        self.write("x.toml", COUPON)
        self.write("y.toml", COUPON.replace("version = 1", "version = 7"))   # another version: not a definition
        top = self.write("top.toml", 'version = 1\ninclude = ["x.toml", "y.toml"]\n' + ORDER.replace(
            '"userId", ', '"coupon", '))
        self.assertEqual(self.check(top).returncode, 0, self.check(top).stderr)

    def test_field_defined_twice_differently(self):
        x = self.write("x.toml", COUPON)
        text = 'version = 1\ninclude = ["x.toml"]\n' + COUPON.replace("version = 1\n", "") \
            .replace("max = 64", "max = 65") + ORDER.replace('"userId", ', "")
        top = self.write("top.toml", text)
        err = self.assertRefused(top, f"{top}:{line_of(text, '[field.coupon]')}",
                                 "field 'coupon' is defined differently in")
        self.assertIn(f"{x}:{line_of(COUPON, '[field.coupon]')}", err)

    def test_bundled_field_redefined(self):
        top = self.write("top.toml", 'version = 1\ninclude = ["ugw:events.toml"]\n'
                         '[field.userId]\ntype = "string"\nmax = 9\ndescription = "u"\nexample = "u"\n' + ORDER)
        bundled = include_mod.resolve("ugw:events.toml", "")
        err = self.assertRefused(top, f"{top}:3", "field 'userId' is defined differently in")
        self.assertIn(f"{bundled}:{line_of(SCHEMA_TEXT, '[field.userId]')}", err)

    def test_event_defined_twice_differently_and_wire_strings(self):
        x = self.write("x.toml", COUPON + ORDER)
        text = 'version = 1\ninclude = ["x.toml"]\n' + ORDER.replace("[field.orderId]", "[field.orderNo]") \
            .replace('"orderId"]', '"orderNo"]')
        top = self.write("top.toml", text)
        id_line = 'id = "order_placed"'
        err = self.assertRefused(top, f"{top}:{line_of(text, id_line)}",
                                 "event 'order_placed' is defined differently in")
        self.assertIn(f"{x}:{line_of(COUPON + ORDER, id_line)}", err)
        # another id, the same wire string: both places
        text = text.replace('id = "order_placed"', 'id = "order_made"')
        top = self.write("top.toml", text)
        wire_line = 'event = "order placed (acme)"'
        err = self.assertRefused(top, f"{top}:{line_of(text, wire_line)}",
                                 "duplicate event string 'order placed (acme)' (also used by event 'order_placed')")
        self.assertIn(f"first at {x}:{line_of(COUPON + ORDER, wire_line)}", err)

    def test_cycle_missing_file_and_bad_include(self):
        b = self.write("b.toml", 'version = 1\ninclude = ["a.toml"]\n')
        a = self.write("a.toml", 'version = 1\ninclude = ["b.toml"]\n' + ORDER)
        self.assertRefused(a, f"{b}:2", "an include cycle (a.toml -> b.toml -> a.toml)")
        self_inc = self.write("self.toml", 'version = 1\ninclude = ["self.toml"]\n' + ORDER)
        self.assertRefused(self_inc, f"{self_inc}:2", "an include cycle")
        for value, fragment in (('["nothere.toml"]', "cannot read"), ('"x.toml"', "must be a list"),
                                ("[1]", "must be a list"), ('[""]', "must be a list"),
                                ('["ugw:../etc/passwd"]', "not a file name"), ('["ugw:"]', "not a file name"),
                                ('["."]', "cannot read")):
            top = self.write("top.toml", f"version = 1\ninclude = {value}\n" + ORDER)
            self.assertRefused(top, f"{top}:2", fragment)
        # a TOML error in an included file: its own file and line
        self.write("broken.toml", "version = 1\n[field.x\n")
        top = self.write("top.toml", 'version = 1\ninclude = ["broken.toml"]\n' + ORDER)
        p = self.check(top)
        self.assertEqual(p.returncode, 1)
        self.assertTrue(p.stderr.startswith(os.path.join(self.d, "broken.toml") + ":2: "), p.stderr)

    def test_depfile(self):
        self.write("common/coupon.toml", COUPON)
        top = self.write("top.toml", 'version = 1\ninclude = ["common/coupon.toml"]\n'
                         + ORDER.replace('"userId", ', '"coupon", '))
        stamp, dep = os.path.join(self.d, "o", "stamp"), os.path.join(self.d, "o.d")
        p = run_codegen("--schema", top, "--out", os.path.join(self.d, "o"), "--no-fixtures", "--quiet",
                        "--stamp", stamp, "--depfile", dep)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(dep, encoding="utf-8") as f:
            self.assertEqual(f.read(), f"{stamp}: {top} \\\n  {os.path.join(self.d, 'common', 'coupon.toml')}\n")
        p = run_codegen("--schema", top, "--out", os.path.join(self.d, "o"), "--depfile", dep)
        self.assertEqual(p.returncode, 2)
        self.assertIn("--depfile needs --stamp", p.stderr)

    def test_installed_generator_finds_the_bundled_schema(self):
        # share/ugw/codegen beside share/ugw/schema, as cmake --install lays them out
        share = os.path.join(self.d, "prefix", "share", "ugw")
        shutil.copytree(os.path.join(ROOT, "codegen"), os.path.join(share, "codegen"),
                        ignore=shutil.ignore_patterns("__pycache__"))
        with open(os.path.join(share, "codegen", "ugwgen", "_version.py"), "w") as f:
            f.write(f'VERSION = "{VERSION}"\n')
        top = self.write("acme.toml", 'version = 1\ninclude = ["ugw:events.toml"]\n' + ORDER)
        gen = os.path.join(share, "codegen", "ugw_codegen.py")
        p = subprocess.run([sys.executable, gen, "--check", "--schema", top], capture_output=True, text=True)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn(os.path.join(share, "schema", "events.toml"), p.stderr)     # not there yet
        os.makedirs(os.path.join(share, "schema"))
        shutil.copy(SCHEMA, os.path.join(share, "schema", "events.toml"))
        p = subprocess.run([sys.executable, gen, "--check", "--schema", top], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)


if __name__ == "__main__":
    unittest.main()
