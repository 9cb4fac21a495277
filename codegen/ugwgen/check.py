"""Step 2, check: every mistake in a schema, as `file:line: message`.

The checks are what the later steps rely on: after `check` returns no errors,
`model` may assume every name is a valid, unique C identifier, every type is
known, every limit is sane and every example obeys its own field's rules.

Unique C identifiers: each name the templates make for an event or a field
with the prefix (P_<id>, P_EVENT_<ID>, ...; names.py reads them from the
templates) must differ from the names the runtime headers use, from the fixed
names of the generated code and from the names of every other event and
field; and the members of each event's struct (field C names, has_<name>
flags) must differ from each other. Event ids and field C names, identifiers
on their own (union and struct members), must be no C or C++ keyword, since
the generated headers are C and C++.

The prefix itself is checked by `prefix_errors` (a usage error, not a schema
error): its form, and its fixed names against the runtime's.
"""

import re

from . import compound, envelope as envelope_mod, event_fields, fixtures as fixtures_mod, names as names_mod, outputs, scalars
from .keywords import C_KEYWORDS, CXX_KEYWORDS, C_MACROS, keyword_kind  # noqa: F401

TYPES = ("id", "string", "url", "int", "bool", "enum", "number", "timestamp", "object", "array")
ID_MAX = 2**53 - 1
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
STRING_MAX = 2**24            # a bound on any declared string limit
URL_MAX = 2048                # CONTRACT.md section 2
NAME_MAX = 31                 # wire field names: MessagePack fixstr, short C names
EVENT_ID_MAX = 64             # event ids: C names and fixture file names stay short
EXAMPLE_DOC_MAX = 32768       # JSON bytes of an event's example document

_EVENT_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_FIELD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")

TOP_KEYS = {"version", "include", "field", "event", "object", "envelope"}
FIELD_KEYS = {"type", "min", "max", "description", "example", "nullable", "values", "unknown",
              "object", "items", "min_items", "max_items"}
ENUM_KEYS = {"values", "unknown"}   # only for type enum
COMPOUND_KEYS = {"object", "items", "min_items", "max_items"}   # only for objects and arrays
EXAMPLE_TOKENS_MAX = 1024     # jsmn tokens of an event's example document (UGW_DEFAULT_MAX_TOKENS)
EVENT_KEYS = {"id", "event", "aliases", "description", "fields", "optional", "field"}


def snake(name):
    """userId -> user_id, externalURL -> external_url."""
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    return s.lower()


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def example_problem(fdef, value):
    """Why `value` breaks the rules of field definition `fdef`, or None."""
    t = fdef.get("type")
    if t == "id":
        if not _is_int(value) or not 0 <= value <= ID_MAX:
            return "example must be an integer from 0 to 2^53-1"
    elif t == "int":
        if not _is_int(value) or not fdef["min"] <= value <= fdef["max"]:
            return f"example must be an integer from {fdef['min']} to {fdef['max']}"
    elif t == "bool":
        if not isinstance(value, bool):
            return "example must be true or false"
    elif t == "enum":
        if value not in fdef.get("values", []):
            return "example must be one of the field's values"
    elif t == "number":
        v = scalars.number_value(value)
        lo, hi = scalars.number_value(fdef.get("min", -scalars.DBL_MAX)), \
            scalars.number_value(fdef.get("max", scalars.DBL_MAX))
        if v is None or not lo <= v <= hi:
            return f"example must be a finite number from {lo!r} to {hi!r}"
    elif t == "timestamp":
        ms = scalars.timestamp_ms(value)
        lo, hi = (scalars.timestamp_ms(fdef[k]) if k in fdef else d
                  for k, d in (("min", scalars.TS_MIN), ("max", scalars.TS_MAX)))
        if ms is None:
            return "example must be an RFC 3339 date-time (a TOML offset date-time or a string) of years 0001..9999"
        if not lo <= ms <= hi:
            return "example is outside the field's min..max"
    elif t in ("string", "url"):
        if not isinstance(value, str):
            return "example must be a string"
        n = len(value.encode("utf-8", "surrogatepass"))
        if "\x00" in value:
            return "example must not contain NUL"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "example is not valid UTF-8 (lone surrogate)"
        if n < fdef.get("min", 0) or n > fdef["max"]:
            return f"example length {n} is outside {fdef.get('min', 0)}..{fdef['max']}"
        if t == "url" and not re.match(r"^(?i:https?)://[^/?#]", value) \
                or t == "url" and re.search(r"[\x00-\x20\x7f]", value):
            return "example must be an absolute http(s) URL without spaces"
    return None


