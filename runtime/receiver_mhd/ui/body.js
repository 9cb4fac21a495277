// body.js - how the inspector shows a request's body: bytes from base64,
// JSON pretty-printed from its own text (numbers and key order kept),
// MessagePack decoded, raw bytes as a hex dump, the failing byte of a
// refusal marked, and "copy as curl". Every byte of a body reaches the page
// through textContent: it is text, never markup.
"use strict";

const UgwBody = (() => {
  const bytesOf = (b64) => {
    if (!b64) return new Uint8Array(0);
    const bin = atob(b64);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  };

  const text = (bytes) => new TextDecoder("utf-8", { fatal: false }).decode(bytes);

  const header = (r, name) => {
    const n = name.toLowerCase();
    for (const [k, v] of r.headers) if (k.toLowerCase() === n) return v;
    return null;
  };

  const isMsgpack = (r) => /msgpack/i.test(header(r, "Content-Type") || "");

  // Re-indents JSON text without parsing its values.
  const prettyJson = (src) => {
    let out = "", depth = 0, inStr = false;
    const nl = () => "\n" + "  ".repeat(depth);
    for (let i = 0; i < src.length; i++) {
      const ch = src[i];
      if (inStr) {
        out += ch;
        if (ch === "\\" && i + 1 < src.length) out += src[++i];
        else if (ch === '"') inStr = false;
        continue;
      }
      if (ch === '"') { inStr = true; out += ch; continue; }
      if (ch === "{" || ch === "[") {
        let j = i + 1;
        while (j < src.length && /\s/.test(src[j])) j++;
        if (src[j] === (ch === "{" ? "}" : "]")) { out += ch + src[j]; i = j; continue; }
        depth++;
        out += ch + nl();
      } else if (ch === "}" || ch === "]") {
        depth = Math.max(0, depth - 1);
        out += nl() + ch;
      } else if (ch === ",") out += "," + nl();
      else if (ch === ":") out += ": ";
      else if (!/\s/.test(ch)) out += ch;
    }
    return out;
  };

  // MessagePack to a JS value: 64-bit integers as BigInt, bin and ext as
  // {bin: hex}; throws Error("... at byte N") on malformed input.
  const decodeMsgpack = (b) => {
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    let p = 0;
    const need = (n) => { if (p + n > b.length) throw new Error("truncated at byte " + p); };
    const hex = (n) => { need(n); const s = Array.from(b.subarray(p, p + n), (x) => x.toString(16).padStart(2, "0")).join(""); p += n; return s; };
    const str = (n) => { need(n); const s = text(b.subarray(p, p + n)); p += n; return s; };
    const arr = (n, d) => { const a = []; for (let i = 0; i < n; i++) a.push(val(d)); return a; };
    const map = (n, d) => { const m = new Map(); for (let i = 0; i < n; i++) { const k = val(d); m.set(k, val(d)); } return m; };
    const val = (d) => {
      if (d > 64) throw new Error("nested too deep at byte " + p);
      need(1);
      const t = b[p++];
      let n;
      if (t <= 0x7f) return t;
      if (t >= 0xe0) return t - 256;
      if ((t & 0xf0) === 0x80) return map(t & 15, d + 1);
      if ((t & 0xf0) === 0x90) return arr(t & 15, d + 1);
      if ((t & 0xe0) === 0xa0) return str(t & 31);
      switch (t) {
        case 0xc0: return null;
        case 0xc2: return false;
        case 0xc3: return true;
        case 0xc4: need(1); n = b[p]; p += 1; return { bin: hex(n) };
        case 0xc5: need(2); n = dv.getUint16(p); p += 2; return { bin: hex(n) };
        case 0xc6: need(4); n = dv.getUint32(p); p += 4; return { bin: hex(n) };
        case 0xca: need(4); n = dv.getFloat32(p); p += 4; return n;
        case 0xcb: need(8); n = dv.getFloat64(p); p += 8; return n;
        case 0xcc: need(1); return b[p++];
        case 0xcd: need(2); n = dv.getUint16(p); p += 2; return n;
        case 0xce: need(4); n = dv.getUint32(p); p += 4; return n;
        case 0xcf: need(8); n = dv.getBigUint64(p); p += 8; return n;
        case 0xd0: need(1); n = dv.getInt8(p); p += 1; return n;
        case 0xd1: need(2); n = dv.getInt16(p); p += 2; return n;
        case 0xd2: need(4); n = dv.getInt32(p); p += 4; return n;
        case 0xd3: need(8); n = dv.getBigInt64(p); p += 8; return n;
        case 0xd9: need(1); n = b[p]; p += 1; return str(n);
        case 0xda: need(2); n = dv.getUint16(p); p += 2; return str(n);
        case 0xdb: need(4); n = dv.getUint32(p); p += 4; return str(n);
        case 0xdc: need(2); n = dv.getUint16(p); p += 2; return arr(n, d + 1);
        case 0xdd: need(4); n = dv.getUint32(p); p += 4; return arr(n, d + 1);
        case 0xde: need(2); n = dv.getUint16(p); p += 2; return map(n, d + 1);
        case 0xdf: need(4); n = dv.getUint32(p); p += 4; return map(n, d + 1);
        default: {
          const ext = { d4: 1, d5: 2, d6: 4, d7: 8, d8: 16 }[t.toString(16)];
          if (ext) { need(1); p += 1; return { ext: hex(ext) }; }
          if (t >= 0xc7 && t <= 0xc9) {
            const w = t === 0xc7 ? 1 : t === 0xc8 ? 2 : 4;
            need(w + 1);
            n = w === 1 ? b[p] : w === 2 ? dv.getUint16(p) : dv.getUint32(p);
            p += w + 1;
            return { ext: hex(n) };
          }
          throw new Error("unknown type byte 0x" + t.toString(16) + " at byte " + (p - 1));
        }
      }
    };
    const v = val(0);
    if (p !== b.length) throw new Error((b.length - p) + " bytes after the value at byte " + p);
    return v;
  };

  // A decoded MessagePack value as indented JSON-like text.
  const show = (v, depth = 0) => {
    const pad = "  ".repeat(depth + 1), end = "  ".repeat(depth);
    if (v === null) return "null";
    if (typeof v === "bigint") return v.toString();
    if (typeof v === "string") return JSON.stringify(v);
    if (typeof v !== "object") return String(v);
    if (Array.isArray(v)) {
      if (!v.length) return "[]";
      return "[\n" + v.map((x) => pad + show(x, depth + 1)).join(",\n") + "\n" + end + "]";
    }
    if (v instanceof Map) {
      if (!v.size) return "{}";
      const parts = [];
      for (const [k, x] of v) parts.push(pad + (typeof k === "string" ? JSON.stringify(k) : show(k)) + ": " + show(x, depth + 1));
      return "{\n" + parts.join(",\n") + "\n" + end + "}";
    }
    if ("bin" in v) return "<bin " + v.bin + ">";
    return "<ext " + v.ext + ">";
  };

  // A <pre> holding `str`, or bytes decoded as text, with the byte at
  // `mark` (when not null) in a <mark>.
  const pre = (bytes, mark) => {
    const el = document.createElement("pre");
    el.className = "body";
    if (mark === null || mark === undefined || mark >= bytes.length) {
      el.textContent = text(bytes);
      if (mark !== null && mark !== undefined) {
        const m = document.createElement("mark");
        m.textContent = " ";
        m.title = "byte " + mark + " (the end of the body)";
        el.append(m);
      }
      return el;
    }
    // Mark the whole UTF-8 character the byte belongs to.
    let s = mark, e = mark + 1;
    while (s > 0 && (bytes[s] & 0xc0) === 0x80) s--;
    while (e < bytes.length && (bytes[e] & 0xc0) === 0x80) e++;
    const m = document.createElement("mark");
    m.textContent = text(bytes.subarray(s, e)) || " ";
    m.title = "byte " + mark;
    el.append(document.createTextNode(text(bytes.subarray(0, s))), m,
      document.createTextNode(text(bytes.subarray(e))));
    return el;
  };

  const prettyPre = (str) => {
    const el = document.createElement("pre");
    el.className = "body";
    el.textContent = str;
    return el;
  };

  // A hex dump, 16 bytes a line, with the byte at `mark` in a <mark>.
  const hexDump = (bytes, mark) => {
    const el = document.createElement("pre");
    el.className = "body hex";
    for (let off = 0; off < bytes.length; off += 16) {
      el.append(document.createTextNode(off.toString(16).padStart(8, "0") + "  "));
      let ascii = "";
      for (let i = off; i < off + 16; i++) {
        const cell = i < bytes.length ? bytes[i].toString(16).padStart(2, "0") : "  ";
        if (i === mark) {
          const m = document.createElement("mark");
          m.textContent = cell;
          m.title = "byte " + mark;
          el.append(m, document.createTextNode(" "));
        } else {
          el.append(document.createTextNode(cell + " "));
        }
        if (i < bytes.length) ascii += bytes[i] >= 0x20 && bytes[i] < 0x7f ? String.fromCharCode(bytes[i]) : ".";
      }
      el.append(document.createTextNode(" |" + ascii + "|\n"));
    }
    if (!bytes.length) el.textContent = "(empty)";
    return el;
  };

  const quote = (s) => "'" + s.replace(/'/g, "'\\''") + "'";

  // A shell command that sends the same request again: its signing headers
  // (so it verifies while the timestamp is within the tolerance) and body.
  const curl = (r, origin) => {
    const bytes = bytesOf(r.body);
    const parts = ["curl", "-sS", "-X", "POST", quote(origin + r.path)];
    for (const name of ["Content-Type", "webhook-id", "webhook-timestamp", "webhook-signature"]) {
      const v = header(r, name);
      if (v !== null) parts.push("-H", quote(name + ": " + v));
    }
    const s = text(bytes);
    const plain = !isMsgpack(r) && !bytes.includes(0) && new TextEncoder().encode(s).length === bytes.length;
    if (plain) return parts.concat(["--data-binary", quote(s)]).join(" ");
    const esc = Array.from(bytes, (x) => "\\" + x.toString(8).padStart(3, "0")).join("");
    return "printf " + quote(esc) + " | " + parts.concat(["--data-binary", "@-"]).join(" ");
  };

  return { bytesOf, text, header, isMsgpack, prettyJson, decodeMsgpack, show, pre, prettyPre, hexDump, curl };
})();
