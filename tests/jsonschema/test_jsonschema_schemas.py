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
import re
import subprocess
import sys
import tempfile
import tomllib
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.environ.get("UGW_SOURCE_DIR", os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "codegen"))
import jsonschema  # noqa: E402
import msgpack  # noqa: E402

import corpus  # noqa: E402
import judge  # noqa: E402
import mutate  # noqa: E402
from codegen_support import INCLUDE  # noqa: E402
from test_schema_property import random_schema  # noqa: E402

DRIVER = os.path.join(ROOT, "tests", "codegen", "verdict_driver.c")
OAS_SCHEMA = os.path.join(ROOT, "tests", "openapi", "oas-3.1-schema.json")
COMPOUND = os.path.join(ROOT, "tests", "compound", "compound.toml")
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

# Corpus files that may differ, and why: each is an exception of
# docs/SCHEMA_COMPAT.md, shown by test_jsonschema_exceptions.py or
# tests/codegen/test_jsonschema_scalars.py. Every other corpus file agrees.
EXCUSED = {
    re.compile(r"^n_duplicate_"): "duplicate keys",
    re.compile(r"^n_(depth|limit)_"): "limits of the decoder",
    re.compile(r"^n_too_(long|short)_\w+_multibyte\."): "string limits in bytes",
    re.compile(r"^n_range_\w+_(before|after)\."): "a timestamp's min and max",
    re.compile(r"^n_range_\w+_(nan|inf)\w*\.msgpack$"): "NaN or infinity in a MessagePack float",
}


class Subject:
    """One schema, generated, compiled and with its files written."""

    def __init__(self, name, text, d, variants, seed):
        self.name, self.text, self.seed = name, text, seed
        out = self.out = corpus.generate(text, d)
        self.exe = os.path.join(d, "verdicts")
        p = corpus._run([corpus.GCC, *corpus._flags(), "-DSCHEMA_SYMBOL=p_schema_events", "-I", INCLUDE,
                         "-I", out, DRIVER, os.path.join(out, "p_events.c"), *corpus.runtime_objects(),
                         "-o", self.exe, "-lmsgpackc"])
        if p.returncode != 0:
            raise AssertionError(f"{name}: compiling verdict_driver.c failed:\n{p.stderr}")
        self.documents = {}
        self.validators = {}
        for strict, doc_name in ((False, "events.schema.json"), (True, "events.strict.schema.json")):
            with open(os.path.join(out, doc_name), encoding="utf-8") as f:
                doc = json.load(f)
            jsonschema.Draft202012Validator.check_schema(doc)
            self.documents[strict] = doc
            self.validators[strict] = jsonschema.Draft202012Validator(doc)
        fx = os.path.join(out, "fixtures")
        self.valid = sorted(os.path.join(fx, "valid", n) for n in os.listdir(os.path.join(fx, "valid")))
        self.invalid = {}
        with open(os.path.join(fx, "invalid", "MANIFEST.tsv"), encoding="utf-8") as f:
            for line in f:
                if not line.startswith(("#", "file\t")):
                    file, code, _, mode = line.rstrip("\n").split("\t")
                    self.invalid[os.path.join(fx, "invalid", file)] = (code, mode)
        docs = []
        for path in self.valid:
            if path.endswith(".json"):
                with open(path, "rb") as f:
                    docs.append(json.loads(f.read()))
        self.walker = mutate.Schema(tomllib.loads(text))
        self.variants = []
        vdir = os.path.join(d, "variants")
        os.mkdir(vdir)
        for vname, data in mutate.variants(docs, tomllib.loads(text), variants, seed):
            path = os.path.join(vdir, vname)
            _write(path, data)
            self.variants.append(path)
            try:
                packed = msgpack.packb(json.loads(data), use_bin_type=True)
            except (UnicodeEncodeError, OverflowError, ValueError):
                continue
            _write(path[:-5] + ".msgpack", packed)
            self.variants.append(path[:-5] + ".msgpack")

    def openapi_problems(self, oas):
        """What is wrong with the OpenAPI documents (openapi_problems())."""
        problems = []
        ids = [ev["id"] for ev in tomllib.loads(self.text)["event"]]
        for strict, name in ((False, "openapi.json"), (True, "openapi.strict.json")):
            with open(os.path.join(self.out, name), encoding="utf-8") as f:
                problems += openapi_problems(oas, name, json.load(f), self.documents[strict]["$defs"], ids)
        return problems

    def c_verdicts(self, paths, strict):
        """{path: "ok" or the error code} of the generated decoder."""
        p = corpus._run([self.exe], input="".join(f"{'s' if strict else 'd'} {x}\n" for x in paths))
        if p.returncode != 0 or p.stderr:
            raise AssertionError(f"{self.name}: verdict_driver failed ({p.returncode}): {p.stderr[-3000:]}")
        out = p.stdout.split()
        if len(out) != len(paths):
            raise AssertionError(f"{self.name}: {len(out)} verdicts for {len(paths)} files")
        return dict(zip(paths, out))

    def compare(self):
        """Compares every file in both modes; returns (counts, excused reasons,
        disagreements as text)."""
        files = self.valid + sorted(self.invalid) + self.variants
        counts = {"files": len(files), "valid": len(self.valid), "invalid": len(self.invalid),
                  "variants": len(self.variants)}
        excused, bad = set(), []
        for strict in (False, True):
            mode = "strict" if strict else "lenient"
            verdicts = self.c_verdicts(files, strict)
            for path in files:
                with open(path, "rb") as f:
                    data = f.read()
                packed = path.endswith(".msgpack")
                doc = judge.parse(data, packed)
                c = verdicts[path] == "ok"
                s = doc is not None and self.validators[strict].is_valid(doc)
                if path in self.variants:
                    key = f"{mode} variants {'valid' if c else 'invalid'}"
                    counts[key] = counts.get(key, 0) + 1
                if c == s:
                    continue
                why = self.excuse(path, verdicts[path], data, doc)
                if why:
                    excused.add(why)
                else:
                    bad.append(f"{self.name} ({mode}) {os.path.basename(path)}: generated code says "
                               f"{verdicts[path]}, JSON Schema {'accepts' if s else 'refuses'}: {data[:300]!r}")
        return counts, excused, bad

    def excuse(self, path, code, data, doc):
        """The documented exception that explains a disagreement on `path`, or None."""
        if path in self.invalid:
            name = os.path.basename(path)
            return next((w for r, w in EXCUSED.items() if r.match(name)), None)
        if code in ("depth", "limit") and judge.over_decoder_limits(data, doc):
            return "limits of the decoder"
        if code in ("too_long", "too_short") and self.bytes_not_characters(doc):
            return "string limits in bytes"
        return None

    def bytes_not_characters(self, doc):
        """Whether a string or url of `doc` is within its limits counted in
        characters as the schema counts them (minLength ceil(min/4), maxLength
        max) but not in bytes of UTF-8."""
        for container, key, fdef, _ in self.walker.slots(doc)[0] if isinstance(doc, dict) else ():
            value = container[key]
            if fdef["type"] in ("string", "url") and isinstance(value, str):
                lo, hi = fdef.get("min", 0), fdef["max"]
                chars, size = len(value), len(value.encode("utf-8", "surrogatepass"))
                if (lo + 3) // 4 <= chars <= hi and not lo <= size <= hi:
                    return True
        return False


