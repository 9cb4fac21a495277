"""Step 3, model: everything the templates print, computed once.

Names (C identifiers, macros), literals (JSON keys, MessagePack headers as C
string literals), limits and fingerprints are all made here; the templates only
place them.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field as dc_field

from . import VERSION, compound, envelope as envelope_mod, event_fields, scalars
from .check import snake, ID_MAX
from .fixtures import mp
from .names import event_macro, field_macro
from .outputs import C_FILES, Options, expand

C_TYPES = {"id": "uint64_t", "int": "int64_t", "string": "ugw_str", "url": "ugw_str", "bool": "bool",
           "number": "double", "timestamp": "int64_t"}   # enum: the field's own C enum
TYPE_ENUM = {"id": "UGW_TYPE_ID", "int": "UGW_TYPE_INT", "string": "UGW_TYPE_STRING",
             "url": "UGW_TYPE_URL", "bool": "UGW_TYPE_BOOL", "enum": "UGW_TYPE_ENUM",
             "number": "UGW_TYPE_NUMBER", "timestamp": "UGW_TYPE_TIMESTAMP", "object": "UGW_TYPE_OBJECT",
             "array": "UGW_TYPE_ARRAY"}


def c_literal(data):
    """A C string literal for `data` (bytes or str): printable ASCII as is,
    everything else as three-digit octal, so no escape can swallow what follows."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    out = ['"']
    for b in data:
        ch = chr(b)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "?":
            out.append("\\?")          # no trigraphs, ever
        elif 0x20 <= b < 0x7f:
            out.append(ch)
        else:
            out.append(f"\\{b:03o}")
    out.append('"')
    return "".join(out)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text):
    """`text` on one line: control characters and runs of white space as one space."""
    return " ".join(_CONTROL.sub(" ", text).split())


def c_comment(text):
    """Text safe inside a /* */ comment, on one line: no comment delimiter
    (`*/` ends the comment, `/*` inside one is a -Wcomment error), no
    trigraph (`??/` is a backslash in ISO C modes), no control character or
    NUL, no line break. (A backslash at the end of a comment line splices the
    next line into the comment, which changes nothing: the templates never
    start a line after one with `/`.)"""
    text = one_line(text)
    return re.sub(r"\*(?=/)|/(?=\*)|\?(?=\?)", lambda m: m.group(0) + " ", text)


def json_str(s):
    """The exact JSON the encoder writes for a string."""
    return json.dumps(s, ensure_ascii=False)


def mp_str(s):
    """MessagePack str of `s`, smallest form (the fixtures' encoder)."""
    return mp(s)


@dataclass
class Field:
    name: str            # wire name, userId
    name_c: str          # C literal of the name
    name_len: int
    c_name: str          # user_id
    macro: str           # USER_ID
    type: str            # id | string | url | int
    c_type: str
    type_enum: str
    required: bool
    min: int
    max: int
    min_c: str           # C int64_t expressions of min and max
    max_c: str
    description: str
    example: object
    path: str            # payload.userId
    path_c: str          # C literal of the path
    json_key: str        # C literal of "userId":
    json_key_len: int
    mp_key: str          # C literal of the MessagePack key
    mp_key_len: int
    example_c: str       # C initializer of the example value
    nullable: bool = False   # may be null: a `<c_name>_is_null` member
    lenient: bool = False    # enum: an unknown value is kept in `<c_name>_other`
    values: tuple = ()       # enum: the wire strings
    enum_c: str = ""         # enum: C name of the field's enum descriptor
    zero_c: str = "0"        # C initializer of the zero value (INIT macros; objects and arrays nest)
    nmin_c: str = ""         # number: C double literals of the bounds
    nmax_c: str = ""
    own: bool = False    # defined or overridden by its event ([event.field.NAME])
    min_macro: str = ""  # macro bodies of min and max (P_<EVENT>_<FIELD>_MIN when own)
    max_macro: str = ""
    # objects and arrays
    object: object = None     # ObjectType of an object field, or of an array's object items
    item: object = None       # array: the Field of one item (name "", path "[]")
    min_items: int = 0
    max_items: int = 0
    shape: str = ""           # the wire shape, for fingerprints
    object_desc: str = ""     # C name of the object's descriptor (object fields and items)

    @property
    def compound(self):
        return self.type in compound.COMPOUND


