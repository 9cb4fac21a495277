"""One schema of the JSON Schema differential tests (test_jsonschema_schemas.py,
tests/codegen/test_jsonschema_scalars.py): generated as `ugw_generate()`
does, its decoder compiled (tests/codegen/verdict_driver.c with the
generated <prefix>_events.c and the runtime's codec, through
tests/codegen/corpus.py: ASan and UBSan under UGW_CODEGEN_SANITIZE=1), its
files written (valid fixtures, invalid corpus, random variants from
mutate.py, each also in MessagePack when it has one), and every file judged
by the decoder and by python3-jsonschema (judge.py), lenient and strict.

A disagreement passes only when a documented exception (docs/SCHEMA_COMPAT.md,
"What JSON Schema cannot say") explains it: a corpus file named for it
(EXCUSED), a body beyond the decoder's limits, a string within its limits in
characters but not in bytes. Also the checks of a schema's OpenAPI
documents (openapi_problems()).
"""

import json
import os
import re
import sys
import zlib

import jsonschema
import msgpack

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "codegen"))
import corpus  # noqa: E402
import judge  # noqa: E402
import mutate  # noqa: E402
from codegen_support import INCLUDE  # noqa: E402
sys.path.insert(0, os.path.join(ROOT, "codegen"))
from ugwgen import include  # noqa: E402

DRIVER = os.path.join(ROOT, "tests", "codegen", "verdict_driver.c")

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
        # the schema as check sees it, its includes merged (the bundled
        # events of a schema that only adds an envelope)
        merged = include.load_schema(os.path.join(d, "schema.toml"), text).data
        self.walker = mutate.Schema(merged)
        self.variants = []
        vdir = os.path.join(d, "variants")
        os.mkdir(vdir)
        for vname, data in mutate.variants(docs, merged, variants, seed):
            path = os.path.join(vdir, vname)
            _write(path, data)
            self.variants.append(path)
            try:
                # floats as float 64, or as float 32 one time in four (both sides
                # read the float 32's value exactly)
                packed = msgpack.packb(json.loads(data), use_bin_type=True,
                                       use_single_float=zlib.crc32(data) % 4 == 0)
            except (UnicodeEncodeError, OverflowError, ValueError):
                continue
            _write(path[:-5] + ".msgpack", packed)
            self.variants.append(path[:-5] + ".msgpack")

    def openapi_problems(self, oas):
        """What is wrong with the OpenAPI documents (openapi_problems())."""
        problems = []
        ids = [ev["id"] for ev in self.walker.events]
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
