"""Export, JSON Schema (draft 2020-12): the schema's events for receivers that
are not written in C.

One document per mode: a definition per event (`$defs/<event id>`, the whole
envelope) and per event payload (`$defs/<event id>.payload`), and a top level
that accepts exactly the envelope of any event, discriminated on the event
key (aliases included). Lenient (the default) ignores unknown keys, as the C
decoder does; strict (`additionalProperties: false` in every object) refuses
them, as `ugw_decode_opts.strict` does.

Everything the C validator checks that JSON Schema can say is said; what it
cannot say is listed in docs/SCHEMA_COMPAT.md ("What JSON Schema cannot say"),
each exception shown by a case of tests/jsonschema/test_jsonschema_exceptions.py
or tests/codegen/test_jsonschema_scalars.py, and the differential tests of
tests/jsonschema/ hold the rest to the C validator. Each field type is
one function of TYPES, so a new type of the schema language is one entry.

Regular expressions use only what ECMA-262 and Python's `re` read the same
way: no `$` (Python's `$` also matches before a final newline), so "only
these characters" is said as `not: {pattern: <any other character>}`.
"""

import hashlib
import json

from .check import ID_MAX
from .scalars import DBL_MAX, TS_MAX, TS_MIN, timestamp_text

DRAFT = "https://json-schema.org/draft/2020-12/schema"
ENVELOPE_EVENT, ENVELOPE_PAYLOAD = "event", "payload"

# Characters no string field may hold: NUL (code nul), and UTF-16 surrogates,
# which a JSON parser yields only for a lone surrogate escape such as
# "\ud800" (code utf8).
BAD_STRING_CHARS = "[\\u0000\\ud800-\\udfff]"
# A url may in addition hold no space, control character or DEL (code url).
BAD_URL_CHARS = "[\\u0000-\\u0020\\u007f\\ud800-\\udfff]"
URL_HEAD = "^[Hh][Tt][Tt][Pp][Ss]?://[^/?#]"
SURROGATE = "[\\ud800-\\udfff]"
# The value of an unknown key, which a lenient decoder skips but still
# checks: any JSON value without a lone surrogate in a string or key.
UNKNOWN_DEF = "unknown.value"
NO_SURROGATE_KEYS = {"not": {"pattern": SURROGATE}}


def unknown_schema(ref_prefix):
    return {"description": "The value of a key the schema does not know, ignored in lenient mode: any JSON "
                           "value without a lone UTF-16 surrogate (\\ud800 alone) in a string or key.",
            "not": {"type": "string", "pattern": SURROGATE},
            "items": {"$ref": ref_prefix + UNKNOWN_DEF},
            "propertyNames": NO_SURROGATE_KEYS,
            "additionalProperties": {"$ref": ref_prefix + UNKNOWN_DEF}}


def _extra_keys(s, strict, ref_prefix):
    """What `s`, an object, says of keys it does not name: refused when
    strict, else checked as unknown values."""
    if strict:
        s["additionalProperties"] = False
    else:
        s["propertyNames"] = NO_SURROGATE_KEYS
        s["additionalProperties"] = {"$ref": ref_prefix + UNKNOWN_DEF}


def digits_at_most(limit):
    """A regular expression (anchored at the start, no end anchor) for the
    strings of exactly len(str(limit)) decimal digits whose value is at most
    `limit`: one alternative per digit that can be lower than limit's own."""
    s = str(limit)
    alts = []
    for i, ch in enumerate(s):
        d = int(ch)
        rest = len(s) - i - 1
        if d > 0:
            lo = "0" if d == 1 else f"[0-{d - 1}]"
            alts.append(s[:i] + lo + (f"[0-9]{{{rest}}}" if rest else ""))
    alts.append(s)
    return "^(?:" + "|".join(alts) + ")"


def id_schema(f):
    """id: an integer 0..2^53-1, or a string of 1 to 16 digits of such a value."""
    width = len(str(ID_MAX))
    return {"anyOf": [
        {"type": "integer", "minimum": 0, "maximum": ID_MAX},
        {"type": "string", "minLength": 1, "maxLength": width, "not": {"pattern": "[^0-9]"},
         "anyOf": [{"maxLength": width - 1}, {"pattern": digits_at_most(ID_MAX)}]},
    ]}


