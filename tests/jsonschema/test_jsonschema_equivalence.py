#!/usr/bin/python3
"""The exported JSON Schema against `ugw validate`, file by file.

Debian's python3-jsonschema (Draft202012Validator) judges every JSON file of
the valid fixtures, the invalid corpus and a few thousand random variants of
the valid events (mutate.py), in JSON and in MessagePack, with the lenient and
the strict schema that `ugw schema export` prints; `ugw validate` (and
`--strict`) judges the same files. A receiver parses the bytes before it
validates: judge.py says how the schema side does.

The two must agree on every file, except for the documented exceptions
(docs/SCHEMA_COMPAT.md, "What JSON Schema cannot say"): each has a case in
test_jsonschema_exceptions.py showing the difference, and corpus files may
differ only for those reasons. test_jsonschema_schemas.py does the same for
other schemas.

Environment: UGW_BIN (the ugw command), UGW_SOURCE_DIR (the source tree),
UGW_JSONSCHEMA_VARIANTS (number of random variants, default 4000),
UGW_JSONSCHEMA_SEED (default 20261130).
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import tomllib
import unittest

import jsonschema
import msgpack

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import judge  # noqa: E402
import mutate  # noqa: E402

UGW = os.environ.get("UGW_BIN", "ugw")
ROOT = os.environ.get("UGW_SOURCE_DIR", os.path.dirname(os.path.dirname(HERE)))
GEN = os.path.join(ROOT, "generated")
FIXTURES = os.path.join(GEN, "fixtures")
VARIANTS = int(os.environ.get("UGW_JSONSCHEMA_VARIANTS", "4000"))
SEED = int(os.environ.get("UGW_JSONSCHEMA_SEED", "20261130"))

with open(os.path.join(ROOT, "schema", "events.toml"), "rb") as _f:
    SCHEMA = tomllib.load(_f)

# Codes of the invalid corpus that JSON Schema cannot reproduce, and why
# (the exceptions of docs/SCHEMA_COMPAT.md). A corpus file whose verdicts differ
# must have one of these codes in MANIFEST.tsv.
CORPUS_EXCEPTIONS = {
    "duplicate_key": "a JSON parser keeps one of two equal keys; the schema sees one",
    "depth": "nesting limits of the decoder are not in the schema",
    "limit": "token, key-count and size limits of the decoder are not in the schema",
}
# Corpus files that differ for a reason their code does not tell: a string
# over its limit in bytes but not in characters.
MULTIBYTE = re.compile(r"^n_too_long_\w+_multibyte\.(?:json|msgpack)$")


def ugw_verdicts(paths, strict):
    """{path: None (valid) or error code} from `ugw validate -v`, in batches."""
    out = {}
    for i in range(0, len(paths), 400):
        batch = paths[i:i + 400]
        args = [UGW, "validate", "-v"] + (["--strict"] if strict else []) + ["--"] + batch
        p = subprocess.run(args, capture_output=True, text=True, errors="replace", timeout=300)
        if p.returncode not in (0, 1):
            raise AssertionError(f"ugw validate failed ({p.returncode}): {p.stderr}")
        for line in p.stdout.splitlines():
            for path in batch:
                if line.startswith(path + ": "):
                    rest = line[len(path) + 2:]
                    if rest.startswith("ok ("):
                        out[path] = None
                    else:
                        m = re.search(r"\((\w+) at byte \d+\)$", rest)
                        out[path] = m.group(1) if m else rest
                    break
        missing = [p for p in batch if p not in out]
        if missing:
            raise AssertionError(f"no verdict from ugw validate for {missing[:3]}")
    return out


def export(*args):
    p = subprocess.run([UGW, "schema", "export", *args], capture_output=True, timeout=60)
    if p.returncode != 0:
        raise AssertionError(f"ugw schema export {' '.join(args)}: {p.stderr.decode()}")
    return p.stdout


def manifest():
    rows = {}
    with open(os.path.join(FIXTURES, "invalid", "MANIFEST.tsv"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or line.startswith("file\t"):
                continue
            name, code, path, mode = line.rstrip("\n").split("\t")
            rows[name] = (code, path, mode)
    return rows


class Equivalence(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="ugw-jsonschema-")
        cls.docs = {False: export("--format", "jsonschema"), True: export("--format", "jsonschema", "--strict")}
        cls.validators = {}
        for strict, data in cls.docs.items():
            doc = json.loads(data)
            jsonschema.Draft202012Validator.check_schema(doc)
            cls.validators[strict] = jsonschema.Draft202012Validator(doc)
        valid_dir = os.path.join(FIXTURES, "valid")
        cls.valid = sorted(os.path.join(valid_dir, n) for n in os.listdir(valid_dir)
                           if n.endswith((".json", ".msgpack")))
        inv_dir = os.path.join(FIXTURES, "invalid")
        cls.manifest = manifest()
        cls.invalid = sorted(os.path.join(inv_dir, n) for n in cls.manifest)
        docs = []
        for p in cls.valid:
            if not p.endswith(".json"):
                continue
            with open(p, "rb") as f:
                docs.append(json.loads(f.read()))
        cls.variants = []
        for name, data in mutate.variants(docs, SCHEMA, VARIANTS, SEED):
            path = os.path.join(cls.tmp.name, name)
            with open(path, "wb") as f:
                f.write(data)
            cls.variants.append(path)
            try:      # the same document in MessagePack, when it has one
                packed = msgpack.packb(json.loads(data), use_bin_type=True)
            except (UnicodeEncodeError, OverflowError, ValueError):
                continue
            path = path[:-len(".json")] + ".msgpack"
            with open(path, "wb") as f:
                f.write(packed)
            cls.variants.append(path)
        every = cls.valid + cls.invalid + cls.variants
        cls.ugw = {strict: ugw_verdicts(every, strict) for strict in (False, True)}

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def verdicts(self, path, strict):
        with open(path, "rb") as f:
            data = f.read()
        return self.ugw[strict][path] is None, judge.accepts(self.validators[strict], data,
                                                             path.endswith(".msgpack"))

    def test_export_is_the_generated_file(self):
        for strict, name in ((False, "events.schema.json"), (True, "events.strict.schema.json")):
            with open(os.path.join(GEN, name), "rb") as f:
                self.assertEqual(self.docs[strict], f.read(), name)

    def test_valid_fixtures(self):
        self.assertGreater(len(self.valid), 0)
        for path in self.valid:
            for strict in (False, True):
                self.assertEqual(self.verdicts(path, strict), (True, True), (path, strict))

    def test_invalid_corpus(self):
        differ = []
        for path in self.invalid:
            code, _, mode = self.manifest[os.path.basename(path)]
            for strict in (False, True):
                c, s = self.verdicts(path, strict)
                self.assertEqual(c, mode == "strict" and not strict, (path, strict, self.ugw[strict][path]))
                if c != s and MULTIBYTE.match(os.path.basename(path)):
                    differ.append((os.path.basename(path), "byte length"))
                elif c != s:
                    self.assertIn(code, CORPUS_EXCEPTIONS, f"{path} ({'strict' if strict else 'lenient'}): "
                                  f"ugw says {self.ugw[strict][path] or 'valid'}, JSON Schema "
                                  f"{'accepts' if s else 'refuses'}")
                    differ.append((os.path.basename(path), code))
        print(f"\ninvalid corpus: {len(self.invalid)} files (JSON and MessagePack), differing only by "
              f"documented exceptions: {sorted(set(differ))}", file=sys.stderr)

    def test_random_variants(self):
        self.assertGreaterEqual(len(self.variants), VARIANTS)
        counts = {}
        for strict in (False, True):
            bad = []
            for path in self.variants:
                c, s = self.verdicts(path, strict)
                counts[(strict, c)] = counts.get((strict, c), 0) + 1
                if c != s:
                    with open(path, "rb") as f:
                        bad.append(f"{os.path.basename(path)}: ugw {self.ugw[strict][path] or 'valid'}, "
                                   f"JSON Schema {'accepts' if s else 'refuses'}: {f.read()[:300]!r}")
            self.assertEqual(bad, [], f"{len(bad)} disagreements ({'strict' if strict else 'lenient'}):\n"
                             + "\n".join(bad[:20]))
        print(f"\n{len(self.variants)} variants: lenient {counts.get((False, True), 0)} valid, "
              f"{counts.get((False, False), 0)} invalid; strict {counts.get((True, True), 0)} valid, "
              f"{counts.get((True, False), 0)} invalid; all agree", file=sys.stderr)
        # The variants must exercise both verdicts substantially.
        for strict in (False, True):
            self.assertGreater(counts.get((strict, True), 0), VARIANTS // 10)
            self.assertGreater(counts.get((strict, False), 0), VARIANTS // 10)


if __name__ == "__main__":
    unittest.main(verbosity=2)
