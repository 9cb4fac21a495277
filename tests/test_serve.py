"""test_serve.py - `ugw serve` (cli/cmd_serve.c, cli/serve*.c) as a sender
sees it: signed and unsigned requests, every rejection with its JSON body,
duplicates, limits, --out, usage errors. Run by ctest; see serve_support.py
for the environment. Framing, limits and storing are in test_serve_http.py,
the attacks in test_serve_attack.py.
"""

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
import unittest

from serve_support import (BIN, EVENT_IDS, STOP_TIMEOUT, ServeTestCase, describe, fixture, run,
                           setUpModule, summary, write_tmp)  # noqa: F401 (setUpModule runs here)


class TestServeSigned(ServeTestCase):
    def test_signed_json_and_msgpack_then_sigterm(self):
        srv = self.start("--secret", self.secret)
        seen = []
        for i, e in enumerate(EVENT_IDS):
            for ext, ctype in (("json", "application/json"), ("msgpack", "application/msgpack")):
                body = fixture(e, ext)
                h = self.signed(body, msg_id="msg_%s_%s" % (ext, e))
                status, resp, _ = srv.post(body, ctype, h, path="/hooks/%d" % i)
                self.assertEqual(status, 204, (e, ext, resp))
                self.assertEqual(resp, b"")
                seen.append((h["webhook-id"], e, ext))
        rc, out, err = srv.stop()
        self.assertEqual(rc, 0, err)
        self.assertEqual(summary(err), (22, 22, 0, 0, 0))
        lines = out.decode().splitlines()
        self.assertEqual(len(lines), 22, out)
        for line, (msg_id, e, ext) in zip(lines, seen):
            uid = json.loads(fixture(e))["payload"]["userId"]
            self.assertEqual(line, "%s %s verified %s %s" % (msg_id, e, ext, uid))

    def test_rejections(self):
        srv = self.start("--secret", self.secret)
        body = fixture("nps_score_submit")
        now = int(time.time())

        # wrong signature: signed with another key, or for another body
        status, resp, h = srv.post(body, headers=self.signed(body, key=os.urandom(24)))
        self.assertEqual(status, 401)
        self.assertEqual(h.get("Content-Type"), "application/json")
        err = json.loads(resp)
        self.assertEqual((err["code"], err["path"]), ("signature", "webhook-signature"))
        self.assertIsInstance(err["message"], str)
        hdrs = self.signed(body)
        status, resp, _ = srv.post(body + b" ", headers=hdrs)
        self.assertEqual((status, json.loads(resp)["code"]), (401, "signature"))

        # stale and future timestamps, correctly signed
        for ts in (now - 400, now + 400):
            status, resp, _ = srv.post(body, headers=self.signed(body, ts=ts))
            self.assertEqual(status, 401, ts)
            err = json.loads(resp)
            self.assertEqual((err["code"], err["path"]), ("timestamp", "webhook-timestamp"))

        # missing headers
        for missing in ("webhook-id", "webhook-timestamp", "webhook-signature"):
            hdrs = self.signed(body)
            del hdrs[missing]
            status, resp, _ = srv.post(body, headers=hdrs)
            self.assertEqual(status, 401, missing)
            self.assertEqual(json.loads(resp)["path"], missing)

        # a valid signature on an invalid payload: 400 with the decoder's error
        bad = body.replace(b'"score":9', b'"score":11')
        self.assertNotEqual(bad, body)
        status, resp, _ = srv.post(bad, headers=self.signed(bad))
        self.assertEqual(status, 400, resp)
        err = json.loads(resp)
        self.assertEqual(set(err), {"code", "message", "path", "pos"})
        self.assertEqual((err["code"], err["path"]), ("range", "payload.score"))
        self.assertTrue(0 <= err["pos"] <= len(bad))
        # the same error as `ugw validate` gives for these bytes
        p = run("validate", "-", stdin=bad)
        self.assertIn(("%s (range at byte %d)" % (err["message"], err["pos"])).encode(), p.stdout)

        # not an event at all, and JSON declared for MessagePack bytes
        status, resp, _ = srv.post(b"{", headers=self.signed(b"{"))
        self.assertEqual((status, json.loads(resp)["code"]), (400, "truncated"))
        mp = fixture("nps_score_submit", "msgpack")
        status, resp, _ = srv.post(mp, "application/json", headers=self.signed(mp))
        self.assertEqual(status, 400)

        # unsupported media types (a signed request: the type is checked after the signature)
        for ctype in ("text/plain", "application/x-www-form-urlencoded", "application/jsonx",
                      "application/json-seq", "application/msgpack2"):
            status, resp, _ = srv.post(body, ctype, headers=self.signed(body))
            self.assertEqual(status, 415, ctype)
            self.assertEqual(json.loads(resp)["code"], "type")
        # parameters and case are allowed
        for ctype in ("application/json; charset=utf-8", "Application/JSON", " application/json ;x=y"):
            status, _, _ = srv.post(body, ctype, headers=self.signed(body))
            self.assertEqual(status, 204, ctype)

        # other methods
        status, resp, h = srv.post(None, None, method="GET")
        self.assertEqual(status, 405)
        self.assertEqual(h.get("Allow"), "POST")
        self.assertEqual(json.loads(resp)["code"], "arg")

        rc, out, err = srv.stop()
        self.assertEqual(rc, 0, err)
        # 3 valid; 401: 2 wrong signature + 2 timestamps + 3 missing headers = 7;
        # invalid: 3 bad bodies + 5 media types + 1 method = 9
        self.assertEqual(summary(err), (19, 3, 9, 7, 0))
        self.assertEqual(len(out.splitlines()), 3)
        self.assertIn(b"ugw serve: 401", err)
        self.assertIn(b"ugw serve: 400", err)

    def test_missing_content_type_is_415(self):
        srv = self.start()
        body = fixture("guide_preview_start")
        c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
        self.addCleanup(c.close)
        c.putrequest("POST", "/")
        c.putheader("Content-Length", str(len(body)))
        c.endheaders(body)
        r = c.getresponse()
        self.assertEqual(r.status, 415)
        self.assertEqual(json.loads(r.read())["code"], "type")

    def test_duplicate_is_204_counted_printed_once(self):
        out_path = os.path.join(self.tmp.name, "events.jsonl")
        srv = self.start("--secret", self.secret)
        body = fixture("checklist_item_trigger")
        first = self.signed(body, msg_id="msg_dup")
        self.assertEqual(srv.post(body, headers=first)[0], 204)
        # a retry: same id, new timestamp, new signature; and in the other format
        time.sleep(1.1)
        self.assertEqual(srv.post(body, headers=self.signed(body, msg_id="msg_dup"))[0], 204)
        mp = fixture("checklist_item_trigger", "msgpack")
        self.assertEqual(srv.post(mp, "application/msgpack", self.signed(mp, msg_id="msg_dup"))[0], 204)
        self.assertEqual(srv.post(body, headers=self.signed(body, msg_id="msg_other"))[0], 204)
        rc, out, err = srv.stop()
        self.assertEqual(rc, 0, err)
        self.assertEqual(summary(err), (4, 2, 0, 0, 2))
        lines = out.decode().splitlines()
        self.assertEqual([l.split()[0] for l in lines], ["msg_dup", "msg_other"], out)
        self.assertFalse(os.path.exists(out_path))

    def test_invalid_first_attempt_does_not_make_a_duplicate(self):
        srv = self.start("--secret", self.secret)
        body = fixture("nps_feedback_submit")
        bad = body.replace(b'"event":"', b'"event":"x')
        self.assertEqual(srv.post(bad, headers=self.signed(bad, msg_id="msg_x"))[0], 400)
        self.assertEqual(srv.post(body, headers=self.signed(body, msg_id="msg_x"))[0], 204)
        rc, out, err = srv.stop()
        self.assertEqual(summary(err), (2, 1, 1, 0, 0))
        self.assertEqual(len(out.splitlines()), 1)

    def test_tolerance_option(self):
        srv = self.start("--secret", self.secret, "--tolerance", "5")
        body = fixture("nps_score_submit")
        now = int(time.time())
        self.assertEqual(srv.post(body, headers=self.signed(body, ts=now - 60))[0], 401)
        self.assertEqual(srv.post(body, headers=self.signed(body, ts=now))[0], 204)
        srv2 = self.start("--secret", self.secret, "--tolerance", "3600")
        self.assertEqual(srv2.post(body, headers=self.signed(body, ts=now - 600))[0], 204)
        self.assertEqual(srv2.post(body, headers=self.signed(body, ts=now - 4000))[0], 401)

    def test_replay_capacity_full_window_503(self):
        srv = self.start("--secret", self.secret, "--replay-capacity", "2", "--tolerance", "60")
        body = fixture("nps_score_submit")
        now = int(time.time())
        self.assertEqual(srv.post(body, headers=self.signed(body, msg_id="msg_c1", ts=now - 30))[0], 204)
        self.assertEqual(srv.post(body, headers=self.signed(body, msg_id="msg_c2", ts=now))[0], 204)
        # Full of live ids: the third waits (503, Retry-After until msg_c1 expires), none is forgotten.
        status, resp, headers = srv.post(body, headers=self.signed(body, msg_id="msg_c3", ts=now))
        self.assertEqual(status, 503)
        self.assertEqual(json.loads(resp)["code"], "full")
        self.assertTrue(1 <= int(headers["Retry-After"]) <= 31, headers["Retry-After"])
        self.assertEqual(srv.post(body, headers=self.signed(body, msg_id="msg_c1", ts=now - 30))[0], 204)
        rc, out, err = srv.stop()
        self.assertEqual(summary(err), (4, 2, 0, 0, 1))
        for bad in ("0", "16777217", "x"):
            p = run("serve", "--replay-capacity", bad)
            self.assertEqual(p.returncode, 2, bad)
            self.assertIn(b"--replay-capacity", p.stderr)


