"""Step 4, render: the model through the jinja2 templates, plus fixture bytes.

`render()` returns {relative path: bytes}; `write()` puts them on disk,
touching only files whose bytes changed and removing generated files that the
schema no longer makes.
"""

import os

from . import fixtures

TEMPLATES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "templates")

C_FILES = (
    ("ugw_events.h", "events.h.j2", "event types, structs and the encode/decode API", "UGW_EVENTS_H"),
    ("ugw_events.c", "events.c.j2", "event descriptors and typed entry points", None),
    ("ugw_fixtures.h", "fixtures.h.j2", "the valid fixtures as C values", "UGW_FIXTURES_H"),
    ("ugw_fixtures.c", "fixtures.c.j2", "the valid fixtures as C values", None),
)


def _environment():
    try:
        import jinja2
    except ImportError:
        raise SystemExit("ugw codegen: jinja2 is missing; install Debian's python3-jinja2 "
                         "(apt-get install python3-jinja2) and use /usr/bin/python3")
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )


def render(model):
    env = _environment()
    out = {}
    for name, template, purpose, guard in C_FILES:
        text = env.get_template(template).render(m=model, filename=name, purpose=purpose, guard=guard)
        out[name] = text.encode("utf-8")
    for name, data in fixtures.valid(model).items():
        out["fixtures/valid/" + name] = data
    cases = fixtures.invalid(model)
    for c in cases:
        out[f"fixtures/invalid/n_{c.name}.json"] = c.json
        out[f"fixtures/invalid/n_{c.name}.msgpack"] = c.msgpack
    banner = f"Generated from {model.schema_file_line} by ugw codegen {model.codegen_version}. DO NOT EDIT."
    out["fixtures/invalid/MANIFEST.tsv"] = fixtures.manifest(cases, banner)
    out["fixtures/README.md"] = (
        banner + "\n\n"
        "- `valid/<event id>.json|.msgpack`: one valid document per event, from the schema's examples.\n"
        "- `invalid/n_<case>.json|.msgpack`: documents that must be rejected; `invalid/MANIFEST.tsv`\n"
        "  gives each file's expected error code, field path (`-`: the document) and mode\n"
        "  (`strict`: rejected only when unknown keys are rejected).\n").encode()
    return dict(sorted(out.items()))


def write(files, out_dir):
    """Writes `files` under out_dir; returns the list of paths that changed."""
    changed = []
    for rel, data in files.items():
        path = os.path.join(out_dir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        try:
            with open(path, "rb") as f:
                if f.read() == data:
                    continue
        except FileNotFoundError:
            pass
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        changed.append(rel)
    # Remove generated files that are no longer produced (only in our own folders).
    for sub in ("fixtures/valid", "fixtures/invalid"):
        d = os.path.join(out_dir, sub)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            rel = f"{sub}/{name}"
            if rel not in files:
                os.remove(os.path.join(d, name))
                changed.append(rel + " (removed)")
    return changed