def openapi_problems(oas, name, doc, defs, event_ids):
    """What is wrong with OpenAPI document `doc` (file `name`): errors of
    `oas` (a validator of the OpenAPI 3.1 schema), $refs that resolve to
    nothing, webhooks that are not the events `event_ids`, bodies that are not
    the event's definition, JSON Schema definitions `defs` missing from the
    components."""
    problems = [f"{name}: {e.json_path}: {e.message[:200]}" for e in oas.iter_errors(doc)]
    problems += [f"{name}: $ref {r} resolves to nothing" for r in _refs(doc) if not _resolves(doc, r)]
    hooks = doc.get("webhooks", {})
    if sorted(hooks) != sorted(event_ids):
        problems.append(f"{name}: webhooks {sorted(hooks)} are not the events {sorted(event_ids)}")
    for eid, hook in hooks.items():
        for media, content in hook["post"]["requestBody"]["content"].items():
            if content.get("schema") != {"$ref": f"#/components/schemas/{eid}"}:
                problems.append(f"{name}: the {media} body of {eid} is {content.get('schema')}")
    schemas = doc.get("components", {}).get("schemas", {})
    defs = json.loads(json.dumps(defs).replace('"#/$defs/', '"#/components/schemas/'))
    problems += [f"{name}: components/schemas/{k} is not the JSON Schema's definition"
                 for k, v in defs.items() if schemas.get(k) != v]
    return problems


def _refs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                yield v
            else:
                yield from _refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from _refs(v)


def _resolves(doc, ref):
    """Whether a local JSON pointer ("#/a/b~1c") names a part of `doc`."""
    if not ref.startswith("#/"):
        return False
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def _write(path, data):
    with open(path, "wb") as f:
        f.write(data)


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

    def test_random_schemas(self):
        schemas = random_schemas(SCHEMAS, SCHEMA_SEED)
        self.assertEqual(len(schemas), SCHEMAS, f"too many random schemas refused (replay: {REPLAY})")
        for k, text in schemas:
            with self.subTest(schema=k):
                self.check_subject(f"random-{k}", text, max(VARIANTS // 6, 1), SEED + k, expect_both=False)


if __name__ == "__main__":
    unittest.main(verbosity=2)