class TestServeLimits(ServeTestCase):
    def test_oversize_body_413(self):
        srv = self.start("--secret", self.secret)
        big = b'{"event":"guide started (userguiding)","payload":{"userId":"' + b"u" * (1 << 20) + b'"}}'
        # Content-Length over the limit, body sent without waiting (urllib)
        status, resp, _ = srv.post(big, headers=self.signed(big))
        self.assertEqual(status, 413)
        err = json.loads(resp)
        self.assertEqual(err["code"], "limit")
        self.assertIn("1048576", err["message"])
        # exactly at the limit is not 413 (it is decoded, and this one is invalid)
        at = b" " * ((1 << 20) - 2) + b"{}"
        status, resp, _ = srv.post(at, headers=self.signed(at))
        self.assertEqual(status, 400, resp)
        # chunked, no Content-Length: the limit is applied while reading
        c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
        self.addCleanup(c.close)
        h = self.signed(big)
        h["Content-Type"] = "application/json"
        c.request("POST", "/", body=iter([big[i:i + 65536] for i in range(0, len(big), 65536)]),
                  headers=h, encode_chunked=True)
        r = c.getresponse()
        self.assertEqual(r.status, 413)
        self.assertEqual(json.loads(r.read())["code"], "limit")
        # the connection is still usable after a drained 413
        body = fixture("guide_preview_start")
        h = self.signed(body)
        h["Content-Type"] = "application/json"
        c.request("POST", "/", body=body, headers=h)
        r = c.getresponse()
        r.read()
        self.assertEqual(r.status, 204)
        rc, out, err = srv.stop()
        self.assertEqual(summary(err), (4, 1, 3, 0, 0))

    def test_oversize_rejected_before_the_body_with_expect_100_continue(self):
        srv = self.start("--secret", self.secret)
        with socket.create_connection(("127.0.0.1", srv.port), timeout=30) as s:
            s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      b"Content-Length: 5000000\r\nExpect: 100-continue\r\n\r\n")
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
        self.assertTrue(data.startswith(b"HTTP/1.1 413"), data)
        rc, out, err = srv.stop()
        self.assertEqual(summary(err), (1, 0, 1, 0, 0))

    def test_max_body_option(self):
        srv = self.start("--max-body", "200")
        body = fixture("nps_survey_display")
        self.assertLessEqual(len(body), 200)
        self.assertEqual(srv.post(body)[0], 204)
        pad = body + b" " * (200 - len(body))
        self.assertEqual(srv.post(pad)[0], 204)
        self.assertEqual(srv.post(pad + b" ")[0], 413)
        srv2 = self.start("--max-body", str(4 << 20))
        big = b'{"event":"guide started (userguiding)","payload":{"userId":"' + b"u" * (2 << 20) + b'"}}'
        status, resp, _ = srv2.post(big)
        self.assertEqual(status, 400)                  # read whole, then too long a userId
        self.assertEqual(json.loads(resp)["code"], "too_long")


