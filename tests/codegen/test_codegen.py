"""Tests of the ugw code generator (codegen/ugw_codegen.py and codegen/ugwgen/).

Run from anywhere:
    /usr/bin/python3 -m unittest discover -s tests/codegen -v
    /usr/bin/python3 tests/codegen/test_codegen.py -v

Needs only the standard library and jinja2 (for the generator itself). The
repository is found from this file's own path.

What is covered:
  - check: every kind of schema mistake is reported as `file:line: message`
    with the right line, and the CLI (--check) exits 1; this includes every
    C name clash (an event id making a name the runtime or the generated code
    already declares, or that another event makes; two struct members alike);
  - load: the line index reads TOML (quoted and dotted keys, strings and
    arrays over several lines, inline tables);
  - names: every ugw_*/UGW_* name in a generation is one check knows of;
  - the generated C compiles (when a C compiler is found), also with comment
    delimiters, trigraphs and line breaks in every free-text place of the
    schema, and the schemas check refuses do break the build;
  - the real schema checks clean;
  - determinism, banners, no absolute paths or timestamps;
  - the checked-in generated/ equals a fresh generation;
  - the model: C names, JSON keys, MessagePack key literals, fingerprints;
  - fixtures: valid JSON equals Python's json.dumps, valid MessagePack decodes
    (with the small independent decoder below) to the same data, and the
    invalid corpus and its MANIFEST.tsv agree with each other and with the
    schema.
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

sys.path.insert(0, os.path.join(ROOT, "codegen"))
from ugwgen import VERSION, load as load_mod, check as check_mod, model as model_mod, names as names_mod  # noqa: E402

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


class MsgpackDecoderSelfTest(unittest.TestCase):
    """The decoder used below is itself checked on known bytes (from the spec)."""

    def test_known_bytes(self):
        cases = [
            (b"\x00", 0), (b"\x7f", 127), (b"\xcc\x80", 128), (b"\xcd\x01\x00", 256),
            (b"\xce\x00\x01\x00\x00", 65536), (b"\xcf\x00\x20\x00\x00\x00\x00\x00\x00", 2**53),
            (b"\xff", -1), (b"\xe0", -32), (b"\xd0\xdf", -33), (b"\xd1\xff\x7f", -129),
            (b"\xc0", None), (b"\xc2", False), (b"\xc3", True),
            (b"\xa3abc", "abc"), (b"\xd9\x20" + b"a" * 32, "a" * 32),
            (b"\x92\x01\xa1x", [1, "x"]), (b"\x81\xa1a\x01", {"a": 1}),
            (b"\xcb\x40\x23\x00\x00\x00\x00\x00\x00", 9.5),
        ]
        for data, want in cases:
            with self.subTest(data=data):
                v, r = msgpack_decode(data)
                self.assertEqual(plain(v), want)
                self.assertEqual(r.non_minimal, [])

    def test_flags_non_minimal_and_rejects_bad_input(self):
        _, r = msgpack_decode(b"\xcc\x05")
        self.assertEqual(r.non_minimal, [0])
        _, r = msgpack_decode(b"\xd9\x01a")
        self.assertEqual(r.non_minimal, [0])
        for bad in (b"", b"\xc1", b"\xa3ab", b"\x81\xa1a", b"\x01\x02"):
            with self.subTest(bad=bad), self.assertRaises(MsgpackError):
                msgpack_decode(bad)


# ---------------------------------------------------------------------------
# check: one test per kind of mistake
# ---------------------------------------------------------------------------

class CheckErrors(unittest.TestCase):
    """Each broken schema is written to a temp file and given to the CLI with
    --check; the test asserts exit 1 and `file:line: message` on stderr."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="ugw-codegen-test-")
        self.addCleanup(self.tmp.cleanup)

    def check_text(self, text):
        path = os.path.join(self.tmp.name, "broken.toml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path, run_codegen("--check", "--schema", path)

    def assertReports(self, text, line, fragment):
        """The CLI exits 1 and prints `<file>:<line>: ...fragment...`."""
        path, p = self.check_text(text)
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

    # --- events ---

    def test_duplicate_event_id(self):
        text = edit(SCHEMA_TEXT, 'id = "guide_preview_complete"', 'id = "guide_preview_start"')
        first = line_of(text, 'id = "guide_preview_start"', 1)
        second = line_of(text, 'id = "guide_preview_start"', 2)
        self.assertReports(text, second, f"duplicate event id 'guide_preview_start' (first at line {first})")

    def test_duplicate_event_string(self):
        text = edit(SCHEMA_TEXT, 'event = "guide completed (userguiding)"',
                    'event = "guide started (userguiding)"')
        self.assertReports(text, line_of(text, 'event = "guide started (userguiding)"', 2),
                           "duplicate event string 'guide started (userguiding)' "
                           "(also used by event 'guide_preview_start')")

    def test_alias_duplicates_other_event_string(self):
        text = edit(SCHEMA_TEXT, 'aliases = ["Resource center guide trigger (userguiding)"]',
                    'aliases = ["Resource center guide trigger (userguiding)", '
                    '"checklist item triggered (userguiding)"]')
        self.assertReports(text, line_of(text, '"checklist item triggered (userguiding)"]'),
                           "duplicate event string 'checklist item triggered (userguiding)' "
                           "(also used by event 'checklist_item_trigger')")

    def test_alias_duplicates_other_alias(self):
        text = edit(SCHEMA_TEXT, 'aliases = ["Resource center guide trigger (userguiding)"]',
                    'aliases = ["Checklist item trigger (userguiding)"]')
        self.assertReports(text, line_of(text, 'aliases = ["Checklist item trigger', 2),
                           "duplicate event string 'Checklist item trigger (userguiding)'")

    def test_event_string_with_control_character(self):
        text = edit(SCHEMA_TEXT, 'event = "nps score submit (userguiding)"',
                    'event = "nps score\\u0000submit (userguiding)"')
        self.assertReports(text, line_of(text, 'event = "nps score\\u0000submit'),
                           "has a control character or a lone surrogate")

    def test_alias_with_control_character(self):
        text = edit(SCHEMA_TEXT, 'aliases = ["Checklist item trigger (userguiding)"]',
                    'aliases = ["Checklist item\\ttrigger (userguiding)"]')
        self.assertReports(text, line_of(text, 'aliases = ["Checklist item\\t'),
                           "has a control character or a lone surrogate")

    def test_event_id_is_c_keyword(self):
        for kw in ("default", "int", "switch"):
            with self.subTest(kw=kw):
                text = edit(SCHEMA_TEXT, 'id = "nps_feedback_submit"', f'id = "{kw}"')
                self.assertReports(text, line_of(text, f'id = "{kw}"'),
                                   f"event id '{kw}' collides with a C keyword")

    def test_event_id_not_snake_case(self):
        text = edit(SCHEMA_TEXT, 'id = "nps_feedback_submit"', 'id = "NpsFeedback"')
        self.assertReports(text, line_of(text, 'id = "NpsFeedback"'), "'id' must be lower_snake_case")

    def test_event_id_collides_with_runtime_name(self):
        text = edit(SCHEMA_TEXT, 'id = "nps_feedback_submit"', 'id = "decoder"')
        self.assertReports(text, line_of(text, 'id = "decoder"'), "collides with a runtime name (ugw_decoder)")

    def test_duplicate_field_in_event_fields(self):
        old = 'fields = ["userId", "pageUrl", "question", "score"]'
        text = edit(SCHEMA_TEXT, old, 'fields = ["userId", "pageUrl", "question", "score", "question"]')
        self.assertReports(text, line_of(text, '"score", "question"]'),
                           "event 'nps_score_submit': duplicate field 'question'")

    def test_duplicate_field_in_multiline_fields(self):
        old = 'fields = ["userId", "pageUrl", "question", "score"]'
        text = edit(SCHEMA_TEXT, old, 'fields = [\n  "userId",\n  "pageUrl",\n  "userId",\n  "score",\n]')
        self.assertReports(text, text.splitlines().index("fields = [") + 1,
                           "event 'nps_score_submit': duplicate field 'userId'")

    def test_duplicate_field_definition(self):
        # TOML itself forbids a table twice; the line is the second header.
        text = edit_nth(SCHEMA_TEXT, "\n[[event]]\n", '\n[field.score]\ntype = "int"\nmin = 0\nmax = 5\n'
                        'description = "again"\nexample = 1\n\n[[event]]\n', 1)
        self.assertReports(text, line_of(text, "[field.score]", 2), "Cannot declare")

    def test_field_referenced_but_not_defined(self):
        old = 'fields = ["userId", "pageUrl", "hotspotGroupId", "hotspotGroupName", "hotspotId", "hotspotTitle"]'
        text = edit(SCHEMA_TEXT, old, old.replace('"hotspotTitle"', '"hotspotTitel"'))
        self.assertReports(text, line_of(text, '"hotspotTitel"'),
                           "event 'hotspot_interaction': unknown field 'hotspotTitel' (no [field.hotspotTitel] table)")

    def test_optional_field_not_in_fields(self):
        text = edit(SCHEMA_TEXT, 'optional = ["surveyId"]', 'optional = ["guideId"]')
        self.assertReports(text, line_of(text, 'optional = ["guideId"]'),
                           "event 'nps_survey_display': optional field 'guideId' is not in 'fields'")

    def test_unknown_key_in_event(self):
        text = edit(SCHEMA_TEXT, 'optional = ["surveyId"]', 'optionnal = ["surveyId"]')
        self.assertReports(text, line_of(text, "optionnal ="), "unknown key 'optionnal'")

    def test_event_without_fields(self):
        text = edit(SCHEMA_TEXT, 'fields = ["userId", "pageUrl", "question", "feedback"]', "fields = []")
        self.assertReports(text, line_of(text, "fields = []"),
                           "event 'nps_feedback_submit': 'fields' must be a non-empty list")

    # --- fields ---

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

    def test_unknown_type(self):
        text, line = self._set_field_key("guideName", "type", '"strng"')
        self.assertReports(text, line, "field 'guideName': unknown type 'strng' (expected one of id, string, url, int)")

    def test_missing_type(self):
        text = self._drop_field_key("guideName", "type")
        self.assertReports(text, line_of(text, "[field.guideName]"), "field 'guideName': unknown type None")

    def test_bad_limit_string_min_above_max(self):
        text, line = self._set_field_key("userId", "min", "300")
        self.assertReports(text, line, "field 'userId': bad limit: need 0 <= min <= max")

    def test_bad_limit_int_min_above_max(self):
        # Reported on the `min` line, as for strings (test_bad_limit_string_min_above_max).
        text, line = self._set_field_key("score", "min", "11")
        self.assertNotEqual(line, self._field_key_line(text, "score", "max"))
        self.assertReports(text, line, "field 'score': bad limit")

    def test_bad_limit_int_outside_64_bits(self):
        # TOML parsers may take integers past 64 bits: the line is the bound at fault.
        text, line = self._set_field_key("score", "max", str(2**63))
        self.assertReports(text, line, "field 'score': bad limit: need")
        text, line = self._set_field_key("score", "min", str(-2**63 - 1))
        self.assertReports(text, line, "field 'score': bad limit: need")

    def test_bad_limit_missing_max_for_string(self):
        text = self._drop_field_key("guideName", "max")
        self.assertReports(text, self._field_key_line(text, "guideName", "type"),
                           "field 'guideName': type string needs 'max'")

    def test_bad_limit_missing_max_for_url(self):
        text = self._drop_field_key("externalUrl", "max")
        self.assertReports(text, self._field_key_line(text, "externalUrl", "type"),
                           "field 'externalUrl': type url needs 'max'")

    def test_bad_limit_url_max_over_2048(self):
        text, line = self._set_field_key("pageUrl", "max", "2049")
        self.assertReports(text, line, "field 'pageUrl': bad limit: max must be 1..2048")

    def test_bad_limit_zero_max(self):
        text, line = self._set_field_key("question", "max", "0")
        self.assertReports(text, line, "field 'question': bad limit: max must be 1..")

    def test_bad_limit_max_on_id(self):
        text, line = self._add_field_key("guideId", "max = 10")
        self.assertReports(text, line, "field 'guideId': type id takes no min or max")

    def test_bad_limit_min_on_id(self):
        text, line = self._add_field_key("surveyId", "min = 1")
        self.assertReports(text, line, "field 'surveyId': type id takes no min or max")

    def test_bad_limit_int_without_bounds(self):
        text = self._drop_field_key("score", "min")
        self.assertReports(text, self._field_key_line(text, "score", "type"),
                           "field 'score': type int needs both min and max")

    def test_bad_limit_not_an_integer(self):
        text, line = self._set_field_key("guideName", "max", '"512"')
        self.assertReports(text, line, "field 'guideName': 'max' must be an integer")

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

    def test_field_name_is_c_keyword_int(self):
        text, line = self._add_field("int", self.STRING_BODY, used_by="nps_score_submit")
        self.assertReports(text, line, "field name 'int' collides with the C keyword 'int'")

    def test_field_name_is_c_keyword_default(self):
        text, line = self._add_field("default", self.STRING_BODY, used_by="nps_score_submit")
        self.assertReports(text, line, "field name 'default' collides with the C keyword 'default'")

    def test_field_c_name_is_c_keyword(self):
        # `Int` is no keyword, but its C member name `int` is.
        text, line = self._add_field("Int", self.STRING_BODY, used_by="nps_score_submit")
        self.assertReports(text, line, "field name 'Int' collides with the C keyword 'int'")

    def test_field_type_is_not_a_keyword(self):
        # `type` is a fine C member name: no error for it.
        text, _ = self._add_field("type", self.STRING_BODY, used_by="nps_score_submit")
        _, p = self.check_text(text)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_two_fields_same_c_name(self):
        text, line = self._add_field("userID", self.STRING_BODY)
        self.assertReports(text, line, "field 'userID' has the same C name 'user_id' as field 'userId'")

    def test_field_name_not_identifier(self):
        text, line = self._add_field('"user-id"', self.STRING_BODY)
        self.assertReports(text, line, "field name 'user-id' must be letters and digits")

    def test_unknown_key_in_field(self):
        text, line = self._add_field_key("userId", "requird = true")
        self.assertReports(text, line, "field 'userId': unknown key 'requird'")

    def test_field_without_description(self):
        text = self._drop_field_key("hotspotTitle", "description")
        self.assertReports(text, line_of(text, "[field.hotspotTitle]"), "field 'hotspotTitle': needs a 'description'")

    def test_field_without_example(self):
        text = self._drop_field_key("hotspotTitle", "example")
        self.assertReports(text, line_of(text, "[field.hotspotTitle]"), "field 'hotspotTitle': needs an 'example'")

    # --- examples that break their own field's rules ---

    def test_example_int_out_of_range(self):
        text, line = self._set_field_key("score", "example", "11")
        self.assertReports(text, line, "field 'score': example must be an integer from 0 to 10")

    def test_example_id_too_large(self):
        text, line = self._set_field_key("guideId", "example", str(2**53))
        self.assertReports(text, line, "field 'guideId': example must be an integer from 0 to 2^53-1")

    def test_example_id_as_string(self):
        text, line = self._set_field_key("guideId", "example", '"1"')
        self.assertReports(text, line, "field 'guideId': example must be an integer")

    def test_example_string_too_short(self):
        text, line = self._set_field_key("userId", "example", '""')
        self.assertReports(text, line, "field 'userId': example length 0 is outside 1..256")

    def test_example_string_too_long_in_bytes(self):
        text, _ = self._set_field_key("hotspotId", "max", "4")
        line = self._field_key_line(text, "hotspotId", "example")
        text = edit(text, 'example = "hs-3"', 'example = "h\\u00e9\\u00e9"')  # 5 bytes, 3 characters
        self.assertReports(text, line, "field 'hotspotId': example length 5 is outside 0..4")

    def test_example_string_with_nul(self):
        text, line = self._set_field_key("hotspotId", "example", '"a\\u0000b"')
        self.assertReports(text, line, "field 'hotspotId': example must not contain NUL")

    def test_example_url_not_absolute(self):
        text, line = self._set_field_key("externalUrl", "example", '"/docs/start"')
        self.assertReports(text, line, "field 'externalUrl': example must be an absolute http(s) URL")

    def test_example_url_with_space(self):
        text, line = self._set_field_key("articleLink", "example", '"https://help.example.com/a b"')
        self.assertReports(text, line, "field 'articleLink': example must be an absolute http(s) URL")

    def test_example_wrong_type(self):
        text, line = self._set_field_key("guideName", "example", "5")
        self.assertReports(text, line, "field 'guideName': example must be a string")

    # --- top level ---

    def test_toml_syntax_error(self):
        line = self._field_key_line(SCHEMA_TEXT, "question", "max")
        lines = SCHEMA_TEXT.splitlines(keepends=True)
        lines[line - 1] = "max = \n"
        self.assertReports("".join(lines), line, "Invalid value")

    def test_toml_unterminated_string(self):
        line = self._field_key_line(SCHEMA_TEXT, "checklistName", "description")
        lines = SCHEMA_TEXT.splitlines(keepends=True)
        lines[line - 1] = 'description = "Name of the checklist.\n'
        self.assertReports("".join(lines), line, "Illegal character")

    def test_missing_version(self):
        text = edit(SCHEMA_TEXT, "\nversion = 1\n", "\n")
        self.assertReports(text, 1, "'version' must be a positive integer")

    def test_bad_version(self):
        text = edit(SCHEMA_TEXT, "\nversion = 1\n", '\nversion = "1"\n')
        self.assertReports(text, line_of(text, 'version = "1"'), "'version' must be a positive integer")

    def test_unknown_top_level_key(self):
        text = edit(SCHEMA_TEXT, "\nversion = 1\n", "\nversion = 1\nverison = 2\n")
        self.assertReports(text, line_of(text, "verison = 2"), "unknown top-level key 'verison'")

    def test_no_events(self):
        text = SCHEMA_TEXT[:SCHEMA_TEXT.index("\n[[event]]\n") + 1]
        self.assertIn("[field.articleLink]", text)
        self.assertReports(text, 1, "the schema needs at least one [[event]]")

    def test_not_utf8(self):
        path = os.path.join(self.tmp.name, "latin1.toml")
        with open(path, "wb") as f:
            f.write(SCHEMA_TEXT.encode("utf-8").replace(b"Onboarding tour", b"Onboarding \xe9tape", 1))
        p = run_codegen("--check", "--schema", path)
        self.assertEqual(p.returncode, 1)
        self.assertIn(f"{path}:1: not UTF-8", p.stderr)

    def test_missing_file(self):
        path = os.path.join(self.tmp.name, "nope.toml")
        p = run_codegen("--check", "--schema", path)
        self.assertEqual(p.returncode, 1)
        self.assertIn(f"{path}:1: cannot read", p.stderr)

    def test_usage_error_exits_2(self):
        p = run_codegen("--no-such-option")
        self.assertEqual(p.returncode, 2)

    def test_every_error_is_reported_not_only_the_first(self):
        text, _ = self._set_field_key("score", "example", "11")
        text = edit(text, 'id = "nps_feedback_submit"', 'id = "switch"')
        text = edit(text, 'optional = ["surveyId"]', 'optional = ["guideId"]')
        _, p = self.check_text(text)
        self.assertEqual(p.returncode, 1)
        self.assertIn("ugw codegen: 3 error(s)", p.stderr)
        self.assertEqual(len([ln for ln in p.stderr.splitlines() if not ln.startswith("ugw codegen:")]), 3)

    def test_broken_schema_writes_nothing(self):
        text, _ = self._set_field_key("score", "example", "11")
        path = os.path.join(self.tmp.name, "broken.toml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        out = os.path.join(self.tmp.name, "out")
        p = run_codegen("--schema", path, "--out", out)
        self.assertEqual(p.returncode, 1)
        self.assertFalse(os.path.exists(out), "a broken schema must not produce output")

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

    def test_known_bug_schemas_are_sound_toml(self):
        for which in self.KNOWN_BUGS:
            with self.subTest(which=which):
                text, line, fragment = self.known_bug(which)
                tomllib.loads(text)
                self.assertGreater(line, 1)

    def test_bug_event_id_making_enum_constant_none(self):
        out = self.assertReports(*self.known_bug("none"))          # UGW_EVENT_NONE twice
        self.assertIn("generated name (UGW_EVENT_NONE) from codegen/templates/events.h.j2:", out)

    def test_bug_event_id_making_macro_event_count(self):
        out = self.assertReports(*self.known_bug("count"))         # UGW_EVENT_COUNT macro vs enum
        self.assertIn("(UGW_EVENT_COUNT)", out)

    def test_bug_event_id_colliding_with_runtime_api(self):
        for name in ("encode", "decode_opts", "field_desc", "fixture", "schema_events", "utf8_check"):
            with self.subTest(name=name):
                out = self.assertReports(*self.known_bug(name))    # ugw_<id> is already taken
                self.assertIn(f"({self.TAKEN[name]})", out)
        out = self.assertReports(*self.known_bug("utf8_check"))
        self.assertRegex(out, r"runtime name \(ugw_utf8_check\) of runtime/ugw_runtime\.h:\d+")

    def test_bug_event_id_colliding_with_other_events_function(self):
        out = self.assertReports(*self.known_bug("guide_preview_start_validate"))
        first = event_block_start(SCHEMA_TEXT, "guide_preview_start")
        self.assertIn(f"a name of event 'guide_preview_start' (ugw_guide_preview_start_validate) at line {first}", out)

    def test_earlier_event_colliding_with_later_events_name(self):
        # Reported at the later event, whichever of the two makes the longer name.
        text = edit(SCHEMA_TEXT, 'id = "guide_preview_start"', 'id = "nps_feedback_submit_encode_json"')
        first = event_block_start(text, "nps_feedback_submit_encode_json")
        self.assertReports(text, event_block_start(text, "nps_feedback_submit"),
                           "event id 'nps_feedback_submit' collides with a name of event "
                           f"'nps_feedback_submit_encode_json' (ugw_nps_feedback_submit_encode_json) at line {first}")

    def test_event_ids_making_the_same_init_macro(self):
        # event_x's UGW_<ID>_INIT is x's UGW_EVENT_<ID>_INIT.
        text = edit(SCHEMA_TEXT, 'id = "guide_preview_start"', 'id = "event_nps_feedback_submit"')
        self.assertReports(text, line_of(text, 'id = "nps_feedback_submit"'),
                           "(UGW_EVENT_NPS_FEEDBACK_SUBMIT_INIT)")

    def test_every_per_event_name_is_checked(self):
        # An id whose ugw_<id>_encode_msgpack, UGW_<ID>_FINGERPRINT, ... is taken.
        for other, suffix in (("guide_preview_start", "_encode_msgpack"), ("guide_preview_start", "_encode_json"),
                              ("nps_score_submit", "_validate")):
            with self.subTest(suffix=suffix):
                text = edit(SCHEMA_TEXT, 'id = "nps_feedback_submit"', f'id = "{other}{suffix}"')
                self.assertReports(text, line_of(text, f'id = "{other}{suffix}"'),
                                   f"a name of event '{other}' (ugw_{other}{suffix})")

    def test_event_id_and_field_named_like_a_c_macro(self):
        # `linux` and `unix` are predefined in GNU C mode; `errno` once errno.h is in.
        for name in ("linux", "errno"):
            with self.subTest(name=name):
                text = edit(SCHEMA_TEXT, 'id = "nps_feedback_submit"', f'id = "{name}"')
                self.assertReports(text, line_of(text, f'id = "{name}"'), f"collides with the C macro '{name}'")
        text, line = self._add_field("unix", self.STRING_BODY, used_by="nps_score_submit")
        self.assertReports(text, line, "field name 'unix' collides with the C macro 'unix'")

    def test_bug_field_colliding_with_has_flag(self):
        out = self.assertReports(*self.known_bug("has_flag"))      # two members has_survey_id
        self.assertIn("struct member 'has_survey_id' of field 'hasSurveyId' collides with the presence flag "
                      "of optional field 'surveyId'", out)

    def test_has_flag_collision_in_either_order(self):
        text, _ = self.known_bug("has_flag")[:2]
        text = edit(text, 'fields = ["userId", "pageUrl", "surveyId", "hasSurveyId"]',
                    'fields = ["userId", "hasSurveyId", "pageUrl", "surveyId"]')
        self.assertReports(text, line_of(text, 'fields = ["userId", "hasSurveyId"'),
                           "struct member 'has_survey_id' of the presence flag of optional field 'surveyId' "
                           "collides with field 'hasSurveyId'")
        # Without `optional`, surveyId has no flag: no clash.
        text = edit(text, 'optional = ["surveyId"]\n', "")
        _, p = self.check_text(text)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_field_macros_cannot_collide(self):
        # UGW_FIELD_<NAME>_MIN/MAX come from the C name, which is unique: two
        # names with one macro are the same-C-name error, and no other.
        self.assertEqual(names_mod.field_macro(check_mod.snake("userID")),
                         names_mod.field_macro(check_mod.snake("userId")))
        text, line = self._add_field("userID", self.STRING_BODY)
        out = self.assertReports(text, line, "has the same C name 'user_id'")
        self.assertIn("ugw codegen: 1 error(s)", out)

    def test_comment_closer_in_schema_text_is_harmless(self):
        # "*/" in an event string used to end the doc comment of events.h; the
        # model now prints comment-safe text (CompileGenerated compiles it).
        text, _, _ = self.known_bug("comment")
        _, p = self.check_text(text)
        self.assertEqual(p.returncode, 0, p.stderr)
        m = build_model(text)
        e = next(e for e in m.events if e.id == "guide_preview_complete")
        self.assertEqual(e.wire, "guide */ completed")
        self.assertEqual(e.wire_doc, "guide * / completed")

    # Wrong lines (load.py's line index reads lines, not TOML):

    def test_bug_line_of_quoted_key(self):
        self.assertReports(*self.known_bug("quoted_key"))    # reported at the table header

    def test_bug_line_of_key_after_multiline_string(self):
        self.assertReports(*self.known_bug("key_in_multiline_string"))  # line inside the string

    def test_line_of_quoted_and_dotted_keys_in_an_event(self):
        text = edit(SCHEMA_TEXT, 'optional = ["surveyId"]', "'optionnal' = [\"surveyId\"]")
        self.assertReports(text, line_of(text, "'optionnal' ="), "unknown key 'optionnal'")
        text = edit(SCHEMA_TEXT, 'optional = ["surveyId"]', '"opt\\u0069onnal" = ["surveyId"]')
        self.assertReports(text, line_of(text, '"opt\\u0069onnal" ='), "unknown key 'optionnal'")
        text = edit(SCHEMA_TEXT, 'optional = ["surveyId"]', 'extra . "x" = 1')
        self.assertReports(text, line_of(text, 'extra . "x" = 1'), "unknown key 'extra'")


class CheckInProcess(unittest.TestCase):
    """The check step as a function: the same messages without the CLI."""

    def test_real_schema_is_clean(self):
        loc = load_mod.load(SCHEMA)
        self.assertEqual(check_mod.check(loc), [])

    def test_real_schema_cli_check(self):
        p = run_codegen("--check", "--schema", "schema/events.toml")
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, "", ""))

    def test_load_error_carries_line(self):
        text = SCHEMA_TEXT.replace("version = 1", "version = = 1", 1)
        with self.assertRaises(load_mod.LoadError) as cm:
            load_mod.load("x.toml", text=text)
        self.assertEqual(cm.exception.line, line_of(text, "version = = 1"))
        self.assertTrue(str(cm.exception).startswith(f"x.toml:{cm.exception.line}: "))


