// app.js - the inspector page: the live list of requests (server-sent
// events from "events", no polling), the filters, and one request's details
// with "copy as curl" and "send again". Values of a request are only ever
// set with textContent (and attributes the page owns): never as markup.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const token = new URLSearchParams(location.search).get("token") || "";
  const requests = new Map(); // seq -> request
  const events = new Set();
  let cfg = { resend: false, history: 100 };
  let selected = null;

  const el = (tag, cls, txt) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (txt !== undefined && txt !== null) e.textContent = String(txt);
    return e;
  };

  // The event of a request: the server's (the wire event string of a new
  // event) or, for a refusal or a duplicate, what the body says.
  const eventOf = (r) => {
    if (r.event) return r.event;
    if (r.body === null) return null;
    const bytes = UgwBody.bytesOf(r.body);
    try {
      if (UgwBody.isMsgpack(r)) {
        const v = UgwBody.decodeMsgpack(bytes);
        if (v instanceof Map && typeof v.get("event") === "string") return v.get("event");
      } else {
        const v = JSON.parse(UgwBody.text(bytes));
        if (v && typeof v.event === "string") return v.event;
      }
    } catch (e) { /* not decodable: no event */ }
    return null;
  };

  const when = (ms) => new Date(ms);
  const hhmmss = (ms) => when(ms).toLocaleTimeString([], { hour12: false });

  const matches = (r) => {
    const fe = $("f-event").value, fv = $("f-verdict").value;
    return (!fe || r.eventName === fe) && (!fv || r.verdict === fv);
  };

  const updateCount = () => {
    let shown = 0;
    for (const r of requests.values()) if (matches(r)) shown++;
    $("count").textContent = shown === requests.size ? requests.size + " requests"
      : shown + " of " + requests.size + " requests";
    $("empty").hidden = requests.size > 0;
  };

  const applyFilters = () => {
    for (const r of requests.values()) r.li.hidden = !matches(r);
    updateCount();
  };

  const addEventOption = (name) => {
    if (!name || events.has(name)) return;
    events.add(name);
    const sel = $("f-event");
    const opt = el("option", null, name);
    opt.value = name;
    const after = Array.from(sel.options).slice(1).find((o) => o.value > name);
    sel.insertBefore(opt, after || null);
  };

  const listItem = (r) => {
    const li = el("li");
    li.dataset.seq = String(r.seq);
    li.dataset.verdict = r.verdict;
    li.append(el("span", "verdict " + r.verdict, r.verdict),
      el("span", "event", r.eventName || "(no event)"),
      el("span", "time", hhmmss(r.t)));
    const sub = [r.status, r.id || "no webhook-id", r.method + " " + r.path];
    if (r.error) sub.push(r.error.code + (r.error.path ? " at " + r.error.path : ""));
    li.append(el("span", "sub", sub.join(" · ")));
    li.addEventListener("click", () => select(r.seq));
    return li;
  };

  const add = (r) => {
    if (requests.has(r.seq)) return;
    r.eventName = eventOf(r);
    r.li = listItem(r);
    requests.set(r.seq, r);
    addEventOption(r.eventName);
    r.li.hidden = !matches(r);
    r.li.classList.add("fresh");
    $("list").prepend(r.li);
    // Keep as many as the server does.
    const limit = Math.max(cfg.history, 1);
    while (requests.size > limit) {
      const oldest = requests.keys().next().value;
      requests.get(oldest).li.remove();
      requests.delete(oldest);
      if (selected === oldest) selected = null;
    }
    updateCount();
  };

  // Whether the error's position is about the body (not a header).
  const errorInBody = (r) => {
    if (!r.error || r.body === null) return false;
    const p = r.error.path.toLowerCase();
    return !["webhook-id", "webhook-timestamp", "webhook-signature", "content-type", "content-length",
      "transfer-encoding", "host"].includes(p) && r.error.code !== "signature" && r.error.code !== "timestamp";
  };

  const bodyViews = (r) => {
    const bytes = UgwBody.bytesOf(r.body);
    const mark = errorInBody(r) ? r.error.pos : null;
    const views = [];
    if (UgwBody.isMsgpack(r)) {
      try {
        views.push(["Decoded", () => UgwBody.prettyPre(UgwBody.show(UgwBody.decodeMsgpack(bytes)))]);
      } catch (e) {
        views.push(["Decoded", () => UgwBody.prettyPre("not MessagePack: " + e.message)]);
      }
      views.push(["Raw bytes", () => UgwBody.hexDump(bytes, mark)]);
      if (mark !== null) views.reverse();
    } else {
      if (mark === null) views.push(["Pretty", () => UgwBody.prettyPre(UgwBody.prettyJson(UgwBody.text(bytes)))]);
      views.push(["Text", () => UgwBody.pre(bytes, mark)]);
      views.push(["Raw bytes", () => UgwBody.hexDump(bytes, mark)]);
    }
    return views;
  };

  const bodySection = (r, box) => {
    box.append(el("h3", null, "Body"));
    if (r.body === null) {
      box.append(el("p", "note", r.status === 204 || r.status === 200 ? "(empty)"
        : "Not kept: the request was refused before its body was read."));
      return;
    }
    if (r.body_cut) box.append(el("p", "note", "The first " + UgwBody.bytesOf(r.body).length + " of "
      + r.body_len + " bytes are kept."));
    const tabs = el("div", "tabs"), holder = el("div", "body-view");
    const views = bodyViews(r);
    views.forEach(([name, make], i) => {
      const b = el("button", i === 0 ? "on" : "", name);
      b.dataset.view = name;
      b.addEventListener("click", () => {
        for (const x of tabs.children) x.classList.remove("on");
        b.classList.add("on");
        holder.replaceChildren(make());
      });
      tabs.append(b);
    });
    holder.append(views[0][1]());
    box.append(tabs, holder);
  };

  const actions = (r, box) => {
    const row = el("div", "actions"), note = el("span", "note");
    const copy = el("button", null, "Copy as curl");
    copy.id = "copy-curl";
    copy.disabled = r.body === null;
    copy.addEventListener("click", () => {
      const cmd = UgwBody.curl(r, location.origin);
      let out = box.querySelector("textarea.curl");
      if (!out) {
        out = el("textarea", "curl");
        out.readOnly = true;
        row.after(out);
      }
      out.value = cmd;
      out.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(cmd).then(() => { note.textContent = "Copied."; },
          () => { note.textContent = "Select the command below and copy it."; });
      } else {
        note.textContent = "Select the command below and copy it.";
      }
    });
    row.append(copy);
    if (cfg.resend && r.resend) {
      const again = el("button", null, "Send again");
      again.id = "send-again";
      again.addEventListener("click", async () => {
        again.disabled = true;
        note.textContent = "Sending…";
        try {
          const resp = await fetch("resend/" + r.seq, {
            method: "POST", headers: { "X-Ugw-Inspector": "1", "X-Ugw-Token": token }, cache: "no-store" });
          const res = await resp.json();
          note.textContent = (res.delivered ? "Delivered again: " : "Not delivered: ") + "status " + res.status;
        } catch (e) {
          note.textContent = "Could not send again.";
        }
        again.disabled = false;
      });
      row.append(again);
    }
    row.append(note);
    box.append(row);
  };

  const render = (r) => {
    const box = $("detail");
    box.replaceChildren();
    const h = el("h2");
    h.append(el("span", "verdict " + r.verdict, r.verdict), el("span", null, r.eventName || "(no event)"));
    box.append(h);
    const facts = el("dl", "facts");
    const fact = (k, v) => facts.append(el("dt", null, k), el("dd", null, v));
    fact("Status", String(r.status));
    fact("webhook-id", r.id || "(none)");
    fact("Received", when(r.t).toISOString());
    const ts = UgwBody.header(r, "webhook-timestamp");
    if (ts && /^\d+$/.test(ts)) fact("webhook-timestamp", ts + " (" + new Date(Number(ts) * 1000).toISOString() + ")");
    fact("Request", r.method + " " + r.path);
    fact("Signature", r.verified ? "verified" : "not checked");
    fact("Body", r.body === null ? "not kept" : r.body_len + " bytes");
    box.append(facts);
    if (r.error) {
      const e = el("div", "error-box");
      e.id = "error";
      e.append(el("span", "code", r.error.code), document.createTextNode(": " + r.error.message));
      const where = el("div", "where");
      where.append(el("span", null, "field path: "), el("code", "error-path", r.error.path || "(none)"),
        el("span", null, errorInBody(r) ? ", at byte " : ", position "), el("code", "error-pos", r.error.pos));
      e.append(where);
      box.append(e);
    }
    actions(r, box);
    box.append(el("h3", null, "Headers"));
    const t = el("table", "headers");
    for (const [k, v] of r.headers) {
      const tr = el("tr");
      tr.append(el("td", null, k), el("td", null, v));
      t.append(tr);
    }
    box.append(t);
    bodySection(r, box);
  };

  const select = (seq) => {
    const r = requests.get(seq);
    if (!r) return;
    if (selected !== null && requests.has(selected)) requests.get(selected).li.classList.remove("selected");
    selected = seq;
    r.li.classList.add("selected");
    render(r);
  };

  $("f-event").addEventListener("change", applyFilters);
  $("f-verdict").addEventListener("change", applyFilters);
  updateCount();

  const es = new EventSource("events" + (token ? "?token=" + encodeURIComponent(token) : ""));
  es.addEventListener("open", () => { $("conn").textContent = "live"; $("conn").className = "conn live"; });
  es.addEventListener("error", () => { $("conn").textContent = "reconnecting"; $("conn").className = "conn off"; });
  es.addEventListener("hello", (m) => { cfg = JSON.parse(m.data); });
  es.addEventListener("request", (m) => {
    const r = JSON.parse(m.data);
    r.seq = Number(m.lastEventId);
    add(r);
  });
})();
