"""Step 1, load: read the TOML schema and remember where every table and key is.

Only the standard library is used (tomllib, Python 3.11+), so that checking a
schema needs nothing installed.

tomllib gives no line numbers, so `_index_lines` scans the text once more, as
TOML: it knows bare, quoted ("..." and '...') and dotted keys, table and
array-of-tables headers, inline tables, arrays over several lines and strings
(including \"\"\" and ''' strings over several lines, whose contents are never
taken for keys). It runs only on text that tomllib has already accepted.
"""

import re
import tomllib
from dataclasses import dataclass, field

_BARE = re.compile(r"[A-Za-z0-9_\-]+")
_BASIC = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_LITERAL = re.compile(r"'[^'\n]*'")


def _unquote(raw):
    """The key named by a quoted key, as TOML reads it (escapes applied)."""
    try:
        return tomllib.loads(f"k = {raw}")["k"]
    except tomllib.TOMLDecodeError:      # not on text that tomllib accepted
        return raw[1:-1]


class LoadError(Exception):
    """A schema that is not readable TOML; carries file and line."""

    def __init__(self, path, line, message):
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message


@dataclass
class Located:
    """The parsed schema plus line numbers of tables and keys."""

    path: str
    data: dict
    # ("field", name) / ("object", name) / ("event", index) -> line of the table header
    tables: dict = field(default_factory=dict)
    # (table key, key name) -> line of `key =`
    keys: dict = field(default_factory=dict)
    # table key -> file it was read from, when not `path` (include.py)
    files: dict = field(default_factory=dict)
    # problems found while merging included files, `file:line: message`
    problems: list = field(default_factory=list)
    # every file read, `path` first (include.py; build systems depend on them)
    sources: list = field(default_factory=list)

    def file(self, table=None):
        """The file a table (or, with None, a top-level key) was read from."""
        return self.files.get(table, self.path)

    def where(self, table=None, key=None):
        """`file:line` of a table or one of its keys."""
        return f"{self.file(table)}:{self.line(table, key)}"

    def ref(self, table, key, here=None):
        """The place of a table's key as seen from table `here`: `line N` in
        the same file, `file:N` in another."""
        if self.file(table) == self.file(here):
            return f"line {self.line(table, key)}"
        return self.where(table, key)

    def line(self, table=None, key=None):
        """Best line for a table or one of its keys (1 when unknown)."""
        if table is not None and key is not None and (table, key) in self.keys:
            return self.keys[(table, key)]
        if table is not None and table in self.tables:
            return self.tables[table]
        if table is None and key is not None and ((None, key)) in self.keys:
            return self.keys[(None, key)]
        return 1


