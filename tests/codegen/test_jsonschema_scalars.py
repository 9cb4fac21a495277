"""The exported JSON Schema of a schema with enum, number, timestamp and
nullable fields against the C decoder, file by file: its valid fixtures
(with the .null and .absent variants), its invalid corpus and a few thousand
random variants (tests/jsonschema/mutate.py), in JSON and MessagePack, lenient
and strict. Debian's python3-jsonschema judges "Python's json (or msgpack),
then the schema", as tests/jsonschema/test_jsonschema_equivalence.py does
for the bundled schema; the C decoder is the generated code of this schema.

They agree on everything but the documented exceptions (docs/SCHEMA_COMPAT.md,
"What JSON Schema cannot say"), each shown by a case below: a timestamp's
min and max, an offset that moves a date-time past year 1 or 9999, NaN in a
MessagePack float, MessagePack integers that a double cannot hold, and JSON
integers that only a double's rounding brings within a bound.

UGW_JSONSCHEMA_VARIANTS (default 3000) variants from UGW_JSONSCHEMA_SEED.
"""

import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import unittest

from codegen_support import INCLUDE, ROOT, load_mod, model_mod, outputs_mod
import corpus

sys.path.insert(0, os.path.join(ROOT, "tests", "jsonschema"))
try:
    import jsonschema
    import judge
    import msgpack
    import mutate
    import tomllib
    from ugwgen import export_jsonschema
    MISSING = corpus.MISSING
except ImportError as e:           # pragma: no cover - Debian's python3-jsonschema and python3-msgpack
    MISSING = f"{e} (apt-get install python3-jsonschema python3-msgpack)"

HERE = os.path.dirname(os.path.abspath(__file__))
DRIVER = os.path.join(HERE, "verdict_driver.c")
VARIANTS = int(os.environ.get("UGW_JSONSCHEMA_VARIANTS", "3000"))
SEED = int(os.environ.get("UGW_JSONSCHEMA_SEED", "20261130"))

SCHEMA = '''version = 1

[field.userId]
type = "string"
min = 1
max = 64
description = "The user."
example = "u-1"

[field.action]
type = "enum"
values = ["click", "page-view", "hover"]
description = "What the user did."
example = "page-view"

[field.kind]
type = "enum"
values = ["a", "b"]
unknown = "lenient"
nullable = true
description = "A kind; more may come."
example = "b"

[field.price]
type = "number"
min = -1.5
max = 1000000
nullable = true
description = "A price."
example = 9.99

[field.ratio]
type = "number"
description = "Any finite number."
example = 0.1

[field.at]
type = "timestamp"
min = 2000-01-01T00:00:00Z
max = 2099-12-31T23:59:59.999Z
nullable = true
description = "When."
example = 2024-02-29T12:30:00.5+01:00

[field.seen]
type = "timestamp"
description = "Seen."
example = "1999-12-31T23:59:59Z"

[[event]]
id = "clicked"
event = "clicked"
description = "A click."
fields = ["userId", "action", "kind", "price", "ratio", "at", "seen"]
optional = ["kind", "ratio", "at"]

[[event]]
id = "priced"
event = "priced"
description = "A price seen."
fields = ["userId", "price", "action"]
'''

# Corpus files that may differ, and why (the rest must agree).
CORPUS_EXCEPTIONS = {
    re.compile(r"^n_(duplicate|depth|limit)_"): "decoder limits and duplicate keys (as for the bundled schema)",
    re.compile(r"^n_range_\w+_(before|after)\."): "a timestamp's min and max",
    re.compile(r"^n_range_\w+_nan\.msgpack$"): "NaN in a MessagePack float",
    re.compile(r"^n_too_long_\w+_multibyte\."): "byte length, not character length",
}


