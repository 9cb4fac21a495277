"""test_cli_startup.py - what `ugw` loads to start (cli/cli_loader.c,
cli/cli_module.h): the commands that need the codec alone (validate, convert,
fixtures, schema, help, --version) load no network or crypto library and not
the commands module; the others load the module when they run; a module
that is missing, not a shared object or of another build is refused with a
message and exit status 2. Loaded objects are read from the dynamic loader's
own report (LD_DEBUG=files), not timed. Run by ctest; standard library only.
"""
import glob
import os
import re
import resource
import shutil
import subprocess
import tempfile
import unittest

from send_support import describe
from serve_support import BIN, VALID, setUpModule  # noqa: F401

# Libraries that only the commands module may bring in.
HEAVY = re.compile(r"libcurl|libmicrohttpd|libnats|libsqlite3|libcrypto|libssl|libgnutls|libnghttp2|"
                   r"libldap|libgssapi|libkrb5|libssh2|librtmp|ugw-commands")
# Each object the dynamic loader maps, as LD_DEBUG=files reports it.
LOADED = re.compile(r"file=(\S+) \[\d+\];\s+generating link map")


def run_traced(*args, env=None):
    """(completed process, names of the objects the dynamic loader loaded)."""
    with tempfile.TemporaryDirectory() as d:
        e = dict(os.environ if env is None else env, LD_DEBUG="files", LD_DEBUG_OUTPUT=os.path.join(d, "ld"))
        p = subprocess.run([BIN, *args], capture_output=True, timeout=90, env=e)
        names = []
        for f in glob.glob(os.path.join(d, "ld.*")):
            with open(f, encoding="utf-8", errors="replace") as fh:
                names += LOADED.findall(fh.read())
    return p, names


class StartupTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.json = os.path.join(VALID, "nps_score_submit.json")
        self.msgpack = os.path.join(VALID, "nps_score_submit.msgpack")

    def assert_light(self, *args, code=0):
        p, names = run_traced(*args)
        self.assertEqual(p.returncode, code, describe(p))
        self.assertTrue(names, "the dynamic loader reported nothing: LD_DEBUG not honoured?")
        heavy = [n for n in names if HEAVY.search(n)]
        self.assertEqual(heavy, [], "ugw %s loaded %s" % (" ".join(args), names))
        # ld.so, libc, msgpack-c, the shared ugw libraries, a sanitizer's
        # helpers: far from the 39 objects of a command linked to everything
        self.assertLess(len(set(names)), 14, names)
        return p

    def test_codec_commands_load_no_network_library(self):
        self.assert_light("validate", self.json)
        self.assert_light("validate", "--strict", "--json", self.json, self.msgpack)
        bad = os.path.join(self.tmp.name, "bad.json")
        with open(bad, "wb") as f:
            f.write(b'{"event": 1}')
        self.assert_light("validate", bad, code=1)
        self.assert_light("convert", "--to", "msgpack", self.json)
        self.assert_light("fixtures", "--out", self.tmp.name)
        self.assert_light("schema", "export", "--format", "jsonschema")
        self.assert_light("--help")
        self.assert_light("--version")
        self.assert_light("help", "validate")
        self.assert_light("nonsense", code=2)

    def test_other_commands_load_the_module(self):
        # the same report shows the module and its libraries when they are
        # used: the check above would see them
        p, names = run_traced("send", "--help")
        self.assertEqual(p.returncode, 0, describe(p))
        self.assertIn(b"--url URL", p.stdout)
        self.assertTrue(any("ugw-commands.so" in n for n in names), names)
        self.assertTrue(any("libcurl" in n for n in names), names)
        p, names = run_traced("secret", "new")
        self.assertEqual(p.returncode, 0, describe(p))
        self.assertTrue(p.stdout.startswith(b"whsec_"), p.stdout)
        self.assertTrue(any("libcrypto" in n for n in names), names)
        # `ugw help COMMAND` of a module command is the command's own --help
        for cmd in ("send", "serve", "sign", "verify", "secret", "spool", "demo", "relay"):
            a = subprocess.run([BIN, "help", cmd], capture_output=True, timeout=60)
            b = subprocess.run([BIN, cmd, "--help"], capture_output=True, timeout=60)
            self.assertEqual(a.returncode, 0, describe(a))
            self.assertEqual(a.stdout, b.stdout, cmd)
            self.assertTrue(a.stdout.startswith(b"Usage: ugw " + cmd.encode()), a.stdout[:80])

    def test_validate_starts_fast(self):
        # generous: the target is 3 ms on a quiet machine (docs/BENCHMARKS.md).
        # CPU time (user + system) rather than wall time, which on two busy
        # cores, and with a sanitizer's leak check at exit, is mostly waiting;
        # the best of ten runs.
        best = None
        for _ in range(10):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            p = subprocess.run([BIN, "validate", self.json], capture_output=True, timeout=60)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            self.assertEqual(p.returncode, 0, describe(p))
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            best = cpu if best is None else min(best, cpu)
        self.assertLess(best, 0.25, "best of 10 runs of ugw validate: %.1f ms of CPU" % (best * 1e3))

    def module_error(self, module, *args):
        p = subprocess.run([BIN, *args], capture_output=True, timeout=60,
                           env=dict(os.environ, UGW_CLI_MODULE=module))
        self.assertEqual(p.returncode, 2, describe(p))
        self.assertEqual(p.stdout, b"")
        return p.stderr.decode()

    def test_missing_module(self):
        missing = os.path.join(self.tmp.name, "nowhere", "ugw-commands.so")
        err = self.module_error(missing, "send", "--url", "http://127.0.0.1:1/", self.json)
        self.assertIn("ugw send: this command is in the module ugw-commands.so", err)
        self.assertIn(missing + " (UGW_CLI_MODULE)", err)
        # the codec commands do without it
        p = subprocess.run([BIN, "validate", self.json], capture_output=True, timeout=60,
                           env=dict(os.environ, UGW_CLI_MODULE=missing))
        self.assertEqual(p.returncode, 0, describe(p))

    def test_module_not_a_shared_object(self):
        junk = os.path.join(self.tmp.name, "ugw-commands.so")
        with open(junk, "wb") as f:
            f.write(b"\x7fELF but not really" + bytes(200))
        err = self.module_error(junk, "sign", "--help")
        self.assertIn("ugw sign: cannot load the module %s: " % junk, err)

    def test_module_of_another_build(self):
        cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
        self.assertIsNotNone(cc, "no C compiler to build a stand-in module")
        src = os.path.join(self.tmp.name, "other.c")
        lib = os.path.join(self.tmp.name, "other.so")
        none = os.path.join(self.tmp.name, "none.so")
        with open(src, "w") as f:
            f.write('struct m { const char *abi; void *run; };\n'
                    '#ifdef WITH_ENTRY\n'
                    '__attribute__((visibility("default"))) const struct m ugw_cli_module = '
                    '{ "ugw-commands 0.0.1 1", 0 };\n'
                    '#else\n'
                    'int other(void);\nint other(void) { return 1; }\n'
                    '#endif\n')
        for out, defs in ((lib, ["-DWITH_ENTRY"]), (none, [])):
            c = subprocess.run([cc, "-shared", "-fPIC", *defs, src, "-o", out], capture_output=True, timeout=120)
            self.assertEqual(c.returncode, 0, c.stderr)
        err = self.module_error(lib, "verify", "--help")
        self.assertIn("ugw verify: %s is not the commands module of this build (found: ugw-commands 0.0.1 1; "
                      "expected: ugw-commands " % lib, err)
        err = self.module_error(none, "serve", "--help")
        self.assertIn("(found: no ugw_cli_module; expected: ", err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
