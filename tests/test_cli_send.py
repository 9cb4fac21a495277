"""test_cli_send.py - tests of `ugw send` and `ugw send --replay`
(cli/cmd_send.c), run by ctest.

Environment:
  UGW_BIN         path of the built `ugw` program (required)
  UGW_SOURCE_DIR  the source tree (default: the folder above this file)

Python 3.11+ standard library only. The webhook receiver is a small
http.server.ThreadingHTTPServer in this file (not `ugw serve`), on 127.0.0.1
with a port the system picks. It records every request and answers by a
policy the test chooses. Signatures are checked with Python's hmac module,
independently of the C code.
"""

import base64
import collections
import hashlib
import hmac
import http.server
import json
import os
import pty
import re
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest

BIN = os.environ.get("UGW_BIN", "")
SRC = os.environ.get("UGW_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# How many events the schema has (a fork that adds one stays green).
with open(os.path.join(SRC, "schema", "events.toml"), "rb") as _f:
    N_EVENTS = len(__import__("tomllib").load(_f)["event"])
FIXTURES = os.path.join(SRC, "generated", "fixtures")
VALID = os.path.join(FIXTURES, "valid")
INVALID = os.path.join(FIXTURES, "invalid")
MANIFEST = os.path.join(INVALID, "MANIFEST.tsv")

KEY = bytes(range(1, 33))
SECRET = "whsec_" + base64.b64encode(KEY).decode()
ID_RE = re.compile(r"^msg_[0-9a-hjkmnp-tv-z]{26}$")
SUMMARY_RE = re.compile(rb"(\d+) events?: (\d+) delivered, (\d+) failed, (\d+) invalid in [0-9.]+ s")


def setUpModule():
    if not BIN or not os.access(BIN, os.X_OK):
        raise RuntimeError("set UGW_BIN to the built ugw program (got %r)" % BIN)
    if not os.path.isdir(VALID):
        raise RuntimeError("no fixtures under %r: set UGW_SOURCE_DIR" % SRC)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def valid_fixtures(ext=None):
    """Paths of the valid fixtures, sorted; only .json or .msgpack when ext is given."""
    names = sorted(os.listdir(VALID))
    return [os.path.join(VALID, n) for n in names if ext is None or n.endswith("." + ext)]


def fixture_of(path, fmt):
    """The fixture bytes of the same event as `path`, in format `fmt`."""
    stem = os.path.splitext(os.path.basename(path))[0]
    return read(os.path.join(VALID, stem + "." + fmt))


def load_manifest():
    rows = []
    with open(MANIFEST, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                rows.append(tuple(line.split("\t")))
    return rows


def looks_like_json(data):
    """ugw_detect_format(): JSON when the first byte that is not JSON white
    space is printable ASCII, or there is none."""
    rest = data.lstrip(b" \t\r\n")
    return not rest or 0x20 <= rest[0] < 0x7F


def run(*args, stdin=b"", timeout=90):
    return subprocess.run([BIN, *args], input=stdin, capture_output=True, timeout=timeout)


def describe(p):
    return "exit %d, stderr %r" % (p.returncode, p.stderr[-1500:])


def summary(p):
    """(total, delivered, failed, invalid) of the last summary line on stderr."""
    m = SUMMARY_RE.findall(p.stderr)
    assert m, "no summary line in %r" % p.stderr[-800:]
    return tuple(int(x) for x in m[-1])


def expected_signature(key, msg_id, ts, body):
    mac = hmac.new(key, msg_id.encode() + b"." + ts.encode() + b"." + body, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode()


# ---------------------------------------------------------------------------
# The receiver
# ---------------------------------------------------------------------------

Request = collections.namedtuple("Request", "method path id ts sig ctype ua body attempt")


class Receiver:
    """An HTTP server on 127.0.0.1:0 in a thread. `policy(req)` returns the
    status to answer (req.attempt is 1 for the first request with that
    webhook-id); `delay` seconds are slept before answering."""

    def __init__(self, policy=None, delay=0.0):
        self.policy = policy or (lambda req: 204)
        self.delay = delay
        self.requests = []
        self.lock = threading.Lock()
        self.attempts = collections.Counter()
        self.in_flight = self.max_in_flight = 0
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                msg_id = self.headers.get("webhook-id")
                with owner.lock:
                    owner.attempts[msg_id] += 1
                    req = Request(self.command, self.path, msg_id, self.headers.get("webhook-timestamp"),
                                  self.headers.get("webhook-signature"), self.headers.get("Content-Type"),
                                  self.headers.get("User-Agent"), body, owner.attempts[msg_id])
                    owner.requests.append(req)
                    owner.in_flight += 1
                    owner.max_in_flight = max(owner.max_in_flight, owner.in_flight)
                try:
                    if owner.delay:
                        time.sleep(owner.delay)
                    status = owner.policy(req)
                    self.send_response(status)
                    if status != 204:
                        self.send_header("Content-Length", "0")
                    self.end_headers()
                finally:
                    with owner.lock:
                        owner.in_flight -= 1

            do_PUT = do_GET = do_POST

            def log_message(self, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            request_queue_size = 128
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/hook" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def snapshot(self):
        with self.lock:
            return list(self.requests)


def free_port():
    """A loopback port nothing listens on (bound, then closed)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class SendTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, data):
        p = self.path(name)
        with open(p, "wb") as f:
            f.write(data)
        return p

    def check_request(self, req, fmt, key=KEY):
        """Method, headers and (when key is given) signature of one request."""
        self.assertEqual(req.method, "POST")
        self.assertEqual(req.path, "/hook")
        self.assertRegex(req.id or "", ID_RE)
        self.assertRegex(req.ts or "", r"^[1-9][0-9]*$")
        self.assertLess(abs(int(req.ts) - time.time()), 120)
        self.assertEqual(req.ctype, "application/json" if fmt == "json" else "application/msgpack")
        self.assertTrue((req.ua or "").startswith("ugw/"), req.ua)
        if key is None:
            self.assertIsNone(req.sig)
        else:
            self.assertEqual(req.sig, expected_signature(key, req.id, req.ts, req.body))


# ---------------------------------------------------------------------------
# Sending files
# ---------------------------------------------------------------------------

class TestSendFiles(SendTest):
    def test_all_valid_fixtures_json(self):
        files = valid_fixtures()
        self.assertEqual(len(files), 22)
        with Receiver() as rx:
            p = run("send", "--url", rx.url, "--secret", SECRET, *files)
            reqs = rx.snapshot()
        self.assertEqual(p.returncode, 0, describe(p))
        self.assertEqual(len(reqs), 22)
        self.assertEqual(sorted(r.body for r in reqs), sorted(fixture_of(f, "json") for f in files))
        for r in reqs:
            self.check_request(r, "json")
        self.assertEqual(len({r.id for r in reqs}), 22, "webhook-ids must be unique")
        self.assertEqual(summary(p), (22, 22, 0, 0))
        self.assertNotIn(b"\r", p.stderr, "no progress line when stderr is not a terminal")
        self.assertEqual(p.stdout, b"")

    def test_all_valid_fixtures_msgpack(self):
        files = valid_fixtures()
        with Receiver() as rx:
            p = run("send", "--url", rx.url, "--secret", SECRET, "--format", "msgpack", "--concurrency", "3", *files)
            reqs = rx.snapshot()
        self.assertEqual(p.returncode, 0, describe(p))
        self.assertEqual(len(reqs), 22)
        self.assertEqual(sorted(r.body for r in reqs), sorted(fixture_of(f, "msgpack") for f in files))
        for r in reqs:
            self.check_request(r, "msgpack")
        self.assertEqual(summary(p), (22, 22, 0, 0))

    def test_unsigned_without_secret(self):
        files = valid_fixtures("json")[:3]
        with Receiver() as rx:
            p = run("send", "--url", rx.url, *files)
            reqs = rx.snapshot()
        self.assertEqual(p.returncode, 0, describe(p))
        self.assertEqual(len(reqs), 3)
        for r in reqs:
            self.check_request(r, "json", key=None)

    def test_secret_without_prefix_signs_the_same(self):
        raw = base64.b64encode(KEY).decode()
        with Receiver() as rx:
            p = run("send", "--url", rx.url, "--secret", raw, valid_fixtures("json")[0])
            reqs = rx.snapshot()
        self.assertEqual(p.returncode, 0, describe(p))
        self.check_request(reqs[0], "json")

    def test_json_lines_by_name(self):
        fx = valid_fixtures("json")
        lines = [read(f) for f in fx]
        # blank lines, CRLF line ends and a last line without a newline
        data = b"\n".join(lines[:5]) + b"\n\n  \n" + b"\r\n".join(lines[5:])
        for name in ("events.jsonl", "events.ndjson"):
            path = self.write(name, data)
            with Receiver() as rx:
                p = run("send", "--url", rx.url, "--secret", SECRET, path)
                reqs = rx.snapshot()
            self.assertEqual(p.returncode, 0, describe(p))
            self.assertEqual(sorted(r.body for r in reqs), sorted(lines))
            for r in reqs:
                self.check_request(r, "json")
            self.assertEqual(summary(p), (N_EVENTS, N_EVENTS, 0, 0))

    def test_json_lines_by_content_and_stdin(self):
        lines = [read(f) for f in valid_fixtures("json")]
        data = b"\n".join(lines) + b"\n"
        path = self.write("events.txt", data)
        with Receiver() as rx:
            p = run("send", "--url", rx.url, path)
            q = run("send", "--url", rx.url, "--format", "msgpack", "-", stdin=data)
            reqs = rx.snapshot()
        self.assertEqual(p.returncode, 0, describe(p))
        self.assertEqual(q.returncode, 0, describe(q))
        self.assertEqual(len(reqs), 22)
        json_bodies = sorted(r.body for r in reqs if r.ctype == "application/json")
        mp_bodies = sorted(r.body for r in reqs if r.ctype == "application/msgpack")
        self.assertEqual(json_bodies, sorted(lines))
        self.assertEqual(mp_bodies, sorted(read(f) for f in valid_fixtures("msgpack")))

    def test_single_documents_on_stdin(self):
        js = read(valid_fixtures("json")[0])
        mp = read(valid_fixtures("msgpack")[1])
        pretty = json.dumps(json.loads(js), indent=2).encode()
        with Receiver() as rx:
            a = run("send", "--url", rx.url, "-", stdin=mp)
            b = run("send", "--url", rx.url, "-", stdin=pretty)
            reqs = rx.snapshot()
        self.assertEqual(a.returncode, 0, describe(a))
        self.assertEqual(b.returncode, 0, describe(b))
        # re-encoded in the default format, JSON
        self.assertEqual(sorted(r.body for r in reqs),
                         sorted([fixture_of(valid_fixtures("msgpack")[1], "json"), js]))

    def test_pretty_printed_invalid_document_reports_its_line(self):
        doc = json.loads(read(valid_fixtures("json")[0]))
        doc["payload"]["guideId"] = -1
        path = self.write("pretty.json", json.dumps(doc, indent=2).encode())
        lineno = [i for i, l in enumerate(json.dumps(doc, indent=2).split("\n"), 1) if '"guideId"' in l][0]
        with Receiver() as rx:
            p = run("send", "--url", rx.url, path)
            self.assertEqual(rx.snapshot(), [])
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertIn(("%s:%d: payload.guideId: " % (path, lineno)).encode(), p.stderr)
        self.assertEqual(summary(p), (1, 0, 0, 1))

    def test_invalid_fixture_among_valid_ones(self):
        rows = [r for r in load_manifest() if r[3] == "default" and r[0].endswith(".json")]
        bad = dict((r[0], r) for r in rows)["n_range_score_above.json"]
        bad_path = os.path.join(INVALID, bad[0])
        files = valid_fixtures()
        args = files[:10] + [bad_path] + files[10:]
        with Receiver() as rx:
            p = run("send", "--url", rx.url, "--secret", SECRET, *args)
            reqs = rx.snapshot()
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertEqual(len(reqs), 22, "the valid ones are still sent")
        self.assertEqual(sorted(r.body for r in reqs), sorted(fixture_of(f, "json") for f in files))
        line = [l for l in p.stderr.split(b"\n") if l.startswith(bad_path.encode())]
        self.assertEqual(len(line), 1, p.stderr)
        self.assertRegex(line[0].decode(), r"^%s:1: %s: .* \(%s at byte \d+\)$"
                         % (re.escape(bad_path), re.escape(bad[2]), bad[1]))
        self.assertEqual(summary(p), (23, 22, 0, 1))

    def test_every_invalid_fixture_is_refused(self):
        rows = [r for r in load_manifest() if r[3] == "default"]
        paths = [os.path.join(INVALID, r[0]) for r in rows]
        with Receiver() as rx:
            p = run("send", "--url", rx.url, *paths)
            self.assertEqual(rx.snapshot(), [])
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertEqual(summary(p), (len(rows), 0, 0, len(rows)))
        err = p.stderr.decode("utf-8", "replace")
        for r, path in zip(rows, paths):
            # JSON problems carry a line number; MessagePack ones do not. The
            # format is told by the bytes (an empty .msgpack file is JSON).
            where = re.escape(path) + (r":1" if looks_like_json(read(path)) else "")
            self.assertRegex(err, r"(?m)^%s: %s: .* \(%s at byte \d+\)$" % (where, re.escape(r[2]), r[1]))

    def test_strict_rejects_unknown_keys(self):
        doc = json.loads(read(valid_fixtures("json")[0]))
        doc["payload"]["newField"] = 1
        path = self.write("extra.json", json.dumps(doc).encode())
        with Receiver() as rx:
            p = run("send", "--url", rx.url, path)
            q = run("send", "--url", rx.url, "--strict", path)
            reqs = rx.snapshot()
        self.assertEqual(p.returncode, 0, describe(p))
        self.assertEqual(q.returncode, 1, describe(q))
        self.assertEqual(len(reqs), 1)
        # re-encoded from the decoded event: the unknown key is not forwarded
        self.assertEqual(reqs[0].body, read(valid_fixtures("json")[0]))
        self.assertIn(b"payload.newField", q.stderr)

    def test_json_lines_with_an_invalid_line(self):
        lines = [read(f) for f in valid_fixtures("json")[:4]]
        bad = json.loads(lines[2])
        bad["payload"]["userId"] = ""
        data = b"\n".join([lines[0], lines[1], json.dumps(bad).encode(), b"{\"event\": broken", lines[3]]) + b"\n"
        path = self.write("mixed.jsonl", data)
        with Receiver() as rx:
            p = run("send", "--url", rx.url, path)
            reqs = rx.snapshot()
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertEqual(sorted(r.body for r in reqs), sorted([lines[0], lines[1], lines[3]]))
        err = p.stderr.decode()
        self.assertRegex(err, r"(?m)^%s:3: payload\.userId: .*\(too_short at byte \d+\)$" % re.escape(path))
        self.assertRegex(err, r"(?m)^%s:4: .*\(syntax at byte \d+\)$" % re.escape(path))
        self.assertEqual(summary(p), (5, 3, 0, 2))

    def test_empty_json_lines_file_sends_nothing(self):
        path = self.write("none.jsonl", b"\n\n")
        with Receiver() as rx:
            p = run("send", "--url", rx.url, path)
            self.assertEqual(rx.snapshot(), [])
        self.assertEqual(p.returncode, 0, describe(p))
        self.assertEqual(summary(p), (0, 0, 0, 0))

    def test_over_long_line_is_invalid_and_the_rest_is_sent(self):
        line = read(valid_fixtures("json")[0])
        huge = b'{"event":"' + b"x" * (1 << 21) + b'"}'
        path = self.write("long.jsonl", line + b"\n" + huge + b"\n" + line + b"\n")
        with Receiver() as rx:
            p = run("send", "--url", rx.url, path)
            reqs = rx.snapshot()
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertEqual([r.body for r in reqs], [line, line])
        self.assertRegex(p.stderr.decode(), r"(?m)^%s:2: .*\(limit at byte \d+\)$" % re.escape(path))
        self.assertEqual(summary(p), (3, 2, 0, 1))


# ---------------------------------------------------------------------------
# Failures, dead letters, replay
# ---------------------------------------------------------------------------

def read_dead_letters(path):
    with open(path, "rb") as f:
        return [json.loads(l) for l in f.read().split(b"\n") if l]


class TestFailuresAndReplay(SendTest):
    REJECT = {"guide started (userguiding)", "nps score submit (userguiding)",
              "resource center article clicked (userguiding)"}

    def reject_some(self, req):
        # the wire event string is in the body as is, in JSON and in MessagePack
        return 404 if any(e.encode() in req.body for e in self.REJECT) else 204

    def fail_and_replay(self, fmt):
        files = valid_fixtures("json")
        dl = self.path("dead.jsonl")
        with Receiver(self.reject_some) as rx:
            p = run("send", "--url", rx.url, "--secret", SECRET, "--format", fmt, "--dead-letter", dl, *files)
            reqs = rx.snapshot()
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertEqual(len(reqs), N_EVENTS)
        rejected = [r for r in reqs if any(e.encode() in r.body for e in self.REJECT)]
        self.assertEqual(len(rejected), 3)
        err = p.stderr.decode()
        for r in rejected:
            ev = next(e for e in self.REJECT if e.encode() in r.body)
            self.assertRegex(err, r'(?m)^failed %s "%s": rejected, HTTP 404 \(1 attempt, .*\)$'
                             % (r.id, re.escape(ev)))
        self.assertEqual(len(re.findall(r"(?m)^failed ", err)), 3)
        self.assertEqual(summary(p), (N_EVENTS, N_EVENTS - 3, 3, 0))

        letters = read_dead_letters(dl)
        self.assertEqual(len(letters), 3)
        by_id = {r.id: r for r in rejected}
        self.assertEqual({d["id"] for d in letters}, set(by_id))
        for d in letters:
            self.assertEqual(d["format"], fmt)
            self.assertEqual(d["result"], "rejected")
            self.assertEqual(d["last_status"], 404)
            self.assertEqual(d["attempts"], 1)
            self.assertIn(d["event"], self.REJECT)
            body = d["body"].encode() if fmt == "json" else base64.b64decode(d["body_base64"])
            self.assertNotIn("body_base64" if fmt == "json" else "body", d)
            self.assertEqual(body, by_id[d["id"]].body)

        # Replay to a receiver that takes everything: same ids, same bytes, same type.
        other_key = b"k" * 24
        other = "whsec_" + base64.b64encode(other_key).decode()
        with Receiver() as rx2:
            q = run("send", "--replay", dl, "--url", rx2.url, "--secret", other)
            again = rx2.snapshot()
        self.assertEqual(q.returncode, 0, describe(q))
        self.assertEqual(summary(q), (3, 3, 0, 0))
        self.assertEqual(sorted((r.id, r.body) for r in again), sorted((r.id, r.body) for r in rejected))
        for r in again:
            self.check_request(r, fmt, key=other_key)

    def test_404_dead_letter_and_replay_json(self):
        self.fail_and_replay("json")

    def test_404_dead_letter_and_replay_msgpack(self):
        self.fail_and_replay("msgpack")

    def test_replay_keeps_bodies_byte_for_byte(self):
        # Bodies that are not what ugw would encode (key order, spaces, an
        # unknown key, even an invalid event) are sent exactly as recorded.
        odd_json = b'{ "payload": {"x": [1, 2]}, "event" : "whatever" }'
        odd_mp = b"\x81\xa1a\xc0\x00\xff"
        lines = [
            {"id": "msg_original_1", "event": "whatever", "format": "json", "body": odd_json.decode(),
             "last_status": 500, "attempts": 8, "result": "attempts", "error": "", "time": "2026-01-01T00:00:00Z",
             "a_later_key": {"nested": [1, {"x": None}]}},
            {"id": "id_no_spaces/and.dots:~!", "event": "guide started (userguiding)", "format": "msgpack",
             "body_base64": base64.b64encode(odd_mp).decode()},
            {"id": "msg_3!~", "event": "\u00fcnicode", "format": "json", "body": "\u00e9\u2028\u0001\"\\"},
            {"id": "msg_empty", "event": "", "format": "msgpack", "body_base64": ""},
        ]
        text = "\n".join(json.dumps(l) for l in lines[:2]) + "\n" + json.dumps(lines[2], ensure_ascii=False) \
            + "\n" + json.dumps(lines[3]).replace("msg_empty", "msg\\/empty")
        path = self.write("dead.jsonl", text.encode())
        with Receiver() as rx:
            p = run("send", "--replay", path, "--url", rx.url, "--secret", SECRET)
            reqs = rx.snapshot()
        self.assertEqual(p.returncode, 0, describe(p))
        got = {r.id: r for r in reqs}
        self.assertEqual(set(got), {"msg_original_1", "id_no_spaces/and.dots:~!", "msg_3!~",
                                    "msg/empty"})
        self.assertEqual(got["msg_original_1"].body, odd_json)
        self.assertEqual(got["msg_original_1"].ctype, "application/json")
        self.assertEqual(got["id_no_spaces/and.dots:~!"].body, odd_mp)
        self.assertEqual(got["id_no_spaces/and.dots:~!"].ctype, "application/msgpack")
        self.assertEqual(got["msg_3!~"].body, "\u00e9\u2028\u0001\"\\".encode())
        self.assertEqual(got["msg/empty"].body, b"")
        for r in reqs:
            # the signature covers the id as sent (bytes of the header)
            mac_id = r.id.encode("latin-1")
            mac = hmac.new(KEY, mac_id + b"." + r.ts.encode() + b"." + r.body, hashlib.sha256)
            self.assertEqual(r.sig, "v1," + base64.b64encode(mac.digest()).decode())

    def test_replay_reports_malformed_lines(self):
        good = {"id": "msg_good", "event": "e", "format": "json", "body": "{}"}
        bad_lines = [
            ("not json at all", "not valid JSON"),
            ('["an", "array"]', "not a JSON object"),
            ('{"event": "e", "format": "json", "body": "{}"}', 'no "id"'),
            ('{"id": "x", "format": "json", "body": "{}"}', 'no "event"'),
            ('{"id": "x", "event": "e", "body": "{}"}', 'no "format"'),
            ('{"id": "x", "event": "e", "format": "json"}', 'neither "body" nor "body_base64"'),
            ('{"id": "x", "event": "e", "format": "json", "body": "", "body_base64": ""}',
             'both "body" and "body_base64"'),
            ('{"id": "x", "event": "e", "format": "xml", "body": ""}', '"format" must be'),
            ('{"id": "x", "event": "e", "format": "msgpack", "body_base64": "@@@@"}', "base64"),
            ('{"id": "x", "event": "e", "format": "msgpack", "body_base64": "QUJD="}', "base64"),
            ('{"id": "", "event": "e", "format": "json", "body": ""}', '"id" must be 1 to 256 bytes'),
            ('{"id": "%s", "event": "e", "format": "json", "body": ""}' % ("x" * 257), '"id" must be 1 to 256 bytes'),
            ('{"id": "a\\nb", "event": "e", "format": "json", "body": ""}', "not printable ASCII"),
            ('{"id": "a b", "event": "e", "format": "json", "body": ""}', "not printable ASCII"),
            ('{"id": "msg_\\u00e9", "event": "e", "format": "json", "body": ""}', "not printable ASCII"),
            ('{"id": 5, "event": "e", "format": "json", "body": ""}', '"id" is not a string'),
            ('{"id": "x", "id": "y", "event": "e", "format": "json", "body": ""}', "twice"),
            ('{"id": "x", "event": "e", "format": "json", "body": "\\ud800"}', "bad escape"),
            ('{"id": "x", "event": "e", "format": "json", "body": ""} trailing', "not valid JSON"),
            ('{"id": "x", "event": "e", "format": "json", "body": ""} {}', "after the JSON object"),
            ('{"id": "x", "event": "e", "format": "json", "body": "unterminated', "not valid JSON"),
        ]
        text = json.dumps(good) + "\n" + "\n".join(l for l, _ in bad_lines) + "\n\n" + json.dumps(dict(good, id="msg_last")) + "\n"
        path = self.write("dead.jsonl", text.encode())
        with Receiver() as rx:
            p = run("send", "--replay", path, "--url", rx.url)
            reqs = rx.snapshot()
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertEqual(sorted(r.id for r in reqs), ["msg_good", "msg_last"])
        err = p.stderr.decode()
        for i, (_, why) in enumerate(bad_lines):
            self.assertRegex(err, r"(?m)^%s:%d: malformed dead-letter line: .*%s"
                             % (re.escape(path), i + 2, re.escape(why)))
        self.assertEqual(summary(p), (2 + len(bad_lines), 2, 0, len(bad_lines)))

    def test_replay_of_a_missing_file_is_an_io_error(self):
        with Receiver() as rx:
            p = run("send", "--replay", self.path("nope.jsonl"), "--url", rx.url)
            self.assertEqual(rx.snapshot(), [])
        self.assertEqual(p.returncode, 2, describe(p))

    def test_retries_until_delivered(self):
        files = valid_fixtures("json")
        with Receiver(lambda req: 500 if req.attempt <= 2 else 204) as rx:
            t0 = time.monotonic()
            p = run("send", "--url", rx.url, "--secret", SECRET, "--max-attempts", "3", "--backoff-ms", "20", *files)
            elapsed = time.monotonic() - t0
            reqs = rx.snapshot()
        self.assertEqual(p.returncode, 0, describe(p))
        self.assertEqual(summary(p), (N_EVENTS, N_EVENTS, 0, 0))
        self.assertEqual(len(reqs), 33)
        by_id = collections.defaultdict(list)
        for r in reqs:
            by_id[r.id].append(r)
            self.check_request(r, "json")  # every attempt signed anew
        self.assertEqual(len(by_id), N_EVENTS)
        for attempts in by_id.values():
            self.assertEqual([a.attempt for a in attempts], [1, 2, 3])
            self.assertEqual(len({a.body for a in attempts}), 1, "the same bytes on every attempt")
        self.assertLess(elapsed, 20)

    def test_retries_exhausted(self):
        files = valid_fixtures("json")[:4]
        dl = self.path("dl.jsonl")
        with Receiver(lambda req: 503) as rx:
            p = run("send", "--url", rx.url, "--max-attempts", "2", "--backoff-ms", "5", "--dead-letter", dl, *files)
            reqs = rx.snapshot()
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertEqual(len(reqs), 8)
        self.assertEqual(len(re.findall(rb"(?m)^failed msg_\w+ \"[^\"]+\": attempts, HTTP 503 \(2 attempts, ", p.stderr)), 4)
        letters = read_dead_letters(dl)
        self.assertEqual(sorted(d["id"] for d in letters), sorted({r.id for r in reqs}))
        self.assertTrue(all(d["result"] == "attempts" and d["attempts"] == 2 for d in letters))
        self.assertEqual(summary(p), (4, 0, 4, 0))

    def test_no_server_lists_the_libcurl_error(self):
        url = "http://127.0.0.1:%d/hook" % free_port()
        p = run("send", "--url", url, "--max-attempts", "2", "--backoff-ms", "5", valid_fixtures("json")[0])
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertRegex(p.stderr.decode(), r'(?m)^failed msg_\w+ "[^"]+": attempts, no HTTP answer, .+ \(2 attempts, ')
        self.assertEqual(summary(p), (1, 0, 1, 0))

    def test_concurrency_limits_requests_in_flight(self):
        files = valid_fixtures("json")[:8]
        for n in (1, 4):
            with Receiver(delay=0.2) as rx:
                p = run("send", "--url", rx.url, "--concurrency", str(n), *files)
                peak = rx.max_in_flight
            self.assertEqual(p.returncode, 0, describe(p))
            self.assertEqual(summary(p), (8, 8, 0, 0))
            if n == 1:
                self.assertEqual(peak, 1)
            else:
                self.assertGreater(peak, 1, "requests went out in parallel")
                self.assertLessEqual(peak, n)

    def test_timeout_limits_an_attempt(self):
        with Receiver(delay=3) as rx:
            t0 = time.monotonic()
            p = run("send", "--url", rx.url, "--timeout", "0.3", "--max-attempts", "1", valid_fixtures("json")[0])
            elapsed = time.monotonic() - t0
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertRegex(p.stderr.decode(), r'(?m)^failed msg_\w+ "[^"]+": attempts, no HTTP answer, .*([Tt]imeout|timed out)')
        self.assertLess(elapsed, 2.5)

    def test_gone_stops_sending(self):
        files = valid_fixtures("json")
        with Receiver(lambda req: 410) as rx:
            p = run("send", "--url", rx.url, "--concurrency", "1", *files)
            reqs = rx.snapshot()
        self.assertEqual(p.returncode, 1, describe(p))
        self.assertGreaterEqual(len(reqs), 1)
        self.assertLess(len(reqs), N_EVENTS)
        self.assertIn(b": gone, HTTP 410", p.stderr)
        total, delivered, failed, invalid = summary(p)
        self.assertEqual(delivered, 0)
        self.assertEqual(total, failed)

    def test_sigint_hands_back_undelivered_events(self):
        files = valid_fixtures("json")
        dl = self.path("dl.jsonl")
        with Receiver(lambda req: 500) as rx:
            proc = subprocess.Popen([BIN, "send", "--url", rx.url, "--backoff-ms", "600000", "--dead-letter", dl, *files],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            deadline = time.monotonic() + 30
            while len(rx.snapshot()) < N_EVENTS and time.monotonic() < deadline:
                time.sleep(0.02)
            self.assertEqual(len(rx.snapshot()), N_EVENTS, "each event tried once")
            t0 = time.monotonic()
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=30)
            self.assertLess(time.monotonic() - t0, 10)
        self.assertEqual(proc.returncode, 1, err)
        self.assertIn(b"interrupted", err)
        self.assertEqual(len(re.findall(rb"(?m)^failed msg_\w+ \"[^\"]+\": closed, HTTP 500 \(1 attempt, ", err)), 11)
        letters = read_dead_letters(dl)
        self.assertEqual(len(letters), 11)
        self.assertTrue(all(d["result"] == "closed" for d in letters))


# ---------------------------------------------------------------------------
# Usage and I/O errors, help, progress
# ---------------------------------------------------------------------------

class TestUsage(SendTest):
    def test_usage_errors_exit_2_and_send_nothing(self):
        f = valid_fixtures("json")[0]
        with Receiver() as rx:
            u = rx.url
            cases = [
                [f],                                        # no --url
                ["--url", u],                               # no FILE
                ["--url", u, "--format", "xml", f],
                ["--url", u, "--format", "", f],
                ["--url", u, "--concurrency", "0", f],
                ["--url", u, "--concurrency", "-3", f],
                ["--url", u, "--concurrency", "many", f],
                ["--url", u, "--concurrency", "1025", f],
                ["--url", u, "--max-attempts", "0", f],
                ["--url", u, "--timeout", "0", f],
                ["--url", u, "--timeout", "soon", f],
                ["--url", u, "--backoff-ms", "-1", f],
                ["--url", "ftp://127.0.0.1/", f],
                ["--url", "not a url", f],
                ["--url", "http://", f],
                ["--url", u, "--secret", "whsec_not*base64", f],
                ["--url", u, "--secret", "", f],
                ["--url", u, "--bogus", f],
                ["--url", u, "--replay", f, f],             # --replay takes no FILE
                ["--url", u, "--replay", f, "--format", "json"],
                ["--url", u, "--replay", f, "--strict"],
                ["--url", u, "--replay", f, "--replay", f],
                ["--url"],
            ]
            for args in cases:
                p = run("send", *args)
                self.assertEqual(p.returncode, 2, "%r: %s" % (args, describe(p)))
                self.assertIn(b"ugw send", p.stderr)
            self.assertEqual(rx.snapshot(), [])

    def test_unreadable_files_exit_2_before_sending(self):
        f = valid_fixtures("json")[0]
        with Receiver() as rx:
            for bad in (self.path("missing.json"), self.dir):
                p = run("send", "--url", rx.url, f, bad)
                self.assertEqual(p.returncode, 2, describe(p))
                self.assertIn(bad.encode(), p.stderr)
            self.assertEqual(rx.snapshot(), [], "nothing is sent when a file cannot be read")

    @unittest.skipUnless(os.path.exists("/proc/self/mem"), "needs Linux /proc")
    def test_read_error_while_sending_exits_2_and_the_rest_is_sent(self):
        # /proc/self/mem opens (so the check before sending passes) but
        # reading it at offset 0 fails with EIO.
        f = valid_fixtures("json")[0]
        with Receiver() as rx:
            p = run("send", "--url", rx.url, "/proc/self/mem", f)
            reqs = rx.snapshot()
        self.assertEqual(p.returncode, 2, describe(p))
        self.assertIn(b"/proc/self/mem: ", p.stderr)
        self.assertEqual([r.body for r in reqs], [read(f)])
        self.assertEqual(summary(p), (1, 1, 0, 0))

    def test_unwritable_dead_letter_file_exits_2(self):
        f = valid_fixtures("json")[0]
        with Receiver() as rx:
            p = run("send", "--url", rx.url, "--dead-letter", self.path("no/such/dir/dl.jsonl"), f)
            self.assertEqual(rx.snapshot(), [])
        self.assertEqual(p.returncode, 2, describe(p))
        self.assertIn(b"dead-letter", p.stderr)

    def test_help(self):
        p = run("send", "--help")
        self.assertEqual(p.returncode, 0)
        self.assertTrue(p.stdout.startswith(b"Usage: ugw send --url URL"), p.stdout[:80])
        for opt in (b"--secret", b"--format", b"--concurrency", b"--dead-letter", b"--strict", b"--timeout",
                    b"--max-attempts", b"--backoff-ms", b"--replay", b"Exit status"):
            self.assertIn(opt, p.stdout)
        q = run("help", "send")
        self.assertEqual(q.returncode, 0)
        self.assertEqual(q.stdout, p.stdout)
        r = run("--help")
        self.assertRegex(r.stdout.decode(), r"(?m)^  send +\S")

    def test_progress_line_on_a_terminal(self):
        files = valid_fixtures("json")[:6]
        master, slave = pty.openpty()
        with Receiver(delay=0.15) as rx:
            proc = subprocess.Popen([BIN, "send", "--url", rx.url, "--concurrency", "1", *files],
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave)
            os.close(slave)
            chunks = []
            while True:
                try:
                    d = os.read(master, 4096)
                except OSError:  # EIO: the terminal's other side is closed
                    break
                if not d:
                    break
                chunks.append(d)
            proc.wait(timeout=60)
            os.close(master)
        out = b"".join(chunks)
        self.assertEqual(proc.returncode, 0, out)
        self.assertRegex(out, rb"\rsent \d+, delivered \d+, retried \d+, failed 0, \d+ ev/s")
        self.assertIn(b"\r\x1b[K", out, "the progress line is cleared")
        self.assertRegex(out, rb"\r\x1b\[K6 events: 6 delivered, 0 failed, 0 invalid in [0-9.]+ s\r?\n$")


if __name__ == "__main__":
    unittest.main(verbosity=2)
