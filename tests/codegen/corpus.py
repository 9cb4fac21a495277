"""Generate, compile and run any schema's fixtures (tests/codegen helpers).

`run_schema(text)` writes the schema, runs the generator CLI (a refusal is a
`file:line: message` list, never a traceback), compiles corpus_driver.c with
the generated <prefix>_events.c and the runtime's codec, and runs the driver
over the generated fixtures: every valid fixture round-trips byte for byte in
both formats, every invalid one is refused with its manifest code and path.

UGW_CODEGEN_SANITIZE=1 in the environment compiles with
-fsanitize=address,undefined (any report fails the run). The runtime's codec
is compiled once per process into objects and linked into every driver.
"""

import atexit
import glob
import os
import re
import shutil
import subprocess
import tempfile

from codegen_support import INCLUDE, ROOT, RUNTIME_CODEC, run_codegen

GCC = shutil.which("gcc")
HERE = os.path.dirname(os.path.abspath(__file__))
DRIVER = os.path.join(HERE, "corpus_driver.c")
CFLAGS = ["-std=c11", "-D_POSIX_C_SOURCE=200809L", "-Wall", "-Wextra", "-Werror", "-Wshadow",
          "-Wstrict-prototypes", "-Wmissing-prototypes", "-pedantic-errors", "-g", "-O1"]
SANITIZE = os.environ.get("UGW_CODEGEN_SANITIZE") == "1"
SAN_FLAGS = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer"]
MISSING = (None if GCC and (os.path.exists("/usr/include/jsmn.h") or os.path.exists("/usr/local/include/jsmn.h"))
           and os.path.exists("/usr/include/msgpack.h")
           else "gcc, jsmn.h or msgpack.h not found (apt-get install gcc libjsmn-dev libmsgpack-dev)")
LOCATED = re.compile(r"^[^\n:]+:\d+: \S")

_runtime_objs = None
_tmp = None


def _flags():
    return CFLAGS + (SAN_FLAGS if SANITIZE else [])


def _run(cmd, **kw):
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    return subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=300, env=env, **kw)


def _workdir():
    global _tmp
    if _tmp is None:
        _tmp = tempfile.TemporaryDirectory(prefix="ugw-corpus-")
        atexit.register(_tmp.cleanup)
    return _tmp.name


def runtime_objects():
    """The codec's objects, compiled once with this module's flags."""
    global _runtime_objs
    if _runtime_objs is None:
        objs = []
        for src in sorted(glob.glob(os.path.join(RUNTIME_CODEC, "*.c"))):
            obj = os.path.join(_workdir(), os.path.basename(src) + ".o")
            p = _run([GCC, *_flags(), "-I", INCLUDE, "-I", RUNTIME_CODEC, "-c", src, "-o", obj])
            if p.returncode != 0:
                raise AssertionError(f"compiling {src} failed:\n{p.stderr}")
            objs.append(obj)
        _runtime_objs = objs
    return _runtime_objs


class Refused(Exception):
    """The generator refused the schema; `errors` are its `file:line: message` lines."""

    def __init__(self, errors, stderr):
        super().__init__(stderr)
        self.errors, self.stderr = errors, stderr


def generate(text, d, prefix="p", args=()):
    """Writes `text` as d/schema.toml and generates into d/out. Raises Refused
    (with the located errors) when the generator refuses it; raises
    AssertionError on a traceback or an error line without file:line."""
    schema = os.path.join(d, "schema.toml")
    with open(schema, "w", encoding="utf-8") as f:
        f.write(text)
    out = os.path.join(d, "out")
    p = run_codegen("--quiet", "--schema", schema, "--out", out, "--prefix", prefix, *args)
    if "Traceback" in p.stderr:
        raise AssertionError(f"generator traceback:\n{p.stderr}\nschema:\n{text}")
    if p.returncode != 0:
        lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
        errors = [ln for ln in lines if not ln.startswith("ugw codegen:")]
        bad = [ln for ln in errors if not LOCATED.match(ln)]
        if bad or not errors:
            raise AssertionError(f"refusal without file:line: {bad or lines}\nschema:\n{text}")
        raise Refused(errors, p.stderr)
    return out


def manifest(out):
    """The text of the invalid corpus's MANIFEST.tsv in a generation `out`."""
    with open(os.path.join(out, "fixtures", "invalid", "MANIFEST.tsv"), encoding="utf-8") as f:
        return f.read()


def build_and_run(out, d, prefix="p"):
    """Compiles the driver against the generation in `out` and runs it on its
    fixtures; returns the driver's stdout ("ok <events> <rows>") or raises
    AssertionError with the compiler's or the driver's report."""
    exe = os.path.join(d, "driver")
    p = _run([GCC, *_flags(), f"-DSCHEMA_SYMBOL={prefix}_schema_events", "-I", INCLUDE, "-I", out,
              "-I", os.path.join(out, prefix) if os.path.isdir(os.path.join(out, prefix)) else out,
              DRIVER, os.path.join(out, f"{prefix}_events.c"), *runtime_objects(), "-o", exe, "-lmsgpackc"])
    if p.returncode != 0:
        raise AssertionError(f"compiling the generated code failed:\n{p.stderr}")
    p = _run([exe, os.path.join(out, "fixtures")])
    if p.returncode != 0 or p.stderr.strip():
        raise AssertionError(f"driver failed ({p.returncode}):\n{p.stderr[-6000:]}{p.stdout[-2000:]}")
    return p.stdout.strip()


def run_schema(text, prefix="p"):
    """generate + build_and_run in a fresh folder; returns the driver's output."""
    with tempfile.TemporaryDirectory(prefix="ugw-schema-", dir=_workdir()) as d:
        out = generate(text, d, prefix)
        return build_and_run(out, d, prefix)


__all__ = ["MISSING", "SANITIZE", "Refused", "generate", "manifest", "build_and_run", "run_schema", "ROOT"]