@dataclass
class ObjectType:
    name: str            # LineItem
    name_c: str          # C literal of the name
    c_name: str          # line_item: the struct is P_line_item
    description: str     # comment-safe
    fields: list         # Field, paths relative to the object ("sku")
    nrequired: int
    shape: str           # wire shape of its fields, for fingerprints
    used: bool = False   # held by some event (its descriptors are written)


@dataclass
class Event:
    number: int          # 1-based, the enum value
    id: str              # guide_preview_start
    id_c: str            # C literal of the id
    macro: str           # GUIDE_PREVIEW_START
    wire: str
    wire_c: str
    wire_doc: str        # the wire string as comment-safe text
    wire_len: int
    aliases: list
    aliases_c: list
    aliases_doc: list    # the aliases as comment-safe text
    description: str     # comment-safe
    fields: list = dc_field(default_factory=list)
    json_head: str = ""
    json_head_len: int = 0
    mp_head: str = ""
    mp_head_len: int = 0
    fingerprint: str = ""
    nrequired: int = 0
    example: dict = dc_field(default_factory=dict)
    own_fields: list = dc_field(default_factory=list)  # Field: those with own limits, in field order
    envelope: object = None  # the schema's Envelope (the fixtures make documents with it)


@dataclass
class Envelope:
    """The document around the payloads: its two keys and its own fields."""
    event_key: str       # "event", or the schema's [envelope] event_key
    payload_key: str
    event_key_c: str     # C literals of both
    payload_key_c: str
    event_key_len: int
    payload_key_len: int
    json_payload_key: str  # C literal of `"data":{`, what follows the envelope fields
    json_payload_key_len: int
    mp_payload_key: str    # C literal of the MessagePack str of the payload key
    mp_payload_key_len: int
    default: bool        # {"event", "payload"} without fields: no descriptor, no struct
    fields: list = dc_field(default_factory=list)   # Field, paths top level ("timestamp")
    nrequired: int = 0
    example: dict = dc_field(default_factory=dict)  # {name: example} of its fields
    shape: str = ""      # for the fingerprints of a schema with a non-default envelope


@dataclass
class OutFile:
    """One generated C file of this generation."""
    kind: str            # events.h, events.c, events_client.h, fixtures.h, fixtures.c, cli_main.c
    template: str        # events.h.j2, ...
    path: str            # under the output folder: ugw/acme_events.h, acme_events.c
    name: str            # acme_events.h
    purpose: str
    guard: str           # include guard (headers), else None


@dataclass
class Model:
    schema_file: str     # as named in banners, relative: schema/events.toml
    schema_file_doc: str  # the same, comment-safe (C banners)
    schema_file_line: str  # the same on one line (README.md, MANIFEST.tsv)
    schema_version: int
    codegen_version: str
    codegen_version_c: str
    events: list
    fields: list         # shared definitions, schema order
    objects: list = dc_field(default_factory=list)  # ObjectType, each after the objects it holds
    struct_max: int = compound.STRUCT_MAX             # bytes of the largest struct check allows
    prefix: str = "ugw"  # of every generated name: acme -> acme_event, ACME_EVENT_COUNT
    prefix_upper: str = "UGW"
    prefix_c: str = '"ugw"'  # C literal of the prefix (the command's name)
    header_dir: str = ""     # folder of the headers under the output folder ("" or acme)
    fixtures: bool = True    # fixtures written (C values and files)
    cli: bool = False        # the command's main() written
    union_align: bool = False  # no event has an 8-byte member: the union gets one
    envelope: object = None    # Envelope
    enums: list = dc_field(default_factory=list)  # the C enum of each enum field (dicts)
    files: list = dc_field(default_factory=list)  # OutFile, in outputs.C_FILES order
    # How a header includes another generated header (same folder): {kind: "acme_events.h"}
    header: dict = dc_field(default_factory=dict)
    # How a source file includes a generated header: {kind: "acme/acme_events.h"}
    include: dict = dc_field(default_factory=dict)