@unittest.skipIf(MISSING, MISSING or "")
class ScalarSchemaEquivalence(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="ugw-js-scalars-")
        d = cls.tmp.name
        cls.out = corpus.generate(SCHEMA, d)
        cls.exe = os.path.join(d, "verdicts")
        p = corpus._run([corpus.GCC, *corpus._flags(), "-DSCHEMA_SYMBOL=p_schema_events", "-I", INCLUDE,
                         "-I", cls.out, DRIVER, os.path.join(cls.out, "p_events.c"), *corpus.runtime_objects(),
                         "-o", cls.exe, "-lmsgpackc"])
        if p.returncode != 0:
            raise AssertionError(f"compiling verdict_driver.c failed:\n{p.stderr}")
        schema_path = os.path.join(d, "schema.toml")
        model = model_mod.build(load_mod.load(schema_path), "schema.toml", outputs_mod.Options(prefix="p"))
        cls.validators = {}
        for strict in (False, True):
            doc = export_jsonschema.document(model, strict)
            jsonschema.Draft202012Validator.check_schema(doc)
            cls.validators[strict] = jsonschema.Draft202012Validator(doc)
        fx = os.path.join(cls.out, "fixtures")
        cls.valid = sorted(os.path.join(fx, "valid", n) for n in os.listdir(os.path.join(fx, "valid")))
        cls.manifest = {}
        with open(os.path.join(fx, "invalid", "MANIFEST.tsv"), encoding="utf-8") as f:
            for line in f:
                if not line.startswith("#"):
                    name, code, _, mode = line.rstrip("\n").split("\t")
                    cls.manifest[os.path.join(fx, "invalid", name)] = (code, mode)
        docs = []
        for path in cls.valid:
            if path.endswith(".json"):
                with open(path, "rb") as f:
                    docs.append(json.loads(f.read()))
        cls.variants = []
        for name, data in mutate.variants(docs, tomllib.loads(SCHEMA), VARIANTS, SEED):
            path = os.path.join(d, name)
            cls.write(path, data)
            cls.variants.append(path)
            try:
                packed = msgpack.packb(json.loads(data), use_bin_type=True)
            except (UnicodeEncodeError, OverflowError, ValueError):
                continue
            cls.write(path[:-5] + ".msgpack", packed)
            cls.variants.append(path[:-5] + ".msgpack")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    @staticmethod
    def write(path, data):
        with open(path, "wb") as f:
            f.write(data)

    def ugw(self, paths, strict):
        p = subprocess.run([self.exe], input="".join(f"{'s' if strict else 'd'} {x}\n" for x in paths),
                           capture_output=True, text=True, timeout=600)
        self.assertEqual((p.returncode, p.stderr), (0, ""))
        return dict(zip(paths, p.stdout.split()))

    def schema(self, path, strict):
        with open(path, "rb") as f:
            data = f.read()
        return self.accepts(data, path.endswith(".msgpack"), strict)

    def accepts(self, data, packed, strict=False):
        return judge.accepts(self.validators[strict], data, packed)

    def test_valid_fixtures_and_variants_exist(self):
        names = {os.path.basename(p) for p in self.valid}
        self.assertTrue({"clicked.json", "clicked.null.json", "clicked.absent.msgpack", "priced.json"} <= names, names)

    def test_every_file_agrees_but_the_exceptions(self):
        files = self.valid + sorted(self.manifest) + self.variants
        counts = {}
        for strict in (False, True):
            verdicts = self.ugw(files, strict)
            bad, excused = [], set()
            for path in files:
                c, s = verdicts[path] == "ok", self.schema(path, strict)
                counts[(path in self.variants, c)] = counts.get((path in self.variants, c), 0) + 1
                if c == s:
                    continue
                name = os.path.basename(path)
                why = next((w for r, w in CORPUS_EXCEPTIONS.items() if r.match(name)), None) \
                    if path in self.manifest else None
                if why:
                    excused.add(why)
                else:
                    with open(path, "rb") as f:
                        bad.append(f"{name}: ugw {verdicts[path]}, JSON Schema {'accepts' if s else 'refuses'}: "
                                   f"{f.read()[:200]!r}")
            self.assertEqual(bad, [], f"{len(bad)} disagreements ({'strict' if strict else 'lenient'}):\n"
                             + "\n".join(bad[:20]))
        print(f"\n{len(files)} files: all agree but the documented exceptions", file=sys.stderr)
        self.assertGreater(counts.get((True, True), 0), VARIANTS // 10)
        self.assertGreater(counts.get((True, False), 0), VARIANTS // 10)

    # --- the exceptions, one case each: ugw and the schema differ ---

    def body(self, **payload):
        doc = {"event": "priced", "payload": dict({"userId": "u", "price": 1.5, "action": "hover"}, **payload)}
        return json.dumps(doc, separators=(",", ":")).encode()

    def differ(self, data, packed, code, schema_accepts=True):
        path = os.path.join(self.tmp.name, "case.msgpack" if packed else "case.json")
        self.write(path, data)
        self.assertEqual(self.ugw([path], False)[path], code)
        self.assertEqual(self.accepts(data, packed), schema_accepts)

    def clicked(self, **payload):
        doc = {"event": "clicked", "payload": dict({"userId": "u", "action": "hover", "price": 1, "seen":
                                                    "2024-01-01T00:00:00Z"}, **payload)}
        return json.dumps(doc, separators=(",", ":")).encode()

    def test_timestamp_bounds(self):
        self.differ(self.clicked(at="1999-12-31T23:59:59.999Z"), False, "range")
        self.differ(self.clicked(at="2000-01-01T00:00:00.000+00:01"), False, "range")

    def test_offset_past_year_one(self):
        self.differ(self.clicked(seen="0001-01-01T00:00:00+00:01"), False, "range")
        self.differ(self.clicked(seen="9999-12-31T23:59:59-00:01"), False, "range")

    def test_nan_in_messagepack(self):
        data = msgpack.packb(json.loads(self.body()))
        data = data.replace(b"\xa5price\xcb" + struct.pack(">d", 1.5), b"\xa5price\xcb" + struct.pack(">d", float("nan")))
        self.differ(data, True, "range")

    def test_messagepack_integer_no_double_holds(self):
        doc = json.loads(self.clicked(ratio=2**60 + 1))
        self.differ(msgpack.packb(doc), True, "range")
        self.differ(msgpack.packb(json.loads(self.clicked(ratio=2**60))), True, "ok")

    def test_json_integer_rounded_to_a_double(self):
        # Python reads a JSON integer exactly, ugw as the nearest double:
        # DBL_MAX + 1 is above every bound to the schema and DBL_MAX to ugw.
        big = json.loads(self.clicked())
        big["payload"]["ratio"] = int(1.7976931348623157e308) + 1
        self.differ(json.dumps(big).encode(), False, "ok", schema_accepts=False)
        big["payload"]["ratio"] = 2**1024        # both: beyond any double
        self.differ(json.dumps(big).encode(), False, "range", schema_accepts=False)

if __name__ == "__main__":
    unittest.main()