def int_schema(f):
    return {"type": "integer", "minimum": f.min, "maximum": f.max}


def _string_bounds(f):
    """minLength/maxLength for byte bounds: a character is 1 to 4 bytes of
    UTF-8, so n bytes hold at least ceil(n/4) and at most n characters; the
    schema never refuses a string the C validator accepts (the byte limits
    themselves are beyond JSON Schema, which counts characters)."""
    out = {}
    if f.min > 0:
        out["minLength"] = (f.min + 3) // 4
    out["maxLength"] = f.max
    return out


def string_schema(f):
    return {"type": "string", **_string_bounds(f), "not": {"type": "string", "pattern": BAD_STRING_CHARS}}


def url_schema(f):
    return {"type": "string", **_string_bounds(f), "pattern": URL_HEAD,
            "not": {"type": "string", "pattern": BAD_URL_CHARS}}


def bool_schema(f):
    return {"type": "boolean"}


def number_schema(f):
    """A finite double: the bounds are always there (at most DBL_MAX in size
    when the schema gives none), so an overflowing number that a parser
    reads as infinity is refused as ugw refuses it."""
    return {"type": "number", "minimum": f.min, "maximum": f.max}


def enum_schema(f):
    """Strict: one of the values. Lenient: any non-empty string without NUL
    or lone surrogate (an unknown value is kept), the values named."""
    if f.lenient:
        return {"type": "string", "minLength": 1, "not": {"type": "string", "pattern": BAD_STRING_CHARS},
                "examples": list(f.values)}
    return {"type": "string", "enum": list(f.values)}


# RFC 3339 date-time as ugw reads it: years 0001..9999, month lengths and
# leap years (2000 yes, 1900 no), hours 00..23, no second 60, 1 to 9 digits
# of fraction, Z or an offset of at most 23:59. Only what ECMA-262 and
# Python's re read alike: a lookahead, no `$`.
_DAY = ("(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
        "|02-(?:0[1-9]|1[0-9]|2[0-8]))")
_LEAP = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)"
DATE_TIME_PATTERN = ("^(?!0000)(?:[0-9]{4}-" + _DAY + "|" + _LEAP + "-02-29)"
                     "[Tt](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:[.][0-9]{1,9})?"
                     "(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])(?![\\s\\S])")


def timestamp_schema(f):
    """The form and the calendar; a timestamp's min and max, and an offset
    that moves it past year 1 or 9999, are beyond JSON Schema."""
    return {"type": "string", "format": "date-time", "pattern": DATE_TIME_PATTERN}


TYPES = {"id": id_schema, "int": int_schema, "string": string_schema, "url": url_schema,
         "bool": bool_schema, "number": number_schema, "enum": enum_schema, "timestamp": timestamp_schema}

def _timestamp_note(f):
    lo = timestamp_text(f.min) if f.min > TS_MIN else "0001-01-01T00:00:00.000Z"
    hi = timestamp_text(f.max) if f.max < TS_MAX else "9999-12-31T23:59:59.999Z"
    return (f"An RFC 3339 date-time from {lo} to {hi} (after its offset is applied); "
            "encoders write YYYY-MM-DDTHH:MM:SS.sssZ.")


LIMIT_NOTES = {
    "number": lambda f: ("A finite number" + (f" from {f.min!r}" if f.min > -DBL_MAX else "")
                         + (f" up to {f.max!r}" if f.max < DBL_MAX else "") + "."),
    "enum": lambda f: (f"One of {', '.join(json.dumps(v, ensure_ascii=False) for v in f.values)}"
                       + ("; any other non-empty string is accepted and kept (lenient)." if f.lenient else ".")),
    "timestamp": _timestamp_note,
    "id": lambda f: "An integer from 0 to 2^53-1, or a string of 1 to 16 decimal digits of one.",
    "int": lambda f: f"An integer from {f.min} to {f.max}.",
    "string": lambda f: f"A string of {f.min} to {f.max} bytes of UTF-8, without NUL.",
    "url": lambda f: (f"An absolute http(s) URL of {f.min} to {f.max} bytes, without space, "
                      "control character or DEL."),
}