def c_int64(v):
    """A C expression of type int64_t for `v`: INT64_C(v), except for INT64_MIN,
    whose digits alone do not fit in any signed type (gcc: "integer constant
    is so large that it is unsigned")."""
    if v == -2**63:
        return "(-INT64_C(9223372036854775807) - 1)"
    return f"INT64_C({v})"


def c_macro_int(v):
    """A macro body for the integer `v`: plain when not negative (as always
    written), parenthesised when negative, and INT64_MIN as an expression."""
    if v == -2**63:
        return "(-9223372036854775807 - 1)"
    return f"({v})" if v < 0 else str(v)


def _limits(fdef):
    t = fdef["type"]
    if t == "id":
        return 0, ID_MAX
    if t == "int":
        return fdef["min"], fdef["max"]
    if t == "bool":
        return 0, 1
    if t == "enum":
        return 1, len(fdef["values"])
    if t == "number":
        return (scalars.number_value(fdef.get("min", -scalars.DBL_MAX)),
                scalars.number_value(fdef.get("max", scalars.DBL_MAX)))
    if t == "timestamp":
        return (scalars.timestamp_ms(fdef["min"]) if "min" in fdef else scalars.TS_MIN,
                scalars.timestamp_ms(fdef["max"]) if "max" in fdef else scalars.TS_MAX)
    if t == "object":
        return 0, 0
    if t == "array":
        return fdef.get("min_items", 0), fdef["max_items"]
    return fdef.get("min", 0), fdef["max"]


def _example(fdef):
    """The example as the fixtures write it: a number as a float, a
    timestamp as the text encoders write."""
    t, v = fdef["type"], fdef["example"]
    if t == "number":
        return scalars.number_value(v)
    if t == "timestamp":
        return scalars.timestamp_text(scalars.timestamp_ms(v))
    return v


def _example_c(ftype, value, enum_prefix=""):
    if ftype == "enum":
        return f"{enum_prefix}_{scalars.enum_const(value)}"
    if ftype == "number":
        return scalars.c_double(value)
    if ftype == "timestamp":
        return c_int64(scalars.timestamp_ms(value))
    if ftype in ("string", "url"):
        return "{ " + c_literal(value) + ", " + str(len(value.encode("utf-8"))) + " }"
    if ftype == "id":
        return f"UINT64_C({value})"
    if ftype == "bool":
        return "true" if value else "false"
    return c_int64(value)


def field_shape(f):
    """One field's part of a fingerprint: name, type, presence, limits; for
    objects and arrays also the shape of what they hold (the scalar types'
    parts are as they always were)."""
    head = f"{f.name}:{f.type}:{'req' if f.required else 'opt'}:{f.min}:{f.max}" + _wire_extra(f)
    return head + (f":{{{f.shape}}}" if f.compound else "")


def fingerprint(wire, fields, envelope_shape=""):
    """64 bits of SHA-256 over the wire shape: event string, then for each field
    in order its name, type, presence and limits, then (a schema's own
    envelope only) the envelope's keys and fields. Descriptions, examples and
    aliases do not change it."""
    parts = [wire] + [field_shape(f) for f in fields] + ([envelope_shape] if envelope_shape else [])
    digest = hashlib.sha256("\n".join(parts).encode("utf-8")).digest()
    return "UINT64_C(0x" + digest[:8].hex() + ")"


def _wire_extra(f):
    """What else of a field's wire shape the fingerprint covers (nothing for
    the types that were there first, so their fingerprints stay)."""
    extra = ""
    if f.type == "enum":
        extra += ":" + ("lenient" if f.lenient else "strict") + ":" + json.dumps(list(f.values), ensure_ascii=False)
    if f.nullable:
        extra += ":null"
    return extra


def c_files(opts):
    """The OutFile list of a generation with outputs.Options `opts`."""
    out = []
    for cf in C_FILES:
        if opts.wanted(cf):
            out.append(OutFile(kind=cf.kind, template=cf.template, path=opts.path(cf),
                             name=expand(cf.name, opts.prefix), purpose=cf.purpose,
                             guard=expand(cf.guard, opts.prefix) if cf.guard else None))
    return out


