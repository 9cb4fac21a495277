#!/usr/bin/python3
"""ugw_generate() over a schema that includes others: editing an included
file (not only the schema named by SCHEMA) regenerates, through the depfile
the generator writes; a file the schema starts to include is tracked from
then on.

A small CMake project generates acme.toml, which includes the bundled schema
(ugw:events.toml) and common.toml. Environment: UGW_SOURCE_DIR (the source
tree).
"""

import os
import shutil
import subprocess
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.environ.get("UGW_SOURCE_DIR", os.path.dirname(os.path.dirname(HERE)))

PROJECT = """\
cmake_minimum_required(VERSION 3.21)
project(ugw_include_probe C)
add_library(ugw_include_probe_runtime INTERFACE)
add_library(ugw::runtime ALIAS ugw_include_probe_runtime)
set_property(GLOBAL PROPERTY UGW_CODEGEN_DIR "{root}/codegen")
include("{root}/cmake/ugwGenerate.cmake")
ugw_generate(probe SCHEMA acme.toml PREFIX probe NO_FIXTURES)
"""

ACME = """\
version = 1
include = ["ugw:events.toml", "common.toml"]

[[event]]
id = "order_placed"
event = "order placed (acme)"
description = "An order was placed."
fields = ["userId", "orderId"]
"""

COMMON = """\
version = 1

[field.orderId]
type = "id"
description = "Order."
example = 5
"""

EXTRA = """\
version = 1

[field.coupon]
type = "string"
max = 64
description = "Coupon."
example = "SPRING"
"""


def run(*args, cwd):
    return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, timeout=300)


class IncludedFilesRegenerate(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="ugw-include-build-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.src, self.build = os.path.join(self.tmp, "src"), os.path.join(self.tmp, "build")
        os.makedirs(self.src)
        self.write("CMakeLists.txt", PROJECT.format(root=ROOT))
        self.write("acme.toml", ACME)
        self.write("common.toml", COMMON)
        p = run("cmake", "-S", self.src, "-B", self.build, cwd=self.tmp)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.header = os.path.join(self.build, "probe_generated", "probe_events.h")

    def write(self, name, text):
        path = os.path.join(self.src, name)
        if os.path.exists(path):
            time.sleep(1.1)          # a newer mtime than the stamp, at one-second resolution too
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)

    def generate(self):
        p = run("cmake", "--build", self.build, "--target", "probe_generate", cwd=self.tmp)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        with open(self.header, encoding="utf-8") as f:
            return f.read()

    def assertHas(self, header, line):
        self.assertTrue(line in header, f"{line!r} not in the generated header")

    def test_editing_an_included_file_regenerates(self):
        h = self.generate()
        self.assertHas(h, "PROBE_EVENT_GUIDE_PREVIEW_START = 1,")       # the bundled events first
        self.assertHas(h, "PROBE_EVENT_ORDER_PLACED = 12,")
        self.assertHas(h, "PROBE_FIELD_ORDER_ID_MAX")
        # the included file changes: regenerated
        self.write("common.toml", COMMON + EXTRA.replace("version = 1\n", ""))
        self.assertHas(self.generate(), "#define PROBE_FIELD_COUPON_MAX 64\n")
        # a newly included file is a dependency from then on
        self.write("common.toml", COMMON)
        self.write("acme.toml", ACME.replace('"common.toml"]', '"common.toml", "extra.toml"]'))
        self.write("extra.toml", EXTRA)
        self.assertHas(self.generate(), "#define PROBE_FIELD_COUPON_MAX 64\n")
        self.write("extra.toml", EXTRA.replace("max = 64", "max = 65"))
        self.assertHas(self.generate(), "#define PROBE_FIELD_COUPON_MAX 65\n")


if __name__ == "__main__":
    unittest.main(verbosity=2)
