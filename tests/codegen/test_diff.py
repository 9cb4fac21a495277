"""`ugw_codegen.py diff`: every kind of change between two schema versions,
classified for receivers (old code, new payloads) and senders (new code,
what old senders send). Each case edits the bundled schema's text and names
the (kind, receivers, senders) triples the diff must report, no more."""

import json
import os
import unittest

from codegen_support import SCHEMA_TEXT, SchemaDiffCase, edit, run_codegen

C, B, S = "compatible", "breaking", "strict"

NEW_EVENT = '''
[[event]]
id = "guide_dismissed"
event = "guide dismissed (userguiding)"
description = "A guide was closed before its end."
fields = ["userId", "pageUrl", "guideId"]
'''

NEW_FIELD = '''
[field.locale]
type = "string"
max = 16
description = "The user's locale."
example = "en-US"
'''

SCORE_EVENT = '''fields = ["userId", "pageUrl", "question", "score"]'''
DISPLAY = '''fields = ["userId", "pageUrl", "surveyId"]
optional = ["surveyId"]'''
CHECKLIST_WIRE = 'event = "checklist item triggered (userguiding)"\naliases = ["Checklist item trigger (userguiding)"]'


def _swap_first_two_events(t):
    start = t.index("\n[[event]]")
    second = t.index("\n[[event]]", start + 1)
    third = t.index("\n[[event]]", second + 1)
    return t[:start] + t[second:third] + t[start:second] + t[third:]


