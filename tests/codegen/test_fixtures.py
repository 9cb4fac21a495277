"""The generated fixtures: valid JSON equals Python's json.dumps, valid
MessagePack decodes (with the small independent decoder of codegen_support,
itself checked here) to the same data, the C fixtures hold the same values,
and the invalid corpus and its MANIFEST.tsv agree with each other and with
the schema.

    /usr/bin/python3 -m unittest discover -s tests/codegen -v
"""

import json
import os
import unittest

from codegen_support import *  # noqa: F401,F403
from codegen_support import _no_constant

class MsgpackDecoderSelfTest(unittest.TestCase):
    """The decoder used below is itself checked on known bytes (from the spec)."""

    def test_known_bytes(self):
        cases = [
            (b"\x00", 0), (b"\x7f", 127), (b"\xcc\x80", 128), (b"\xcd\x01\x00", 256),
            (b"\xce\x00\x01\x00\x00", 65536), (b"\xcf\x00\x20\x00\x00\x00\x00\x00\x00", 2**53),
            (b"\xff", -1), (b"\xe0", -32), (b"\xd0\xdf", -33), (b"\xd1\xff\x7f", -129),
            (b"\xc0", None), (b"\xc2", False), (b"\xc3", True),
            (b"\xa3abc", "abc"), (b"\xd9\x20" + b"a" * 32, "a" * 32),
            (b"\x92\x01\xa1x", [1, "x"]), (b"\x81\xa1a\x01", {"a": 1}),
            (b"\xcb\x40\x23\x00\x00\x00\x00\x00\x00", 9.5),
        ]
        for data, want in cases:
            with self.subTest(data=data):
                v, r = msgpack_decode(data)
                self.assertEqual(plain(v), want)
                self.assertEqual(r.non_minimal, [])

    def test_flags_non_minimal_and_rejects_bad_input(self):
        _, r = msgpack_decode(b"\xcc\x05")
        self.assertEqual(r.non_minimal, [0])
        _, r = msgpack_decode(b"\xd9\x01a")
        self.assertEqual(r.non_minimal, [0])
        for bad in (b"", b"\xc1", b"\xa3ab", b"\x81\xa1a", b"\x01\x02"):
            with self.subTest(bad=bad), self.assertRaises(MsgpackError):
                msgpack_decode(bad)


class ValidFixtures(unittest.TestCase):

    def test_json_equals_python_json_dumps(self):
        for ev in EVENTS:
            with self.subTest(event=ev["id"]):
                want = json.dumps(expected_document(ev), separators=(",", ":"), ensure_ascii=False).encode("utf-8")
                self.assertEqual(read_fixture(f"valid/{ev['id']}.json"), want)

    def test_msgpack_decodes_to_the_json_data(self):
        for ev in EVENTS:
            with self.subTest(event=ev["id"]):
                data = read_fixture(f"valid/{ev['id']}.msgpack")
                value, reader = msgpack_decode(data)
                self.assertEqual(reader.non_minimal, [], "smallest integer and string forms")
                as_json = json.loads(read_fixture(f"valid/{ev['id']}.json"))
                self.assertEqual(plain(value), as_json)
                self.assertEqual(plain(value), expected_document(ev))
                # key order: event, payload; payload fields in schema order
                self.assertEqual([k for k, _ in value], ["event", "payload"])
                self.assertEqual([k for k, _ in value[1][1]], ev["fields"])
                for _, v in value[1][1]:
                    self.assertNotIsInstance(v, (bool, float, Bin))
                    if isinstance(v, str):
                        v.encode("utf-8")     # no surrogate escapes: valid UTF-8

    def test_fixture_values_obey_the_schema(self):
        for ev in EVENTS:
            for name, value in expected_document(ev)["payload"].items():
                self.assertIsNone(check_mod.example_problem(FIELDS[name], value), (ev["id"], name))

    def test_c_fixtures_match(self):
        c = read_tree(GENERATED)["ugw_fixtures.c"].decode()
        for ev in EVENTS:
            self.assertIn(f"{{ UGW_EVENT_{ev['id'].upper()}, {{ .{ev['id']} = {{", c)
            for name in ev["fields"]:
                ex = FIELDS[name]["example"]
                cname = check_mod.snake(name)
                if isinstance(ex, str):
                    self.assertIn(f".{cname} = {{ {model_mod.c_literal(ex)}, {len(ex.encode())} }},", c)
                else:
                    self.assertIn(f".{cname} = {'UINT64_C' if FIELDS[name]['type'] == 'id' else 'INT64_C'}({ex}),", c)