def prefix_errors(prefix):
    """Why `prefix` cannot start the generated names (a list, empty when fine):
    its form (outputs.prefix_problems), then each fixed generated name that
    is already a runtime name (only a prefix starting with ugw can make one)."""
    errs = outputs.prefix_problems(prefix)
    if errs:
        return errs
    runtime = names_mod.runtime_names()
    for n, where in names_mod.fixed_names(prefix).items():
        if n in runtime:
            errs.append(f"--prefix {prefix!r}: the generated name {n} (from {where}) is a runtime name "
                        f"of {runtime[n]}")
    return errs


def check(loc, prefix=outputs.DEFAULT_PREFIX):
    """Returns a list of error strings; empty when the schema is usable with
    generated names starting with `prefix` (itself checked by prefix_errors)."""
    errs = list(loc.problems)           # conflicts between included files (include.py)
    data = loc.data

    def err(message, table=None, key=None):
        if message.startswith("field ") and event_fields.is_table_key(table):
            message = f"{event_fields.label(data, table)} {message}"     # an [event.field.NAME]
        elif message.startswith("field ") and envelope_mod.is_place(table):
            message = f"envelope {message}"                              # an [envelope.field.NAME]
        errs.append(f"{loc.where(table, key)}: {message}")

    for k in sorted(set(data) - TOP_KEYS):
        err(f"unknown top-level key '{k}'", None, k)
    version = data.get("version")
    if not _is_int(version) or version < 1:
        err("'version' must be a positive integer", None, "version")

    fields = data.get("field", {})
    if not isinstance(fields, dict):
        err("'field' must be a table of field definitions", None, "field")
        fields = {}
    c_names = {}
    # The shared definitions, then those of [event.field.NAME] tables (an
    # event's own fields and its overrides of shared ones, checked whole).
    for name, fdef, t in _definitions(fields, data.get("event"), data):
        before = len(errs)
        if not isinstance(fdef, dict):
            err(f"field '{name}' must be a table", t)
            continue
        if not _FIELD_NAME.match(name) or len(name) > NAME_MAX:
            err(f"field name '{name}' must be letters and digits, starting with a letter, at most {NAME_MAX}", t)
            continue
        cn = snake(name)
        kind = keyword_kind(cn) or keyword_kind(name)
        if (t[0] == "event" or envelope_mod.is_place(t)) and name in fields:
            pass                    # an override: its name is the shared field's, checked there
        elif kind:
            err(f"field name '{name}' collides with the {kind} keyword '{cn}'", t)
        elif cn in C_MACROS:
            err(f"field name '{name}' collides with the C macro '{cn}' (a struct member is named '{cn}')", t)
        if t[0] == "field":
            if cn in c_names:
                err(f"field '{name}' has the same C name '{cn}' as field '{c_names[cn]}'", t)
            c_names.setdefault(cn, name)
        for k in sorted(set(fdef) - FIELD_KEYS):
            err(f"field '{name}': unknown key '{k}'", t, k)
        ftype = fdef.get("type")
        if ftype not in TYPES:
            err(f"field '{name}': unknown type {ftype!r} (expected one of {', '.join(TYPES)})", t, "type")
            continue
        if "nullable" in fdef and not isinstance(fdef["nullable"], bool):
            err(f"field '{name}': 'nullable' must be true or false", t, "nullable")
        for k in sorted(ENUM_KEYS & set(fdef)):
            if ftype != "enum":
                err(f"field '{name}': '{k}' is only for type enum", t, k)
        if ftype in compound.COMPOUND:
            compound.check_field(name, fdef, fields, compound.objects_of(data), err, t)
            if not isinstance(fdef.get("description"), str) or not fdef["description"].strip():
                err(f"field '{name}': needs a 'description'", t)
            continue
        for k in sorted(COMPOUND_KEYS & set(fdef)):
            err(f"field '{name}': type {ftype} takes no '{k}'", t, k)
        if ftype in ("enum", "number", "timestamp"):
            _check_scalar(name, fdef, ftype, lambda m, k=None: err(f"field '{name}': {m}", t, k))
            _check_description_example(name, fdef, t, err, len(errs) == before)
            continue
        lo, hi = fdef.get("min"), fdef.get("max")
        for k, v in (("min", lo), ("max", hi)):
            if v is not None and not _is_int(v):
                err(f"field '{name}': '{k}' must be an integer", t, k)
        if any(v is not None and not _is_int(v) for v in (lo, hi)):
            continue
        if ftype in ("id", "bool"):
            if lo is not None or hi is not None:
                err(f"field '{name}': type {ftype} takes no min or max"
                    + (" (always 0..2^53-1)" if ftype == "id" else ""), t, "min" if lo is not None else "max")
        elif ftype == "int":
            if lo is None or hi is None:
                err(f"field '{name}': type int needs both min and max", t, "type")
            elif not (INT_MIN <= lo <= hi <= INT_MAX):
                # The line of the limit at fault; min when min > max (as for strings).
                err(f"field '{name}': bad limit: need {INT_MIN} <= min <= max <= {INT_MAX}", t,
                    "max" if hi > INT_MAX and lo <= hi else "min")
        else:
            limit = URL_MAX if ftype == "url" else STRING_MAX
            if hi is None:
                err(f"field '{name}': type {ftype} needs 'max' (a length in bytes)", t, "type")
            elif not 1 <= hi <= limit:
                err(f"field '{name}': bad limit: max must be 1..{limit}", t, "max")
            if lo is not None and (lo < 0 or (hi is not None and lo > hi)):
                err(f"field '{name}': bad limit: need 0 <= min <= max", t, "min")
        _check_description_example(name, fdef, t, err, len(errs) == before)

    # Object types: their tables, cycles, and the names their structs make.
    object_names = {}

    def check_object_name(oname, t):
        cn = snake(oname)
        kind = keyword_kind(cn)
        if kind:
            err(f"object name '{oname}' collides with the {kind} keyword '{cn}'", t)
        made = names_mod.object_names(cn, prefix)
        clash = _name_clashes(made, {}, {}, prefix) or next(
            (f"object '{object_names[n]}' ({n})" for n in made if n in object_names), None)
        if clash:
            err(f"object '{oname}' collides with {clash}", t)
        for n in made:
            object_names.setdefault(n, oname)

    objects = compound.check_objects(data, fields, err, check_object_name)
    _check_members(objects, fields, err)
    env_fields = envelope_mod.check(data, err, _members_of, lambda f: bool(_FIELD_NAME.match(f)))
    env_key, payload_key = envelope_mod.keys(data)

    # The names each shared field makes (P_FIELD_<NAME>_MIN, ...).
    field_names = {}
    for cn, name in c_names.items():
        made = names_mod.field_names(cn, prefix)
        clash = _name_clashes(made, {}, {}, prefix, loc)
        if clash:
            err(f"field '{name}' collides with {clash}", ("field", name))
        for n in made:
            field_names.setdefault(n, name)
    # The C enum of each enum field: its type and constants (P_<name>, P_<NAME>_<VALUE>).
    for cn, name in c_names.items():
        fdef = fields[name]
        if fdef.get("type") != "enum" or scalars.enum_problem(fdef.get("values")):
            continue
        made = names_mod.enum_names(cn, [scalars.enum_const(v) for v in fdef["values"]], prefix)
        clash = _name_clashes(made, field_names, {}, prefix, loc)
        if clash:
            err(f"enum field '{name}' collides with {clash}", ("field", name))
        for n in made:
            field_names.setdefault(n, name)
    event_names = {}       # name -> (event id, line of its id), earlier events

    events = data.get("event", [])
    if not isinstance(events, list) or not events:
        err("the schema needs at least one [[event]]", None, "event")
        events = []
    ids, wires = {}, {}
    shared = fields
    for i, ev in enumerate(events):
        t = ("event", i)
        if not isinstance(ev, dict):
            err("[[event]] must be a table", t)
            continue
        # Within an event, `fields` is the event's view: the shared
        # definitions with its [event.field.NAME] tables over them.
        fields = event_fields.view(shared, ev)
        for k in sorted(set(ev) - EVENT_KEYS):
            err(f"event {i + 1}: unknown key '{k}'", t, k)
        eid = ev.get("id")
        if not isinstance(eid, str) or not _EVENT_ID.match(eid) or len(eid) > EVENT_ID_MAX:
            err(f"event {i + 1}: 'id' must be lower_snake_case, starting with a letter, "
                f"at most {EVENT_ID_MAX} characters", t, "id")
            eid = f"#{i + 1}"
        elif keyword_kind(eid):
            err(f"event id '{eid}' collides with a {keyword_kind(eid)} keyword", t, "id")
        elif eid in C_MACROS:
            err(f"event id '{eid}' collides with the C macro '{eid}' (a union member is named '{eid}')", t, "id")
        elif eid not in ids:
            made = names_mod.event_names(eid, prefix)
            clash = _name_clashes(made, field_names, event_names, prefix, loc, t, object_names)
            if clash:
                err(f"event id '{eid}' collides with {clash}", t, "id")
            for n in made:
                event_names.setdefault(n, (eid, t))
        if eid in ids:
            err(f"duplicate event id '{eid}' (first at {loc.ref(ids[eid], 'id', t)})", t, "id")
        else:
            ids[eid] = t
        names = []
        wire = ev.get("event")
        if not isinstance(wire, str) or not wire:
            err(f"event '{eid}': 'event' must be a non-empty string", t, "event")
        else:
            names.append(wire)
        aliases = ev.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
            err(f"event '{eid}': 'aliases' must be a list of non-empty strings", t, "aliases")
        else:
            names += aliases
        for n in names:
            if n in wires:
                other_id, other_t, other_key = wires[n]
                err(f"duplicate event string {n!r} (also used by event '{other_id}'), first at "
                    f"{loc.ref(other_t, other_key, t)}", t, "event" if n == wire else "aliases")
            else:
                wires[n] = (eid, t, "event" if n == wire else "aliases")
            if len(n.encode("utf-8", "surrogatepass")) > 255:
                err(f"event '{eid}': event string longer than 255 bytes", t, "event" if n == wire else "aliases")
            if any(ord(ch) < 0x20 or ord(ch) == 0x7f or 0xD800 <= ord(ch) <= 0xDFFF for ch in n):
                err(f"event '{eid}': event string {n!r} has a control character or a lone surrogate",
                    t, "event" if n == wire else "aliases")
        if not isinstance(ev.get("description"), str) or not ev["description"].strip():
            err(f"event '{eid}': needs a 'description'", t)
        flist = ev.get("fields")
        if not isinstance(flist, list) or not flist or not all(isinstance(f, str) for f in flist):
            err(f"event '{eid}': 'fields' must be a non-empty list of field names", t, "fields")
            flist = []
        if len(flist) > 64:
            err(f"event '{eid}': more than 64 fields", t, "fields")
        seen = set()
        for f in flist:
            if f in seen:
                err(f"event '{eid}': duplicate field '{f}'", t, "fields")
            seen.add(f)
            if f not in fields:
                err(f"event '{eid}': unknown field '{f}' (no [field.{f}] table)", t, "fields")
        for message, where, key in event_fields.problems(ev, i, f"event '{eid}'", flist, shared):
            err(message, where, key)
        opt = ev.get("optional", [])
        if not isinstance(opt, list) or not all(isinstance(f, str) for f in opt):
            err(f"event '{eid}': 'optional' must be a list of field names", t, "optional")
            opt = []
        for f in opt:
            if f not in seen:
                err(f"event '{eid}': optional field '{f}' is not in 'fields'", t, "optional")
        if len(set(opt)) != len(opt):
            err(f"event '{eid}': a field is listed twice in 'optional'", t, "optional")
        # The example document becomes the valid fixtures: a decoder with
        # default limits (1 MiB input, 64 KiB arena for unescaped strings)
        # must read it, whatever its escapes.
        sound = flist and not errs and isinstance(wire, str)
        if sound:
            seen_fields = event_fields.view(fields, ev)       # with the event's own definitions
            doc = {env_key: wire, **{f: compound.example(d, fields, objects) for f, d in env_fields.items()},
                   payload_key: {f: compound.example(seen_fields[f], fields, objects) for f in flist}}
            try:
                size = len(fixtures_mod.js(doc))
            except (TypeError, ValueError, UnicodeEncodeError):
                size = 0   # a bad example is reported on its field
            if size > EXAMPLE_DOC_MAX:
                err(f"event '{eid}': its example document is {size} bytes of JSON, over {EXAMPLE_DOC_MAX} "
                    f"(shorten the examples)", t, "fields")
            tokens = compound.example_tokens(doc)
            if tokens > EXAMPLE_TOKENS_MAX:
                err(f"event '{eid}': its example document has {tokens} JSON tokens, over a default "
                    f"decoder's {EXAMPLE_TOKENS_MAX} (lower min_items)", t, "fields")
            nest = max([2 + compound.depth(seen_fields[f], fields, objects) for f in flist]
                       + [1 + compound.depth(d, fields, objects) for d in env_fields.values()])
            if nest > compound.DEPTH_MAX:
                err(f"event '{eid}': its documents nest {nest} deep, over a default decoder's "
                    f"max_depth of {compound.DEPTH_MAX} (objects and arrays inside each other)", t, "fields")
            size, _ = compound.struct_layout(flist, opt, seen_fields, objects)
            if size > compound.STRUCT_MAX:
                err(f"event '{eid}': its C struct would be {size} bytes, over {compound.STRUCT_MAX} "
                    f"(lower max_items)", t, "fields")
        # The members of struct P_<id>: each field's C name, and has_<name>
        # before each optional one.
        members = {}
        for f in dict.fromkeys(flist):
            if not isinstance(f, str) or f not in fields or not _FIELD_NAME.match(f):
                continue
            for member, what in _members_of(f, f in opt, fields):
                if member in members:
                    err(f"event '{eid}': struct member '{member}' of {what} collides with "
                        f"{members[member]}", t, "fields")
                else:
                    members[member] = what
    _event_field_names(events, field_names, event_names, prefix, loc, err)
    return errs


