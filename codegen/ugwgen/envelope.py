"""Envelopes: the document around each event's payload.

Without an `[envelope]` table every document is UserGuiding's
`{"event": <wire>, "payload": {...}}`. A schema may name the two keys
otherwise and add envelope fields of its own, which sit at the top level of
every document, between the event key and the payload key:

    [envelope]
    event_key = "type"              the key of the wire event string
    payload_key = "data"            the key of the payload object
    fields = ["timestamp"]          envelope fields, in encoding order
    optional = []                   the subset that may be absent

    [envelope.field.timestamp]      a definition of its own ([field.NAME]
    type = "timestamp"              keys), or the keys it changes of a
    description = "..."             shared [field.NAME], as an event's
    example = 2024-05-01T12:00:00Z  [event.field.NAME] tables do

Envelope fields have every type and option a payload field has; their error
paths are top level ("timestamp", "meta.source"), the payload's start with
the payload key ("data.userId"). In C they are the members of one struct,
`P_envelope`, the `env` member of `P_event`.

Everything here reads unchecked data defensively: `check` calls it and
reports, never raises.
"""

import re

from . import event_fields

DEFAULT_EVENT_KEY = "event"
DEFAULT_PAYLOAD_KEY = "payload"
ENVELOPE_KEYS = {"event_key", "payload_key", "fields", "optional", "field"}
KEY_MAX = 31                  # a MessagePack fixstr, like field names
FIELDS_MAX = 64               # the decoders' bit set of seen fields
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")
TABLE = ("table", "envelope")


def table(data):
    """The [envelope] table as given ({} when there is none or it is no table)."""
    env = data.get("envelope") if isinstance(data, dict) else None
    return env if isinstance(env, dict) else {}


def keys(data):
    """(event key, payload key) of a checked schema."""
    env = table(data)
    return env.get("event_key", DEFAULT_EVENT_KEY), env.get("payload_key", DEFAULT_PAYLOAD_KEY)


def field_names(data):
    """The envelope field names of a checked schema, in encoding order."""
    flist = table(data).get("fields", [])
    return list(flist) if isinstance(flist, list) else []


def optional_names(data):
    opt = table(data).get("optional", [])
    return set(opt) if isinstance(opt, list) else set()


def view(data):
    """{name: definition} of the envelope's fields as it sees them: the shared
    [field.NAME] definitions with its [envelope.field.NAME] tables over them."""
    shared = data.get("field", {}) if isinstance(data, dict) else {}
    return event_fields.view(shared if isinstance(shared, dict) else {}, table(data))


def is_default(data):
    """Whether documents are the default {"event", "payload"} without fields."""
    return keys(data) == (DEFAULT_EVENT_KEY, DEFAULT_PAYLOAD_KEY) and not field_names(data)


def place(name):
    """The load.Located table of [envelope.field.NAME]."""
    return ("envelope", "field", name)


def is_place(t):
    return isinstance(t, tuple) and len(t) == 3 and t[0] == "envelope" and t[1] == "field"


def definitions(data):
    """(name, definition, place) of every [envelope.field.NAME] table, for
    `check` to check like the shared definitions."""
    env = table(data)
    shared = data.get("field", {}) if isinstance(data.get("field"), dict) else {}
    for name, t in event_fields.tables(env).items():
        if isinstance(t, dict):
            yield name, event_fields.definition(shared, name, t), place(name)


def check(data, err, members_of, field_name_ok):
    """The [envelope] table itself: its keys, the event and payload keys, the
    field list. err(message, table, key). Returns the envelope's view of its
    fields ({} when unusable) for the later checks."""
    if "envelope" not in data:
        return {}
    env = data["envelope"]
    if not isinstance(env, dict):
        err("'envelope' must be a table [envelope]", None, "envelope")
        return {}
    for k in sorted(set(env) - ENVELOPE_KEYS):
        err(f"envelope: unknown key '{k}'", TABLE, k)
    names = {}
    for k, default in (("event_key", DEFAULT_EVENT_KEY), ("payload_key", DEFAULT_PAYLOAD_KEY)):
        v = env.get(k, default)
        if not isinstance(v, str) or not _KEY.match(v) or len(v) > KEY_MAX:
            err(f"envelope: '{k}' must be a key of letters, digits, '_' and '-', starting with a letter or "
                f"'_', at most {KEY_MAX} characters", TABLE, k)
            continue
        if v in names:
            err(f"envelope: 'event_key' and 'payload_key' are both '{v}'", TABLE, k)
        names[v] = k
    flist = env.get("fields", [])
    if not isinstance(flist, list) or not all(isinstance(f, str) for f in flist):
        err("envelope: 'fields' must be a list of field names", TABLE, "fields")
        flist = []
    if len(flist) > FIELDS_MAX:
        err(f"envelope: more than {FIELDS_MAX} fields", TABLE, "fields")
    shared = data.get("field", {}) if isinstance(data.get("field"), dict) else {}
    fields = event_fields.view(shared, env)
    seen = set()
    for f in flist:
        if f in seen:
            err(f"envelope: duplicate field '{f}'", TABLE, "fields")
        seen.add(f)
        if f in names:
            err(f"envelope: field '{f}' has the name of the envelope's {names[f]}", TABLE, "fields")
        if f not in fields:
            err(f"envelope: unknown field '{f}' (no [envelope.field.{f}] or [field.{f}] table)", TABLE, "fields")
    for message, where, key in event_fields.problems(env, 0, "envelope", flist, shared):
        if where == ("event", 0):
            where = TABLE
        elif event_fields.is_table_key(where):
            where = place(where[3])
        err(message.replace("[event.field.", "[envelope.field.").replace(
            "the event does not list", "the envelope does not list"), where, key)
    opt = env.get("optional", [])
    if not isinstance(opt, list) or not all(isinstance(f, str) for f in opt):
        err("envelope: 'optional' must be a list of field names", TABLE, "optional")
        opt = []
    for f in opt:
        if f not in seen:
            err(f"envelope: optional field '{f}' is not in 'fields'", TABLE, "optional")
    if len(set(opt)) != len(opt):
        err("envelope: a field is listed twice in 'optional'", TABLE, "optional")
    members = {}
    for f in dict.fromkeys(flist):
        if f not in fields or not field_name_ok(f):
            continue
        for member, what in members_of(f, f in opt, fields):
            if member in members:
                err(f"envelope: struct member '{member}' of {what} collides with {members[member]}",
                    TABLE, "fields")
            else:
                members[member] = what
    return {f: fields[f] for f in flist if f in fields}