class _Index:
    """A scan of TOML text that records the line of every table and key.

    A key's place is its full path from the document root, with the index of
    the element for arrays of tables ([[event]] -> ("event", 0), ...). The
    paths are mapped to what `check` asks for by `_record`."""

    def __init__(self, text):
        self.s, self.i, self.line = text, 0, 1
        self.tables, self.keys = {}, {}
        self.aot = {}            # path of an array of tables -> number of elements

    # --- characters ---

    def peek(self, k=0):
        j = self.i + k
        return self.s[j] if j < len(self.s) else ""

    def take(self, n=1):
        chunk = self.s[self.i:self.i + n]
        self.line += chunk.count("\n")
        self.i += len(chunk)
        return chunk

    def skip_blanks(self):
        while self.peek() in (" ", "\t") and self.peek():
            self.i += 1

    def skip_comment(self):
        if self.peek() == "#":
            while self.peek() not in ("\n", ""):
                self.i += 1

    def skip_blanks_newlines_comments(self):
        while True:
            self.skip_blanks()
            self.skip_comment()
            if self.peek() in ("\n", "\r"):
                self.take()
            else:
                return

    def skip_to_line_end(self):
        while self.peek() not in ("\n", ""):
            self.take()

    # --- keys and values ---

    def key(self):
        """A dotted key as a list of its parts (quotes removed, escapes applied)."""
        parts = []
        while True:
            self.skip_blanks()
            c = self.peek()
            if c == '"':
                m = _BASIC.match(self.s, self.i)
            elif c == "'":
                m = _LITERAL.match(self.s, self.i)
            else:
                m = _BARE.match(self.s, self.i)
            if not m:
                return parts
            raw = self.take(m.end() - self.i)
            parts.append(_unquote(raw) if c in "\"'" else raw)
            self.skip_blanks()
            if self.peek() != ".":
                return parts
            self.take()

    def string(self):
        if self.s.startswith('"""', self.i) or self.s.startswith("'''", self.i):
            quote = self.take(3)
            escapes = quote == '"""'
            while self.peek():
                if escapes and self.peek() == "\\":
                    self.take(2)
                elif self.s.startswith(quote, self.i):
                    self.take(3)
                    # up to two more quotes belong to the string: """a"""""
                    for _ in range(2):
                        if self.peek() == quote[0]:
                            self.take()
                    return
                else:
                    self.take()
            return
        m = (_BASIC if self.peek() == '"' else _LITERAL).match(self.s, self.i)
        self.take(m.end() - self.i if m else 1)

    def value(self, path):
        c = self.peek()
        if c in ('"', "'"):
            self.string()
        elif c == "[":
            self.take()
            index = 0
            while True:
                self.skip_blanks_newlines_comments()
                if self.peek() in ("]", ""):
                    self.take()
                    return
                start = self.i
                self.value(path + [index])
                self.skip_blanks_newlines_comments()
                if self.peek() == ",":
                    self.take()
                index += 1
                if self.i == start:      # never loop on text tomllib would refuse
                    self.take()
        elif c == "{":
            self._record(path, self.line, table=True)
            self.take()
            while True:
                self.skip_blanks_newlines_comments()
                if self.peek() in ("}", ""):
                    self.take()
                    return
                start = self.i
                self.keyval(path)
                self.skip_blanks_newlines_comments()
                if self.peek() == ",":
                    self.take()
                if self.i == start:
                    self.take()
        else:
            # number, boolean, date and time (which may hold one space)
            while self.peek() not in (",", "]", "}", "#", "\n", "\r", ""):
                self.take()

    def keyval(self, base):
        line = self.line
        parts = self.key()
        self.skip_blanks()
        if not parts or self.peek() != "=":
            self.skip_to_line_end()
            return
        self.take()
        self.skip_blanks()
        self._record(base + parts, line)
        self.value(base + parts)

    def header(self):
        line = self.line
        array = self.s.startswith("[[", self.i)
        self.take(2 if array else 1)
        parts = self.key()
        self.skip_to_line_end()
        # Elements of earlier arrays of tables: [event.x] is in the last [[event]].
        path = []
        for k, part in enumerate(parts):
            path.append(part)
            n = self.aot.get(tuple(parts[:k + 1]))
            if n and not (array and k == len(parts) - 1):
                path.append(n - 1)
        if array:
            n = self.aot.get(tuple(parts), 0)
            self.aot[tuple(parts)] = n + 1
            path.append(n)
        self._record(path, line, table=True)
        return path

    def scan(self):
        base = []
        while self.peek():
            self.skip_blanks_newlines_comments()
            c = self.peek()
            if not c:
                break
            start = self.i
            if c == "[":
                base = self.header()
            else:
                self.keyval(base)
                self.skip_blanks()
                self.skip_comment()
            if self.i == start:
                self.take()
        return self.tables, self.keys

    # --- what check asks for ---

    def _record(self, path, line, table=False):
        """Remembers `line` for `path`, a key (or, with `table`, a table header
        or inline table): ("field", name), ("object", name) and ("event", index) tables and their
        keys, the top-level keys, and ("table", name) for other tables."""
        if not path:
            return
        self.keys.setdefault((None, path[0]), line)
        if len(path) >= 4 and path[0] == "event" and isinstance(path[1], int) and path[2] == "field":
            # [event.field.NAME] in an [[event]]: ("event", index, "field", NAME)
            self.tables.setdefault((path[0], path[1]), line)
            self.keys.setdefault(((path[0], path[1]), "field"), line)
            where, rest = tuple(path[:4]), path[4:]
        elif len(path) >= 3 and path[0] == "envelope" and path[1] == "field":
            # [envelope.field.NAME]: ("envelope", "field", NAME)
            self.tables.setdefault(("table", "envelope"), line)
            self.keys.setdefault((("table", "envelope"), "field"), line)
            where, rest = tuple(path[:3]), path[3:]
        elif len(path) >= 2 and (path[0] in ("field", "object") or path[0] == "event" and isinstance(path[1], int)):
            where, rest = (path[0], path[1]), path[2:]
        else:
            where, rest = ("table", path[0]), path[1:]
            if not rest and not table:
                return                   # a top-level key
        self.tables.setdefault(where, line)
        if rest:
            self.keys.setdefault((where, rest[0]), line)


def _index_lines(text):
    """(tables, keys): the lines of tables and keys in TOML `text`."""
    return _Index(text).scan()


def _deepest_line(text):
    """The line where brackets and braces are first nested deepest (strings
    not told apart: for a message about a file Python cannot parse)."""
    depth = best = 0
    line = best_line = 1
    for ch in text:
        if ch in "[{":
            depth += 1
            if depth > best:
                best, best_line = depth, line
        elif ch in "]}":
            depth -= 1
        elif ch == "\n":
            line += 1
    return best_line


def load(path, text=None):
    """Parse `path` (or `text`, reported as `path`). Raises LoadError."""
    if text is None:
        with open(path, "rb") as f:
            raw = f.read()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise LoadError(path, 1, f"not UTF-8: {e}") from None
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise LoadError(path, _deepest_line(text), "arrays or inline tables nested too deeply") from None
    except tomllib.TOMLDecodeError as e:
        msg = str(e)
        m = re.search(r"\(at line (\d+), column \d+\)", msg)
        line = int(m.group(1)) if m else 1
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", msg)
        raise LoadError(path, line, msg) from None
    try:
        tables, keys = _index_lines(text)
    except RecursionError:
        raise LoadError(path, _deepest_line(text), "arrays or inline tables nested too deeply") from None
    return Located(path=path, data=data, tables=tables, keys=keys, sources=[path])
