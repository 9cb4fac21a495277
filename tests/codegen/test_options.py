"""The generator's options: --prefix (every generated name renamed, the
runtime's kept; bad prefixes refused), --header-dir, --no-fixtures, --cli,
the removal of its own earlier outputs, the version and the ugw-codegen
launcher.

    /usr/bin/python3 -m unittest discover -s tests/codegen -v
"""

import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

from codegen_support import *  # noqa: F401,F403

LAUNCHER = os.path.join(ROOT, "codegen", "ugw-codegen")


def generate(out, *args, schema="schema/events.toml"):
    """Runs the generator into `out`; returns its tree."""
    p = run_codegen("--quiet", "--schema", schema, "--out", out, *args)
    if p.returncode != 0:
        raise AssertionError(f"generation {args} failed:\n{p.stderr}")
    return read_tree(out)


# The exported documents (JSON Schema, OpenAPI) of every generation.
DOCS = ["events.schema.json", "events.strict.schema.json", "openapi.json", "openapi.strict.json"]


def c_files(tree):
    return sorted(n for n in tree if n.endswith((".c", ".h")))


def runtime_words(text):
    """Every ugw_*/UGW_* word of `text`, comments included, but for the
    runtime's header names (ugw_runtime.h, ...)."""
    return set(re.findall(r"\b(?:ugw|UGW)_\w*", re.sub(r"\bugw_\w+\.h\b", "", text)))


