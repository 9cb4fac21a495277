"""`check` guards everything later steps assume: over a large set of
malformed schemas the generator never fails with a traceback. Each schema is
either refused, every line of the refusal being `file:line: message` (then
the count), or accepted and generated whole.

The schemas: every key of the file, of a field, of an event, of a per-event
field and of `include` given a value of every wrong type (integers, huge
ones, floats, nan and inf, booleans, strings, empty and long ones, unicode,
lists, tables, empty tables, dates and times); keys left out; empty tables;
unicode and absurdly long names; field names and event ids that are C or C++
keywords; and random mixtures of those edits (UGW_MALFORMED_SEED,
UGW_MALFORMED_SCHEMAS: default 200; the whole file takes about 15 s of CPU).

The generator runs in this process (ugw_codegen.main), for speed: an
exception escaping it fails the test with the schema that caused it.

    /usr/bin/python3 -m unittest discover -s tests/codegen -p 'test_check_malformed.py' -v
"""

import contextlib
import io
import os
import random
import re
import sys
import tempfile
import time
import unittest

from codegen_support import CODEGEN, ROOT  # noqa: F401

sys.path.insert(0, os.path.dirname(CODEGEN))
import ugw_codegen  # noqa: E402

LOCATED = re.compile(r"^[^\n]+:\d+: \S")

# TOML values of every kind, as text.
VALUES = (
    "0", "1", "-1", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
    "-9223372036854775809", "99999999999999999999999999999999", "1.5", "-0.0", "nan", "inf", "-inf",
    "true", "false", '""', '" "', '"x"', '"\\u0000"', '"\\ud7ff\\ue000"', '"é☃😀"', '"' + "a" * 5000 + '"',
    "[]", "[1]", '["x"]', '[""]', "[[]]", "[{}]", '[1, "x"]', "{}", "{ a = 1 }", '{ type = "int" }',
    "1979-05-27T07:32:00Z", "1979-05-27", "07:32:00", "1979-05-27T07:32:00",
)
TYPES = ('"id"', '"string"', '"url"', '"int"', '"bool"', '"enum"', '"object"', '"float"', '"Int"', '""')
NAMES = ("a", "class", "new", "delete", "template", "int", "_Bool", "typeof", "not", "linux", "errno",
         "éclair", "a" * 31, "a" * 32, "a" * 4000, "A1", "1a", "a-b", "a b", "", "userId", "user_id")

BASE = """version = 1

[field.userId]
type = "string"
min = 1
max = 256
description = "User."
example = "u"

[field.score]
type = "int"
min = 0
max = 10
description = "Score."
example = 3

[[event]]
id = "rated"
event = "rated"
description = "Rated."
fields = ["userId", "score"]
optional = ["score"]

[event.field.score]
max = 5
"""

FIELD_KEYS = ("type", "min", "max", "description", "example")
EVENT_KEYS = ("id", "event", "aliases", "description", "fields", "optional")


def set_key(text, header, key, value):
    """`text` with `key = value` in the table starting at `header` (the key
    replaced when it is there, added after the header otherwise)."""
    lines = text.split("\n")
    start = lines.index(header)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("[")), len(lines))
    for i in range(start + 1, end):
        if re.match(rf"{re.escape(key)}\s*=", lines[i]):
            lines[i] = f"{key} = {value}" if value is not None else ""
            return "\n".join(lines)
    if value is not None:
        lines.insert(start + 1, f"{key} = {value}")
    return "\n".join(lines)


def top_key(text, key, value):
    lines = text.split("\n")
    lines = [ln for ln in lines if not re.match(rf"{re.escape(key)}\s*=", ln)]
    if value is not None:
        lines.insert(0, f"{key} = {value}")
    return "\n".join(lines)


def single_edits():
    """(label, schema text) of one edit each."""
    for v in VALUES + (None,):
        yield f"version={v}", top_key(BASE, "version", v)
        yield f"include={v}", top_key(BASE, "include", v)
        yield f"extra={v}", top_key(BASE, "zzz", v)
    for table in ("[field.userId]", "[field.score]", "[event.field.score]"):
        for key in FIELD_KEYS + ("nullable", "values", "fields"):
            for v in VALUES + TYPES + (None,):
                yield f"{table} {key}={v}", set_key(BASE, table, key, v)
    for key in EVENT_KEYS + ("field", "zzz"):
        for v in VALUES + (None,):
            yield f"event {key}={v}", set_key(BASE, "[[event]]", key, v)
    for name in NAMES:
        q = '"' + name + '"'
        yield f"field name {name[:20]}", BASE.replace("[field.score]", f"[field.{q}]").replace(
            '"score"]', f"{q}]")
        yield f"event field name {name[:20]}", BASE.replace("[event.field.score]", f"[event.field.{q}]") \
            .replace('fields = ["userId", "score"]', f'fields = ["userId", "score", {q}]')
        yield f"event id {name[:20]}", set_key(BASE, "[[event]]", "id", q)
        yield f"wire {name[:20]}", set_key(BASE, "[[event]]", "event", q)
    # structure: empty tables, no events, tables where values belong, many events
    yield "empty", ""
    yield "only version", "version = 1\n"
    yield "empty field table", BASE.replace('type = "int"\nmin = 0\nmax = 10\ndescription = "Score."\nexample = 3',
                                            "")
    yield "field = value", "field = 1\n" + BASE.split("[field.userId]")[0]
    yield "event table", BASE.replace("[[event]]", "[event]").replace("[event.field.score]\nmax = 5\n", "")
    yield "events empty", BASE + "\n[[event]]\n"
    yield "field array", BASE.replace("[field.userId]", "[[field.userId]]")
    yield "event.field array", BASE.replace("[event.field.score]", "[[event.field.score]]")
    yield "65 fields", BASE.replace('fields = ["userId", "score"]',
                                    "fields = [" + ", ".join(f'"f{i}"' for i in range(65)) + "]")
    many = "".join(f'\n[[event]]\nid = "e{i}"\nevent = "e{i}"\ndescription = "d"\nfields = ["userId"]\n'
                   for i in range(300))
    yield "300 events", BASE + many
    yield "deep arrays", BASE + "deep = " + "[" * 5000 + "]" * 5000 + "\n"
    yield "deep inline tables", BASE + "deep = " + "{ a = " * 3000 + "1" + " }" * 3000 + "\n"
    yield "deep event value", set_key(BASE, "[[event]]", "aliases", "[" * 3000 + "]" * 3000)
    yield "huge example", set_key(BASE, "[field.userId]", "max", "16777216").replace(
        'example = "u"', 'example = "' + "x" * 40000 + '"')


