"""The exported documents (ugwgen/export*.py): their shape for the bundled
schema, the id regular expression, and the types of the schema language
beyond the four of the bundled schema. Agreement with `ugw validate` is
tests/jsonschema/test_jsonschema_equivalence.py."""

import os
import re
import unittest
from types import SimpleNamespace

from codegen_support import GENERATED, SCHEMA, SCHEMA_DATA, load_mod, model_mod
from ugwgen import diff as diff_mod, export, export_jsonschema as js, export_openapi as oa

ID_MAX = 2**53 - 1


def bundled_model():
    return model_mod.build(load_mod.load(SCHEMA), "schema/events.toml")


def field(ftype, **kw):
    """A model.Field as the exporters read it (limits as the model sets them)."""
    lo, hi = {"timestamp": (-62135596800000, 253402300799999),
              "number": (-1.7976931348623157e308, 1.7976931348623157e308)}.get(ftype, (None, None))
    kw.setdefault("lenient", False)
    kw.setdefault("nullable", False)
    kw.setdefault("values", ())
    return SimpleNamespace(type=ftype, name="f", description="A field.", example=kw.pop("example", None),
                           min=kw.pop("min", lo), max=kw.pop("max", hi), required=True, **kw)


class Documents(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.m = bundled_model()

    def test_generated_files_are_the_documents(self):
        for (fmt, strict), data in export.documents(self.m).items():
            with open(os.path.join(GENERATED, export.file_name(fmt, strict)), "rb") as f:
                self.assertEqual(f.read(), data, (fmt, strict))

    def test_json_schema_shape(self):
        for strict in (False, True):
            doc = js.document(self.m, strict)
            self.assertEqual(doc["$schema"], "https://json-schema.org/draft/2020-12/schema")
            names = doc["properties"]["event"]["enum"]
            for ev in SCHEMA_DATA["event"]:
                self.assertIn(ev["id"], doc["$defs"])
                payload = doc["$defs"][ev["id"] + ".payload"]
                optional = set(ev.get("optional", []))
                self.assertEqual(payload["required"], [f for f in ev["fields"] if f not in optional])
                self.assertEqual(list(payload["properties"]), ev["fields"])
                for n in [ev["event"], *ev.get("aliases", [])]:
                    self.assertIn(n, names)
                self.assertEqual(payload.get("additionalProperties") is False, strict)
            self.assertEqual(len(doc["allOf"]), len(SCHEMA_DATA["event"]))
            self.assertEqual(doc.get("additionalProperties") is False, strict)

    def test_openapi_shape(self):
        doc = oa.document(self.m)
        self.assertEqual(doc["openapi"], "3.1.0")
        self.assertEqual(list(doc["webhooks"]), [ev["id"] for ev in SCHEMA_DATA["event"]])
        params = doc["components"]["parameters"]
        self.assertEqual(sorted(p["name"] for p in params.values()),
                         ["webhook-id", "webhook-signature", "webhook-timestamp"])
        self.assertTrue(all(p["required"] and p["in"] == "header" for p in params.values()))
        for eid, hook in doc["webhooks"].items():
            post = hook["post"]
            self.assertEqual(sorted(post["requestBody"]["content"]), ["application/json", "application/msgpack"])
            self.assertEqual(post["requestBody"]["content"]["application/msgpack"]["schema"]["$ref"],
                             "#/components/schemas/" + eid)
            self.assertEqual(sorted(post["responses"]), ["204", "400", "401", "413", "415", "500"])
            self.assertEqual(len(post["parameters"]), 3)
        self.assertIn("HMAC-SHA256", doc["info"]["description"])

    def test_documents_do_not_depend_on_the_prefix(self):
        from ugwgen import outputs
        other = model_mod.build(load_mod.load(SCHEMA), "schema/events.toml", outputs.Options(prefix="acme"))
        self.assertEqual(export.documents(other), export.documents(self.m))

    def test_c_pieces_concatenate_to_the_document(self):
        def unliteral(lit):
            self.assertTrue(lit.startswith('"') and lit.endswith('"'))
            out, i, body = bytearray(), 0, lit[1:-1]
            while i < len(body):
                if body[i] == "\\":
                    if body[i + 1] in "01234567":
                        out.append(int(body[i + 1:i + 4], 8))
                        i += 4
                        continue
                    out += body[i + 1].encode()
                    i += 2
                    continue
                out += body[i].encode()
                i += 1
            return bytes(out)
        docs = export.documents(self.m)
        for d in export.c_documents(self.m, docs):
            self.assertTrue(all(len(p) <= 4095 for p in d.pieces))
            self.assertGreater(len(d.pieces), 1)
            self.assertEqual(b"".join(unliteral(p) for p in d.pieces), docs[(d.format, d.strict)])


class IdPattern(unittest.TestCase):

    def test_digits_at_most(self):
        rx = re.compile(js.digits_at_most(ID_MAX))
        for v in (0, 1, ID_MAX, ID_MAX - 1, 10**15, 8999999999999999, 9007199254740990, 9007199254740900):
            self.assertTrue(rx.match(f"{v:016d}"), v)
        for v in (ID_MAX + 1, ID_MAX + 10, 9007199254741000, 9100000000000000, 10**16 - 1):
            self.assertFalse(rx.match(f"{v:016d}"), v)
        rx = re.compile(js.digits_at_most(305))
        self.assertEqual([v for v in range(1000) if rx.match(f"{v:03d}")], list(range(306)))


class NewTypes(unittest.TestCase):
    """Types of the schema language the bundled schema does not use yet."""

    def test_types(self):
        self.assertEqual(js.field_schema(field("bool"))["type"], "boolean")
        n = js.field_schema(field("number", min=-1.5, max=2))
        self.assertEqual((n["type"], n["minimum"], n["maximum"]), ("number", -1.5, 2))
        self.assertEqual(js.field_schema(field("enum", values=["a", "b"]))["enum"], ["a", "b"])
        ts = js.field_schema(field("timestamp"))
        self.assertEqual(ts["format"], "date-time")
        rx = re.compile(ts["pattern"])
        self.assertTrue(rx.search("2024-02-29T23:59:59.125+01:00"))
        self.assertFalse(rx.search("2024-02-29T23:59:59Z\n"))
        nullable = js.field_schema(field("int", min=0, max=3, nullable=True))
        self.assertEqual((nullable["type"], nullable["maximum"]), (["integer", "null"], 3))
        nullable = js.field_schema(field("enum", values=["a"], nullable=True))
        self.assertEqual((nullable["type"], nullable["enum"]), (["string", "null"], ["a", None]))
        nullable = js.field_schema(field("id", nullable=True))       # anyOf: one more branch
        self.assertEqual(nullable["anyOf"][1], {"type": "null"})
        lenient = js.field_schema(field("enum", values=["a"], lenient=True))
        self.assertEqual((lenient["type"], lenient["minLength"], lenient["examples"][:1]), ("string", 1, ["a"]))
        self.assertNotIn("enum", lenient)
        unbounded = js.field_schema(field("number"))    # infinity (1e400 to a parser) is refused
        self.assertEqual((unbounded["minimum"], unbounded["maximum"]), (-1.7976931348623157e308, 1.7976931348623157e308))

    def test_examples_are_json(self):
        import datetime
        when = datetime.datetime(2024, 2, 29, 23, 59, 59, tzinfo=datetime.timezone.utc)
        s = js.field_schema(field("timestamp", example=when))
        self.assertEqual(s["examples"], ["2024-02-29T23:59:59Z"])
        ev = SimpleNamespace(wire="w", example={"at": when, "n": [1, datetime.date(2024, 1, 2)]})
        self.assertEqual(js.example_document(ev), {"event": "w", "payload": {"at": "2024-02-29T23:59:59Z",
                                                                           "n": [1, "2024-01-02"]}})

    def test_unknown_type_is_exported_as_any_value(self):
        s = js.field_schema(field("matrix"))
        self.assertEqual(set(s), {"description"})
        self.assertIn("not checked", s["description"])

    def test_enum_values_in_the_diff(self):
        a, b = field("enum", values=["a", "b"]), field("enum", values=["a", "b", "c"])
        self.assertTrue(diff_mod._subset(diff_mod.domain(a, True), diff_mod.domain(b, False)))
        self.assertFalse(diff_mod._subset(diff_mod.domain(b, True), diff_mod.domain(a, False)))
        self.assertTrue(diff_mod._subset(diff_mod.domain(field("bool"), True), diff_mod.domain(field("bool"), False)))


if __name__ == "__main__":
    unittest.main()