def _field(fname, by_name, objects, path, required, prefix):
    """The Field of definition `fname` at `path` ("payload.x", "x" in an
    object, "[]" for an array item)."""
    fdef, lo, hi = by_name[fname]
    t = fdef["type"]
    wire_name = "" if path == "[]" else fname
    jk = json_str(wire_name) + ":" if wire_name else ""
    mk = mp_str(wire_name) if wire_name else b""
    obj, item, shape = None, None, ""
    if t == "object":
        obj = objects[fdef["object"]]
        shape = obj.shape
    elif t == "array":
        if "object" in fdef:
            obj = objects[fdef["object"]]
            by_item = dict(by_name)
            by_item["\0item"] = ({"type": "object", "object": fdef["object"],
                                   "description": obj.description}, 0, 0)
            item = _field("\0item", by_item, objects, "[]", True, prefix)
        else:
            item = _field(fdef["items"], by_name, objects, "[]", True, prefix)
            obj = item.object
        shape = field_shape(item)
    example = _value_example(t, fdef, obj, item)
    cn = snake(fname)
    enum_type = f"{prefix}_{cn}" if t == "enum" else ""
    f = Field(
        name=wire_name, name_c=c_literal(wire_name), name_len=len(wire_name.encode("utf-8")),
        c_name=cn if wire_name else "", macro=field_macro(cn) if wire_name else "",
        type=t, c_type=enum_type or _c_type(t, obj, item, prefix), type_enum=TYPE_ENUM[t], required=required,
        min=lo, max=hi, min_c=c_int64(0 if t == "number" else lo), max_c=c_int64(0 if t == "number" else hi),
        description=c_comment(fdef["description"]),
        example=example, path=path, path_c=c_literal(path),
        json_key=c_literal(jk), json_key_len=len(jk.encode("utf-8")),
        mp_key=c_literal(mk), mp_key_len=len(mk),
        example_c="" if t in compound.COMPOUND else _example_c(t, fdef["example"], enum_type.upper()),
        nullable=fdef.get("nullable", False), lenient=fdef.get("unknown") == "lenient",
        values=tuple(fdef.get("values", ())), enum_c=f"{prefix}__enum_{cn}" if enum_type else "",
        zero_c=f"({enum_type})0" if enum_type else "{ NULL, 0 }" if t in ("string", "url") else "0",
        nmin_c=scalars.c_double(lo) if t == "number" else "",
        nmax_c=scalars.c_double(hi) if t == "number" else "",
        object=obj, item=item,
        min_items=fdef.get("min_items", 0) if t == "array" else 0,
        max_items=fdef.get("max_items", 0) if t == "array" else 0, shape=shape)
    if f.compound:
        f.example_c = _compound_example_c(f, example)
    if obj is not None and (t == "object" or item.type == "object"):
        f.object_desc = f"{prefix}__obj_{obj.c_name}"
    if f.compound:
        f.zero_c = _zero_c(f)
    return f


def _zero_c(f):
    """The zero initialiser of an object's or array's value (members nest)."""
    if f.type == "object":
        return "{ " + ", ".join(member_zero(g) for g in f.object.fields) + " }"
    return "0, { " + f.item.zero_c + " }"


def member_zero(g):
    """The zero initialisers of all the struct members of field `g`."""
    return (("false, " if not g.required else "") + ("false, " if g.nullable else "") + g.zero_c
            + (", { NULL, 0 }" if g.lenient else ""))


def _c_type(t, obj, item, prefix):
    """The C type of a field's member; an array's is its item's (the member is T name[max])."""
    if t == "object":
        return prefix + "_" + obj.c_name
    if t == "array":
        return item.c_type
    return C_TYPES[t]


def _value_example(t, fdef, obj, item):
    if t == "object":
        return {g.name: g.example for g in obj.fields}
    if t == "array":
        return [item.example] * max(1, fdef.get("min_items", 0))
    return _example(fdef)


