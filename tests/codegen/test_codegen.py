"""Tests of the ugw code generator (codegen/ugw_codegen.py and codegen/ugwgen/).

Run from anywhere:
    /usr/bin/python3 -m unittest discover -s tests/codegen -v
    /usr/bin/python3 tests/codegen/test_codegen.py -v      (this file only)

Needs only the standard library and jinja2 (for the generator itself); C and
C++ compilers for the compile tests (skipped without). The repository is
found from this file's own path. The tests, one file per step or subject:

  - test_check.py, test_check_names.py: every kind of schema mistake is
    reported as `file:line: message` with the right line, and the CLI
    (--check) exits 1; this includes every C name clash (an event id making a
    name the runtime or the generated code already declares, or that another
    event makes; two struct members alike) and C and C++ keywords;
  - test_load.py: the line index reads TOML (quoted and dotted keys, strings
    and arrays over several lines, inline tables);
  - test_names.py: every generated name is one check knows of, for any
    prefix; the shipped runtime names are those of include/ugw/*.h;
  - this file: determinism, banners, no absolute paths or timestamps; the
    checked-in generated/ equals a fresh generation; the generated C
    compiles (when a C compiler is found), also with comment delimiters,
    trigraphs and line breaks in every free-text place of the schema, and
    the schemas check refuses do break the build;
  - test_model.py: C names, JSON keys, MessagePack key literals, fingerprints;
  - test_fixtures.py: valid JSON equals Python's json.dumps, valid MessagePack
    decodes (with a small independent decoder) to the same data, and the
    invalid corpus and its MANIFEST.tsv agree with each other and with the
    schema;
  - test_options.py: --prefix, --header-dir, --no-fixtures, --cli, the
    cleanup of earlier outputs, the version, the ugw-codegen launcher;
  - test_build.py: the headers compile as C++11, two prefixes and the
    bundled bindings link into one program with the runtime and run, the
    command's main() compiles.
"""

import os
import re
import subprocess
import tempfile
import tomllib
import unittest

from codegen_support import *  # noqa: F401,F403
from codegen_support import SchemaCheckCase

# ---------------------------------------------------------------------------
# determinism, banners, checked-in output
# ---------------------------------------------------------------------------

