"""The generator's `check` step on C names: every C name clash (an event id
or field making a name that the runtime or the generated code already
declares, or that another event makes; two struct members alike), C and C++
keywords and macros, and the line each is reported at.

    /usr/bin/python3 -m unittest discover -s tests/codegen -v
"""

import os
import re
import tempfile
import tomllib
import unittest

from codegen_support import *  # noqa: F401,F403
from codegen_support import SchemaCheckCase


class CheckNames(SchemaCheckCase):
    """Schemas that once passed `check` but made C that does not compile, and
    their relatives. The schemas are built in SchemaCheckCase.known_bug();
    test_codegen.CompileGenerated.test_known_bug_schemas_break_the_build
    shows that each one, given to the model without `check`, does break the
    C build."""

    def test_known_bug_schemas_are_sound_toml(self):
        for which in self.KNOWN_BUGS:
            with self.subTest(which=which):
                text, line, fragment = self.known_bug(which)
                tomllib.loads(text)
                self.assertGreater(line, 1)

    def test_bug_event_id_making_enum_constant_none(self):
        out = self.assertReports(*self.known_bug("none"))          # UGW_EVENT_NONE twice
        self.assertIn("generated name (UGW_EVENT_NONE) from codegen/templates/events.h.j2:", out)

    def test_bug_event_id_making_macro_event_count(self):
        out = self.assertReports(*self.known_bug("count"))         # UGW_EVENT_COUNT macro vs enum
        self.assertIn("(UGW_EVENT_COUNT)", out)

    def test_bug_event_id_colliding_with_runtime_api(self):
        for name in ("encode", "decode_opts", "field_desc", "fixture", "schema_events", "utf8_check"):
            with self.subTest(name=name):
                out = self.assertReports(*self.known_bug(name))    # ugw_<id> is already taken
                self.assertIn(f"({self.TAKEN[name]})", out)
        out = self.assertReports(*self.known_bug("utf8_check"))
        # The header from the list the generator ships (codegen/ugwgen/runtime_names.txt).
        self.assertRegex(out, r"(?m)runtime name \(ugw_utf8_check\) of include/ugw/ugw_runtime\.h$")

    def test_bug_event_id_colliding_with_other_events_function(self):
        out = self.assertReports(*self.known_bug("guide_preview_start_validate"))
        first = event_block_start(SCHEMA_TEXT, "guide_preview_start")
        self.assertIn(f"a name of event 'guide_preview_start' (ugw_guide_preview_start_validate) at line {first}", out)

    def test_earlier_event_colliding_with_later_events_name(self):
        # Reported at the later event, whichever of the two makes the longer name.
        text = edit(SCHEMA_TEXT, 'id = "guide_preview_start"', 'id = "nps_feedback_submit_encode_json"')
        first = event_block_start(text, "nps_feedback_submit_encode_json")
        self.assertReports(text, event_block_start(text, "nps_feedback_submit"),
                           "event id 'nps_feedback_submit' collides with a name of event "
                           f"'nps_feedback_submit_encode_json' (ugw_nps_feedback_submit_encode_json) at line {first}")

    def test_event_ids_making_the_same_init_macro(self):
        # event_x's UGW_<ID>_INIT is x's UGW_EVENT_<ID>_INIT.
        text = edit(SCHEMA_TEXT, 'id = "guide_preview_start"', 'id = "event_nps_feedback_submit"')
        self.assertReports(text, line_of(text, 'id = "nps_feedback_submit"'),
                           "(UGW_EVENT_NPS_FEEDBACK_SUBMIT_INIT)")

    def test_every_per_event_name_is_checked(self):
        # An id whose ugw_<id>_encode_msgpack, UGW_<ID>_FINGERPRINT, ... is taken.
        for other, suffix in (("guide_preview_start", "_encode_msgpack"), ("guide_preview_start", "_encode_json"),
                              ("nps_score_submit", "_validate")):
            with self.subTest(suffix=suffix):
                text = edit(SCHEMA_TEXT, 'id = "nps_feedback_submit"', f'id = "{other}{suffix}"')
                self.assertReports(text, line_of(text, f'id = "{other}{suffix}"'),
                                   f"a name of event '{other}' (ugw_{other}{suffix})")

    def test_event_id_and_field_named_like_a_c_macro(self):
        # `linux` and `unix` are predefined in GNU C mode; `errno` once errno.h is in.
        for name in ("linux", "errno"):
            with self.subTest(name=name):
                text = edit(SCHEMA_TEXT, 'id = "nps_feedback_submit"', f'id = "{name}"')
                self.assertReports(text, line_of(text, f'id = "{name}"'), f"collides with the C macro '{name}'")
        text, line = self._add_field("unix", self.STRING_BODY, used_by="nps_score_submit")
        self.assertReports(text, line, "field name 'unix' collides with the C macro 'unix'")

    def test_bug_field_colliding_with_has_flag(self):
        out = self.assertReports(*self.known_bug("has_flag"))      # two members has_survey_id
        self.assertIn("struct member 'has_survey_id' of field 'hasSurveyId' collides with the presence flag "
                      "of optional field 'surveyId'", out)

    def test_has_flag_collision_in_either_order(self):
        text, _ = self.known_bug("has_flag")[:2]
        text = edit(text, 'fields = ["userId", "pageUrl", "surveyId", "hasSurveyId"]',
                    'fields = ["userId", "hasSurveyId", "pageUrl", "surveyId"]')
        self.assertReports(text, line_of(text, 'fields = ["userId", "hasSurveyId"'),
                           "struct member 'has_survey_id' of the presence flag of optional field 'surveyId' "
                           "collides with field 'hasSurveyId'")
        # Without `optional`, surveyId has no flag: no clash.
        text = edit(text, 'optional = ["surveyId"]\n', "")
        _, p = self.check_text(text)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_field_macros_cannot_collide(self):
        # UGW_FIELD_<NAME>_MIN/MAX come from the C name, which is unique: two
        # names with one macro are the same-C-name error, and no other.
        self.assertEqual(names_mod.field_macro(check_mod.snake("userID")),
                         names_mod.field_macro(check_mod.snake("userId")))
        text, line = self._add_field("userID", self.STRING_BODY)
        out = self.assertReports(text, line, "has the same C name 'user_id'")
        self.assertIn("ugw codegen: 1 error(s)", out)

    def test_comment_closer_in_schema_text_is_harmless(self):
        # "*/" in an event string used to end the doc comment of events.h; the
        # model now prints comment-safe text (CompileGenerated compiles it).
        text, _, _ = self.known_bug("comment")
        _, p = self.check_text(text)
        self.assertEqual(p.returncode, 0, p.stderr)
        m = build_model(text)
        e = next(e for e in m.events if e.id == "guide_preview_complete")
        self.assertEqual(e.wire, "guide */ completed")
        self.assertEqual(e.wire_doc, "guide * / completed")

    # Wrong lines (load.py's line index reads lines, not TOML):

    def test_bug_line_of_quoted_key(self):
        self.assertReports(*self.known_bug("quoted_key"))    # reported at the table header

    def test_bug_line_of_key_after_multiline_string(self):
        self.assertReports(*self.known_bug("key_in_multiline_string"))  # line inside the string

    def test_line_of_quoted_and_dotted_keys_in_an_event(self):
        text = edit(SCHEMA_TEXT, 'optional = ["surveyId"]', "'optionnal' = [\"surveyId\"]")
        self.assertReports(text, line_of(text, "'optionnal' ="), "unknown key 'optionnal'")
        text = edit(SCHEMA_TEXT, 'optional = ["surveyId"]', '"opt\\u0069onnal" = ["surveyId"]')
        self.assertReports(text, line_of(text, '"opt\\u0069onnal" ='), "unknown key 'optionnal'")
        text = edit(SCHEMA_TEXT, 'optional = ["surveyId"]', 'extra . "x" = 1')
        self.assertReports(text, line_of(text, 'extra . "x" = 1'), "unknown key 'extra'")


