"""Per-event fields: an event's own view of its fields.

Inside an [[event]], a `[event.field.NAME]` table either

  - overrides the shared [field.NAME] for this event only: the keys it gives
    replace the shared ones (`max = 5`, a `description`, an `example`, ...),
    the others are inherited; or
  - defines a field of this event only, when there is no [field.NAME] or the
    table gives another `type` (then nothing is inherited: the table is the
    whole definition).

Either way NAME must be in the event's `fields` (which gives the order), and
the result is checked by the rules of a shared field. Presence stays the
event's `optional` list. One wire name can so mean different limits in two
events: the C struct member, the descriptor, the fingerprint, the fixtures,
the invalid corpus and the exported documents follow the event's
definition, and the header gets P_<EVENT>_<FIELD>_MIN/_MAX for it (the
shared P_FIELD_<FIELD>_MIN/_MAX keep the shared definition).

Only the standard library is used, and no input makes these functions fail:
`check` calls them on unchecked data.
"""


def tables(ev):
    """{name: table} of the [event.field.NAME] tables of event `ev` (a dict
    of whatever was given; {} when there is none or `field` is no table)."""
    t = ev.get("field") if isinstance(ev, dict) else None
    return t if isinstance(t, dict) else {}


def definition(shared, name, table):
    """The definition of field `name` in an event whose table for it is
    `table`: the shared one with the table's keys over it, or the table
    alone (a field of the event's own, or another type)."""
    base = shared.get(name) if isinstance(shared, dict) else None
    if not isinstance(base, dict) or ("type" in table and table.get("type") != base.get("type")):
        return dict(table)
    return {**base, **table}


def view(shared, ev):
    """{name: definition} as event `ev` sees its fields: the shared
    definitions, with the event's own over them. `shared` itself when the
    event has no table of its own."""
    own = {n: t for n, t in tables(ev).items() if isinstance(t, dict)}
    if not own:
        return shared
    out = dict(shared) if isinstance(shared, dict) else {}
    for name, table in own.items():
        out[name] = definition(shared, name, table)
    return out


def own_names(ev):
    """The names event `ev` defines or overrides, in its table order."""
    return [n for n, t in tables(ev).items() if isinstance(t, dict)]


def is_table_key(table):
    """Whether `table` (a place of load.Located) is an [event.field.NAME]."""
    return isinstance(table, tuple) and len(table) == 4 and table[0] == "event" and table[2] == "field"


def label(data, table):
    """`event 'ID'` (or `event N` without a usable id) of an [event.field.NAME] place."""
    events = data.get("event") if isinstance(data, dict) else None
    ev = events[table[1]] if isinstance(events, list) and 0 <= table[1] < len(events) else None
    eid = ev.get("id") if isinstance(ev, dict) else None
    return f"event '{eid}'" if isinstance(eid, str) and eid.isidentifier() and eid.isascii() \
        else f"event {table[1] + 1}"


def definitions(events, shared):
    """(name, definition, table key) of every [event.field.NAME] of
    `events` (the data of [[event]]), for `check` to check like the shared
    ones. Tables that are no table are left to `problems`."""
    if not isinstance(events, list):
        return
    for i, ev in enumerate(events):
        for name, table in tables(ev).items():
            if isinstance(table, dict):
                yield name, definition(shared, name, table), ("event", i, "field", name)


# Keys of an enum field that its C enum type (one per shared field, named
# after it) is made of: an event may not change them.
ENUM_TYPE_KEYS = ("values", "unknown")


def problems(ev, index, label, flist, shared=None):
    """(message, table, key) of what is wrong with event `ev`'s tables
    themselves (not their definitions): `field` not a table of tables, a
    table for a name the event does not list, an enum whose C type would
    differ from the shared field's. `label` names the event in messages,
    `index` is its place in [[event]]."""
    out = []
    if not isinstance(ev, dict) or "field" not in ev:
        return out
    where = ("event", index)
    if not isinstance(ev["field"], dict):
        out.append((f"{label}: 'field' must hold tables [event.field.NAME] (a field of this event, "
                    "or the keys of a shared field it changes)", where, "field"))
        return out
    for name, table in ev["field"].items():
        t = ("event", index, "field", name)
        if not isinstance(table, dict):
            out.append((f"{label}: field.{name} must be a table [event.field.{name}]", where, "field"))
        elif name not in flist:
            out.append((f"{label}: [event.field.{name}] defines a field the event does not list in "
                        f"'fields' (add '{name}' there, in its place)", t, None))
        else:
            base = shared.get(name) if isinstance(shared, dict) else None
            mine = definition(shared or {}, name, table)
            if mine.get("type") == "enum" and (not isinstance(base, dict) or any(
                    mine.get(k) != base.get(k) for k in ENUM_TYPE_KEYS)):
                key = next((k for k in ENUM_TYPE_KEYS if k in table), "type" if "type" in table else None)
                out.append((f"{label}: field '{name}': an enum's values are those of its C enum type, one per "
                            f"shared field: define them in [field.{name}], not per event", t, key))
    return out
