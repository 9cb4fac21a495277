"""Enum, number, timestamp and nullable fields in the generator: what
`check` refuses (file:line, never a traceback), what the model and the
templates make of them (the C enum, the members, the descriptors), the
fixtures (JSON as Python writes it, the .null and .absent variants, the
invalid corpus rows) and a round trip of a schema with every one of them.

    /usr/bin/python3 -m unittest discover -s tests/codegen -p 'test_schema_scalars.py' -v
"""

import json
import os
import tempfile
import unittest

from codegen_support import *  # noqa: F401,F403
import corpus


def field(name, body):
    return f"[field.{name}]\n{body}\ndescription = \"d\"\n"


def event(eid, fields, optional=()):
    text = f'[[event]]\nid = "{eid}"\nevent = "{eid}"\ndescription = "d"\nfields = {json.dumps(list(fields))}\n'
    if optional:
        text += f"optional = {json.dumps(list(optional))}\n"
    return text


EVERY = ("version = 1\n"
         + field("action", 'type = "enum"\nvalues = ["click", "page-view"]\nexample = "page-view"')
         + field("kind", 'type = "enum"\nvalues = ["a"]\nunknown = "lenient"\nnullable = true\nexample = "a"')
         + field("price", 'type = "number"\nmin = -1.5\nmax = 100\nnullable = true\nexample = 1')
         + field("at", 'type = "timestamp"\nmin = 2000-01-01T00:00:00Z\nexample = 2024-02-29T12:00:00+01:00')
         + field("n", 'type = "int"\nmin = 0\nmax = 9\nnullable = true\nexample = 3')
         + event("e", ["action", "kind", "price", "at", "n"], optional=["kind", "price"]))


class ScalarChecks(SchemaCheckCase):

    def refuses(self, body, needle, fragment):
        text = "version = 1\n" + field("x", body) + event("e", ["x"])
        self.assertReports(text, line_of(text, needle), fragment)

    def test_enum(self):
        self.refuses('type = "enum"\nexample = "a"', 'type = "enum"', "type enum needs 'values'")
        self.refuses('type = "enum"\nvalues = []\nexample = "a"', "values", "a non-empty list")
        self.refuses('type = "enum"\nvalues = ["a", "a"]\nexample = "a"', "values", "listed twice")
        self.refuses('type = "enum"\nvalues = ["a-b", "a b"]\nexample = "a b"', "values", "make the same C constant _A_B")
        self.refuses('type = "enum"\nvalues = ["\u00e9"]\nexample = "\u00e9"', "values", "makes no C constant")
        self.refuses('type = "enum"\nvalues = ["unknown"]\nexample = "unknown"', "values", "_UNKNOWN")
        self.refuses('type = "enum"\nvalues = [""]\nexample = ""', "values", "non-empty string")
        self.refuses('type = "enum"\nvalues = ["a"]\nunknown = "loose"\nexample = "a"', "unknown", "'unknown' must be")
        self.refuses('type = "enum"\nvalues = ["a"]\nmax = 3\nexample = "a"', "max = 3", "type enum takes no min or max")
        self.refuses('type = "enum"\nvalues = ["a"]\nexample = "b"', "example", "one of the field's values")
        self.refuses('type = "string"\nmax = 3\nvalues = ["a"]\nexample = "a"', "values", "only for type enum")

    def test_number(self):
        self.refuses('type = "number"\nmin = 2\nmax = 1\nexample = 1', "min = 2", "need min <= max")
        self.refuses('type = "number"\nmax = inf\nexample = 1', "max = inf", "'max' must be a finite number")
        self.refuses('type = "number"\nmin = nan\nexample = 1', "min = nan", "'min' must be a finite number")
        self.refuses('type = "number"\nmax = ' + "9" * 400 + '\nexample = 1', "max = 9", "must be a finite number")
        self.refuses('type = "number"\nmax = 1\nexample = 1.5', "example", "example must be a finite number")
        self.refuses('type = "number"\nexample = "1"', "example", "example must be a finite number")
        self.refuses('type = "number"\nexample = true', "example", "example must be a finite number")

    def test_timestamp(self):
        self.refuses('type = "timestamp"\nexample = "2023-02-29T00:00:00Z"', "example", "RFC 3339 date-time")
        self.refuses('type = "timestamp"\nexample = 2024-01-01T00:00:00', "example", "RFC 3339 date-time")  # no offset
        self.refuses('type = "timestamp"\nexample = 1700000000000', "example", "RFC 3339 date-time")
        self.refuses('type = "timestamp"\nmin = "2024-01-01T24:00:00Z"\nexample = "2024-01-01T00:00:00Z"', "min =",
                     "'min' must be an RFC 3339 date-time")
        self.refuses('type = "timestamp"\nmin = 2025-01-01T00:00:00Z\nmax = 2024-01-01T00:00:00Z\n'
                     'example = 2024-06-01T00:00:00Z', "min =", "need min <= max")
        self.refuses('type = "timestamp"\nmin = 2025-01-01T00:00:00Z\nexample = 2024-06-01T00:00:00Z', "example",
                     "outside the field's min..max")

    def test_nullable(self):
        self.refuses('type = "int"\nmin = 0\nmax = 1\nnullable = "yes"\nexample = 1', "nullable", "true or false")

    def test_generated_names_collide(self):
        # an enum field "event" would declare p_event, the generated event struct
        text = "version = 1\n" + field("event", 'type = "enum"\nvalues = ["a"]\nexample = "a"') + event("e", ["event"])
        self.assertReports(text, line_of(text, "[field.event]"), "enum field 'event' collides with a generated name")
        # the C enum of field action and the struct of event action: both ugw_action
        text = ("version = 1\n" + field("action", 'type = "enum"\nvalues = ["a"]\nexample = "a"')
                + field("x", 'type = "int"\nmin = 0\nmax = 1\nexample = 1') + event("e", ["action"])
                + event("action", ["x"]))
        self.assertReports(text, line_of(text, 'id = "action"'), "collides with a name of field 'action' (ugw_action)")
        # members: a lenient enum's _other and a nullable field's _is_null
        text = ("version = 1\n" + field("kind", 'type = "enum"\nvalues = ["a"]\nunknown = "lenient"\nexample = "a"')
                + field("kindOther", 'type = "string"\nmax = 3\nexample = "a"') + event("e", ["kind", "kindOther"]))
        self.assertReports(text, line_of(text, "fields = "), "struct member 'kind_other' of field 'kindOther' collides")
        text = ("version = 1\n" + field("a", 'type = "int"\nmin = 0\nmax = 1\nnullable = true\nexample = 1')
                + field("aIsNull", 'type = "bool"\nexample = true') + event("e", ["a", "aIsNull"]))
        self.assertReports(text, line_of(text, "fields = "), "struct member 'a_is_null'")


