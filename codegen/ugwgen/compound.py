"""Objects and arrays: the checks of `[object.NAME]` tables and of fields of
type object and array, and what check and model both derive from them
(examples, nesting depth, struct sizes).

    [object.LineItem]               a named, reusable nested type
    description = "..."
    fields = ["sku", "quantity"]    [field.*] definitions, in encoding order
    optional = ["quantity"]         the subset that may be absent

    [field.shipping]                a field holding one LineItem
    type = "object"
    object = "LineItem"

    [field.lines]                   an array: `object` (an object type) or
    type = "array"                  `items` (a [field.*] definition, not an
    object = "LineItem"             array) gives the item; max_items is
    max_items = 20                  required (1..65535), min_items is
    min_items = 1                   optional (0..max_items, default 0)

An object or array field takes no `example`: it is made from the examples of
the fields inside (max(1, min_items) items in an array).

Everything here reads checked-or-not data defensively: `check` calls it
before it knows the schema is sound and reports, never raises.
"""

import re

from . import scalars

ARRAY_MAX = 65535             # max_items: the count is a uint32_t, the wire a map/array 16
STRUCT_MAX = 1 << 20          # bytes of any generated struct (event payload or object)
DEPTH_MAX = 16                # UGW_DEFAULT_MAX_DEPTH: the deepest valid document
OBJECT_KEYS = {"description", "fields", "optional"}
COMPOUND = ("object", "array")
_OBJECT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")

# (size, alignment) in bytes of each scalar type's C member on a 64-bit
# target (the largest layout); unknown types count as 8/8.
_SCALAR_LAYOUT = {"id": (8, 8), "int": (8, 8), "string": (16, 8), "url": (16, 8), "bool": (1, 1),
                  "number": (8, 8), "timestamp": (8, 8), "enum": (4, 4)}


def objects_of(data):
    objs = data.get("object", {})
    return objs if isinstance(objs, dict) else {}


def item_object(fdef, fields):
    """The object type name an object or array field holds (directly or
    through its `items` definition), or None."""
    if not isinstance(fdef, dict):
        return None
    if fdef.get("type") == "object" or fdef.get("type") == "array" and "object" in fdef:
        o = fdef.get("object")
        return o if isinstance(o, str) else None
    if fdef.get("type") == "array":
        it = fields.get(fdef.get("items")) if isinstance(fdef.get("items"), str) else None
        return item_object(it, fields) if isinstance(it, dict) and it.get("type") == "object" else None
    return None


def check_field(name, fdef, fields, objects, err, t):
    """The keys of an object or array field `name`; err(message, table, key)."""
    ftype = fdef["type"]
    for k in ("min", "max", "example"):
        if k in fdef:
            err(f"field '{name}': type {ftype} takes no '{k}'"
                + (" (it is made from the examples of the fields inside)" if k == "example" else ""), t, k)
    if ftype == "object":
        for k in ("items", "min_items", "max_items"):
            if k in fdef:
                err(f"field '{name}': type object takes no '{k}'", t, k)
        o = fdef.get("object")
        if not isinstance(o, str):
            err(f"field '{name}': type object needs 'object', the name of an [object.NAME] table", t, "type")
        elif o not in objects:
            err(f"field '{name}': unknown object type '{o}' (no [object.{o}] table)", t, "object")
        return
    has_obj, has_items = "object" in fdef, "items" in fdef
    if has_obj == has_items:
        err(f"field '{name}': type array needs either 'object' (an object type) or 'items' "
            "(a field definition) for its items", t, "type")
    elif has_obj:
        o = fdef["object"]
        if not isinstance(o, str) or o not in objects:
            err(f"field '{name}': unknown object type {o!r} (no [object.{o}] table)", t, "object")
    else:
        it = fdef["items"]
        if not isinstance(it, str) or it not in fields:
            err(f"field '{name}': 'items' names no field definition ({it!r})", t, "items")
        elif not isinstance(fields[it], dict) or fields[it].get("type") == "array":
            err(f"field '{name}': 'items' names '{it}', an array: an array of arrays is not "
                "supported (put the inner array in an object)", t, "items")
        elif it == name:
            err(f"field '{name}': 'items' names the field itself", t, "items")
        elif fields[it].get("type") == "enum" and fields[it].get("unknown") == "lenient":
            err(f"field '{name}': 'items' names '{it}', a lenient enum: array items are strict enums", t, "items")
        elif fields[it].get("nullable") is True:
            err(f"field '{name}': 'items' names '{it}', a nullable field: array items cannot be null", t, "items")
    hi, lo = fdef.get("max_items"), fdef.get("min_items", 0)
    if not _is_int(hi) or not 1 <= hi <= ARRAY_MAX:
        err(f"field '{name}': type array needs 'max_items', an integer 1..{ARRAY_MAX}", t,
            "max_items" if "max_items" in fdef else "type")
    elif not _is_int(lo) or not 0 <= lo <= hi:
        err(f"field '{name}': 'min_items' must be an integer 0..max_items ({hi})", t, "min_items")


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def check_objects(data, fields, err, check_name):
    """The [object.NAME] tables: keys, field lists, cycles.
    check_name(name, table) checks the C names an object makes."""
    objects = data.get("object", {})
    if not isinstance(objects, dict):
        err("'object' must be a table of object types", None, "object")
        return {}
    good = {}
    for name, odef in objects.items():
        t = ("object", name)
        if not isinstance(odef, dict):
            err(f"object '{name}' must be a table", t)
            continue
        if not _OBJECT_NAME.match(name) or len(name) > 31:
            err(f"object name '{name}' must be letters and digits, starting with a letter, at most 31", t)
            continue
        check_name(name, t)
        for k in sorted(set(odef) - OBJECT_KEYS):
            err(f"object '{name}': unknown key '{k}'", t, k)
        if not isinstance(odef.get("description"), str) or not odef["description"].strip():
            err(f"object '{name}': needs a 'description'", t)
        flist = odef.get("fields")
        if not isinstance(flist, list) or not flist or not all(isinstance(f, str) for f in flist):
            err(f"object '{name}': 'fields' must be a non-empty list of field names", t, "fields")
            continue
        if len(flist) > 64:
            err(f"object '{name}': more than 64 fields", t, "fields")
        if len(set(flist)) != len(flist):
            err(f"object '{name}': a field is listed twice in 'fields'", t, "fields")
        for f in flist:
            if f not in fields:
                err(f"object '{name}': unknown field '{f}' (no [field.{f}] table)", t, "fields")
        opt = odef.get("optional", [])
        if not isinstance(opt, list) or not all(isinstance(f, str) for f in opt):
            err(f"object '{name}': 'optional' must be a list of field names", t, "optional")
            opt = []
        for f in opt:
            if f not in flist:
                err(f"object '{name}': optional field '{f}' is not in 'fields'", t, "optional")
        if len(set(opt)) != len(opt):
            err(f"object '{name}': a field is listed twice in 'optional'", t, "optional")
        good[name] = odef
    # cycles: an object that holds itself, directly or not, has no finite struct
    for name in good:
        path = _cycle(name, good, fields)
        if path:
            err(f"object '{name}' holds itself: {' -> '.join(path)} (a struct cannot contain itself)",
                ("object", name), "fields")
    return good


