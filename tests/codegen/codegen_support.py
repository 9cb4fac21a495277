"""Shared pieces of the generator's tests (tests/codegen/test_*.py).

Paths of the repository (found from this file's own path), the schema as text
and data, helpers to run the generator and edit schema text, a small
MessagePack decoder independent of the generator's encoder, the base class of
the `check` tests (SchemaCheckCase: broken schemas and how to build them), the
C compiler and flags, and fixture helpers. Only the standard library and, for
the generator itself, jinja2.
"""

import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import tomllib
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CODEGEN = os.path.join(ROOT, "codegen", "ugw_codegen.py")
SCHEMA = os.path.join(ROOT, "schema", "events.toml")
GENERATED = os.path.join(ROOT, "generated")
INCLUDE = os.path.join(ROOT, "include")
RUNTIME_CODEC = os.path.join(ROOT, "runtime", "codec")
# The bundled bindings: generated/ugw_*.c, headers in generated/ugw/, made by
#   codegen/ugw_codegen.py --schema schema/events.toml --out generated <BUNDLED_ARGS>
BUNDLED_ARGS = ("--prefix", "ugw", "--header-dir", "ugw", "--cli")
BUNDLED_HEADER_DIR = "ugw"

sys.path.insert(0, os.path.join(ROOT, "codegen"))
from ugwgen import VERSION, load as load_mod, check as check_mod, model as model_mod, names as names_mod  # noqa: E402,F401
from ugwgen import outputs as outputs_mod, include as include_mod  # noqa: E402,F401

with open(SCHEMA, encoding="utf-8") as _f:
    SCHEMA_TEXT = _f.read()
SCHEMA_DATA = tomllib.loads(SCHEMA_TEXT)

ERROR_CODES = ("syntax truncated trailing depth limit type missing duplicate_key unknown_event "
               "range utf8 nul too_short too_long url unknown_key").split()
