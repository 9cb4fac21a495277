"""`ugw_codegen.py diff` on enum, number, timestamp and nullable fields: each
kind of change with its verdict for receivers (old code, new payloads) and
senders (new code, what old senders send). Adding an enum value breaks
strict receivers only; a lenient one keeps working."""

import unittest

from codegen_support import SchemaDiffCase, edit, run_codegen

C, B = "compatible", "breaking"

BASE = '''version = 1

[field.userId]
type = "string"
min = 1
max = 64
description = "The user."
example = "u1"

[field.action]
type = "enum"
values = ["click", "view"]
description = "What the user did."
example = "click"

[field.kind]
type = "enum"
values = ["a", "b"]
unknown = "lenient"
description = "A kind, more to come."
example = "a"

[field.price]
type = "number"
min = 0
max = 100
description = "A price."
example = 9.5

[field.count]
type = "int"
min = 0
max = 100
description = "A count."
example = 3

[field.label]
type = "string"
max = 16
description = "A label."
example = "click"

[field.at]
type = "timestamp"
min = 2000-01-01T00:00:00Z
description = "When."
example = 2024-05-01T12:00:00Z

[[event]]
id = "clicked"
event = "clicked"
description = "A click."
fields = ["userId", "action", "kind", "price", "count", "label", "at"]
'''

ACTION = 'values = ["click", "view"]'
KIND = 'values = ["a", "b"]'

CASES = {
    "strict enum value added": (lambda t: edit(t, ACTION, 'values = ["click", "view", "hover"]'),
                                {("values-added", B, C)}),
    "lenient enum value added": (lambda t: edit(t, KIND, 'values = ["a", "b", "c"]'), {("values-added", C, C)}),
    "strict enum value removed": (lambda t: edit(t, ACTION, 'values = ["click"]'), {("values-removed", C, B)}),
    "lenient enum value removed": (lambda t: edit(t, KIND, 'values = ["a"]'), {("values-removed", C, C)}),
    "enum values reordered": (lambda t: edit(t, ACTION, 'values = ["view", "click"]'),
                              {("values-reordered", C, C)}),
    "enum made lenient": (lambda t: edit(t, ACTION, ACTION + '\nunknown = "lenient"'),
                          {("unknown-mode-changed", C, C)}),
    "enum made strict": (lambda t: edit(t, 'unknown = "lenient"\n', ""), {("unknown-mode-changed", C, B)}),
    "number maximum raised": (lambda t: edit(t, "max = 100\ndescription = \"A price.\"",
                                             "max = 1000\ndescription = \"A price.\""), {("limits-loosened", B, C)}),
    "number minimum raised": (lambda t: edit(t, "min = 0\nmax = 100\ndescription = \"A price.\"",
                                             "min = 0.5\nmax = 100\ndescription = \"A price.\""),
                              {("limits-tightened", C, B)}),
    "number bounds dropped": (lambda t: edit(t, "min = 0\nmax = 100\ndescription = \"A price.\"",
                                             "description = \"A price.\""), {("limits-loosened", B, C)}),
    "timestamp minimum lowered": (lambda t: edit(t, "min = 2000-01-01T00:00:00Z", "min = 1990-01-01T00:00:00Z"),
                                  {("limits-loosened", B, C)}),
    "timestamp maximum added": (lambda t: edit(t, "min = 2000-01-01T00:00:00Z",
                                               "min = 2000-01-01T00:00:00Z\nmax = \"2100-01-01T00:00:00Z\""),
                                {("limits-tightened", C, B)}),
    "field made nullable": (lambda t: edit(t, "example = 9.5", "example = 9.5\nnullable = true"),
                            {("nullable-changed", B, C)}),
    "int to number": (lambda t: edit(t, 'type = "int"\nmin = 0\nmax = 100', 'type = "number"\nmin = 0\nmax = 100'),
                      {("type-changed", B, C)}),
    "string to strict enum": (lambda t: edit(t, 'type = "string"\nmax = 16',
                                             'type = "enum"\nvalues = ["click", "view"]'),
                              {("type-changed", C, B)}),
    "string to lenient enum": (lambda t: edit(t, 'type = "string"\nmax = 16',
                                              'type = "enum"\nvalues = ["click", "view"]\nunknown = "lenient"'),
                               {("type-changed", C, B)}),
    "number to int": (lambda t: edit(edit(t, 'type = "number"\nmin = 0\nmax = 100', 'type = "int"\nmin = 0\nmax = 100'),
                                     "example = 9.5", "example = 9"),
                      {("type-changed", C, B), ("field-example-changed", C, C)}),
}


class ScalarDiffs(SchemaDiffCase):

    OLD_TEXT = BASE

    def test_matrix(self):
        self.assertVerdicts(CASES)

    def test_nullable_removed_breaks_senders(self):
        a = self.write("a.toml", edit(BASE, "example = 9.5", "example = 9.5\nnullable = true"))
        self.assertEqual(self.verdicts(BASE, old=a), {("nullable-changed", C, B)})

    def test_line_names_the_values(self):
        new = self.write("line.toml", edit(BASE, ACTION, 'values = ["click", "view", "hover"]'))
        p = run_codegen("diff", self.old, new)
        self.assertEqual(p.returncode, 1, p.stderr)
        line = BASE[:BASE.index(ACTION)].count("\n") + 1
        self.assertEqual(p.stdout.strip(), f"{self.old}:{line}: {new}:{line}: receivers breaking, senders compatible: "
                                           "event 'clicked' field 'action': values +['hover'] -[] [values-added]")


if __name__ == "__main__":
    unittest.main()
