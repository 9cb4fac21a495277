// check_page.mjs - the inspector page of `ugw serve --ui` as a person sees
// it, in Debian's headless Chromium driven by puppeteer-core (pinned in
// package-lock.json). Run by tests/test_serve_ui.py, which starts the server,
// sends the requests and writes the plan:
//
//   node check_page.mjs PLAN.json
//   PLAN: {"url": page URL, "chromium": path, "screenshot": PNG path,
//          "sent": [{"verdict", "event", "id"}...] oldest first,
//          "invalid": {"id", "path", "pos", "char"}, "hostile": {"id"},
//          "msgpack": {"id"}, "resend": {"id"},
//          "live": {"url", "headers", "body_b64", "verdict"}}
//
// Prints one line per check and "N passed, 0 failed"; exits 1 on the first
// failure.
import { readFileSync } from "node:fs";
import puppeteer from "puppeteer-core";

const plan = JSON.parse(readFileSync(process.argv[2], "utf8"));
let passed = 0;
const ok = (cond, what, detail) => {
  if (!cond) {
    console.log("FAIL: " + what + (detail !== undefined ? ": " + JSON.stringify(detail) : ""));
    throw new Error(what);
  }
  passed++;
  console.log("ok: " + what);
};

const browser = await puppeteer.launch({
  executablePath: plan.chromium,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
    "--window-size=1400,900"],
  defaultViewport: { width: 1400, height: 900 },
});
let code = 0;
try {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("dialog", async (d) => { errors.push("dialog: " + d.message()); await d.dismiss(); });
  const resp = await page.goto(plan.url, { waitUntil: "domcontentloaded" });
  const csp = resp.headers()["content-security-policy"] || "";
  ok(csp.startsWith("default-src 'none'") && !csp.includes("unsafe"), "strict Content-Security-Policy", csp);

  const n = plan.sent.length;
  await page.waitForFunction((k) => document.querySelectorAll("#list li").length === k, { timeout: 20000 }, n);
  await page.waitForFunction(() => document.getElementById("conn").textContent === "live", { timeout: 10000 });
  const items = await page.$$eval("#list li", (lis) => lis.map((li) => ({
    verdict: li.dataset.verdict, event: li.querySelector(".event").textContent,
    sub: li.querySelector(".sub").textContent })));
  const expected = plan.sent.slice().reverse();
  ok(items.length === n, "every request listed", items.length);
  expected.forEach((e, i) => {
    ok(items[i].verdict === e.verdict, "request " + (n - i) + " shows verdict " + e.verdict, items[i]);
    if (e.event) ok(items[i].event === e.event, "request " + (n - i) + " shows event " + e.event, items[i]);
    if (e.id) ok(items[i].sub.includes(e.id), "request " + (n - i) + " shows webhook-id " + e.id, items[i]);
  });

  const pick = async (id) => {
    const handle = await page.evaluateHandle((wid) => Array.from(document.querySelectorAll("#list li"))
      .find((li) => li.querySelector(".sub").textContent.includes(wid)), id);
    await handle.asElement().click();
    await page.waitForSelector("#detail h2");
  };

  // Hostile markup is text: nothing ran, no element came from a request.
  await pick(plan.hostile.id);
  const hostile = await page.evaluate(() => ({
    pwned: window.__pwned, imgs: document.querySelectorAll("img").length,
    scripts: document.querySelectorAll("script").length,
    body: Array.from(document.querySelectorAll("#detail pre.body")).map((p) => p.textContent).join("\n"),
    headers: document.querySelector("#detail table.headers").textContent,
  }));
  ok(hostile.pwned === undefined, "hostile payload never executed", hostile.pwned);
  ok(hostile.imgs === 0 && hostile.scripts === 2, "no element made from the payload", hostile);
  ok(hostile.body.includes("<script>window.__pwned=1</script>"), "<script> shown as text in the body", hostile.body);
  ok(hostile.body.includes("<img src=x onerror="), "<img onerror> shown as text in the body", hostile.body);
  ok(hostile.headers.includes("<img src=x onerror=window.__pwned=3>"), "markup in a header shown as text");

  // The invalid payload: code, field path and the failing byte marked.
  await pick(plan.invalid.id);
  const inv = await page.evaluate(() => ({
    code: document.querySelector("#error .code").textContent,
    path: document.querySelector("#error .error-path").textContent,
    pos: document.querySelector("#error .error-pos").textContent,
    mark: document.querySelector("#detail pre.body mark")?.textContent,
    title: document.querySelector("#detail pre.body mark")?.title,
  }));
  ok(inv.code === plan.invalid.code, "invalid request shows its error code", inv);
  ok(inv.path === plan.invalid.path, "invalid request shows the field path", inv);
  ok(inv.pos === String(plan.invalid.pos), "invalid request shows the byte position", inv);
  ok(inv.mark === plan.invalid.char && inv.title === "byte " + plan.invalid.pos, "failing byte highlighted", inv);
  await page.screenshot({ path: plan.screenshot });
  ok(true, "screenshot saved to " + plan.screenshot);

  // MessagePack: decoded, raw bytes one click away.
  await pick(plan.msgpack.id);
  const decoded = await page.$eval("#detail .body-view pre", (p) => p.textContent);
  ok(decoded.includes('"payload"') && decoded.includes('"event"'), "MessagePack body shown decoded", decoded);
  await page.click('#detail .tabs button[data-view="Raw bytes"]');
  const hex = await page.$eval("#detail .body-view pre", (p) => p.textContent);
  ok(/^00000000  [0-9a-f]{2} /.test(hex), "MessagePack raw bytes as hex", hex.slice(0, 80));

  // Copy as curl, with the signature.
  await pick(plan.resend.id);
  await page.click("#copy-curl");
  const curl = await page.$eval("#detail textarea.curl", (t) => t.value);
  ok(curl.startsWith("curl ") && curl.includes("webhook-signature: v1,") && curl.includes(plan.resend.id),
    "copy as curl gives the signed request", curl.slice(0, 200));

  // Send again to the --forward-to target.
  await page.click("#send-again");
  await page.waitForFunction(() => /again|Not delivered|Could not/.test(
    document.querySelector("#detail .actions .note").textContent), { timeout: 20000 });
  const note = await page.$eval("#detail .actions .note", (e) => e.textContent);
  ok(note === "Delivered again: status 204", "send again delivered to the application", note);

  // Filters by verdict and by event.
  await page.select("#f-verdict", "invalid");
  let shown = await page.$$eval("#list li", (lis) => lis.filter((li) => !li.hidden).map((li) => li.dataset.verdict));
  const nInvalid = plan.sent.filter((s) => s.verdict === "invalid").length;
  ok(shown.length === nInvalid && shown.every((v) => v === "invalid"), "filter by verdict", shown);
  await page.select("#f-verdict", "");
  await page.select("#f-event", plan.msgpack.event);
  shown = await page.$$eval("#list li", (lis) => lis.filter((li) => !li.hidden).map((li) => li.querySelector(".event").textContent));
  ok(shown.length === plan.sent.filter((s) => s.event === plan.msgpack.event).length
    && shown.every((e) => e === plan.msgpack.event), "filter by event", shown);
  await page.select("#f-event", "");

  // A new request appears without a reload.
  await page.evaluate(() => { window.__sameDocument = 42; });
  const live = await fetch(plan.live.url, { method: "POST", headers: plan.live.headers,
    body: Buffer.from(plan.live.body_b64, "base64") });
  ok(live.status === plan.live.status, "the live request was answered", live.status);
  await page.waitForFunction((k) => document.querySelectorAll("#list li").length === k, { timeout: 20000 }, n + 1);
  const top = await page.$eval("#list li", (li) => ({ verdict: li.dataset.verdict, sub: li.querySelector(".sub").textContent }));
  ok(top.verdict === plan.live.verdict && top.sub.includes(plan.live.id), "new request on top, live", top);
  ok(await page.evaluate(() => window.__sameDocument) === 42, "no reload happened");
  ok(errors.length === 0, "no script error and no dialog on the page", errors);
  if (plan.readme_screenshot) {
    await pick(plan.invalid.id);
    await page.screenshot({ path: plan.readme_screenshot });
  }
} catch (e) {
  console.log("error: " + (e && e.stack ? e.stack : e));
  code = 1;
} finally {
  await browser.close();
}
console.log(passed + " passed, " + code + " failed");
process.exit(code);
