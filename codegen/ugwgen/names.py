"""The C names the generated code declares, and those it must not redeclare.

`check` uses this to refuse a schema (or a prefix) whose names would clash in C:

  - fixed names: every identifier the templates write as `{{ p }}_...` or
    `{{ P }}_...` (p: the prefix, P: the prefix in upper case) and nothing
    else: P_event, P_encode, P_EVENT_COUNT, P_EVENT_NONE, ... plus the include
    guards of outputs.C_FILES;
  - per-event names: the template identifiers built from the prefix and
    `{{ e.id }}` or `{{ e.macro }}` (P_<id>, P_<id>_validate,
    P_EVENT_<ID>_INIT, ...), expanded for one event;
  - per-field names: those built from the prefix and `{{ f.macro }}` or
    `{{ f.c_name }}` (P_FIELD_<NAME>_MIN, ...), expanded for one shared field;
  - per-enum names: those built from the prefix and `{{ en.c_name }}`,
    `{{ en.macro }}` or `{{ v.macro }}` (P_<name>, P_<NAME>_UNKNOWN,
    P_<NAME>_<VALUE>, ...), expanded for one enum field and its values;
  - per-event field names: those built from both (P_<EVENT>_<FIELD>_MIN, ...),
    expanded for a field an event defines or overrides ([event.field.NAME]);
  - per-object names: those built from the prefix and `{{ o.c_name }}`
    (P_<object>, the struct of an object type), expanded for one object;
  - runtime names: every ugw_*/UGW_* identifier in the code (not the comments
    or string literals) of the public runtime headers include/ugw/*.h. The
    generator does not read those headers when it runs: it ships their names
    in runtime_names.txt beside this file, which `refresh_runtime_names()`
    (ugw_codegen.py --refresh-runtime-names) rewrites from the headers and
    the codegen tests keep honest.

Template names are read from the templates themselves, so a new template
identifier is covered without editing a list here (the codegen tests check
that every name in a generation is one of these). A name a template writes
with a literal ugw_/UGW_ is the runtime's, whatever the prefix. Only the
standard library is used: checking a schema needs no jinja2.
"""

import functools
import os
import re

from . import outputs

CODEGEN_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT_DIR = os.path.dirname(CODEGEN_DIR)
TEMPLATES_DIR = os.path.join(CODEGEN_DIR, "templates")
INCLUDE_DIR = os.path.join(ROOT_DIR, "include", "ugw")
RUNTIME_NAMES_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "runtime_names.txt")
REFRESH_COMMAND = "python3 codegen/ugw_codegen.py --refresh-runtime-names"

# C comments, string and character literals and the <file> of an #include:
# no declarations in there.
_C_NOISE = re.compile(r"""/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'"""
                      r"""|^[ \t]*#[ \t]*include[ \t]*<[^>\n]*>""", re.S | re.M)
_JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)
_PLACEHOLDER = r"\{\{-?\s*[A-Za-z_][\w.]*\s*-?\}\}"
_PREFIX_PLACEHOLDER = r"\{\{-?\s*[pP]\s*-?\}\}"
# A name: the prefix placeholder, ugw or UGW, then _, word characters and
# {{ placeholders }}, longest.
_NAME = re.compile(r"(?<![\w}])(?:" + _PREFIX_PLACEHOLDER + r"|ugw|UGW)_(?:\w|" + _PLACEHOLDER + r")*")
_ONE_PLACEHOLDER = re.compile(r"\{\{-?\s*([A-Za-z_][\w.]*)\s*-?\}\}")
_RUNTIME_NAME = re.compile(r"\b(?:ugw|UGW)_\w*")

PREFIX_PLACEHOLDERS = frozenset({"p", "P"})
EVENT_PLACEHOLDERS = frozenset({"e.id", "e.macro"})
FIELD_PLACEHOLDERS = frozenset({"f.macro", "f.c_name"})
# The C enum of an enum field (`en`), one constant per value (`v`).
ENUM_PLACEHOLDERS = frozenset({"en.c_name", "en.macro", "v.macro"})
OBJECT_PLACEHOLDERS = frozenset({"o.c_name"})


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
    """`text` with C comments, string/character literals and #include <...>
    file names blanked out."""
    return _C_NOISE.sub(_blank, text)


def _rel(path):
    return os.path.relpath(path, ROOT_DIR).replace(os.sep, "/")


def _where(path, text, pos):
    return f"{_rel(path)}:{text.count(chr(10), 0, pos) + 1}"


class TemplateNames:
    """The names the templates print: `fixed` {pattern: where}; `event` and
    `field` and `object` lists of (pattern, where), a pattern being the identifier with its
    placeholders; `runtime` {name: where} of the ugw_*/UGW_* names written
    literally (the runtime's); `unknown` (pattern, where) built in a way not
    understood here (a template change that names.py must learn);
    `event_field` those built from an event's and a field's placeholders."""

    def __init__(self):
        self.fixed, self.event, self.field, self.runtime, self.unknown = {}, [], [], {}, []
        self.enum = []
        self.event_field = []
        self.object = []


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
            used = _ONE_PLACEHOLDER.findall(name)
            prefixed = bool(used) and used[0] in PREFIX_PLACEHOLDERS and name.startswith("{")
            rest = set(used[1:] if prefixed else used)
            if code.startswith(("{", "~"), m.end()) or name.endswith("_") and not rest:
                out.unknown.append((name, where))      # P_{% if %}..., "P_" ~ x
            elif not prefixed:
                if rest:
                    out.unknown.append((name, where))  # ugw_{{ e.id }}: the runtime has no such name
                else:
                    out.runtime.setdefault(name, where)
            elif not rest:
                out.fixed.setdefault(name, where)
            elif name in seen:
                continue
            elif rest <= EVENT_PLACEHOLDERS:
                out.event.append((name, where))
            elif rest <= FIELD_PLACEHOLDERS:
                out.field.append((name, where))
            elif rest <= ENUM_PLACEHOLDERS:
                out.enum.append((name, where))
            elif rest <= EVENT_PLACEHOLDERS | FIELD_PLACEHOLDERS:
                out.event_field.append((name, where))
            elif rest <= OBJECT_PLACEHOLDERS:
                out.object.append((name, where))
            else:
                out.unknown.append((name, where))
            seen.add(name)
    outputs_py = os.path.join(os.path.dirname(os.path.abspath(__file__)), "outputs.py")
    for cf in outputs.C_FILES:
        if cf.guard:
            guard = cf.guard.replace("{P}", "{{ P }}")
            out.fixed.setdefault(guard, f"{_rel(outputs_py)} (include guard of {cf.name})")
    return out


