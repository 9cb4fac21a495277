"""The names of a generation: every name in generated code is one `check`
knows of (fixed, per event, per field, or the runtime's), for any prefix;
and the runtime names the generator ships (codegen/ugwgen/runtime_names.txt)
are those of include/ugw/*.h.

    /usr/bin/python3 -m unittest discover -s tests/codegen -v
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

from codegen_support import *  # noqa: F401,F403

# ---------------------------------------------------------------------------
# names: what the generated code declares and what it must not redeclare
# ---------------------------------------------------------------------------

def c_identifiers(text, prefix="ugw"):
    """The <prefix>_*/<PREFIX>_* identifiers of C `text`, comments and literals left out."""
    return set(re.findall(rf"\b(?:{prefix}|{prefix.upper()})_\w*", names_mod.strip_c(text)))


class Names(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        tree = read_tree(GENERATED)
        cls.code = {n: tree[n].decode() for n in ("ugw/ugw_events.h", "ugw_events.c", "ugw/ugw_fixtures.h",
                                                   "ugw_fixtures.c", "ugw/ugw_events_client.h", "ugw_cli_main.c")}
        cls.ids = set().union(*(c_identifiers(t) for t in cls.code.values()))

    def test_templates_use_only_known_placeholders(self):
        self.assertEqual(names_mod.template_names().unknown, [])

    def test_per_event_names(self):
        self.assertEqual(set(names_mod.event_names("x_y")), {
            "ugw_x_y", "ugw_x_y_validate", "ugw_x_y_encode_json", "ugw_x_y_encode_msgpack",
            "UGW_EVENT_X_Y", "UGW_X_Y_INIT", "UGW_EVENT_X_Y_INIT", "UGW_X_Y_FINGERPRINT",
            "ugw__x_y_fields", "ugw__x_y_aliases", "ugw__x_y_validate_fast", "ugw__x_y_msgpack_fast",
            "ugw__x_y_json_fast", "ugw__x_y_json_decode_fast"})
        self.assertEqual(names_mod.field_names("user_id"), ["UGW_FIELD_USER_ID_MIN", "UGW_FIELD_USER_ID_MAX"])

    def test_fixed_names(self):
        fixed = names_mod.fixed_names()
        for n in ("ugw_event", "ugw_event_type", "ugw_schema_events", "ugw_fixtures", "ugw_fixture",
                  "ugw_encode", "ugw_encode_json", "ugw_encode_msgpack", "ugw_decode", "ugw_decode_json",
                  "ugw_decode_msgpack", "ugw_event_validate", "ugw_event_describe", "ugw_event_wire_name",
                  "ugw_event_id", "ugw_event_from_wire", "ugw__events", "UGW_EVENT_COUNT", "UGW_EVENT_NONE",
                  "UGW_SCHEMA_VERSION", "UGW_CODEGEN_VERSION", "UGW_GENERATED_ABI", "UGW_EVENTS_H",
                  "UGW_FIXTURES_H", "UGW__TYPE", "UGW__PAYLOAD", "UGW_EVENTS_CLIENT_H", "ugw_client_enqueue",
                  "ugw_client_send", "ugw_event_init", "ugw__cli_fixture"):
            self.assertIn(n, fixed)
        self.assertRegex(fixed["UGW_EVENT_NONE"], r"^codegen/templates/events\.h\.j2:\d+$")
        # Each is really printed (so the scan of the templates reads code, not
        # noise): by the bundled schema, or by a schema with envelope fields
        # (the only names the bundled schema, with the default envelope, lacks).
        envelope_only = {"ugw_envelope", "ugw__envelope", "ugw__envelope_fields", "UGW_ENVELOPE_INIT", "UGW__ENV",
                         "ugw__cli_fixture_envelope"}
        self.assertLessEqual(set(fixed) - envelope_only, self.ids)
        self.assertLessEqual(envelope_only, set(fixed))
        with tempfile.TemporaryDirectory() as d:
            p = run_codegen("--quiet", "--schema", os.path.join(ROOT, "tests", "envelope", "standard_webhooks.toml"),
                            "--out", d, "--prefix", "ugw", "--cli")
            self.assertEqual((p.returncode, p.stderr), (0, ""))
            tree = read_tree(d)
            ids = set().union(*(c_identifiers(t.decode()) for n, t in tree.items() if n.endswith((".c", ".h"))))
        self.assertLessEqual(envelope_only, ids)

    def test_every_generated_name_is_known(self):
        # Completeness: each ugw_*/UGW_* name in a generation is a fixed name, a
        # runtime name or one made for an event or a field of the schema.
        known = set(names_mod.fixed_names()) | set(names_mod.runtime_names())
        for ev in SCHEMA_DATA["event"]:
            known |= set(names_mod.event_names(ev["id"]))
        for name in SCHEMA_DATA["field"]:
            known |= set(names_mod.field_names(check_mod.snake(name)))
        self.assertEqual(self.ids - known, set())

    def test_every_event_and_field_name_is_generated(self):
        for ev in SCHEMA_DATA["event"]:
            missing = set(names_mod.event_names(ev["id"])) - self.ids
            want = set() if ev.get("aliases") else {f"ugw__{ev['id']}_aliases"}
            self.assertEqual(missing, want, ev["id"])
        for name in SCHEMA_DATA["field"]:
            self.assertLessEqual(set(names_mod.field_names(check_mod.snake(name))), self.ids)

    def test_runtime_names(self):
        # The shipped list gives the header; extracting from the headers gives the line.
        rt, found = names_mod.runtime_names(), names_mod.extract_runtime_names()
        for n in ("ugw_decoder", "ugw_decode_opts", "ugw_field_desc", "ugw_utf8_check", "UGW_RUNTIME_ABI",
                  "UGW_ERR_SYNTAX", "ugw_schema_validate", "UGW_STR", "UGW_API", "ugw_client_enqueue_event",
                  "ugw_cli_main"):
            self.assertIn(n, rt)
            self.assertIn(n, found)
        self.assertEqual(rt["ugw_utf8_check"], "include/ugw/ugw_runtime.h")
        self.assertEqual(rt["ugw_cli_main"], "include/ugw/ugw_cli.h")
        self.assertRegex(found["ugw_utf8_check"], r"^include/ugw/ugw_runtime\.h:\d+$")
        line = int(found["ugw_utf8_check"].rsplit(":", 1)[1])
        with open(os.path.join(INCLUDE, "ugw", "ugw_runtime.h"), encoding="utf-8") as f:
            self.assertIn("ugw_utf8_check", f.read().splitlines()[line - 1])
        # The runtime declares no typed (generated) calls: those are in P_events_client.h.
        for n in ("ugw_client_enqueue", "ugw_client_send", "ugw_event", "ugw_encode"):
            self.assertNotIn(n, rt)

    def test_shipped_runtime_names_are_fresh(self):
        # runtime_names.txt lists exactly the names of include/ugw/*.h.
        with open(names_mod.RUNTIME_NAMES_FILE, encoding="utf-8") as f:
            shipped = f.read()
        found = names_mod.extract_runtime_names()
        self.assertTrue(found, "no names found in include/ugw/*.h")
        fresh = names_mod.runtime_names_text(found)
        if shipped != fresh:
            old = set(names_mod.runtime_names())
            self.fail(f"codegen/ugwgen/runtime_names.txt is stale (new in the headers: "
                      f"{sorted(set(found) - old) or 'none'}; gone: {sorted(old - set(found)) or 'none'}; "
                      f"or moved to another header). Refresh it from the source tree with:\n"
                      f"    {names_mod.REFRESH_COMMAND}\nand commit it.")

    def test_refresh_runtime_names(self):
        # The refresh writes the same text as the test above expects, and says so.
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "names.txt")
            self.assertEqual(names_mod.refresh_runtime_names(path=path)[0], True)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            self.assertEqual(text, names_mod.runtime_names_text(names_mod.extract_runtime_names()))
            self.assertEqual(names_mod.refresh_runtime_names(path=path)[0], False)
            self.assertIn(names_mod.REFRESH_COMMAND, text)
            self.assertEqual(names_mod.runtime_names(path), {
                n: w.rsplit(":", 1)[0] for n, w in names_mod.extract_runtime_names().items()})
            with self.assertRaises(OSError):
                names_mod.refresh_runtime_names(os.path.join(d, "no-such-dir"), path)
        # The CLI's --refresh-runtime-names, on a copy of codegen/ and include/ugw/
        # (a test never writes into the tree): rewrites a stale list, then keeps it.
        with tempfile.TemporaryDirectory() as d:
            shutil.copytree(os.path.join(ROOT, "codegen"), os.path.join(d, "codegen"),
                            ignore=shutil.ignore_patterns("__pycache__"))
            shutil.copytree(os.path.join(INCLUDE, "ugw"), os.path.join(d, "include", "ugw"))
            listed = os.path.join(d, "codegen", "ugwgen", "runtime_names.txt")
            with open(listed, "w", encoding="utf-8") as f:
                f.write("# stale\nugw_gone include/ugw/ugw_runtime.h\n")
            script = os.path.join(d, "codegen", "ugw_codegen.py")
            for want in ("(rewritten)", "(unchanged)"):
                p = subprocess.run([sys.executable, script, "--refresh-runtime-names"], cwd=d,
                                   capture_output=True, text=True, timeout=60)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertEqual(p.stdout, f"ugw codegen: {len(names_mod.extract_runtime_names())} runtime names "
                                           f"in codegen/ugwgen/runtime_names.txt {want}\n")
            with open(listed, encoding="utf-8") as f:
                self.assertEqual(f.read(), names_mod.runtime_names_text(names_mod.extract_runtime_names()))
            shutil.rmtree(os.path.join(d, "include"))          # as installed: no headers, a _version.py
            with open(os.path.join(d, "codegen", "ugwgen", "_version.py"), "w") as f:
                f.write('VERSION = "9.8.7"\n')
            p = subprocess.run([sys.executable, script, "--refresh-runtime-names"], cwd=d,
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 2)
            self.assertIn("ugw codegen: cannot refresh the runtime names: no ugw_*/UGW_* names in", p.stderr)

    def test_generator_reads_no_runtime_header(self):
        # Checking and generating read neither runtime/ nor include/ugw/*.h:
        # only the version header (an installed generator has _version.py instead).
        code = ("import builtins, sys; real = builtins.open\n"
                "def guard(f, *a, **k):\n"
                "    p = str(f)\n"
                "    q = p.replace(chr(92), '/')\n"
                "    if '/runtime/' in q or '/include/ugw/' in q and not q.endswith('/ugw_version.h'):\n"
                "        raise AssertionError('the generator read ' + p)\n"
                "    return real(f, *a, **k)\n"
                "builtins.open = guard; sys.path.insert(0, sys.argv[1]); import ugw_codegen\n"
                "sys.exit(ugw_codegen.main(['--quiet', '--schema', sys.argv[2], '--out', sys.argv[3], '--cli']))")
        with tempfile.TemporaryDirectory() as d:
            p = subprocess.run([sys.executable, "-c", code, os.path.dirname(CODEGEN), SCHEMA, d],
                               capture_output=True, text=True, timeout=120)
            self.assertEqual((p.returncode, p.stderr), (0, ""))

    def test_runtime_names_skip_comments_and_strings(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "a.h"), "w") as f:
                f.write('/* ugw_in_comment\n ugw_in_comment2 */ int ugw_real; // ugw_line_comment\n'
                        '#include "ugw_in_string.h"\nchar c = \'"\'; /* it\'s */ int ugw_after_quote;\n'
                        '#define UGW_MACRO(x) x\n#include <ugw/ugw_in_angle_brackets.h>\n')
            with open(os.path.join(d, "b.txt"), "w") as f:
                f.write("int ugw_not_a_header;\n")
            rt = names_mod.extract_runtime_names(d)
            self.assertEqual({n: where.rsplit(":", 1)[1] for n, where in rt.items()},
                             {"ugw_real": "2", "ugw_after_quote": "4", "UGW_MACRO": "5"})
            self.assertTrue(rt["ugw_real"].endswith("/a.h:2"), rt)
        self.assertEqual(names_mod.extract_runtime_names(os.path.join(ROOT, "no-such-dir")), {})

    def test_template_scan(self):
        # Generated names start with the prefix placeholder, {{ p }} or {{ P }};
        # a literal ugw_/UGW_ name is the runtime's.
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "t.h.j2"), "w") as f:
                f.write('{# ugw_jinja_comment {{ p }}_x #}/* ugw_c_comment {{ p }}_y */ "ugw_string {{ p }}_z"\n'
                        "int {{ p }}_fixed_one;\n#define {{ P }}_{{ e.macro }}_THING {{ p }}_{{ e.id }}\n"
                        "int {{ P }}_F_{{ f.macro }};\nint {{ p }}_{% if x %}a{% endif %};\n"
                        "int {{ p }}_{{ m.other }}_x;\nugw_status ugw_runtime_call(int UGW_TYPE_ID);\n"
                        "#include <ugw/ugw_in_brackets.h>\nint ugw_{{ e.id }}_runtime_has_none;\n")
            t = names_mod.template_names(d)
            self.assertEqual(list(t.fixed), ["{{ p }}_fixed_one", "{{ P }}_EVENTS_H", "{{ P }}_EVENTS_CLIENT_H",
                                             "{{ P }}_FIXTURES_H"])
            self.assertEqual([p for p, _ in t.event], ["{{ P }}_{{ e.macro }}_THING", "{{ p }}_{{ e.id }}"])
            self.assertEqual([p for p, _ in t.field], ["{{ P }}_F_{{ f.macro }}"])
            self.assertEqual(list(t.runtime), ["ugw_status", "ugw_runtime_call", "UGW_TYPE_ID"])
            self.assertEqual([p for p, _ in t.unknown], ["{{ p }}_", "{{ p }}_{{ m.other }}_x",
                                                         "ugw_{{ e.id }}_runtime_has_none"])

    def test_templates_name_only_runtime_names_literally(self):
        # Every ugw_*/UGW_* name a template writes as is exists in the runtime.
        rt = names_mod.runtime_names()
        literal = names_mod.template_names().runtime
        self.assertIn("ugw_schema_encode", literal)
        self.assertEqual({n: w for n, w in literal.items() if n not in rt}, {})

    def test_check_needs_no_jinja2(self):
        code = ("import sys; sys.modules['jinja2'] = None; sys.path.insert(0, sys.argv[1]); "
                "import ugw_codegen; sys.exit(ugw_codegen.main(['--check', '--schema', sys.argv[2]]))")
        p = subprocess.run([sys.executable, "-c", code, os.path.dirname(CODEGEN), SCHEMA],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual((p.returncode, p.stderr), (0, ""))
        text = edit(SCHEMA_TEXT, 'id = "nps_feedback_submit"', 'id = "encode"')
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "s.toml")
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            p = subprocess.run([sys.executable, "-c", code, os.path.dirname(CODEGEN), path],
                               capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 1)
        self.assertIn("(ugw_encode)", p.stderr)


if __name__ == "__main__":
    unittest.main()