def _children(name, objects, fields):
    out = []
    for f in objects[name].get("fields", []):
        o = item_object(fields.get(f), fields) if isinstance(f, str) else None
        if o in objects:
            out.append(o)
    return out


def _cycle(start, objects, fields):
    """A list of object names from `start` back to itself, or None."""
    stack, seen = [(start, [start])], set()
    while stack:
        cur, path = stack.pop()
        for nxt in _children(cur, objects, fields):
            if nxt == start:
                return path + [start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, path + [nxt]))
    return None


def example(fdef, fields, objects, count=None, _depth=0):
    """The example value of field definition `fdef` (objects and arrays made
    from their parts). `count`: items per array (None: max(1, min_items))."""
    if _depth > 64:
        return None
    t = fdef.get("type")
    if t == "object":
        return object_example(objects[fdef["object"]], fields, objects, count, _depth + 1)
    if t == "array":
        n = count(fdef) if callable(count) else max(1, fdef.get("min_items", 0))
        if "object" in fdef:
            one = object_example(objects[fdef["object"]], fields, objects, count, _depth + 1)
        else:
            one = example(fields[fdef["items"]], fields, objects, count, _depth + 1)
        return [one] * n
    v = fdef.get("example")
    if t == "number":
        return scalars.number_value(v)
    if t == "timestamp" and scalars.timestamp_ms(v) is not None:
        return scalars.timestamp_text(scalars.timestamp_ms(v))
    return v


def object_example(odef, fields, objects, count=None, _depth=0, with_optional=True):
    return {f: example(fields[f], fields, objects, count, _depth)
            for f in odef["fields"] if with_optional or f not in odef.get("optional", [])}


def depth(fdef, fields, objects, _guard=0):
    """Levels of nesting a field's value adds (0 for a scalar)."""
    if _guard > 64 or not isinstance(fdef, dict):
        return 0
    t = fdef.get("type")
    if t == "object":
        o = objects.get(fdef.get("object"))
        return 1 + max((depth(fields.get(f), fields, objects, _guard + 1) for f in o["fields"]), default=0) if o else 1
    if t == "array":
        if "object" in fdef:
            item = {"type": "object", "object": fdef["object"]}
        else:
            item = fields.get(fdef.get("items"))
        return 1 + depth(item, fields, objects, _guard + 1)
    return 0


def layout(fdef, fields, objects, _guard=0):
    """(size, align) of a field's C member on a 64-bit target."""
    if _guard > 64 or not isinstance(fdef, dict):
        return 8, 8
    t = fdef.get("type")
    if t == "object":
        return struct_layout(objects[fdef["object"]]["fields"], objects[fdef["object"]].get("optional", []),
                             fields, objects, _guard + 1)
    if t == "array":
        item = {"type": "object", "object": fdef["object"]} if "object" in fdef else fields[fdef["items"]]
        size, align = layout(item, fields, objects, _guard + 1)
        return 4 + (-4 % align) + size * fdef["max_items"], max(4, align)
    return _SCALAR_LAYOUT.get(t, (8, 8))


def struct_layout(flist, optional, fields, objects, _guard=0):
    """(size, align) of a generated struct with fields `flist`."""
    off, align = 0, 1
    for f in flist:
        fdef = fields[f]
        members = [(1, 1)] if f in optional else []
        if isinstance(fdef, dict) and fdef.get("nullable") is True:
            members.append((1, 1))
        members.append(layout(fdef, fields, objects, _guard))
        if isinstance(fdef, dict) and fdef.get("type") == "enum" and fdef.get("unknown") == "lenient":
            members.append((16, 8))
        for size, a in members:
            off += -off % a
            off += size
            align = max(align, a)
    return off + (-off % align), align


def example_tokens(value):
    """jsmn tokens of the JSON of `value` (keys count one each)."""
    if isinstance(value, dict):
        return 1 + sum(1 + example_tokens(v) for v in value.values())
    if isinstance(value, list):
        return 1 + sum(example_tokens(v) for v in value)
    return 1