def _members_of(f, optional, fields):
    """The struct members field `f` makes: (member, what it is)."""
    cn = snake(f)
    made = [(cn, f"field '{f}'")]
    fdef = fields.get(f) if isinstance(fields.get(f), dict) else {}
    if optional:
        made.insert(0, ("has_" + cn, f"the presence flag of optional field '{f}'"))
    if fdef.get("nullable") is True:
        made.append((cn + "_is_null", f"the null flag of nullable field '{f}'"))
    if fdef.get("type") == "enum" and fdef.get("unknown") == "lenient":
        made.append((cn + "_other", f"the unknown-value text of lenient enum field '{f}'"))
    if fdef.get("type") == "array":
        made.append((cn + "_count", f"the item count of array field '{f}'"))
    return made


def _check_members(objects, fields, err):
    """The members of each object's struct differ from each other, and
    every struct stays under compound.STRUCT_MAX bytes."""
    for name, odef in objects.items():
        t = ("object", name)
        members = {}
        flist = [f for f in odef["fields"] if f in fields and _FIELD_NAME.match(f)]
        for f in dict.fromkeys(flist):
            for member, what in _members_of(f, f in odef.get("optional", []), fields):
                if member in members:
                    err(f"object '{name}': struct member '{member}' of {what} collides with "
                        f"{members[member]}", t, "fields")
                else:
                    members[member] = what
        if not _cycle_free(name, objects, fields):
            continue
        size, _ = compound.struct_layout(odef["fields"], odef.get("optional", []), fields, objects) \
            if all(f in fields for f in odef["fields"]) else (0, 1)
        if size > compound.STRUCT_MAX:
            err(f"object '{name}': its C struct would be {size} bytes, over {compound.STRUCT_MAX} "
                f"(lower max_items)", t, "fields")