def _compound_example_c(f, value):
    """C initializer of `value` for field `f` (designated, for objects)."""
    if f.type == "object":
        parts = []
        for g in f.object.fields:
            if not g.required:
                parts.append(f".has_{g.c_name} = true")
            if g.type == "array":
                parts.append(f".{g.c_name}_count = {len(value[g.name])}")
            parts.append(f".{g.c_name} = {_compound_example_c(g, value[g.name])}")
        return "{ " + ", ".join(parts) + " }"
    if f.type == "array":
        return "{ " + ", ".join(_compound_example_c(f.item, v) for v in value) + " }"
    return f.example_c


def _all_fields(events, objects, extra=()):
    """Every field the generated descriptors hold: the events', and those of
    the objects they hold, array items included (an item's name is that of
    its field definition)."""
    out = [f for e in events for f in e.fields] + list(extra)
    out += [f for o in objects.values() if o.used for f in o.fields]
    items = [f.item for f in out if f.type == "array"]
    return out + [i for i in items]


def _mark_used(fields):
    """Marks the objects that `fields` hold, at any depth."""
    for f in fields:
        if f.object is not None and not f.object.used:
            f.object.used = True
            _mark_used(f.object.fields)


def _objects(data, by_name, prefix):
    """{name: ObjectType} of the schema's objects, built each after those it holds."""
    out = {}
    objects = data.get("object", {})

    def build_one(name):
        if name in out:
            return out[name]
        odef = objects[name]
        for fname in odef["fields"]:
            held = compound.item_object(by_name[fname][0], {k: v[0] for k, v in by_name.items()})
            if held:
                build_one(held)
        opt = set(odef.get("optional", []))
        fields = [_field(fname, by_name, out, fname, fname not in opt, prefix) for fname in odef["fields"]]
        o = ObjectType(name=name, name_c=c_literal(name), c_name=snake(name), description=c_comment(odef["description"]),
                       fields=fields, nrequired=sum(1 for f in fields if f.required),
                       shape=",".join(field_shape(f) for f in fields))
        out[name] = o
        return o

    for name in objects:
        build_one(name)
    return out