# name -> (edit of the schema text, expected {(kind, receivers, senders)})
CASES = {
    "nothing": (lambda t: t, set()),
    "version raised": (lambda t: edit(t, "version = 1", "version = 2"), {("version-changed", C, C)}),
    "event added": (lambda t: t + NEW_EVENT, {("event-added", B, C)}),
    "event removed": (lambda t: t[:t.rindex("\n[[event]]")], {("event-removed", C, B)}),
    "event string changed, old one kept as alias": (
        lambda t: edit(t, 'event = "guide started (userguiding)"',
                       'event = "guide began (userguiding)"\naliases = ["guide started (userguiding)"]'),
        {("event-string-changed", B, C)}),
    "event string and alias swapped": (
        lambda t: edit(t, CHECKLIST_WIRE, 'event = "Checklist item trigger (userguiding)"\n'
                                          'aliases = ["checklist item triggered (userguiding)"]'),
        {("event-string-changed", C, C)}),
    "event string changed, no alias": (
        lambda t: edit(t, 'event = "guide started (userguiding)"', 'event = "guide began (userguiding)"'),
        {("event-string-changed", B, B)}),
    "alias added": (
        lambda t: edit(t, 'event = "guide started (userguiding)"',
                       'event = "guide started (userguiding)"\naliases = ["Guide start (userguiding)"]'),
        {("alias-added", C, C)}),
    "alias removed": (lambda t: edit(t, '\naliases = ["Checklist item trigger (userguiding)"]', ""),
                      {("alias-removed", C, B)}),
    "event id renamed": (lambda t: edit(t, 'id = "guide_preview_start"', 'id = "guide_start"'),
                         {("event-id-renamed", C, C)}),
    "events reordered": (_swap_first_two_events, {("event-moved", C, C)}),
    "event description changed": (
        lambda t: edit(t, 'description = "The NPS survey was shown."', 'description = "The survey was shown."'),
        {("event-description-changed", C, C)}),
    "optional field added": (
        lambda t: edit(t, SCORE_EVENT, SCORE_EVENT[:-1] + ', "locale"]\noptional = ["locale"]') + NEW_FIELD,
        {("field-added", S, C)}),
    "required field added": (
        lambda t: edit(t, SCORE_EVENT, SCORE_EVENT[:-1] + ', "locale"]') + NEW_FIELD, {("field-added", S, B)}),
    "optional field removed": (lambda t: edit(t, DISPLAY, 'fields = ["userId", "pageUrl"]'),
                               {("field-removed", C, S)}),
    "required field removed": (lambda t: edit(t, SCORE_EVENT, 'fields = ["userId", "pageUrl", "question"]'),
                               {("field-removed", B, S)}),
    "field became required": (lambda t: edit(t, '\noptional = ["surveyId"]', ""),
                              {("field-became-required", C, B)}),
    "field became optional": (lambda t: edit(t, SCORE_EVENT, SCORE_EVENT + '\noptional = ["score"]'),
                              {("field-became-optional", B, C)}),
    "field renamed": (
        lambda t: edit(t, SCORE_EVENT, 'fields = ["userId", "pageUrl", "question", "rating"]')
        + '\n[field.rating]\ntype = "int"\nmin = 0\nmax = 10\ndescription = "The score."\nexample = 9\n',
        {("field-renamed", B, B)}),
    "int maximum lowered": (lambda t: edit(t, "max = 10\n", "max = 9\n"), {("limits-tightened", C, B)}),
    "int maximum raised": (lambda t: edit(t, "max = 10\n", "max = 100\n"), {("limits-loosened", B, C)}),
    "int range shifted": (lambda t: edit(t, "min = 0\nmax = 10\n", "min = 1\nmax = 11\n"),
                          {("limits-changed", B, B)}),
    "string maximum lowered": (lambda t: edit(t, "max = 8192\n", "max = 4096\n"), {("limits-tightened", C, B)}),
    "string maximum raised": (lambda t: edit(t, "max = 8192\n", "max = 16384\n"), {("limits-loosened", B, C)}),
    "string minimum raised": (lambda t: edit(t, "min = 1\nmax = 256\n", "min = 2\nmax = 256\n"),
                              {("limits-tightened", C, B)}),
    "string minimum dropped": (lambda t: edit(t, "min = 1\nmax = 256\n", "max = 256\n"),
                               {("limits-loosened", B, C)}),
    "url maximum lowered": (
        lambda t: edit(t, '[field.externalUrl]\ntype = "url"\nmax = 2048', '[field.externalUrl]\ntype = "url"\nmax = 1024'),
        {("limits-tightened", C, B)}),
    "type string to url": (
        lambda t: edit(edit(t, '[field.hotspotTitle]\ntype = "string"', '[field.hotspotTitle]\ntype = "url"'),
                       'example = "Export your invoices"', 'example = "https://x.example/invoices"'),
        {("type-changed", C, B), ("field-example-changed", C, C)}),
    "type url to string": (
        lambda t: edit(t, '[field.articleLink]\ntype = "url"', '[field.articleLink]\ntype = "string"'),
        {("type-changed", B, C)}),
    "type id to int over the id range": (
        lambda t: edit(t, '[field.surveyId]\ntype = "id"', '[field.surveyId]\ntype = "int"\nmin = 0\nmax = 9007199254740991'),
        {("type-changed", C, B)}),
    "type int to id": (
        lambda t: edit(t, 'type = "int"\nmin = 0\nmax = 10\n', 'type = "id"\n'),
        {("type-changed", B, C)}),
    "type int to string": (
        lambda t: edit(edit(t, 'type = "int"\nmin = 0\nmax = 10\n', 'type = "string"\nmax = 2\n'),
                       "example = 9\n", 'example = "9"\n'),
        {("type-changed", B, B), ("field-example-changed", C, C)}),
    "type int to bool": (
        lambda t: edit(edit(t, 'type = "int"\nmin = 0\nmax = 10\n', 'type = "bool"\n'), "example = 9\n", "example = true\n"),
        {("type-changed", B, B), ("field-example-changed", C, C)}),
    "fields reordered": (
        lambda t: edit(t, SCORE_EVENT, 'fields = ["userId", "pageUrl", "score", "question"]'),
        {("field-order-changed", C, C)}),
    "field description changed": (
        lambda t: edit(t, 'description = "The written answer."', 'description = "The answer."'),
        {("field-description-changed", C, C)}),
    "field example changed": (lambda t: edit(t, 'example = "hs-3"', 'example = "hs-4"'),
                              {("field-example-changed", C, C)}),
    "unused field definition added": (lambda t: t + NEW_FIELD, set()),
}


