"""Fixtures of objects and arrays: the valid documents with every array at
its min_items and at its max_items, and the invalid cases of nested values
(too many and too few items, a wrong type inside an array, a missing or
duplicate field in a nested object, depth inside a nested object, a wrong
type for the object or array itself, an unknown key in strict mode).

Places in a document are lists of steps from the payload: a key (str) or
an index (int); the error path of a place is built the way the decoders
build it ("payload.lines[0].sku").
"""

import copy

# Largest max_items for which the corpus writes a too-long array; a bigger
# limit is left out of that case (the file stays small, under max_tokens).
TOO_MANY_MAX = 200
# The default decoder's limits, which a valid fixture must stay within.
TOKENS_MAX = 1024
DOC_MAX = 32768


class Place:
    """A field's value somewhere in an event's example document."""

    def __init__(self, event, steps, path, field):
        self.event, self.steps, self.path, self.field = event, steps, path, field


def places(model):
    """Every field of every event, nested ones too (through the first item of
    each array), in document order: Place list."""
    out = []

    def walk(e, f, steps, path):
        out.append(Place(e, steps, path, f))
        if f.type == "object":
            for g in f.object.fields:
                walk(e, g, steps + [g.name], f"{path}.{g.name}")
        elif f.type == "array" and f.item.type == "object":
            for g in f.item.object.fields:
                walk(e, g, steps + [0, g.name], f"{path}[0].{g.name}")

    for e in model.events:
        for f in e.fields:
            walk(e, f, [f.name], f.path)
    return out


def depth(e):
    """How deep an event's documents nest (the payload: 2)."""
    def one(f):
        if f.type == "object":
            return 1 + max((one(g) for g in f.object.fields), default=0)
        if f.type == "array":
            return 1 + one(f.item)
        return 0
    return 2 + max((one(f) for f in e.fields), default=0)


def sized(f, count):
    """The example value of Field `f` with each array at count(field) items."""
    if f.type == "object":
        return {g.name: sized(g, count) for g in f.object.fields}
    if f.type == "array":
        return [sized(f.item, count) for _ in range(count(f))]
    return copy.deepcopy(f.example)


def has_arrays(e):
    return any(p.field.type == "array" for p in places_of(e))


def places_of(e):
    class _M:
        events = [e]
    return places(_M)


def valid_sized(model, js, mp, tokens):
    """{file name: bytes}: <id>.min and <id>.max documents of the events that
    have arrays, when they stay within a default decoder's limits."""
    out = {}
    for e in model.events:
        if not has_arrays(e):
            continue
        for kind, count in (("min", lambda f: f.min_items), ("max", lambda f: f.max_items)):
            env = e.envelope
            doc = {env.event_key: e.wire, **env.example,
                   env.payload_key: {f.name: sized(f, count) for f in e.fields}}
            j = js(doc)
            if len(j) > DOC_MAX or tokens(doc) > TOKENS_MAX:
                continue
            out[f"{e.id}.{kind}.json"] = j
            out[f"{e.id}.{kind}.msgpack"] = mp(doc)
    return out


def _set(doc, steps, value):
    """A deep copy of `doc` with the value at `steps` (from the payload) replaced."""
    d = copy.deepcopy(doc)
    at = d[_payload_key(d)]
    for s in steps[:-1]:
        at = at[s]
    at[steps[-1]] = value
    return d


def _payload_key(doc):
    """The payload's key in a document: its last key (envelope fields come before it)."""
    return list(doc)[-1]


def _get(doc, steps):
    at = doc[_payload_key(doc)]
    for s in steps:
        at = at[s]
    return at


def _wrong(item):
    """A value of the wrong type for an item Field."""
    return 5 if item.type in ("string", "url", "enum", "timestamp") else "x"


def cases(model, document, both, add, Pairs, js_any, mp, free, tokens):
    """Adds the nested cases with both(name, code, path, doc[, strict]) and
    add(name, code, path, json bytes, msgpack bytes)."""
    ps = places(model)

    def first(pred):
        return next((p for p in ps if pred(p)), None)

    def base(p):
        return document(p.event)

    def small(doc):
        return tokens(doc) <= TOKENS_MAX and len(js_any(doc)) <= DOC_MAX

    arr = first(lambda p: p.field.type == "array" and p.field.max_items < TOO_MANY_MAX
                and small(_set(base(p), p.steps, [sized(p.field.item, lambda g: g.min_items)]
                               * (p.field.max_items + 1))))
    if arr:
        f = arr.field
        both(f"too_long_items_{f.name}", "too_long", arr.path,
             _set(base(arr), arr.steps, [sized(f.item, lambda g: g.min_items)] * (f.max_items + 1)))
    arr = first(lambda p: p.field.type == "array" and p.field.min_items >= 1)
    if arr:
        f = arr.field
        both(f"too_short_items_{f.name}", "too_short", arr.path,
             _set(base(arr), arr.steps, [sized(f.item, lambda g: g.min_items)] * (f.min_items - 1)))
    for want in ("scalar", "object"):
        arr = first(lambda p: p.field.type == "array" and (p.field.item.type == "object") == (want == "object"))
        if arr:
            f = arr.field
            items = copy.deepcopy(_get(base(arr), arr.steps))
            items[-1] = _wrong(f.item)
            both(f"type_in_array_{f.name}", "type", f"{arr.path}[{len(items) - 1}]",
                 _set(base(arr), arr.steps, items))
    for kind in ("object", "array"):
        p = first(lambda p: p.field.type == kind)
        if p:
            both(f"type_{kind}_{p.field.name}", "type", p.path,
                 _set(base(p), p.steps, "x" if kind == "object" else {"a": 1}))
    # a required field of a nested object, absent or twice
    p = first(lambda p: len(p.steps) > 1 and p.field.required)
    if p:
        d = base(p)
        parent = copy.deepcopy(_get(d, p.steps[:-1]))
        value = parent.pop(p.field.name)
        both(f"missing_nested_{p.field.name}", "missing", p.path, _set(d, p.steps[:-1], parent))
        dup = Pairs(list(_get(d, p.steps[:-1]).items()) + [(p.field.name, value)])
        doc = _set(d, p.steps[:-1], dup)
        add(f"duplicate_nested_{p.field.name}", "duplicate_key", p.path, js_any(doc), mp(doc))
    # inside a nested object: a value too deep, an unknown key in strict mode
    p = first(lambda p: p.field.type == "object")
    if p:
        used = {g.name for g in p.field.object.fields}
        extra = free("extra", used)
        deep = []
        for _ in range(40):
            deep = [deep]
        obj = copy.deepcopy(_get(base(p), p.steps))
        # a document the decoder tokenizes whole before it walks: one past
        # max_tokens is refused as limit before its depth is seen
        doc = _set(base(p), p.steps, dict(obj, **{extra: deep}))
        if small(doc):
            both(f"depth_nested_{p.field.name}", "depth", f"{p.path}.{extra}", doc)
        doc = _set(base(p), p.steps, dict(obj, **{extra: 1}))
        if small(doc):
            both(f"unknown_key_nested_{p.field.name}", "unknown_key", f"{p.path}.{extra}", doc, strict=True)
