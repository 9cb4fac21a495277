// Validate webhook bodies with the JSON Schema that ugw exports.
//
//   node validate_event.mjs events.schema.json BODY.json...
//
// Prints `FILE: ok (EVENT)` or `FILE: invalid: REASON` per body; exits 1 when
// any body is invalid. Needs ajv (npm install ajv@8.20.0). Get the schema with
// `ugw schema export --format jsonschema > events.schema.json` (add --strict
// to refuse unknown keys).
//
// A receiver verifies the signature on the raw bytes first (webhook-id,
// webhook-timestamp, webhook-signature), then parses and validates. The
// UTF-8 decoder below is fatal, so bytes that are not UTF-8 are refused;
// JSON.parse keeps the last of two equal keys, which the schema cannot see.
import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";

const [schemaPath, ...files] = process.argv.slice(2);
if (!schemaPath || files.length === 0) {
  console.error("usage: node validate_event.mjs events.schema.json BODY.json...");
  process.exit(2);
}
const ajv = new Ajv2020({ strictTypes: false });
const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, "utf8")));
const utf8 = new TextDecoder("utf-8", { fatal: true });

let bad = 0;
for (const file of files) {
  let doc;
  try {
    doc = JSON.parse(utf8.decode(readFileSync(file)));
  } catch (e) {
    console.log(`${file}: invalid: not a JSON document: ${e.message}`);
    bad++;
    continue;
  }
  if (validate(doc)) {
    console.log(`${file}: ok (${doc.event})`);
  } else {
    const e = validate.errors[0];
    console.log(`${file}: invalid: ${e.instancePath || "-"}: ${e.message}`);
    bad++;
  }
}
process.exit(bad ? 1 : 0);