class Generation(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="ugw-codegen-gen-")
        cls.outs = []
        for seed in ("1", "4242"):
            out = os.path.join(cls.tmp.name, f"out-{seed}")
            env = dict(os.environ, PYTHONHASHSEED=seed)
            p = run_codegen("--quiet", "--schema", "schema/events.toml", "--out", out, *BUNDLED_ARGS, env=env)
            if p.returncode != 0:
                raise AssertionError(f"generation failed: {p.stderr}")
            cls.outs.append(out)
        cls.tree = read_tree(cls.outs[0])

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_two_generations_are_byte_identical(self):
        a, b = read_tree(self.outs[0]), read_tree(self.outs[1])
        self.assertEqual(sorted(a), sorted(b))
        for name in a:
            self.assertEqual(a[name], b[name], name)

    def test_output_file_set(self):
        names = set(self.tree)
        for need in ("ugw/ugw_events.h", "ugw_events.c", "ugw/ugw_fixtures.h", "ugw_fixtures.c",
                     "fixtures/README.md", "fixtures/invalid/MANIFEST.tsv"):
            self.assertIn(need, names)
        # The C files of --prefix ugw --header-dir ugw --cli, and no others.
        self.assertEqual({n for n in names if n.endswith((".c", ".h"))},
                         {"ugw/ugw_events.h", "ugw/ugw_events_client.h", "ugw/ugw_fixtures.h",
                          "ugw_events.c", "ugw_fixtures.c", "ugw_cli_main.c"})
        for ev in SCHEMA_DATA["event"]:
            self.assertIn(f"fixtures/valid/{ev['id']}.json", names)
            self.assertIn(f"fixtures/valid/{ev['id']}.msgpack", names)
        self.assertEqual(len([n for n in names if n.startswith("fixtures/valid/")]),
                         2 * len(SCHEMA_DATA["event"]))

    def test_no_absolute_paths(self):
        forbidden = {ROOT, self.tmp.name, os.path.realpath(ROOT), os.path.realpath(self.tmp.name),
                     os.path.expanduser("~"), tempfile.gettempdir()}
        for name, data in self.tree.items():
            for path in forbidden:
                if path and path != "/":
                    self.assertNotIn(path.encode(), data, f"{name} contains {path}")
            if name.endswith((".c", ".h", ".md", ".tsv")):
                text = data.decode("utf-8")
                self.assertNotRegex(text, r"(?<![:/\w])/(work|tmp|home|root|usr|opt|var)/", name)

    def test_no_timestamps(self):
        for name, data in self.tree.items():
            if not name.endswith((".c", ".h", ".md", ".tsv")):
                continue
            text = data.decode("utf-8")
            self.assertNotRegex(text, r"\b(19|20)\d\d-[01]\d-[0-3]\d\b", name)
            self.assertNotRegex(text, r"\b[0-2]\d:[0-5]\d:[0-5]\d\b", name)
            self.assertNotRegex(text, r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun), ", name)
            self.assertNotIn("__DATE__", text, name)
            self.assertNotIn("__TIME__", text, name)

    def test_banners(self):
        for name, data in self.tree.items():
            if not name.endswith((".c", ".h")):
                continue
            text = data.decode("utf-8")
            self.assertTrue(text.startswith("/*"), f"{name} must start with its banner")
            banner = text[:text.index("*/")]
            self.assertIn("DO NOT EDIT", banner, name)
            self.assertIn("schema/events.toml", banner, name)
            self.assertIn(f"ugw codegen {VERSION}", banner, name)
            self.assertIn(f"schema version {SCHEMA_DATA['version']}", banner, name)
        readme = self.tree["fixtures/README.md"].decode("utf-8").splitlines()[0]
        for part in ("DO NOT EDIT", "schema/events.toml", f"ugw codegen {VERSION}"):
            self.assertIn(part, readme)
        manifest = self.tree["fixtures/invalid/MANIFEST.tsv"].decode("utf-8").splitlines()[1]
        self.assertEqual(manifest, f"# Generated from schema/events.toml by ugw codegen {VERSION}. DO NOT EDIT.")

    def test_banner_names_schema_as_given_by_name(self):
        with tempfile.TemporaryDirectory() as d:
            p = run_codegen("--quiet", "--schema", SCHEMA, "--name", "my/schema.toml", "--out", d)
            self.assertEqual(p.returncode, 0, p.stderr)
            head = read_tree(d)["ugw_events.h"].decode()
            self.assertIn("Generated from my/schema.toml", head)
            self.assertNotIn(ROOT, head)

    def test_version_guard_and_version_macros(self):
        h = self.tree["ugw/ugw_events.h"].decode()
        self.assertIn(f'#define UGW_CODEGEN_VERSION "{VERSION}"', h)
        self.assertIn(f"#define UGW_SCHEMA_VERSION {SCHEMA_DATA['version']}", h)
        self.assertIn(f"#define UGW_EVENT_COUNT {len(SCHEMA_DATA['event'])}", h)
        self.assertRegex(h, r"#if !defined\(UGW_RUNTIME_ABI\) \|\| UGW_RUNTIME_ABI != UGW_GENERATED_ABI\n#error")

    def test_checked_in_generated_equals_fresh_generation(self):
        checked_in = read_tree(GENERATED)
        self.assertEqual(sorted(checked_in), sorted(self.tree),
                         "file lists differ: regenerate (cmake --build build) and commit generated/")
        for name in self.tree:
            self.assertEqual(checked_in[name], self.tree[name],
                             f"generated/{name} differs from a fresh generation; run the build and commit it")

    def test_rerun_changes_nothing_and_removes_stale_files(self):
        with tempfile.TemporaryDirectory() as d:
            p = run_codegen("--schema", "schema/events.toml", "--out", d, *BUNDLED_ARGS)
            self.assertEqual(p.returncode, 0, p.stderr)
            stale = os.path.join(d, "fixtures", "valid", "gone.json")
            with open(stale, "wb") as f:
                f.write(b"{}")
            mtime = os.stat(os.path.join(d, "ugw", "ugw_events.h")).st_mtime_ns
            p = run_codegen("--schema", "schema/events.toml", "--out", d, *BUNDLED_ARGS)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("1 changed", p.stdout)
            self.assertFalse(os.path.exists(stale))
            self.assertEqual(os.stat(os.path.join(d, "ugw", "ugw_events.h")).st_mtime_ns, mtime)
            self.assertEqual(read_tree(d), self.tree)


