#!/usr/bin/python3
"""ugw_generate(... COMPAT_BASELINE <old.toml>): the build fails on a change
that breaks receivers or senders unless the schema's version was raised,
and <target>_check_compat says the same on its own.

A small CMake project (CMakeLists.txt.in) generates the bundled schema,
edited, against the bundled schema as its baseline. Environment:
UGW_SOURCE_DIR (the source tree).
"""

import os
import shutil
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.environ.get("UGW_SOURCE_DIR", os.path.dirname(os.path.dirname(HERE)))
with open(os.path.join(ROOT, "schema", "events.toml"), encoding="utf-8") as _f:
    SCHEMA = _f.read()


def run(*args, cwd):
    return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, timeout=300)


class CompatBaseline(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="ugw-compat-")
        cls.src = os.path.join(cls.tmp, "src")
        cls.build = os.path.join(cls.tmp, "build")
        os.makedirs(cls.src)
        with open(os.path.join(HERE, "CMakeLists.txt.in"), encoding="utf-8") as f:
            text = f.read().replace("@UGW_SOURCE_DIR@", ROOT)
        with open(os.path.join(cls.src, "CMakeLists.txt"), "w", encoding="utf-8") as f:
            f.write(text)
        shutil.copy(os.path.join(ROOT, "schema", "events.toml"), os.path.join(cls.src, "baseline.toml"))
        cls.schema("")
        p = run("cmake", "-S", cls.src, "-B", cls.build, cwd=cls.tmp)
        assert p.returncode == 0, p.stdout + p.stderr

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def schema(cls, change, version=1):
        text = SCHEMA.replace("version = 1", f"version = {version}", 1)
        if change == "breaking":
            text = text.replace("max = 10\n", "max = 9\n", 1)        # score: old senders may send 10
        elif change == "compatible":
            text = text.replace('event = "guide started (userguiding)"',
                                'event = "guide started (userguiding)"\naliases = ["Guide start (userguiding)"]', 1)
        with open(os.path.join(cls.src, "events.toml"), "w", encoding="utf-8") as f:
            f.write(text)

    def generate(self, target="probe_generate"):
        return run("cmake", "--build", self.build, "--target", target, cwd=self.tmp)

    def test_in_order(self):
        header = os.path.join(self.build, "probe_generated", "probe_events.h")
        # the baseline itself, then a compatible change: built
        for change in ("", "compatible"):
            self.schema(change)
            p = self.generate()
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            self.assertTrue(os.path.exists(header))
        # a breaking change without a version bump: the build fails, naming it
        self.schema("breaking")
        p = self.generate()
        self.assertNotEqual(p.returncode, 0, p.stdout)
        out = p.stdout + p.stderr
        self.assertIn("receivers compatible, senders breaking", out)
        self.assertRegex(out, r"events\.toml:\d+: breaking change without a version bump")
        with open(header, encoding="utf-8") as f:
            self.assertIn("#define PROBE_FIELD_SCORE_MAX 10\n", f.read())      # not regenerated
        p = self.generate("probe_check_compat")
        self.assertNotEqual(p.returncode, 0)
        # the same change with the version raised: built
        self.schema("breaking", version=2)
        p = self.generate()
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        with open(header, encoding="utf-8") as f:
            self.assertIn("#define PROBE_FIELD_SCORE_MAX 9\n", f.read())
        self.assertEqual(self.generate("probe_check_compat").returncode, 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
