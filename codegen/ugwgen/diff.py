"""Compare two versions of a schema: every difference, classified for
receivers and for senders.

    ugw_codegen.py diff [--json] [--strict] [--check-version] [--prefix P] OLD.toml NEW.toml

Two questions per change:

  receivers  old code decoding new payloads: is everything a new encoder
             writes accepted by the old schema? (encoders write the event's
             wire string, never an alias, and ids as integers)
  senders    new code reading what old senders send: is everything the old
             schema accepts (aliases and digit-string ids included) accepted
             by the new one?

Each answer is `compatible`, `breaking`, or `strict`: breaking only for a
decoder in strict mode (unknown keys refused), compatible for the default,
lenient one. The exit status is 1 when a change breaks (strict ones too with
--strict), 0 when none does, 2 on a usage error or a schema `check` refuses.
With --check-version a breaking change is allowed when the new schema's
version is higher than the old one's (the rule of `check-compat`).

Types are compared as sets of values (`Domain`): one entry of DOMAINS per
field type and one rule in `_subset` per pair of kinds, so a new type of the
schema language is one small addition here.
"""

import argparse
import json
import os
import sys
from dataclasses import dataclass, field as dc_field, replace
from types import SimpleNamespace

from . import check as check_mod, include as include_mod, load as load_mod, model as model_mod, outputs
from .check import ID_MAX
from .scalars import timestamp_text

COMPATIBLE, BREAKING, STRICT = "compatible", "breaking", "strict"
_RANK = {COMPATIBLE: 0, STRICT: 1, BREAKING: 2}


def worst(*verdicts):
    return max(verdicts, key=_RANK.__getitem__) if verdicts else COMPATIBLE


# ---------------------------------------------------------------------------
# values of a field, as sets
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Domain:
    """The values of a field: `kind` (integer, string, url), bounds (values
    for integers, bytes for strings), and whether digit strings of
    0..2^53-1 are accepted too (ids, when decoding)."""
    kind: str
    lo: int
    hi: int
    digits: bool = False
    values: tuple = ()      # a closed set of values (enums), else ()
    open: bool = False      # enum: any other non-empty string too (lenient, when decoding)
    null: bool = False      # null too (nullable)


def _id(f, written):
    return Domain("integer", 0, ID_MAX, digits=not written)


def _enum(f, written):
    """An encoder writes the values (and, lenient, only texts it was given);
    a lenient decoder also takes any other non-empty string."""
    return Domain("enum", 0, 0, values=tuple(f.values), open=f.lenient and not written)


DOMAINS = {
    "id": _id,
    "int": lambda f, written: Domain("integer", f.min, f.max),
    "string": lambda f, written: Domain("string", f.min, f.max),
    "url": lambda f, written: Domain("url", f.min, f.max),
    "bool": lambda f, written: Domain("bool", 0, 1),
    "number": lambda f, written: Domain("number", f.min, f.max),
    "timestamp": lambda f, written: Domain("timestamp", f.min, f.max),
    "enum": _enum,
    # objects and arrays: what they hold is compared field by field
    # (_nested_changes); here only the item count
    "object": lambda f, written: Domain("object", 0, 0),
    "array": lambda f, written: Domain("array", f.min_items, f.max_items),
}


def _other(f, written):
    """A type without a rule of its own: its values are its type's, within
    its bounds when it has some."""
    lo, hi = getattr(f, "min", None), getattr(f, "max", None)
    values = getattr(f, "values", None) or getattr(f, "enum", None) or ()
    return Domain(f.type, lo if lo is not None else 0, hi if hi is not None else 0, values=tuple(values))


def domain(f, written):
    """The values field `f` (model.Field) has: as encoders write them
    (`written`) or as decoders accept them."""
    d = DOMAINS.get(f.type, _other)(f, written)
    if getattr(f, "nullable", False):
        d = Domain(d.kind, d.lo, d.hi, d.digits, d.values, d.open, null=True)
    return d