# ---------------------------------------------------------------------------
# load: the line index (TOML read as TOML, not line by line)
# ---------------------------------------------------------------------------

INDEX_TEXT = '''\
# a comment with = and [brackets]
version = 1
"quoted top" = 2
'lit top' = 3
field.dotted.type = "string"   # a dotted key at the top level
field . spaced . max = 5

[field.userId]
type = "string"
"min" = 1
'max' = 2
description = """
nope1 = 99
[field.fake]
"""
example = \'\'\'
nope2 = 'x'
[[event]]
\'\'\'
"esc\\u0061ped" = 1   # escaped
a.b.c = 1
arr = [
  "nope3 = 1",   # a comment with ] and =
  [ 1,
    2 ],
]
tbl = { k = 1, "q" = 2 }
after = 1

[ field . "quoted.name" ]  # spaces and a quoted part
type = "id"

[[event]]
id = "one"
fields = [
  "a",
]
optional = []

[[ event ]]
id = "two"
'event' = "x"
multi = """a \\""" still inside
nope4 = "no"
"""""
last = 1

[other]
k = 1
'''


class LoadIndex(unittest.TestCase):
    """load._index_lines on text made to trip a line-by-line reader."""

    def ln(self, marker, text=INDEX_TEXT):
        return line_of(text, marker)

    def test_text_is_toml(self):
        data = tomllib.loads(INDEX_TEXT)
        self.assertEqual(set(data["field"]["userId"]),
                         {"type", "min", "max", "description", "example", "escaped", "a", "arr", "tbl", "after"})
        self.assertIn("nope1 = 99", data["field"]["userId"]["description"])
        self.assertEqual(data["event"][1]["multi"], 'a """ still inside\nnope4 = "no"\n""')
        self.assertEqual(set(data["field"]), {"dotted", "spaced", "userId", "quoted.name"})

    def check_index(self, text):
        tables, keys = load_mod._index_lines(text)
        ln = lambda marker: self.ln(marker, text)  # noqa: E731
        u = ("field", "userId")
        self.assertEqual(keys[(None, "version")], ln("version = 1"))
        self.assertEqual(keys[(None, "quoted top")], ln('"quoted top"'))
        self.assertEqual(keys[(None, "lit top")], ln("'lit top'"))
        self.assertEqual(tables[("field", "dotted")], ln("field.dotted.type"))
        self.assertEqual(keys[(("field", "dotted"), "type")], ln("field.dotted.type"))
        self.assertEqual(keys[(("field", "spaced"), "max")], ln("field . spaced"))
        self.assertEqual(tables[u], ln("[field.userId]"))
        for key, marker in (("type", 'type = "string"\n"min"'), ("min", '"min" = 1'), ("max", "'max' = 2"),
                            ("description", "description ="), ("example", "example ="),
                            ("escaped", '"esc'), ("a", "a.b.c"), ("arr", "arr = ["), ("tbl", "tbl ="),
                            ("after", "after = 1")):
            with self.subTest(key=key):
                if "\n" in marker:
                    want = text[:text.index(marker)].count("\n") + 1
                else:
                    want = ln(marker)
                self.assertEqual(keys[(u, key)], want)
        self.assertEqual(tables[("field", "quoted.name")], ln('[ field . "quoted.name" ]'))
        self.assertEqual(keys[(("field", "quoted.name"), "type")], ln('type = "id"'))
        self.assertEqual(tables[("event", 0)], text[:text.index('[[event]]\nid = "one"')].count("\n") + 1)
        self.assertEqual(keys[(("event", 0), "id")], ln('id = "one"'))
        self.assertEqual(keys[(("event", 0), "fields")], ln("fields = ["))
        self.assertEqual(keys[(("event", 0), "optional")], ln("optional = []"))
        self.assertEqual(tables[("event", 1)], ln("[[ event ]]"))
        self.assertEqual(keys[(("event", 1), "event")], ln("'event' ="))
        self.assertEqual(keys[(("event", 1), "multi")], ln("multi ="))
        self.assertEqual(keys[(("event", 1), "last")], ln("last = 1"))
        self.assertEqual(tables[("table", "other")], ln("[other]"))
        # Nothing from inside strings or arrays.
        self.assertNotIn(("field", "fake"), tables)
        self.assertNotIn(("event", 2), tables)
        for t, k in keys:
            self.assertFalse(k.startswith("nope"), (t, k))
        self.assertEqual({k for t, k in keys if t == u},
                         {"type", "min", "max", "description", "example", "escaped", "a", "arr", "tbl", "after"})
        self.assertEqual({k for t, k in keys if t == ("event", 1)}, {"id", "event", "multi", "last"})
        self.assertEqual(keys[(("table", "other"), "k")], text.splitlines().index("k = 1") + 1)

    def test_index(self):
        self.check_index(INDEX_TEXT)

    def test_index_with_crlf(self):
        tables, keys = load_mod._index_lines(INDEX_TEXT.replace("\n", "\r\n"))
        self.assertEqual((tables, keys), load_mod._index_lines(INDEX_TEXT))

    def test_events_as_inline_tables(self):
        text = ('version = 1\nevent = [\n  { id = "a", fields = ["x"] },\n  {\'id\' = "b", fields = [\n "y"],'
                ' optional = [] },\n]\n')
        self.assertEqual(tomllib.loads(text)["event"][1]["optional"], [])
        tables, keys = load_mod._index_lines(text)
        self.assertEqual(keys[(None, "event")], 2)
        self.assertEqual((tables[("event", 0)], keys[(("event", 0), "id")]), (3, 3))
        self.assertEqual((tables[("event", 1)], keys[(("event", 1), "id")], keys[(("event", 1), "fields")],
                          keys[(("event", 1), "optional")]), (4, 4, 4, 5))

    def test_located_line_falls_back_to_the_table(self):
        loc = load_mod.load("x.toml", text=INDEX_TEXT)
        self.assertEqual(loc.line(("field", "userId"), "nope"), self.ln("[field.userId]"))
        self.assertEqual(loc.line(("field", "none"), "type"), 1)
        self.assertEqual(loc.line(None, "version"), 2)

    def test_real_schema_every_key_found(self):
        loc = load_mod.load(SCHEMA)
        lines = SCHEMA_TEXT.splitlines()
        for name, fdef in SCHEMA_DATA["field"].items():
            self.assertEqual(lines[loc.tables[("field", name)] - 1], f"[field.{name}]")
            for key in fdef:
                self.assertTrue(lines[loc.keys[(("field", name), key)] - 1].startswith(f"{key} = "), (name, key))
        for i, ev in enumerate(SCHEMA_DATA["event"]):
            self.assertEqual(lines[loc.tables[("event", i)] - 1], "[[event]]")
            for key in ev:
                self.assertTrue(lines[loc.keys[(("event", i), key)] - 1].startswith(f"{key} = "), (i, key))


