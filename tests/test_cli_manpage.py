"""test_cli_manpage.py - docs/ugw.1 documents every option of every command
in the body of that command's section (a .TP entry naming it), not only in
the synopsis: the options are read from `ugw COMMAND --help`, so an option
added to a command without its man page entry fails here. Run by ctest
(UGW_BIN, UGW_SOURCE_DIR).
"""

import os
import re
import subprocess
import unittest

BIN = os.environ.get("UGW_BIN", "")
SRC = os.environ.get("UGW_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAN = os.path.join(SRC, "docs", "ugw.1")
OPTION = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*)")

# The man page section(s) of each command, by the start of their .SS title.
SECTIONS = {"secret": ["secret new"], "schema": ["schema export", "schema diff"]}


def commands():
    out = subprocess.run([BIN, "--help"], capture_output=True, text=True, check=True).stdout
    listed = out.split("Commands:", 1)[1].split("Options:", 1)[0]
    return [c for c in re.findall(r"^  ([a-z]+)\s{2,}", listed, re.M) if c != "help"]


def help_options(cmd):
    """The options a command's --help lists: each line indented by two
    spaces that starts with '-', up to the description."""
    out = subprocess.run([BIN, cmd, "--help"], capture_output=True, text=True, check=True).stdout
    opts = set()
    for line in out.splitlines():
        m = re.match(r"^  (-\S.*)$", line)
        if m:
            opts.update(OPTION.findall(re.split(r"(?<=\S)\s{2,}", m.group(1), maxsplit=1)[0]))
    return opts - {"-h", "--help"}  # documented once, under OPTIONS and help


def man_entries(prefixes):
    """The options named by the .TP entries of the sections titled so."""
    with open(MAN, encoding="utf-8") as f:
        text = f.read().replace("\\-", "-")
    found = set()
    for sec in re.split(r"^\.S[SH] ", text, flags=re.M):
        title = sec.split("\n", 1)[0].strip('"')
        if not any(title == p or title.startswith(p + " ") for p in prefixes):
            continue
        lines = sec.split("\n")
        for i, line in enumerate(lines[:-1]):
            if line.startswith(".TP"):
                found.update(OPTION.findall(lines[i + 1]))
    return found


class TestManPage(unittest.TestCase):
    def test_every_option_has_an_entry_in_its_section(self):
        self.assertTrue(BIN, "UGW_BIN is not set")
        cmds = commands()
        self.assertIn("serve", cmds)
        total = 0
        for cmd in cmds:
            with self.subTest(command=cmd):
                opts = help_options(cmd)
                self.assertTrue(opts or cmd == "secret", "no options read from 'ugw %s --help'" % cmd)
                missing = sorted(opts - man_entries(SECTIONS.get(cmd, [cmd])))
                self.assertEqual(missing, [], "docs/ugw.1: no entry for these options of '%s'" % cmd)
                total += len(opts)
        print("man page: %d options of %d commands, each with its entry" % (total, len(cmds)))

    def test_global_options(self):
        self.assertTrue({"-h", "--help", "-V", "--version"} <= man_entries(["OPTIONS"]))


if __name__ == "__main__":
    unittest.main(verbosity=2)
