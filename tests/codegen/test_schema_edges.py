"""Schemas at the edges, each generated, compiled and run over its own
fixtures in both formats (corpus.py): the minimal schema, int bounds at the
ends of int64 and entirely negative, short limits, short event strings, and
field names that the invalid corpus also uses for its own keys. Each once
broke the generator, the C build or the corpus; and `check` refuses an
example document no default decoder reads, with file:line.

    /usr/bin/python3 -m unittest discover -s tests/codegen -p 'test_schema_edges.py' -v
"""

import os
import tempfile
import unittest

from codegen_support import *  # noqa: F401,F403
import corpus


def field(name, body):
    return f"[field.{name}]\n{body}\ndescription = \"d\"\n"


def event(eid, wire, fields, optional=()):
    text = f'[[event]]\nid = "{eid}"\nevent = "{wire}"\ndescription = "d"\nfields = {list(fields)!r}\n'
    if optional:
        text += f"optional = {list(optional)!r}\n"
    return text.replace("'", '"')


MINIMAL = "version = 1\n" + field("a", 'type = "string"\nmax = 1\nexample = "x"') + event("e", "e", ["a"])


@unittest.skipIf(corpus.MISSING, corpus.MISSING or "")
class EdgeSchemasRoundTrip(unittest.TestCase):

    def assertRoundTrips(self, text, events=1):
        out = corpus.run_schema(text)
        self.assertTrue(out.startswith(f"ok {events} "), out)
        return int(out.split()[2])

    def test_minimal_schema(self):
        # one event, one field of one byte: the corpus still has its document cases
        self.assertGreater(self.assertRoundTrips(MINIMAL), 40)

    def test_minimal_schema_of_each_type(self):
        # one event with one field, of each type; and one whose only field is
        # the event's own ([event.field.NAME], no [field] table at all)
        for body in ('type = "id"\nexample = 0', 'type = "int"\nmin = 0\nmax = 0\nexample = 0',
                     'type = "bool"\nexample = false', 'type = "url"\nmax = 8\nexample = "http://a"',
                     'type = "string"\nmin = 1\nmax = 2\nexample = "\\u00e9"'):
            with self.subTest(body=body):
                self.assertRoundTrips("version = 1\n" + field("a", body) + event("e", "e", ["a"]))
        own = ("version = 1\n" + event("e", "e", ["a"])
               + "[event.field.a]\n" + 'type = "int"\nmin = -1\nmax = 1\nexample = -1\ndescription = "d"\n')
        self.assertRoundTrips(own)

    def test_int64_min_bounds_compile(self):
        # INT64_C(-9223372036854775808) is no int64_t constant: gcc refused the build
        text = ("version = 1\n"
                + field("lo", 'type = "int"\nmin = -9223372036854775808\nmax = -9223372036854775808\n'
                              'example = -9223372036854775808')
                + field("hi", 'type = "int"\nmin = 9223372036854775807\nmax = 9223372036854775807\n'
                              'example = 9223372036854775807')
                + field("all", 'type = "int"\nmin = -9223372036854775808\nmax = 9223372036854775807\nexample = -1')
                + event("e", "edge", ["lo", "hi", "all"]))
        self.assertRoundTrips(text)

    def test_negative_range(self):
        # -10..-5: the generated corpus has values above and below, refused as range
        text = "version = 1\n" + field("n", 'type = "int"\nmin = -10\nmax = -5\nexample = -7') + event("e", "neg", ["n"])
        with tempfile.TemporaryDirectory() as d:
            out = corpus.generate(text, d)
            rows = corpus.manifest(out)
            self.assertIn("n_range_n_above.json\trange\tpayload.n", rows)
            self.assertIn("n_range_n_below.json\trange\tpayload.n", rows)
            corpus.build_and_run(out, d)

    def test_short_limits_and_short_event_string(self):
        # odd and tiny maxima, a URL limit under the corpus's bad URLs, a wire of 1 byte
        text = ("version = 1\n"
                + field("s", 'type = "string"\nmin = 1\nmax = 5\nexample = "abc"')
                + field("t", 'type = "string"\nmax = 2\nexample = ""')
                + field("u", 'type = "url"\nmax = 10\nexample = "http://a/b"')
                + field("i", 'type = "id"\nexample = 0')
                + event("e", "e", ["s", "t", "u", "i"]))
        self.assertRoundTrips(text)

    def test_bool(self):
        # true and false in both formats, required and optional; the corpus
        # refuses a string, a number and null for it
        text = ("version = 1\n" + field("on", 'type = "bool"\nexample = true')
                + field("off", 'type = "bool"\nexample = false')
                + event("e", "flags", ["on", "off"], optional=["off"]))
        with tempfile.TemporaryDirectory() as d:
            out = corpus.generate(text, d)
            with open(os.path.join(out, "fixtures", "valid", "e.json"), "rb") as f:
                self.assertEqual(f.read(), b'{"event":"flags","payload":{"on":true,"off":false}}')
            rows = corpus.manifest(out)
            for case in ("string", "number", "null"):
                self.assertIn(f"n_type_on_{case}.msgpack\ttype\tpayload.on", rows)
            corpus.build_and_run(out, d)

    def test_field_names_the_corpus_uses(self):
        # "payload" made missing_payload twice; "extra" and "x" were the corpus's
        # unknown keys; "event" was where the leading-zero case put its zero
        text = ("version = 1\n"
                + field("payload", 'type = "string"\nmin = 1\nmax = 9\nexample = "p"')
                + field("event", 'type = "id"\nexample = 5')
                + field("extra", 'type = "int"\nmin = 0\nmax = 3\nexample = 1')
                + field("x", 'type = "string"\nmax = 9\nexample = "x"')
                + event("e", "ev", ["event", "payload", "extra", "x"])
                + event("f", "other", ["x", "extra"], optional=["x"]))
        self.assertRoundTrips(text, events=2)


class ExampleDocumentLimit(SchemaCheckCase):

    def test_bool_takes_no_bounds_and_a_boolean_example(self):
        text = "version = 1\n" + field("on", 'type = "bool"\nmax = 1\nexample = true') + event("e", "e", ["on"])
        self.assertReports(text, line_of(text, "max = 1"), "type bool takes no min or max")
        text = "version = 1\n" + field("on", 'type = "bool"\nexample = 1') + event("e", "e", ["on"])
        self.assertReports(text, line_of(text, "example = 1"), "example must be true or false")

    def test_example_document_over_the_limit(self):
        big = "a" * 20000
        text = ("version = 1\n" + field("a", f'type = "string"\nmax = 30000\nexample = "{big}"')
                + field("b", f'type = "string"\nmax = 30000\nexample = "{big}"')
                + event("e", "e", ["a", "b"]))
        self.assertReports(text, line_of(text, 'fields = ["a", "b"]'), "example document is 40")


if __name__ == "__main__":
    unittest.main()