def random_edits(rnd, count):
    """Mixtures of 2 to 6 random edits."""
    singles = list(single_edits())
    tables = ("[field.userId]", "[field.score]", "[event.field.score]", "[[event]]")
    for k in range(count):
        text = BASE
        for _ in range(rnd.randint(2, 6)):
            table = rnd.choice(tables)
            keys = EVENT_KEYS if table == "[[event]]" else FIELD_KEYS
            try:
                text = set_key(text, table, rnd.choice(keys), rnd.choice(VALUES + TYPES + (None,)))
            except ValueError:      # the table is gone (an earlier edit removed its header)
                text = rnd.choice(singles)[1]
        yield f"random {k}", text


class MalformedSchemas(unittest.TestCase):

    def run_generator(self, text, d):
        path = os.path.join(d, "s.toml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        err, out = io.StringIO(), io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            try:
                rc = ugw_codegen.main(["--schema", path, "--out", os.path.join(d, "out"), "--quiet"])
            except SystemExit as e:      # argparse; never expected here
                rc = e.code
        return rc, err.getvalue()

    def check_all(self, cases):
        counts = {0: 0, 1: 0}
        with tempfile.TemporaryDirectory(prefix="ugw-malformed-") as d:
            for label, text in cases:
                try:
                    rc, err = self.run_generator(text, d)
                except Exception as e:         # noqa: BLE001: the point of the test
                    self.fail(f"{label[:200]}: the generator raised {type(e).__name__}: {str(e)[:500]}\n"
                              f"schema:\n{text[:3000]}")
                self.assertIn(rc, (0, 1), f"{label}: exit {rc}\n{err}")
                counts[rc] += 1
                if rc == 1:
                    lines = err.splitlines()
                    self.assertTrue(lines, label)
                    for ln in lines:
                        self.assertTrue(ln.startswith("ugw codegen: ") or LOCATED.match(ln),
                                        f"{label}: not file:line: message: {ln!r}")
        return counts

    def test_event_id_length(self):
        # an id of 4000 characters passed check and then failed writing its
        # fixture file (OSError: File name too long)
        with tempfile.TemporaryDirectory(prefix="ugw-malformed-") as d:
            for n, want in ((64, 0), (65, 1), (4000, 1)):
                rc, err = self.run_generator(set_key(BASE, "[[event]]", "id", '"' + "a" * n + '"'), d)
                self.assertEqual(rc, want, err)
                if want:
                    self.assertIn(":18: event 1: 'id' must be lower_snake_case, starting with a letter, "
                                  "at most 64 characters", err)

    def test_bytes_that_are_no_toml(self):
        # each refused with file:line, whatever the bytes
        with tempfile.TemporaryDirectory(prefix="ugw-malformed-") as d:
            for data in (b"\xff", b"version = 1\n\xc3\x28\n", b"\x00", b"version = 1\x00\n", b"\xef\xbb\xbf",
                         b"version = 1\n" + b"x" * 1000000, b"[[" * 100000, b"a = \"\\ud800\"\n",
                         b"version = 1\n\r\n\r[field.a]\n"):
                path = os.path.join(d, "s.toml")
                with open(path, "wb") as f:
                    f.write(data)
                err = io.StringIO()
                with contextlib.redirect_stderr(err):
                    rc = ugw_codegen.main(["--check", "--schema", path])
                self.assertEqual(rc, 1, data[:40])
                self.assertTrue(LOCATED.match(err.getvalue()), err.getvalue()[:300])

    def test_single_edits(self):
        counts = self.check_all(single_edits())
        print(f"\nmalformed schemas: {counts[1]} refused, {counts[0]} accepted", file=sys.stderr)
        self.assertGreater(counts[1], 500)

    def test_random_mixtures(self):
        seed = int(os.environ.get("UGW_MALFORMED_SEED", str(int(time.time()) % 100000)))
        count = int(os.environ.get("UGW_MALFORMED_SCHEMAS", "200"))
        print(f"\nmalformed schemas: UGW_MALFORMED_SEED={seed} UGW_MALFORMED_SCHEMAS={count}", file=sys.stderr)
        counts = self.check_all(random_edits(random.Random(seed), count))
        self.assertGreater(counts[1], 0)


if __name__ == "__main__":
    unittest.main()