def _subset(a, b):
    """Whether every value of Domain `a` is one of Domain `b`."""
    if a.digits and not b.digits or a.null and not b.null:
        return False
    if a.kind == "enum" or b.kind == "enum":
        if a.kind == b.kind:
            return b.open or not a.open and set(a.values) <= set(b.values)
        if b.kind == "enum":            # strings into an enum: only a lenient one, only non-empty
            return b.open and a.kind in ("string", "url") and a.lo >= 1
        return a.kind == "enum" and not a.open and b.kind == "string" \
            and all(b.lo <= len(v.encode("utf-8")) <= b.hi for v in a.values)
    if (a.values or b.values) and not set(a.values) <= set(b.values):
        return False
    within = b.lo <= a.lo and a.hi <= b.hi
    if a.kind == b.kind:
        return within
    if (a.kind, b.kind) in (("url", "string"), ("integer", "number")):
        return within           # a url is a string with more rules; JSON integers read as numbers
    return False


# ---------------------------------------------------------------------------
# changes
# ---------------------------------------------------------------------------

@dataclass
class Change:
    kind: str
    receivers: str
    senders: str
    message: str
    old_line: int
    new_line: int
    event: str = ""
    field: str = ""

    def breaks(self, strict):
        bad = (BREAKING, STRICT) if strict else (BREAKING,)
        return self.receivers in bad or self.senders in bad


@dataclass
class Side:
    """One schema version: its located data and its model."""
    path: str
    loc: object
    model: object
    events: dict = dc_field(default_factory=dict)     # id -> model.Event
    index: dict = dc_field(default_factory=dict)      # id -> index in [[event]]

    def _line(self, table, key):
        return Line(self.loc.line(table, key), self.loc.file(table))

    def event_line(self, eid, key=None):
        if eid == ENVELOPE:
            return self._line(("table", "envelope"), key)
        if eid not in self.index:
            return self._line(None, "event")
        return self._line(("event", self.index[eid]), key)

    def field_line(self, eid, fname, key=None):
        """The line of `key` of field `fname` in event `eid`: its
        [event.field.NAME] table when the event has one and gives the key,
        else its [field.NAME] table, else the event's `fields` line."""
        own = ("envelope", "field", fname) if eid == ENVELOPE else ("event", self.index.get(eid), "field", fname)
        if own in self.loc.tables and (key is None or (own, key) in self.loc.keys
                                       or ("field", fname) not in self.loc.tables):
            return self._line(own, key)
        if ("field", fname) in self.loc.tables:
            return self._line(("field", fname), key)
        return self.event_line(eid, "fields")


class Line(int):
    """A line number that knows its file (a schema may include others)."""

    def __new__(cls, line, file):
        self = super().__new__(cls, line)
        self.file = file
        return self


def _file(line, default):
    return getattr(line, "file", default)


def side(path, prefix=outputs.DEFAULT_PREFIX):
    """Loads and checks `path` for the generated names of `prefix`; raises
    _SchemaError with the errors."""
    try:
        loc = include_mod.load_schema(path)
    except load_mod.LoadError as e:
        raise _SchemaError([str(e)]) from None
    except OSError as e:
        raise _SchemaError([f"{path}:1: cannot read: {e.strerror}"]) from None
    errors = check_mod.check(loc, prefix)
    if errors:
        raise _SchemaError(errors)
    m = model_mod.build(loc, path, outputs.Options(prefix=prefix))
    s = Side(path=path, loc=loc, model=m)
    for i, ev in enumerate(m.events):
        s.events[ev.id] = ev
        s.index[ev.id] = i
    return s


class _SchemaError(Exception):
    def __init__(self, errors):
        super().__init__("\n".join(errors))
        self.errors = errors


def _names(ev):
    return [ev.wire, *ev.aliases]


