"""Step 1, load: read the TOML schema and remember where every table and key is.

Only the standard library is used (tomllib, Python 3.11+), so that checking a
schema needs nothing installed.
"""

import re
import tomllib
from dataclasses import dataclass, field

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\"]+)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=")


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
    # ("field", name) / ("event", index) -> line of the table header
    tables: dict = field(default_factory=dict)
    # (table key, key name) -> line of `key =`
    keys: dict = field(default_factory=dict)

    def line(self, table=None, key=None):
        """Best line for a table or one of its keys (1 when unknown)."""
        if table is not None and key is not None and (table, key) in self.keys:
            return self.keys[(table, key)]
        if table is not None and table in self.tables:
            return self.tables[table]
        if table is None and key is not None and ((None, key)) in self.keys:
            return self.keys[(None, key)]
        return 1


def _index_lines(text):
    tables, keys = {}, {}
    current = None
    event_count = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0] if '"' not in raw else raw
        m = _HEADER.match(line)
        if m:
            name = m.group(2).strip()
            if m.group(1) == "[[" and name == "event":
                current = ("event", event_count)
                event_count += 1
            elif name.startswith("field."):
                current = ("field", name[len("field."):].strip('"'))
            else:
                current = ("table", name)
            tables.setdefault(current, number)
            continue
        m = _KEY.match(line)
        if m:
            keys.setdefault((current, m.group(1)), number)
    return tables, keys


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
    except tomllib.TOMLDecodeError as e:
        msg = str(e)
        m = re.search(r"\(at line (\d+), column \d+\)", msg)
        line = int(m.group(1)) if m else 1
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", msg)
        raise LoadError(path, line, msg) from None
    tables, keys = _index_lines(text)
    return Located(path=path, data=data, tables=tables, keys=keys)
