#!/usr/bin/python3
"""What JSON Schema cannot say: one case per documented exception
(docs/SCHEMA_COMPAT.md, "What JSON Schema cannot say"). Each case is a body that
`ugw validate` refuses with the code named while the exported schema, after
Python's json parser, accepts it; a case that starts to agree fails, so the
list stays true. Then `ugw schema export` and `ugw schema diff` as commands,
and the Python receiver example of docs/SCHEMA.md.

Environment: UGW_BIN (the ugw command), UGW_SOURCE_DIR (the source tree).
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest

import jsonschema
import msgpack

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import judge  # noqa: E402

UGW = os.environ.get("UGW_BIN", "ugw")
ROOT = os.environ.get("UGW_SOURCE_DIR", os.path.dirname(os.path.dirname(HERE)))
GEN = os.path.join(ROOT, "generated")
CODEGEN = os.path.join(ROOT, "codegen", "ugw-codegen")
EXAMPLE = os.path.join(ROOT, "examples", "validate", "validate_event.py")

WIRE = "nps score submit (userguiding)"
PAYLOAD = {"userId": "user-42", "pageUrl": "https://app.example.com/", "question": "How likely?", "score": 9}


def body(payload=None, extra=None, text=None):
    if text is not None:
        return text.encode("utf-8")
    doc = {"event": WIRE, "payload": dict(PAYLOAD, **(payload or {}))}
    doc.update(extra or {})
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def ugw_code(data, strict=False, suffix=".json"):
    with tempfile.NamedTemporaryFile(suffix=suffix) as f:
        f.write(data)
        f.flush()
        p = subprocess.run([UGW, "validate", *(["--strict"] if strict else []), f.name],
                           capture_output=True, text=True, timeout=60)
    if p.returncode == 0:
        return None
    return p.stdout.rsplit("(", 1)[1].split(" ")[0]


def run(*args, env=None):
    return subprocess.run(list(args), capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, **(env or {})))


class CannotSay(unittest.TestCase):
    """Each case: ugw refuses with `code`, the schema (after a JSON parser) accepts."""

    @classmethod
    def setUpClass(cls):
        with open(os.path.join(GEN, "events.schema.json"), encoding="utf-8") as f:
            cls.validator = jsonschema.Draft202012Validator(json.load(f))

    def differ(self, data, code, decode="strict"):
        self.assertEqual(ugw_code(data), code)
        self.assertTrue(self.validator.is_valid(json.loads(data.decode("utf-8", decode))))
        self.assertTrue(self.validator.is_valid(json.loads(body())))      # the case is one change away

    def test_duplicate_keys(self):
        text = body().decode().replace('"score":9', '"score":5,"score":9')
        self.differ(text.encode(), "duplicate_key")

    def test_byte_length_not_character_length(self):
        # question: at most 1024 bytes; 400 three-byte characters are 1200 bytes.
        self.differ(body({"question": "€" * 400}), "too_long")
        self.assertIsNone(ugw_code(body({"question": "€" * 341})))       # 1023 bytes

    def test_integral_float_is_an_integer_to_json_schema(self):
        self.differ(body(text=body().decode().replace('"score":9', '"score":9.0')), "type")
        self.differ(body(text=body().decode().replace('"score":9', '"score":1e0')), "type")

    def test_utf8_validity_is_before_parsing(self):
        # Invalid bytes: a parser that decodes leniently (replacement
        # characters, as many web frameworks do) hands the schema valid text.
        data = body().replace(b"How likely?", b"How likely\xff")
        self.differ(data, "utf8", decode="replace")

    def test_integral_float_in_messagepack(self):
        doc = json.loads(body())
        doc["payload"]["score"] = 9.0          # float 64
        data = msgpack.packb(doc)
        self.assertEqual(ugw_code(data, suffix=".msgpack"), "type")
        self.assertTrue(judge.accepts(self.validator, data, msgpack_format=True))
        data = msgpack.packb(doc, use_single_float=True)      # float 32
        self.assertEqual(ugw_code(data, suffix=".msgpack"), "type")
        self.assertTrue(judge.accepts(self.validator, data, msgpack_format=True))

    def test_messagepack_values_json_has_not_in_an_ignored_key(self):
        # bin, ext and a map key that is no string, in the value of an
        # unknown key: ugw skips them (lenient), as it skips any value that
        # is well formed; JSON has no such value, so a receiver that reads
        # MessagePack as JSON data cannot validate the body at all.
        for value in (b"\x00\x01", msgpack.ExtType(1, b"\x00"), {1: "x"}, [{"k": b"x"}]):
            doc = json.loads(body())
            doc["payload"]["extra"] = value
            data = msgpack.packb(doc, use_bin_type=True)
            self.assertIsNone(ugw_code(data, suffix=".msgpack"), value)
            self.assertEqual(ugw_code(data, strict=True, suffix=".msgpack"), "unknown_key", value)
            self.assertIsNone(judge.parse(data, msgpack_format=True), value)
        # the same body with a JSON value there: both accept
        doc["payload"]["extra"] = [{"k": "x"}]
        data = msgpack.packb(doc, use_bin_type=True)
        self.assertIsNone(ugw_code(data, suffix=".msgpack"))
        self.assertTrue(judge.accepts(self.validator, data, msgpack_format=True))

    def test_nesting_depth(self):
        deep = {}
        for _ in range(20):
            deep = {"x": deep}
        self.differ(body(extra={"extra": deep}), "depth")

    def test_token_limit(self):
        self.differ(body(extra={"extra": list(range(1100))}), "limit")

    def test_unknown_key_count(self):
        self.differ(body({f"k{i}": 1 for i in range(70)}), "limit")

    def test_input_size(self):
        self.differ(body(extra={"extra": "x" * (1024 * 1024)}), "limit")


class Commands(unittest.TestCase):

    def test_export_prints_the_generated_documents(self):
        for args, name in ((["--format", "jsonschema"], "events.schema.json"), ([], "events.schema.json"),
                           (["--format", "jsonschema", "--strict"], "events.strict.schema.json"),
                           (["--format", "openapi"], "openapi.json"),
                           (["--strict", "--format=openapi"], "openapi.strict.json")):
            p = subprocess.run([UGW, "schema", "export", *args], capture_output=True, timeout=60)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(os.path.join(GEN, name), "rb") as f:
                self.assertEqual(p.stdout, f.read(), args)

    def test_usage_errors(self):
        for args, msg in ((["schema"], "no action given"), (["schema", "show"], "unknown action 'show'"),
                          (["schema", "export", "--format", "yaml"], "unknown format 'yaml'"),
                          (["schema", "export", "x"], "unexpected 'x'"),
                          (["schema", "export", "--json"], "options of 'schema diff'"),
                          (["schema", "export", "--prefix", "acme"], "options of 'schema diff'"),
                          (["schema", "diff", "a.toml"], "needs two schema files")):
            p = run(UGW, *args)
            self.assertEqual(p.returncode, 2, args)
            self.assertIn(msg, p.stderr, args)

    def test_diff_runs_the_generator(self):
        old = os.path.join(ROOT, "schema", "events.toml")
        with open(old, encoding="utf-8") as f:
            text = f.read()
        with tempfile.TemporaryDirectory() as d:
            new = os.path.join(d, "new.toml")
            with open(new, "w", encoding="utf-8") as f:
                f.write(text.replace("max = 10\n", "max = 9\n", 1))
            env = {"UGW_CODEGEN": CODEGEN}
            p = run(UGW, "schema", "diff", old, new, env=env)
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertIn("receivers compatible, senders breaking", p.stdout)
            self.assertRegex(p.stdout, r"events\.toml:\d+: .*new\.toml:\d+: ")
            many = ["--json"] * 40 + ["--strict"] * 40 + ["--prefix", "ugw"] * 20      # each passed once
            p = run(UGW, "schema", "diff", *many, old, old, env=env)
            self.assertEqual(p.returncode, 0, p.stderr)
            p = run(UGW, "schema", "diff", "--prefix", "Bad", old, old, env=env)
            self.assertEqual(p.returncode, 2)
            self.assertIn("must be lower snake case", p.stderr)
            p = run(UGW, "schema", "diff", "--json", old, old, env=env)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(json.loads(p.stdout)["changes"], [])
            p = run(UGW, "schema", "diff", old, os.path.join(d, "none.toml"), env=env)
            self.assertEqual(p.returncode, 2)
            p = run(UGW, "schema", "diff", old, new, env={"UGW_CODEGEN": os.path.join(d, "no-such-codegen")})
            self.assertEqual(p.returncode, 2)
            self.assertIn("cannot run", p.stderr)


class PythonReceiverExample(unittest.TestCase):
    """examples/validate/validate_event.py over the shipped fixtures."""

    def test_valid_and_invalid_fixtures(self):
        schema = os.path.join(GEN, "events.schema.json")
        valid = os.path.join(GEN, "fixtures", "valid")
        files = sorted(os.path.join(valid, n) for n in os.listdir(valid) if n.endswith(".json"))
        p = run(sys.executable, EXAMPLE, schema, *files)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(p.stdout.count(": ok ("), len(files))
        inv = os.path.join(GEN, "fixtures", "invalid")
        with open(os.path.join(inv, "MANIFEST.tsv"), encoding="utf-8") as f:
            rows = [line.split("\t") for line in f if not line.startswith(("#", "file\t"))]
        # Refused by the example: everything but the strict-only cases and the
        # exceptions it cannot see either (depth, limits, bytes).
        must = [os.path.join(inv, r[0]) for r in rows if r[0].endswith(".json") and r[3].strip() != "strict"
                and r[1] not in ("depth", "limit") and "multibyte" not in r[0]]
        p = run(sys.executable, EXAMPLE, schema, *must)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stdout.count(": invalid: "), len(must), p.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