def _match_events(old, new):
    """[(old event or None, new event or None)]: by id, then an unmatched
    pair that shares an event string (an id renamed)."""
    pairs, left = [], [e for e in new.model.events if e.id not in old.events]
    for ev in old.model.events:
        if ev.id in new.events:
            pairs.append((ev, new.events[ev.id]))
            continue
        twin = next((n for n in left if set(_names(n)) & set(_names(ev))), None)
        if twin:
            left.remove(twin)
        pairs.append((ev, twin))
    pairs += [(None, n) for n in left]
    return pairs


def _event_changes(old, new, a, b, out):
    lo, ln = old.event_line(a.id if a else "", "event"), new.event_line(b.id if b else "", "event")
    if a is None:
        out.append(Change("event-added", BREAKING, COMPATIBLE,
                          f"event '{b.id}' ({b.wire!r}) added: old receivers refuse it as unknown_event",
                          lo, ln, event=b.id))
        return
    if b is None:
        out.append(Change("event-removed", COMPATIBLE, BREAKING,
                          f"event '{a.id}' ({a.wire!r}) removed: old senders still send it",
                          lo, ln, event=a.id))
        return
    if a.id != b.id:
        out.append(Change("event-id-renamed", COMPATIBLE, COMPATIBLE,
                          f"event id '{a.id}' renamed to '{b.id}': the wire is the same, the C names change",
                          old.event_line(a.id, "id"), new.event_line(b.id, "id"), event=b.id))
    if a.wire != b.wire:
        rec = COMPATIBLE if b.wire in _names(a) else BREAKING
        snd = COMPATIBLE if a.wire in _names(b) else BREAKING
        out.append(Change("event-string-changed", rec, snd,
                          f"event '{b.id}': event string {a.wire!r} changed to {b.wire!r}"
                          + (" (the old one kept as an alias)" if snd == COMPATIBLE else ""),
                          lo, ln, event=b.id))
    added = [x for x in b.aliases if x not in _names(a)]
    removed = [x for x in a.aliases if x not in _names(b)]
    for x in added:
        out.append(Change("alias-added", COMPATIBLE, COMPATIBLE, f"event '{b.id}': alias {x!r} added",
                          old.event_line(a.id, "aliases"), new.event_line(b.id, "aliases"), event=b.id))
    for x in removed:
        out.append(Change("alias-removed", COMPATIBLE, BREAKING,
                          f"event '{b.id}': alias {x!r} removed: senders that use it are refused",
                          old.event_line(a.id, "aliases"), new.event_line(b.id, "aliases"), event=b.id))
    if a.number != b.number:
        out.append(Change("event-moved", COMPATIBLE, COMPATIBLE,
                          f"event '{b.id}': position {a.number} -> {b.number} (its C enum value changes)",
                          old.event_line(a.id), new.event_line(b.id), event=b.id))
    if a.description != b.description:
        out.append(Change("event-description-changed", COMPATIBLE, COMPATIBLE,
                          f"event '{b.id}': description changed",
                          old.event_line(a.id, "description"), new.event_line(b.id, "description"), event=b.id))
    _field_changes(old, new, a, b, out)