# C++11 to C++20 keywords and alternative tokens: the generated headers are
# read by C++ too, where an event id (a union member) or a field's C name (a
# struct member) that is a keyword does not compile.
CXX_WORDS = ("class new delete template this namespace operator private public protected typename "
             "explicit friend virtual mutable export concept requires char8_t char16_t co_await co_yield "
             "co_return consteval constinit decltype noexcept nullptr constexpr throw try catch using "
             "typeid wchar_t static_cast dynamic_cast const_cast reinterpret_cast "
             "and and_eq bitand bitor compl not not_eq or or_eq xor xor_eq").split()


class CheckKeywordsAndPrefix(SchemaCheckCase):
    """C and C++ keywords, and the names a prefix makes."""

    def test_event_id_is_cxx_keyword(self):
        for kw in ("class", "new", "template", "and"):
            with self.subTest(kw=kw):
                text = edit(SCHEMA_TEXT, 'id = "nps_feedback_submit"', f'id = "{kw}"')
                self.assertReports(text, line_of(text, f'id = "{kw}"'),
                                   f"event id '{kw}' collides with a C++ keyword")

    def test_every_cxx_keyword_refused_as_event_id(self):
        for kw in CXX_WORDS:
            with self.subTest(kw=kw):
                text = edit(SCHEMA_TEXT, 'id = "nps_feedback_submit"', f'id = "{kw}"')
                errors = check_mod.check(load_mod.load("s.toml", text=text))
                line = line_of(text, f'id = "{kw}"')
                lang = "C" if kw in ("constexpr", "nullptr") else "C++"     # C23 has these two
                self.assertEqual(errors, [f"s.toml:{line}: event id '{kw}' collides with a {lang} keyword"])

    def test_field_name_is_cxx_keyword(self):
        for name in ("class", "delete", "operator", "or"):
            with self.subTest(name=name):
                text, line = self._add_field(name, self.STRING_BODY, used_by="nps_score_submit")
                self.assertReports(text, line, f"field name '{name}' collides with the C++ keyword '{name}'")

    def test_field_c_name_is_cxx_keyword(self):
        # No keyword as written; their C names co_await and char8_t are.
        for name, cn in (("coAwait", "co_await"), ("char8T", "char8_t"), ("Virtual", "virtual")):
            with self.subTest(name=name):
                text, line = self._add_field(name, self.STRING_BODY, used_by="nps_score_submit")
                self.assertReports(text, line, f"field name '{name}' collides with the C++ keyword '{cn}'")

    def test_every_cxx_keyword_refused_as_field_c_name(self):
        for kw in CXX_WORDS:
            with self.subTest(kw=kw):
                head, *rest = kw.split("_")
                name = head + "".join(part[:1].upper() + part[1:] for part in rest)    # static_cast: staticCast
                self.assertEqual(check_mod.snake(name), kw)
                text, line = self._add_field(name, self.STRING_BODY, used_by="nps_score_submit")
                errors = check_mod.check(load_mod.load("s.toml", text=text))
                self.assertEqual(len(errors), 1, errors)
                self.assertRegex(errors[0], rf"^s\.toml:{line}: field name '{name}' collides with the "
                                            rf"C(\+\+)? keyword '{kw}'$")

    def test_cxx_words_that_are_no_keywords_are_fine(self):
        # Identifiers with a special meaning in some places only.
        for word in ("final", "override", "import", "module", "self"):
            with self.subTest(word=word):
                text = edit(SCHEMA_TEXT, 'id = "nps_feedback_submit"', f'id = "{word}"')
                text, _ = self._add_field(word, self.STRING_BODY, used_by="nps_score_submit")
                text = edit(text, 'id = "nps_feedback_submit"', f'id = "{word}"')
                self.assertEqual(check_mod.check(load_mod.load("s.toml", text=text)), [])

    def test_names_are_checked_with_the_prefix(self):
        # With prefix acme, ugw_decoder is not made (acme_decoder is), but
        # acme_encode is a generated name of its own.
        text = edit(SCHEMA_TEXT, 'id = "nps_feedback_submit"', 'id = "decoder"')
        _, p = self.check_text(text, ("--prefix", "acme"))
        self.assertEqual((p.returncode, p.stderr), (0, ""))
        self.assertReports(text, line_of(text, 'id = "decoder"'), "a runtime name (ugw_decoder)")
        text = edit(SCHEMA_TEXT, 'id = "nps_feedback_submit"', 'id = "encode"')
        out = self.assertReports(text, line_of(text, 'id = "encode"'), "collides with a generated name (acme_encode)",
                                 ("--prefix", "acme"))
        self.assertNotIn("ugw_encode", out)
        for eid, taken in (("event_init", "acme_event_init"), ("client_send", "acme_client_send"),
                           ("fixture", "acme_fixture"), ("none", "ACME_EVENT_NONE")):
            with self.subTest(eid=eid):
                text = edit(SCHEMA_TEXT, 'id = "nps_feedback_submit"', f'id = "{eid}"')
                self.assertReports(text, line_of(text, f'id = "{eid}"'), f"({taken})", ("--prefix", "acme"))

    def test_event_id_making_a_runtime_name_for_prefix_ugw_only(self):
        # ugw_client_send_event and ugw_cli_app are the runtime's: with prefix
        # ugw, events client_send_event and cli_app make them again.
        for eid in ("client_send_event", "cli_app", "schema_encode"):
            with self.subTest(eid=eid):
                text = edit(SCHEMA_TEXT, 'id = "nps_feedback_submit"', f'id = "{eid}"')
                self.assertReports(text, line_of(text, f'id = "{eid}"'), f"a runtime name (ugw_{eid})")
                self.assertEqual(check_mod.check(load_mod.load("s.toml", text=text), "acme"), [])

    def test_field_names_are_checked_with_the_prefix(self):
        m = names_mod.field_names("user_id", "acme")
        self.assertEqual(m, ["ACME_FIELD_USER_ID_MIN", "ACME_FIELD_USER_ID_MAX"])

    def test_prefix_errors(self):
        self.assertEqual(check_mod.prefix_errors("ugw"), [])
        self.assertEqual(check_mod.prefix_errors("acme"), [])
        self.assertEqual(check_mod.prefix_errors("acme_events2"), [])
        for bad in ("Acme", "ACME", "acme-x", "_acme", "acme_", "acme__x", "9acme", "", "ac me", "ugw_x",
                    "class", "int", "and", "a" * 33):
            with self.subTest(bad=bad):
                self.assertTrue(check_mod.prefix_errors(bad), bad)


if __name__ == "__main__":
    unittest.main()