def jsonable(value):
    """`value` as JSON can hold it: TOML dates and times (a timestamp's
    example) as RFC 3339 text, containers element by element."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat().replace("+00:00", "Z")
    return str(value)


def envelope_keys(ev_or_model):
    """(event key, payload key, envelope fields) of an event's (or a model's) documents."""
    env = getattr(ev_or_model, "envelope", None)
    if env is None:
        return ENVELOPE_EVENT, ENVELOPE_PAYLOAD, []
    return env.event_key, env.payload_key, list(env.fields)


def envelope_def_name(f):
    return f"envelope.{f.name}"


def example_document(ev):
    """The event's example as a JSON document."""
    ek, pk, env = envelope_keys(ev)
    return {ek: ev.wire, **{f.name: jsonable(f.example) for f in env}, pk: jsonable(dict(ev.example))}


def object_def_name(o):
    return f"object.{o.name}"


def compound_schema(f, ref_prefix):
    """An object field: a reference to its object type's definition; an
    array: its item count bounds and the schema of an item."""
    if f.type == "object":
        return {"$ref": ref_prefix + object_def_name(f.object)}
    out = {"type": "array", "maxItems": f.max_items, "items": field_schema(f.item, ref_prefix)}
    if f.min_items:
        out["minItems"] = f.min_items
    return out


def object_schema(o, strict, ref_prefix):
    """The definition of an object type: its fields, which are required, and
    what it says of other keys (as the payload does)."""
    s = {"type": "object", "title": o.name, "description": o.description,
         "required": [g.name for g in o.fields if g.required],
         "properties": {g.name: field_schema(g, ref_prefix) for g in o.fields}}
    _extra_keys(s, strict, ref_prefix)
    return s


def field_schema(f, ref_prefix="#/$defs/"):
    """The schema of one field of the model (model.Field). A type this
    exporter does not know yet is exported as any value (and says so),
    never a failed generation."""
    s = {"description": _description(f)}
    make = TYPES.get(f.type)
    if f.type in ("object", "array"):
        make = True
        s.update(compound_schema(f, ref_prefix))
    elif make is None:
        s["description"] += f" (type {f.type}: not checked by this schema yet)"
    else:
        s.update(make(f))
    if getattr(f, "nullable", False) and make is not None:
        s["description"] += " May be null."
        if isinstance(s.get("type"), str):
            s["type"] = [s["type"], "null"]
            if "enum" in s:
                s["enum"] = s["enum"] + [None]
        else:
            inner = {k: v for k, v in s.items() if k != "description"}
            s = {"description": s["description"], "anyOf": [inner, {"type": "null"}]}
    if getattr(f, "example", None) is not None and getattr(f, "path", "") != "[]":
        s["examples"] = [jsonable(f.example)]
    return s


def _description(f):
    text = f.description
    note = LIMIT_NOTES.get(f.type)
    return f"{text} {note(f)}" if note else text


def payload_name(ev):
    return f"{ev.id}.payload"


def field_def_name(f):
    return f"field.{f.name}"


def payload_schema(ev, strict, shared, ref_prefix):
    """The payload object of `ev`; a field whose schema is the shared one of
    its name (`shared`, {definition name: schema}) refers to it."""
    props = {}
    for f in ev.fields:
        fs = field_schema(f, ref_prefix)
        props[f.name] = {"$ref": ref_prefix + field_def_name(f)} if shared.get(field_def_name(f)) == fs else fs
    s = {"type": "object", "description": f"The payload of '{ev.wire}'.",
         "required": [f.name for f in ev.fields if f.required],
         "properties": props}
    _extra_keys(s, strict, ref_prefix)
    return s


def event_names(ev):
    """The event strings a decoder accepts for `ev`: its wire string, then its aliases."""
    return [ev.wire, *ev.aliases]


