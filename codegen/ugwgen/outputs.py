"""The generator's options and the C files they make.

Options: the prefix of every generated name (`--prefix`), the folder of the
headers under the output folder (`--header-dir`), whether to write fixtures
(`--no-fixtures`) and a main() for the schema's command (`--cli`). The C files
are one template each; their names and include guards come from the prefix:

    <out>/<header-dir>/P_events.h          always
    <out>/<header-dir>/P_events_client.h   always
    <out>/P_events.c                       always
    <out>/<header-dir>/P_fixtures.h        unless --no-fixtures
    <out>/P_fixtures.c                     unless --no-fixtures
    <out>/P_cli_main.c                     with --cli
    <out>/fixtures/...                     unless --no-fixtures

Only the standard library is used: checking a schema needs no jinja2.
"""

import re
from dataclasses import dataclass

from .keywords import keyword_kind

DEFAULT_PREFIX = "ugw"
RUNTIME_PREFIX = "ugw"          # the runtime's own names: ugw_*, UGW_*
PREFIX_MAX = 32
_PREFIX = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
_DIR_PART = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]*$")


@dataclass(frozen=True)
class CFile:
    """One kind of generated C file: `name` and `guard` are patterns over
    {p} (the prefix) and {P} (the prefix in upper case)."""

    kind: str           # events.h, events.c, ... (also the template, + ".j2")
    name: str
    purpose: str
    guard: str = None   # headers only
    fixtures: bool = False   # written unless --no-fixtures
    cli: bool = False        # written with --cli

    @property
    def header(self):
        return self.kind.endswith(".h")

    @property
    def template(self):
        return self.kind + ".j2"


C_FILES = (
    CFile("events.h", "{p}_events.h", "event types, structs and the encode/decode API", "{P}_EVENTS_H"),
    CFile("events.c", "{p}_events.c", "event descriptors and typed entry points"),
    CFile("events_client.h", "{p}_events_client.h", "typed delivery calls over the ugw client",
          "{P}_EVENTS_CLIENT_H"),
    CFile("fixtures.h", "{p}_fixtures.h", "the valid fixtures as C values", "{P}_FIXTURES_H", fixtures=True),
    CFile("fixtures.c", "{p}_fixtures.c", "the valid fixtures as C values", fixtures=True),
    CFile("cli_main.c", "{p}_cli_main.c", "main() of the schema's command over ugw_cli_main()", cli=True),
)


def expand(pattern, prefix):
    """`pattern` with {p} and {P} replaced by the prefix."""
    return pattern.replace("{p}", prefix).replace("{P}", prefix.upper())


@dataclass(frozen=True)
class Options:
    prefix: str = DEFAULT_PREFIX
    header_dir: str = ""         # "" or a relative folder, '/'-separated
    fixtures: bool = True
    cli: bool = False

    def wanted(self, cf):
        """Whether C file kind `cf` is written with these options."""
        return (self.fixtures or not cf.fixtures) and (self.cli or not cf.cli)

    def path(self, cf):
        """Path of `cf` under the output folder, '/'-separated."""
        name = expand(cf.name, self.prefix)
        return f"{self.header_dir}/{name}" if cf.header and self.header_dir else name


def prefix_problems(prefix):
    """Why `prefix` cannot start every generated name (a list, empty when fine)."""
    if not isinstance(prefix, str) or not _PREFIX.match(prefix):
        return [f"--prefix {prefix!r}: must be lower snake case: a lower-case letter, then lower-case "
                "letters, digits and single underscores, not ending in '_' (e.g. acme or acme_events)"]
    out = []
    if len(prefix) > PREFIX_MAX:
        out.append(f"--prefix {prefix!r}: longer than {PREFIX_MAX} characters")
    kind = keyword_kind(prefix)
    if kind:
        out.append(f"--prefix {prefix!r}: is a {kind} keyword")
    if prefix != RUNTIME_PREFIX and prefix.startswith(RUNTIME_PREFIX + "_"):
        out.append(f"--prefix {prefix!r}: {RUNTIME_PREFIX}_* names belong to the ugw runtime; "
                   f"use {RUNTIME_PREFIX} itself or a prefix of your own")
    return out


def header_dir_problems(header_dir):
    """Why `header_dir` cannot hold the headers (a list, empty when fine)."""
    if header_dir == "":
        return []
    parts = header_dir.split("/")
    if header_dir.startswith("/") or "\\" in header_dir or not all(_DIR_PART.match(p) for p in parts) \
            or any(p in (".", "..") for p in parts):
        return [f"--header-dir {header_dir!r}: must be a relative folder of letters, digits and _ . + - "
                "parts joined by '/' (no '..', no absolute path), e.g. acme"]
    if parts[0] == "fixtures":
        return [f"--header-dir {header_dir!r}: fixtures/ holds the generated fixture files"]
    return []


def normalize_header_dir(header_dir):
    """`header_dir` without leading './' or trailing '/'; '.' as ''."""
    d = (header_dir or "").strip()
    while d.startswith("./"):
        d = d[2:]
    d = d.rstrip("/")
    return "" if d in ("", ".") else d