def _cycle_free(name, objects, fields):
    return compound._cycle(name, objects, fields) is None and all(
        compound._cycle(o, objects, fields) is None for o in objects)


def _check_description_example(name, fdef, t, err, clean):
    """A description, and an example that obeys the field's rules (checked
    when the definition had no other error: `clean`)."""
    if not isinstance(fdef.get("description"), str) or not fdef["description"].strip():
        err(f"field '{name}': needs a 'description'", t)
    if "example" not in fdef:
        err(f"field '{name}': needs an 'example'", t)
    elif clean:
        why = example_problem(fdef, fdef["example"])
        if why:
            err(f"field '{name}': {why}", t, "example")


def _check_scalar(name, fdef, ftype, err):
    """The keys of an enum, number or timestamp field; `err(message, key)`."""
    lo, hi = fdef.get("min"), fdef.get("max")
    if ftype == "enum":
        for k in ("min", "max"):
            if k in fdef:
                err("type enum takes no min or max", k)
        why = scalars.enum_problem(fdef.get("values"))
        if why:
            err(why, "values" if "values" in fdef else "type")
        if fdef.get("unknown", "strict") not in scalars.UNKNOWN_MODES:
            err("'unknown' must be \"strict\" or \"lenient\"", "unknown")
    elif ftype == "number":
        vals = {}
        for k, v in (("min", lo), ("max", hi)):
            if v is not None:
                vals[k] = scalars.number_value(v)
                if vals[k] is None:
                    err(f"'{k}' must be a finite number (at most {scalars.DBL_MAX!r} in size)", k)
        if vals.get("min") is not None and vals.get("max") is not None and vals["min"] > vals["max"]:
            err("bad limit: need min <= max", "min")
    else:
        vals = {}
        for k, v in (("min", lo), ("max", hi)):
            if v is not None:
                vals[k] = scalars.timestamp_ms(v)
                if vals[k] is None:
                    err(f"'{k}' must be an RFC 3339 date-time (a TOML offset date-time or a string) "
                        f"of years 0001..9999", k)
        if vals.get("min") is not None and vals.get("max") is not None and vals["min"] > vals["max"]:
            err("bad limit: need min <= max", "min")