def _expand(pattern, values):
    return _ONE_PLACEHOLDER.sub(lambda m: values[m.group(1)], pattern)


def _prefix_values(prefix):
    return {"p": prefix, "P": prefix.upper()}


def event_names(event_id, prefix=outputs.DEFAULT_PREFIX):
    """Every name the generated code declares for one event, in template
    order, once each."""
    values = dict(_prefix_values(prefix), **{"e.id": event_id, "e.macro": event_macro(event_id)})
    return list(dict.fromkeys(_expand(p, values) for p, _ in template_names().event))


def field_names(c_name, prefix=outputs.DEFAULT_PREFIX):
    """Every name the generated code declares for one shared field."""
    values = dict(_prefix_values(prefix), **{"f.c_name": c_name, "f.macro": field_macro(c_name)})
    return list(dict.fromkeys(_expand(p, values) for p, _ in template_names().field))


def enum_names(c_name, value_macros, prefix=outputs.DEFAULT_PREFIX):
    """Every name the generated code declares for the C enum of one enum
    field whose values make the constants `value_macros` (CLICK, ...)."""
    values = dict(_prefix_values(prefix), **{"en.c_name": c_name, "en.macro": field_macro(c_name)})
    out = []
    for p, _ in template_names().enum:
        if "v.macro" in _ONE_PLACEHOLDER.findall(p):
            out += [_expand(p, dict(values, **{"v.macro": v})) for v in value_macros]
        else:
            out.append(_expand(p, values))
    return list(dict.fromkeys(out))
def object_names(c_name, prefix=outputs.DEFAULT_PREFIX):
    """Every name the generated code declares for one object type."""
    values = dict(_prefix_values(prefix), **{"o.c_name": c_name})
    return list(dict.fromkeys(_expand(p, values) for p, _ in template_names().object))


def event_field_names(event_id, c_name, prefix=outputs.DEFAULT_PREFIX):
    """Every name the generated code declares for a field that event
    `event_id` defines or overrides (its own limits)."""
    values = dict(_prefix_values(prefix), **{"e.id": event_id, "e.macro": event_macro(event_id),
                                             "f.c_name": c_name, "f.macro": field_macro(c_name)})
    return list(dict.fromkeys(_expand(p, values) for p, _ in template_names().event_field))


def fixed_names(prefix=outputs.DEFAULT_PREFIX):
    """{name: where} of the names the generated code always declares."""
    values = _prefix_values(prefix)
    return {_expand(p, values): where for p, where in template_names().fixed.items()}


# --- runtime names: shipped in runtime_names.txt, extracted from include/ugw ---

def extract_runtime_names(include_dir=INCLUDE_DIR):
    """{name: '<path>:<line>'} of every ugw_*/UGW_* identifier in the code of
    the headers in `include_dir` (first place each; ugw_runtime.h first).
    Empty without the folder."""
    out = {}
    if not os.path.isdir(include_dir):
        return out
    for fn in sorted(os.listdir(include_dir), key=lambda fn: (fn != "ugw_runtime.h", fn)):
        if not fn.endswith(".h"):
            continue
        path = os.path.join(include_dir, fn)
        with open(path, encoding="utf-8", errors="replace") as f:
            code = strip_c(f.read())
        for m in _RUNTIME_NAME.finditer(code):
            out.setdefault(m.group(0), _where(path, code, m.start()))
    return out


_LIST_HEAD = f"""\
# The ugw runtime's names: every ugw_*/UGW_* identifier in the code (not the
# comments or string literals) of include/ugw/*.h, with the header that first
# uses it. `check` refuses generated names that are among them. The generator
# ships this list instead of reading the headers when it runs.
# DO NOT EDIT: refresh it with  {REFRESH_COMMAND}
"""


def runtime_names_text(found):
    """The text of runtime_names.txt for extract_runtime_names()'s result."""
    rows = [f"{name} {where.rsplit(':', 1)[0]}" for name, where in sorted(found.items())]
    return _LIST_HEAD + "\n".join(rows) + "\n"


def refresh_runtime_names(include_dir=INCLUDE_DIR, path=RUNTIME_NAMES_FILE):
    """Rewrites runtime_names.txt from the headers; returns (changed, count)."""
    found = extract_runtime_names(include_dir)
    if not found:
        raise OSError(f"no ugw_*/UGW_* names in {include_dir}/*.h (is it the ugw source tree?)")
    text = runtime_names_text(found)
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return False, len(found)
    except FileNotFoundError:
        pass
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(path + ".tmp", path)
    runtime_names.cache_clear()
    return True, len(found)


@functools.lru_cache(maxsize=None)
def runtime_names(path=RUNTIME_NAMES_FILE):
    """{name: 'include/ugw/<header>'} from the shipped runtime_names.txt."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                name, where = line.split(None, 1)
                out[name] = where
    return out
