"""Random variants of valid events, for the JSON Schema differential tests.

Each variant is a valid fixture with one to three random mutations, written
as JSON by Python: a field at any depth (in the payload, in an object, an
item of an array, an envelope field) set to a value at or around a limit of its definition or of
another type, an array grown or shrunk past its item bounds, a key dropped or
added (required, optional or unknown, in the payload or a nested object), the
event string, the envelope. The values come from the TOML schema (the
event's own [event.field.NAME] definitions over the shared ones), not from
the exported JSON Schema.

Variants stay inside what both sides can judge alike: no duplicate keys (a
Python dict has none), no integer-valued floats, strings within their byte
limits when they are multi-byte, timestamps within a field's min and max
when well formed, nesting and sizes below the decoder's limits. Those are
the documented exceptions, shown by test cases of their own.
"""

import json
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                                "codegen"))
from ugwgen import event_fields, scalars  # noqa: E402

ID_MAX = 2**53 - 1
INT64 = 2**63
# Strings longer than this are not written at their limits (a value near
# the decoder's input or arena limits is a documented exception); multi-byte
# strings (escaped as \uXXXX half the time) stay below a tenth of it.
LONG_STRING = 70000
MULTIBYTE_MAX = 4096
# Unknown values nest at most this deep in a document (the decoder's default
# depth is 16, the document being 1).
UNKNOWN_DEPTH = 12

ODD_VALUES = [None, True, False, 0.5, -1.5, [], [1], {}, {"a": 1}, "", "x", 0, -1]


def _ascii(rng, n):
    return "".join(rng.choice("abcxyz019-_ ") for _ in range(n))


def _multibyte(rng, lo, hi):
    """A string of lo..hi bytes of UTF-8 with 2-, 3- and 4-byte characters,
    padded with ASCII up to `hi` bytes (never under `lo`: a multi-byte string
    under a byte minimum that JSON Schema counts in characters is a
    documented exception)."""
    out, used = [], 0
    while True:
        ch = rng.choice(["é", "€", "😀", "a"])
        n = len(ch.encode())
        if used + n > hi:
            return "".join(out) + "a" * (hi - used)
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
    vals = [_ascii(rng, min(lo + rng.randint(0, 3), hi)), "a\u0000b", "\u0000", "\ud800", "a\udfffb",
            "\ud83d\ude00", "\n\t\"\\/", 5, None, ["x"], {"x": "y"}, True]
    if hi <= LONG_STRING:
        vals += [_ascii(rng, lo), _ascii(rng, hi), _ascii(rng, hi + 1), _ascii(rng, rng.randint(lo, hi))]
    if hi <= MULTIBYTE_MAX:
        vals.append(_multibyte(rng, lo, hi))
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


TS_OK = ["2024-05-01T12:00:00Z", "2024-02-29T23:59:59.999999999+14:00", "2000-02-29t00:00:00z",
         "2023-12-31T23:59:59.5-08:00", "2030-01-01T00:00:00.123Z"]
TS_BAD = ["2023-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2024-04-31T00:00:00Z", "2024-01-01T24:00:00Z",
          "2024-13-01T00:00:00Z", "2024-01-01T00:00:00+24:00", "2024-01-01T00:00:60Z", "2024-01-01T00:00:00",
          "2024-01-01 00:00:00Z", "2024-01-01T00:00:00.Z", "2024-01-01T00:00:00.1234567890Z", "2024-1-01T00:00:00Z",
          "2024-01-01T00:00:00+0100", "2024-01-01T00:00Z", "0000-01-01T00:00:00Z", "", 1714564800000, None, True]


def timestamp_values(rng, fdef):
    """Date-times within the field's min and max, valid or broken in form or
    calendar (a well-formed date-time outside min and max, or moved past
    year 1 or 9999 by its offset, is a documented exception)."""
    lo = scalars.timestamp_ms(fdef["min"]) if "min" in fdef else scalars.TS_MIN
    hi = scalars.timestamp_ms(fdef["max"]) if "max" in fdef else scalars.TS_MAX
    ok = [t for t in TS_OK if lo <= scalars.timestamp_ms(t) <= hi]
    ok += [scalars.timestamp_text(lo), scalars.timestamp_text(hi), scalars.timestamp_text(rng.randint(lo, hi))]
    return ok * 2 + TS_BAD


