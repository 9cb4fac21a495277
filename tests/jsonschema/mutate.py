"""Random variants of valid events, for the JSON Schema differential test.

Each variant is a valid fixture with one to three random mutations of its
fields, event string, envelope or unknown keys, written as JSON by Python.
The values are chosen at and around every limit of the schema (read from the
TOML schema, not from the exported JSON Schema), and of every wrong type.

Variants stay inside what both sides can judge alike: no duplicate keys (a
Python dict has none), no integer-valued floats, multi-byte strings only
within their byte limits, nesting and sizes far below the decoder's limits.
Those are the documented exceptions, shown by test cases of their own.
"""

import json
import random

ID_MAX = 2**53 - 1
INT64 = 2**63

ODD_VALUES = [None, True, False, 0.5, -1.5, [], [1], {}, {"a": 1}, "", "x", 0, -1]


def _ascii(rng, n):
    return "".join(rng.choice("abcxyz019-_ ") for _ in range(n))


def _multibyte(rng, nbytes):
    """A string of at most `nbytes` bytes of UTF-8, with 2-, 3- and 4-byte characters."""
    out, used = [], 0
    while True:
        ch = rng.choice(["é", "€", "😀", "a"])
        n = len(ch.encode())
        if used + n > nbytes:
            return "".join(out)
        out.append(ch)
        used += n


def int_values(rng, lo, hi):
    return [lo, hi, lo - 1, hi + 1, rng.randint(lo, hi), INT64, -INT64 - 1, INT64 - 1, -INT64,
            str(lo), 0.5, *ODD_VALUES]


def id_values(rng):
    return [0, 1, ID_MAX, ID_MAX + 1, -1, "0", "12", "0000000000000012", str(ID_MAX), str(ID_MAX + 1),
            "9" * 16, "1" * 17, "0" * 16, "", "12a", " 12", "12 ", "12\n", "-1", "+1", "1.0", "٣",
            1.5, *ODD_VALUES]


def string_values(rng, lo, hi):
    vals = [_ascii(rng, lo), _ascii(rng, hi), _ascii(rng, hi + 1), _ascii(rng, rng.randint(lo, hi)),
            "a\u0000b", "\u0000", "\ud800", "a\udfffb", "\ud83d\ude00", "\n\t\"\\/",
            _multibyte(rng, hi), 5, None, ["x"], {"x": "y"}, True]
    if lo > 0:
        vals.append(_ascii(rng, lo - 1))
    return vals


def url_values(rng, lo, hi):
    fill = max(0, hi - len("http://a"))
    return ["http://a", "HTTPS://x.y/z?q#f", "HtTp://host", "https:///x", "http://", "https://", "ftp://x",
            "http://a b", "http://a\tb", "http://a\u007f", "http://\u00e9.com/\u20ac", "http://a" + "b" * fill,
            "http://a" + "b" * (fill + 1), "http://?q", "http://#f", "http://a\n", "http:/a", "http//a",
            " http://a", "http://a\u0000", "http://a\ud800", "", 5, None, ["http://a"]]


def enum_values(rng, fdef):
    vals = list(fdef["values"])
    return vals * 3 + [vals[0].upper(), vals[0] + " ", "", "zz", "\u00e9", "a\u0000", "\ud800", 1, None, [vals[0]]]


def number_values(rng, fdef):
    """Numbers at and beyond the bounds (none that only a double's rounding
    decides, nor integers a double cannot hold: documented exceptions)."""
    lo, hi = float(fdef.get("min", -1.7976931348623157e308)), float(fdef.get("max", 1.7976931348623157e308))
    vals = [lo, hi, rng.uniform(max(lo, -1e9), min(hi, 1e9)), 0.0, -0.0, 1.5, -2.25, 7, -3, 1e300, -1e300,
            5e-324, 10 ** 400, -(10 ** 400), "1", "1.5", True, None, [], {}]
    for v in (lo, hi):
        if abs(v) < 1e300:
            vals += [v - 1, v + 1, v - 0.5, v + 0.5]
    return vals