class TestServeUnsigned(ServeTestCase):
    def test_unsigned_requests_accepted(self):
        srv = self.start()
        body = fixture("resource_center_external_url_click")
        self.assertEqual(srv.post(body, headers={"webhook-id": "msg_u1"})[0], 204)
        self.assertEqual(srv.post(body)[0], 204)   # no webhook-id at all
        self.assertEqual(srv.post(body)[0], 204)   # ... is never a duplicate
        # a bad signature is not checked without a secret
        self.assertEqual(srv.post(body, headers={"webhook-id": "msg_u2", "webhook-signature": "v1,AAAA"})[0], 204)
        # a malformed webhook-id is rejected
        for bad_id in ("has space", "x" * 257):
            status, resp, _ = srv.post(body, headers={"webhook-id": bad_id})
            self.assertEqual(status, 400, bad_id)
            self.assertEqual(json.loads(resp)["path"], "webhook-id")
        self.assertEqual(srv.post(body, headers={"webhook-id": "x" * 256})[0], 204)
        rc, out, err = srv.stop(signal.SIGINT)
        self.assertEqual(rc, 0, err)
        self.assertEqual(summary(err), (7, 5, 2, 0, 0))
        lines = out.decode().splitlines()
        self.assertEqual([l.split()[:4] for l in lines],
                         [["msg_u1", "resource_center_external_url_click", "unsigned", "json"],
                          ["-", "resource_center_external_url_click", "unsigned", "json"],
                          ["-", "resource_center_external_url_click", "unsigned", "json"],
                          ["msg_u2", "resource_center_external_url_click", "unsigned", "json"],
                          ["x" * 256, "resource_center_external_url_click", "unsigned", "json"]])

    def test_strict(self):
        body = json.loads(fixture("nps_score_submit"))
        body["payload"]["newField"] = 1
        extra = json.dumps(body).encode()
        lax = self.start()
        self.assertEqual(lax.post(extra)[0], 204)
        strict = self.start("--strict")
        status, resp, _ = strict.post(extra)
        self.assertEqual(status, 400)
        err = json.loads(resp)
        self.assertEqual((err["code"], err["path"]), ("unknown_key", "payload.newField"))

    def test_user_id_is_escaped_in_the_line(self):
        srv = self.start()
        body = json.loads(fixture("guide_preview_start"))
        body["payload"]["userId"] = 'a b\n"c"\\d\u00e9\u001b'
        self.assertEqual(srv.post(json.dumps(body, ensure_ascii=False).encode())[0], 204)
        rc, out, err = srv.stop()
        self.assertEqual(out.count(b"\n"), 1, out)
        line = out.decode().rstrip("\n")
        self.assertEqual(json.loads('"%s"' % line.split(" ", 4)[4]), body["payload"]["userId"])

    def test_quiet(self):
        srv = self.start("--quiet")
        self.assertEqual(srv.post(fixture("guide_preview_start"))[0], 204)
        self.assertEqual(srv.post(b"{}")[0], 400)
        rc, out, err = srv.stop()
        self.assertEqual((rc, out), (0, b""))
        self.assertNotIn(b"ugw serve: 400", err)
        self.assertEqual(summary(err), (2, 1, 1, 0, 0))

    def test_concurrent_clients(self):
        srv = self.start("--secret", self.secret, "--threads", "3")
        bodies = [(fixture(e, x), "application/" + x, e) for e in EVENT_IDS for x in ("json", "msgpack")]
        results, lock = [], threading.Lock()

        def worker(k):
            for j in range(25):
                body, ctype, _ = bodies[(k + j) % len(bodies)]
                h = self.signed(body, msg_id="msg_%d_%d" % (k, j))
                st = srv.post(body, ctype, h)[0]
                with lock:
                    results.append(st)

        ts = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(120)
        self.assertEqual(results, [204] * 200)
        rc, out, err = srv.stop()
        self.assertEqual(summary(err), (200, 200, 0, 0, 0))
        self.assertEqual(len(set(l.split()[0] for l in out.splitlines())), 200)


