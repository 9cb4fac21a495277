"""Envelopes ([envelope], codegen/ugwgen/envelope.py): `check` refuses every
mistake in an envelope with file:line (both files for an include conflict),
never a traceback; a schema with other keys and envelope fields of every type
generates, compiles (ASan and UBSan under UGW_CODEGEN_SANITIZE=1) and
round-trips its fixtures in both formats and rejects its invalid corpus with
the manifest's codes and top-level paths; the bundled schema's bytes stay;
the JSON Schema and OpenAPI documents carry the envelope, and `schema diff`
classifies its changes.

    /usr/bin/python3 -m unittest discover -s tests/codegen -p 'test_envelope.py' -v
"""

import json
import os
import tempfile
import unittest

from codegen_support import *  # noqa: F401,F403
from codegen_support import SchemaCheckCase, SchemaDiffCase, line_of, run_codegen
import corpus

SW = os.path.join(ROOT, "tests", "envelope", "standard_webhooks.toml")

BASE = """version = 1

[field.userId]
type = "string"
min = 1
max = 16
description = "User."
example = "u1"

[field.kind]
type = "enum"
values = ["a", "b-c"]
description = "Kind."
example = "a"

[field.tag]
type = "string"
max = 4
description = "Tag."
example = "x"

[object.Meta]
description = "Meta."
fields = ["region", "score"]
optional = ["score"]

[field.region]
type = "string"
max = 8
description = "Region."
example = "eu"

[field.score]
type = "number"
min = 0
max = 1
description = "Score."
example = 0.5

[[event]]
id = "signed_up"
event = "signed.up"
description = "Signed up."
fields = ["userId", "kind"]

[[event]]
id = "left"
event = "left"
aliases = ["gone"]
description = "Left."
fields = ["userId"]
"""

# Every type and option of an envelope field.
EVERY = BASE + """
[envelope]
event_key = "type"
payload_key = "data"
fields = ["timestamp", "attempt", "source", "tenant", "meta", "tags", "kind", "id", "live", "weight"]
optional = ["attempt", "meta", "weight"]

[envelope.field.timestamp]
type = "timestamp"
min = 2000-01-01T00:00:00Z
description = "When."
example = 2022-11-03T20:26:10.344Z

[envelope.field.attempt]
type = "int"
min = 1
max = 10
description = "Try."
example = 1

[envelope.field.source]
type = "url"
max = 100
nullable = true
description = "From."
example = "https://e.com/x"

[envelope.field.tenant]
type = "string"
min = 1
max = 8
description = "Tenant."
example = "t\\u00e9"

[envelope.field.meta]
type = "object"
object = "Meta"
nullable = true
description = "Meta."

[envelope.field.tags]
type = "array"
items = "tag"
max_items = 3
min_items = 1
description = "Tags."

[envelope.field.id]
type = "id"
description = "Id."
example = 9007199254740991

[envelope.field.live]
type = "bool"
description = "Live."
example = true

[envelope.field.weight]
type = "number"
description = "Weight."
example = -2.5
"""


