"""The generator's `check` step: every kind of schema mistake is reported as
`file:line: message` with the right line, and the CLI (--check) exits 1.
(Name clashes and keywords: test_check_names.py.)

    /usr/bin/python3 -m unittest discover -s tests/codegen -v
"""

import os
import re
import tempfile
import tomllib
import unittest

from codegen_support import *  # noqa: F401,F403
from codegen_support import SchemaCheckCase


# ---------------------------------------------------------------------------
# check: one test per kind of mistake
# ---------------------------------------------------------------------------

class CheckErrors(SchemaCheckCase):
    """Each broken schema is written to a temp file and given to the CLI with
    --check; the test asserts exit 1 and `file:line: message` on stderr."""

    # --- events ---

    def test_duplicate_event_id(self):
        text = edit(SCHEMA_TEXT, 'id = "guide_preview_complete"', 'id = "guide_preview_start"')
        first = line_of(text, 'id = "guide_preview_start"', 1)
        second = line_of(text, 'id = "guide_preview_start"', 2)
        self.assertReports(text, second, f"duplicate event id 'guide_preview_start' (first at line {first})")

    def test_duplicate_event_string(self):
        text = edit(SCHEMA_TEXT, 'event = "guide completed (userguiding)"',
                    'event = "guide started (userguiding)"')
        self.assertReports(text, line_of(text, 'event = "guide started (userguiding)"', 2),
                           "duplicate event string 'guide started (userguiding)' "
                           "(also used by event 'guide_preview_start')")

    def test_alias_duplicates_other_event_string(self):
        text = edit(SCHEMA_TEXT, 'aliases = ["Resource center guide trigger (userguiding)"]',
                    'aliases = ["Resource center guide trigger (userguiding)", '
                    '"checklist item triggered (userguiding)"]')
        self.assertReports(text, line_of(text, '"checklist item triggered (userguiding)"]'),
                           "duplicate event string 'checklist item triggered (userguiding)' "
                           "(also used by event 'checklist_item_trigger')")

    def test_alias_duplicates_other_alias(self):
        text = edit(SCHEMA_TEXT, 'aliases = ["Resource center guide trigger (userguiding)"]',
                    'aliases = ["Checklist item trigger (userguiding)"]')
        self.assertReports(text, line_of(text, 'aliases = ["Checklist item trigger', 2),
                           "duplicate event string 'Checklist item trigger (userguiding)'")

    def test_event_string_with_control_character(self):
        text = edit(SCHEMA_TEXT, 'event = "nps score submit (userguiding)"',
                    'event = "nps score\\u0000submit (userguiding)"')
        self.assertReports(text, line_of(text, 'event = "nps score\\u0000submit'),
                           "has a control character or a lone surrogate")

    def test_alias_with_control_character(self):
        text = edit(SCHEMA_TEXT, 'aliases = ["Checklist item trigger (userguiding)"]',
                    'aliases = ["Checklist item\\ttrigger (userguiding)"]')
        self.assertReports(text, line_of(text, 'aliases = ["Checklist item\\t'),
                           "has a control character or a lone surrogate")

    def test_event_id_is_c_keyword(self):
        for kw in ("default", "int", "switch"):
            with self.subTest(kw=kw):
                text = edit(SCHEMA_TEXT, 'id = "nps_feedback_submit"', f'id = "{kw}"')
                self.assertReports(text, line_of(text, f'id = "{kw}"'),
                                   f"event id '{kw}' collides with a C keyword")

    def test_event_id_not_snake_case(self):
        text = edit(SCHEMA_TEXT, 'id = "nps_feedback_submit"', 'id = "NpsFeedback"')
        self.assertReports(text, line_of(text, 'id = "NpsFeedback"'), "'id' must be lower_snake_case")

    def test_event_id_collides_with_runtime_name(self):
        text = edit(SCHEMA_TEXT, 'id = "nps_feedback_submit"', 'id = "decoder"')
        self.assertReports(text, line_of(text, 'id = "decoder"'), "collides with a runtime name (ugw_decoder)")

    def test_duplicate_field_in_event_fields(self):
        old = 'fields = ["userId", "pageUrl", "question", "score"]'
        text = edit(SCHEMA_TEXT, old, 'fields = ["userId", "pageUrl", "question", "score", "question"]')
        self.assertReports(text, line_of(text, '"score", "question"]'),
                           "event 'nps_score_submit': duplicate field 'question'")

    def test_duplicate_field_in_multiline_fields(self):
        old = 'fields = ["userId", "pageUrl", "question", "score"]'
        text = edit(SCHEMA_TEXT, old, 'fields = [\n  "userId",\n  "pageUrl",\n  "userId",\n  "score",\n]')
        self.assertReports(text, text.splitlines().index("fields = [") + 1,
                           "event 'nps_score_submit': duplicate field 'userId'")

    def test_duplicate_field_definition(self):
        # TOML itself forbids a table twice; the line is the second header.
        text = edit_nth(SCHEMA_TEXT, "\n[[event]]\n", '\n[field.score]\ntype = "int"\nmin = 0\nmax = 5\n'
                        'description = "again"\nexample = 1\n\n[[event]]\n', 1)
        self.assertReports(text, line_of(text, "[field.score]", 2), "Cannot declare")

    def test_field_referenced_but_not_defined(self):
        old = 'fields = ["userId", "pageUrl", "hotspotGroupId", "hotspotGroupName", "hotspotId", "hotspotTitle"]'
        text = edit(SCHEMA_TEXT, old, old.replace('"hotspotTitle"', '"hotspotTitel"'))
        self.assertReports(text, line_of(text, '"hotspotTitel"'),
                           "event 'hotspot_interaction': unknown field 'hotspotTitel' (no [field.hotspotTitel] table)")

    def test_optional_field_not_in_fields(self):
        text = edit(SCHEMA_TEXT, 'optional = ["surveyId"]', 'optional = ["guideId"]')
        self.assertReports(text, line_of(text, 'optional = ["guideId"]'),
                           "event 'nps_survey_display': optional field 'guideId' is not in 'fields'")

    def test_unknown_key_in_event(self):
        text = edit(SCHEMA_TEXT, 'optional = ["surveyId"]', 'optionnal = ["surveyId"]')
        self.assertReports(text, line_of(text, "optionnal ="), "unknown key 'optionnal'")

    def test_event_without_fields(self):
        text = edit(SCHEMA_TEXT, 'fields = ["userId", "pageUrl", "question", "feedback"]', "fields = []")
        self.assertReports(text, line_of(text, "fields = []"),
                           "event 'nps_feedback_submit': 'fields' must be a non-empty list")

    # --- fields ---

    def test_unknown_type(self):
        text, line = self._set_field_key("guideName", "type", '"strng"')
        self.assertReports(text, line, "field 'guideName': unknown type 'strng' (expected one of id, string, url, int, bool, enum, number, timestamp, object, array)")

    def test_missing_type(self):
        text = self._drop_field_key("guideName", "type")
        self.assertReports(text, line_of(text, "[field.guideName]"), "field 'guideName': unknown type None")

    def test_bad_limit_string_min_above_max(self):
        text, line = self._set_field_key("userId", "min", "300")
        self.assertReports(text, line, "field 'userId': bad limit: need 0 <= min <= max")

    def test_bad_limit_int_min_above_max(self):
        # Reported on the `min` line, as for strings (test_bad_limit_string_min_above_max).
        text, line = self._set_field_key("score", "min", "11")
        self.assertNotEqual(line, self._field_key_line(text, "score", "max"))
        self.assertReports(text, line, "field 'score': bad limit")

    def test_bad_limit_int_outside_64_bits(self):
        # TOML parsers may take integers past 64 bits: the line is the bound at fault.
        text, line = self._set_field_key("score", "max", str(2**63))
        self.assertReports(text, line, "field 'score': bad limit: need")
        text, line = self._set_field_key("score", "min", str(-2**63 - 1))
        self.assertReports(text, line, "field 'score': bad limit: need")

    def test_bad_limit_missing_max_for_string(self):
        text = self._drop_field_key("guideName", "max")
        self.assertReports(text, self._field_key_line(text, "guideName", "type"),
                           "field 'guideName': type string needs 'max'")

    def test_bad_limit_missing_max_for_url(self):
        text = self._drop_field_key("externalUrl", "max")
        self.assertReports(text, self._field_key_line(text, "externalUrl", "type"),
                           "field 'externalUrl': type url needs 'max'")

    def test_bad_limit_url_max_over_2048(self):
        text, line = self._set_field_key("pageUrl", "max", "2049")
        self.assertReports(text, line, "field 'pageUrl': bad limit: max must be 1..2048")

    def test_bad_limit_zero_max(self):
        text, line = self._set_field_key("question", "max", "0")
        self.assertReports(text, line, "field 'question': bad limit: max must be 1..")

    def test_bad_limit_max_on_id(self):
        text, line = self._add_field_key("guideId", "max = 10")
        self.assertReports(text, line, "field 'guideId': type id takes no min or max")

    def test_bad_limit_min_on_id(self):
        text, line = self._add_field_key("surveyId", "min = 1")
        self.assertReports(text, line, "field 'surveyId': type id takes no min or max")

    def test_bad_limit_int_without_bounds(self):
        text = self._drop_field_key("score", "min")
        self.assertReports(text, self._field_key_line(text, "score", "type"),
                           "field 'score': type int needs both min and max")

    def test_bad_limit_not_an_integer(self):
        text, line = self._set_field_key("guideName", "max", '"512"')
        self.assertReports(text, line, "field 'guideName': 'max' must be an integer")

    def test_field_name_is_c_keyword_int(self):
        text, line = self._add_field("int", self.STRING_BODY, used_by="nps_score_submit")
        self.assertReports(text, line, "field name 'int' collides with the C keyword 'int'")

    def test_field_name_is_c_keyword_default(self):
        text, line = self._add_field("default", self.STRING_BODY, used_by="nps_score_submit")
        self.assertReports(text, line, "field name 'default' collides with the C keyword 'default'")

    def test_field_c_name_is_c_keyword(self):
        # `Int` is no keyword, but its C member name `int` is.
        text, line = self._add_field("Int", self.STRING_BODY, used_by="nps_score_submit")
        self.assertReports(text, line, "field name 'Int' collides with the C keyword 'int'")

    def test_field_type_is_not_a_keyword(self):
        # `type` is a fine C member name: no error for it.
        text, _ = self._add_field("type", self.STRING_BODY, used_by="nps_score_submit")
        _, p = self.check_text(text)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_two_fields_same_c_name(self):
        text, line = self._add_field("userID", self.STRING_BODY)
        self.assertReports(text, line, "field 'userID' has the same C name 'user_id' as field 'userId'")

    def test_field_name_not_identifier(self):
        text, line = self._add_field('"user-id"', self.STRING_BODY)
        self.assertReports(text, line, "field name 'user-id' must be letters and digits")

    def test_unknown_key_in_field(self):
        text, line = self._add_field_key("userId", "requird = true")
        self.assertReports(text, line, "field 'userId': unknown key 'requird'")

    def test_field_without_description(self):
        text = self._drop_field_key("hotspotTitle", "description")
        self.assertReports(text, line_of(text, "[field.hotspotTitle]"), "field 'hotspotTitle': needs a 'description'")

    def test_field_without_example(self):
        text = self._drop_field_key("hotspotTitle", "example")
        self.assertReports(text, line_of(text, "[field.hotspotTitle]"), "field 'hotspotTitle': needs an 'example'")

    # --- examples that break their own field's rules ---

    def test_example_int_out_of_range(self):
        text, line = self._set_field_key("score", "example", "11")
        self.assertReports(text, line, "field 'score': example must be an integer from 0 to 10")

    def test_example_id_too_large(self):
        text, line = self._set_field_key("guideId", "example", str(2**53))
        self.assertReports(text, line, "field 'guideId': example must be an integer from 0 to 2^53-1")

    def test_example_id_as_string(self):
        text, line = self._set_field_key("guideId", "example", '"1"')
        self.assertReports(text, line, "field 'guideId': example must be an integer")

    def test_example_string_too_short(self):
        text, line = self._set_field_key("userId", "example", '""')
        self.assertReports(text, line, "field 'userId': example length 0 is outside 1..256")

    def test_example_string_too_long_in_bytes(self):
        text, _ = self._set_field_key("hotspotId", "max", "4")
        line = self._field_key_line(text, "hotspotId", "example")
        text = edit(text, 'example = "hs-3"', 'example = "h\\u00e9\\u00e9"')  # 5 bytes, 3 characters
        self.assertReports(text, line, "field 'hotspotId': example length 5 is outside 0..4")

    def test_example_string_with_nul(self):
        text, line = self._set_field_key("hotspotId", "example", '"a\\u0000b"')
        self.assertReports(text, line, "field 'hotspotId': example must not contain NUL")

    def test_example_url_not_absolute(self):
        text, line = self._set_field_key("externalUrl", "example", '"/docs/start"')
        self.assertReports(text, line, "field 'externalUrl': example must be an absolute http(s) URL")

    def test_example_url_with_space(self):
        text, line = self._set_field_key("articleLink", "example", '"https://help.example.com/a b"')
        self.assertReports(text, line, "field 'articleLink': example must be an absolute http(s) URL")

    def test_example_wrong_type(self):
        text, line = self._set_field_key("guideName", "example", "5")
        self.assertReports(text, line, "field 'guideName': example must be a string")

    # --- top level ---

    def test_toml_syntax_error(self):
        line = self._field_key_line(SCHEMA_TEXT, "question", "max")
        lines = SCHEMA_TEXT.splitlines(keepends=True)
        lines[line - 1] = "max = \n"
        self.assertReports("".join(lines), line, "Invalid value")

    def test_toml_unterminated_string(self):
        line = self._field_key_line(SCHEMA_TEXT, "checklistName", "description")
        lines = SCHEMA_TEXT.splitlines(keepends=True)
        lines[line - 1] = 'description = "Name of the checklist.\n'
        self.assertReports("".join(lines), line, "Illegal character")

    def test_missing_version(self):
        text = edit(SCHEMA_TEXT, "\nversion = 1\n", "\n")
        self.assertReports(text, 1, "'version' must be a positive integer")

    def test_bad_version(self):
        text = edit(SCHEMA_TEXT, "\nversion = 1\n", '\nversion = "1"\n')
        self.assertReports(text, line_of(text, 'version = "1"'), "'version' must be a positive integer")

    def test_unknown_top_level_key(self):
        text = edit(SCHEMA_TEXT, "\nversion = 1\n", "\nversion = 1\nverison = 2\n")
        self.assertReports(text, line_of(text, "verison = 2"), "unknown top-level key 'verison'")

    def test_no_events(self):
        text = SCHEMA_TEXT[:SCHEMA_TEXT.index("\n[[event]]\n") + 1]
        self.assertIn("[field.articleLink]", text)
        self.assertReports(text, 1, "the schema needs at least one [[event]]")

    def test_not_utf8(self):
        path = os.path.join(self.tmp.name, "latin1.toml")
        with open(path, "wb") as f:
            f.write(SCHEMA_TEXT.encode("utf-8").replace(b"Onboarding tour", b"Onboarding \xe9tape", 1))
        p = run_codegen("--check", "--schema", path)
        self.assertEqual(p.returncode, 1)
        self.assertIn(f"{path}:1: not UTF-8", p.stderr)

    def test_missing_file(self):
        path = os.path.join(self.tmp.name, "nope.toml")
        p = run_codegen("--check", "--schema", path)
        self.assertEqual(p.returncode, 1)
        self.assertIn(f"{path}:1: cannot read", p.stderr)

    def test_usage_error_exits_2(self):
        p = run_codegen("--no-such-option")
        self.assertEqual(p.returncode, 2)

    def test_every_error_is_reported_not_only_the_first(self):
        text, _ = self._set_field_key("score", "example", "11")
        text = edit(text, 'id = "nps_feedback_submit"', 'id = "switch"')
        text = edit(text, 'optional = ["surveyId"]', 'optional = ["guideId"]')
        _, p = self.check_text(text)
        self.assertEqual(p.returncode, 1)
        self.assertIn("ugw codegen: 3 error(s)", p.stderr)
        self.assertEqual(len([ln for ln in p.stderr.splitlines() if not ln.startswith("ugw codegen:")]), 3)

    def test_broken_schema_writes_nothing(self):
        text, _ = self._set_field_key("score", "example", "11")
        path = os.path.join(self.tmp.name, "broken.toml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        out = os.path.join(self.tmp.name, "out")
        p = run_codegen("--schema", path, "--out", out)
        self.assertEqual(p.returncode, 1)
        self.assertFalse(os.path.exists(out), "a broken schema must not produce output")


class CheckInProcess(unittest.TestCase):
    """The check step as a function: the same messages without the CLI."""

    def test_real_schema_is_clean(self):
        loc = load_mod.load(SCHEMA)
        self.assertEqual(check_mod.check(loc), [])

    def test_real_schema_cli_check(self):
        p = run_codegen("--check", "--schema", "schema/events.toml")
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, "", ""))

    def test_load_error_carries_line(self):
        text = SCHEMA_TEXT.replace("version = 1", "version = = 1", 1)
        with self.assertRaises(load_mod.LoadError) as cm:
            load_mod.load("x.toml", text=text)
        self.assertEqual(cm.exception.line, line_of(text, "version = = 1"))
        self.assertTrue(str(cm.exception).startswith(f"x.toml:{cm.exception.line}: "))


if __name__ == "__main__":
    unittest.main()