@unittest.skipIf(corpus.MISSING, corpus.MISSING or "")
class ScalarSchemaRoundTrip(unittest.TestCase):

    def test_every_scalar_type(self):
        with tempfile.TemporaryDirectory() as d:
            out = corpus.generate(EVERY, d)
            valid = os.path.join(out, "fixtures", "valid")

            def read(name):
                with open(os.path.join(valid, name), "rb") as f:
                    return f.read()
            self.assertEqual(read("e.json"), b'{"event":"e","payload":{"action":"page-view","kind":"a","price":1.0,'
                                             b'"at":"2024-02-29T11:00:00.000Z","n":3}}')
            self.assertEqual(read("e.null.json"), b'{"event":"e","payload":{"action":"page-view","kind":null,'
                                                  b'"price":null,"at":"2024-02-29T11:00:00.000Z","n":null}}')
            self.assertEqual(read("e.absent.json"), b'{"event":"e","payload":{"action":"page-view",'
                                                    b'"at":"2024-02-29T11:00:00.000Z","n":3}}')
            self.assertIn(b"\xa5price\xcb?\xf0\x00\x00\x00\x00\x00\x00", read("e.msgpack"))
            rows = corpus.manifest(out)
            for row in ("n_enum_action_unknown.json\tenum\tpayload.action", "n_enum_kind_empty.msgpack\tenum\tpayload.kind",
                        "n_range_price_nan.msgpack\trange\tpayload.price", "n_range_price_above.json\trange",
                        "n_format_at_feb29_2023.json\tformat\tpayload.at", "n_format_at_hour24.msgpack\tformat",
                        "n_format_at_month13.json\tformat", "n_format_at_offset24.json\tformat",
                        "n_range_at_before.json\trange\tpayload.at", "n_type_action_null.json\ttype\tpayload.action",
                        "n_type_at_null.msgpack\ttype\tpayload.at"):
                self.assertIn(row, rows)
            with open(os.path.join(out, "p", "p_events.h") if os.path.isdir(os.path.join(out, "p"))
                      else os.path.join(out, "p_events.h")) as f:
                header = f.read()
            for decl in ("typedef enum p_action {", "P_ACTION_UNKNOWN = 0,", "P_ACTION_PAGE_VIEW = 2,",
                         "bool kind_is_null;", "p_kind kind;", "ugw_str kind_other;", "double price;",
                         "int64_t at;", "bool n_is_null;",
                         "#define P_E_INIT { (p_action)0, false, false, (p_kind)0, { NULL, 0 }, false, false, 0, 0, "
                         "false, 0 }"):
                self.assertIn(decl, header)
            self.assertEqual(corpus.build_and_run(out, d), f"ok 1 {rows.count(chr(10)) - 2}")


if __name__ == "__main__":
    unittest.main()
