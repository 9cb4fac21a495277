"""Fixture bytes: the valid documents of every event, and the invalid corpus.

Valid JSON comes from Python's own `json.dumps(..., separators=(',', ':'),
ensure_ascii=False)`, so the C encoder is checked against an independent
implementation. MessagePack comes from the small encoder below (smallest forms,
as the MessagePack spec asks), which the C tests cross-check with msgpack-c.

The invalid corpus names each file `n_<what>.<json|msgpack>`; the manifest
gives the expected error code, field path ("-" for the document itself) and
whether the file is only invalid in strict mode.
"""

import json
import math
import struct
from dataclasses import dataclass

from .scalars import DBL_MAX, TS_MAX, TS_MIN, timestamp_text
from . import fixtures_compound


class RawStr(bytes):
    """A MessagePack str whose bytes are given as they are (maybe not UTF-8)."""


class Bin(bytes):
    """A MessagePack bin."""


def mp(obj):
    """MessagePack of a Python value, smallest forms."""
    if obj is None:
        return b"\xc0"
    if obj is True:
        return b"\xc3"
    if obj is False:
        return b"\xc2"
    if isinstance(obj, int):
        if 0 <= obj < 128:
            return bytes([obj])
        if -32 <= obj < 0:
            return struct.pack(">b", obj)
        if obj >= 0:
            for tag, fmt, lim in ((0xCC, ">B", 2**8), (0xCD, ">H", 2**16), (0xCE, ">I", 2**32), (0xCF, ">Q", 2**64)):
                if obj < lim:
                    return bytes([tag]) + struct.pack(fmt, obj)
            raise ValueError("int too large")
        for tag, fmt, lim in ((0xD0, ">b", 2**7), (0xD1, ">h", 2**15), (0xD2, ">i", 2**31), (0xD3, ">q", 2**63)):
            if -lim <= obj:
                return bytes([tag]) + struct.pack(fmt, obj)
        raise ValueError("int too small")
    if isinstance(obj, float):
        return b"\xcb" + struct.pack(">d", obj)
    if isinstance(obj, Bin):
        n = len(obj)
        head = bytes([0xC4, n]) if n < 256 else bytes([0xC5]) + n.to_bytes(2, "big")
        return head + bytes(obj)
    if isinstance(obj, (str, RawStr)):
        b = obj.encode("utf-8") if isinstance(obj, str) else bytes(obj)
        n = len(b)
        if n < 32:
            return bytes([0xA0 | n]) + b
        if n < 256:
            return bytes([0xD9, n]) + b
        if n < 65536:
            return bytes([0xDA]) + n.to_bytes(2, "big") + b
        return bytes([0xDB]) + n.to_bytes(4, "big") + b
    if isinstance(obj, (list, tuple)):
        n = len(obj)
        head = bytes([0x90 | n]) if n < 16 else bytes([0xDC]) + n.to_bytes(2, "big") if n < 65536 \
            else bytes([0xDD]) + n.to_bytes(4, "big")
        return head + b"".join(mp(x) for x in obj)
    if isinstance(obj, (dict, Pairs)):
        items = list(obj.items())
        n = len(items)
        head = bytes([0x80 | n]) if n < 16 else bytes([0xDE]) + n.to_bytes(2, "big") if n < 65536 \
            else bytes([0xDF]) + n.to_bytes(4, "big")
        return head + b"".join(mp(k) + mp(v) for k, v in items)
    raise TypeError(type(obj))


class Pairs:
    """An ordered map that may repeat keys (for duplicate-key fixtures)."""

    def __init__(self, items):
        self._items = list(items)

    def items(self):
        return self._items


