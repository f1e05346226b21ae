import assert from "node:assert/strict";
import { Hono } from "hono";
import { securityHeaders } from "./security_headers.ts";
import type { AppEnv } from "./types.ts";

function appWith(hsts: boolean) {
  return new Hono<AppEnv>()
    .use("*", securityHeaders({ hsts }))
    .get("/", (c) => c.html("<p>hi</p>"))
    .get("/cached", (c) => c.text("x", 200, { "cache-control": "public, max-age=300" }))
    .get("/raw", () => new Response("raw"));
}

Deno.test("securityHeaders() sends the strict CSP: our origin only, no inline, no framing", async () => {
  const res = await appWith(false).request("/");
  assert.equal(
    res.headers.get("content-security-policy"),
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
      "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; " +
      "form-action 'self'",
  );
  assert.doesNotMatch(res.headers.get("content-security-policy")!, /unsafe|nonce|\*/);
});

Deno.test("securityHeaders() sets the hardening headers, and HSTS only when asked", async () => {
  const res = await appWith(false).request("/");
  assert.equal(res.headers.get("x-content-type-options"), "nosniff");
  assert.equal(res.headers.get("x-frame-options"), "DENY");
  assert.equal(res.headers.get("referrer-policy"), "same-origin");
  assert.equal(res.headers.get("cross-origin-opener-policy"), "same-origin");
  assert.equal(res.headers.get("cross-origin-resource-policy"), "same-origin");
  assert.equal(res.headers.get("permissions-policy"), "camera=(), microphone=(), geolocation=()");
  assert.equal(res.headers.get("strict-transport-security"), null);
  const https = await appWith(true).request("/");
  assert.equal(https.headers.get("strict-transport-security"), "max-age=31536000");
});

Deno.test("securityHeaders() adds Cache-Control: no-store unless the answer sets its own", async () => {
  const app = appWith(false);
  assert.equal((await app.request("/")).headers.get("cache-control"), "no-store");
  assert.equal((await app.request("/raw")).headers.get("cache-control"), "no-store");
  const cached = await app.request("/cached");
  assert.equal(cached.headers.get("cache-control"), "public, max-age=300");
  assert.equal(cached.headers.get("x-frame-options"), "DENY");
});

Deno.test("securityHeaders() keeps a route's own Permissions-Policy (a page that needs the camera)", async () => {
  const app = appWith(false).get("/camera", (c) => {
    c.header("Permissions-Policy", "camera=(self), microphone=(self), geolocation=()");
    return c.html("<p>camera</p>");
  });
  const res = await app.request("/camera");
  assert.equal(
    res.headers.get("permissions-policy"),
    "camera=(self), microphone=(self), geolocation=()",
  );
  assert.equal(res.headers.get("x-frame-options"), "DENY", "the rest stays");
  const other = await app.request("/");
  assert.equal(other.headers.get("permissions-policy"), "camera=(), microphone=(), geolocation=()");
});
