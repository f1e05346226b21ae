import assert from "node:assert/strict";
import { Hono } from "hono";
import { cleanJson, cleanText, cleanTextInputs } from "./text_input.ts";

Deno.test("cleanText() drops controls and bidi overrides, keeps text, tabs and line breaks", () => {
  assert.equal(cleanText("A\u0000B"), "AB");
  assert.equal(cleanText("A\u0001\u001b\u007f\u0085\u009fB"), "AB");
  assert.equal(cleanText("A\u202etxt.exe\u2066\u2069"), "Atxt.exe");
  assert.equal(cleanText("A\uD800B\uDC00"), "A\uFFFDB\uFFFD");
  assert.equal(cleanText("Zoë\t€ 😀\r\nשלום"), "Zoë\t€ 😀\r\nשלום");
});

Deno.test("cleanJson() cleans strings and keys at any depth and keeps __proto__ a plain key", () => {
  const parsed = JSON.parse('{"a\\u0000":["x\\u0000",{"__proto__":{"p":"\\ud800"}}],"n":1}');
  const clean = cleanJson(parsed) as Record<string, unknown>;
  assert.deepEqual(Object.keys(clean), ["a", "n"]);
  assert.deepEqual(clean.a, ["x", JSON.parse('{"__proto__":{"p":"\\ufffd"}}')]);
  assert.equal(({} as Record<string, unknown>).p, undefined, "no prototype pollution");
});

Deno.test("cleanTextInputs() is what forms and JSON bodies read afterwards", async () => {
  const app = new Hono().use(cleanTextInputs())
    .post("/form", async (c) => c.json(await c.req.parseBody()))
    .post("/json", async (c) => c.json(await c.req.json().catch(() => "refused")))
    .post("/raw", async (c) => c.text(await c.req.text()));
  const form = await app.request("/form", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "name=A%00B%E2%80%AE&x%00=%FF",
  });
  assert.deepEqual(await form.json(), { name: "AB", x: "\uFFFD" });
  const json = await app.request("/json", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: '{"text":"A\\u0000\\ud800"}',
  });
  assert.deepEqual(await json.json(), { text: "A\uFFFD" });
  const raw = await app.request("/raw", {
    method: "POST",
    headers: { "content-type": "application/octet-stream" },
    body: "A\u0000B",
  });
  assert.equal(await raw.text(), "A\u0000B", "raw uploads are not text inputs");
  const broken = await app.request("/json", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{not json",
  });
  assert.equal(await broken.json(), "refused", "left for the route to refuse");
});
