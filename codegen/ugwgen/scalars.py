"""The enum, number and timestamp types: their rules as `check` states them,
and their values as the model, the fixtures and the exporters need them.

The C runtime's rules (runtime/codec/ugw_scalar.c, ugw_timestamp.c) are the
reference; docs/SCHEMA.md describes both. Only the standard library.
"""

import datetime
import math
import re

# Unix milliseconds of 0001-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z
TS_MIN, TS_MAX = -62135596800000, 253402300799999
DBL_MAX = 1.7976931348623157e+308
ENUM_VALUE_MAX = 255          # bytes of one enum value
ENUM_VALUES_MAX = 1024        # values of one enum
UNKNOWN_MODES = ("strict", "lenient")

_RFC3339 = re.compile(r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
                      r"(?:([Zz])|([+-])(\d{2}):(\d{2}))")
_EPOCH = datetime.datetime(1970, 1, 1)


def enum_const(value):
    """The C constant part of an enum value: "page-view" -> PAGE_VIEW ("" when
    the value has no ASCII letter or digit)."""
    return re.sub(r"[^A-Za-z0-9]+", "_", value).strip("_").upper()


def enum_problem(values):
    """Why `values` cannot be an enum's `values`, or None."""
    if not isinstance(values, list) or not values:
        return "type enum needs 'values', a non-empty list of strings"
    if len(values) > ENUM_VALUES_MAX:
        return f"more than {ENUM_VALUES_MAX} values"
    consts = {}
    for v in values:
        if not isinstance(v, str) or not v:
            return "every value must be a non-empty string"
        try:
            n = len(v.encode("utf-8"))
        except UnicodeEncodeError:
            return f"value {v!r} is not valid UTF-8 (lone surrogate)"
        if "\x00" in v or n > ENUM_VALUE_MAX:
            return f"value {v!r} must be 1 to {ENUM_VALUE_MAX} bytes without NUL"
        c = enum_const(v)
        if not c:
            return f"value {v!r} makes no C constant (it needs an ASCII letter or digit)"
        if c == "UNKNOWN":
            return f"value {v!r} makes the constant _UNKNOWN, which stands for an unknown value"
        if c in consts:
            return (f"values {consts[c]!r} and {v!r} make the same C constant _{c}"
                    if consts[c] != v else f"value {v!r} is listed twice")
        consts[c] = v
    return None


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def number_value(v):
    """A TOML number as the double C holds, or None when it is none (NaN,
    infinite, beyond a double)."""
    if not is_number(v):
        return None
    try:
        f = float(v)
    except OverflowError:
        return None
    return f if math.isfinite(f) else None


def timestamp_ms(v):
    """Unix milliseconds of a TOML offset date-time or an RFC 3339 string, as
    ugw_timestamp_parse() reads it; None when it is neither, names no real
    day and time, or falls outside years 0001..9999 in UTC."""
    if isinstance(v, datetime.datetime):
        if v.tzinfo is None or v.utcoffset() is None:
            return None
        off = v.utcoffset()
        local = v.replace(tzinfo=None)
        delta = local - _EPOCH - off
        ms = (delta.days * 86400 + delta.seconds) * 1000 + delta.microseconds // 1000
    elif isinstance(v, str):
        m = _RFC3339.fullmatch(v)
        if not m:
            return None
        y, mo, d, h, mi, s, frac, z, sign, oh, om = m.groups()
        if int(oh or 0) > 23 or int(om or 0) > 59:
            return None
        try:
            local = datetime.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s))
        except ValueError:
            return None
        off = 0 if z else (int(oh) * 60 + int(om)) * (-1 if sign == "-" else 1)
        delta = local - _EPOCH
        ms = (delta.days * 86400 + delta.seconds) * 1000 + int((frac or "").ljust(3, "0")[:3]) - off * 60000
    else:
        return None
    return ms if TS_MIN <= ms <= TS_MAX else None


def timestamp_text(ms):
    """The one form encoders write: YYYY-MM-DDTHH:MM:SS.sssZ."""
    t = _EPOCH + datetime.timedelta(milliseconds=ms)
    return f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}.{ms % 1000:03d}Z"


def c_double(v):
    """A C double literal that reads back as exactly `v` (Python's repr is
    the shortest such text, and C's grammar accepts it)."""
    r = repr(float(v))
    return f"({r})" if r.startswith("-") else r
