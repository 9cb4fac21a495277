"""Per-event fields ([event.field.NAME] inside an [[event]],
codegen/ugwgen/event_fields.py): one wire name with other limits in one
event, a field of one event only, and everything that follows the event's
definition: the C struct and its limit macros, the descriptors (decoding
refuses in one event what another accepts), the fingerprint, the fixtures and
corpus, the diff and the exported JSON Schema; and what `check` refuses.

    /usr/bin/python3 -m unittest discover -s tests/codegen -p 'test_event_fields.py' -v
"""

import os
import tempfile
import unittest

from codegen_support import *  # noqa: F401,F403
from codegen_support import SCHEMA_TEXT, SchemaCheckCase, build_model, edit, line_of, run_codegen
from ugwgen import diff as diff_mod, export_jsonschema
import corpus

BASE = """version = 1

[field.score]
type = "int"
min = 0
max = 10
description = "The score."
example = 7

[[event]]
id = "rated"
event = "rated"
description = "A rating from 0 to 10."
fields = ["score"]

[[event]]
id = "stars"
event = "stars"
description = "A rating from 0 to 5, and a note."
fields = ["score", "note"]
optional = ["note"]
"""

OVERRIDE = """
[event.field.score]
max = 5
example = 3
description = "The stars."

[event.field.note]
type = "string"
max = 20
description = "A note of this event only."
example = "fine"
"""

SCHEMA = BASE + OVERRIDE


def model_of(text):
    return build_model(text, "t.toml")


class Model(unittest.TestCase):

    def test_each_event_sees_its_own_definition(self):
        m = model_of(SCHEMA)
        rated, stars = m.events
        self.assertEqual((rated.fields[0].min, rated.fields[0].max, rated.fields[0].own), (0, 10, False))
        score, note = stars.fields
        self.assertEqual((score.max, score.example, score.description, score.own), (5, 3, "The stars.", True))
        self.assertEqual((note.type, note.max, note.required, note.own), ("string", 20, False, True))
        self.assertEqual([f.name for f in stars.own_fields], ["score", "note"])
        # the shared definition stays the shared one
        self.assertEqual([(f["name"], f["max"]) for f in m.fields], [("score", 10)])

    def test_fingerprint_follows_the_event(self):
        plain = model_of(BASE + OVERRIDE.replace("max = 5\n", ""))
        m = model_of(SCHEMA)
        self.assertEqual(m.events[0].fingerprint, plain.events[0].fingerprint)
        self.assertNotEqual(m.events[1].fingerprint, plain.events[1].fingerprint)
        # a description or an example is no wire change
        same = model_of(SCHEMA.replace('description = "The stars."', 'description = "Other."'))
        self.assertEqual(same.events[1].fingerprint, m.events[1].fingerprint)

    def test_type_change_inherits_nothing(self):
        text = BASE + '\n[event.field.score]\ntype = "string"\nmax = 4\ndescription = "s"\nexample = "xyz"\n' \
            + OVERRIDE.split("[event.field.note]")[1].join(["[event.field.note]", ""])
        f = model_of(text).events[1].fields[0]
        self.assertEqual((f.type, f.min, f.max, f.c_type), ("string", 0, 4, "ugw_str"))

    def test_a_schema_without_shared_fields(self):
        text = ('version = 1\n[[event]]\nid = "e"\nevent = "e"\ndescription = "d"\nfields = ["on"]\n'
                '[event.field.on]\ntype = "bool"\ndescription = "d"\nexample = true\n')
        self.assertEqual(model_of(text).events[0].fields[0].type, "bool")

    def test_header_macros(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "t.toml")
            with open(path, "w") as f:
                f.write(SCHEMA)
            p = run_codegen("--schema", path, "--out", d, "--prefix", "acme", "--no-fixtures", "--quiet")
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(os.path.join(d, "acme_events.h")) as f:
                h = f.read()
        for line in ("#define ACME_FIELD_SCORE_MAX 10\n", "#define ACME_STARS_SCORE_MIN 0\n",
                     "#define ACME_STARS_SCORE_MAX 5\n", "#define ACME_STARS_NOTE_MAX 20\n"):
            self.assertIn(line, h)
        self.assertNotIn("ACME_RATED_SCORE", h)     # no override, no macro of its own

    def test_names_made_for_an_event_field(self):
        self.assertEqual(names_mod.event_field_names("x_y", "user_id", "acme"),
                         ["ACME_X_Y_USER_ID_MIN", "ACME_X_Y_USER_ID_MAX"])

    def test_json_schema_follows_the_event(self):
        m = model_of(SCHEMA)
        defs = export_jsonschema.document(m)["$defs"]
        self.assertEqual(defs["field.score"]["maximum"], 10)
        self.assertEqual(defs["rated.payload"]["properties"]["score"], {"$ref": "#/$defs/field.score"})
        self.assertEqual(defs["stars.payload"]["properties"]["score"]["maximum"], 5)
        self.assertEqual(defs["stars.payload"]["properties"]["note"], {"$ref": "#/$defs/field.note"})
        self.assertEqual(defs["field.note"]["maxLength"], 20)

    def test_json_schema_shared_definition_when_the_override_comes_first(self):
        i = SCHEMA.index("[[event]]")
        j = SCHEMA.index("[[event]]", i + 1)
        swapped = SCHEMA[:i] + SCHEMA[j:] + "\n" + SCHEMA[i:j]     # stars (and its tables) first
        m = model_of(swapped)
        self.assertEqual([e.id for e in m.events], ["stars", "rated"])
        defs = export_jsonschema.document(m)["$defs"]
        self.assertEqual(defs["field.score"]["maximum"], 10)
        self.assertEqual(defs["rated.payload"]["properties"]["score"], {"$ref": "#/$defs/field.score"})
        self.assertEqual(defs["stars.payload"]["properties"]["score"]["maximum"], 5)

    def test_diff_names_the_event_and_its_table(self):
        with tempfile.TemporaryDirectory() as d:
            old, new = os.path.join(d, "old.toml"), os.path.join(d, "new.toml")
            with open(old, "w") as f:
                f.write(SCHEMA)
            newtext = SCHEMA.replace("max = 5\n", "max = 4\n")
            with open(new, "w") as f:
                f.write(newtext)
            changes = diff_mod.compare(diff_mod.side(old), diff_mod.side(new))
        self.assertEqual([(c.kind, c.event, c.receivers, c.senders) for c in changes],
                         [("limits-tightened", "stars", "compatible", "breaking")])
        self.assertEqual((changes[0].old_line, changes[0].new_line),
                         (line_of(SCHEMA, "max = 5"), line_of(newtext, "max = 4")))


