#!/usr/bin/env python3
"""ugw codegen: a TOML schema of webhook events -> C bindings and fixtures.

    ugw_codegen.py [--schema FILE] [--out DIR] [--prefix P] [--header-dir SUB]
                   [--no-fixtures] [--cli] [--name NAME] [--check] [--stamp FILE]
    ugw_codegen.py --refresh-runtime-names
    ugw_codegen.py diff [--json] [--strict] [--check-version] OLD.toml NEW.toml

Writes, with P the prefix (default ugw) and SUB the header folder (default
none):

    DIR/SUB/P_events.h         types, the P_EVENT_<ID>_INIT macros (C) and
                               P_event_init() (C and C++), encode/decode API
    DIR/SUB/P_events_client.h  P_client_enqueue(), P_client_send(): typed
                               delivery over the ugw client (static inline)
    DIR/P_events.c             descriptors and entry points
    DIR/SUB/P_fixtures.h, DIR/P_fixtures.c, DIR/fixtures/   unless --no-fixtures
    DIR/P_cli_main.c           with --cli: main() of the schema's command

Every generated name starts with P_ or P_ in upper case (acme_event,
ACME_EVENT_COUNT); the runtime's own names stay ugw_*. The headers include
the runtime as <ugw/ugw_runtime.h> and compile as C11 and as C++11; in C++
before C++20, where designated initialisers are missing, start an event with
`P_event ev = P_event_init(P_EVENT_<ID>);` or a payload with
`P_<id> v = P_<ID>_INIT;`.

--check only loads and checks the schema (with the prefix's names). Errors
are printed as `file:line: message`; the exit status is 1 on any schema
error, 2 on a usage error (a bad prefix or header folder too). Output is
byte-for-byte deterministic. --refresh-runtime-names rewrites
codegen/ugwgen/runtime_names.txt from include/ugw/*.h (in the source tree).

`diff` compares two versions of a schema and classifies every change as
compatible or breaking for receivers and for senders (ugwgen/diff.py).
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

try:
    from ugwgen import VERSION, load as load_mod, check as check_mod, model as model_mod  # noqa: E402
    from ugwgen import names as names_mod, outputs, include as include_mod  # noqa: E402
except ImportError as _e:          # ugwgen.VersionError: no version to print
    if not str(_e).startswith("ugw codegen:"):
        raise
    print(_e, file=sys.stderr)
    sys.exit(2)


def _usage_error(ap, messages):
    for msg in messages:
        print(f"ugw codegen: {msg}", file=sys.stderr)
    ap.print_usage(sys.stderr)
    return 2


def _make_path(path):
    """An absolute path as a Makefile rule writes it (spaces, '#' and '$' escaped)."""
    p = os.path.abspath(path)
    return p.replace("\\", "/").replace("$", "$$").replace("#", "\\#").replace(" ", "\\ ")


def write_depfile(depfile, target, sources):
    """Writes `target: sources...` (absolute paths), whole or not at all."""
    text = _make_path(target) + ": " + " \\\n  ".join(_make_path(s) for s in sources) + "\n"
    tmp = depfile + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, depfile)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["diff"]:
        from ugwgen import diff as diff_mod
        return diff_mod.main(argv[1:])
    ap = argparse.ArgumentParser(prog="ugw_codegen", description=__doc__.split("\n\n")[0])
    ap.add_argument("--schema", default="schema/events.toml", help="schema file (TOML)")
    ap.add_argument("--out", default="generated", help="output folder")
    ap.add_argument("--prefix", default=outputs.DEFAULT_PREFIX,
                    help="prefix of every generated name, lower snake case (default: %(default)s)")
    ap.add_argument("--header-dir", default="", metavar="SUB",
                    help="write the headers to OUT/SUB/ and include them as \"SUB/P_events.h\" (default: OUT/)")
    ap.add_argument("--no-fixtures", action="store_true",
                    help="write no fixtures: no P_fixtures.h/.c and no OUT/fixtures/")
    ap.add_argument("--cli", action="store_true", help="also write P_cli_main.c, main() of the schema's command")
    ap.add_argument("--name", help="schema name printed in banners (default: --schema as given)")
    ap.add_argument("--check", action="store_true", help="check the schema only; write nothing")
    ap.add_argument("--stamp", help="touch this file after a successful run (for build systems)")
    ap.add_argument("--depfile", help="with --stamp: write a Makefile rule 'STAMP: SCHEMA INCLUDED...' "
                    "naming every schema file read (for build systems)")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--refresh-runtime-names", action="store_true",
                    help="rewrite codegen/ugwgen/runtime_names.txt from include/ugw/*.h and exit")
    ap.add_argument("--version", action="version", version=f"ugw codegen {VERSION}")
    args = ap.parse_args(argv)

    if args.refresh_runtime_names:
        try:
            changed, count = names_mod.refresh_runtime_names()
        except OSError as e:
            print(f"ugw codegen: cannot refresh the runtime names: {e}", file=sys.stderr)
            return 2
        if not args.quiet:
            print(f"ugw codegen: {count} runtime names in {os.path.relpath(names_mod.RUNTIME_NAMES_FILE)}"
                  f" ({'rewritten' if changed else 'unchanged'})")
        return 0

    if args.depfile and not args.stamp:
        return _usage_error(ap, ["--depfile needs --stamp (the target of its rule)"])
    # step 0: the options
    header_dir = outputs.normalize_header_dir(args.header_dir)
    problems = check_mod.prefix_errors(args.prefix) + outputs.header_dir_problems(header_dir)
    if problems:
        return _usage_error(ap, problems)
    opts = outputs.Options(prefix=args.prefix, header_dir=header_dir, fixtures=not args.no_fixtures,
                           cli=args.cli)
    # step 1: load
    try:
        loc = include_mod.load_schema(args.schema)
    except load_mod.LoadError as e:
        print(e, file=sys.stderr)
        return 1
    except OSError as e:
        print(f"{args.schema}:1: cannot read: {e.strerror}", file=sys.stderr)
        return 1
    # step 2: check
    errors = check_mod.check(loc, opts.prefix)
    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        print(f"ugw codegen: {len(errors)} error(s) in {args.schema}", file=sys.stderr)
        return 1
    if args.check:
        return 0
    # step 3: model
    m = model_mod.build(loc, args.name or args.schema.replace(os.sep, "/"), opts)
    # step 4: render
    from ugwgen import render as render_mod
    files = render_mod.render(m)
    changed = render_mod.write(files, args.out, m)
    if not args.quiet:
        print(f"ugw codegen {VERSION}: {len(files)} files in {args.out}, {len(changed)} changed")
    if args.depfile:
        write_depfile(args.depfile, args.stamp, loc.sources)
    if args.stamp:
        with open(args.stamp, "w") as f:
            f.write("ok\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
