"""test_cli_convert.py - tests of `ugw convert` (cli/ugw.c), run by ctest.

Environment:
  UGW_BIN         path of the built `ugw` program (required)
  UGW_SOURCE_DIR  the source tree (default: the folder above this file)

Python 3.11+ standard library only. Expected bytes come from independent
implementations: Python's json module for JSON, and the small MessagePack
packer below (checked against the shipped fixtures first) for MessagePack.
"""

import json
import os
import random
import struct
import tempfile
import unittest

from serve_support import (INVALID, VALID, Schema, describe, load_manifest, read, run,
                           setUpModule)  # noqa: F401 (setUpModule runs here)

SEED = 20240602
GOLDEN_DOCS = 264  # 24 per event


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


# ---------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------

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




if __name__ == "__main__":
    unittest.main()