# ---------------------------------------------------------------------------
# names: what the generated code declares and what it must not redeclare
# ---------------------------------------------------------------------------

def c_identifiers(text):
    """The ugw_*/UGW_* identifiers of C `text`, comments and literals left out."""
    return set(re.findall(r"\b(?:ugw|UGW)_\w*", names_mod.strip_c(text)))


class Names(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        tree = read_tree(GENERATED)
        cls.code = {n: tree[n].decode() for n in ("ugw_events.h", "ugw_events.c", "ugw_fixtures.h", "ugw_fixtures.c")}
        cls.ids = set().union(*(c_identifiers(t) for t in cls.code.values()))

    def test_templates_use_only_known_placeholders(self):
        self.assertEqual(names_mod.template_names().unknown, [])

    def test_per_event_names(self):
        self.assertEqual(set(names_mod.event_names("x_y")), {
            "ugw_x_y", "ugw_x_y_validate", "ugw_x_y_encode_json", "ugw_x_y_encode_msgpack",
            "UGW_EVENT_X_Y", "UGW_X_Y_INIT", "UGW_EVENT_X_Y_INIT", "UGW_X_Y_FINGERPRINT",
            "ugw__x_y_fields", "ugw__x_y_aliases"})
        self.assertEqual(names_mod.field_names("user_id"), ["UGW_FIELD_USER_ID_MIN", "UGW_FIELD_USER_ID_MAX"])

    def test_fixed_names(self):
        fixed = names_mod.fixed_names()
        for n in ("ugw_event", "ugw_event_type", "ugw_schema_events", "ugw_fixtures", "ugw_fixture",
                  "ugw_encode", "ugw_encode_json", "ugw_encode_msgpack", "ugw_decode", "ugw_decode_json",
                  "ugw_decode_msgpack", "ugw_event_validate", "ugw_event_describe", "ugw_event_wire_name",
                  "ugw_event_id", "ugw_event_from_wire", "ugw__events", "UGW_EVENT_COUNT", "UGW_EVENT_NONE",
                  "UGW_SCHEMA_VERSION", "UGW_CODEGEN_VERSION", "UGW_GENERATED_ABI", "UGW_EVENTS_H",
                  "UGW_FIXTURES_H", "UGW__TYPE", "UGW__PAYLOAD"):
            self.assertIn(n, fixed)
        self.assertRegex(fixed["UGW_EVENT_NONE"], r"^codegen/templates/events\.h\.j2:\d+$")
        # Each is really printed (so the scan of the templates reads code, not noise).
        self.assertLessEqual(set(fixed), self.ids)

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
        rt = names_mod.runtime_names()
        for n in ("ugw_decoder", "ugw_decode_opts", "ugw_field_desc", "ugw_utf8_check", "UGW_RUNTIME_ABI",
                  "UGW_ERR_SYNTAX", "ugw__validate", "UGW_STR"):
            self.assertIn(n, rt)
        self.assertRegex(rt["ugw_utf8_check"], r"^runtime/ugw_runtime\.h:\d+$")
        line = int(rt["ugw_utf8_check"].rsplit(":", 1)[1])
        with open(os.path.join(ROOT, "runtime", "ugw_runtime.h"), encoding="utf-8") as f:
            self.assertIn("ugw_utf8_check", f.read().splitlines()[line - 1])

    def test_runtime_names_skip_comments_and_strings(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "a.h"), "w") as f:
                f.write('/* ugw_in_comment\n ugw_in_comment2 */ int ugw_real; // ugw_line_comment\n'
                        '#include "ugw_in_string.h"\nchar c = \'"\'; /* it\'s */ int ugw_after_quote;\n'
                        '#define UGW_MACRO(x) x\n')
            with open(os.path.join(d, "b.txt"), "w") as f:
                f.write("int ugw_not_a_header;\n")
            rt = names_mod.runtime_names(d)
            self.assertEqual({n: where.rsplit(":", 1)[1] for n, where in rt.items()},
                             {"ugw_real": "2", "ugw_after_quote": "4", "UGW_MACRO": "5"})
            self.assertTrue(rt["ugw_real"].endswith("/a.h:2"), rt)
        self.assertEqual(names_mod.runtime_names(os.path.join(ROOT, "no-such-dir")), {})

    def test_template_scan(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "t.h.j2"), "w") as f:
                f.write('{# ugw_jinja_comment #}/* ugw_c_comment */ "ugw_string"\n'
                        "int ugw_fixed_one;\n#define UGW_{{ e.macro }}_THING ugw_{{ e.id }}\n"
                        "int UGW_F_{{ f.macro }};\nint ugw_{% if x %}a{% endif %};\n"
                        "int ugw_{{ m.other }}_x;\n")
            t = names_mod.template_names(d)
            self.assertEqual(list(t.fixed), ["ugw_fixed_one", "UGW_EVENTS_H", "UGW_FIXTURES_H"])
            self.assertEqual([p for p, _ in t.event], ["UGW_{{ e.macro }}_THING", "ugw_{{ e.id }}"])
            self.assertEqual([p for p, _ in t.field], ["UGW_F_{{ f.macro }}"])
            self.assertEqual([p for p, _ in t.unknown], ["ugw_", "ugw_{{ m.other }}_x"])

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
            p = run_codegen("--quiet", "--schema", "schema/events.toml", "--out", out, env=env)
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
        for need in ("ugw_events.h", "ugw_events.c", "ugw_fixtures.h", "ugw_fixtures.c",
                     "fixtures/README.md", "fixtures/invalid/MANIFEST.tsv"):
            self.assertIn(need, names)
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
        h = self.tree["ugw_events.h"].decode()
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
            p = run_codegen("--schema", "schema/events.toml", "--out", d)
            self.assertEqual(p.returncode, 0, p.stderr)
            stale = os.path.join(d, "fixtures", "valid", "gone.json")
            with open(stale, "wb") as f:
                f.write(b"{}")
            mtime = os.stat(os.path.join(d, "ugw_events.h")).st_mtime_ns
            p = run_codegen("--schema", "schema/events.toml", "--out", d)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("1 changed", p.stdout)
            self.assertFalse(os.path.exists(stale))
            self.assertEqual(os.stat(os.path.join(d, "ugw_events.h")).st_mtime_ns, mtime)
            self.assertEqual(read_tree(d), self.tree)


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


