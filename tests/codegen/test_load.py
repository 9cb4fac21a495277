"""The generator's `load` step: the line index reads TOML as TOML (quoted and
dotted keys, strings and arrays over several lines, inline tables), not
line by line.

    /usr/bin/python3 -m unittest discover -s tests/codegen -v
"""

import tomllib
import unittest

from codegen_support import *  # noqa: F401,F403

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


if __name__ == "__main__":
    unittest.main()