def event_schema(ev, ref_prefix, strict):
    ek, pk, env = envelope_keys(ev)
    props = {ek: {"description": "The event string; encoders write the first, decoders "
                                 "also accept the others (aliases).",
                  "enum": event_names(ev)}}
    props.update({f.name: {"$ref": ref_prefix + envelope_def_name(f)} for f in env})
    props[pk] = {"$ref": f"{ref_prefix}{payload_name(ev)}"}
    s = {"type": "object", "title": ev.id, "description": ev.description,
         "required": [ek] + [f.name for f in env if f.required] + [pk],
         "properties": props}
    _extra_keys(s, strict, ref_prefix)
    s["examples"] = [example_document(ev)]
    return s


def definitions(model, strict, ref_prefix="#/$defs/"):
    """{name: schema}: every event envelope and payload, then each field as
    the first event that has it defines it (`field.<name>`, the shared
    definition before an event's own; an event whose field differs, with
    other limits, has its own inline)."""
    shared = {}
    # the shared definition of a field first; one an event defines or
    # overrides ([event.field.NAME]) names `field.<name>` only when no event
    # uses the shared one
    for own in (False, True):
        for ev in model.events:
            for f in ev.fields:
                if getattr(f, "own", False) == own:
                    shared.setdefault(field_def_name(f), field_schema(f, ref_prefix))
    defs = {}
    for ev in model.events:
        defs[ev.id] = event_schema(ev, ref_prefix, strict)
        defs[payload_name(ev)] = payload_schema(ev, strict, shared, ref_prefix)
    defs.update(shared)
    for f in envelope_keys(model)[2]:
        defs[envelope_def_name(f)] = field_schema(f, ref_prefix)
    for o in getattr(model, "objects", []):
        if o.used:
            defs[object_def_name(o)] = object_schema(o, strict, ref_prefix)
    if not strict:
        defs[UNKNOWN_DEF] = unknown_schema(ref_prefix)
    return defs


def schema_id(model, strict):
    """A URN naming this schema: its version and 64 bits of SHA-256 over the
    wire fingerprints of its events, so that two schemas differ."""
    h = hashlib.sha256("\n".join(f"{ev.wire}:{ev.fingerprint}" for ev in model.events).encode()).hexdigest()
    return f"urn:ugw:events:v{model.schema_version}:{h[:16]}{':strict' if strict else ''}"


def document(model, strict=False):
    """The JSON Schema document (a dict) of `model` in one mode."""
    names = [n for ev in model.events for n in event_names(ev)]
    mode = ("strict: unknown keys are refused" if strict
            else "lenient: unknown keys are ignored")
    ek, pk, env = envelope_keys(model)
    env_text = "".join(f", \"{f.name}\": ..." for f in env)
    props = {ek: {"type": "string", "enum": names}}
    props.update({f.name: {"$ref": "#/$defs/" + envelope_def_name(f)} for f in env})
    props[pk] = {"type": "object"}
    doc = {
        "$schema": DRAFT,
        "$id": schema_id(model, strict),
        "title": f"Webhook events, schema version {model.schema_version}",
        "description": (f"Generated from {model.schema_file_line} by ugw codegen {model.codegen_version}. "
                        f"DO NOT EDIT. Mode {mode}. A document is one event: "
                        f"{{\"{ek}\": <event string>{env_text}, \"{pk}\": {{...}}}}. "
                        "String limits of the schema count bytes of UTF-8; minLength and maxLength "
                        "here count characters and are the nearest bounds that never refuse a valid "
                        "string."),
        "type": "object",
        "required": [ek] + [f.name for f in env if f.required] + [pk],
        "properties": props,
    }
    _extra_keys(doc, strict, "#/$defs/")
    doc["allOf"] = [
        {"if": {"properties": {ek: {"enum": event_names(ev)}}, "required": [ek]},
         "then": {"$ref": f"#/$defs/{ev.id}"}}
        for ev in model.events]
    doc["$defs"] = definitions(model, strict)
    return doc


def dumps(doc):
    """The bytes written for a document: sorted nowhere (the order is the
    schema's), two-space indent, UTF-8, final newline."""
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