class TestServeOut(ServeTestCase):
    def test_json_lines(self):
        out_path = os.path.join(self.tmp.name, "events.jsonl")
        write_tmp(self.tmp.name, "events.jsonl", b'{"earlier":true}\n')  # appended to
        srv = self.start("--secret", self.secret, "--out", out_path)
        sent = []
        for e in EVENT_IDS:
            for ext in ("json", "msgpack"):
                body = fixture(e, ext)
                h = self.signed(body)
                self.assertEqual(srv.post(body, "application/" + ext, h)[0], 204)
                sent.append((h["webhook-id"], e, ext))
        dup = fixture("nps_score_submit")
        self.assertEqual(srv.post(dup, headers=self.signed(dup, msg_id=sent[0][0]))[0], 204)
        rc, out, err = srv.stop()
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, b"")  # lines go to the file instead
        self.assertEqual(summary(err), (23, 22, 0, 0, 1))
        with open(out_path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        self.assertEqual(json.loads(lines[0]), {"earlier": True})
        recs = [json.loads(l) for l in lines[1:]]
        self.assertEqual(len(recs), 22)
        wire = {}
        for (msg_id, e, ext), rec, line in zip(sent, recs, lines[1:]):
            self.assertEqual(set(rec), {"id", "event", "format", "verified", "received", "body"})
            self.assertEqual((rec["id"], rec["format"], rec["verified"]), (msg_id, ext, True))
            # whatever format it came in, body is the event as JSON: the JSON fixture, byte for byte
            self.assertEqual(rec["body"], json.loads(fixture(e)))
            self.assertTrue(line.endswith(',"body":' + fixture(e).decode().rstrip("\n") + "}"), line)
            self.assertEqual(rec["event"], rec["body"]["event"])
            wire.setdefault(e, rec["event"])
            self.assertRegex(rec["received"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
            t = time.mktime(time.strptime(rec["received"][:19], "%Y-%m-%dT%H:%M:%S")) - time.timezone
            self.assertLess(abs(t - time.time()), 600)
        self.assertEqual(len(set(wire.values())), len(EVENT_IDS))

    def test_json_lines_unsigned_to_stdout(self):
        srv = self.start("--out", "-")
        body = fixture("nps_survey_display")
        self.assertEqual(srv.post(body)[0], 204)
        odd_id = 'msg_"quoted"\\back{}'
        self.assertEqual(srv.post(body, headers={"webhook-id": odd_id})[0], 204)
        rc, out, err = srv.stop()
        self.assertEqual(rc, 0, err)
        recs = [json.loads(l) for l in out.splitlines()]
        self.assertEqual(len(recs), 2, out)
        self.assertEqual((recs[0]["id"], recs[0]["verified"], recs[0]["format"]), (None, False, "json"))
        self.assertEqual(recs[0]["body"], json.loads(body))
        self.assertEqual(recs[1]["id"], odd_id)

class TestServeUsage(unittest.TestCase):
    def test_usage_errors_exit_2(self):
        for args in (["--listen", "nope"], ["--listen", "127.0.0.1:70000"], ["--listen", "127.0.0.1:"],
                     ["--listen", "::1:80"], ["--max-body", "0"], ["--max-body", "1k"],
                     ["--tolerance", "0"], ["--threads", "0"], ["--secret", "whsec_!!"],
                     ["--bogus"], ["operand"], ["--out", "/nonexistent-dir/x.jsonl"]):
            p = run("serve", *args)
            self.assertEqual(p.returncode, 2, "%r: %s" % (args, describe(p)))
            self.assertNotIn(b"listening on", p.stderr)

    def test_port_in_use_exit_2(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen(1)
            port = s.getsockname()[1]
            p = subprocess.run([BIN, "serve", "--listen", "127.0.0.1:%d" % port], capture_output=True,
                               timeout=30)
        self.assertEqual(p.returncode, 2, describe(p))
        self.assertIn(b"cannot listen", p.stderr)

    def test_ipv6_loopback(self):
        if not socket.has_ipv6:
            self.skipTest("no IPv6")
        try:
            with socket.socket(socket.AF_INET6) as s:
                s.bind(("::1", 0))
        except OSError:
            self.skipTest("no IPv6 loopback")
        proc = subprocess.Popen([BIN, "serve", "--listen", "[::1]:0"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        try:
            line = proc.stderr.readline()
            m = re.search(rb"listening on http://\[::1\]:(\d+)/", line)
            self.assertIsNotNone(m, line)
            c = http.client.HTTPConnection("::1", int(m.group(1)), timeout=30)
            c.request("POST", "/", body=fixture("guide_preview_start"),
                      headers={"Content-Type": "application/json"})
            self.assertEqual(c.getresponse().status, 204)
            c.close()
            proc.send_signal(signal.SIGTERM)
            self.assertEqual(proc.wait(STOP_TIMEOUT), 0)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
            proc.stderr.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
