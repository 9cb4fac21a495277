"""The JSON Schema side of the differential tests: what a receiver validates.

A receiver parses the bytes before it validates, so a verdict is "UTF-8,
then Python's json (NaN and Infinity refused), then the schema", and for
MessagePack "Debian's python3-msgpack (strings as UTF-8, keys strings, no
bin or ext), then the schema". Also the measures of a document that the
decoder limits (depth, tokens, unknown keys per object), for the documented
exception "limits of the decoder".
"""

import json

import msgpack

# The decoder's defaults (include/ugw/ugw_runtime.h, docs/CONTRACT.md).
MAX_DEPTH, MAX_TOKENS, MAX_INPUT, MAX_UNKNOWN_KEYS = 16, 1024, 1 << 20, 64


def _refuse_constant(name):
    raise ValueError(f"{name} is not JSON")


class _Refused(Exception):
    pass


def _plain(value):
    """A MessagePack value as JSON data; bin and ext are no JSON value."""
    if isinstance(value, (bytes, msgpack.ExtType)):
        raise _Refused("bin or ext")
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        if any(not isinstance(k, str) for k in value):
            raise _Refused("a key that is no string")
        return {k: _plain(v) for k, v in value.items()}
    return value


def parse(data, msgpack_format=False):
    """The document a receiver validates, or None when its bytes are no JSON
    text (not UTF-8, malformed, NaN/Infinity) or no MessagePack document
    of the JSON data model."""
    try:
        if msgpack_format:
            return _plain(msgpack.unpackb(data, raw=False, strict_map_key=True))
        return json.loads(data.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError, _Refused, msgpack.UnpackException,
            msgpack.ExtraData, TypeError):
        return None


def accepts(validator, data, msgpack_format=False):
    """The verdict of `validator` (a jsonschema validator) on the bytes `data`."""
    doc = parse(data, msgpack_format)
    return doc is not None and validator.is_valid(doc)


def measures(doc):
    """(depth, tokens) of a parsed document: nesting with the document at 1,
    and values plus keys (jsmn's tokens, MessagePack's items)."""
    if isinstance(doc, dict):
        inner = [measures(v) for v in doc.values()]
        return 1 + max((d for d, _ in inner), default=0), 1 + len(doc) + sum(t for _, t in inner)
    if isinstance(doc, list):
        inner = [measures(v) for v in doc]
        return 1 + max((d for d, _ in inner), default=0), 1 + sum(t for _, t in inner)
    return 1, 1


def over_decoder_limits(data, doc):
    """Whether the document (bytes `data`, parsed `doc`) is beyond one of the
    decoder's default limits, which JSON Schema cannot say."""
    if len(data) > MAX_INPUT:
        return True
    if doc is None:
        return False
    depth, tokens = measures(doc)
    return depth > MAX_DEPTH or tokens > MAX_TOKENS