class Prefix(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="ugw-codegen-prefix-")
        cls.acme = generate(os.path.join(cls.tmp.name, "acme"), "--prefix", "acme", "--cli")
        cls.ugw = generate(os.path.join(cls.tmp.name, "ugw"), "--cli")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_file_names(self):
        self.assertEqual(c_files(self.acme), ["acme_cli_main.c", "acme_events.c", "acme_events.h",
                                              "acme_events_client.h", "acme_fixtures.c", "acme_fixtures.h"])

    def test_no_generated_ugw_name_remains(self):
        # Only the runtime's names start with ugw_/UGW_, in the code and in the comments.
        runtime = names_mod.runtime_names()
        for name in c_files(self.acme):
            with self.subTest(name=name):
                words = runtime_words(self.acme[name].decode())
                self.assertEqual(words - set(runtime), set(), name)

    def test_generated_names_carry_the_prefix(self):
        ids = set()
        for name in c_files(self.acme):
            ids |= set(re.findall(r"\b(?:acme|ACME)_\w*", names_mod.strip_c(self.acme[name].decode())))
        known = set(names_mod.fixed_names("acme"))
        for ev in SCHEMA_DATA["event"]:
            known |= set(names_mod.event_names(ev["id"], "acme"))
        for f in SCHEMA_DATA["field"]:
            known |= set(names_mod.field_names(check_mod.snake(f), "acme"))
        self.assertEqual(ids - known, set())
        # every fixed name is printed, but those of envelope fields, which the
        # bundled schema (default envelope) has not (test_names.py covers them)
        envelope_only = {"acme_envelope", "acme__envelope", "acme__envelope_fields", "ACME_ENVELOPE_INIT", "ACME__ENV",
                         "acme__cli_fixture_envelope"}
        self.assertLessEqual(set(names_mod.fixed_names("acme")) - envelope_only, ids)
        first = SCHEMA_DATA["event"][0]["id"]
        for n in ("acme_event", "acme_event_type", f"ACME_EVENT_{first.upper()}_INIT", f"ACME_{first.upper()}_INIT",
                  "acme_encode_json", "acme_decode_json", "acme_encode", "acme_decode", "acme_event_validate",
                  "acme_schema_events", "ACME_EVENT_COUNT", "ACME_EVENT_NONE", "ACME_FIELD_USER_ID_MAX",
                  f"ACME_{first.upper()}_FINGERPRINT", "ACME_GENERATED_ABI", "ACME_SCHEMA_VERSION",
                  "ACME_CODEGEN_VERSION", "ACME_EVENTS_H", "ACME_FIXTURES_H", "ACME_EVENTS_CLIENT_H",
                  "acme__events", f"acme__{first}_fields", "acme_fixtures", "acme_fixture", "acme_event_init",
                  "acme_client_enqueue", "acme_client_send", f"acme_{first}", f"acme_{first}_validate",
                  "acme__cli_fixture", "ACME__TYPE", "ACME__PAYLOAD"):
            self.assertIn(n, ids)

    def test_prefix_only_renames(self):
        # Each acme file, its names put back to ugw, is the ugw file; fixture
        # bytes are the same.
        self.assertEqual(sorted(self.acme), sorted(n.replace("ugw_", "acme_", 1) for n in self.ugw))
        for name, data in self.acme.items():
            if not name.endswith((".c", ".h")):
                self.assertEqual(data, self.ugw[name], name)
                continue
            ugw_name = name.replace("acme_", "ugw_", 1)
            with self.subTest(name=name):
                text = data.decode("utf-8")
                back = re.sub(r"\bacme_", "ugw_", text)
                back = re.sub(r"\bACME_", "UGW_", back)
                back = back.replace('"acme"', '"ugw"').replace('"acme: ', '"ugw: ')
                self.assertEqual(back, self.ugw[ugw_name].decode("utf-8"))
                self.assertNotIn("acme", back)

    def test_validation_errors(self):
        cases = (("Acme", "must be lower snake case"), ("ACME", "must be lower snake case"),
                 ("acme-x", "must be lower snake case"), ("_acme", "must be lower snake case"),
                 ("acme_", "must be lower snake case"), ("acme__x", "must be lower snake case"),
                 ("9lives", "must be lower snake case"), ("", "must be lower snake case"),
                 ("int", "is a C keyword"), ("class", "is a C++ keyword"), ("xor", "is a C++ keyword"),
                 ("ugw_x", "ugw_* names belong to the ugw runtime"), ("a" * 33, "longer than 32"))
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "out")
            for prefix, why in cases:
                with self.subTest(prefix=prefix):
                    for extra in ((), ("--check",)):
                        p = run_codegen("--schema", "schema/events.toml", "--out", out, "--prefix", prefix, *extra)
                        self.assertEqual(p.returncode, 2, p.stderr)
                        self.assertIn(f"ugw codegen: --prefix {prefix!r}: {why}", p.stderr)
                        self.assertFalse(os.path.exists(out))

    def test_prefix_names_clashing_with_runtime_names_are_refused(self):
        # Made up: a runtime that declared ugw_event_init would clash with the
        # fixed names of prefix ugw only.
        names = dict(names_mod.runtime_names(), ugw_event_init="include/ugw/ugw_runtime.h")
        real = names_mod.runtime_names
        names_mod.runtime_names = lambda *a: names
        try:
            errors = check_mod.prefix_errors("ugw")
            self.assertEqual(check_mod.prefix_errors("acme"), [])
        finally:
            names_mod.runtime_names = real
        self.assertEqual(len(errors), 1, errors)
        self.assertRegex(errors[0], r"^--prefix 'ugw': the generated name ugw_event_init \(from "
                                    r"codegen/templates/events\.h\.j2:\d+\) is a runtime name of "
                                    r"include/ugw/ugw_runtime\.h$")


class HeaderDir(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="ugw-codegen-hdir-")
        self.addCleanup(self.tmp.cleanup)

    def test_headers_in_a_subfolder(self):
        tree = generate(self.tmp.name, "--prefix", "acme", "--header-dir", "acme", "--cli")
        self.assertEqual(c_files(tree), ["acme/acme_events.h", "acme/acme_events_client.h", "acme/acme_fixtures.h",
                                         "acme_cli_main.c", "acme_events.c", "acme_fixtures.c"])
        self.assertIn("fixtures/README.md", tree)
        self.assertFalse(any(n.startswith("acme/fixtures") for n in tree))
        includes = {n: re.findall(r"#include ([<\"][^>\"]+[>\"])", tree[n].decode()) for n in c_files(tree)}
        self.assertEqual(includes["acme_events.c"], ['"acme/acme_events.h"', "<string.h>",
                                                     "<ugw/ugw_generated_support.h>"])
        self.assertEqual(includes["acme_fixtures.c"], ['"acme/acme_fixtures.h"'])
        self.assertEqual(includes["acme_cli_main.c"], ["<stddef.h>", "<string.h>", "<ugw/ugw_cli.h>", '"acme/acme_events.h"',
                                                       '"acme/acme_fixtures.h"'])
        self.assertEqual(includes["acme/acme_events.h"], ["<stdbool.h>", "<stddef.h>", "<stdint.h>", "<string.h>",
                                                          "<ugw/ugw_runtime.h>"])
        self.assertEqual(includes["acme/acme_fixtures.h"], ['"acme_events.h"'])
        self.assertEqual(includes["acme/acme_events_client.h"], ["<stddef.h>", "<stdint.h>", "<ugw/ugw_client.h>",
                                                                 '"acme_events.h"'])

    def test_nested_and_normalised_folders(self):
        tree = generate(self.tmp.name, "--prefix", "acme", "--header-dir", "./include/acme/")
        self.assertIn("include/acme/acme_events.h", tree)
        self.assertIn('#include "include/acme/acme_events.h"', tree["acme_events.c"].decode())
        with tempfile.TemporaryDirectory() as d:
            self.assertIn("ugw_events.h", generate(d, "--header-dir", "."))

    def test_bad_folders(self):
        out = os.path.join(self.tmp.name, "out")
        for bad in ("/abs", "../up", "a/../b", "a\\b", "a b", 'a"b', "fixtures", "fixtures/x", "a//b"):
            with self.subTest(bad=bad):
                p = run_codegen("--schema", "schema/events.toml", "--out", out, "--header-dir", bad)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn("ugw codegen: --header-dir ", p.stderr)
                self.assertFalse(os.path.exists(out))