ID_MAX = 2**53 - 1


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def run_codegen(*args, cwd=ROOT, env=None):
    """Runs the generator CLI with this Python; returns CompletedProcess (text)."""
    return subprocess.run([sys.executable, CODEGEN, *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def edit(text, old, new, count=1):
    """`text` with `old` replaced by `new`; `old` must occur exactly `count` times."""
    n = text.count(old)
    if n != count:
        raise AssertionError(f"test setup: {old!r} occurs {n} times, expected {count}")
    return text.replace(old, new)


def edit_nth(text, old, new, nth):
    """Replaces only the nth (1-based) occurrence of `old`."""
    start = -1
    for _ in range(nth):
        start = text.find(old, start + 1)
        if start < 0:
            raise AssertionError(f"test setup: {old!r} has no occurrence {nth}")
    return text[:start] + new + text[start + len(old):]


def line_of(text, needle, nth=1):
    """1-based line number of the nth line containing `needle`."""
    hits = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    if len(hits) < nth:
        raise AssertionError(f"test setup: {needle!r} on {len(hits)} lines, wanted #{nth}")
    return hits[nth - 1]


def event_block_start(text, event_id):
    """Line of the `id = "<event_id>"` key."""
    return line_of(text, f'id = "{event_id}"')


def read_tree(root):
    """{relative path: bytes} of every file under root."""
    out = {}
    for d, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            p = os.path.join(d, name)
            with open(p, "rb") as f:
                out[os.path.relpath(p, root).replace(os.sep, "/")] = f.read()
    return out


def c_literal_bytes(lit):
    """The bytes of a C string literal as the model writes them (octal, \\\", \\\\, \\?)."""
    assert lit.startswith('"') and lit.endswith('"'), lit
    body, out, i = lit[1:-1], bytearray(), 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ord(ch))
            i += 1
            continue
        nxt = body[i + 1]
        if nxt in "01234567":
            j = i + 1
            while j < len(body) and j < i + 4 and body[j] in "01234567":
                j += 1
            out.append(int(body[i + 1:j], 8))
            i = j
        elif nxt in "\"\\?'":
            out.append(ord(nxt))
            i += 2
        else:
            raise AssertionError(f"unexpected escape \\{nxt} in {lit}")
    return bytes(out)


# ---------------------------------------------------------------------------
# A small MessagePack decoder, independent of the generator's encoder.
# ---------------------------------------------------------------------------

class MsgpackError(ValueError):
    pass


class Bin(bytes):
    """A MessagePack bin value."""


class Pairs(list):
    """A decoded map as its (key, value) pairs, in order, duplicates kept."""


class MsgpackReader:
    """Decodes one MessagePack value. Strings are decoded as UTF-8 with
    surrogateescape (so invalid bytes survive as lone surrogates), maps as
    Pairs. `non_minimal` lists the offsets of values not in their smallest form."""

    def __init__(self, data):
        self.data, self.pos, self.non_minimal, self.max_depth = data, 0, [], 0

    def take(self, n):
        if self.pos + n > len(self.data):
            raise MsgpackError(f"truncated at {self.pos}")
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def uint(self, n):
        return int.from_bytes(self.take(n), "big")

    def sint(self, n):
        return int.from_bytes(self.take(n), "big", signed=True)

    def value(self, depth=1):
        self.max_depth = max(self.max_depth, depth)
        at = self.pos
        t = self.take(1)[0]
        if t <= 0x7F:
            return t
        if t >= 0xE0:
            return t - 0x100
        if 0x80 <= t <= 0x8F:
            return self._map(t & 0x0F, depth)
        if 0x90 <= t <= 0x9F:
            return self._array(t & 0x0F, depth)
        if 0xA0 <= t <= 0xBF:
            return self._str(t & 0x1F)
        if t == 0xC0:
            return None
        if t == 0xC2:
            return False
        if t == 0xC3:
            return True
        if t in (0xC4, 0xC5, 0xC6):
            n = self.uint(1 << (t - 0xC4))
            return Bin(self.take(n))
        if t == 0xCA:
            return struct.unpack(">f", self.take(4))[0]
        if t == 0xCB:
            return struct.unpack(">d", self.take(8))[0]
        if 0xCC <= t <= 0xCF:
            size = 1 << (t - 0xCC)
            v = self.uint(size)
            smallest = 0 if v < 128 else 1 if v < 2**8 else 2 if v < 2**16 else 4 if v < 2**32 else 8
            if smallest != size:
                self.non_minimal.append(at)
            return v
        if 0xD0 <= t <= 0xD3:
            size = 1 << (t - 0xD0)
            v = self.sint(size)
            if v >= 0:
                self.non_minimal.append(at)      # a positive value belongs in uint/fixint
            else:
                smallest = 0 if v >= -32 else 1 if v >= -2**7 else 2 if v >= -2**15 else 4 if v >= -2**31 else 8
                if smallest != size:
                    self.non_minimal.append(at)
            return v
        if t in (0xD9, 0xDA, 0xDB):
            n = self.uint(1 << (t - 0xD9))
            smallest = 0xA0 if n < 32 else 0xD9 if n < 2**8 else 0xDA if n < 2**16 else 0xDB
            if smallest != t:
                self.non_minimal.append(at)
            return self._str(n)
        if t in (0xDC, 0xDD):
            n = self.uint(2 if t == 0xDC else 4)
            if n < 16 or (t == 0xDD and n < 2**16):
                self.non_minimal.append(at)
            return self._array(n, depth)
        if t in (0xDE, 0xDF):
            n = self.uint(2 if t == 0xDE else 4)
            if n < 16 or (t == 0xDF and n < 2**16):
                self.non_minimal.append(at)
            return self._map(n, depth)
        raise MsgpackError(f"type byte 0x{t:02x} at {at} not supported")

    def _str(self, n):
        return self.take(n).decode("utf-8", "surrogateescape")

    def _array(self, n, depth):
        return [self.value(depth + 1) for _ in range(n)]

    def _map(self, n, depth):
        out = Pairs()
        for _ in range(n):
            k = self.value(depth + 1)
            out.append((k, self.value(depth + 1)))
        return out


def msgpack_decode(data):
    """(value, reader) of a whole buffer; raises MsgpackError on trailing bytes."""
    r = MsgpackReader(data)
    v = r.value()
    if r.pos != len(data):
        raise MsgpackError(f"{len(data) - r.pos} trailing bytes")
    return v, r


def plain(v):
    """Pairs -> dict (duplicate keys are an error here), recursively."""
    if isinstance(v, Pairs):
        keys = [k for k, _ in v]
        if len(set(map(repr, keys))) != len(keys):
            raise AssertionError(f"duplicate keys in {v!r}")
        return {k: plain(x) for k, x in v}
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v


def json_pairs(data):
    """JSON bytes -> value with maps as Pairs; invalid UTF-8 kept as surrogates."""
    return json.loads(data.decode("utf-8", "surrogateescape"),
                      object_pairs_hook=Pairs, parse_constant=_no_constant)


def _no_constant(name):
    raise ValueError(f"not JSON: {name}")


# ---------------------------------------------------------------------------
# check: broken schemas and how they are reported
# ---------------------------------------------------------------------------

class SchemaCheckCase(unittest.TestCase):
    """Base of the check tests (no tests of its own). Each broken schema is
    written to a temp file and given to the CLI with --check; assertReports
    asserts exit 1 and `file:line: message` on stderr."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="ugw-codegen-test-")
        self.addCleanup(self.tmp.cleanup)

    def check_text(self, text, args=()):
        path = os.path.join(self.tmp.name, "broken.toml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path, run_codegen("--check", "--schema", path, *args)

    def assertReports(self, text, line, fragment, args=()):
        """The CLI (with more `args`, e.g. a prefix) exits 1 and prints
        `<file>:<line>: ...fragment...`."""
        path, p = self.check_text(text, args)
        self.assertEqual(p.returncode, 1, f"exit status; stderr:\n{p.stderr}")
        self.assertEqual(p.stdout, "", "--check writes nothing to stdout")
        lines = p.stderr.splitlines()
        want = f"{path}:{line}: "
        hits = [ln for ln in lines if ln.startswith(want) and fragment in ln]
        self.assertTrue(hits, f"no line starting {want!r} containing {fragment!r} in:\n{p.stderr}")
        # Every error line has the file:line: form (the summary line aside).
        for ln in lines:
            if ln.startswith("ugw codegen:"):
                continue
            self.assertRegex(ln, r"^" + re.escape(path) + r":\d+: \S")
        return p.stderr


    def _field_key_line(self, text, field, key):
        start = line_of(text, f"[field.{field}]")
        lines = text.splitlines()
        for i in range(start, len(lines)):
            if lines[i].startswith("[") :
                break
            if re.match(rf"\s*{re.escape(key)}\s*=", lines[i]):
                return i + 1
        raise AssertionError(f"test setup: no {key} in [field.{field}]")

    def _set_field_key(self, field, key, value):
        """Schema text with `key = value` in [field.<field>] (replacing the key)."""
        line = self._field_key_line(SCHEMA_TEXT, field, key)
        lines = SCHEMA_TEXT.splitlines(keepends=True)
        lines[line - 1] = f"{key} = {value}\n"
        return "".join(lines), line

    def _drop_field_key(self, field, key):
        line = self._field_key_line(SCHEMA_TEXT, field, key)
        lines = SCHEMA_TEXT.splitlines(keepends=True)
        del lines[line - 1]
        return "".join(lines)

    def _add_field_key(self, field, text_line):
        """Inserts `text_line` right after the [field.<field>] header; returns (text, line)."""
        start = line_of(SCHEMA_TEXT, f"[field.{field}]")
        lines = SCHEMA_TEXT.splitlines(keepends=True)
        lines.insert(start, text_line + "\n")
        return "".join(lines), start + 1

    def _add_field(self, name, body, used_by=None):
        """Appends [field.<name>] before the first [[event]] and, optionally,
        adds it to the fields of event `used_by`. Returns (text, header line)."""
        block = f"[field.{name}]\n{body}\n\n"
        text = edit_nth(SCHEMA_TEXT, "\n[[event]]\n", "\n" + block + "[[event]]\n", 1)
        if used_by:
            start = line_of(text, f'id = "{used_by}"')
            lines = text.splitlines(keepends=True)
            for i in range(start, len(lines)):
                if lines[i].startswith("fields = ["):
                    lines[i] = lines[i].rstrip().rstrip("]") + f', "{name}"]\n'
                    break
            text = "".join(lines)
        return text, line_of(text, f"[field.{name}]")

    STRING_BODY = 'type = "string"\nmax = 10\ndescription = "x"\nexample = "y"'

    # --- schemas that once passed `check` but made C that does not compile.
    # The schemas are built in known_bug(), whose setup is checked by a plain
    # test; CompileGenerated.test_known_bug_schemas_break_the_build shows that
    # each one, given to the model without `check`, does break the C build.

    def known_bug(self, which):
        """(text, line, fragment) of a schema that check should reject."""
        def with_id(new_id):
            text = edit(SCHEMA_TEXT, 'id = "nps_feedback_submit"', f'id = "{new_id}"')
            return text, line_of(text, f'id = "{new_id}"'), f"'{new_id}'"
        if which == "has_flag":
            text, _ = self._add_field("hasSurveyId", 'type = "int"\nmin = 0\nmax = 1\ndescription = "x"\nexample = 1',
                                      used_by="nps_survey_display")
            return text, line_of(text, 'fields = ["userId", "pageUrl", "surveyId", "hasSurveyId"]'), "has_survey_id"
        if which == "quoted_key":
            text, line = self._add_field_key("guideName", '"requird" = true')
            return text, line, "unknown key 'requird'"
        if which == "key_in_multiline_string":
            old = '[field.guideName]\ntype = "string"\nmax = 512\ndescription = "Name of the guide."'
            text = edit(SCHEMA_TEXT, old, '[field.guideName]\ntype = "string"\n'
                        'description = """Name\nmax = 3\nof the guide."""\nmax = 100000000')
            return text, line_of(text, "max = 100000000"), "field 'guideName': bad limit"
        if which == "comment":
            text = edit(SCHEMA_TEXT, 'event = "guide completed (userguiding)"', 'event = "guide */ completed"')
            return text, line_of(text, 'event = "guide */ completed"'), "*/"
        return with_id(which)

    KNOWN_BUGS = ("none", "count", "encode", "decode_opts", "field_desc", "fixture", "schema_events",
                  "utf8_check", "guide_preview_start_validate", "has_flag", "comment",
                  "quoted_key", "key_in_multiline_string")
    # The C name each event id above makes that is already taken.
    TAKEN = {"none": "UGW_EVENT_NONE", "count": "UGW_EVENT_COUNT", "encode": "ugw_encode",
             "decode_opts": "ugw_decode_opts", "field_desc": "ugw_field_desc", "fixture": "ugw_fixture",
             "schema_events": "ugw_schema_events", "utf8_check": "ugw_utf8_check",
             "guide_preview_start_validate": "ugw_guide_preview_start_validate"}


# ---------------------------------------------------------------------------
# diff: two versions of a schema and the changes between them
# ---------------------------------------------------------------------------

class SchemaDiffCase(unittest.TestCase):
    """Base of the `diff` tests (no tests of its own): OLD_TEXT is written to
    self.old in a temporary folder kept for the class; write() puts another
    schema beside it, verdicts() gives the (kind, receivers, senders) of the
    changes from self.old to a text, assertVerdicts() checks a table of cases."""

    OLD_TEXT = None

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="ugw-diff-")
        cls.old = cls.write("old.toml", cls.OLD_TEXT)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    @classmethod
    def write(cls, name, text):
        path = os.path.join(cls.tmp.name, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def verdicts(self, text, old=None):
        """The changes from `old` (a path; self.old by default) to `text`."""
        from ugwgen import diff as diff_mod
        new = self.write("new.toml", text)
        return {(c.kind, c.receivers, c.senders)
                for c in diff_mod.compare(diff_mod.side(old or self.old), diff_mod.side(new))}

    def assertVerdicts(self, cases):
        """cases: name -> (change of OLD_TEXT, expected verdicts), one subtest each."""
        for name, (change, expected) in cases.items():
            with self.subTest(case=name):
                self.assertEqual(self.verdicts(change(self.OLD_TEXT)), expected)


# ---------------------------------------------------------------------------
# the generated C compiles, whatever text the schema holds
# ---------------------------------------------------------------------------

def _c_compiler():
    for cc in (os.environ.get("CC"), "cc", "gcc", "clang"):
        if cc and shutil.which(cc):
            return shutil.which(cc)
    return None


CC = _c_compiler()
CFLAGS = ["-std=c11", "-Wall", "-Wextra", "-Werror", "-Wshadow", "-Wstrict-prototypes",
          "-Wmissing-prototypes", "-Wcomment", "-Wtrigraphs", "-pedantic-errors", "-fsyntax-only"]

# Schema text with comment delimiters, trigraphs, quotes and backslashes in
# every free-text place, tabs and line breaks where check() allows them (not in
# event strings); each piece carries a marker zqN so
# that the test can tell that it stayed inside a comment or a literal.
NASTY_EDITS = (
    ('event = "guide completed (userguiding)"',
     r'event = "zq1 guide */ completed /* x ??/ y ??= \\ \"q\" end\\"'),
    ('aliases = ["Checklist item trigger (userguiding)"]',
     r'aliases = ["zq2 Checklist */ item trigger", "zq3 a*/*/b ??/"]'),
    ('description = "The first step of a guide was shown."',
     'description = """zq4 Ends */ early\nand /* nests ??/\\\\\n"""'),
    ('description = "Name of the guide."', r'description = "zq5 name */ here ??/ \\"'),
    ('example = "Onboarding tour"', r'example = "zq6 Tour */ ??/ \"x\" \\"'),
)
NASTY_NAME = "zq7 odd*/name/*\n??/x"


