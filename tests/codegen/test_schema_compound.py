"""Objects and arrays in the schema language: the every-construct schema
(tests/compound/compound.toml) generates, compiles (gcc -Werror, with ASan
and UBSan under UGW_CODEGEN_SANITIZE=1) and round-trips its fixtures in both
formats, arrays at min_items and max_items included, and rejects its invalid
corpus with the manifest's codes and nested paths; `check` refuses every
mistake with objects and arrays with file:line, never a traceback.

    /usr/bin/python3 -m unittest discover -s tests/codegen -p 'test_schema_compound.py' -v
"""

import json
import os
import tempfile
import unittest

from codegen_support import *  # noqa: F401,F403
import corpus

COMPOUND = os.path.join(ROOT, "tests", "compound", "compound.toml")
with open(COMPOUND, encoding="utf-8") as _f:
    COMPOUND_TEXT = _f.read()


def field(name, body):
    return f"[field.{name}]\n{body}\ndescription = \"d\"\n"


def obj(name, fields, optional=()):
    text = f"[object.{name}]\ndescription = \"d\"\nfields = {list(fields)!r}\n"
    if optional:
        text += f"optional = {list(optional)!r}\n"
    return text.replace("'", '"')


def event(eid, fields, optional=()):
    text = f'[[event]]\nid = "{eid}"\nevent = "{eid}"\ndescription = "d"\nfields = {list(fields)!r}\n'
    if optional:
        text += f"optional = {list(optional)!r}\n"
    return text.replace("'", '"')


S = field("s", 'type = "string"\nmax = 8\nexample = "x"')


@unittest.skipIf(corpus.MISSING, corpus.MISSING or "")
class CompoundRoundTrip(unittest.TestCase):

    def test_every_construct_schema(self):
        with tempfile.TemporaryDirectory() as d:
            out = corpus.generate(COMPOUND_TEXT, d)
            valid = sorted(os.listdir(os.path.join(out, "fixtures", "valid")))
            # arrays at their min_items and max_items for both events
            for e in ("order_placed", "order_note"):
                for kind in ("min", "max"):
                    self.assertIn(f"{e}.{kind}.json", valid)
            manifest = corpus.manifest(out)
            for row in ("n_too_long_items_lines.json\ttoo_long\tpayload.order.lines\t",
                        "n_too_short_items_lines.json\ttoo_short\tpayload.order.lines\t",
                        "n_type_in_array_tags.json\ttype\tpayload.order.lines[0].tags[0]\t",
                        "n_type_in_array_lines.json\ttype\tpayload.order.lines[0]\t",
                        "n_missing_nested_orderId.json\tmissing\tpayload.order.orderId\t",
                        "n_duplicate_nested_orderId.json\tduplicate_key\tpayload.order.orderId\t",
                        "n_depth_nested_order.json\tdepth\tpayload.order.extra\t",
                        "n_type_object_order.json\ttype\tpayload.order\t",
                        "n_unknown_key_nested_order.msgpack\tunknown_key\tpayload.order.extra\tstrict"):
                self.assertIn(row, manifest)
            result = corpus.build_and_run(out, d)
        self.assertTrue(result.startswith("ok 2 "), result)

    def test_arrays_of_every_item_kind_at_the_extremes(self):
        text = ("version = 1\n"
                + field("i", 'type = "int"\nmin = -9223372036854775808\nmax = 9223372036854775807\n'
                             'example = -9223372036854775808')
                + field("b", 'type = "bool"\nexample = false')
                + field("d", 'type = "id"\nexample = 9007199254740991')
                + field("u", 'type = "url"\nmax = 20\nexample = "https://e.com/\\u00e9"')
                + field("s", 'type = "string"\nmax = 5\nexample = "\\"\\n\\u2603"')
                + field("ints", 'type = "array"\nitems = "i"\nmax_items = 1')
                + field("bools", 'type = "array"\nitems = "b"\nmin_items = 16\nmax_items = 16')
                + field("ids", 'type = "array"\nitems = "d"\nmax_items = 17')
                + field("urls", 'type = "array"\nitems = "u"\nmin_items = 0\nmax_items = 2')
                + field("strs", 'type = "array"\nitems = "s"\nmin_items = 15\nmax_items = 300')
                + field("inner", 'type = "object"\nobject = "Inner"')
                + field("inners", 'type = "array"\nobject = "Inner"\nmax_items = 3')
                + obj("Inner", ["b", "s", "ints"], optional=["s"])
                + event("e", ["ints", "bools", "ids", "urls", "strs", "inner", "inners"], optional=["urls"]))
        out = corpus.run_schema(text)
        self.assertTrue(out.startswith("ok 1 "), out)

    def test_objects_nested_to_the_depth_limit(self):
        # payload (2) + 14 objects = 16: the deepest document a default decoder reads
        text = "version = 1\n" + S
        for k in range(14):
            text += field(f"o{k}", f'type = "object"\nobject = "O{k}"')
            text += obj(f"O{k}", ["s"] + ([f"o{k + 1}"] if k < 13 else []))
        text += event("e", ["o0"])
        out = corpus.run_schema(text)
        self.assertTrue(out.startswith("ok 1 "), out)