@unittest.skipUnless(CC, "no C compiler")
class CompileGenerated(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="ugw-codegen-cc-")
        self.addCleanup(self.tmp.cleanup)

    def compile(self, out):
        """Compiles (syntax only) every generated .c of `out` and, in a file of
        its own each, every generated header that no .c includes."""
        tree = read_tree(out)
        sources = [os.path.join(out, n) for n in sorted(tree) if n.endswith(".c")]
        included = set()
        for n in sources:
            with open(n, encoding="utf-8") as f:
                included |= set(re.findall(r'#include "([^"]+)"', f.read()))
        for n in sorted(tree):
            if n.endswith(".h") and n not in included:
                unit = os.path.join(self.tmp.name, "h_" + n.replace("/", "_") + ".c")
                with open(unit, "w", encoding="utf-8") as f:
                    f.write(f'#include "{n}"\n')
                sources.append(unit)
        return subprocess.run([CC, *CFLAGS, "-I", out, "-I", INCLUDE, *sources],
                              capture_output=True, text=True, timeout=120)

    def test_checked_in_generated_compiles(self):
        p = self.compile(GENERATED)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_schema_text_stays_in_comments_and_literals(self):
        text = nasty_schema()
        data = tomllib.loads(text)
        self.assertTrue(data["event"][1]["event"].endswith("\\"))
        path = os.path.join(self.tmp.name, "nasty.toml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        out = os.path.join(self.tmp.name, "out")
        p = run_codegen("--quiet", "--schema", path, "--name", NASTY_NAME, "--out", out, "--cli")
        self.assertEqual(p.returncode, 0, p.stderr)
        tree = read_tree(out)
        seen = set()
        c_files = sorted(n for n in tree if n.endswith((".c", ".h")))
        self.assertEqual(c_files, ["ugw_cli_main.c", "ugw_events.c", "ugw_events.h", "ugw_events_client.h",
                                   "ugw_fixtures.c", "ugw_fixtures.h"])
        for name in c_files:
            c = tree[name].decode()
            seen |= set(re.findall(r"zq\d", c))
            self.assertIsNone(re.search(r"zq\d", names_mod.strip_c(c)), f"{name}: schema text in the code")
            self.assertFalse("??" in c, f"{name}: a trigraph")
        self.assertEqual(seen, {f"zq{i}" for i in range(1, 8)})
        p = self.compile(out)
        self.assertEqual(p.returncode, 0, p.stderr)
        # The one-line banners of the non-C files.
        manifest = tree["fixtures/invalid/MANIFEST.tsv"].decode().splitlines()
        self.assertEqual(manifest[1], f"# Generated from zq7 odd*/name/* ??/x by ugw codegen {VERSION}. DO NOT EDIT.")
        self.assertTrue(tree["fixtures/README.md"].decode().splitlines()[0].endswith("DO NOT EDIT."))

    def test_raw_schema_text_in_comments_breaks_the_build(self):
        # The compile test above can fail: printing the text unescaped does.
        def raw(m):
            for e in m.events:
                e.wire_doc, e.aliases_doc = e.wire, list(e.aliases)
        out = os.path.join(self.tmp.name, "raw")
        generate_unchecked(SchemaCheckCase().known_bug("comment")[0], out, tweak=raw)
        p = self.compile(out)
        self.assertNotEqual(p.returncode, 0)
        generate_unchecked(SchemaCheckCase().known_bug("comment")[0], out)
        p = self.compile(out)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_known_bug_schemas_break_the_build(self):
        # What `check` now refuses did break the C build.
        for which in (*SchemaCheckCase.TAKEN, "has_flag"):
            with self.subTest(which=which):
                out = os.path.join(self.tmp.name, which)
                generate_unchecked(SchemaCheckCase().known_bug(which)[0], out)
                p = self.compile(out)
                self.assertNotEqual(p.returncode, 0, f"{which} compiles")


if __name__ == "__main__":
    unittest.main()