class EnvelopeChecks(SchemaCheckCase):

    def test_keys_must_differ(self):
        text = BASE + '[envelope]\nevent_key = "data"\npayload_key = "data"\n'
        self.assertReports(text, line_of(text, 'payload_key = "data"'),
                           "'event_key' and 'payload_key' are both 'data'")

    def test_key_form(self):
        text = BASE + '[envelope]\nevent_key = "a.b"\n'
        self.assertReports(text, line_of(text, 'event_key = "a.b"'), "envelope: 'event_key' must be a key")
        text = BASE + '[envelope]\npayload_key = ""\n'
        self.assertReports(text, line_of(text, 'payload_key = ""'), "envelope: 'payload_key' must be a key")

    def test_field_named_as_a_key(self):
        text = BASE + '[envelope]\nevent_key = "type"\nfields = ["type"]\n[envelope.field.type]\n' \
                      'type = "bool"\ndescription = "d"\nexample = true\n'
        self.assertReports(text, line_of(text, 'fields = ["type"]'),
                           "envelope: field 'type' has the name of the envelope's event_key")

    def test_unknown_and_undefined(self):
        text = BASE + '[envelope]\nfield_key = "x"\nfields = ["nope"]\n'
        self.assertReports(text, line_of(text, 'field_key = "x"'), "envelope: unknown key 'field_key'")
        self.assertReports(text, line_of(text, 'fields = ["nope"]'), "envelope: unknown field 'nope'")

    def test_table_not_listed_and_optional_not_listed(self):
        text = BASE + '[envelope]\nfields = ["userId"]\noptional = ["kind"]\n[envelope.field.at]\n' \
                      'type = "bool"\ndescription = "d"\nexample = true\n'
        self.assertReports(text, line_of(text, "[envelope.field.at]"), "the envelope does not list")
        self.assertReports(text, line_of(text, 'optional = ["kind"]'), "optional field 'kind' is not in 'fields'")

    def test_keyword_field_and_bad_definition(self):
        text = BASE + '[envelope]\nfields = ["class"]\n[envelope.field.class]\ntype = "bool"\n' \
                      'description = "d"\nexample = true\n'
        self.assertReports(text, line_of(text, "[envelope.field.class]"),
                           "envelope field name 'class' collides with the C++ keyword")
        text = BASE + '[envelope]\nfields = ["at"]\n[envelope.field.at]\ntype = "int"\nmin = 1\nmax = 2\n' \
                      'description = "d"\nexample = 5\n'
        self.assertReports(text, line_of(text, "example = 5"), "envelope field 'at': example must be an integer")

    def test_own_enum_refused(self):
        text = BASE + '[envelope]\nfields = ["mode"]\n[envelope.field.mode]\ntype = "enum"\nvalues = ["x"]\n' \
                      'description = "d"\nexample = "x"\n'
        self.assertReports(text, line_of(text, 'values = ["x"]'), "define them in [field.mode]")

    def test_not_a_table(self):
        text = BASE.replace("version = 1\n", 'version = 1\nenvelope = "x"\n')
        self.assertReports(text, 2, "'envelope' must be a table [envelope]")

    def test_include_conflict_names_both_files(self):
        d = self.tmp.name
        with open(os.path.join(d, "base.toml"), "w", encoding="utf-8") as f:
            f.write(BASE + '\n[envelope]\nevent_key = "type"\n')
        text = 'version = 1\ninclude = ["base.toml"]\n\n[envelope]\nevent_key = "kind"\n'
        path, p = self.check_text(text)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn(f"{path}:4: 'envelope' differs from the one in {os.path.join(d, 'base.toml')}:", p.stderr)
        self.assertNotIn("Traceback", p.stderr)

    def test_an_including_schema_sets_the_envelope(self):
        path, p = self.check_text(open(SW, encoding="utf-8").read())
        self.assertEqual((p.returncode, p.stderr), (0, ""))


@unittest.skipIf(corpus.MISSING, corpus.MISSING or "")
class EnvelopeRoundTrip(unittest.TestCase):

    def test_every_construct_envelope(self):
        with tempfile.TemporaryDirectory() as d:
            out = corpus.generate(EVERY, d)
            with open(os.path.join(out, "fixtures", "valid", "signed_up.json"), encoding="utf-8") as f:
                doc = json.load(f)
            self.assertEqual(list(doc), ["type", "timestamp", "attempt", "source", "tenant", "meta", "tags", "kind",
                                         "id", "live", "weight", "data"])
            valid = os.listdir(os.path.join(out, "fixtures", "valid"))
            self.assertIn("signed_up.null.json", valid)      # source and meta null
            self.assertIn("left.absent.msgpack", valid)      # attempt, meta, weight left out
            manifest = corpus.manifest(out)
            for row in ("n_envelope_missing_timestamp.json\tmissing\ttimestamp\t",
                        "n_duplicate_envelope_timestamp.msgpack\tduplicate_key\ttimestamp\t",
                        "n_envelope_type_meta.json\ttype\tmeta\t",
                        "n_envelope_type_tags.msgpack\ttype\ttags\t",
                        "n_envelope_null_timestamp.json\ttype\ttimestamp\t",
                        "n_envelope_format_timestamp.json\tformat\ttimestamp\t",
                        "n_envelope_range_attempt.json\trange\tattempt\t",
                        "n_envelope_too_short_tenant.json\ttoo_short\ttenant\t",
                        "n_envelope_enum_kind.msgpack\tenum\tkind\t",
                        "n_missing_event.json\tmissing\ttype\t",
                        "n_missing_payload.json\tmissing\tdata\t",
                        "n_missing_userId.json\tmissing\tdata.userId\t",
                        "n_unknown_key_root.json\tunknown_key\textra\tstrict"):
                self.assertIn(row, manifest)
            result = corpus.build_and_run(out, d)
        self.assertTrue(result.startswith("ok 2 "), result)

    def test_keys_only_and_the_standard_webhooks_example(self):
        keys_only = BASE + '[envelope]\nevent_key = "t"\npayload_key = "p"\n'
        self.assertTrue(corpus.run_schema(keys_only).startswith("ok 2 "))
        with open(SW, encoding="utf-8") as f:
            self.assertTrue(corpus.run_schema(f.read()).startswith("ok 11 "))

    def test_default_envelope_changes_no_byte(self):
        # an [envelope] table that gives the default keys is the default
        with tempfile.TemporaryDirectory() as d1, tempfile.TemporaryDirectory() as d2:
            out1 = corpus.generate(BASE, d1)
            out2 = corpus.generate(BASE + '[envelope]\nevent_key = "event"\npayload_key = "payload"\n', d2)
            t1, t2 = read_tree(out1), read_tree(out2)
            self.assertEqual(sorted(t1), sorted(t2))
            for name in t1:
                if name.endswith((".json", ".msgpack")) and name.startswith("fixtures/"):
                    self.assertEqual(t1[name], t2[name], name)


