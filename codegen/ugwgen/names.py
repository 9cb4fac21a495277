"""The C names the generated code declares, and those it must not redeclare.

`check` uses this to refuse a schema whose names would clash in C:

  - fixed names: every ugw_*/UGW_* identifier written literally in the code of
    the templates (ugw_event, ugw_encode, UGW_EVENT_COUNT, UGW_EVENT_NONE, ...)
    plus the include guards of render.C_FILES;
  - per-event names: the template identifiers built from `{{ e.id }}` or
    `{{ e.macro }}` (ugw_<id>, ugw_<id>_validate, UGW_EVENT_<ID>_INIT, ...),
    expanded for one event;
  - per-field names: those built from `{{ f.macro }}` or `{{ f.c_name }}`
    (UGW_FIELD_<NAME>_MIN, ...), expanded for one shared field;
  - runtime names: every ugw_*/UGW_* identifier in the code (not the comments
    or string literals) of the runtime headers, runtime/*.h beside codegen/.

All of them are read from the files themselves, so a new template identifier
or runtime declaration is covered without editing a list here (the codegen
tests check that every name in a generation is one of these). Only the
standard library is used: checking a schema needs no jinja2.
"""

import functools
import os
import re

from . import render

CODEGEN_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT_DIR = os.path.dirname(CODEGEN_DIR)
TEMPLATES_DIR = render.TEMPLATES
RUNTIME_DIR = os.path.join(ROOT_DIR, "runtime")

# C comments, string and character literals: no declarations in there.
_C_NOISE = re.compile(r"""/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'""", re.S)
_JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)
_PLACEHOLDER = r"\{\{-?\s*[A-Za-z_][\w.]*\s*-?\}\}"
# A name: ugw_ or UGW_, then word characters and {{ placeholders }}, longest.
_NAME = re.compile(r"(?<![\w}])(?:ugw|UGW)_(?:\w|" + _PLACEHOLDER + r")*")
_ONE_PLACEHOLDER = re.compile(r"\{\{-?\s*([A-Za-z_][\w.]*)\s*-?\}\}")
_RUNTIME_NAME = re.compile(r"\b(?:ugw|UGW)_\w*")

EVENT_PLACEHOLDERS = frozenset({"e.id", "e.macro"})
FIELD_PLACEHOLDERS = frozenset({"f.macro", "f.c_name"})


def event_macro(event_id):
    """guide_preview_start -> GUIDE_PREVIEW_START (Event.macro in the model)."""
    return event_id.upper()


def field_macro(c_name):
    """user_id -> USER_ID (Field.macro in the model)."""
    return c_name.upper()


def _blank(m):
    """The match as spaces, newlines kept, so that line numbers stay."""
    return re.sub(r"[^\n]", " ", m.group(0))


def strip_c(text):
    """`text` with C comments and string/character literals blanked out."""
    return _C_NOISE.sub(_blank, text)


def _where(path, text, pos):
    return f"{os.path.relpath(path, ROOT_DIR).replace(os.sep, '/')}:{text.count(chr(10), 0, pos) + 1}"


class TemplateNames:
    """The names the templates print: `fixed` {name: where}; `event` and
    `field` lists of (pattern, where), a pattern being the identifier with its
    placeholders; `unknown` (pattern, where) built in a way not understood
    here (a template change that names.py must learn)."""

    def __init__(self):
        self.fixed, self.event, self.field, self.unknown = {}, [], [], []


@functools.lru_cache(maxsize=None)
def template_names(templates_dir=TEMPLATES_DIR):
    out = TemplateNames()
    seen = set()
    # Headers first, so that a name is shown where it is declared.
    for fn in sorted(os.listdir(templates_dir), key=lambda fn: (not fn.endswith(".h.j2"), fn)):
        if not fn.endswith(".j2"):
            continue
        path = os.path.join(templates_dir, fn)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        code = strip_c(_JINJA_COMMENT.sub(_blank, text))
        for m in _NAME.finditer(code):
            name, where = m.group(0), _where(path, code, m.start())
            used = set(_ONE_PLACEHOLDER.findall(name))
            if code.startswith(("{", "~"), m.end()) or name.endswith("_") and not used:
                out.unknown.append((name, where))      # ugw_{% if %}..., "ugw_" ~ x
            elif not used:
                out.fixed.setdefault(name, where)
            elif name in seen:
                continue
            elif used <= EVENT_PLACEHOLDERS:
                out.event.append((name, where))
            elif used <= FIELD_PLACEHOLDERS:
                out.field.append((name, where))
            else:
                out.unknown.append((name, where))
            seen.add(name)
    render_py = os.path.join(os.path.dirname(os.path.abspath(__file__)), "render.py")
    for name, _template, _purpose, guard in render.C_FILES:
        if guard:
            out.fixed.setdefault(guard, f"{os.path.relpath(render_py, ROOT_DIR)} (include guard of {name})")
    return out


def _expand(pattern, values):
    return _ONE_PLACEHOLDER.sub(lambda m: values[m.group(1)], pattern)


def event_names(event_id):
    """Every ugw_*/UGW_* name the generated code declares for one event, in
    template order, once each."""
    values = {"e.id": event_id, "e.macro": event_macro(event_id)}
    return list(dict.fromkeys(_expand(p, values) for p, _ in template_names().event))


def field_names(c_name):
    """Every ugw_*/UGW_* name the generated code declares for one shared field."""
    values = {"f.c_name": c_name, "f.macro": field_macro(c_name)}
    return list(dict.fromkeys(_expand(p, values) for p, _ in template_names().field))


def fixed_names():
    """{name: where} of the names the generated code always declares."""
    return template_names().fixed


@functools.lru_cache(maxsize=None)
def runtime_names(runtime_dir=RUNTIME_DIR):
    """{name: 'runtime/<header>:<line>'} of every ugw_*/UGW_* identifier in the
    code of the runtime headers (first place each). Empty without the folder."""
    out = {}
    if not os.path.isdir(runtime_dir):
        return out
    # The public header first, so that a name is shown where it is declared.
    for fn in sorted(os.listdir(runtime_dir), key=lambda fn: (fn != "ugw_runtime.h", fn)):
        if not fn.endswith(".h"):
            continue
        path = os.path.join(runtime_dir, fn)
        with open(path, encoding="utf-8", errors="replace") as f:
            code = strip_c(f.read())
        for m in _RUNTIME_NAME.finditer(code):
            out.setdefault(m.group(0), _where(path, code, m.start()))
    return out
