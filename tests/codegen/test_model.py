"""The generator's `model` step: C names, JSON keys, MessagePack key
literals, event heads, fingerprints.

    /usr/bin/python3 -m unittest discover -s tests/codegen -v
"""

import json
import re
import unittest

from codegen_support import *  # noqa: F401,F403

class Model(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.m = build_model()
        cls.events = {e.id: e for e in cls.m.events}

    def field(self, event_id, name):
        return next(f for f in self.events[event_id].fields if f.name == name)

    def test_snake_case(self):
        for wire, c in (("userId", "user_id"), ("pageUrl", "page_url"), ("guideId", "guide_id"),
                        ("hotspotGroupId", "hotspot_group_id"), ("resourceCenterName", "resource_center_name"),
                        ("externalURL", "external_url"), ("ctaText", "cta_text"), ("score", "score"),
                        ("step2Id", "step2_id")):
            self.assertEqual(check_mod.snake(wire), c, wire)

    def test_event_and_field_names(self):
        self.assertEqual([e.id for e in self.m.events], [e["id"] for e in SCHEMA_DATA["event"]])
        self.assertEqual([e.number for e in self.m.events], list(range(1, len(SCHEMA_DATA["event"]) + 1)))
        e = self.events["resource_center_checklist_guide_trigger"]
        self.assertEqual(e.macro, "RESOURCE_CENTER_CHECKLIST_GUIDE_TRIGGER")
        self.assertEqual([f.c_name for f in e.fields],
                         ["user_id", "page_url", "resource_center_id", "resource_center_name",
                          "checklist_id", "checklist_name", "guide_id", "guide_name"])
        f = self.field("guide_preview_start", "userId")
        self.assertEqual((f.c_name, f.macro, f.c_type, f.path, f.type_enum),
                         ("user_id", "USER_ID", "ugw_str", "payload.userId", "UGW_TYPE_STRING"))
        self.assertEqual((f.min, f.max, f.required), (1, 256, True))
        g = self.field("guide_preview_start", "guideId")
        self.assertEqual((g.c_type, g.min, g.max), ("uint64_t", 0, ID_MAX))
        s = self.field("nps_score_submit", "score")
        self.assertEqual((s.c_type, s.min, s.max), ("int64_t", 0, 10))
        self.assertFalse(self.field("nps_survey_display", "surveyId").required)
        self.assertEqual(self.events["nps_survey_display"].nrequired, 2)

    def test_generated_header_uses_model_names(self):
        h = read_tree(GENERATED)["ugw/ugw_events.h"].decode()
        self.assertIn("ugw_str user_id; /**< userId:", h)
        self.assertIn("bool has_survey_id;", h)
        self.assertIn("int64_t score; /**< score:", h)
        self.assertIn("typedef struct ugw_guide_preview_start {", h)
        self.assertIn("UGW_EVENT_GUIDE_PREVIEW_START = 1,", h)

    def test_json_keys(self):
        for e in self.m.events:
            for f in e.fields:
                want = json.dumps(f.name).encode() + b":"
                self.assertEqual(c_literal_bytes(f.json_key), want, f.name)
                self.assertEqual(f.json_key_len, len(want))
        f = self.field("guide_preview_start", "userId")
        self.assertEqual(f.json_key, '"\\"userId\\":"')

    def test_msgpack_keys(self):
        for e in self.m.events:
            for f in e.fields:
                raw = c_literal_bytes(f.mp_key)
                self.assertEqual(raw, bytes([0xA0 | len(f.name)]) + f.name.encode(), f.name)
                self.assertEqual(f.mp_key_len, len(raw))
        self.assertEqual(self.field("guide_preview_start", "userId").mp_key, '"\\246userId"')
        # 18 bytes: fixstr header 0xb2 = octal 262
        self.assertEqual(self.field("resource_center_guide_trigger", "resourceCenterName").mp_key,
                         '"\\262resourceCenterName"')

    def test_event_heads(self):
        for e in self.m.events:
            head = ('{"event":' + json.dumps(e.wire, ensure_ascii=False) + ',"payload":{').encode()
            self.assertEqual(c_literal_bytes(e.json_head), head)
            self.assertEqual(e.json_head_len, len(head))
            wire = e.wire.encode()
            self.assertLess(len(wire), 256)
            wire_mp = (bytes([0xA0 | len(wire)]) if len(wire) < 32 else bytes([0xD9, len(wire)])) + wire
            mp_head = b"\x82\xa5event" + wire_mp + b"\xa7payload"
            self.assertEqual(c_literal_bytes(e.mp_head), mp_head)
            self.assertEqual(e.mp_head_len, len(mp_head))
            self.assertEqual(c_literal_bytes(e.wire_c), wire)
            self.assertEqual(e.wire_len, len(wire))

    def test_c_literal_is_safe(self):
        lit = model_mod.c_literal('a"b\\c?\n\x01\u00e9??=9')
        self.assertEqual(c_literal_bytes(lit), 'a"b\\c?\n\x01\u00e9??=9'.encode())
        self.assertNotIn("??", lit)              # no trigraphs
        self.assertNotRegex(lit, r"\\x")          # no hex escapes that swallow digits
        self.assertEqual(model_mod.c_literal("\x01" + "7"), '"\\0017"')

    def test_example_initialisers(self):
        self.assertEqual(self.field("guide_preview_start", "userId").example_c, '{ "user-42", 7 }')
        self.assertEqual(self.field("guide_preview_start", "guideId").example_c, "UINT64_C(1)")
        self.assertEqual(self.field("nps_score_submit", "score").example_c, "INT64_C(9)")
        fb = self.field("nps_feedback_submit", "feedback")
        lit, n = fb.example_c[2:-2].rsplit(", ", 1)
        self.assertEqual(c_literal_bytes(lit), fb.example.encode())
        self.assertEqual(int(n), len(fb.example.encode()))

    def test_fingerprints_in_header_match_model(self):
        h = read_tree(GENERATED)["ugw/ugw_events.h"].decode()
        found = dict(re.findall(r"#define UGW_(\w+)_FINGERPRINT (UINT64_C\(0x[0-9a-f]{16}\))", h))
        self.assertEqual(found, {e.macro: e.fingerprint for e in self.m.events})
        self.assertEqual(len(set(found.values())), len(found), "fingerprints must differ between events")

    def test_fingerprints_stable(self):
        self.assertEqual(fingerprints(build_model()), fingerprints(self.m))
        self.assertEqual(fingerprints(build_model(name="other/name.toml")), fingerprints(self.m))

    def test_fingerprint_ignores_descriptions_examples_aliases(self):
        text = edit(SCHEMA_TEXT, 'description = "Name of the guide."', 'description = "The guide\'s title."')
        text = edit(text, 'description = "The first step of a guide was shown."',
                    'description = "Shown: first step."')
        text = edit(text, 'example = "Onboarding tour"', 'example = "Another tour"')
        text = edit(text, 'aliases = ["Checklist item trigger (userguiding)"]',
                    'aliases = ["Checklist item trigger (userguiding)", "checklist item trigger"]')
        self.assertEqual(fingerprints(build_model(text)), fingerprints(self.m))

    def _changed(self, text):
        new = fingerprints(build_model(text))
        return {k for k in new if new[k] != fingerprints(self.m)[k]}

    def using(self, field):
        return {e["id"] for e in SCHEMA_DATA["event"] if field in e["fields"]}

    def test_fingerprint_changes_with_limit(self):
        text = edit(SCHEMA_TEXT, '[field.guideName]\ntype = "string"\nmax = 512',
                    '[field.guideName]\ntype = "string"\nmax = 513')
        self.assertEqual(self._changed(text), self.using("guideName"))
        text = edit(SCHEMA_TEXT, "min = 0\nmax = 10\n", "min = 1\nmax = 10\n")
        self.assertEqual(self._changed(text), self.using("score"))
        text = edit(SCHEMA_TEXT, "min = 1\nmax = 256\n", "max = 256\n")
        self.assertEqual(self._changed(text), self.using("userId"))

    def test_fingerprint_changes_with_type(self):
        text = edit(SCHEMA_TEXT, '[field.hotspotId]\ntype = "string"', '[field.hotspotId]\ntype = "url"')
        text = edit(text, 'example = "hs-3"', 'example = "https://e.com/hs-3"')
        self.assertEqual(self._changed(text), {"hotspot_interaction"})
        text = edit(SCHEMA_TEXT, '[field.guideId]\ntype = "id"', '[field.guideId]\ntype = "int"\nmin = 0\nmax = 9007199254740991')
        self.assertEqual(self._changed(text), self.using("guideId"))

    def test_fingerprint_changes_with_presence_order_and_wire(self):
        text = edit(SCHEMA_TEXT, 'optional = ["surveyId"]\n', "")
        self.assertEqual(self._changed(text), {"nps_survey_display"})
        text = edit(SCHEMA_TEXT, 'fields = ["userId", "pageUrl", "question", "score"]',
                    'fields = ["userId", "pageUrl", "score", "question"]')
        self.assertEqual(self._changed(text), {"nps_score_submit"})
        text = edit(SCHEMA_TEXT, 'event = "nps score submit (userguiding)"', 'event = "nps score submitted (userguiding)"')
        self.assertEqual(self._changed(text), {"nps_score_submit"})


if __name__ == "__main__":
    unittest.main()