def nasty_schema():
    text = SCHEMA_TEXT
    for old, new in NASTY_EDITS:
        text = edit(text, old, new)
    return text


def generate_unchecked(text, out, tweak=None):
    """Generation without `check` (what the CLI would write if check let it pass)."""
    from ugwgen import render as render_mod
    m = model_mod.build(load_mod.load("schema.toml", text=text), "schema.toml")
    if tweak:
        tweak(m)
    render_mod.write(render_mod.render(m), out)


# ---------------------------------------------------------------------------
# the model
# ---------------------------------------------------------------------------

def build_model(text=SCHEMA_TEXT, name="schema/events.toml"):
    loc = load_mod.load("schema.toml", text=text)
    errors = check_mod.check(loc)
    if errors:
        raise AssertionError("\n".join(errors))
    return model_mod.build(loc, name)


def fingerprints(m):
    return {e.id: e.fingerprint for e in m.events}


# ---------------------------------------------------------------------------
# fixtures
# ---------------------------------------------------------------------------

FIELDS = SCHEMA_DATA["field"]
EVENTS = SCHEMA_DATA["event"]
WIRES = {}
for _e in EVENTS:
    for _w in [_e["event"], *_e.get("aliases", [])]:
        WIRES[_w] = _e


def field_limits(name):
    d = FIELDS[name]
    if d["type"] == "id":
        return 0, ID_MAX
    return d.get("min", 0), d["max"]


def expected_document(ev):
    """The valid fixture's data, straight from the TOML (not from the model)."""
    return {"event": ev["event"], "payload": {f: FIELDS[f]["example"] for f in ev["fields"]}}


def read_fixture(rel):
    with open(os.path.join(GENERATED, "fixtures", rel), "rb") as f:
        return f.read()