@unittest.skipUnless(CC, "no C compiler")
class CompileGenerated(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="ugw-codegen-cc-")
        self.addCleanup(self.tmp.cleanup)

    def compile(self, out):
        return subprocess.run([CC, *CFLAGS, "-I", out, "-I", os.path.join(ROOT, "runtime"),
                               os.path.join(out, "ugw_events.c"), os.path.join(out, "ugw_fixtures.c")],
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
        p = run_codegen("--quiet", "--schema", path, "--name", NASTY_NAME, "--out", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        tree = read_tree(out)
        seen = set()
        for name in ("ugw_events.h", "ugw_events.c", "ugw_fixtures.h", "ugw_fixtures.c"):
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
        generate_unchecked(CheckErrors().known_bug("comment")[0], out, tweak=raw)
        p = self.compile(out)
        self.assertNotEqual(p.returncode, 0)
        generate_unchecked(CheckErrors().known_bug("comment")[0], out)
        p = self.compile(out)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_known_bug_schemas_break_the_build(self):
        # What `check` now refuses did break the C build.
        for which in (*CheckErrors.TAKEN, "has_flag"):
            with self.subTest(which=which):
                out = os.path.join(self.tmp.name, which)
                generate_unchecked(CheckErrors().known_bug(which)[0], out)
                p = self.compile(out)
                self.assertNotEqual(p.returncode, 0, f"{which} compiles")


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


class Model(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.m = build_model()
        cls.events = {e.id: e for e in cls.m.events}

    def field(self, event_id, name):
        return next(f for f in self.events[event_id].fields if f.name == name)

    def test_snake_case(self):
        for wire, c in (("userId", "user_id"), ("pageUrl", "page_url"), ("guideId", "guide_id"),
                        ("hotspotGroupId", "hotspot_group_id"), ("resourceCenterName", "resource_center_name"),
                        ("externalURL", "external_url"), ("ctaText", "cta_text"), ("score", "score"),
                        ("step2Id", "step2_id")):
            self.assertEqual(check_mod.snake(wire), c, wire)

    def test_event_and_field_names(self):
        self.assertEqual([e.id for e in self.m.events], [e["id"] for e in SCHEMA_DATA["event"]])
        self.assertEqual([e.number for e in self.m.events], list(range(1, len(SCHEMA_DATA["event"]) + 1)))
        e = self.events["resource_center_checklist_guide_trigger"]
        self.assertEqual(e.macro, "RESOURCE_CENTER_CHECKLIST_GUIDE_TRIGGER")
        self.assertEqual([f.c_name for f in e.fields],
                         ["user_id", "page_url", "resource_center_id", "resource_center_name",
                          "checklist_id", "checklist_name", "guide_id", "guide_name"])
        f = self.field("guide_preview_start", "userId")
        self.assertEqual((f.c_name, f.macro, f.c_type, f.path, f.type_enum),
                         ("user_id", "USER_ID", "ugw_str", "payload.userId", "UGW_TYPE_STRING"))
        self.assertEqual((f.min, f.max, f.required), (1, 256, True))
        g = self.field("guide_preview_start", "guideId")
        self.assertEqual((g.c_type, g.min, g.max), ("uint64_t", 0, ID_MAX))
        s = self.field("nps_score_submit", "score")
        self.assertEqual((s.c_type, s.min, s.max), ("int64_t", 0, 10))
        self.assertFalse(self.field("nps_survey_display", "surveyId").required)
        self.assertEqual(self.events["nps_survey_display"].nrequired, 2)

    def test_generated_header_uses_model_names(self):
        h = read_tree(GENERATED)["ugw_events.h"].decode()
        self.assertIn("ugw_str user_id; /**< userId:", h)
        self.assertIn("bool has_survey_id;", h)
        self.assertIn("int64_t score; /**< score:", h)
        self.assertIn("typedef struct ugw_guide_preview_start {", h)
        self.assertIn("UGW_EVENT_GUIDE_PREVIEW_START = 1,", h)

    def test_json_keys(self):
        for e in self.m.events:
            for f in e.fields:
                want = json.dumps(f.name).encode() + b":"
                self.assertEqual(c_literal_bytes(f.json_key), want, f.name)
                self.assertEqual(f.json_key_len, len(want))
        f = self.field("guide_preview_start", "userId")
        self.assertEqual(f.json_key, '"\\"userId\\":"')

    def test_msgpack_keys(self):
        for e in self.m.events:
            for f in e.fields:
                raw = c_literal_bytes(f.mp_key)
                self.assertEqual(raw, bytes([0xA0 | len(f.name)]) + f.name.encode(), f.name)
                self.assertEqual(f.mp_key_len, len(raw))
        self.assertEqual(self.field("guide_preview_start", "userId").mp_key, '"\\246userId"')
        # 18 bytes: fixstr header 0xb2 = octal 262
        self.assertEqual(self.field("resource_center_guide_trigger", "resourceCenterName").mp_key,
                         '"\\262resourceCenterName"')

    def test_event_heads(self):
        for e in self.m.events:
            head = ('{"event":' + json.dumps(e.wire, ensure_ascii=False) + ',"payload":{').encode()
            self.assertEqual(c_literal_bytes(e.json_head), head)
            self.assertEqual(e.json_head_len, len(head))
            wire = e.wire.encode()
            self.assertLess(len(wire), 256)
            wire_mp = (bytes([0xA0 | len(wire)]) if len(wire) < 32 else bytes([0xD9, len(wire)])) + wire
            mp_head = b"\x82\xa5event" + wire_mp + b"\xa7payload"
            self.assertEqual(c_literal_bytes(e.mp_head), mp_head)
            self.assertEqual(e.mp_head_len, len(mp_head))
            self.assertEqual(c_literal_bytes(e.wire_c), wire)
            self.assertEqual(e.wire_len, len(wire))

    def test_c_literal_is_safe(self):
        lit = model_mod.c_literal('a"b\\c?\n\x01\u00e9??=9')
        self.assertEqual(c_literal_bytes(lit), 'a"b\\c?\n\x01\u00e9??=9'.encode())
        self.assertNotIn("??", lit)              # no trigraphs
        self.assertNotRegex(lit, r"\\x")          # no hex escapes that swallow digits
        self.assertEqual(model_mod.c_literal("\x01" + "7"), '"\\0017"')

    def test_example_initialisers(self):
        self.assertEqual(self.field("guide_preview_start", "userId").example_c, '{ "user-42", 7 }')
        self.assertEqual(self.field("guide_preview_start", "guideId").example_c, "UINT64_C(1)")
        self.assertEqual(self.field("nps_score_submit", "score").example_c, "INT64_C(9)")
        fb = self.field("nps_feedback_submit", "feedback")
        lit, n = fb.example_c[2:-2].rsplit(", ", 1)
        self.assertEqual(c_literal_bytes(lit), fb.example.encode())
        self.assertEqual(int(n), len(fb.example.encode()))

    def test_fingerprints_in_header_match_model(self):
        h = read_tree(GENERATED)["ugw_events.h"].decode()
        found = dict(re.findall(r"#define UGW_(\w+)_FINGERPRINT (UINT64_C\(0x[0-9a-f]{16}\))", h))
        self.assertEqual(found, {e.macro: e.fingerprint for e in self.m.events})
        self.assertEqual(len(set(found.values())), len(found), "fingerprints must differ between events")

    def test_fingerprints_stable(self):
        self.assertEqual(fingerprints(build_model()), fingerprints(self.m))
        self.assertEqual(fingerprints(build_model(name="other/name.toml")), fingerprints(self.m))

    def test_fingerprint_ignores_descriptions_examples_aliases(self):
        text = edit(SCHEMA_TEXT, 'description = "Name of the guide."', 'description = "The guide\'s title."')
        text = edit(text, 'description = "The first step of a guide was shown."',
                    'description = "Shown: first step."')
        text = edit(text, 'example = "Onboarding tour"', 'example = "Another tour"')
        text = edit(text, 'aliases = ["Checklist item trigger (userguiding)"]',
                    'aliases = ["Checklist item trigger (userguiding)", "checklist item trigger"]')
        self.assertEqual(fingerprints(build_model(text)), fingerprints(self.m))

    def _changed(self, text):
        new = fingerprints(build_model(text))
        return {k for k in new if new[k] != fingerprints(self.m)[k]}

    def using(self, field):
        return {e["id"] for e in SCHEMA_DATA["event"] if field in e["fields"]}

    def test_fingerprint_changes_with_limit(self):
        text = edit(SCHEMA_TEXT, '[field.guideName]\ntype = "string"\nmax = 512',
                    '[field.guideName]\ntype = "string"\nmax = 513')
        self.assertEqual(self._changed(text), self.using("guideName"))
        text = edit(SCHEMA_TEXT, "min = 0\nmax = 10\n", "min = 1\nmax = 10\n")
        self.assertEqual(self._changed(text), self.using("score"))
        text = edit(SCHEMA_TEXT, "min = 1\nmax = 256\n", "max = 256\n")
        self.assertEqual(self._changed(text), self.using("userId"))

    def test_fingerprint_changes_with_type(self):
        text = edit(SCHEMA_TEXT, '[field.hotspotId]\ntype = "string"', '[field.hotspotId]\ntype = "url"')
        text = edit(text, 'example = "hs-3"', 'example = "https://e.com/hs-3"')
        self.assertEqual(self._changed(text), {"hotspot_interaction"})
        text = edit(SCHEMA_TEXT, '[field.guideId]\ntype = "id"', '[field.guideId]\ntype = "int"\nmin = 0\nmax = 9007199254740991')
        self.assertEqual(self._changed(text), self.using("guideId"))

    def test_fingerprint_changes_with_presence_order_and_wire(self):
        text = edit(SCHEMA_TEXT, 'optional = ["surveyId"]\n', "")
        self.assertEqual(self._changed(text), {"nps_survey_display"})
        text = edit(SCHEMA_TEXT, 'fields = ["userId", "pageUrl", "question", "score"]',
                    'fields = ["userId", "pageUrl", "score", "question"]')
        self.assertEqual(self._changed(text), {"nps_score_submit"})
        text = edit(SCHEMA_TEXT, 'event = "nps score submit (userguiding)"', 'event = "nps score submitted (userguiding)"')
        self.assertEqual(self._changed(text), {"nps_score_submit"})


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


class ValidFixtures(unittest.TestCase):

    def test_json_equals_python_json_dumps(self):
        for ev in EVENTS:
            with self.subTest(event=ev["id"]):
                want = json.dumps(expected_document(ev), separators=(",", ":"), ensure_ascii=False).encode("utf-8")
                self.assertEqual(read_fixture(f"valid/{ev['id']}.json"), want)

    def test_msgpack_decodes_to_the_json_data(self):
        for ev in EVENTS:
            with self.subTest(event=ev["id"]):
                data = read_fixture(f"valid/{ev['id']}.msgpack")
                value, reader = msgpack_decode(data)
                self.assertEqual(reader.non_minimal, [], "smallest integer and string forms")
                as_json = json.loads(read_fixture(f"valid/{ev['id']}.json"))
                self.assertEqual(plain(value), as_json)
                self.assertEqual(plain(value), expected_document(ev))
                # key order: event, payload; payload fields in schema order
                self.assertEqual([k for k, _ in value], ["event", "payload"])
                self.assertEqual([k for k, _ in value[1][1]], ev["fields"])
                for _, v in value[1][1]:
                    self.assertNotIsInstance(v, (bool, float, Bin))
                    if isinstance(v, str):
                        v.encode("utf-8")     # no surrogate escapes: valid UTF-8

    def test_fixture_values_obey_the_schema(self):
        for ev in EVENTS:
            for name, value in expected_document(ev)["payload"].items():
                self.assertIsNone(check_mod.example_problem(FIELDS[name], value), (ev["id"], name))

    def test_c_fixtures_match(self):
        c = read_tree(GENERATED)["ugw_fixtures.c"].decode()
        for ev in EVENTS:
            self.assertIn(f"{{ UGW_EVENT_{ev['id'].upper()}, {{ .{ev['id']} = {{", c)
            for name in ev["fields"]:
                ex = FIELDS[name]["example"]
                cname = check_mod.snake(name)
                if isinstance(ex, str):
                    self.assertIn(f".{cname} = {{ {model_mod.c_literal(ex)}, {len(ex.encode())} }},", c)
                else:
                    self.assertIn(f".{cname} = {'UINT64_C' if FIELDS[name]['type'] == 'id' else 'INT64_C'}({ex}),", c)


class InvalidFixtures(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.dir = os.path.join(GENERATED, "fixtures", "invalid")
        with open(os.path.join(cls.dir, "MANIFEST.tsv"), encoding="utf-8") as f:
            lines = f.read().splitlines()
        cls.rows = {}
        cls.header = lines[0]
        cls.banner = lines[1]
        for ln in lines[1:]:
            if not ln or ln.startswith("#"):
                continue
            cols = ln.split("\t")
            if len(cols) != 4:
                raise AssertionError(f"MANIFEST.tsv row without 4 columns: {ln!r}")
            if cols[0] in cls.rows:
                raise AssertionError(f"MANIFEST.tsv lists {cols[0]} twice")
            cls.rows[cols[0]] = tuple(cols[1:])

    def test_manifest_header(self):
        self.assertTrue(self.header.startswith("# file\tcode\tpath\tmode"))

    def test_manifest_banner(self):
        # The second comment line; readers skip every line starting with '#'.
        self.assertEqual(self.banner, f"# Generated from schema/events.toml by ugw codegen {VERSION}. DO NOT EDIT.")

    def test_manifest_lists_every_file_and_only_those(self):
        present = set(os.listdir(self.dir)) - {"MANIFEST.tsv"}
        self.assertEqual(set(self.rows), present)
        for name in present:
            self.assertRegex(name, r"^n_[a-z0-9_A-Z]+\.(json|msgpack)$")

    def test_manifest_columns(self):
        for name, (code, path, mode) in self.rows.items():
            self.assertIn(code, ERROR_CODES, name)
            self.assertIn(mode, ("strict", "default"), name)
            self.assertRegex(path, r"^(-|event|payload|payload\.[A-Za-z][A-Za-z0-9]*|[a-z]+)$", name)
            if mode == "strict":
                self.assertEqual(code, "unknown_key", name)
            if code == "unknown_key":
                self.assertEqual(mode, "strict", name)

    def test_both_formats_of_each_case(self):
        stems = {n.rsplit(".", 1)[0] for n in self.rows}
        for stem in stems:
            self.assertIn(stem + ".json", self.rows)
            self.assertIn(stem + ".msgpack", self.rows)
            self.assertEqual(self.rows[stem + ".json"], self.rows[stem + ".msgpack"], stem)

    def test_every_error_code_in_both_formats(self):
        for code in ERROR_CODES:
            for ext in ("json", "msgpack"):
                with self.subTest(code=code, fmt=ext):
                    self.assertTrue(any(c == code and n.endswith("." + ext) for n, (c, _, _) in self.rows.items()),
                                    f"no {ext} file for code {code}")

    # --- the manifest tells the truth: each file is broken the way it says ---

    def parse(self, name):
        with open(os.path.join(self.dir, name), "rb") as f:
            data = f.read()
        if name.endswith(".json"):
            return data, json_pairs(data)
        value, _ = msgpack_decode(data)
        return data, value

    def test_document_level_codes(self):
        for name, (code, path, _) in sorted(self.rows.items()):
            if code not in ("syntax", "truncated", "trailing"):
                continue
            with self.subTest(name=name):
                self.assertEqual(path, "-")
                with open(os.path.join(self.dir, name), "rb") as f:
                    data = f.read()
                if name.endswith(".json"):
                    with self.assertRaises(ValueError):
                        json.loads(data.decode("utf-8", "surrogateescape"), parse_constant=_no_constant)
                    if code == "truncated":
                        valid = [read_fixture(f"valid/{e['id']}.json") for e in EVENTS]
                        self.assertTrue(any(v.startswith(data) and v != data for v in valid),
                                        "a truncated file is a proper prefix of a valid fixture")
                else:
                    with self.assertRaises(MsgpackError):
                        msgpack_decode(data)
                    if code == "trailing":
                        r = MsgpackReader(data)
                        r.value()
                        self.assertLess(r.pos, len(data))
                    if code == "truncated":
                        with self.assertRaisesRegex(MsgpackError, "truncated"):
                            msgpack_decode(data)

    def _lookup(self, doc, path):
        """(parent Pairs, key, list of values for key) for a dotted path."""
        parent = doc
        parts = path.split(".")
        for p in parts[:-1]:
            vals = [v for k, v in parent if k == p]
            parent = vals[0]
        return parent, parts[-1], [v for k, v in parent if k == parts[-1]]

    def test_value_level_codes(self):
        checked = set()
        for name, (code, path, _) in sorted(self.rows.items()):
            if code in ("syntax", "truncated", "trailing"):
                continue
            with self.subTest(name=name, code=code):
                data, doc = self.parse(name)
                checked.add(code)
                if code == "limit":
                    self.assertEqual(path, "-")
                    self.assertGreater(self._count_values(doc), 1024)
                    continue
                if code == "depth":
                    self.assertGreater(self._depth(doc), 16)
                    continue
                if path == "-":
                    self.assertEqual(code, "type")
                    self.assertNotIsInstance(doc, Pairs)
                    continue
                parent, key, vals = self._lookup(doc, path)
                ev = None
                ev_vals = [v for k, v in doc if k == "event"]
                if ev_vals and isinstance(ev_vals[0], str):
                    ev = WIRES.get(ev_vals[0])
                if code == "missing":
                    self.assertEqual(vals, [])
                    if path.startswith("payload."):
                        self.assertIn(key, ev["fields"])
                        self.assertNotIn(key, ev.get("optional", []))
                    continue
                if code == "duplicate_key":
                    dup_here = len(vals) > 1
                    dup_inside = len(vals) == 1 and isinstance(vals[0], Pairs) and \
                        len({k for k, _ in vals[0]}) < len(vals[0])
                    self.assertTrue(dup_here or dup_inside)
                    continue
                self.assertEqual(len(vals), 1, "the value at the path exists once")
                value = vals[0]
                if code == "unknown_event":
                    self.assertEqual(path, "event")
                    self.assertNotIn(value, WIRES)
                    continue
                if code == "unknown_key":
                    if path.startswith("payload."):
                        self.assertNotIn(key, ev["fields"])
                    else:
                        self.assertNotIn(key, ("event", "payload"))
                    continue
                if path == "event":
                    self.assertEqual(code, "type")
                    self.assertNotIsInstance(value, str)
                    continue
                if path == "payload":
                    self.assertEqual(code, "type")
                    self.assertTrue(not isinstance(value, Pairs) or any(not isinstance(k, str) for k, _ in value))
                    continue
                self.assertTrue(path.startswith("payload."))
                self.assertIsNotNone(ev)
                self.assertIn(key, ev["fields"])
                ftype = FIELDS[key]["type"]
                lo, hi = field_limits(key)
                if code == "type":
                    if ftype == "id":
                        ok_type = (isinstance(value, int) and not isinstance(value, bool)) or \
                            (isinstance(value, str) and value.isdigit() and value.isascii())
                    elif ftype == "int":
                        ok_type = isinstance(value, int) and not isinstance(value, bool)
                    else:
                        ok_type = isinstance(value, str) and not isinstance(value, Bin)
                    self.assertFalse(ok_type, f"{value!r} is a valid {ftype} type")
                elif code == "range":
                    self.assertIn(ftype, ("id", "int"))
                    n = int(value) if isinstance(value, str) else value
                    self.assertIsInstance(n, int)
                    self.assertFalse(lo <= n <= hi and (not isinstance(value, str) or len(value) <= 16), value)
                elif code == "utf8":
                    self.assertIsInstance(value, str)
                    with self.assertRaises(UnicodeEncodeError):
                        value.encode("utf-8")
                elif code == "nul":
                    self.assertIn("\x00", value)
                    value.encode("utf-8")
                elif code in ("too_short", "too_long"):
                    n = len(value.encode("utf-8"))
                    self.assertTrue(n < lo if code == "too_short" else n > hi, n)
                elif code == "url":
                    self.assertEqual(ftype, "url")
                    self.assertIsNotNone(check_mod.example_problem(dict(FIELDS[key]), value))
                    self.assertLessEqual(len(value.encode("utf-8")), hi)
                else:
                    self.fail(f"unexpected code {code}")
        self.assertEqual(checked, set(ERROR_CODES) - {"syntax", "truncated", "trailing"})

    def _count_values(self, v):
        if isinstance(v, Pairs):
            return 1 + sum(1 + self._count_values(x) for _, x in v)
        if isinstance(v, list):
            return 1 + sum(self._count_values(x) for x in v)
        return 1

    def _depth(self, v):
        if isinstance(v, Pairs):
            return 1 + max([self._depth(x) for _, x in v] or [0])
        if isinstance(v, list):
            return 1 + max([self._depth(x) for x in v] or [0])
        return 0

    def test_only_one_problem_per_value_file(self):
        # Apart from its one problem, each value-level file is the valid fixture
        # of its event: no other field is broken (else the expected code is ambiguous).
        for name, (code, path, _) in sorted(self.rows.items()):
            if code in ("syntax", "truncated", "trailing", "type", "duplicate_key", "unknown_event") \
                    or not path.startswith("payload."):
                continue
            with self.subTest(name=name):
                _, doc = self.parse(name)
                ev = WIRES[[v for k, v in doc if k == "event"][0]]
                want = expected_document(ev)["payload"]
                payload = [v for k, v in doc if k == "payload"][0]
                key = path.split(".", 1)[1]
                for k, v in payload:
                    if k != key and k in want:
                        self.assertEqual(v, want[k], k)


if __name__ == "__main__":
    unittest.main()