class InvalidFixtures(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.dir = os.path.join(GENERATED, "fixtures", "invalid")
        with open(os.path.join(cls.dir, "MANIFEST.tsv"), encoding="utf-8") as f:
            lines = f.read().splitlines()
        cls.rows = {}
        cls.header = lines[0]
        cls.banner = lines[1]
        for ln in lines[1:]:
            if not ln or ln.startswith("#"):
                continue
            cols = ln.split("\t")
            if len(cols) != 4:
                raise AssertionError(f"MANIFEST.tsv row without 4 columns: {ln!r}")
            if cols[0] in cls.rows:
                raise AssertionError(f"MANIFEST.tsv lists {cols[0]} twice")
            cls.rows[cols[0]] = tuple(cols[1:])

    def test_manifest_header(self):
        self.assertTrue(self.header.startswith("# file\tcode\tpath\tmode"))

    def test_manifest_banner(self):
        # The second comment line; readers skip every line starting with '#'.
        self.assertEqual(self.banner, f"# Generated from schema/events.toml by ugw codegen {VERSION}. DO NOT EDIT.")

    def test_manifest_lists_every_file_and_only_those(self):
        present = set(os.listdir(self.dir)) - {"MANIFEST.tsv"}
        self.assertEqual(set(self.rows), present)
        for name in present:
            self.assertRegex(name, r"^n_[a-z0-9_A-Z]+\.(json|msgpack)$")

    def test_manifest_columns(self):
        for name, (code, path, mode) in self.rows.items():
            self.assertIn(code, ERROR_CODES, name)
            self.assertIn(mode, ("strict", "default"), name)
            self.assertRegex(path, r"^(-|event|payload|payload\.[A-Za-z][A-Za-z0-9]*|[a-z]+)$", name)
            if mode == "strict":
                self.assertEqual(code, "unknown_key", name)
            if code == "unknown_key":
                self.assertEqual(mode, "strict", name)

    def test_both_formats_of_each_case(self):
        stems = {n.rsplit(".", 1)[0] for n in self.rows}
        for stem in stems:
            self.assertIn(stem + ".json", self.rows)
            self.assertIn(stem + ".msgpack", self.rows)
            self.assertEqual(self.rows[stem + ".json"], self.rows[stem + ".msgpack"], stem)

    def test_every_error_code_in_both_formats(self):
        for code in ERROR_CODES:
            for ext in ("json", "msgpack"):
                with self.subTest(code=code, fmt=ext):
                    self.assertTrue(any(c == code and n.endswith("." + ext) for n, (c, _, _) in self.rows.items()),
                                    f"no {ext} file for code {code}")

    # --- the manifest tells the truth: each file is broken the way it says ---

    def parse(self, name):
        with open(os.path.join(self.dir, name), "rb") as f:
            data = f.read()
        if name.endswith(".json"):
            return data, json_pairs(data)
        value, _ = msgpack_decode(data)
        return data, value

    def test_document_level_codes(self):
        for name, (code, path, _) in sorted(self.rows.items()):
            if code not in ("syntax", "truncated", "trailing"):
                continue
            with self.subTest(name=name):
                self.assertEqual(path, "-")
                with open(os.path.join(self.dir, name), "rb") as f:
                    data = f.read()
                if name.endswith(".json"):
                    with self.assertRaises(ValueError):
                        json.loads(data.decode("utf-8", "surrogateescape"), parse_constant=_no_constant)
                    if code == "truncated":
                        valid = [read_fixture(f"valid/{e['id']}.json") for e in EVENTS]
                        self.assertTrue(any(v.startswith(data) and v != data for v in valid),
                                        "a truncated file is a proper prefix of a valid fixture")
                else:
                    with self.assertRaises(MsgpackError):
                        msgpack_decode(data)
                    if code == "trailing":
                        r = MsgpackReader(data)
                        r.value()
                        self.assertLess(r.pos, len(data))
                    if code == "truncated":
                        with self.assertRaisesRegex(MsgpackError, "truncated"):
                            msgpack_decode(data)

    def _lookup(self, doc, path):
        """(parent Pairs, key, list of values for key) for a dotted path."""
        parent = doc
        parts = path.split(".")
        for p in parts[:-1]:
            vals = [v for k, v in parent if k == p]
            parent = vals[0]
        return parent, parts[-1], [v for k, v in parent if k == parts[-1]]

    def test_value_level_codes(self):
        checked = set()
        for name, (code, path, _) in sorted(self.rows.items()):
            if code in ("syntax", "truncated", "trailing"):
                continue
            with self.subTest(name=name, code=code):
                data, doc = self.parse(name)
                checked.add(code)
                if code == "limit":
                    self.assertEqual(path, "-")
                    self.assertGreater(self._count_values(doc), 1024)
                    continue
                if code == "depth":
                    self.assertGreater(self._depth(doc), 16)
                    continue
                if path == "-":
                    self.assertEqual(code, "type")
                    self.assertNotIsInstance(doc, Pairs)
                    continue
                parent, key, vals = self._lookup(doc, path)
                ev = None
                ev_vals = [v for k, v in doc if k == "event"]
                if ev_vals and isinstance(ev_vals[0], str):
                    ev = WIRES.get(ev_vals[0])
                if code == "missing":
                    self.assertEqual(vals, [])
                    if path.startswith("payload."):
                        self.assertIn(key, ev["fields"])
                        self.assertNotIn(key, ev.get("optional", []))
                    continue
                if code == "duplicate_key":
                    dup_here = len(vals) > 1
                    dup_inside = len(vals) == 1 and isinstance(vals[0], Pairs) and \
                        len({k for k, _ in vals[0]}) < len(vals[0])
                    self.assertTrue(dup_here or dup_inside)
                    continue
                self.assertEqual(len(vals), 1, "the value at the path exists once")
                value = vals[0]
                if code == "unknown_event":
                    self.assertEqual(path, "event")
                    self.assertNotIn(value, WIRES)
                    continue
                if code == "unknown_key":
                    if path.startswith("payload."):
                        self.assertNotIn(key, ev["fields"])
                    else:
                        self.assertNotIn(key, ("event", "payload"))
                    continue
                if path == "event":
                    self.assertEqual(code, "type")
                    self.assertNotIsInstance(value, str)
                    continue
                if path == "payload":
                    self.assertEqual(code, "type")
                    self.assertTrue(not isinstance(value, Pairs) or any(not isinstance(k, str) for k, _ in value))
                    continue
                self.assertTrue(path.startswith("payload."))
                self.assertIsNotNone(ev)
                self.assertIn(key, ev["fields"])
                ftype = FIELDS[key]["type"]
                lo, hi = field_limits(key)
                if code == "type":
                    if ftype == "id":
                        ok_type = (isinstance(value, int) and not isinstance(value, bool)) or \
                            (isinstance(value, str) and value.isdigit() and value.isascii())
                    elif ftype == "int":
                        ok_type = isinstance(value, int) and not isinstance(value, bool)
                    else:
                        ok_type = isinstance(value, str) and not isinstance(value, Bin)
                    self.assertFalse(ok_type, f"{value!r} is a valid {ftype} type")
                elif code == "range":
                    self.assertIn(ftype, ("id", "int"))
                    n = int(value) if isinstance(value, str) else value
                    self.assertIsInstance(n, int)
                    self.assertFalse(lo <= n <= hi and (not isinstance(value, str) or len(value) <= 16), value)
                elif code == "utf8":
                    self.assertIsInstance(value, str)
                    with self.assertRaises(UnicodeEncodeError):
                        value.encode("utf-8")
                elif code == "nul":
                    self.assertIn("\x00", value)
                    value.encode("utf-8")
                elif code in ("too_short", "too_long"):
                    n = len(value.encode("utf-8"))
                    self.assertTrue(n < lo if code == "too_short" else n > hi, n)
                elif code == "url":
                    self.assertEqual(ftype, "url")
                    self.assertIsNotNone(check_mod.example_problem(dict(FIELDS[key]), value))
                    self.assertLessEqual(len(value.encode("utf-8")), hi)
                else:
                    self.fail(f"unexpected code {code}")
        self.assertEqual(checked, set(ERROR_CODES) - {"syntax", "truncated", "trailing"})

    def _count_values(self, v):
        if isinstance(v, Pairs):
            return 1 + sum(1 + self._count_values(x) for _, x in v)
        if isinstance(v, list):
            return 1 + sum(self._count_values(x) for x in v)
        return 1

    def _depth(self, v):
        if isinstance(v, Pairs):
            return 1 + max([self._depth(x) for _, x in v] or [0])
        if isinstance(v, list):
            return 1 + max([self._depth(x) for x in v] or [0])
        return 0

    def test_only_one_problem_per_value_file(self):
        # Apart from its one problem, each value-level file is the valid fixture
        # of its event: no other field is broken (else the expected code is ambiguous).
        for name, (code, path, _) in sorted(self.rows.items()):
            if code in ("syntax", "truncated", "trailing", "type", "duplicate_key", "unknown_event") \
                    or not path.startswith("payload."):
                continue
            with self.subTest(name=name):
                _, doc = self.parse(name)
                ev = WIRES[[v for k, v in doc if k == "event"][0]]
                want = expected_document(ev)["payload"]
                payload = [v for k, v in doc if k == "payload"][0]
                key = path.split(".", 1)[1]
                for k, v in payload:
                    if k != key and k in want:
                        self.assertEqual(v, want[k], k)


if __name__ == "__main__":
    unittest.main()


class SchemasWithoutEveryKind(unittest.TestCase):
    """A schema needs no url, id, int or empty-allowed string: the corpus
    leaves out the cases about kinds of field it lacks, and never fails."""

    SCHEMA = (
        'version = 1\n'
        '[field.name]\ntype = "string"\nmin = 1\nmax = 8\ndescription = "d"\nexample = "x"\n'
        '[[event]]\nid = "ping"\nevent = "ping"\ndescription = "d"\nfields = ["name"]\n')

    def generate(self, text):
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "s.toml")
            with open(path, "w") as f:
                f.write(text)
            r = run_codegen("--schema", path, "--out", os.path.join(d, "out"), "--prefix", "p", "--quiet")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertNotIn("Traceback", r.stderr)
            with open(os.path.join(d, "out", "fixtures", "invalid", "MANIFEST.tsv")) as f:
                return [line.split("\t")[0] for line in f if line.startswith("n_")]

    def test_only_a_required_string(self):
        names = self.generate(self.SCHEMA)
        self.assertIn("n_missing_name.json", names)
        self.assertIn("n_too_short_name.json", names)
        self.assertFalse([n for n in names if n.startswith(("n_url_", "n_range_", "n_utf8_"))], names)

    def test_int_at_the_limits_of_int64(self):
        text = self.SCHEMA.replace('fields = ["name"]', 'fields = ["name", "n"]') + (
            '[field.n]\ntype = "int"\nmin = -9223372036854775808\nmax = 9223372036854775807\n'
            'description = "d"\nexample = 0\n')
        names = self.generate(text)
        self.assertIn("n_type_n_string.json", names)
        self.assertIn("n_range_n_above.json", names)      # 2^63: still a valid MessagePack uint
        self.assertNotIn("n_range_n_below.json", names)   # below -2^63 has no wire form
