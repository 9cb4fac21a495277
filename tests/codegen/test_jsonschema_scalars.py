"""The exported JSON Schema of a schema with enum, number, timestamp and
nullable fields against the C decoder, file by file: its valid fixtures
(with the .null and .absent variants), its invalid corpus and a few thousand
random variants (tests/jsonschema/mutate.py), in JSON and MessagePack, lenient
and strict, through tests/jsonschema/differential.py as
tests/jsonschema/test_jsonschema_schemas.py does for other schemas; the C
decoder is the generated code of this schema.

They agree on everything but the documented exceptions (docs/SCHEMA_COMPAT.md,
"What JSON Schema cannot say"), each shown by a case below: a timestamp's
min and max, an offset that moves a date-time past year 1 or 9999, NaN in a
MessagePack float, MessagePack integers that a double cannot hold, and JSON
integers that only a double's rounding brings within a bound.

UGW_JSONSCHEMA_VARIANTS (default 3000) variants from UGW_JSONSCHEMA_SEED.
"""

import json
import os
import struct
import sys
import tempfile
import unittest

from codegen_support import ROOT
import corpus

sys.path.insert(0, os.path.join(ROOT, "tests", "jsonschema"))
try:
    import differential
    import judge
    import msgpack
    MISSING = corpus.MISSING
except ImportError as e:           # pragma: no cover - Debian's python3-jsonschema and python3-msgpack
    MISSING = f"{e} (apt-get install python3-jsonschema python3-msgpack)"

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

@unittest.skipIf(MISSING, MISSING or "")
class ScalarSchemaEquivalence(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="ugw-js-scalars-")
        cls.subject = differential.Subject("scalars", SCHEMA, cls.tmp.name, VARIANTS, SEED)
        cls.valid, cls.validators = cls.subject.valid, cls.subject.validators

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    @staticmethod
    def write(path, data):
        with open(path, "wb") as f:
            f.write(data)

    def ugw(self, paths, strict):
        return self.subject.c_verdicts(paths, strict)

    def accepts(self, data, packed, strict=False):
        return judge.accepts(self.validators[strict], data, packed)

    def test_valid_fixtures_and_variants_exist(self):
        names = {os.path.basename(p) for p in self.valid}
        self.assertTrue({"clicked.json", "clicked.null.json", "clicked.absent.msgpack", "priced.json"} <= names, names)

    def test_every_file_agrees_but_the_exceptions(self):
        counts, excused, bad = self.subject.compare()
        self.assertEqual(bad, [], f"{len(bad)} disagreements (UGW_JSONSCHEMA_SEED={SEED}):\n" + "\n".join(bad[:20]))
        print(f"\n{counts}: all agree but the documented exceptions: {sorted(excused)}", file=sys.stderr)
        for mode in ("lenient", "strict"):
            for verdict in ("valid", "invalid"):
                self.assertGreater(counts.get(f"{mode} variants {verdict}", 0), VARIANTS // 10, (mode, verdict))

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