@unittest.skipIf(corpus.MISSING, corpus.MISSING or "")
class RoundTrip(unittest.TestCase):

    def test_one_wire_name_two_bounds(self):
        # rated's valid fixture holds 7; a stars document with 6 is refused as range
        with tempfile.TemporaryDirectory() as d:
            out = corpus.generate(SCHEMA, d)
            inv = os.path.join(out, "fixtures", "invalid")
            for ext, data in (("json", b'{"event":"stars","payload":{"score":6}}'),
                              ("msgpack", b"\x82\xa5event\xa5stars\xa7payload\x81\xa5score\x06")):
                with open(os.path.join(inv, f"n_stars_score_6.{ext}"), "wb") as f:
                    f.write(data)
                with open(os.path.join(inv, "MANIFEST.tsv"), "a") as f:
                    f.write(f"n_stars_score_6.{ext}\trange\tpayload.score\tdefault\n")
            with open(os.path.join(out, "fixtures", "valid", "rated.json"), "rb") as f:
                self.assertEqual(f.read(), b'{"event":"rated","payload":{"score":7}}')
            with open(os.path.join(out, "fixtures", "valid", "stars.json"), "rb") as f:
                self.assertEqual(f.read(), b'{"event":"stars","payload":{"score":3,"note":"fine"}}')
            self.assertTrue(corpus.build_and_run(out, d).startswith("ok 2 "))


    def test_another_type_for_one_event(self):
        # score is an int in rated and a string in stars: both round-trip
        text = (BASE + '\n[event.field.score]\ntype = "string"\nmin = 1\nmax = 4\ndescription = "s"\nexample = "4/5"\n'
                + "[event.field.note]" + OVERRIDE.split("[event.field.note]")[1])
        self.assertTrue(corpus.run_schema(text).startswith("ok 2 "))