def scalar_values(rng, fdef):
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


class Schema:
    """The TOML schema (tomllib's dict) as the mutations need it."""

    def __init__(self, data):
        self.data = data
        self.shared = data.get("field", {})
        self.objects = data.get("object", {})
        self.events = data["event"]
        self.names = [n for ev in self.events for n in [ev["event"], *ev.get("aliases", [])]]
        # the envelope: its two keys and its own fields (a field of its own,
        # or changes to a shared [field.NAME])
        env = data.get("envelope", {})
        self.event_key = env.get("event_key", "event")
        self.payload_key = env.get("payload_key", "payload")
        self.envelope_defs = {n: {**self.shared.get(n, {}), **env.get("field", {}).get(n, {})}
                              for n in env.get("fields", [])}
        # samples[id(definition)]: values of that field seen in the valid documents
        self.samples = {}

    def payload_defs(self, doc):
        """{name: definition} of the payload fields of `doc`'s event (the
        first event when it names none)."""
        name = doc.get(self.event_key) if isinstance(doc, dict) else None
        ev = next((e for e in self.events if name in [e["event"], *e.get("aliases", [])]), self.events[0])
        return event_fields.view(self.shared, ev)

    def object_defs(self, fdef):
        return {n: self.shared[n] for n in self.objects[fdef["object"]]["fields"]}

    def item_def(self, fdef):
        if "object" in fdef:
            return {"type": "object", "object": fdef["object"]}
        return self.shared[fdef["items"]]

    def slots(self, doc):
        """(container, key, definition) of every field and array item of
        `doc`, at any depth, with the nesting depth of its value (the
        document is 1), and (object, definitions, depth) of every object
        whose keys the schema names (the payload, nested objects)."""
        fields, objects = [], []
        if self.envelope_defs and isinstance(doc, dict):
            self._walk_object(doc, self.envelope_defs, 1, fields, objects)
        payload = doc.get(self.payload_key) if isinstance(doc, dict) else None
        if isinstance(payload, dict):
            self._walk_object(payload, self.payload_defs(doc), 2, fields, objects)
        return fields, objects

    def _walk_object(self, obj, defs, depth, fields, objects):
        objects.append((obj, defs, depth))
        for name, value in obj.items():
            if name in defs:
                fields.append((obj, name, defs[name], depth + 1))
                self._walk_value(value, defs[name], depth + 1, fields, objects)

    def _walk_value(self, value, fdef, depth, fields, objects):
        if fdef["type"] == "object" and isinstance(value, dict):
            self._walk_object(value, self.object_defs(fdef), depth, fields, objects)
        elif fdef["type"] == "array" and isinstance(value, list):
            item = self.item_def(fdef)
            for i, v in enumerate(value):
                fields.append((value, i, item, depth + 1))
                self._walk_value(v, item, depth + 1, fields, objects)

    @staticmethod
    def _kind(fdef):
        return fdef["type"], fdef.get("object", fdef.get("items"))

    def learn(self, docs):
        """Remembers the values of objects and arrays in the valid documents,
        by field name, as material for the mutations."""
        for doc in docs:
            for container, key, fdef, _ in self.slots(doc)[0]:
                if fdef["type"] in ("object", "array"):
                    self.samples.setdefault(self._kind(fdef), []).append(container[key])

    def values(self, rng, fdef):
        """Candidate values for a field or item of definition `fdef`."""
        t = fdef["type"]
        if t not in ("object", "array"):
            return scalar_values(rng, fdef)
        seen = [json.loads(json.dumps(v)) for v in self.samples.get(self._kind(fdef), [])]
        return (seen * 3 or [{}, []]) + list(ODD_VALUES)


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


def _unknown_at(rng, depth):
    """An unknown value for a key at nesting `depth`, nested no deeper than UNKNOWN_DEPTH."""
    return unknown_value(rng, max(0, 3 - (UNKNOWN_DEPTH - depth)))