class DiffMatrix(SchemaDiffCase):

    OLD_TEXT = SCHEMA_TEXT

    def test_matrix(self):
        self.assertVerdicts(CASES)
        self.assertGreaterEqual(len(CASES), 25)
        self.assertGreaterEqual(len({k for _, expected in CASES.values() for k, _, _ in expected}), 20)

    def test_lines_name_both_files(self):
        new = self.write("lines.toml", edit(SCHEMA_TEXT, "max = 10\n", "max = 9\n"))
        p = run_codegen("diff", self.old, new)
        self.assertEqual(p.returncode, 1, p.stderr)
        line = p.stdout.strip()
        score_max = SCHEMA_TEXT[:SCHEMA_TEXT.index("max = 10\n")].count("\n") + 1
        self.assertEqual(line, f"{self.old}:{score_max}: {new}:{score_max}: receivers compatible, senders breaking: "
                               f"event 'nps_score_submit' field 'score': max 10 -> 9 [limits-tightened]")
        self.assertIn("1 change(s), 1 breaking", p.stderr)

    def test_exit_status_and_json(self):
        same = run_codegen("diff", self.old, self.old)
        self.assertEqual((same.returncode, same.stdout), (0, ""), same.stderr)
        new = self.write("json.toml", edit(SCHEMA_TEXT, SCORE_EVENT, SCORE_EVENT[:-1] + ', "locale"]\n'
                                           'optional = ["locale"]') + NEW_FIELD)
        p = run_codegen("diff", "--json", self.old, new)
        self.assertEqual(p.returncode, 0, p.stderr)       # only strict receivers break
        rep = json.loads(p.stdout)
        self.assertFalse(rep["breaking"])
        self.assertEqual(rep["changes"][0]["kind"], "field-added")
        self.assertEqual(rep["changes"][0]["receivers"], "strict")
        self.assertEqual(rep["changes"][0]["new"]["file"], new)
        self.assertIsInstance(rep["changes"][0]["old"]["line"], int)
        p = run_codegen("diff", "--strict", self.old, new)
        self.assertEqual(p.returncode, 1, p.stderr)

    def test_check_version(self):
        broken = edit(SCHEMA_TEXT, "max = 10\n", "max = 9\n")
        p = run_codegen("diff", "--check-version", self.old, self.write("nobump.toml", broken))
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.stderr, r"nobump\.toml:\d+: breaking change without a version bump")
        p = run_codegen("diff", "--check-version", self.old,
                        self.write("bump.toml", edit(broken, "version = 1", "version = 2")))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("version raised from 1 to 2", p.stderr)

    def test_prefix(self):
        # An event id whose C names clash with the runtime's under the prefix
        # ugw (ugw_client) but not under acme.
        text = SCHEMA_TEXT.replace('id = "guide_preview_start"', 'id = "client"', 1)
        a, b = self.write("p_old.toml", text), self.write("p_new.toml", edit(text, "max = 10\n", "max = 9\n"))
        p = run_codegen("diff", a, b)
        self.assertEqual(p.returncode, 2)
        self.assertIn("collides with", p.stderr)
        p = run_codegen("diff", "--prefix", "acme", a, b)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("[limits-tightened]", p.stdout)
        p = run_codegen("diff", "--prefix", "Acme", a, b)
        self.assertEqual(p.returncode, 2)
        self.assertIn("must be lower snake case", p.stderr)

    def test_schema_errors_exit_2(self):
        bad = self.write("bad.toml", edit(SCHEMA_TEXT, 'type = "int"', 'type = "integer"'))
        p = run_codegen("diff", self.old, bad)
        self.assertEqual(p.returncode, 2)
        self.assertRegex(p.stderr, r"bad\.toml:\d+: field 'score': unknown type")
        p = run_codegen("diff", self.old, os.path.join(self.tmp.name, "missing.toml"))
        self.assertEqual(p.returncode, 2)
        self.assertIn("missing.toml:1: cannot read", p.stderr)


if __name__ == "__main__":
    unittest.main()
