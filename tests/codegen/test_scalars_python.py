"""Differential test: the runtime's ugw_fmt_double(), ugw_parse_double(),
ugw_timestamp_parse() and ugw_timestamp_format() against Python's json and
datetime, over many random values.

scalars_driver.c is compiled with the runtime's codec (as corpus.py compiles
it, with ASan and UBSan under UGW_CODEGEN_SANITIZE=1) and fed one request per
line. UGW_SCALARS_COUNT values of each kind (default 20000) from seed
UGW_SCALARS_SEED (default: from the clock; printed so that a failure can be
replayed). The C side runs under a foreign LC_NUMERIC where one is installed,
to show that the caller's locale changes nothing.

    /usr/bin/python3 -m unittest discover -s tests/codegen -p 'test_scalars_python.py' -v
"""

import datetime
import json
import math
import os
import random
import re
import struct
import subprocess
import sys
import tempfile
import time
import unittest

from codegen_support import INCLUDE, RUNTIME_CODEC  # noqa: F401
import corpus

HERE = os.path.dirname(os.path.abspath(__file__))
DRIVER = os.path.join(HERE, "scalars_driver.c")
COUNT = int(os.environ.get("UGW_SCALARS_COUNT", "20000"))
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
TS_MIN, TS_MAX = -62135596800000, 253402300799999
RFC3339 = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
                     r"(?:([Zz])|([+-])(\d{2}):(\d{2}))\Z")


def bits_of(v):
    return struct.unpack("<Q", struct.pack("<d", v))[0]


def of_bits(b):
    return struct.unpack("<d", struct.pack("<Q", b))[0]


def expected_ms(text):
    """Python's reading of an RFC 3339 date-time as ugw reads it, or None."""
    m = RFC3339.match(text)
    if not m:
        return None
    y, mo, d, h, mi, s, frac, z, sign, oh, om = m.groups()
    if int(oh or 0) > 23 or int(om or 0) > 59:
        return None
    try:
        local = datetime.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s))
    except ValueError:            # year 0, month 13, February 29 of 1900, hour 24, second 60
        return None
    off = 0 if z else (int(oh) * 60 + int(om)) * (-1 if sign == "-" else 1)
    ms = int((frac or "").ljust(3, "0")[:3])
    naive_epoch = datetime.datetime(1970, 1, 1)
    delta = local - naive_epoch
    return (delta.days * 86400 + delta.seconds) * 1000 + ms - off * 60000


def python_format(ms):
    t = EPOCH + datetime.timedelta(milliseconds=ms)
    return t.strftime("%Y-%m-%dT%H:%M:%S").rjust(19, "0") + f".{ms % 1000:03d}Z"


def random_doubles(rnd, n):
    edges = [0.0, -0.0, 1.0, -1.0, 0.1, 1e16, 1e15, 9999999999999998.0, 1.5e-05, 0.0001, 1e-05,
             5e-324, 2.2250738585072014e-308, 2.225073858507201e-308, 1.7976931348623157e+308,
             2.0 ** 53, 2.0 ** 53 + 2, 123456789012345680.0, 0.3, 2.0 / 3, 100.0, 1e22, 1e23]
    out = list(edges)
    while len(out) < n:
        k = rnd.random()
        if k < 0.4:           # any finite bit pattern
            v = of_bits(rnd.getrandbits(64))
            if not math.isfinite(v):
                continue
        elif k < 0.55:        # a power of two
            v = math.ldexp(1.0, rnd.randint(-1074, 1023)) * rnd.choice((1, -1))
        elif k < 0.8:         # a short decimal, as people write them
            v = float(f"{rnd.randint(-10**6, 10**6)}e{rnd.randint(-30, 30)}")
        else:                 # around the switch between positional and exponent form
            v = rnd.uniform(1, 10) * 10.0 ** rnd.choice((-6, -5, -4, -3, 14, 15, 16, 17))
        out.append(v)
    return out