def build(loc, schema_file, opts=None):
    """The model of a checked schema. `schema_file` is the name printed in
    banners; `opts` the outputs.Options (default: prefix ugw, headers beside
    the sources, fixtures, no command)."""
    opts = opts or Options()
    data = loc.data
    shared = []
    for name, fdef in data.get("field", {}).items():
        lo, hi = _limits(fdef)
        shared.append((name, fdef, lo, hi))
    by_name = {n: (d, lo, hi) for n, d, lo, hi in shared}
    events = []
    objects = _objects(data, by_name, opts.prefix)
    env = _envelope(data, by_name, objects, opts.prefix)
    ek, pk = env.event_key, env.payload_key
    for i, ev in enumerate(data["event"], start=1):
        view = event_fields.view(data.get("field", {}), ev)
        ev_by_name = dict(by_name)
        ev_by_name.update({n: (d,) + tuple(_limits(d)) for n, d in view.items()})
        optional = set(ev.get("optional", []))
        wire = ev["event"]
        aliases = list(ev.get("aliases", []))
        e = Event(number=i, id=ev["id"], id_c=c_literal(ev["id"]), macro=event_macro(ev["id"]),
                  wire=wire, wire_c=c_literal(wire), wire_doc=c_comment(wire),
                  wire_len=len(wire.encode("utf-8")), aliases=aliases,
                  aliases_c=[c_literal(a) for a in aliases],
                  aliases_doc=[c_comment(a) for a in aliases],
                  description=c_comment(ev["description"]))
        for fname in ev["fields"]:
            e.fields.append(_field(fname, ev_by_name, objects, pk + "." + fname, fname not in optional,
                                   opts.prefix))
        e.nrequired = sum(1 for f in e.fields if f.required)
        own = set(event_fields.own_names(ev))
        for f in e.fields:
            f.own = f.name in own
            macro = scalars.c_double if f.type == "number" else c_macro_int
            f.min_macro, f.max_macro = macro(f.min), macro(f.max)
        e.own_fields = [f for f in e.fields if f.own]
        head = "{" + json_str(ek) + ":" + json_str(wire) + "," + json_str(pk) + ":{"
        e.json_head, e.json_head_len = c_literal(head), len(head.encode("utf-8"))
        mh = bytes([0x82]) + mp_str(ek) + mp_str(wire) + mp_str(pk)
        e.mp_head, e.mp_head_len = c_literal(mh), len(mh)
        e.fingerprint = fingerprint(wire, e.fields, env.shape)
        e.example = {f.name: f.example for f in e.fields}
        e.envelope = env
        events.append(e)
    _mark_used([f for e in events for f in e.fields] + env.fields)
    fields = []
    enums = []
    for name, fdef, lo, hi in shared:
        number = fdef["type"] == "number"
        if fdef["type"] == "object":
            continue
        if fdef["type"] == "array":
            lo, hi = fdef.get("min_items", 0), fdef["max_items"]
        fields.append(dict(name=name, macro=field_macro(snake(name)), type=fdef["type"],
                           min=lo, max=hi, min_macro=scalars.c_double(lo) if number else c_macro_int(lo),
                           max_macro=scalars.c_double(hi) if number else c_macro_int(hi),
                           description=c_comment(fdef["description"])))
        if fdef["type"] == "enum":
            cn = snake(name)
            enums.append(dict(name=name, c_name=cn, macro=field_macro(cn), lenient=fdef.get("unknown") == "lenient",
                              used=any(f.enum_c == f"{opts.prefix}__enum_{cn}" for f in _all_fields(events, objects, env.fields)),
                              consts=[dict(macro=scalars.enum_const(v), c=c_literal(v), len=len(v.encode("utf-8")),
                                           doc=c_comment(v)) for v in fdef["values"]]))
    files = c_files(opts)
    header = {f.kind: f.name for f in files if f.guard}
    include = {f.kind: f.path for f in files if f.guard}
    return Model(schema_file=schema_file, schema_file_doc=c_comment(schema_file),
                 schema_file_line=one_line(schema_file), schema_version=data["version"],
                 codegen_version=VERSION, codegen_version_c=c_literal(VERSION),
                 events=events, fields=fields, objects=list(objects.values()), prefix=opts.prefix, prefix_upper=opts.prefix.upper(),
                 prefix_c=c_literal(opts.prefix), header_dir=opts.header_dir, fixtures=opts.fixtures, cli=opts.cli,
                 files=files, header=header, include=include,
                 union_align=all(_align(e, data, ev) < 8 for e, ev in zip(events, data["event"])), enums=enums,
                 envelope=env)


def _envelope(data, by_name, objects, prefix):
    """The Envelope of a checked schema."""
    ek, pk = envelope_mod.keys(data)
    view = envelope_mod.view(data)
    env_by_name = dict(by_name)
    env_by_name.update({n: (d,) + tuple(_limits(d)) for n, d in view.items()})
    opt = envelope_mod.optional_names(data)
    fields = [_field(n, env_by_name, objects, n, n not in opt, prefix) for n in envelope_mod.field_names(data)]
    jp = json_str(pk) + ":{"
    env = Envelope(event_key=ek, payload_key=pk, event_key_c=c_literal(ek), payload_key_c=c_literal(pk),
                   event_key_len=len(ek), payload_key_len=len(pk),
                   json_payload_key=c_literal(jp), json_payload_key_len=len(jp),
                   mp_payload_key=c_literal(mp_str(pk)), mp_payload_key_len=len(mp_str(pk)),
                   default=envelope_mod.is_default(data), fields=fields,
                   nrequired=sum(1 for f in fields if f.required),
                   example={f.name: f.example for f in fields})
    if not env.default:
        env.shape = "envelope:" + ek + ":" + pk + "".join("," + field_shape(f) for f in fields)
    return env


def _align(e, data, ev):
    """The alignment of an event's struct (on a 64-bit target)."""
    fields, objects = event_fields.view(data.get("field", {}), ev), data.get("object", {})
    opt = [f.name for f in e.fields if not f.required]
    return compound.struct_layout([f.name for f in e.fields], opt, fields, objects)[1]