class NoFixturesAndCli(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="ugw-codegen-nofix-")
        self.addCleanup(self.tmp.cleanup)

    def test_no_fixtures(self):
        tree = generate(self.tmp.name, "--prefix", "acme", "--header-dir", "acme", "--no-fixtures")
        self.assertEqual(sorted(tree), sorted(["acme/acme_events.h", "acme/acme_events_client.h", "acme_events.c"] + DOCS))
        self.assertFalse(os.path.exists(os.path.join(self.tmp.name, "fixtures")))

    def test_no_fixtures_with_cli(self):
        tree = generate(self.tmp.name, "--prefix", "acme", "--no-fixtures", "--cli")
        self.assertEqual(sorted(tree), sorted(["acme_cli_main.c", "acme_events.c", "acme_events.h", "acme_events_client.h"]
                                              + DOCS))
        main = tree["acme_cli_main.c"].decode()
        self.assertNotIn("fixture", names_mod.strip_c(main).replace("ugw_cli_app", ""))
        self.assertIn('static const ugw_cli_app app = { "acme", &acme_schema_events, NULL, acme__cli_schema_export,\n'
                      '                                     NULL };', main)

    def test_cli_main(self):
        main = generate(self.tmp.name, "--prefix", "acme", "--cli")["acme_cli_main.c"].decode()
        self.assertIn("#include <ugw/ugw_cli.h>", main)
        self.assertIn('static const ugw_cli_app app = { "acme", &acme_schema_events, acme__cli_fixture,\n'
                      '                                     acme__cli_schema_export, NULL };', main)
        self.assertIn("    return ugw_cli_main(&app, argc, argv);\n", main)
        self.assertRegex(main, r"static const void \*acme__cli_fixture\(int type\)\n\{\n"
                               r"    const acme_event \*ev = acme_fixture\(\(acme_event_type\)type\);\n"
                               r"    return ev \? \(const void \*\)&ev->u : NULL;\n\}")
        self.assertNotIn("fixture_envelope", main)

    def test_cli_main_with_envelope_fields(self):
        # The fixtures' envelopes go to the command with their payloads.
        sw = os.path.join(ROOT, "tests", "envelope", "standard_webhooks.toml")
        main = generate(self.tmp.name, "--prefix", "sw", "--cli", schema=sw)["sw_cli_main.c"].decode()
        self.assertIn('static const ugw_cli_app app = { "sw", &sw_schema_events, sw__cli_fixture,\n'
                      '                                     sw__cli_schema_export, sw__cli_fixture_envelope };', main)
        self.assertRegex(main, r"static const void \*sw__cli_fixture_envelope\(int type\)\n\{\n"
                               r"    const sw_event \*ev = sw_fixture\(\(sw_event_type\)type\);\n"
                               r"    return ev \? \(const void \*\)&ev->env : NULL;\n\}")
        main = generate(os.path.join(self.tmp.name, "nofix"), "--prefix", "sw", "--cli", "--no-fixtures",
                        schema=sw)["sw_cli_main.c"].decode()
        self.assertNotIn("fixture", names_mod.strip_c(main).replace("ugw_cli_app", ""))
        self.assertIn('static const ugw_cli_app app = { "sw", &sw_schema_events, NULL, sw__cli_schema_export,\n'
                      '                                     NULL };', main)

    def test_client_header(self):
        h = generate(self.tmp.name, "--prefix", "acme")["acme_events_client.h"].decode()
        self.assertIn("static inline ugw_status acme_client_enqueue(ugw_client *c, const acme_event *ev, "
                      "int64_t wait_ms,\n    void *user, char id_out[UGW_WEBHOOK_ID_MAX], ugw_error *err)", h)
        self.assertIn("static inline ugw_status acme_client_send(ugw_client *c, const acme_event *ev, "
                      "ugw_outcome *out,\n    ugw_error *err)", h)
        self.assertIn("return ugw_client_enqueue_event(c, &acme_schema_events, ev ? (int)ev->type : 0,\n"
                      "                                    ev ? (const void *)&ev->u : NULL, wait_ms, user, id_out, "
                      "err);", h)
        self.assertIn("return ugw_client_send_event(c, &acme_schema_events, ev ? (int)ev->type : 0,\n"
                      "                                 ev ? (const void *)&ev->u : NULL, out, err);", h)

    def test_every_function_declaration_is_exported(self):
        # UGW_API on each declaration that is not static (inline), none on the others.
        tree = generate(self.tmp.name, "--prefix", "acme", "--cli")
        for name in ("acme_events.h", "acme_fixtures.h", "acme_events_client.h"):
            code = names_mod.strip_c(tree[name].decode())
            decls = re.findall(r"^(?!#| |typedef|\}|extern \"C\")[^\n;{}]*\b(acme_\w+)\s*[(\[][^;{]*[;{]", code, re.M)
            self.assertTrue(decls, name)
            for line in re.findall(r"^(?!#| |typedef|\}|extern \"C\").*\bacme_\w+\s*[(\[].*$", code, re.M):
                with self.subTest(line=line):
                    self.assertTrue(line.startswith(("UGW_API ", "static inline ")), line)


