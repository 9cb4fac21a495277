#!/usr/bin/python3
"""The exported JSON Schema of schemas other than the bundled one against
their generated validator, file by file.

test_jsonschema_equivalence.py compares `ugw validate` with the export of
the bundled schema; the command is schema-agnostic (a `ugw` over another
schema is ugw_cli_main over that schema's generated code), so here the
verdicts come from the generated code itself: each schema is generated as
`ugw_generate()` does (events.schema.json, events.strict.schema.json), and
tests/codegen/verdict_driver.c, compiled with its <prefix>_events.c and the
runtime's codec, decodes every file with the default (lenient) and the
strict decoder. Debian's python3-jsonschema (Draft202012Validator) judges
the same files with the lenient and the strict document (judge.py).

Schemas:
  - the every-construct schema: tests/compound/compound.toml (objects,
    arrays of objects and of scalars, nullable, optional, lenient and strict
    enums, numbers, timestamps) with EXTENSION below (url, id, nullable
    bool and enum, aliases, per-event fields: a shared field narrowed for one
    event, fields of an event's own, a bounded timestamp);
  - Standard Webhooks' envelope over the eleven events:
    tests/envelope/standard_webhooks.toml (other envelope keys and an
    envelope field, mutated like any field; a third of the variants);
  - UGW_JSONSCHEMA_SCHEMAS (default 5) random schemas of the property test's
    generator (tests/codegen/test_schema_property.py) from
    UGW_JSONSCHEMA_SCHEMA_SEED (default 20261130).
Files: every valid fixture, every file of the invalid corpus, and random
variants of the valid events (mutate.py: UGW_JSONSCHEMA_VARIANTS, default
3000, for the every-construct schema, a sixth of that for each random one,
from UGW_JSONSCHEMA_SEED, default 20261130), each also in MessagePack when it
has one; lenient and strict.

They agree on every file except by the documented exceptions
(docs/SCHEMA_COMPAT.md, "What JSON Schema cannot say"): corpus files whose
name says why (EXCUSED), documents beyond the decoder's limits (judge.py),
and strings within their limits in characters but not in bytes
(Subject.bytes_not_characters).
Any other disagreement fails with the seed, the schema and the file.
Each schema's JSON Schema documents are valid against the 2020-12
metaschema (check_schema), and its OpenAPI documents (openapi.json,
openapi.strict.json) against the OpenAPI 3.1 schema of the OpenAPI
Initiative (tests/openapi/oas-3.1-schema.json: https://spec.openapis.org/oas/3.1/schema/2022-10-07,
Apache License 2.0), with every $ref resolving, every webhook's body the
event's definition and the JSON Schema's definitions among its components
(the redocly lint of tests/openapi runs on the bundled schema only).
"""

import json
import os
import random
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.environ.get("UGW_SOURCE_DIR", os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "codegen"))
import jsonschema  # noqa: E402

import corpus  # noqa: E402
from differential import Subject, openapi_problems  # noqa: E402
from test_schema_property import random_schema  # noqa: E402

OAS_SCHEMA = os.path.join(ROOT, "tests", "openapi", "oas-3.1-schema.json")
COMPOUND = os.path.join(ROOT, "tests", "compound", "compound.toml")
ENVELOPE = os.path.join(ROOT, "tests", "envelope", "standard_webhooks.toml")
VARIANTS = int(os.environ.get("UGW_JSONSCHEMA_VARIANTS", "3000"))
SEED = int(os.environ.get("UGW_JSONSCHEMA_SEED", "20261130"))
SCHEMAS = int(os.environ.get("UGW_JSONSCHEMA_SCHEMAS", "5"))
SCHEMA_SEED = int(os.environ.get("UGW_JSONSCHEMA_SCHEMA_SEED", "20261130"))
REPLAY = (f"UGW_JSONSCHEMA_SEED={SEED} UGW_JSONSCHEMA_VARIANTS={VARIANTS} "
          f"UGW_JSONSCHEMA_SCHEMA_SEED={SCHEMA_SEED} UGW_JSONSCHEMA_SCHEMAS={SCHEMAS}")

# What compound.toml lacks, so that one schema has every construct.
EXTENSION = '''
[field.link]
type = "url"
max = 40
description = "A link."
example = "https://example.com/a?b#c"

[field.grade]
type = "enum"
values = ["a", "b", "c"]
nullable = true
description = "A grade (a strict enum that may be null)."
example = "b"

[field.flag]
type = "bool"
nullable = true
description = "A flag that may be null."
example = false

[field.ref]
type = "id"
nullable = true
description = "A reference that may be null."
example = 42

[[event]]
id = "order_audit"
event = "order audit"
aliases = ["order audited"]
description = "Per-event fields: shared fields narrowed here, and fields of its own."
fields = ["userId", "quantity", "link", "grade", "flag", "ref", "when", "score", "order", "tags"]
optional = ["flag", "when", "link", "tags"]

[event.field.userId]
max = 8
description = "The user, at most 8 bytes here."

[event.field.quantity]
min = 2
max = 9
description = "How many, 2 to 9 here."

[event.field.when]
type = "timestamp"
min = 2020-01-01T00:00:00Z
max = 2030-12-31T23:59:59.999Z
nullable = true
description = "When, in the 2020s."
example = 2024-02-29T12:00:00+01:00

[event.field.score]
type = "number"
min = -1
max = 1
description = "A score of this event's own."
example = 0.25
'''