def timestamp_values(rng, fdef):
    """Date-times inside the bounds, valid or broken in form or calendar
    (bounds and offsets past year 1 or 9999 are documented exceptions)."""
    ok = ["2024-05-01T12:00:00Z", "2024-02-29T23:59:59.999999999+14:00", "2000-02-29t00:00:00z",
          "2023-12-31T23:59:59.5-08:00", "2030-01-01T00:00:00.123Z"]
    bad = ["2023-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2024-04-31T00:00:00Z", "2024-01-01T24:00:00Z",
           "2024-13-01T00:00:00Z", "2024-01-01T00:00:00+24:00", "2024-01-01T00:00:60Z", "2024-01-01T00:00:00",
           "2024-01-01 00:00:00Z", "2024-01-01T00:00:00.Z", "2024-01-01T00:00:00.1234567890Z", "2024-1-01T00:00:00Z",
           "2024-01-01T00:00:00+0100", "2024-01-01T00:00Z", "", 1714564800000, None, True]
    return ok * 2 + bad


def field_values(rng, fdef):
    t = fdef["type"]
    if t == "id":
        return id_values(rng)
    if t == "int":
        return int_values(rng, fdef["min"], fdef["max"])
    if t == "string":
        return string_values(rng, fdef.get("min", 0), fdef["max"])
    if t == "url":
        return url_values(rng, fdef.get("min", 0), fdef["max"])
    if t == "bool":
        return [True, False, 0, 1, "true", "false", None, [], {}]
    if t == "enum":
        return enum_values(rng, fdef)
    if t == "number":
        return number_values(rng, fdef)
    if t == "timestamp":
        return timestamp_values(rng, fdef)
    return list(ODD_VALUES)          # a type this test does not know yet: wrong types only


def unknown_value(rng, depth=0):
    kinds = ["int", "str", "null", "bool", "float"] + (["list", "obj"] if depth < 3 else [])
    k = rng.choice(kinds)
    if k == "int":
        return rng.choice([0, -5, 2**70, 7])
    if k == "str":
        return rng.choice(["", "x", "é", "a\u0000", "\ud800"])
    if k == "null":
        return None
    if k == "bool":
        return rng.choice([True, False])
    if k == "float":
        return rng.choice([0.25, -1e10, 1.5e300])
    if k == "list":
        return [unknown_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {f"k{i}": unknown_value(rng, depth + 1) for i in range(rng.randint(0, 3))}


def mutate(rng, doc, schema):
    """One random mutation of `doc` (a dict, changed in place or replaced);
    returns the new document."""
    events = schema["event"]
    fields = schema["field"]
    names = [n for ev in events for n in [ev["event"], *ev.get("aliases", [])]]
    if not isinstance(doc, dict):
        return doc                   # no longer an object: nothing to mutate
    payload = doc.get("payload")
    op = rng.choice(["field", "field", "field", "field", "drop", "unknown", "unknown_top", "event", "envelope",
                     "shuffle"])
    known = [n for n in payload if n in fields] if isinstance(payload, dict) else []
    if op == "field" and known:
        name = rng.choice(known)
        payload[name] = rng.choice(field_values(rng, fields[name]))
    elif op == "field" and isinstance(payload, dict):
        name = rng.choice(list(fields))
        payload[name] = rng.choice(field_values(rng, fields[name]))
    elif op == "drop":
        if isinstance(payload, dict) and payload and rng.random() < 0.8:
            del payload[rng.choice(list(payload))]
        else:
            doc.pop(rng.choice(["event", "payload"]), None)
    elif op == "unknown" and isinstance(payload, dict):
        payload[rng.choice(["extra", "userID", "_x", "guideId2", "é"])] = unknown_value(rng)
    elif op == "unknown_top":
        doc[rng.choice(["extra", "Event", "data", "type"])] = unknown_value(rng)
    elif op == "event":
        doc["event"] = rng.choice(names + [names[0].upper(), names[0] + " ", "", "unknown", 5, None])
    elif op == "envelope":
        choice = rng.random()
        if choice < 0.3:
            doc["payload"] = rng.choice([[], "x", None, 1, [payload]])
        elif choice < 0.5:
            return rng.choice([[], "x", None, 1, [doc]])
        else:
            other = rng.choice(events)
            doc["event"] = other["event"]     # another event's string, this payload
    elif op == "shuffle" and isinstance(payload, dict):
        items = list(payload.items())
        rng.shuffle(items)
        doc["payload"] = dict(items)
    return doc


def variants(valid_docs, schema, count, seed):
    """`count` (name, bytes) variants of the valid documents, reproducible by `seed`."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        doc = json.loads(json.dumps(rng.choice(valid_docs)))
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            doc = mutate(rng, doc, schema)
        text = json.dumps(doc, ensure_ascii=rng.random() < 0.5,
                          separators=rng.choice([(",", ":"), (", ", ": ")]))
        out.append((f"m{i:05d}.json", text.encode("utf-8", "surrogatepass")))
    return out
