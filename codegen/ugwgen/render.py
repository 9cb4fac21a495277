"""Step 4, render: the model through the jinja2 templates, plus fixture bytes.

`render()` returns {relative path: bytes}; `write()` puts them on disk,
touching only files whose bytes changed and removing the generator's own
earlier outputs that this generation no longer makes.
"""

import os

from . import export, fixtures, outputs

TEMPLATES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "templates")
FIXTURE_DIRS = ("fixtures/valid", "fixtures/invalid")


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


def banner_line(model):
    """The one-line banner of the non-C files."""
    return f"Generated from {model.schema_file_line} by ugw codegen {model.codegen_version}. DO NOT EDIT."


def render(model):
    env = _environment()
    out = {}
    # The exported documents (export.py): files of their own, and C string
    # literals for the command's main() (m.exports in cli_main.c.j2).
    docs = export.documents(model)
    out.update(export.files(model, docs))
    model.exports = export.c_documents(model, docs)
    for f in model.files:
        text = env.get_template(f.template).render(m=model, p=model.prefix, P=model.prefix_upper,
                                                   filename=f.name, purpose=f.purpose, guard=f.guard)
        out[f.path] = text.encode("utf-8")
    if model.fixtures:
        for name, data in fixtures.valid(model).items():
            out["fixtures/valid/" + name] = data
        cases = fixtures.invalid(model)
        for c in cases:
            out[f"fixtures/invalid/n_{c.name}.json"] = c.json
            out[f"fixtures/invalid/n_{c.name}.msgpack"] = c.msgpack
        banner = banner_line(model)
        out["fixtures/invalid/MANIFEST.tsv"] = fixtures.manifest(cases, banner)
        out["fixtures/README.md"] = (
            banner + "\n\n"
            "- `valid/<event id>.json|.msgpack`: one valid document per event, from the schema's examples.\n"
            "- `invalid/n_<case>.json|.msgpack`: documents that must be rejected; `invalid/MANIFEST.tsv`\n"
            "  gives each file's expected error code, field path (`-`: the document) and mode\n"
            "  (`strict`: rejected only when unknown keys are rejected).\n").encode()
    return dict(sorted(out.items()))


def _ours(path):
    """Whether the file at `path` is one this generator wrote (its banner)."""
    try:
        with open(path, "rb") as f:
            head = f.read(1024)
    except OSError:
        return False
    return b"by ugw codegen " in head and b"DO NOT EDIT" in head


def _remove(out_dir, rel, changed):
    os.remove(os.path.join(out_dir, rel))
    changed.append(rel + " (removed)")


def write(files, out_dir, model=None):
    """Writes `files` under out_dir; returns the list of paths that changed.

    Then removes what an earlier run wrote and this one does not: files in
    fixtures/valid and fixtures/invalid that are not in `files` (all of them,
    and fixtures/README.md, when this run writes no fixtures and the folder
    carries this generator's banner), and, given the `model`, the C files of
    its prefix that this run does not write, at the top of out_dir or in its
    header folder, when they carry the banner. Nothing else is touched."""
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
    writes_fixtures = any(rel.startswith("fixtures/") for rel in files)
    fixtures_ours = writes_fixtures or _ours(os.path.join(out_dir, "fixtures", "README.md")) \
        or _ours(os.path.join(out_dir, "fixtures", "invalid", "MANIFEST.tsv"))
    if fixtures_ours:
        for sub in FIXTURE_DIRS:
            d = os.path.join(out_dir, sub)
            if not os.path.isdir(d):
                continue
            for name in sorted(os.listdir(d)):
                rel = f"{sub}/{name}"
                if rel not in files and os.path.isfile(os.path.join(d, name)):
                    _remove(out_dir, rel, changed)
        if not writes_fixtures:
            if _ours(os.path.join(out_dir, "fixtures", "README.md")):
                _remove(out_dir, "fixtures/README.md", changed)
            for sub in (*FIXTURE_DIRS, "fixtures"):
                try:
                    os.rmdir(os.path.join(out_dir, sub))      # only when empty
                except OSError:
                    pass
    if model is not None:
        for cf in outputs.C_FILES:
            name = outputs.expand(cf.name, model.prefix)
            for rel in dict.fromkeys((name, f"{model.header_dir}/{name}" if model.header_dir else name)):
                if rel not in files and _ours(os.path.join(out_dir, rel)):
                    _remove(out_dir, rel, changed)
    return changed
