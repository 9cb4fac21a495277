#!/usr/bin/env python3
"""Writes every ```c block of README.md to OUT/snippet<N>.c and the README's
`build/ugw validate` and `build/ugw sign` example lines to OUT/commands.sh, so
that tests/package/run.sh can compile, link and run them as written.

    readme_snippets.py README.md OUT
"""
import re
import sys


def main():
    readme, out = sys.argv[1], sys.argv[2]
    text = open(readme, encoding="utf-8").read()
    blocks = re.findall(r"^```c\n(.*?)^```$", text, flags=re.S | re.M)
    if len(blocks) < 2:
        sys.exit(f"{readme}: expected at least two C snippets, found {len(blocks)}")
    for i, b in enumerate(blocks, 1):
        with open(f"{out}/snippet{i}.c", "w", encoding="utf-8") as f:
            f.write(b)
    sh = re.findall(r"^```sh\n(.*?)^```$", text, flags=re.S | re.M)
    cmds = []
    for block in sh:
        # join continuation lines, drop trailing comments
        for line in re.sub(r"\\\n\s*", " ", block).splitlines():
            line = line.split("  #")[0].rstrip()
            if re.match(r"build/ugw (validate|sign) ", line):
                cmds.append(line)
    if len(cmds) < 2:
        sys.exit(f"{readme}: expected the validate and sign examples, found {cmds}")
    with open(f"{out}/commands.sh", "w", encoding="utf-8") as f:
        f.write("set -e\n" + "\n".join(cmds) + "\n")
    print(f"{len(blocks)} C snippets, {len(cmds)} commands")


if __name__ == "__main__":
    main()
