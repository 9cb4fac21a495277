"""The exported documents of a generation: JSON Schema and OpenAPI, each
lenient and strict, written beside the C files and, for the schema's
command (--cli), embedded in P_cli_main.c so that `<command> schema export`
prints them without the generator.

    <out>/events.schema.json          JSON Schema 2020-12, lenient
    <out>/events.strict.schema.json   JSON Schema 2020-12, strict
    <out>/openapi.json                OpenAPI 3.1 webhooks, lenient
    <out>/openapi.strict.json         OpenAPI 3.1 webhooks, strict

The documents describe the wire, which the prefix of the C names does not
change: their names and bytes are the same for every prefix.
"""

from dataclasses import dataclass

from . import export_jsonschema, export_openapi
from .model import c_literal

FORMATS = {"jsonschema": export_jsonschema, "openapi": export_openapi}
# Bytes of a document per C string literal: with every byte an octal escape
# (4 characters) a literal stays below the 4095 characters C11 guarantees.
PIECE = 1000


def file_name(fmt, strict):
    base = "events" if fmt == "jsonschema" else "openapi"
    kind = ".schema.json" if fmt == "jsonschema" else ".json"
    return base + (".strict" if strict else "") + kind


def documents(model):
    """{(format, strict): bytes} of every exported document."""
    out = {}
    for fmt, mod in FORMATS.items():
        for strict in (False, True):
            out[(fmt, strict)] = export_jsonschema.dumps(mod.document(model, strict))
    return out


def files(model, docs=None):
    """{path under the output folder: bytes}."""
    docs = docs or documents(model)
    return {file_name(fmt, strict): data for (fmt, strict), data in docs.items()}


@dataclass
class CDocument:
    """One document for the C templates: its format name, mode, C array name
    the C string literals whose concatenation is the document, and the index
    of its first literal in one array of all documents' literals, each
    document followed by NULL."""
    format: str
    strict: bool
    name: str
    pieces: list
    first: int = 0


def c_documents(model, docs=None):
    """The documents as CDocument, for P_cli_main.c."""
    docs = docs or documents(model)
    out, first = [], 0
    for (fmt, strict), data in docs.items():
        pieces = [c_literal(data[i:i + PIECE]) for i in range(0, len(data), PIECE)]
        out.append(CDocument(format=fmt, strict=strict, name=f"{fmt}{', strict' if strict else ''}",
                             pieces=pieces, first=first))
        first += len(pieces) + 1
    return out
