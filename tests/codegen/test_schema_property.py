"""Property test: random schemas either pass `check` and then generate,
compile (gcc -Werror) and round-trip their own fixtures in both formats,
rejecting their invalid corpus with the manifest's codes and paths; or are
refused by `check` with `file:line: message` lines, never a traceback.

Random: field types (enum, number and timestamp too, any of them nullable),
bounds at the extremes of int64, of doubles, of years and of string lengths,
optionality, escapes and non-ASCII in examples and event strings, field
names that may be C or C++ keywords, per-event fields (narrower bounds of a
shared field, fields of one event's own); objects holding scalars, objects and
arrays, arrays of objects and of scalars with item bounds at their extremes;
envelopes (other event and payload keys, envelope fields of every type, of
their own or shared, optional and nullable).
Bounded: UGW_PROPERTY_SCHEMAS schemas
(default 30) from seed UGW_PROPERTY_SEED (default: from the clock; printed,
so a failure can be replayed). UGW_CODEGEN_SANITIZE=1 builds them with
ASan and UBSan.

    /usr/bin/python3 -m unittest discover -s tests/codegen -p 'test_schema_property.py' -v
"""

import os
import random
import sys
import tempfile
import time
import tomllib
import unittest

from codegen_support import *  # noqa: F401,F403
import corpus

INT_MIN, INT_MAX = -(2**63), 2**63 - 1
INT_EDGES = (INT_MIN, INT_MIN + 1, -(2**53), -10, -5, -1, 0, 1, 5, 10, 2**53, INT_MAX - 1, INT_MAX)
STRING_MAXES = (1, 2, 3, 5, 13, 31, 32, 255, 256, 65535, 65536, 65537, 2**24)
URL_MAXES = (8, 9, 13, 14, 31, 32, 255, 256, 2048)
# Names: ordinary ones, and some that are C or C++ keywords (refused).
NAMES = ("userId", "a", "b2", "count", "value", "x", "extra", "itemSku", "zZ9", "event", "payload")
KEYWORD_NAMES = ("int", "class", "register", "Bool", "delete")
CHARS = ("a", "Z", "0", " ", "\u00e9", "\u2603", "\U0001f600", '"', "\\", "\n", "\t", "\u2028", "\x7f", "/")


def toml_str(s):
    """A TOML basic string: quote, backslash and controls escaped, the rest as is."""
    out = []
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7f:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'



def utf8_len(s):
    return len(s.encode("utf-8"))


def text_of(rnd, lo, hi):
    """A string of lo..hi UTF-8 bytes (hi capped for the file's sake)."""
    if lo > 300:
        return "a" * lo   # long values plain: escapes in them would fill the decoder's arena
    hi = min(hi, 300)
    want = rnd.randint(lo, max(lo, hi)) if lo <= hi else lo
    out = ""
    while utf8_len(out) < want:
        c = rnd.choice(CHARS)
        if utf8_len(out + c) > want:
            c = "a"
        out += c
    return out


# Numbers and timestamps at the extremes of a double and of years 1..9999.
NUMBER_EDGES = (-1.7976931348623157e308, -1e300, -2.5, -1, -0.0, 0, 5e-324, 0.1, 1, 1e16, 1e300,
                1.7976931348623157e308)
TS_EDGES = ("0001-01-01T00:00:00Z", "1900-02-28T23:59:59.999Z", "1970-01-01T00:00:00Z", "2000-02-29T12:00:00Z",
            "2024-05-01T12:00:00.123+05:30", "9999-12-31T23:59:59.999Z")
ENUM_WORDS = ("click", "view", "page-view", "A b", "x1", "\u00e9t\u00e9 2", "Q\"uote", "long" * 20)


def toml_value(v):
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, str):
        return toml_str(v)
    if isinstance(v, float):
        return repr(v) if v == v and abs(v) != float("inf") else "0.0"
    return str(v)


def random_scalar(rnd, t, lines):
    """The keys and the example of an enum, number or timestamp field."""
    if t == "enum":
        values = rnd.sample(ENUM_WORDS, rnd.randint(1, 5))
        lines.append("values = [" + ", ".join(toml_str(v) for v in values) + "]")
        if rnd.random() < 0.5:
            lines.append(f'unknown = "{rnd.choice(("strict", "lenient"))}"')
        return rnd.choice(values)
    if t == "number":
        a, b = sorted((rnd.choice(NUMBER_EDGES), rnd.choice(NUMBER_EDGES)))
        if rnd.random() < 0.7:
            lines.append(f"min = {toml_value(a)}")
        else:
            a = -1.7976931348623157e308
        if rnd.random() < 0.7:
            lines.append(f"max = {toml_value(b)}")
        else:
            b = 1.7976931348623157e308
        return rnd.choice((a, b, a / 2 + b / 2))
    a, b = sorted(rnd.sample(TS_EDGES, 2), key=lambda x: x.replace("+05:30", "Z"))
    for k, v in (("min", a), ("max", b)):
        if rnd.random() < 0.6:
            lines.append(f"{k} = {v if rnd.random() < 0.5 else toml_str(v)}")
    return rnd.choice((a, b))