def _definitions(fields, events, data):
    """(name, definition, table key) of every field definition: the shared
    ones, then those of the events' [event.field.NAME] tables, then those of
    the [envelope.field.NAME] tables."""
    for name, fdef in fields.items():
        yield name, fdef, ("field", name)
    yield from event_fields.definitions(events, fields)
    if isinstance(data.get("envelope"), dict):
        yield from envelope_mod.definitions(data)


def _event_field_names(events, field_names, event_names, prefix, loc, err):
    """The names made for the fields that events define or override
    (P_<EVENT>_<FIELD>_MIN, ...) against every other generated name."""
    made_by, done = {}, set()
    for i, ev in enumerate(events):
        eid = ev.get("id") if isinstance(ev, dict) else None
        if not isinstance(eid, str) or not _EVENT_ID.match(eid) or len(eid) > EVENT_ID_MAX or eid in done:
            continue
        done.add(eid)
        for name in event_fields.own_names(ev):
            if not _FIELD_NAME.match(name) or len(name) > NAME_MAX:
                continue
            t = ("event", i, "field", name)
            made = names_mod.event_field_names(eid, snake(name), prefix)
            clash = _name_clashes(made, field_names, event_names, prefix, loc, t)
            if not clash:
                clash = next((f"a name of field '{made_by[n][1]}' of event '{made_by[n][0]}' ({n})"
                              for n in made if n in made_by), None)
            if clash:
                err(f"event '{eid}' field '{name}' collides with {clash}", t)
            for n in made:
                made_by.setdefault(n, (eid, name))


def _name_clashes(made, field_names, event_names, prefix, loc=None, here=None, object_names=None):
    """Why names `made` cannot be declared, or None: the first name that the
    runtime headers use, the generated code always declares (fixed names), a
    shared field makes or an earlier event makes; plus the count of others."""
    fixed, runtime = names_mod.fixed_names(prefix), names_mod.runtime_names()
    found = []
    for n in made:
        if n in runtime:
            found.append(f"a runtime name ({n}) of {runtime[n]}")
        elif n in fixed:
            found.append(f"a generated name ({n}) from {fixed[n]}")
        elif n in field_names:
            found.append(f"a name of field '{field_names[n]}' ({n})")
        elif object_names and n in object_names:
            found.append(f"a name of object '{object_names[n]}' ({n})")
        elif n in event_names:
            eid, t = event_names[n]
            found.append(f"a name of event '{eid}' ({n}) at {loc.ref(t, 'id', here)}")
    if not found:
        return None
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    return found[0] + more