def random_number_texts(rnd, n):
    """JSON number texts, many beyond what a double holds exactly."""
    out = ["0", "-0", "0.0", "1e400", "-1e400", "1e-400", "2.4703282292062327e-324",
           "2.4703282292062328e-324", "1" + "0" * 400, "0." + "0" * 330 + "1",
           "9007199254740993", "1.7976931348623158e308", "1.7976931348623159e308",
           "0.1" + "0" * 900 + "1", "1" * 850 + "e-840", "123456789012345678901234567890"]
    while len(out) < n:
        digits = "".join(rnd.choice("0123456789") for _ in range(rnd.choice((1, 2, 5, 15, 16, 17, 20, 40))))
        digits = digits.lstrip("0") or "0"
        text = rnd.choice(("", "-")) + digits
        if rnd.random() < 0.5:
            text += "." + "".join(rnd.choice("0123456789") for _ in range(rnd.randint(1, 25)))
        if rnd.random() < 0.6:
            text += rnd.choice("eE") + rnd.choice(("", "+", "-")) + str(rnd.randint(0, 330))
        out.append(text)
    return out


def random_timestamps(rnd, n):
    """Valid and broken RFC 3339 texts."""
    out = ["2000-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2024-02-29T12:00:00z", "2023-02-29T00:00:00Z",
           "2024-01-01T24:00:00Z", "2024-13-01T00:00:00Z", "2024-01-01T00:00:00+24:00",
           "2024-01-01T00:00:60Z", "0000-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
           "2024-01-01T00:00:00.1234567890Z", "2024-01-01T00:00:00.Z", "2024-01-01 00:00:00Z",
           "2024-01-01T00:00:00", "2024-04-31T00:00:00Z", "2024-01-01T00:00:00-00:00", "2024-01-01T00:00:00+23:59"]
    while len(out) < n:
        y = rnd.choice((rnd.randint(1, 9999), 1900, 2000, 2100, 2024, 2023, 1, 9999))
        mo, d = rnd.randint(1, 12), rnd.choice((rnd.randint(1, 28), 29, 30, 31))
        h, mi, s = rnd.choice((rnd.randint(0, 23), 24)), rnd.randint(0, 59), rnd.choice((rnd.randint(0, 59), 60))
        text = f"{y:04d}-{mo:02d}-{d:02d}{rnd.choice('TTTt')}{h:02d}:{mi:02d}:{s:02d}"
        if rnd.random() < 0.5:
            text += "." + "".join(rnd.choice("0123456789") for _ in range(rnd.randint(1, 10)))
        if rnd.random() < 0.5:
            text += rnd.choice("ZZz")
        else:
            text += f"{rnd.choice('+-')}{rnd.choice((rnd.randint(0, 23), 24)):02d}:{rnd.randint(0, 59):02d}"
        if rnd.random() < 0.1:   # a byte changed anywhere
            i = rnd.randrange(len(text))
            text = text[:i] + rnd.choice("0:-T+Zx. ") + text[i + 1:]
        out.append(text)
    return out