def _field_changes(old, new, a, b, out):
    fa = {f.name: f for f in a.fields}
    fb = {f.name: f for f in b.fields}
    gone = [f for f in a.fields if f.name not in fb]
    came = [f for f in b.fields if f.name not in fa]
    # A field removed and one added at the same place, of the same type: a rename.
    renamed = {}
    for f in gone:
        pos = a.fields.index(f)
        twin = next((g for g in came if b.fields.index(g) == pos and g.type == f.type
                     and g not in renamed.values()), None)
        if twin:
            renamed[f.name] = twin
    for f in gone:
        lo, ln = old.field_line(a.id, f.name), new.event_line(b.id, "fields")
        if f.name in renamed:
            g = renamed[f.name]
            rec = BREAKING if f.required else STRICT
            snd = BREAKING if g.required else STRICT
            out.append(Change("field-renamed", rec, snd,
                              f"event '{b.id}': field '{f.name}' renamed to '{g.name}'",
                              lo, new.field_line(b.id, g.name), event=b.id, field=g.name))
            continue
        rec = BREAKING if f.required else COMPATIBLE
        out.append(Change("field-removed", rec, STRICT,
                          f"event '{b.id}': {'required' if f.required else 'optional'} field '{f.name}' removed",
                          lo, ln, event=b.id, field=f.name))
    for g in came:
        if g in renamed.values():
            continue
        lo, ln = old.event_line(a.id, "fields"), new.field_line(b.id, g.name)
        snd = BREAKING if g.required else COMPATIBLE
        out.append(Change("field-added", STRICT, snd,
                          f"event '{b.id}': {'required' if g.required else 'optional'} field '{g.name}' added",
                          lo, ln, event=b.id, field=g.name))
    for f in a.fields:
        g = fb.get(f.name)
        if g is not None:
            _one_field(old, new, a, b, f, g, out)
    common_a = [f.name for f in a.fields if f.name in fb]
    common_b = [f.name for f in b.fields if f.name in fa]
    if common_a != common_b:
        out.append(Change("field-order-changed", COMPATIBLE, COMPATIBLE,
                          f"event '{b.id}': fields reordered (decoders take any order; the encoded bytes change)",
                          old.event_line(a.id, "fields"), new.event_line(b.id, "fields"), event=b.id))


def _limit_words(f, g):
    unit = " bytes" if f.type in ("string", "url") else ""

    def show(x, field):
        return timestamp_text(x) if field.type == "timestamp" else repr(x) if field.type == "number" else str(x)
    parts = []
    if f.min != g.min:
        parts.append(f"min {show(f.min, f)} -> {show(g.min, g)}{unit}")
    if f.max != g.max:
        parts.append(f"max {show(f.max, f)} -> {show(g.max, g)}{unit}")
    return ", ".join(parts)