try:
    import jsonschema
except ImportError:          # Debian's python3-jsonschema
    jsonschema = None

# Codes JSON Schema cannot say (docs/SCHEMA_COMPAT.md, "What JSON Schema cannot say").
JSONSCHEMA_EXCEPTIONS = ("duplicate_key", "depth", "limit")


@unittest.skipIf(jsonschema is None, "python3-jsonschema is not installed")
class CompoundJsonSchema(unittest.TestCase):
    """The exported JSON Schema of the every-construct schema agrees with the
    C verdicts (the manifest, which the corpus driver checks) on every JSON
    fixture: objects as $defs, arrays with minItems/maxItems."""

    def test_exported_schema_agrees_with_the_corpus(self):
        with tempfile.TemporaryDirectory() as d:
            out = corpus.generate(COMPOUND_TEXT, d)
            schemas = {}
            for strict, name in ((False, "events.schema.json"), (True, "events.strict.schema.json")):
                with open(os.path.join(out, name), encoding="utf-8") as f:
                    doc = json.load(f)
                jsonschema.Draft202012Validator.check_schema(doc)
                schemas[strict] = jsonschema.Draft202012Validator(doc)
            self.assertIn("object.LineItem", schemas[False].schema["$defs"])

            def verdict(strict, path):
                with open(path, encoding="utf-8") as f:
                    try:
                        value = json.load(f)
                    except ValueError:
                        return False
                return schemas[strict].is_valid(value)

            valid = os.path.join(out, "fixtures", "valid")
            for name in sorted(os.listdir(valid)):
                if name.endswith(".json"):
                    for strict in (False, True):
                        self.assertTrue(verdict(strict, os.path.join(valid, name)), name)
            rows = [ln.split("\t") for ln in corpus.manifest(out).splitlines() if ln and not ln.startswith("#")]
            checked = 0
            for file, code, path, mode in rows:
                if not file.endswith(".json") or code in JSONSCHEMA_EXCEPTIONS or "_multibyte" in file:
                    continue
                full = os.path.join(out, "fixtures", "invalid", file)
                with self.subTest(file=file):
                    self.assertFalse(verdict(True, full), file)
                    self.assertEqual(verdict(False, full), mode == "strict", file)
                checked += 1
            self.assertGreater(checked, 30)


class CompoundDiff(unittest.TestCase):
    """ugw schema diff looks inside objects and arrays: item counts, the
    members of objects (named field.member) and the items (field[])."""

    def diff(self, new_text):
        with tempfile.TemporaryDirectory() as d:
            new = os.path.join(d, "new.toml")
            with open(new, "w", encoding="utf-8") as f:
                f.write(new_text)
            p = run_codegen("diff", "--json", "--prefix", "cpd", COMPOUND, new)
        self.assertNotIn("Traceback", p.stderr)
        return p.returncode, {(c["kind"], c["field"]): (c["receivers"], c["senders"])
                              for c in json.loads(p.stdout)["changes"]}

    def test_changes_inside(self):
        cases = (
            (("max_items = 5", "max_items = 4", 1), ("limits-tightened", "order.lines"), ("compatible", "breaking")),
            (("max_items = 5", "max_items = 6", 1), ("limits-loosened", "order.lines"), ("breaking", "compatible")),
            (("min_items = 2\nmax_items = 3", "min_items = 1\nmax_items = 3", 1), ("limits-loosened", "scores"),
             ("breaking", "compatible")),
            (("min = 1\nmax = 32", "min = 1\nmax = 30", 1), ("limits-tightened", "order.lines[].sku"),
             ("compatible", "breaking")),
            (('fields = ["orderId", "lines", "shipping"]\noptional = ["shipping"]',
              'fields = ["orderId", "lines", "shipping"]\noptional = ["shipping", "orderId"]', 1),
             ("field-became-optional", "order.orderId"), ("breaking", "compatible")),
            (('fields = ["city", "isHome", ', 'fields = ["isHome", ', 1), ("field-removed", "order.shipping.city"),
             ("breaking", "strict")),
            (('type = "array"\nitems = "quantity"', 'type = "array"\nitems = "orderId"', 1),
             ("type-changed", "scores[]"), ("breaking", "compatible")),  # ints 1..1000 are ids
        )
        for (old, new, n), key, verdict in cases:
            with self.subTest(change=key):
                self.assertEqual(COMPOUND_TEXT.count(old), n, old)
                code, changes = self.diff(COMPOUND_TEXT.replace(old, new))
                self.assertIn(key, changes, changes)
                self.assertEqual(changes[key], verdict)
                self.assertEqual(code, 1)


