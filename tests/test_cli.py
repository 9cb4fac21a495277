"""test_cli.py - tests of the `ugw` command line (cli/ugw.c), run by ctest.

Environment:
  UGW_BIN         path of the built `ugw` program (required)
  UGW_SOURCE_DIR  the source tree (default: the folder above this file)

Python 3.11+ standard library only. Expected bytes come from independent
implementations: Python's json module for JSON, and the small MessagePack
packer below (checked against the shipped fixtures first) for MessagePack.
"""

import errno
import json
import os
import random
import re
import struct
import subprocess
import tempfile
import tomllib
import unittest

BIN = os.environ.get("UGW_BIN", "")
SRC = os.environ.get("UGW_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(SRC, "generated", "fixtures")
VALID = os.path.join(FIXTURES, "valid")
INVALID = os.path.join(FIXTURES, "invalid")
MANIFEST = os.path.join(INVALID, "MANIFEST.tsv")

SEED = 20240602
GOLDEN_DOCS = 264  # 24 per event


def setUpModule():
    if not BIN or not os.access(BIN, os.X_OK):
        raise RuntimeError("set UGW_BIN to the built ugw program (got %r)" % BIN)
    if not os.path.isdir(VALID):
        raise RuntimeError("no fixtures under %r: set UGW_SOURCE_DIR" % SRC)


def run(*args, stdin=b""):
    return subprocess.run([BIN, *args], input=stdin, capture_output=True, timeout=60)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def load_schema():
    with open(os.path.join(SRC, "schema", "events.toml"), "rb") as f:
        return tomllib.load(f)


def load_manifest():
    rows = []
    with open(MANIFEST, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            assert len(cols) == 4, "bad manifest row %r" % line
            rows.append(tuple(cols))
    return rows


def describe(p):
    """A short text of a CompletedProcess for failure messages."""
    return "exit %d, stdout %r, stderr %r" % (p.returncode, p.stdout[:600], p.stderr[:600])


# ---------------------------------------------------------------------------
# An independent MessagePack packer (spec: msgpack/spec.md). With rnd None it
# writes the smallest forms; with a Random it sometimes picks wider ones, which
# every decoder must accept too.
# ---------------------------------------------------------------------------

def mp_pack(o, rnd=None):
    out = bytearray()
    _mp(o, out, rnd)
    return bytes(out)


def _wide(rnd):
    return rnd is not None and rnd.random() < 0.35


def _mp(o, out, rnd):
    if o is None:
        out.append(0xC0)
    elif o is True:
        out.append(0xC3)
    elif o is False:
        out.append(0xC2)
    elif isinstance(o, int):
        if o >= 0:
            forms = []
            if o < 0x80:
                forms.append(bytes([o]))
            if o < 0x100:
                forms.append(b"\xcc" + struct.pack(">B", o))
            if o < 0x10000:
                forms.append(b"\xcd" + struct.pack(">H", o))
            if o < 0x100000000:
                forms.append(b"\xce" + struct.pack(">I", o))
            forms.append(b"\xcf" + struct.pack(">Q", o))
            if o < 0x8000000000000000:
                forms.append(b"\xd3" + struct.pack(">q", o))  # signed form of a positive value
            out += rnd.choice(forms) if _wide(rnd) else forms[0]
        elif o >= -32:
            out += struct.pack(">b", o)
        elif o >= -0x80:
            out += b"\xd0" + struct.pack(">b", o)
        elif o >= -0x8000:
            out += b"\xd1" + struct.pack(">h", o)
        elif o >= -0x80000000:
            out += b"\xd2" + struct.pack(">i", o)
        else:
            out += b"\xd3" + struct.pack(">q", o)
    elif isinstance(o, float):
        out += b"\xcb" + struct.pack(">d", o)
    elif isinstance(o, str):
        b = o.encode("utf-8")
        n = len(b)
        forms = []
        if n < 32:
            forms.append(bytes([0xA0 | n]))
        if n < 0x100:
            forms.append(b"\xd9" + struct.pack(">B", n))
        if n < 0x10000:
            forms.append(b"\xda" + struct.pack(">H", n))
        forms.append(b"\xdb" + struct.pack(">I", n))
        out += rnd.choice(forms) if _wide(rnd) else forms[0]
        out += b
    elif isinstance(o, list):
        n = len(o)
        forms = ([bytes([0x90 | n])] if n < 16 else []) + [b"\xdc" + struct.pack(">H", n), b"\xdd" + struct.pack(">I", n)]
        out += rnd.choice(forms) if _wide(rnd) else forms[0]
        for v in o:
            _mp(v, out, rnd)
    elif isinstance(o, dict):
        n = len(o)
        forms = ([bytes([0x80 | n])] if n < 16 else []) + [b"\xde" + struct.pack(">H", n), b"\xdf" + struct.pack(">I", n)]
        out += rnd.choice(forms) if _wide(rnd) else forms[0]
        for k, v in o.items():
            _mp(k, out, rnd)
            _mp(v, out, rnd)
    else:
        raise TypeError(type(o))


# ---------------------------------------------------------------------------
# A JSON writer with random but valid escaping choices and white space
# ---------------------------------------------------------------------------

SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _u(cp, rnd):
    s = "\\u%04x" % cp
    return s.upper().replace("\\U", "\\u") if rnd.random() < 0.5 else s


class Digits(str):
    """An id written as a digit string; json_write leaves its digits
    unescaped (escaped digits are tested on their own, see
    test_id_digit_string_with_escapes)."""


def json_string(s, rnd, p_escape):
    if isinstance(s, Digits):
        return '"' + s + '"'
    parts = ['"']
    for ch in s:
        cp = ord(ch)
        must = ch in '"\\' or cp < 0x20
        if must or rnd.random() < p_escape:
            if ch in SHORT_ESCAPES and rnd.random() < 0.6:
                parts.append(SHORT_ESCAPES[ch])
            elif ch == "/" and rnd.random() < 0.5:
                parts.append("\\/")
            elif cp >= 0x10000:
                v = cp - 0x10000
                parts.append(_u(0xD800 | (v >> 10), rnd) + _u(0xDC00 | (v & 0x3FF), rnd))
            else:
                parts.append(_u(cp, rnd))
        else:
            parts.append(ch)
    parts.append('"')
    return "".join(parts)


def json_write(o, rnd, p_escape):
    ws = lambda: rnd.choice(["", "", "", " ", "\n", "\t", "\r\n  "])
    if isinstance(o, dict):
        items = [ws() + json_string(k, rnd, p_escape) + ws() + ":" + ws() + json_write(v, rnd, p_escape) + ws()
                 for k, v in o.items()]
        return "{" + (",".join(items) if items else ws()) + "}"
    if isinstance(o, list):
        return "[" + ",".join(ws() + json_write(v, rnd, p_escape) + ws() for v in o) + "]"
    if isinstance(o, str):
        return json_string(o, rnd, p_escape)
    return json.dumps(o)


def expected_json(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


# ---------------------------------------------------------------------------
# Tricky values, valid per CONTRACT.md section 2
# ---------------------------------------------------------------------------

CONTROLS = "".join(chr(c) for c in range(1, 0x20))
SPECIALS = '"\\/\x7f'
NON_ASCII = "\u00e9\u00fc\u2028\u2029\u20ac\u4e2d\ufeff\uffff\U0001F600\U0001F4A9\U0010FFFF\u0800\u07ff\u0080"
PLAIN = "abcXYZ019 -_.:"
# URL characters: no space, no control (C0, DEL, C1), no Unicode line separators
URL_CHARS = "abcxyzABC0189-._~:/?#[]@!$&'()*+,;=%" + '"\\{}|^`<>' + "\u00e9\u20ac\u4e2d\U0001F600\U0010FFFF"
URL_HOSTS = ["example.com", "app.example.com:8443", "127.0.0.1", "[::1]", "xn--bcher-kva.example", "b\u00fccher.example"]


def blen(s):
    return len(s.encode("utf-8"))


def fill_to(rnd, pool, nbytes, head=""):
    """`head` then characters of `pool` until exactly `nbytes` UTF-8 bytes."""
    s = head
    while blen(s) < nbytes:
        room = nbytes - blen(s)
        ch = rnd.choice(pool)
        if blen(ch) > room:
            ch = rnd.choice([c for c in pool if blen(c) <= room] or ["a"])
        s += ch
    assert blen(s) == nbytes, (s, nbytes)
    return s


def tricky_string(rnd, lo, hi, kind):
    pool = CONTROLS + SPECIALS + NON_ASCII + PLAIN
    if kind == "controls":
        s = CONTROLS + SPECIALS + NON_ASCII
        while blen(s) > hi:
            s = s[1:]
    elif kind == "at_limit":
        s = fill_to(rnd, pool, hi)
    elif kind == "near_limit":
        s = fill_to(rnd, pool, max(lo, hi - rnd.randint(1, 4)))
    elif kind == "astral_limit":
        # 4-byte characters up to the limit, then ASCII to fill it exactly
        s = fill_to(rnd, "a", hi, "\U0001F600" * (hi // 4))
    elif kind == "min":
        s = rnd.choice(pool) if lo > 0 else ""
        while blen(s) < lo:
            s += "a"
    else:  # random
        s = "".join(rnd.choice(pool) for _ in range(rnd.randint(1, 60)))
        while blen(s) > hi:
            s = s[:-1]
    while blen(s) < lo:
        s += rnd.choice(pool)
    assert lo <= blen(s) <= hi and "\x00" not in s
    return s


def tricky_url(rnd, hi, kind):
    head = rnd.choice(["http://", "https://"]) + rnd.choice(URL_HOSTS)
    if kind in ("at_limit", "astral_limit"):
        s = fill_to(rnd, URL_CHARS, hi, head + "/")
    elif kind == "near_limit":
        s = fill_to(rnd, URL_CHARS, hi - rnd.randint(1, 4), head + "/")
    elif kind == "min":
        s = head
    else:
        s = head + "/" + "".join(rnd.choice(URL_CHARS) for _ in range(rnd.randint(0, 80)))
    assert blen(s) <= hi and not any(ord(c) <= 0x20 or 0x7F <= ord(c) <= 0x9F or c in "\u2028\u2029" for c in s)
    return s


STRING_KINDS = ["controls", "at_limit", "near_limit", "astral_limit", "min", "random", "random", "random"]


class Schema:
    """Event and field facts: names and order from the valid fixtures, types
    and limits from schema/events.toml."""

    def __init__(self):
        self.toml = load_schema()
        self.fields = self.toml["field"]
        self.events = []  # (schema id, wire, aliases, fixture object, optional names)
        for ev in self.toml["event"]:
            with open(os.path.join(VALID, ev["id"] + ".json"), "rb") as f:
                obj = json.loads(f.read())
            self.events.append((ev["id"], ev["event"], ev.get("aliases", []), obj, set(ev.get("optional", []))))

    def limits(self, name):
        f = self.fields[name]
        return f["type"], f.get("min", 0), f.get("max")


# ---------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------

class TestValidate(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.schema = Schema()
        cls.valid = sorted(os.path.join(VALID, n) for n in os.listdir(VALID))

    def test_valid_fixture_set_is_complete(self):
        names = sorted(os.path.basename(p) for p in self.valid)
        want = sorted(e[0] + ext for e in self.schema.events for ext in (".json", ".msgpack"))
        self.assertEqual(names, want)
        self.assertEqual(len(names), 2 * len(self.schema.toml["event"]))

    def test_every_valid_fixture_validates(self):
        for extra in ([], ["--strict"]):
            p = run("validate", *extra, *self.valid)
            self.assertEqual(p.returncode, 0, describe(p))
            self.assertEqual(p.stdout, b"")
            self.assertEqual(p.stderr, b"%d valid, 0 invalid\n" % len(self.valid))

    def test_every_valid_fixture_one_by_one_and_via_stdin(self):
        for path in self.valid:
            data = read(path)
            for extra in ([], ["--strict"]):
                with self.subTest(path=path, extra=extra):
                    p = run("validate", *extra, path)
                    self.assertEqual(p.returncode, 0, describe(p))
                    self.assertEqual(p.stderr, b"1 valid, 0 invalid\n")
                    p = run("validate", *extra, "-", stdin=data)
                    self.assertEqual(p.returncode, 0, describe(p))
                    self.assertEqual(p.stdout, b"")
                    self.assertEqual(p.stderr, b"1 valid, 0 invalid\n")

    def test_verbose_names_event_and_format(self):
        wire = {e[0]: e[1] for e in self.schema.events}
        for flag in ("-v", "--verbose"):
            p = run("validate", flag, *self.valid)
            self.assertEqual(p.returncode, 0, describe(p))
            lines = p.stdout.decode().splitlines()
            want = []
            for path in self.valid:
                stem, ext = os.path.splitext(os.path.basename(path))
                want.append("%s: ok (%s, %s)" % (path, wire[stem], ext[1:]))
            self.assertEqual(lines, want)
        data = read(os.path.join(VALID, "guide_preview_start.msgpack"))
        p = run("validate", "-v", "-", stdin=data)
        self.assertEqual(p.stdout, b"-: ok (guide started (userguiding), msgpack)\n")

    def test_every_invalid_fixture_is_rejected_with_manifest_code_and_path(self):
        rows = load_manifest()
        listed = sorted(r[0] for r in rows)
        on_disk = sorted(n for n in os.listdir(INVALID) if n.startswith("n_"))
        self.assertEqual(listed, on_disk, "MANIFEST.tsv and invalid/ disagree")
        self.assertGreaterEqual(len(rows), 100)
        line_re = re.compile(r"^(.*): (\S+): (.+) \(([a-z_0-9]+) at byte (\d+)\)$")
        for name, code, fpath, mode in rows:
            path = os.path.join(INVALID, name)
            args = ["--strict"] if mode == "strict" else []
            for target, stdin in ((path, b""), ("-", read(path))):
                with self.subTest(file=name, target=target):
                    p = run("validate", *args, target, stdin=stdin)
                    self.assertEqual(p.returncode, 1, describe(p))
                    lines = p.stdout.decode("utf-8").splitlines()
                    self.assertEqual(len(lines), 1, describe(p))
                    m = line_re.match(lines[0])
                    self.assertIsNotNone(m, lines[0])
                    self.assertEqual(m.group(1), target)
                    self.assertEqual(m.group(2), fpath)
                    self.assertEqual(m.group(4), code)
                    self.assertEqual(p.stderr, b"0 valid, 1 invalid\n")
            if mode == "strict":
                with self.subTest(file=name, mode="default accepts"):
                    p = run("validate", path)
                    self.assertEqual(p.returncode, 0, describe(p))
                    self.assertEqual(p.stdout, b"")
            else:
                self.assertEqual(mode, "default")

    def test_all_invalid_in_one_run(self):
        # One decoder per run serves every file; rows of each mode in one run.
        # (A `default` row may fail differently under --strict: the first
        # error wins, and an unknown key can come before the row's problem.)
        rows = load_manifest()
        for mode, args in (("default", []), ("strict", ["--strict"])):
            sel = [r for r in rows if r[3] == mode]
            self.assertTrue(sel, mode)
            paths = [os.path.join(INVALID, r[0]) for r in sel]
            p = run("validate", *args, *paths)
            self.assertEqual(p.returncode, 1, describe(p))
            lines = p.stdout.decode("utf-8").splitlines()
            self.assertEqual(len(lines), len(sel))
            for line, (name, code, fpath, _mode) in zip(lines, sel):
                self.assertTrue(line.startswith("%s: %s: " % (os.path.join(INVALID, name), fpath)), line)
                self.assertRegex(line, r" \(%s at byte \d+\)$" % code)
            self.assertEqual(p.stderr, b"0 valid, %d invalid\n" % len(sel))
        # Without --strict the strict-only rows pass.
        paths = [os.path.join(INVALID, r[0]) for r in rows]
        nstrict = sum(1 for r in rows if r[3] == "strict")
        p = run("validate", *paths)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(len(p.stdout.splitlines()), len(rows) - nstrict)
        self.assertEqual(p.stderr, b"%d valid, %d invalid\n" % (nstrict, len(rows) - nstrict))

    def test_mixed_valid_and_invalid(self):
        good = os.path.join(VALID, "nps_score_submit.json")
        bad = os.path.join(INVALID, "n_range_score_above.msgpack")
        p = run("validate", good, bad, good)
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertEqual(len(p.stdout.splitlines()), 1)
        self.assertEqual(p.stderr, b"2 valid, 1 invalid\n")

    def test_quiet(self):
        bad = os.path.join(INVALID, "n_range_score_above.json")
        good = os.path.join(VALID, "nps_score_submit.json")
        for flag in ("-q", "--quiet"):
            p = run("validate", flag, good, bad)
            self.assertEqual((p.returncode, p.stdout, p.stderr), (1, b"", b""))
            p = run("validate", flag, good)
            self.assertEqual((p.returncode, p.stdout, p.stderr), (0, b"", b""))

    def test_options_after_files_and_double_dash(self):
        path = os.path.join(INVALID, "n_unknown_key_payload.json")
        p = run("validate", path, "--strict")
        self.assertEqual(p.returncode, 1, describe(p))
        p = run("validate", "--", path)
        self.assertEqual(p.returncode, 0, describe(p))
        p = run("validate", "--strict", "--", "--strict")  # a file named --strict
        self.assertEqual(p.returncode, 2, describe(p))
        self.assertIn(b"ugw: --strict: ", p.stderr)

    def test_input_over_max_input_is_a_limit_error(self):
        # 1 MiB is the decoder's default max_input; the CLI must hand the
        # decoder enough bytes to say so, also for an endless stream.
        big = b"{" + b" " * (1 << 20) + b"}"
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "big.json")
            with open(path, "wb") as f:
                f.write(big)
            p = run("validate", path)
            self.assertEqual(p.returncode, 1, describe(p))
            self.assertRegex(p.stdout.decode(), r"^%s: -: .* \(limit at byte \d+\)\n$" % re.escape(path))
        p = run("validate", "-", stdin=b" " * (3 << 20))
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertRegex(p.stdout.decode(), r"^-: -: .* \(limit at byte \d+\)\n$")

    def test_missing_file_is_exit_2_and_others_still_checked(self):
        with tempfile.TemporaryDirectory() as d:
            missing = os.path.join(d, "nope.json")
            good = os.path.join(VALID, "guide_preview_start.json")
            bad = os.path.join(INVALID, "n_url_space.json")
            p = run("validate", missing)
            self.assertEqual(p.returncode, 2, describe(p))
            self.assertIn(("ugw: %s: %s\n" % (missing, os.strerror(errno.ENOENT))).encode(), p.stderr)
            p = run("validate", good, missing, bad)
            self.assertEqual(p.returncode, 2, describe(p))
            self.assertTrue(p.stdout.startswith(("%s: payload.pageUrl: " % bad).encode()), describe(p))
            self.assertIn(("ugw: %s: %s\n" % (missing, os.strerror(errno.ENOENT))).encode(), p.stderr)
            self.assertTrue(p.stderr.endswith(b"1 valid, 1 invalid\n"), describe(p))
            p = run("validate", d)  # a directory cannot be read as a file
            self.assertEqual(p.returncode, 2, describe(p))
            self.assertIn(("ugw: %s: " % d).encode(), p.stderr)


class TestConvert(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.schema = Schema()

    def test_fixtures_convert_byte_exact(self):
        for sid, *_ in self.schema.events:
            js = read(os.path.join(VALID, sid + ".json"))
            mp = read(os.path.join(VALID, sid + ".msgpack"))
            for fmt, src, want in (("json", ".msgpack", js), ("msgpack", ".json", mp),
                                   ("json", ".json", js), ("msgpack", ".msgpack", mp)):
                with self.subTest(event=sid, to=fmt, src=src):
                    p = run("convert", "--to", fmt, os.path.join(VALID, sid + src))
                    self.assertEqual(p.returncode, 0, describe(p))
                    self.assertEqual(p.stdout, want)
                    self.assertEqual(p.stderr, b"")
            p = run("convert", "--to=json", "--strict", "-", stdin=mp)
            self.assertEqual((p.returncode, p.stdout), (0, js), describe(p))
            p = run("convert", "-", "-tmsgpack", stdin=js)
            self.assertEqual((p.returncode, p.stdout), (0, mp), describe(p))

    def test_independent_packer_matches_fixtures(self):
        # The packer used for the golden MessagePack below agrees with the
        # shipped fixtures, so it can be trusted as a reference.
        for sid, *_ in self.schema.events:
            obj = json.loads(read(os.path.join(VALID, sid + ".json")))
            self.assertEqual(mp_pack(obj), read(os.path.join(VALID, sid + ".msgpack")), sid)

    def test_invalid_input_is_one_line_on_stderr_exit_1(self):
        for name, code, fpath, mode in load_manifest():
            args = ["--strict"] if mode == "strict" else []
            path = os.path.join(INVALID, name)
            for fmt in ("json", "msgpack"):
                with self.subTest(file=name, to=fmt):
                    p = run("convert", "--to", fmt, *args, path)
                    self.assertEqual(p.returncode, 1, describe(p))
                    self.assertEqual(p.stdout, b"")
                    lines = p.stderr.decode("utf-8").splitlines()
                    self.assertEqual(len(lines), 1, describe(p))
                    self.assertTrue(lines[0].startswith("%s: %s: " % (path, fpath)), lines[0])
                    self.assertRegex(lines[0], r" \(%s at byte \d+\)$" % code)

    def test_strict_only_rows_convert_without_strict(self):
        for name, _code, _fpath, mode in load_manifest():
            if mode != "strict":
                continue
            p = run("convert", "--to", "json", os.path.join(INVALID, name))
            self.assertEqual(p.returncode, 0, describe(p))
            # the unknown key is dropped
            self.assertNotIn(b"extra", p.stdout)
            json.loads(p.stdout)

    def make_documents(self):
        """Returns [(label, expected JSON bytes, expected msgpack bytes,
        JSON input bytes, msgpack input bytes)], seeded."""
        rnd = random.Random(SEED)
        docs = []
        per_event = GOLDEN_DOCS // len(self.schema.events)
        for sid, wire, aliases, fixture, optional in self.schema.events:
            names = list(fixture["payload"].keys())
            for n in range(per_event):
                payload_out = {}
                payload_in = {}
                for i, name in enumerate(names):
                    ftype, lo, hi = self.schema.limits(name)
                    if name in optional and rnd.random() < 0.3:
                        continue
                    # Cycle the string kinds so each field of each event sees each kind.
                    kind = STRING_KINDS[(n + i) % len(STRING_KINDS)]
                    if ftype == "string":
                        v = tricky_string(rnd, lo, hi, kind)
                        payload_out[name] = payload_in[name] = v
                    elif ftype == "url":
                        v = tricky_url(rnd, hi, kind)
                        payload_out[name] = payload_in[name] = v
                    elif ftype == "id":
                        v = rnd.choice([0, 1, 9, 10, 127, 128, 255, 256, 65535, 65536,
                                        2**32 - 1, 2**32, 2**53 - 1, rnd.randint(0, 2**53 - 1)])
                        payload_out[name] = v
                        r = rnd.random()
                        if r < 0.25:
                            payload_in[name] = Digits(v)  # ids may come as digit strings
                        elif r < 0.3 and len(str(v)) < 16:
                            payload_in[name] = Digits("0" + str(v))  # still 1-16 decimal digits
                        else:
                            payload_in[name] = v
                    elif ftype == "int":
                        v = rnd.randint(self.schema.fields[name]["min"], self.schema.fields[name]["max"])
                        payload_out[name] = payload_in[name] = v
                    else:
                        self.fail("unknown field type %r" % ftype)
                extras = {}
                if rnd.random() < 0.3:
                    extras = {"x\u00e9\"tra": [1, -2, 3.5, None, True, {"k": "\U0001F600\n"}], "n": -70000}
                items = list(payload_in.items()) + list(extras.items())
                rnd.shuffle(items)
                root_in = [("event", rnd.choice([wire] + aliases) if rnd.random() < 0.3 else wire),
                           ("payload", dict(items))]
                if rnd.random() < 0.2:
                    root_in.append(("unknownRoot", {"a": ["\\", "/"]}))
                rnd.shuffle(root_in)
                doc_in = dict(root_in)
                doc_out = {"event": wire, "payload": payload_out}
                style = n % 4
                if style == 0:
                    js = json.dumps(doc_in, ensure_ascii=True).encode()
                elif style == 1:
                    js = json.dumps(doc_in, ensure_ascii=False, indent=rnd.choice([None, 1, "\t"])).encode()
                else:
                    js = json_write(doc_in, rnd, 0.5 if style == 2 else 0.05).encode()
                docs.append(("%s#%d" % (sid, n), expected_json(doc_out), mp_pack(doc_out), js, mp_pack(doc_in, rnd)))
        return docs

    def test_golden_against_python(self):
        docs = self.make_documents()
        self.assertGreaterEqual(len(docs), 200)
        # The corpus covers what it claims to.
        seen = set()
        for _label, want, *_ in docs:
            for v in json.loads(want)["payload"].values():
                if isinstance(v, str):
                    seen.update(v)
        for ch in CONTROLS + SPECIALS + "\u00e9\u2028\U0001F600":
            self.assertIn(ch, seen, "corpus lacks %r" % ch)

        failures = []
        with tempfile.TemporaryDirectory() as d:
            for label, want_js, want_mp, js, mp in docs:
                jpath = os.path.join(d, "in.json")
                mpath = os.path.join(d, "in.msgpack")
                with open(jpath, "wb") as f:
                    f.write(js)
                with open(mpath, "wb") as f:
                    f.write(mp)
                for src, path, fmt, want in ((js, jpath, "json", want_js), (js, jpath, "msgpack", want_mp),
                                             (mp, mpath, "json", want_js), (mp, mpath, "msgpack", want_mp)):
                    p = run("convert", "--to", fmt, path)
                    if p.returncode != 0 or p.stdout != want:
                        failures.append("%s: %s -> %s: %s\n  input %r\n  want  %r" % (
                            label, os.path.splitext(path)[1], fmt, describe(p), src[:400], want[:400]))
        self.assertEqual(failures, [], "%d failures, first ones:\n%s" % (len(failures), "\n".join(failures[:5])))

    def test_id_digit_string_with_escapes(self):
        # CONTRACT.md 2: an id may come as a string of 1-16 decimal digits.
        # In JSON, "\u0031" and "1" are the same string, so both must decode.
        for id_text, want in (('"\\u0031"', 1), ('"4\\u0032"', 42), ('"\\u0039007199254740991"', 2**53 - 1)):
            doc = ('{"event":"guide started (userguiding)","payload":{"userId":"u",'
                   '"pageUrl":"https://a.example/","guideId":%s,"guideName":"n"}}' % id_text).encode()
            with self.subTest(doc=doc):
                p = run("convert", "--to", "json", "-", stdin=doc)
                self.assertEqual(p.returncode, 0, describe(p))
                self.assertEqual(json.loads(p.stdout)["payload"]["guideId"], want)
        # An escape that makes a non-digit is still a type error.
        doc = (b'{"event":"guide started (userguiding)","payload":{"userId":"u",'
               b'"pageUrl":"https://a.example/","guideId":"\\u0041","guideName":"n"}}')
        p = run("validate", "-", stdin=doc)
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertRegex(p.stdout.decode(), r"^-: payload\.guideId: .* \(type at byte \d+\)\n$")

    def test_one_byte_over_the_limit_is_rejected(self):
        rnd = random.Random(SEED + 1)
        for sid, wire, _aliases, fixture, _optional in self.schema.events:
            for name in fixture["payload"]:
                ftype, _lo, hi = self.schema.limits(name)
                if ftype not in ("string", "url"):
                    continue
                if ftype == "url":
                    v = fill_to(rnd, URL_CHARS, hi + 1, "https://example.com/")
                else:
                    v = fill_to(rnd, "\u00e9\U0001F600a\n\"", hi + 1)
                doc = {"event": wire, "payload": dict(fixture["payload"], **{name: v})}
                for data in (json.dumps(doc, ensure_ascii=rnd.random() < 0.5).encode(), mp_pack(doc)):
                    with self.subTest(event=sid, field=name, fmt=data[:1]):
                        p = run("convert", "--to", "json", "-", stdin=data)
                        self.assertEqual(p.returncode, 1, describe(p))
                        self.assertRegex(p.stderr.decode(), r"^-: payload\.%s: .* \(too_long at byte \d+\)\n$" % name)


class TestUsage(unittest.TestCase):
    def assertUsageError(self, *args):
        p = run(*args)
        self.assertEqual(p.returncode, 2, "%r: %s" % (args, describe(p)))
        self.assertEqual(p.stdout, b"", args)
        self.assertIn(b"Usage: ugw", p.stderr, args)

    def test_usage_errors_exit_2(self):
        f = os.path.join(VALID, "guide_preview_start.json")
        self.assertUsageError()
        self.assertUsageError("frobnicate")
        self.assertUsageError("--frobnicate")
        self.assertUsageError("validate")
        self.assertUsageError("validate", "--frobnicate", f)
        self.assertUsageError("validate", "-x", f)
        self.assertUsageError("validate", "--strict=yes", f)
        self.assertUsageError("convert", f)
        self.assertUsageError("convert", "--to", "xml", f)
        self.assertUsageError("convert", "--to")
        self.assertUsageError("convert", "--to", "json")
        self.assertUsageError("convert", "--to", "json", f, f)
        self.assertUsageError("convert", "--bogus", "--to", "json", f)
        self.assertUsageError("help", "frobnicate")

    def test_missing_file_exit_2(self):
        with tempfile.TemporaryDirectory() as d:
            missing = os.path.join(d, "missing.msgpack")
            for args in (["validate", missing], ["convert", "--to", "json", missing]):
                p = run(*args)
                self.assertEqual(p.returncode, 2, describe(p))
                self.assertEqual(p.stdout, b"")
                self.assertIn(("ugw: %s: %s\n" % (missing, os.strerror(errno.ENOENT))).encode(), p.stderr)

    def test_help_exit_0(self):
        for args in (["--help"], ["-h"], ["help"]):
            p = run(*args)
            self.assertEqual(p.returncode, 0, describe(p))
            self.assertIn(b"validate", p.stdout)
            self.assertIn(b"convert", p.stdout)
            self.assertEqual(p.stderr, b"")
        for cmd in ("validate", "convert"):
            for args in (["help", cmd], [cmd, "--help"], [cmd, "-h"]):
                p = run(*args)
                self.assertEqual(p.returncode, 0, describe(p))
                self.assertTrue(p.stdout.startswith(b"Usage: ugw " + cmd.encode()), describe(p))
                self.assertEqual(p.stderr, b"")

    def test_version(self):
        with open(os.path.join(SRC, "include", "ugw", "ugw_version.h"), encoding="utf-8") as f:
            text = f.read()
            version = ".".join(re.search(r"#define UGW_VERSION_%s (\d+)" % part, text).group(1)
                               for part in ("MAJOR", "MINOR", "PATCH"))
        with open(os.path.join(SRC, "generated", "ugw", "ugw_events.h"), encoding="utf-8") as f:
            codegen = re.search(r'#define UGW_CODEGEN_VERSION "([^"]+)"', f.read()).group(1)
        schema_version = load_schema()["version"]
        for flag in ("--version", "-V"):
            p = run(flag)
            self.assertEqual(p.returncode, 0, describe(p))
            self.assertEqual(p.stdout.decode(), "ugw %s (schema %d, codegen %s)\n" % (version, schema_version, codegen))
            self.assertEqual(p.stderr, b"")


if __name__ == "__main__":
    unittest.main()