class Check(SchemaCheckCase):

    def test_table_for_a_field_the_event_does_not_list(self):
        text = SCHEMA.replace('fields = ["score", "note"]', 'fields = ["score"]').replace(
            'optional = ["note"]\n', "")
        self.assertReports(text, line_of(text, "[event.field.note]"),
                           "event 'stars': [event.field.note] defines a field the event does not list")

    def test_field_that_is_not_a_table(self):
        text = BASE + "field = 3\n"
        self.assertReports(text, line_of(text, "field = 3"), "event 'stars': 'field' must hold tables")
        text = BASE + "field.score = 3\n"
        self.assertReports(text, line_of(text, "field.score = 3"), "field.score must be a table")

    def test_override_checked_whole(self):
        # the inherited example 7 is above the new max
        text = BASE + "\n[event.field.score]\nmax = 5\n"
        self.assertReports(text, line_of(text, "[event.field.score]"),
                           "event 'stars' field 'score': example must be an integer from 0 to 5")
        text = BASE + "\n[event.field.score]\nmax = 50\nmin = 60\nexample = 55\n"
        self.assertReports(text, line_of(text, "min = 60"), "field 'score': bad limit")
        text = BASE + "\n[event.field.score]\nmaxx = 5\n"
        self.assertReports(text, line_of(text, "maxx = 5"), "field 'score': unknown key 'maxx'")
        # another type: nothing inherited, so a string needs its max
        text = BASE + '\n[event.field.score]\ntype = "string"\nexample = "x"\n'
        self.assertReports(text, line_of(text, 'type = "string"'), "type string needs 'max'")

    def test_own_field_checked_like_a_shared_one(self):
        text = BASE + '\n[event.field.note]\ntype = "string"\nmax = 20\nexample = "x"\n'
        self.assertReports(text, line_of(text, "[event.field.note]"),
                           "event 'stars' field 'note': needs a 'description'")
        text = SCHEMA.replace('"note"', '"class"').replace("[event.field.note]", "[event.field.class]")
        self.assertReports(text, line_of(text, "[event.field.class]"), "collides with the C++ keyword 'class'")
        text = SCHEMA.replace('"note"', '"no_te"').replace("[event.field.note]", '[event.field."no_te"]')
        self.assertReports(text, line_of(text, '[event.field."no_te"]'), "must be letters and digits")

    def test_event_field_names_clash(self):
        # event 'field' with a field 'score' of its own would make P_FIELD_SCORE_MIN, the shared field's
        text = SCHEMA.replace('id = "stars"', 'id = "field"')
        out = self.assertReports(text, line_of(text, "[event.field.score]"),
                                 "event 'field' field 'score' collides with a name of field 'score' "
                                 "(UGW_FIELD_SCORE_MIN)")
        self.assertIn("(and 1 more)", out)

    ENUM = ('version = 1\n[field.kind]\ntype = "enum"\nvalues = ["a", "b"]\ndescription = "k"\nexample = "a"\n'
            '[[event]]\nid = "e"\nevent = "e"\ndescription = "d"\nfields = ["kind"]\n')

    def test_enum_values_stay_shared(self):
        # an enum field's C enum type is one per shared field: its values are not per event
        text = self.ENUM + '[event.field.kind]\nvalues = ["a"]\n'
        self.assertReports(text, line_of(text, 'values = ["a"]'),
                           "event 'e': field 'kind': an enum's values are those of its C enum type")
        ok = self.ENUM + '[event.field.kind]\ndescription = "The kind, here."\nexample = "b"\n'
        self.assertEqual(self.check_text(ok)[1].returncode, 0)
        own = ('version = 1\n[[event]]\nid = "e"\nevent = "e"\ndescription = "d"\nfields = ["k"]\n'
               '[event.field.k]\ntype = "enum"\nvalues = ["x"]\ndescription = "n"\nexample = "x"\n')
        self.assertReports(own, line_of(own, 'values = ["x"]'), "an enum's values are those of its C enum type")

    def test_number_override_macros(self):
        text = ('version = 1\n[field.r]\ntype = "number"\nmin = 0\nmax = 1.5\ndescription = "r"\nexample = 0.5\n'
                '[[event]]\nid = "e"\nevent = "e"\ndescription = "d"\nfields = ["r"]\n'
                '[event.field.r]\nmax = 1.0\n')
        m = build_model(text, "t.toml")
        self.assertEqual((m.events[0].own_fields[0].max_macro, m.fields[0]["max_macro"]), ("1.0", "1.5"))

    def test_bundled_event_tightened_by_an_including_schema(self):
        # the including schema cannot redefine userId, but one of its events may narrow it
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "acme.toml")
            with open(path, "w") as f:
                f.write('version = 1\ninclude = ["ugw:events.toml"]\n[[event]]\nid = "order"\nevent = "order"\n'
                        'description = "d"\nfields = ["userId"]\n[event.field.userId]\nmax = 36\n')
            p = run_codegen("--check", "--schema", path)
            self.assertEqual(p.returncode, 0, p.stderr)
            m = model_mod.build(include_mod.load_schema(path), "acme.toml")
            self.assertEqual((m.events[-1].fields[0].min, m.events[-1].fields[0].max), (1, 36))

    def test_bundled_schema_unchanged(self):
        m = build_model(SCHEMA_TEXT)
        self.assertEqual([e.own_fields for e in m.events], [[]] * len(m.events))
        text = edit(SCHEMA_TEXT, 'fields = ["userId", "pageUrl", "question", "score"]\n',
                    'fields = ["userId", "pageUrl", "question", "score"]\n[event.field.score]\nmax = 9\n')
        self.assertEqual(check_mod.check(load_mod.load("t.toml", text=text)), [])


if __name__ == "__main__":
    unittest.main()