class CompoundCheck(SchemaCheckCase):

    def test_cycle_refused(self):
        text = ("version = 1\n" + S + field("a", 'type = "object"\nobject = "A"')
                + field("bs", 'type = "array"\nobject = "B"\nmax_items = 2')
                + obj("A", ["s", "bs"]) + obj("B", ["a"]) + event("e", ["a"]))
        self.assertReports(text, line_of(text, "fields = [\"s\", \"bs\"]"), "object 'A' holds itself: A -> B -> A")

    def test_depth_over_the_default_refused(self):
        text = "version = 1\n" + S
        for k in range(15):
            text += field(f"o{k}", f'type = "object"\nobject = "O{k}"')
            text += obj(f"O{k}", ["s"] + ([f"o{k + 1}"] if k < 14 else []))
        text += event("e", ["o0"])
        self.assertReports(text, line_of(text, "fields = [\"o0\"]"), "nest 17 deep, over a default decoder's max_depth of 16")

    def test_struct_too_large_refused(self):
        text = ("version = 1\n" + S + field("many", 'type = "array"\nitems = "s"\nmax_items = 65535')
                + field("more", 'type = "array"\nitems = "s"\nmax_items = 2')
                + event("e", ["many", "more"]))
        self.assertReports(text, line_of(text, "fields = [\"many\""), "its C struct would be 1048608 bytes, over 1048576")

    def test_array_keys(self):
        base = "version = 1\n" + S
        cases = (
            (field("a", 'type = "array"\nitems = "s"'), "max_items", "type = \"array\"",
             "type array needs 'max_items', an integer 1..65535"),
            (field("a", 'type = "array"\nitems = "s"\nmax_items = 65536'), None, "max_items =",
             "type array needs 'max_items'"),
            (field("a", 'type = "array"\nitems = "s"\nmax_items = 2\nmin_items = 3'), None, "min_items =",
             "'min_items' must be an integer 0..max_items (2)"),
            (field("a", 'type = "array"\nmax_items = 2'), None, "type = \"array\"",
             "needs either 'object' (an object type) or 'items'"),
            (field("a", 'type = "array"\nitems = "nope"\nmax_items = 2'), None, "items =",
             "'items' names no field definition ('nope')"),
            (field("a", 'type = "array"\nitems = "a2"\nmax_items = 2')
             + field("a2", 'type = "array"\nitems = "s"\nmax_items = 2'), None, "items = \"a2\"",
             "an array of arrays is not supported"),
            (field("a", 'type = "array"\nitems = "s"\nmax_items = 2\nexample = ["x"]'), None, "example = [",
             "type array takes no 'example'"),
            (field("a", 'type = "string"\nmax = 2\nexample = "x"\nmax_items = 2'), None, "max_items =",
             "type string takes no 'max_items'"),
        )
        for body, _, needle, message in cases:
            text = base + body + event("e", ["s", "a"])
            with self.subTest(message=message):
                self.assertReports(text, line_of(text, needle), message)

    def test_object_keys(self):
        base = "version = 1\n" + S
        cases = (
            (field("o", 'type = "object"'), "type = \"object\"", "type object needs 'object'"),
            (field("o", 'type = "object"\nobject = "Nope"'), "object = \"Nope\"", "unknown object type 'Nope'"),
            (field("o", 'type = "object"\nobject = "A"\nmax_items = 3') + obj("A", ["s"]), "max_items",
             "type object takes no 'max_items'"),
            (field("o", 'type = "object"\nobject = "A"') + obj("A", ["s", "t"]), "fields = [\"s\", \"t\"]",
             "object 'A': unknown field 't'"),
            (field("o", 'type = "object"\nobject = "A"') + obj("A", ["s"], optional=["t"]), "optional =",
             "optional field 't' is not in 'fields'"),
            (field("o", 'type = "object"\nobject = "A"') + "[object.A]\ndescription = \"d\"\nfields = []\n",
             "fields = []", "'fields' must be a non-empty list"),
            (field("o", 'type = "object"\nobject = "A"') + obj("A", ["s"]) + "x = 1\n", "x = 1",
             "object 'A': unknown key 'x'"),
            (field("o", 'type = "object"\nobject = "Double"') + obj("Double", ["s"]), "[object.Double]",
             "object name 'Double' collides with the C keyword 'double'"),
            (field("o", 'type = "object"\nobject = "E"') + obj("E", ["s"]), "id = \"e\"",
             "event id 'e' collides with a name of object 'E' (ugw_e)"),
        )
        for body, needle, message in cases:
            text = base + body + event("e", ["s", "o"])
            with self.subTest(message=message):
                self.assertReports(text, line_of(text, needle), message)

    def test_struct_members_collide(self):
        text = ("version = 1\n" + S + field("a", 'type = "array"\nitems = "s"\nmax_items = 2')
                + field("aCount", 'type = "int"\nmin = 0\nmax = 1\nexample = 0')
                + field("o", 'type = "object"\nobject = "A"') + obj("A", ["a", "aCount"])
                + event("e", ["o"]))
        self.assertReports(text, line_of(text, "fields = [\"a\", \"aCount\"]"),
                           "object 'A': struct member 'a_count' of field 'aCount' collides with the item count")
        text2 = "version = 1\n" + S + field("a", 'type = "array"\nitems = "s"\nmax_items = 2') \
            + field("aCount", 'type = "int"\nmin = 0\nmax = 1\nexample = 0') + event("e", ["a", "aCount"])
        self.assertReports(text2, line_of(text2, "fields = "), "struct member 'a_count'")


if __name__ == "__main__":
    unittest.main()