def random_schemas(count, seed):
    """`count` (index, text) random schemas that `check` accepts, from `seed`;
    at least half of them with objects and arrays (the generator makes them
    in one schema of two)."""
    rnd = random.Random(seed)
    out, k = [], 0
    while len(out) < count and k < count * 20:
        text = random_schema(rnd)
        flat = "[object." not in text
        if flat and sum("[object." not in t for _, t in out) >= count // 2:
            k += 1
            continue
        with tempfile.TemporaryDirectory(prefix="ugw-js-try-") as d:
            try:
                corpus.generate(text, d)
            except corpus.Refused:
                k += 1
                continue
        out.append((k, text))
        k += 1
    return out


@unittest.skipIf(corpus.MISSING, corpus.MISSING or "")
class SchemasEquivalence(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="ugw-js-schemas-")
        with open(OAS_SCHEMA, encoding="utf-8") as f:
            oas = json.load(f)
        jsonschema.Draft202012Validator.check_schema(oas)
        cls.oas = jsonschema.Draft202012Validator(oas)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def check_subject(self, name, text, variants, seed, expect_both=True):
        d = os.path.join(self.tmp.name, name)
        os.mkdir(d)
        try:
            subject = Subject(name, text, d, variants, seed)
            counts, excused, bad = subject.compare()
        except AssertionError as e:
            raise AssertionError(f"{e}\nreplay: {REPLAY}\nschema {name}:\n{text}") from None
        self.assertEqual(subject.openapi_problems(self.oas), [], f"replay: {REPLAY}\nschema {name}:\n{text}")
        self.assertEqual(bad, [], f"{len(bad)} disagreements not on the list of docs/SCHEMA_COMPAT.md "
                         f"(replay: {REPLAY}):\n" + "\n".join(bad[:20]) + f"\nschema {name}:\n{text}")
        print(f"\n{name}: {counts}; differing only by: {sorted(excused) or 'nothing'}", file=sys.stderr)
        if expect_both:        # the variants exercise both verdicts substantially
            for mode in ("lenient", "strict"):
                for verdict in ("valid", "invalid"):
                    self.assertGreater(counts.get(f"{mode} variants {verdict}", 0), variants // 10,
                                       (name, mode, verdict, counts))
        return subject

    def test_openapi_check_finds_faults(self):
        gen = os.path.join(ROOT, "generated")
        with open(os.path.join(gen, "openapi.json"), encoding="utf-8") as f:
            doc = json.load(f)
        with open(os.path.join(gen, "events.schema.json"), encoding="utf-8") as f:
            defs = json.load(f)["$defs"]
        ids = sorted(doc["webhooks"])
        self.assertEqual(openapi_problems(self.oas, "openapi.json", doc, defs, ids), [])
        first = ids[0]

        def broken(change):
            bad = json.loads(json.dumps(doc))
            change(bad)
            return openapi_problems(self.oas, "openapi.json", bad, defs, ids)

        self.assertTrue(broken(lambda d: d.pop("info")))
        self.assertTrue(broken(lambda d: d.update(openapi="3.0.3")))
        self.assertTrue(broken(lambda d: d["webhooks"][first]["post"]["parameters"][0].update({"$ref": "#/x"})))
        self.assertTrue(broken(lambda d: d["webhooks"][first]["post"]["responses"].update({"204": {"x": 1}})))
        self.assertTrue(broken(lambda d: d["webhooks"].pop(first)))
        self.assertTrue(broken(lambda d: d["webhooks"][first]["post"]["requestBody"]["content"]
                               ["application/msgpack"].update(schema={"type": "object"})))
        self.assertTrue(broken(lambda d: d["components"]["schemas"][first].update(required=[])))

    def test_every_construct_schema(self):
        with open(COMPOUND, encoding="utf-8") as f:
            text = f.read() + EXTENSION
        subject = self.check_subject("every-construct", text, VARIANTS, SEED)
        self.assertGreater(len(subject.invalid), 100)
        self.assertGreaterEqual(len(subject.variants), VARIANTS)

    def test_envelope_schema(self):
        """Standard Webhooks' envelope over the eleven events: other keys and
        a timestamp beside the payload, mutated like any field."""
        with open(ENVELOPE, encoding="utf-8") as f:
            text = f.read()
        subject = self.check_subject("envelope", text, max(VARIANTS // 3, 1), SEED + 100)
        self.assertGreaterEqual(len(subject.variants), max(VARIANTS // 3, 1))

    def test_random_schemas(self):
        schemas = random_schemas(SCHEMAS, SCHEMA_SEED)
        self.assertEqual(len(schemas), SCHEMAS, f"too many random schemas refused (replay: {REPLAY})")
        for k, text in schemas:
            with self.subTest(schema=k):
                self.check_subject(f"random-{k}", text, max(VARIANTS // 6, 1), SEED + k, expect_both=False)


if __name__ == "__main__":
    unittest.main(verbosity=2)