@unittest.skipIf(corpus.MISSING, corpus.MISSING or "")
class ScalarsAgainstPython(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="ugw-scalars-")
        cls.exe = os.path.join(cls.tmp.name, "scalars")
        p = corpus._run([corpus.GCC, *corpus._flags(), "-I", INCLUDE, DRIVER, *corpus.runtime_objects(),
                         "-o", cls.exe, "-lmsgpackc"])
        if p.returncode != 0:
            raise AssertionError(f"compiling scalars_driver.c failed:\n{p.stderr}")
        cls.seed = int(os.environ.get("UGW_SCALARS_SEED", str(int(time.time()) % 100000)))
        print(f"\nscalars: UGW_SCALARS_SEED={cls.seed} UGW_SCALARS_COUNT={COUNT}", file=sys.stderr)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def ask(self, lines):
        env = dict(os.environ)
        env.update(LC_ALL="", LANG="", LC_NUMERIC="de_DE.UTF-8")   # a comma as decimal point, if installed
        p = subprocess.run([self.exe], input="\n".join(lines) + "\n", capture_output=True, text=True,
                           timeout=600, env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "")
        answers = p.stdout.split("\n")[:-1]
        self.assertEqual(len(answers), len(lines))
        return answers

    def test_format_is_json_dumps(self):
        values = random_doubles(random.Random(self.seed), COUNT)
        got = self.ask([f"d {bits_of(v):016x}" for v in values])
        bad = [(v.hex(), g, json.dumps(v)) for v, g in zip(values, got) if g != json.dumps(v)]
        self.assertEqual(bad[:10], [], f"{len(bad)} of {len(values)} differ")
        # NaN and infinity have no JSON text
        self.assertEqual(self.ask([f"d {bits_of(x):016x}" for x in (math.nan, math.inf, -math.inf)]), ["x"] * 3)

    def test_parse_is_json_loads(self):
        rnd = random.Random(self.seed + 1)
        texts = random_number_texts(rnd, COUNT // 2) + [json.dumps(v) for v in random_doubles(rnd, COUNT // 2)]
        got = self.ask([f"p {t}" for t in texts])
        bad = []
        for t, g in zip(texts, got):
            json.loads(t)         # valid JSON
            v = float(t)          # its value as json.loads reads a float (ints beyond a double: inf)
            want = "x" if math.isinf(v) else f"{bits_of(v):016x}"
            if g != want:
                bad.append((t[:60], g, want))
        self.assertEqual(bad[:10], [], f"{len(bad)} of {len(texts)} differ")

    def test_parse_refuses_what_json_refuses(self):
        texts = ["", "-", "+1", "01", "1.", ".5", "1e", "1e+", "0x10", "1 ", " 1", "NaN", "Infinity", "-Infinity",
                 "1.5e3.2", "--1", "1_000", "\u0661"]
        self.assertEqual(self.ask([f"p {t}" for t in texts]), ["x"] * len(texts))

    def test_timestamp_format_is_datetime(self):
        rnd = random.Random(self.seed + 2)
        values = [TS_MIN, TS_MAX, 0, -1, 951782400000, -2208988800000]
        values += [rnd.randint(TS_MIN, TS_MAX) for _ in range(COUNT)]
        got = self.ask([f"f {v}" for v in values])
        bad = [(v, g, python_format(v)) for v, g in zip(values, got) if g != python_format(v)]
        self.assertEqual(bad[:10], [], f"{len(bad)} of {len(values)} differ")
        self.assertEqual(self.ask([f"f {TS_MIN - 1}", f"f {TS_MAX + 1}"]), ["x", "x"])

    def test_timestamp_parse_is_datetime(self):
        texts = random_timestamps(random.Random(self.seed + 3), COUNT)
        got = self.ask([f"t {t}" for t in texts])
        bad = []
        valid = 0
        for t, g in zip(texts, got):
            want = expected_ms(t)
            valid += want is not None
            if (want is None) != g.startswith("bad ") or want is not None and g != str(want):
                bad.append((t, g, want))
        self.assertEqual(bad[:10], [], f"{len(bad)} of {len(texts)} differ")
        self.assertGreater(valid, len(texts) // 10)
        self.assertLess(valid, len(texts) - len(texts) // 10)

    def test_timestamp_parse_points_at_the_first_bad_byte(self):
        cases = {"2023-02-29T00:00:00Z": 8, "2024-13-01T00:00:00Z": 5, "2024-01-01T24:00:00Z": 11,
                 "2024-01-01T00:00:60Z": 17, "2024-01-01T00:00:00+24:00": 20, "2024-01-01T00:00:00+01:60": 23,
                 "0000-01-01T00:00:00Z": 0, "2024-01-01 00:00:00Z": 10, "2024-01-01T00:00:00": 19,
                 "2024-01-01T00:00:00.Z": 20, "2024-01-01T00:00:00.1234567890Z": 29, "2024-1-01T00:00:00Z": 6,
                 "2024-01-01T00:00:00Zx": 20}
        got = self.ask([f"t {t}" for t in cases])
        self.assertEqual(got, [f"bad {v}" for v in cases.values()])


if __name__ == "__main__":
    unittest.main()
