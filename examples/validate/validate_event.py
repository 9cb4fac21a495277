#!/usr/bin/python3
"""Validate webhook bodies with the JSON Schema that ugw exports.

    python3 validate_event.py events.schema.json BODY.json...

Prints `FILE: ok (EVENT)` or `FILE: invalid: REASON` per body; exits 1 when
any body is invalid. Needs Debian's python3-jsonschema. Get the schema with
`ugw schema export --format jsonschema > events.schema.json` (add --strict to
refuse unknown keys).

A receiver verifies the signature on the raw bytes first (webhook-id,
webhook-timestamp, webhook-signature), then parses and validates. The parse
below refuses what the schema cannot see: bytes that are not UTF-8, NaN and
Infinity, and duplicate keys.
"""

import json
import sys

from jsonschema import Draft202012Validator


def _no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key")
    return dict(pairs)


def _no_constants(name):
    raise ValueError(f"{name} is not JSON")


def check(validator, body):
    """None when `body` (bytes) is a valid event, else why not."""
    try:
        doc = json.loads(body.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except (UnicodeDecodeError, ValueError) as e:
        return f"not a JSON document: {e}"
    error = next(iter(validator.iter_errors(doc)), None)
    if error is None:
        return None
    where = ".".join(str(p) for p in error.absolute_path) or "-"
    return f"{where}: {error.message[:200]}"


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as f:
        validator = Draft202012Validator(json.load(f))
    bad = 0
    for path in argv[1:]:
        with open(path, "rb") as f:
            body = f.read()
        why = check(validator, body)
        if why:
            bad += 1
            print(f"{path}: invalid: {why}")
        else:
            print(f"{path}: ok ({json.loads(body)['event']})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
