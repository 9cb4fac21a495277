"""ugwgen: the ugw code generator, in four steps.

    load    schema text -> raw tables with line numbers   (load.py)
    check   raw tables -> list of `file:line: message`    (check.py)
    model   checked tables -> names, sizes, literals       (model.py)
    render  model -> generated files, through jinja2       (render.py)

Templates only print what the model computed; they never derive names or sizes.

VERSION is the package version. Its one source is include/ugw/ugw_version.h:
an installed generator reads it from `_version.py` beside this file (written
by the build at install time, never committed); in the source tree it is
parsed from ../include/ugw/ugw_version.h, relative to the codegen folder.
"""

import os
import re

_CODEGEN_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VERSION_HEADER = os.path.join(os.path.dirname(_CODEGEN_DIR), "include", "ugw", "ugw_version.h")


class VersionError(ImportError):
    """Neither _version.py nor ugw_version.h gives the version."""


def version_from_header(path=VERSION_HEADER):
    """"MAJOR.MINOR.PATCH" from the UGW_VERSION_* defines of `path`."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise VersionError(
            f"ugw codegen: cannot tell its version: no ugwgen/_version.py and cannot read "
            f"{path} ({e.strerror}); run it from the ugw source tree or an installed package") from None
    parts = []
    for part in ("MAJOR", "MINOR", "PATCH"):
        m = re.search(rf"^[ \t]*#[ \t]*define[ \t]+UGW_VERSION_{part}[ \t]+(\d+)[ \t]*$", text, re.M)
        if not m:
            raise VersionError(f"ugw codegen: {path} has no '#define UGW_VERSION_{part} <number>'")
        parts.append(str(int(m.group(1))))
    return ".".join(parts)


try:
    from ._version import VERSION  # noqa: F401  (written when installed)
except ImportError:
    VERSION = version_from_header()