class Cleanup(unittest.TestCase):
    """write() removes the generator's own earlier outputs, and nothing else."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="ugw-codegen-clean-")
        self.addCleanup(self.tmp.cleanup)
        self.out = self.tmp.name

    def path(self, rel):
        return os.path.join(self.out, rel)

    def test_dropped_options_remove_their_files(self):
        generate(self.out, "--prefix", "acme", "--cli")
        tree = generate(self.out, "--prefix", "acme", "--header-dir", "acme", "--no-fixtures")
        self.assertEqual(sorted(read_tree(self.out)), sorted(["acme/acme_events.h", "acme/acme_events_client.h",
                                                              "acme_events.c"] + DOCS))
        self.assertEqual(read_tree(self.out), tree)
        self.assertFalse(os.path.exists(self.path("fixtures")))
        tree = generate(self.out, "--prefix", "acme", "--header-dir", "acme")
        self.assertIn("fixtures/README.md", tree)
        self.assertEqual(read_tree(self.out), tree)

    def test_other_files_are_kept(self):
        generate(self.out, "--prefix", "ugw", "--cli")
        os.makedirs(self.path("fixtures/mine"))
        mine = {"notes.txt": b"mine", "fixtures/mine/x.json": b"{}", "acme_cli_main.c": b"int main(void) {}\n"}
        for rel, data in mine.items():
            with open(self.path(rel), "wb") as f:
                f.write(data)
        generate(self.out, "--prefix", "acme", "--no-fixtures")
        tree = read_tree(self.out)
        for rel, data in mine.items():
            self.assertEqual(tree[rel], data, rel)       # no banner: not ours
        for rel in ("ugw_events.h", "ugw_events.c", "ugw_cli_main.c"):
            self.assertIn(rel, tree)                      # another prefix
        # The fixture files went (the folder carried the banner); fixtures/mine did not.
        self.assertEqual(sorted(n for n in tree if n.startswith("fixtures/")), ["fixtures/mine/x.json"])

    def test_foreign_fixtures_folder_is_kept_without_fixtures(self):
        os.makedirs(self.path("fixtures/valid"))
        with open(self.path("fixtures/valid/a.json"), "wb") as f:
            f.write(b"{}")
        generate(self.out, "--prefix", "acme", "--no-fixtures")
        self.assertTrue(os.path.exists(self.path("fixtures/valid/a.json")))


class Version(unittest.TestCase):

    def test_version_comes_from_ugw_version_h(self):
        with open(os.path.join(INCLUDE, "ugw", "ugw_version.h"), encoding="utf-8") as f:
            text = f.read()
        parts = [re.search(rf"^#define UGW_VERSION_{p} (\d+)$", text, re.M).group(1) for p in ("MAJOR", "MINOR", "PATCH")]
        self.assertEqual(VERSION, ".".join(parts))
        p = run_codegen("--version")
        self.assertEqual((p.returncode, p.stdout.strip()), (0, f"ugw codegen {VERSION}"))

    def test_version_from_header(self):
        import ugwgen
        with tempfile.TemporaryDirectory() as d:
            h = os.path.join(d, "v.h")
            with open(h, "w") as f:
                f.write("#define UGW_VERSION_MAJOR 3\n#  define UGW_VERSION_MINOR 14\n#define UGW_VERSION_PATCH 1\n")
            self.assertEqual(ugwgen.version_from_header(h), "3.14.1")
            with open(h, "w") as f:
                f.write("#define UGW_VERSION_MAJOR 3\n#define UGW_VERSION_MINOR 14\n")
            with self.assertRaisesRegex(ImportError, "has no '#define UGW_VERSION_PATCH <number>'"):
                ugwgen.version_from_header(h)
            with self.assertRaisesRegex(ImportError, "cannot tell its version: no ugwgen/_version.py"):
                ugwgen.version_from_header(os.path.join(d, "none.h"))

    def test_installed_layout_uses_version_py(self):
        # share/ugw/codegen without ../include: _version.py (the build writes it) or a clear error.
        with tempfile.TemporaryDirectory() as d:
            codegen = os.path.join(d, "share", "ugw", "codegen")
            shutil.copytree(os.path.join(ROOT, "codegen"), codegen,
                            ignore=shutil.ignore_patterns("__pycache__", "_version.py"))
            script = os.path.join(codegen, "ugw_codegen.py")
            p = subprocess.run([sys.executable, script, "--version"], capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 2)
            self.assertIn("ugw codegen: cannot tell its version: no ugwgen/_version.py", p.stderr)
            self.assertNotIn("Traceback", p.stderr)
            with open(os.path.join(codegen, "ugwgen", "_version.py"), "w") as f:
                f.write('VERSION = "9.8.7"\n')
            p = subprocess.run([sys.executable, script, "--version"], capture_output=True, text=True, timeout=60)
            self.assertEqual((p.returncode, p.stdout.strip()), (0, "ugw codegen 9.8.7"))

    def test_no_version_py_in_the_tree(self):
        self.assertFalse(os.path.exists(os.path.join(ROOT, "codegen", "ugwgen", "_version.py")))


class Launcher(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="ugw-codegen-launch-")
        self.addCleanup(self.tmp.cleanup)

    def script(self, path, body):
        with open(path, "w") as f:
            f.write("#!/bin/sh\n" + body)
        os.chmod(path, 0o755)
        return path

    def installed(self, launcher_text=None):
        """A prefix with bin/ugw-codegen and share/ugw/codegen (and _version.py)."""
        prefix = os.path.join(self.tmp.name, "prefix")
        codegen = os.path.join(prefix, "share", "ugw", "codegen")
        shutil.copytree(os.path.join(ROOT, "codegen"), codegen,
                        ignore=shutil.ignore_patterns("__pycache__", "ugw-codegen"))
        with open(os.path.join(codegen, "ugwgen", "_version.py"), "w") as f:
            f.write('VERSION = "9.8.7"\n')
        os.makedirs(os.path.join(prefix, "bin"))
        launcher = os.path.join(prefix, "bin", "ugw-codegen")
        with open(LAUNCHER) as f:
            text = f.read()
        self.script(launcher, (launcher_text or text).split("\n", 1)[1])
        return prefix, launcher

    def run_launcher(self, launcher, *args, env=None, cwd=ROOT):
        return subprocess.run([launcher, *args], capture_output=True, text=True, timeout=120, cwd=cwd,
                              env=dict(os.environ, **(env or {})))

    def test_is_an_executable_posix_sh_script(self):
        self.assertTrue(os.stat(LAUNCHER).st_mode & stat.S_IXUSR)
        with open(LAUNCHER) as f:
            self.assertEqual(f.readline(), "#!/bin/sh\n")
        p = subprocess.run(["sh", "-n", LAUNCHER], capture_output=True, text=True)
        self.assertEqual((p.returncode, p.stderr), (0, ""))
        if shutil.which("dash"):
            p = subprocess.run(["dash", LAUNCHER, "--version"], capture_output=True, text=True, timeout=60)
            self.assertEqual(p.stdout.strip(), f"ugw codegen {VERSION}")

    def test_runs_the_generator_beside_it(self):
        p = self.run_launcher(LAUNCHER, "--version", cwd=self.tmp.name)
        self.assertEqual((p.returncode, p.stdout.strip()), (0, f"ugw codegen {VERSION}"))
        out = os.path.join(self.tmp.name, "out")
        p = self.run_launcher(LAUNCHER, "--quiet", "--schema", "schema/events.toml", "--out", out, *BUNDLED_ARGS)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(read_tree(out), read_tree(GENERATED))
        p = self.run_launcher(LAUNCHER, "--check", "--schema", "schema/events.toml")
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, "", ""))

    def test_installed_and_through_a_link(self):
        _, launcher = self.installed()
        p = self.run_launcher(launcher, "--version")
        self.assertEqual((p.returncode, p.stdout.strip()), (0, "ugw codegen 9.8.7"), p.stderr)
        link = os.path.join(self.tmp.name, "elsewhere", "codegen-link")
        os.makedirs(os.path.dirname(link))
        os.symlink(launcher, link)
        p = self.run_launcher(link, "--version", cwd=self.tmp.name)
        self.assertEqual((p.returncode, p.stdout.strip()), (0, "ugw codegen 9.8.7"), p.stderr)
        out = os.path.join(self.tmp.name, "out")
        p = self.run_launcher(link, "--quiet", "--schema", SCHEMA, "--out", out, "--prefix", "acme")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("by ugw codegen 9.8.7", read_tree(out)["acme_events.h"].decode())

    def test_ugw_python_first(self):
        marker = os.path.join(self.tmp.name, "used")
        py = self.script(os.path.join(self.tmp.name, "mypython"),
                         f'echo "$@" >> "{marker}"\nexec /usr/bin/python3 "$@"\n')
        p = self.run_launcher(LAUNCHER, "--version", env={"UGW_PYTHON": py})
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(marker) as f:
            self.assertIn("ugw_codegen.py --version", f.read())

    def _no_usable_python(self):
        """A launcher copy whose /usr/bin/python3 does not exist, a python3 on
        PATH that fails, and a Python without jinja2 (site packages off)."""
        with open(LAUNCHER) as f:
            text = f.read()
        self.assertEqual(text.count(" /usr/bin/python3 "), 1)
        _, launcher = self.installed(text.replace(" /usr/bin/python3 ", " /nonexistent/python3 "))
        bin_dir = os.path.join(self.tmp.name, "fakebin")
        os.makedirs(bin_dir)
        self.script(os.path.join(bin_dir, "python3"), "exit 1\n")
        nojinja = self.script(os.path.join(self.tmp.name, "nojinja"), 'exec /usr/bin/python3 -S "$@"\n')
        env = {"PATH": bin_dir + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin")}
        return launcher, env, nojinja, bin_dir

    def test_no_python_found(self):
        launcher, env, nojinja, bin_dir = self._no_usable_python()
        p = self.run_launcher(launcher, "--version", env=dict(env, UGW_PYTHON=nojinja))
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stdout, "")
        self.assertEqual(p.stderr.strip(),
                         f"ugw-codegen: no Python 3.11+ with jinja2 found (tried {nojinja}, /nonexistent/python3, "
                         f"{bin_dir}/python3); install it with: apt-get install python3-jinja2")

    def test_check_needs_no_jinja2(self):
        launcher, env, nojinja, _ = self._no_usable_python()
        p = self.run_launcher(launcher, "--check", "--schema", SCHEMA, env=dict(env, UGW_PYTHON=nojinja))
        self.assertEqual((p.returncode, p.stderr), (0, ""))


if __name__ == "__main__":
    unittest.main()