class EnvelopeExports(unittest.TestCase):

    def test_json_schema_and_openapi(self):
        with tempfile.TemporaryDirectory() as d:
            p = run_codegen("--quiet", "--schema", SW, "--out", d, "--prefix", "sw")
            self.assertEqual((p.returncode, p.stderr), (0, ""))
            with open(os.path.join(d, "events.schema.json"), encoding="utf-8") as f:
                doc = json.load(f)
            with open(os.path.join(d, "openapi.json"), encoding="utf-8") as f:
                api = json.load(f)
        self.assertEqual(doc["required"], ["type", "timestamp", "data"])
        self.assertEqual(list(doc["properties"]), ["type", "timestamp", "data"])
        self.assertEqual(doc["properties"]["timestamp"], {"$ref": "#/$defs/envelope.timestamp"})
        self.assertEqual(doc["$defs"]["envelope.timestamp"]["format"], "date-time")
        self.assertEqual(doc["allOf"][0]["if"]["required"], ["type"])
        ev = doc["$defs"]["guide_preview_start"]
        self.assertEqual(ev["required"], ["type", "timestamp", "data"])
        self.assertEqual(list(ev["examples"][0]), ["type", "timestamp", "data"])
        self.assertIn('`{"type": <event string>, "timestamp": ..., "data": {...}}`', api["info"]["description"])
        self.assertIn("envelope.timestamp", api["components"]["schemas"])


class EnvelopeDiff(SchemaDiffCase):

    OLD_TEXT = BASE

    def diff(self, old, new):
        p = run_codegen("diff", "--json", self.write("a.toml", old), self.write("b.toml", new))
        self.assertNotIn("Traceback", p.stderr)
        return p.returncode, {c["kind"]: c for c in json.loads(p.stdout)["changes"]}

    def test_changes_classified(self):
        sw = BASE + ('[envelope]\nevent_key = "type"\npayload_key = "data"\nfields = ["at"]\n'
                     '[envelope.field.at]\ntype = "int"\nmin = 0\nmax = 9\ndescription = "d"\nexample = 1\n')
        rc, ch = self.diff(BASE, sw)
        self.assertEqual(rc, 1)
        for kind in ("envelope-event-key-renamed", "envelope-payload-key-renamed"):
            self.assertEqual((ch[kind]["receivers"], ch[kind]["senders"]), ("breaking", "breaking"))
        self.assertEqual((ch["envelope-field-added"]["receivers"], ch["envelope-field-added"]["senders"]),
                         ("strict", "breaking"))
        self.assertEqual(ch["envelope-field-added"]["new"]["line"], line_of(sw, "[envelope.field.at]"))
        rc, ch = self.diff(sw, sw.replace('fields = ["at"]', 'fields = ["at"]\noptional = ["at"]'))
        self.assertEqual((ch["envelope-field-became-optional"]["receivers"],
                          ch["envelope-field-became-optional"]["senders"]), ("breaking", "compatible"))
        rc, ch = self.diff(sw, sw.replace("max = 9", "max = 5"))
        self.assertEqual((ch["envelope-limits-tightened"]["receivers"], ch["envelope-limits-tightened"]["senders"]),
                         ("compatible", "breaking"))
        self.assertEqual(ch["envelope-limits-tightened"]["field"], "at")
        rc, ch = self.diff(sw, sw.split("[envelope.field.at]")[0].replace('fields = ["at"]', "fields = []"))
        self.assertEqual((ch["envelope-field-removed"]["receivers"], ch["envelope-field-removed"]["senders"]),
                         ("breaking", "strict"))
        rc, ch = self.diff(BASE, BASE + '[envelope]\nevent_key = "event"\n')
        self.assertEqual((rc, ch), (0, {}))


if __name__ == "__main__":
    unittest.main()
