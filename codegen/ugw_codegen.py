#!/usr/bin/env python3
"""ugw codegen: schema/events.toml -> generated/ (C bindings and fixtures).

    ugw_codegen.py [--schema FILE] [--out DIR] [--check] [--name NAME] [--stamp FILE]

--check only loads and checks the schema. Errors are printed as
`file:line: message`; the exit status is 1 on any schema error, 2 on a usage
error. Output is byte-for-byte deterministic.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from ugwgen import VERSION, load as load_mod, check as check_mod, model as model_mod  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(prog="ugw_codegen", description=__doc__.split("\n\n")[0])
    ap.add_argument("--schema", default="schema/events.toml", help="schema file (TOML)")
    ap.add_argument("--out", default="generated", help="output folder")
    ap.add_argument("--name", help="schema name printed in banners (default: --schema as given)")
    ap.add_argument("--check", action="store_true", help="check the schema only; write nothing")
    ap.add_argument("--stamp", help="touch this file after a successful run (for build systems)")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--version", action="version", version=f"ugw codegen {VERSION}")
    args = ap.parse_args(argv)

    # step 1: load
    try:
        loc = load_mod.load(args.schema)
    except load_mod.LoadError as e:
        print(e, file=sys.stderr)
        return 1
    except OSError as e:
        print(f"{args.schema}:1: cannot read: {e.strerror}", file=sys.stderr)
        return 1
    # step 2: check
    errors = check_mod.check(loc)
    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        print(f"ugw codegen: {len(errors)} error(s) in {args.schema}", file=sys.stderr)
        return 1
    if args.check:
        return 0
    # step 3: model
    m = model_mod.build(loc, args.name or args.schema.replace(os.sep, "/"))
    # step 4: render
    from ugwgen import render as render_mod
    files = render_mod.render(m)
    changed = render_mod.write(files, args.out)
    if not args.quiet:
        print(f"ugw codegen {VERSION}: {len(files)} files in {args.out}, {len(changed)} changed")
    if args.stamp:
        with open(args.stamp, "w") as f:
            f.write("ok\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
