"""Export, OpenAPI 3.1: one `webhooks` entry per event of the schema.

Each webhook is the POST a receiver answers (docs/CONTRACT.md §4 and §5):
the request body is the event's JSON Schema definition (the same definitions
as export_jsonschema, under components/schemas) in both media types, the
Standard Webhooks headers are required parameters, and the responses are the
receiver's answers of §5.1. The signature scheme is described in info.
"""

from . import export_jsonschema as js

MEDIA_TYPES = ("application/json", "application/msgpack")
REF = "#/components/schemas/"

SIGNATURES = """\
Every request is signed the Standard Webhooks way (https://www.standardwebhooks.com/):

- `webhook-id`: the event's id, the same on every attempt (1 to 256 bytes of printable ASCII without space); a receiver answers a repeated id with 2xx and does not process the event again.
- `webhook-timestamp`: Unix time in seconds of this attempt; a receiver refuses one more than 300 seconds away from its clock, in either direction.
- `webhook-signature`: `v1,` and the standard base64 of HMAC-SHA256, keyed with the secret (`whsec_` and the standard base64 of the key), over `{webhook-id}.{webhook-timestamp}.{body}`: the two header values and the exact body bytes, joined by dots. During a key rotation the header holds several space-separated signatures; one match verifies the request. Verify before parsing the body.

The body is one event, `{"event": <event string>, "payload": {...}}`, as JSON or as MessagePack (the same data model). A 2xx answer means delivered; 408, 429 and 5xx answers are retried with exponential backoff; 410 stops all deliveries to the endpoint; any other answer fails the event at once."""

HEADERS = (
    ("webhook-id", "The event's id, the same on every attempt of one event.",
     {"type": "string", "minLength": 1, "maxLength": 256, "pattern": "^[!-~]+$"}, "msg_2klqtq1hc4d6kaz6y0vvf3ht2e"),
    ("webhook-timestamp", "Unix time in seconds when this attempt started.",
     {"type": "string", "pattern": "^[0-9]{1,19}$"}, "1767225600"),
    ("webhook-signature", "Space-separated `v1,<base64 HMAC-SHA256>` signatures of "
     "`{webhook-id}.{webhook-timestamp}.{body}`.",
     {"type": "string", "minLength": 1}, "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4="),
)

RESPONSES = (
    ("204", "The event is valid and was stored (or is a duplicate of one that was)."),
    ("400", "The body is not a valid event in its format, or `webhook-id` is malformed; the body names the error."),
    ("401", "A signature header is missing, the timestamp is too old or too new, or no signature matches."),
    ("413", "The body is larger than the receiver's limit (1 MiB by default)."),
    ("415", "`Content-Type` is neither `application/json` nor `application/msgpack`."),
    ("500", "An internal failure of the receiver, such as running out of memory; the sender retries."),
)

ERROR_SCHEMA = {
    "type": "object",
    "description": "The error of a refused request: the decoder's error (docs/CONTRACT.md §3.1).",
    "required": ["code", "message", "path", "pos"],
    "properties": {
        "code": {"type": "string", "description": "Short name of the error, such as `range`.",
                 "examples": ["range"]},
        "message": {"type": "string", "description": "A static English sentence.",
                    "examples": ["number above its maximum"]},
        "path": {"type": "string", "description": "The field concerned, `\"\"` for the document or request.",
                 "examples": ["payload.score"]},
        "pos": {"type": "integer", "minimum": 0, "description": "Byte offset in the body."},
    },
}


def _header_name(h):
    return "".join(part.capitalize() for part in h.split("-"))


def _webhook(ev):
    body = {"$ref": REF + ev.id}
    example = js.example_document(ev)
    content = {}
    for mt in MEDIA_TYPES:
        content[mt] = {"schema": body}
        if mt == "application/json":
            content[mt]["example"] = example
    responses = {}
    for code, _ in RESPONSES:
        responses[code] = {"$ref": f"#/components/responses/Status{code}"}
    names = ", ".join(f"`{n}`" for n in js.event_names(ev))
    return {"post": {
        "operationId": ev.id,
        "summary": ev.description,
        "description": f"Event strings: {names} (the first is written, the others are accepted).",
        "security": [],
        "parameters": [{"$ref": f"#/components/parameters/{_header_name(h)}"} for h, *_ in HEADERS],
        "requestBody": {"required": True, "content": content},
        "responses": responses,
    }}


def _signatures(model):
    """SIGNATURES with the body as the schema's envelope writes it."""
    ek, pk, env = js.envelope_keys(model)
    fields = "".join(f', "{f.name}": ...' for f in env)
    return SIGNATURES.replace('`{"event": <event string>, "payload": {...}}`',
                              f'`{{"{ek}": <event string>{fields}, "{pk}": {{...}}}}`')


def document(model, strict=False):
    """The OpenAPI 3.1 document (a dict) of `model` in one mode."""
    mode = "strict: unknown keys are refused" if strict else "lenient: unknown keys are ignored"
    schemas = js.definitions(model, strict, REF)
    schemas["Error"] = ERROR_SCHEMA
    params = {}
    for h, desc, schema, example in HEADERS:
        params[_header_name(h)] = {"name": h, "in": "header", "required": True, "description": desc,
                                   "schema": schema, "example": example}
    responses = {}
    for code, desc in RESPONSES:
        r = {"description": desc}
        if code != "204":
            r["content"] = {"application/json": {"schema": {"$ref": REF + "Error"}}}
        responses[f"Status{code}"] = r
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Webhook events",
            "version": str(model.schema_version),
            "summary": f"The webhook events of schema version {model.schema_version} ({mode}).",
            "description": (f"Generated from {model.schema_file_line} by ugw codegen "
                            f"{model.codegen_version}. DO NOT EDIT.\n\n" + _signatures(model)),
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "jsonSchemaDialect": js.DRAFT,
        # Webhooks go to whatever URL the sender is given; this is the
        # default of `ugw serve`, the receiver of the toolkit.
        "servers": [{"url": "http://127.0.0.1:8080",
                     "description": "A receiver: `ugw serve` listens here by default; a sender posts "
                                    "every event to the one URL it is configured with, on any path."}],
        "webhooks": {ev.id: _webhook(ev) for ev in model.events},
        "components": {"schemas": schemas, "parameters": params, "responses": responses},
    }
