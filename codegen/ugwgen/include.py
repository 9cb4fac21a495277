"""Step 1 too: a schema that extends other schema files.

    include = ["ugw:events.toml", "common/fields.toml"]

Each entry names a schema file: `ugw:NAME` is a schema shipped with the
generator (`ugw:events.toml`, UserGuiding's bundled schema: schema/ beside
codegen/ in the source tree, share/ugw/schema/ beside share/ugw/codegen/ once
installed); anything else is a path, relative to the folder of the file that
includes it. Included files may include others. `load_schema()` returns one
load.Located, as if one file held everything:

  - the included files come first, in `include` order and depth first, then
    the including file's own tables: their events get the first numbers;
  - a definition ([field.NAME], or another table of NAMED_TABLES) or an event
    (by id) may be given by several files when it is the same everywhere;
    given twice differently it is a conflict, reported with both places;
  - other top-level keys likewise: the same value everywhere, or a conflict;
    `version` and `include` are the including file's own;
  - a file included twice (by two others) is read once; a cycle is an error.

Conflicts are left in Located.problems, which `check` reports with its own
errors. A file that cannot be read, is not TOML, is included in a cycle or
an `include` that is no list of file names raises load.LoadError at the
line of the `include` (the TOML error at its own file and line). Every place
(Located.where) names the file it comes from; Located.sources lists every
file read, for build systems.
"""

import os

from . import load as load_mod
from .load import LoadError, Located

CODEGEN_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUNDLED_DIR = os.path.join(os.path.dirname(CODEGEN_DIR), "schema")
BUNDLED_SCHEME = "ugw:"
# Top-level tables of named definitions, merged by name.
NAMED_TABLES = ("field", "object", "enum")
MAX_INCLUDES = 256          # files in one schema, all includes counted


def resolve(spec, base_dir):
    """The path an `include` entry names, or None when it names no file."""
    if spec.startswith(BUNDLED_SCHEME):
        name = spec[len(BUNDLED_SCHEME):]
        if not name or name.startswith((".", "/")) or "\\" in name or ".." in name.split("/"):
            return None
        return os.path.join(BUNDLED_DIR, *name.split("/"))
    return os.path.normpath(os.path.join(base_dir, spec))


def load_schema(path, text=None):
    """Loads `path` (or `text`, reported as `path`) with everything it includes."""
    return _Loader().load(path, text, stack=())


class _Loader:
    def __init__(self):
        self.done = set()        # real paths read completely
        self.count = 0

    def load(self, path, text, stack):
        own = load_mod.load(path, text)
        real = os.path.realpath(path)
        self.done.add(real)
        includes = own.data.get("include")
        if includes is None:
            return own
        line = own.line(None, "include")
        if not isinstance(includes, list) or not all(isinstance(x, str) and x for x in includes):
            raise LoadError(path, line, "'include' must be a list of schema files: \"ugw:events.toml\" "
                                        "(the bundled schema) or paths relative to this file")
        merged = _Merger(path)
        for spec in includes:
            target = resolve(spec, os.path.dirname(path))
            if target is None:
                raise LoadError(path, line, f"include {spec!r}: not a file name ({BUNDLED_SCHEME}NAME or a path)")
            treal = os.path.realpath(target)
            if treal in stack or treal == real:
                chain = " -> ".join(os.path.basename(p) for p in (*stack, real, treal))
                raise LoadError(path, line, f"include {spec!r}: an include cycle ({chain})")
            if treal in self.done:
                continue                      # already in, through another file
            self.count += 1
            if self.count > MAX_INCLUDES:
                raise LoadError(path, line, f"more than {MAX_INCLUDES} included files")
            try:
                sub = self.load(target, None, (*stack, real))
            except OSError as e:
                raise LoadError(path, line, f"include {spec!r}: cannot read {target}: "
                                            f"{e.strerror or e}") from None
            merged.add(sub, own=False)
        merged.add(own, own=True)
        return merged.loc


class _Merger:
    """Adds the Located of each file in turn into one."""

    def __init__(self, path):
        self.loc = Located(path=path, data={})
        self.event_ids = {}       # event id -> index in the merged [[event]]

    def problem(self, here, message):
        self.loc.problems.append(f"{here}: {message}")

    def add(self, loc, own):
        out = self.loc
        for s in loc.sources:
            if s not in out.sources:
                out.sources.insert(len(out.sources) if not own else 0, s)
        out.problems.extend(loc.problems)
        index_map, kept = {}, set()
        for k, v in loc.data.items():
            if k in ("version", "include"):
                if own:
                    out.data[k] = v
            elif k == "event" and isinstance(v, list) and isinstance(out.data.get(k, []), list):
                self._events(loc, v, index_map)
            elif k in NAMED_TABLES and isinstance(v, dict) and isinstance(out.data.get(k, {}), dict):
                table = out.data.setdefault(k, {})
                for name, d in v.items():
                    if name not in table:
                        table[name] = d
                        kept.add((k, name))
                    elif table[name] != d:
                        first = self._named_place(k, name)
                        self.problem(_named_where(loc, k, name),
                                     f"{k} '{name}' is defined differently in {first} (a {k} is defined "
                                     f"once: rename one, or change it for one event in [event.{k}.{name}])")
            elif k not in out.data:
                out.data[k] = v
                kept.add(("table", k))
            elif out.data[k] != v:
                self.problem(loc.where(("table", k)) if ("table", k) in loc.tables else loc.where(None, k),
                             f"'{k}' differs from the one in "
                             f"{out.where(('table', k)) if ('table', k) in out.tables else out.where(None, k)}")
        self._places(loc, own, index_map, kept)

    def _events(self, loc, events, index_map):
        merged = self.loc.data.setdefault("event", [])
        for j, ev in enumerate(events):
            eid = ev.get("id") if isinstance(ev, dict) else None
            if isinstance(eid, str) and eid in self.event_ids:
                i = self.event_ids[eid]
                if merged[i] != ev:
                    self.problem(loc.where(("event", j), "id"),
                                 f"event '{eid}' is defined differently in {self.loc.where(('event', i), 'id')}")
                continue
            index_map[j] = len(merged)
            if isinstance(eid, str):
                self.event_ids[eid] = len(merged)
            merged.append(ev)

    def _named_place(self, kind, name):
        return _named_where(self.loc, kind, name)

    def _places(self, loc, own, index_map, kept):
        """Copies the lines (and files) of the tables and keys that were taken."""
        out = self.loc

        def mapped(t):
            if t is None:
                return None
            if t[0] == "event" and isinstance(t[1], int):
                return ("event", index_map[t[1]], *t[2:]) if t[1] in index_map else False
            if t[0] in NAMED_TABLES and len(t) == 2:
                return t if t in kept else False
            if t[0] == "table":
                if t[1] in NAMED_TABLES:       # [object.NAME] and such: their keys are the names
                    return t
                return t if t in kept or own else False
            return t
        for t, line in loc.tables.items():
            m = mapped(t)
            if m:
                out.tables.setdefault(m, line)
                if loc.file(t) != out.path:
                    out.files.setdefault(m, loc.file(t))
        for (t, key), line in loc.keys.items():
            if t is None:
                if own:
                    out.keys[(None, key)] = line
                continue
            m = mapped(t)
            if m is False or (t[0] == "table" and t[1] in NAMED_TABLES and (t[1], key) not in kept):
                continue
            out.keys.setdefault((m, key), line)


def _named_where(loc, kind, name):
    if (kind, name) in loc.tables:
        return loc.where((kind, name))
    if ("table", kind) in loc.tables:
        return loc.where(("table", kind), name)
    return loc.where(None, kind)