def _one_field(old, new, a, b, f, g, out):
    where = f"event '{b.id}' field '{g.name}'"
    if f.required != g.required:
        if g.required:
            out.append(Change("field-became-required", COMPATIBLE, BREAKING,
                              f"{where}: optional -> required (old senders may leave it out)",
                              old.event_line(a.id, "optional"), new.event_line(b.id, "fields"),
                              event=b.id, field=g.name))
        else:
            out.append(Change("field-became-optional", BREAKING, COMPATIBLE,
                              f"{where}: required -> optional (old receivers need it)",
                              old.event_line(a.id, "fields"), new.event_line(b.id, "optional"),
                              event=b.id, field=g.name))
    rec = COMPATIBLE if _subset(domain(g, True), domain(f, False)) else BREAKING
    snd = COMPATIBLE if _subset(domain(f, False), domain(g, False)) else BREAKING
    if f.type != g.type:
        out.append(Change("type-changed", rec, snd, f"{where}: type {f.type} -> {g.type}"
                          + (f" ({_limit_words(f, g)})" if _limit_words(f, g) else ""),
                          old.field_line(a.id, f.name, "type"), new.field_line(b.id, g.name, "type"),
                          event=b.id, field=g.name))
    elif f.type == "enum" and f.values != g.values:
        va, vb = set(f.values), set(g.values)
        kind = "values-added" if va < vb else "values-removed" if vb < va else \
            "values-reordered" if va == vb else "values-changed"
        words = (f"values +{sorted(vb - va)} -{sorted(va - vb)}" if va != vb
                 else "values reordered (the C constants change, the wire does not)")
        out.append(Change(kind, rec, snd, f"{where}: {words}", old.field_line(a.id, f.name, "values"),
                          new.field_line(b.id, g.name, "values"), event=b.id, field=g.name))
    elif f.type != "enum" and (f.min, f.max) != (g.min, g.max):
        tighter = g.min >= f.min and g.max <= f.max
        looser = g.min <= f.min and g.max >= f.max
        kind = "limits-tightened" if tighter else "limits-loosened" if looser else "limits-changed"
        key = "max" if f.max != g.max else "min"
        out.append(Change(kind, rec, snd, f"{where}: {_limit_words(f, g)}",
                          old.field_line(a.id, f.name, key), new.field_line(b.id, g.name, key),
                          event=b.id, field=g.name))
    if f.type == g.type == "enum" and f.lenient != g.lenient:
        r = COMPATIBLE if _subset(domain(g, True), domain(f, False)) else BREAKING
        sn = COMPATIBLE if _subset(domain(f, False), domain(g, False)) else BREAKING
        out.append(Change("unknown-mode-changed", r, sn,
                          f"{where}: unknown values {'lenient' if f.lenient else 'strict'} -> "
                          f"{'lenient' if g.lenient else 'strict'}",
                          old.field_line(a.id, f.name, "unknown"), new.field_line(b.id, g.name, "unknown"),
                          event=b.id, field=g.name))
    if f.nullable != g.nullable:
        out.append(Change("nullable-changed", BREAKING if g.nullable else COMPATIBLE,
                          COMPATIBLE if g.nullable else BREAKING,
                          f"{where}: " + ("may now be null (old receivers refuse null)" if g.nullable
                                          else "may no longer be null (old senders may send null)"),
                          old.field_line(a.id, f.name, "nullable"), new.field_line(b.id, g.name, "nullable"),
                          event=b.id, field=g.name))
    if f.type == g.type and f.type in ("object", "array"):
        _nested_changes(old, new, a, b, f, g, out)
    if f.description != g.description:
        out.append(Change("field-description-changed", COMPATIBLE, COMPATIBLE, f"{where}: description changed",
                          old.field_line(a.id, f.name, "description"), new.field_line(b.id, g.name, "description"),
                          event=b.id, field=g.name))
    if f.example != g.example and f.type not in ("object", "array"):   # theirs are their members'
        out.append(Change("field-example-changed", COMPATIBLE, COMPATIBLE,
                          f"{where}: example changed (fixtures change)",
                          old.field_line(a.id, f.name, "example"), new.field_line(b.id, g.name, "example"),
                          event=b.id, field=g.name))


def _nested_changes(old, new, a, b, f, g, out):
    """What changed inside two object fields (their object types' fields, as
    the fields of an event, named `field.member`) or two array fields (their
    items, named `field[]`)."""
    if f.type == "object":
        def members(h):
            return SimpleNamespace(id=(a if h is f else b).id,
                                   fields=[replace(x, name=f"{h.name}.{x.name}") for x in h.object.fields])
        _field_changes(old, new, members(f), members(g), out)
    else:
        _one_field(old, new, a, b, replace(f.item, name=f.name + "[]"), replace(g.item, name=g.name + "[]"), out)


# The id under which the envelope's fields are compared as an event's.
ENVELOPE = "\0envelope"


def _envelope_changes(old, new, out):
    """The envelope's keys (renamed: every document changes, breaking both
    ways) and its fields, compared as the fields of an event are (an
    unknown top-level key is ignored by a lenient decoder, as in a payload)."""
    ea, eb = old.model.envelope, new.model.envelope
    for what, x, y in (("event", ea.event_key, eb.event_key), ("payload", ea.payload_key, eb.payload_key)):
        if x != y:
            out.append(Change(f"envelope-{what}-key-renamed", BREAKING, BREAKING,
                              f"envelope: {what} key '{x}' renamed to '{y}' (every document changes)",
                              old.event_line(ENVELOPE, f"{what}_key"), new.event_line(ENVELOPE, f"{what}_key")))
    before = len(out)
    _field_changes(old, new, SimpleNamespace(id=ENVELOPE, fields=ea.fields),
                   SimpleNamespace(id=ENVELOPE, fields=eb.fields), out)
    for c in out[before:]:
        c.kind = "envelope-" + c.kind
        c.event = ""
        c.message = c.message.replace(f"event '{ENVELOPE}' field", "envelope field").replace(
            f"event '{ENVELOPE}'", "envelope")