def js(obj):
    """The exact JSON bytes the C encoder must produce."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def js_pairs(pairs):
    """JSON of an object that may repeat keys."""
    return b"{" + b",".join(js(k) + b":" + (js_pairs(v.items()) if isinstance(v, Pairs) else js(v))
                            for k, v in pairs) + b"}"


def js_any(obj):
    """JSON of a value whose objects may be Pairs (repeated keys), at any depth."""
    if isinstance(obj, (dict, Pairs)):
        return b"{" + b",".join(js(k) + b":" + js_any(v) for k, v in obj.items()) + b"}"
    if isinstance(obj, (list, tuple)):
        return b"[" + b",".join(js_any(v) for v in obj) + b"]"
    return js(obj)


def tokens(obj):
    """jsmn tokens of the JSON of `obj` (a key is one)."""
    if isinstance(obj, (dict, Pairs)):
        return 1 + sum(1 + tokens(v) for _, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return 1 + sum(tokens(v) for v in obj)
    return 1


def document(event):
    """The example document of `event`: the event key, the envelope fields
    (a schema's own envelope), then the payload."""
    env = event.envelope
    if env is None:
        return {"event": event.wire, "payload": dict(event.example)}
    return {env.event_key: event.wire, **env.example, env.payload_key: dict(event.example)}


def _keys(event):
    """(event key, payload key) of `event`'s documents."""
    env = event.envelope
    return ("event", "payload") if env is None else (env.event_key, env.payload_key)


def _env_fields(event):
    return event.envelope.fields if event.envelope is not None else []


NEW_TYPES = ("enum", "number", "timestamp")


def variants(event):
    """{suffix: document} of the valid documents of `event`: its example
    (suffix ""), then when it has nullable fields every one of them null
    (".null"), and when it has optional fields of the later types or
    nullable ones all optional fields left out (".absent")."""
    out = {"": document(event)}
    pk = _keys(event)[1]
    nullable = [f for f in event.fields if f.nullable]
    env_nullable = [f for f in _env_fields(event) if f.nullable]
    if nullable or env_nullable:
        d = document(event)
        for f in nullable:
            d[pk][f.name] = None
        for f in env_nullable:
            d[f.name] = None
        out[".null"] = d
    optional = [f for f in event.fields if not f.required]
    env_optional = [f for f in _env_fields(event) if not f.required]
    if any(f.type in NEW_TYPES or f.nullable for f in optional) or env_optional:
        d = document(event)
        for f in optional:
            d[pk].pop(f.name)
        for f in env_optional:
            d.pop(f.name)
        out[".absent"] = d
    return out


def valid(model):
    """{file name: bytes} of the valid fixtures: <id>.json and .msgpack per
    event, and <id>.null / <id>.absent variants (see variants())."""
    out = {}
    for e in model.events:
        for suffix, doc in variants(e).items():
            out[f"{e.id}{suffix}.json"] = js(doc)
            out[f"{e.id}{suffix}.msgpack"] = mp(doc)
    out.update(fixtures_compound.valid_sized(model, js, mp, tokens))
    return out


@dataclass
class Case:
    name: str
    code: str
    path: str
    strict: bool
    json: bytes
    msgpack: bytes


def _pick(model, pred):
    """(event, field) of the first field matching `pred`, looking in the first
    event before the others (required fields first), or (None, None): a schema
    need not have every kind of field, and the cases about a kind it lacks are
    left out."""
    for required in (True, False):
        for e in model.events:
            for f in e.fields:
                if f.required == required and pred(f):
                    return e, f
    return None, None


def invalid(model):
    """The invalid corpus: a list of Case, each in both formats. Cases about a
    kind of field the schema does not have are left out."""
    cases = []

    names = set()

    def add(name, code, path, j, m, strict=False):
        # a field's case may take a document case's name (a field "payload":
        # missing_payload): the later one gets a number
        k, n = name, 1
        while k in names:
            n += 1
            k = f"{name}_{n}"
        names.add(k)
        cases.append(Case(k, code, path, strict, j, m))

    def both(name, code, path, doc, strict=False):
        add(name, code, path, js(doc), mp(doc), strict)

    base_e = model.events[0]
    base = document(base_e)
    # Strings whose too-long value stays a small file, under every decoder limit.
    s_e, s_field = _pick(model, lambda f: f.type == "string" and f.min >= 1 and f.required
                         and f.max <= TOO_LONG_MAX)
    n_e, n_field = _pick(model, lambda f: f.type == "string" and f.min == 0 and f.max <= TOO_LONG_MAX)
    u_e, u_field = _pick(model, lambda f: f.type == "url")
    # Fields with room for the bad values below (at most 6 bytes), so that
    # the length checks, which come first, pass.
    u8_e, u8_field = _pick(model, lambda f: f.type == "string" and f.min == 0 and 6 <= f.max <= TOO_LONG_MAX)
    nul_e, nul_field = _pick(model, lambda f: f.type == "string" and 1 <= f.min <= 3 <= f.max and f.required)
    id_e, id_f = _pick(model, lambda f: f.type == "id" and f.required)
    int_e, int_f = _pick(model, lambda f: f.type == "int" and f.required)
    bool_e, bool_f = _pick(model, lambda f: f.type == "bool")

    ek, pk = _keys(base_e)
    EK, PK = ek.encode(), pk.encode()

    def with_payload(e, **changes):
        d = document(e)
        for k, v in changes.items():
            if v is _DROP:
                d[pk].pop(k)
            else:
                d[pk][k] = v
        return d

    def p(f):
        return f.path

    used = {f.name for e in model.events for f in e.fields} | {f.name for f in _env_fields(base_e)} | {ek, pk}

    def free(name):
        """`name`, or name2, name3...: a key that no field of the schema uses."""
        k, n = name, 1
        while k in used:
            n += 1
            k = f"{name}{n}"
        return k

    extra, x = free("extra"), free("x")

    def fitting(make):
        """make(e) of the first event (base_e first) whose document stays
        within the default decoder's max_tokens and size, or None: the
        decoder tokenizes a document whole, so a bigger one is refused as
        limit before the case's own error is seen."""
        for e in [base_e, *model.events]:
            d = make(e)
            if tokens(d) <= fixtures_compound.TOKENS_MAX and len(js_any(d)) <= fixtures_compound.DOC_MAX:
                return d
        return None

    vj, vm = js(base), mp(base)
    # document-level structure
    add("syntax_missing_colon", "syntax", "-", vj.replace(js(ek) + b':', js(ek) + b' ', 1), vm[:1] + b"\xc1" + vm[1:])
    add("syntax_trailing_comma", "syntax", "-", vj[:-2] + b",}}", vm.replace(mp(pk), mp(pk) + b"\xc1", 1))
    add("syntax_bad_literal", "syntax", "-", vj[:-2] + b',"' + x.encode() + b'":tru}}',
        mp(with_payload(base_e, **{x: None}))[:-1] + b"\xc1")
    if id_f:
        # the id's key inside the payload (a field may be named "event")
        j = js(with_payload(id_e))
        at = j.index(js(pk) + b':') + len(js(pk) + b':')
        key = b'"' + id_f.name.encode() + b'":'
        add("syntax_leading_zero", "syntax", "-", j[:at] + j[at:].replace(key, key + b"0", 1),
            b"\x81" + mp(ek) + b"\xc1")
    add("syntax_raw_control", "syntax", "-", vj.replace(js(ek) + b':"', js(ek) + b':"\x01', 1),
        b"\x82" + mp(ek) + b"\xc1" + mp(pk) + b"\x80")
    add("truncated_half", "truncated", "-", vj[: len(vj) // 2], vm[: len(vm) // 2])
    add("truncated_empty", "truncated", "-", b"", b"")
    # A str8 of 200 bytes with 10 left: the bytes after the event key hold the
    # wire string's header and 4 of its bytes, so a wire of 5 bytes or more
    # ends early there; a shorter one gets the str8 as a value.
    if len(base_e.wire.encode("utf-8")) >= 5 and ek == "event":
        add("truncated_string_length", "truncated", "-", vj[:-3], vm[:2] + b"\xd9\xc8" + vm[2:12])
    else:
        add("truncated_string_length", "truncated", "-", vj[:-3], b"\x81" + mp(ek) + b"\xd9\xc8" + b"x" * 10)
    add("trailing_bytes", "trailing", "-", vj + b" x", vm + b"\xc0")
    add("trailing_second_document", "trailing", "-", vj + vj, vm + vm)
    deep = []
    for _ in range(40):
        deep = [deep]
    d = fitting(lambda e: with_payload(e, **{extra: deep}))
    if d is not None:
        both("depth_unknown_value", "depth", pk + "." + extra, d)
    both("limit_tokens", "limit", "-", with_payload(base_e, **{extra: [0] * 2000}))
    # types
    both("type_root_array", "type", "-", [1, 2])
    both("type_payload_string", "type", pk, dict(base, **{pk: "x"}))
    both("type_event_number", "type", ek, dict(base, **{ek: 4}))
    if int_f:
        both(f"type_{int_f.name}_string", "type", p(int_f), with_payload(int_e, **{int_f.name: str(int_f.example)}))
        both(f"type_{int_f.name}_float", "type", p(int_f), with_payload(int_e, **{int_f.name: 9.5}))
    if id_f:
        both(f"type_{id_f.name}_bool", "type", p(id_f), with_payload(id_e, **{id_f.name: True}))
        if not id_f.nullable:
            both(f"type_{id_f.name}_null", "type", p(id_f), with_payload(id_e, **{id_f.name: None}))
        both(f"type_{id_f.name}_not_digits", "type", p(id_f), with_payload(id_e, **{id_f.name: "12a"}))
        both(f"type_{id_f.name}_empty_string", "type", p(id_f), with_payload(id_e, **{id_f.name: ""}))
    if bool_f:
        both(f"type_{bool_f.name}_string", "type", p(bool_f), with_payload(bool_e, **{bool_f.name: "true"}))
        both(f"type_{bool_f.name}_number", "type", p(bool_f), with_payload(bool_e, **{bool_f.name: 1}))
        if not bool_f.nullable:
            both(f"type_{bool_f.name}_null", "type", p(bool_f), with_payload(bool_e, **{bool_f.name: None}))
    if s_field:
        both(f"type_{s_field.name}_number", "type", p(s_field), with_payload(s_e, **{s_field.name: 5}))
        add(f"type_{s_field.name}_object_or_bin", "type", p(s_field),
            js(with_payload(s_e, **{s_field.name: {"a": 1}})),
            mp(with_payload(s_e, **{s_field.name: Bin(b"user")})))
    # (the payload in an array is one level deeper: a payload as deep as a
    # decoder allows goes in as a scalar instead)
    add("type_payload_key_not_string", "type", pk,
        js(dict(base, **{pk: [base[pk] if fixtures_compound.depth(base_e) < 16 else 1]})),
        mp(dict(base, **{pk: Pairs([(1, "x")] + list(base[pk].items()))})))
    # presence
    if s_field:
        both(f"missing_{s_field.name}", "missing", p(s_field), with_payload(s_e, **{s_field.name: _DROP}))
    both("missing_payload", "missing", pk, {k: v for k, v in base.items() if k != pk})
    both("missing_event", "missing", ek, {k: v for k, v in base.items() if k != ek})
    env_items = [(k, v) for k, v in base.items() if k not in (ek, pk)]
    if s_field:
        dup = Pairs(list(document(s_e)[pk].items()) + [(s_field.name, "again")])
        add(f"duplicate_{s_field.name}", "duplicate_key", p(s_field),
            js_any(Pairs([(ek, s_e.wire)] + env_items + [(pk, dup)])), mp(Pairs([(ek, s_e.wire)] + env_items + [(pk, dup)])))
    dup_ev = [(ek, base_e.wire), (ek, base_e.wire)] + env_items + [(pk, base[pk])]
    add("duplicate_event", "duplicate_key", ek, js_any(Pairs(dup_ev)), mp(Pairs(dup_ev)))
    dup_nested = Pairs(list(base[pk].items()) + [(extra, Pairs([("a", 1), ("a", 2)]))])
    add("duplicate_in_unknown_value", "duplicate_key", pk + "." + extra,
        js_any(Pairs([(ek, base_e.wire)] + env_items + [(pk, dup_nested)])),
        mp(Pairs([(ek, base_e.wire)] + env_items + [(pk, dup_nested)])))
    both("unknown_event", "unknown_event", ek, dict(base, **{ek: "guide exploded (userguiding)"}))
    # numbers
    if int_f:
        if int_f.max < 2**64 - 1:
            both(f"range_{int_f.name}_above", "range", p(int_f), with_payload(int_e, **{int_f.name: int_f.max + 1}))
        if int_f.min > -2**63:
            both(f"range_{int_f.name}_below", "range", p(int_f), with_payload(int_e, **{int_f.name: int_f.min - 1}))
    if id_f:
        both(f"range_{id_f.name}_2p53", "range", p(id_f), with_payload(id_e, **{id_f.name: 2**53}))
        both(f"range_{id_f.name}_u64max", "range", p(id_f), with_payload(id_e, **{id_f.name: 2**64 - 1}))
        both(f"range_{id_f.name}_negative", "range", p(id_f), with_payload(id_e, **{id_f.name: -1}))
        both(f"range_{id_f.name}_string_2p53", "range", p(id_f), with_payload(id_e, **{id_f.name: str(2**53)}))
        both(f"range_{id_f.name}_string_17_digits", "range", p(id_f), with_payload(id_e, **{id_f.name: "1" * 17}))
    # strings
    def raw_string(e, field, raw, escaped=None):
        """JSON with `raw` bytes (or `escaped` text) as the field's string, and
        the MessagePack str of `raw`."""
        marker = "\u2603MARK\u2603"
        j = js(with_payload(e, **{field.name: marker}))
        j = j.replace(marker.encode(), escaped if escaped is not None else raw, 1)
        m = mp(with_payload(e, **{field.name: RawStr(raw)}))
        return j, m

    if u8_field:
        for name, raw, esc in (("invalid_byte", b"ab\xffcd", None),
                               ("overlong", b"\xc0\xaf", None),
                               ("surrogate", b"x\xed\xa0\x80", b"x\\ud800"),
                               ("lone_low_surrogate", b"\xed\xb0\x80y", b"\\udc00y"),
                               ("truncated_sequence", b"abc\xe2\x82", None),
                               ("above_10ffff", b"\xf4\x90\x80\x80", None)):
            j, m = raw_string(u8_e, u8_field, raw, esc)
            add(f"utf8_{name}", "utf8", p(u8_field), j, m)
    if nul_field:
        j, m = raw_string(nul_e, nul_field, b"a\x00b", b"a\\u0000b")
        add(f"nul_{nul_field.name}", "nul", p(nul_field), j, m)
    if s_field:
        both(f"too_short_{s_field.name}", "too_short", p(s_field), with_payload(s_e, **{s_field.name: ""}))
    if n_field:
        both(f"too_long_{n_field.name}", "too_long", p(n_field),
             with_payload(n_e, **{n_field.name: "a" * (n_field.max + 1)}))
    if s_field:
        # max + 1 or max + 2 bytes in at most max characters
        many = "\u00e9" * (s_field.max // 2) + "a" if s_field.max % 2 == 0 else "\u00e9" * (s_field.max // 2 + 1)
        both(f"too_long_{s_field.name}_multibyte", "too_long", p(s_field), with_payload(s_e, **{s_field.name: many}))
    if u_field:
        both(f"too_long_{u_field.name}", "too_long", p(u_field),
             with_payload(u_e, **{u_field.name: "https://e.com/" + "a" * (u_field.max - 13)}))
        for name, url in (("scheme", "ftp://example.com/x"), ("relative", "/dashboard"),
                          ("space", "https://example.com/a b"), ("no_host", "https:///path"),
                          ("control", "https://example.com/\x7f")):
            if not u_field.min <= len(url) <= u_field.max:
                continue
            both(f"url_{name}", "url", p(u_field), with_payload(u_e, **{u_field.name: url}))
    _scalar_cases(model, both, add, with_payload, p)
    fixtures_compound.cases(model, document, both, add, Pairs, js_any, mp,
                            lambda name, taken: next(k for k in [name] + [f"{name}{n}" for n in range(2, 99)]
                                                     if k not in taken), tokens)
    d = fitting(lambda e: with_payload(e, **{extra: 1}))
    if d is not None:
        both("unknown_key_payload", "unknown_key", pk + "." + extra, d, strict=True)
    d = fitting(lambda e: dict(document(e), **{extra: {"a": [1, 2]}}))
    if d is not None:
        both("unknown_key_root", "unknown_key", extra, d, strict=True)
    _envelope_cases(base_e, base, both, add, ek)
    return cases


def _wrong_value(f):
    """A value of another JSON type than field `f` takes."""
    if f.type in ("string", "url", "enum", "timestamp"):
        return 5
    if f.type in ("object", "array"):
        return 1
    return "x"


def _envelope_cases(e, base, both, add, ek):
    """The cases of the envelope's own fields (none for the default envelope):
    missing, duplicated, of the wrong type, null, and a bad value, each at
    its top-level path."""
    env = _env_fields(e)
    if not env:
        return

    def doc_with(name, value):
        return {k: (value if k == name else v) for k, v in base.items()}
    req = next((f for f in env if f.required), None)
    if req:
        both(f"envelope_missing_{req.name}", "missing", req.path, {k: v for k, v in base.items() if k != req.name})
        dup = [(ek, base[ek]), (req.name, base[req.name]), (req.name, base[req.name])] + \
            [(k, v) for k, v in base.items() if k not in (ek, req.name)]
        add(f"duplicate_envelope_{req.name}", "duplicate_key", req.path, js_any(Pairs(dup)), mp(Pairs(dup)))
    for f in env:
        both(f"envelope_type_{f.name}", "type", f.path, doc_with(f.name, _wrong_value(f)))
    nn = next((f for f in env if not f.nullable), None)
    if nn:
        both(f"envelope_null_{nn.name}", "type", nn.path, doc_with(nn.name, None))
    ts = next((f for f in env if f.type == "timestamp"), None)
    if ts:
        both(f"envelope_format_{ts.name}", "format", ts.path, doc_with(ts.name, "2023-02-29T00:00:00Z"))
    it = next((f for f in env if f.type == "int" and f.max < 2**63 - 1), None)
    if it:
        both(f"envelope_range_{it.name}", "range", it.path, doc_with(it.name, it.max + 1))
    st = next((f for f in env if f.type == "string" and f.min >= 1), None)
    if st:
        both(f"envelope_too_short_{st.name}", "too_short", st.path, doc_with(st.name, ""))
    en = next((f for f in env if f.type == "enum" and not f.lenient), None)
    if en:
        other = en.values[0] + "x"
        while other in en.values:
            other += "x"
        both(f"envelope_enum_{en.name}", "enum", en.path, doc_with(en.name, other))


def _scalar_cases(model, both, add, with_payload, p):
    """The cases of enum, number and timestamp fields, and of null where a
    field is not nullable."""
    en_e, en_f = _pick(model, lambda f: f.type == "enum" and not f.lenient)
    le_e, le_f = _pick(model, lambda f: f.type == "enum" and f.lenient)
    nu_e, nu_f = _pick(model, lambda f: f.type == "number")
    ts_e, ts_f = _pick(model, lambda f: f.type == "timestamp")
    if en_f:
        other = en_f.values[0] + "x"
        while other in en_f.values:
            other += "x"
        both(f"enum_{en_f.name}_unknown", "enum", p(en_f), with_payload(en_e, **{en_f.name: other}))
        if en_f.values[0].swapcase() not in en_f.values:
            both(f"enum_{en_f.name}_case", "enum", p(en_f),
                 with_payload(en_e, **{en_f.name: en_f.values[0].swapcase()}))
        both(f"type_{en_f.name}_number", "type", p(en_f), with_payload(en_e, **{en_f.name: 1}))
    if le_f:
        both(f"enum_{le_f.name}_empty", "enum", p(le_f), with_payload(le_e, **{le_f.name: ""}))
    if nu_f:
        both(f"type_{nu_f.name}_string", "type", p(nu_f), with_payload(nu_e, **{nu_f.name: "1"}))
        both(f"type_{nu_f.name}_bool", "type", p(nu_f), with_payload(nu_e, **{nu_f.name: True}))
        if nu_f.max < DBL_MAX:
            both(f"range_{nu_f.name}_above", "range", p(nu_f),
                 with_payload(nu_e, **{nu_f.name: math.nextafter(nu_f.max, math.inf)}))
        if nu_f.min > -DBL_MAX:
            both(f"range_{nu_f.name}_below", "range", p(nu_f),
                 with_payload(nu_e, **{nu_f.name: math.nextafter(nu_f.min, -math.inf)}))
        # JSON has no NaN or infinity: 1e400 reads as one; MessagePack floats hold them
        for name, text, raw in (("nan", b"1e400", b"\xcb\x7f\xf8" + bytes(6)),
                                ("infinity", b"-1e400", b"\xca\xff\x80\x00\x00")):
            j, m = js(with_payload(nu_e, **{nu_f.name: _MARK})), mp(with_payload(nu_e, **{nu_f.name: _MARK}))
            add(f"range_{nu_f.name}_{name}", "range", p(nu_f), j.replace(js(_MARK), text, 1),
                m.replace(mp(_MARK), raw, 1))
    if ts_f:
        for name, text in (("feb29_2023", "2023-02-29T00:00:00Z"), ("feb29_1900", "1900-02-29T00:00:00Z"),
                           ("apr31", "2024-04-31T00:00:00Z"), ("hour24", "2024-01-01T24:00:00Z"),
                           ("month13", "2024-13-01T00:00:00Z"), ("offset24", "2024-01-01T00:00:00+24:00"),
                           ("second60", "2024-06-30T23:59:60Z"), ("no_zone", "2024-01-01T00:00:00"),
                           ("space", "2024-01-01 00:00:00Z"), ("year0", "0000-01-01T00:00:00Z"),
                           ("fraction10", "2024-01-01T00:00:00.1234567890Z")):
            both(f"format_{ts_f.name}_{name}", "format", p(ts_f), with_payload(ts_e, **{ts_f.name: text}))
        both(f"type_{ts_f.name}_number", "type", p(ts_f), with_payload(ts_e, **{ts_f.name: 1700000000000}))
        if ts_f.min > TS_MIN:
            both(f"range_{ts_f.name}_before", "range", p(ts_f),
                 with_payload(ts_e, **{ts_f.name: timestamp_text(ts_f.min - 1)}))
        if ts_f.max < TS_MAX:
            both(f"range_{ts_f.name}_after", "range", p(ts_f),
                 with_payload(ts_e, **{ts_f.name: timestamp_text(ts_f.max + 1)}))
    for t in NEW_TYPES:
        e, f = _pick(model, lambda f, t=t: f.type == t and not f.nullable)
        if f:
            both(f"type_{f.name}_null", "type", p(f), with_payload(e, **{f.name: None}))


_MARK = "\u2603MARK\u2603"
_DROP = object()
# Longest string limit for which the corpus writes a too-long value (a file of
# about that size); a field with a larger limit is left out of those cases.
TOO_LONG_MAX = 65536


def manifest(cases, banner):
    """MANIFEST.tsv: two comment lines (the column names, then `banner`, which
    must be one line), then file, code, path, mode; one row a file, sorted."""
    assert "\n" not in banner and "\r" not in banner, banner
    rows = ["# file\tcode\tpath\tmode   (path '-' is the document; mode strict: invalid only with --strict)",
            "# " + banner]
    for c in sorted(cases, key=lambda c: c.name):
        for ext in ("json", "msgpack"):
            rows.append(f"n_{c.name}.{ext}\t{c.code}\t{c.path}\t{'strict' if c.strict else 'default'}")
    return ("\n".join(rows) + "\n").encode()