def random_field(rnd, name, enum=True):
    """A [field.NAME] table; `enum` False for a field of one event's own (an
    enum's values belong to its shared C enum type)."""
    t = rnd.choice(("id", "string", "url", "int", "int", "string", "bool", "number", "timestamp")
                   + (("enum",) if enum else ()))
    lines = [f"[field.{name}]", f'type = "{t}"']
    if rnd.random() < 0.25:
        lines.append("nullable = true")
    if t in ("enum", "number", "timestamp"):
        example = random_scalar(rnd, t, lines)
    elif t == "id":
        example = rnd.choice((0, 1, 2**53 - 1, rnd.randint(0, 2**53 - 1)))
    elif t == "bool":
        example = rnd.choice((True, False))
    elif t == "int":
        a, b = rnd.choice(INT_EDGES), rnd.choice(INT_EDGES)
        if rnd.random() < 0.3:
            a = rnd.randint(INT_MIN, INT_MAX)
        lo, hi = min(a, b), max(a, b)
        lines += [f"min = {lo}", f"max = {hi}"]
        example = rnd.choice((lo, hi, (lo + hi) // 2))
    elif t == "string":
        hi = rnd.choice(STRING_MAXES)
        lo = rnd.choice((0, 0, 1, min(hi, 3), hi if hi <= 300 else 0))
        if lo:
            lines.append(f"min = {lo}")
        lines.append(f"max = {hi}")
        example = text_of(rnd, lo, hi)
        if utf8_len(example) < lo:       # a minimum above the file cap
            example = "a" * lo
    else:
        hi = rnd.choice(URL_MAXES)
        lines.append(f"max = {hi}")
        head = rnd.choice(("http://a", "https://e.co/", "HTTP://x.y/p?q=1#f"))
        example = (head + "x" * 40)[:hi] if utf8_len(head) <= hi else "http://a"
    lines += [f"description = {toml_str(text_of(rnd, 1, 20).strip() or 'd')}",
              f"example = {toml_value(example)}"]
    return "\n".join(lines)


def random_override(rnd, name, fdef):
    """An [event.field.NAME] table over shared definition `fdef` that keeps
    its example valid: narrower bounds, another description, or nothing."""
    lines = [f"[event.field.{name}]", f"description = {toml_str('event ' + name)}"]
    ex, t = fdef["example"], fdef["type"]
    if t == "int":
        lo, hi = rnd.randint(fdef["min"], ex), rnd.randint(ex, fdef["max"])
        lines += [f"min = {lo}", f"max = {hi}"]
    elif t in ("string", "url"):
        lines.append(f"max = {rnd.randint(max(utf8_len(ex), fdef.get('min', 0), 1), fdef['max'])}")
    return "\n".join(lines)


ITEM_COUNTS = (1, 2, 15, 16, 17, 40)


def random_compound(rnd, scalars, shared):
    """Objects and arrays over the scalar fields `scalars`: (field tables,
    object tables, names of the new fields). Nesting: an object may hold the
    objects and arrays made before it; arrays hold an object or a scalar;
    bounds at their extremes (min_items 0, min = max); optional members."""
    fields, objects, made = [], [], []
    for k in range(rnd.randint(0, 4)):
        name = f"Obj{k}"
        pool = scalars + made
        members = rnd.sample(pool, rnd.randint(1, min(4, len(pool))))
        optional = [m for m in members if rnd.random() < 0.3]
        body = [f"[object.{name}]", 'description = "o"',
                "fields = [" + ", ".join(toml_str(m) for m in members) + "]"]
        if optional:
            body.append("optional = [" + ", ".join(toml_str(m) for m in optional) + "]")
        objects.append("\n".join(body))
        kind = rnd.choice(("object", "array", "array"))
        fname = f"nest{k}"
        lines = [f"[field.{fname}]", f'type = "{kind}"', f'object = "{name}"', 'description = "n"']
        if kind == "array" or rnd.random() < 0.5:
            if kind == "object":      # also an array of scalars
                fname2 = f"list{k}"
                hi = rnd.choice(ITEM_COUNTS)
                lo = rnd.choice((0, 1, hi))
                # items: a field that is neither nullable nor a lenient enum (check refuses those)
                itemable = [n for n in scalars if not shared[n].get("nullable") and shared[n].get("unknown") != "lenient"]
                if itemable:
                    fields.append("\n".join([f"[field.{fname2}]", 'type = "array"',
                                             f"items = {toml_str(rnd.choice(itemable))}",
                                             f"max_items = {hi}", f"min_items = {lo}", 'description = "l"']))
                    made.append(fname2)
            else:
                hi = rnd.choice(ITEM_COUNTS[:4])
                lo = rnd.choice((0, 1, hi))
                lines += [f"max_items = {hi}", f"min_items = {lo}"]
        fields.append("\n".join(lines))
        made.append(fname)
    return fields, objects, made


EVENT_KEYS = ("event", "type", "kind", "t_1", "x-event")
PAYLOAD_KEYS = ("payload", "data", "body", "_d", "x-data")


def random_envelope(rnd, names):
    """An [envelope] table: other keys (or the default ones), and up to three
    envelope fields, of its own ([envelope.field.NAME], any type but enum) or
    shared ones of `names`, some optional."""
    ek = rnd.choice(EVENT_KEYS)
    pk = rnd.choice([k for k in PAYLOAD_KEYS if k != ek])
    shared = [n for n in names if n not in (ek, pk)]
    fields, tables = [], []
    for j in range(rnd.randint(0, 3)):
        if shared and rnd.random() < 0.4:
            name = rnd.choice(shared)
            if name in fields:
                continue
        else:
            name = f"env{j}"
            tables.append(random_field(rnd, name, enum=False).replace(f"[field.{name}]", f"[envelope.field.{name}]"))
        fields.append(name)
    optional = [f for f in fields if rnd.random() < 0.3]
    lines = ["[envelope]", f"event_key = {toml_str(ek)}", f"payload_key = {toml_str(pk)}",
             "fields = [" + ", ".join(toml_str(f) for f in fields) + "]"]
    if optional:
        lines.append("optional = [" + ", ".join(toml_str(f) for f in optional) + "]")
    return "\n".join(lines + tables)


def random_schema(rnd):
    pool = list(NAMES) + ([rnd.choice(KEYWORD_NAMES)] if rnd.random() < 0.1 else [])
    names = rnd.sample(pool, rnd.randint(1, min(8, len(pool))))
    parts = [f"version = {rnd.randint(1, 5)}"]
    fields_text = [random_field(rnd, n) for n in names]
    parts += fields_text
    shared = tomllib.loads("\n".join(fields_text))["field"]
    if rnd.random() < 0.5:
        cfields, cobjects, made = random_compound(rnd, names, shared)
        parts += cfields + cobjects
        names = names + made
    if rnd.random() < 0.4:
        parts.append(random_envelope(rnd, names))
    for i in range(rnd.randint(1, 4)):
        fields = rnd.sample(names, rnd.randint(1, len(names)))
        optional = [f for f in fields if rnd.random() < 0.3]
        wire = rnd.choice((f"e{i}", f"ev{i} (x)", f"\u00e9v\u00e9nement {i}", f'q"{i}\\', "e" * 40 + str(i)))
        ev = ["[[event]]", f'id = "ev_{i}"', f"event = {toml_str(wire)}", 'description = "d"',
              "fields = [" + ", ".join(toml_str(f) for f in fields) + "]"]
        if optional:
            ev.append("optional = [" + ", ".join(toml_str(f) for f in optional) + "]")
        if rnd.random() < 0.2:
            ev.append(f"aliases = [{toml_str(wire + ' alias')}]")
        # per-event fields: an override of a shared field, a field of its own
        tables = []
        overridable = [f for f in fields if f in shared]
        if overridable and rnd.random() < 0.3:
            f = rnd.choice(overridable)
            tables.append(random_override(rnd, f, shared[f]))
        if rnd.random() < 0.3:
            own = f"own{i}"
            fields.append(own)
            ev[4] = "fields = [" + ", ".join(toml_str(f) for f in fields) + "]"
            tables.append(random_field(rnd, own, enum=False).replace(f"[field.{own}]", f"[event.field.{own}]"))
        parts.append("\n".join(ev + tables))
    return "\n\n".join(parts) + "\n"


@unittest.skipIf(corpus.MISSING, corpus.MISSING or "")
class RandomSchemas(unittest.TestCase):

    def test_random_schemas_check_generate_compile_round_trip(self):
        seed = int(os.environ.get("UGW_PROPERTY_SEED", str(int(time.time()) % 100000)))
        count = int(os.environ.get("UGW_PROPERTY_SCHEMAS", "30"))
        print(f"\nproperty test: UGW_PROPERTY_SEED={seed} UGW_PROPERTY_SCHEMAS={count}"
              f"{' (sanitized)' if corpus.SANITIZE else ''}", file=sys.stderr)
        rnd = random.Random(seed)
        passed = refused = 0
        for k in range(count):
            text = random_schema(rnd)
            with self.subTest(schema=k, seed=seed), tempfile.TemporaryDirectory(prefix="ugw-prop-") as d:
                try:
                    out = corpus.generate(text, d)
                except corpus.Refused as r:
                    refused += 1
                    # refusals here are keyword names, enum types named as a generated name
                    # (an enum field "event" makes p_event), or nested values beyond a
                    # default decoder's limits: every other choice is valid
                    self.assertTrue(all("keyword" in e or "enum field" in e or "JSON tokens" in e
                                        or "bytes of JSON" in e for e in r.errors), f"{r.errors}\n{text}")
                    continue
                try:
                    corpus.build_and_run(out, d)
                except AssertionError as e:
                    raise AssertionError(f"schema {k} of seed {seed}:\n{text}\n{e}") from None
                passed += 1
        print(f"property test: {passed} schemas round-tripped, {refused} refused by check", file=sys.stderr)
        self.assertGreater(passed, 0)


if __name__ == "__main__":
    unittest.main()