def compare(old, new):
    """Every Change from Side `old` to Side `new`, in schema order."""
    out = []
    va, vb = old.model.schema_version, new.model.schema_version
    if va != vb:
        out.append(Change("version-changed", COMPATIBLE, COMPATIBLE, f"schema version {va} -> {vb}",
                          old.loc.line(None, "version"), new.loc.line(None, "version")))
    _envelope_changes(old, new, out)
    for a, b in _match_events(old, new):
        _event_changes(old, new, a, b, out)
    return out


# ---------------------------------------------------------------------------
# command
# ---------------------------------------------------------------------------

def line_of(old, new, c):
    return (f"{_file(c.old_line, old.path)}:{c.old_line}: {_file(c.new_line, new.path)}:{c.new_line}: "
            f"receivers {c.receivers}, "
            f"senders {c.senders}: {c.message} [{c.kind}]")


def report(old, new, changes, strict):
    breaking = any(c.breaks(strict) for c in changes)
    return {
        "old": {"file": old.path, "version": old.model.schema_version},
        "new": {"file": new.path, "version": new.model.schema_version},
        "version_raised": new.model.schema_version > old.model.schema_version,
        "breaking": breaking,
        "changes": [{"kind": c.kind, "receivers": c.receivers, "senders": c.senders, "event": c.event,
                     "field": c.field, "message": c.message,
                     "old": {"file": _file(c.old_line, old.path), "line": int(c.old_line)},
                     "new": {"file": _file(c.new_line, new.path), "line": int(c.new_line)}} for c in changes],
    }


def main(argv=None, prog="ugw-codegen diff"):
    ap = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    ap.add_argument("old", metavar="OLD.toml")
    ap.add_argument("new", metavar="NEW.toml")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of lines")
    ap.add_argument("--strict", action="store_true",
                    help="count changes that break only strict decoders as breaking")
    ap.add_argument("--check-version", action="store_true",
                    help="exit 0 on breaking changes when the new version is higher (check-compat)")
    ap.add_argument("--prefix", default=outputs.DEFAULT_PREFIX,
                    help="the prefix the schemas are generated with, for check (default: %(default)s)")
    args = ap.parse_args(argv)
    problems = check_mod.prefix_errors(args.prefix)
    if problems:
        for line in problems:
            print(f"{prog}: {line}", file=sys.stderr)
        return 2
    try:
        old, new = side(args.old, args.prefix), side(args.new, args.prefix)
    except _SchemaError as e:
        for line in e.errors:
            print(line, file=sys.stderr)
        return 2
    changes = compare(old, new)
    rep = report(old, new, changes, args.strict)
    if args.json:
        print(json.dumps(rep, indent=2, ensure_ascii=False))
    else:
        for c in changes:
            print(line_of(old, new, c))
        nb = sum(1 for c in changes if c.breaks(args.strict))
        print(f"{len(changes)} change(s), {nb} breaking", file=sys.stderr)
    if not rep["breaking"]:
        return 0
    if args.check_version:
        if rep["version_raised"]:
            print(f"{new.path}: breaking changes allowed: version raised from "
                  f"{old.model.schema_version} to {new.model.schema_version}", file=sys.stderr)
            return 0
        print(f"{new.path}:{new.loc.line(None, 'version')}: breaking change without a version bump: "
              f"raise 'version' above {old.model.schema_version} (or undo the change)", file=sys.stderr)
    return 1


if __name__ == "__main__":        # pragma: no cover
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    sys.exit(main())