def _resize(rng, schema, arr, fdef):
    """Grows or shrinks array `arr` (of field `fdef`) to or past one of its
    item bounds, or puts a wrong item in it."""
    lo, hi = fdef.get("min_items", 0), fdef["max_items"]
    want = rng.choice([lo, hi, lo - 1, hi + 1, rng.randint(lo, hi), 0])
    if want < 0 or (want > len(arr) and not arr):
        return
    while len(arr) > want:
        del arr[rng.randrange(len(arr))]
    while len(arr) < want:
        arr.insert(rng.randint(0, len(arr)), json.loads(json.dumps(rng.choice(arr))))
    if arr and rng.random() < 0.3:
        arr[rng.randrange(len(arr))] = rng.choice(schema.values(rng, schema.item_def(fdef)))


def mutate(rng, doc, schema):
    """One random mutation of `doc` (a dict, changed in place or replaced);
    returns the new document. `schema` is a Schema."""
    if not isinstance(doc, dict):
        return doc                   # no longer an object: nothing to mutate
    ek, pk = schema.event_key, schema.payload_key
    payload = doc.get(pk)
    fields, objects = schema.slots(doc)
    op = rng.choice(["field", "field", "field", "field", "array", "drop", "add", "unknown", "unknown_top",
                     "event", "envelope", "shuffle"])
    if op == "field" and fields:
        container, key, fdef, _ = rng.choice(fields)
        container[key] = rng.choice(schema.values(rng, fdef))
    elif op == "array" and any(f[2]["type"] == "array" and isinstance(f[0][f[1]], list) for f in fields):
        container, key, fdef, _ = rng.choice([f for f in fields if f[2]["type"] == "array"
                                              and isinstance(f[0][f[1]], list)])
        _resize(rng, schema, container[key], fdef)
    elif op in ("field", "add") and objects:
        obj, defs, _ = rng.choice(objects)
        name = rng.choice(list(defs))
        obj[name] = rng.choice(schema.values(rng, defs[name]))
    elif op == "drop":
        if objects and rng.random() < 0.8:
            obj = rng.choice(objects)[0]
            if obj:
                del obj[rng.choice(list(obj))]
        else:
            doc.pop(rng.choice([ek, pk]), None)
    elif op == "unknown" and objects:
        obj, defs, depth = rng.choice(objects)
        # a new name, or one the schema knows elsewhere (another object's
        # field, another event's): unknown here all the same
        elsewhere = [n for n in schema.shared if n not in obj and n not in defs]
        name = rng.choice(["extra", "userID", "_x", "guideId2", "é", "", "\udc00k"] + elsewhere[:8])
        obj[name] = _unknown_at(rng, depth + 1)
    elif op == "unknown_top":
        doc[rng.choice(["extra", "Event", "data", "type", "event", "payload", ek.upper()])] = unknown_value(rng)
    elif op == "event":
        names = schema.names
        doc[ek] = rng.choice(names + [names[0].upper(), names[0] + " ", "", "unknown", 5, None])
    elif op == "envelope":
        choice = rng.random()
        if choice < 0.3:
            doc[pk] = rng.choice([[], "x", None, 1, [payload]])
        elif choice < 0.5:
            return rng.choice([[], "x", None, 1, [doc]])
        else:
            doc[ek] = rng.choice(schema.events)["event"]     # another event's string, this payload
    elif op == "shuffle" and objects:
        obj = rng.choice(objects)[0]
        items = list(obj.items())
        rng.shuffle(items)
        obj.clear()
        obj.update(items)
    return doc


def variants(valid_docs, schema, count, seed):
    """`count` (name, bytes) variants of the valid documents, reproducible by
    `seed`; `schema` is the TOML schema as tomllib reads it."""
    rng = random.Random(seed)
    sch = Schema(schema)
    sch.learn(valid_docs)
    out = []
    for i in range(count):
        doc = json.loads(json.dumps(rng.choice(valid_docs)))
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            doc = mutate(rng, doc, sch)
        text = json.dumps(doc, ensure_ascii=rng.random() < 0.5,
                          separators=rng.choice([(",", ":"), (", ", ": ")]))
        out.append((f"m{i:05d}.json", text.encode("utf-8", "surrogatepass")))
    return out
