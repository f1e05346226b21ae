// The JSON API: token issuing (throttled like sign-in, TOTP when enrolled), bearer auth,
// problem documents for bad input, and the generated OpenAPI document.
import assert from "node:assert/strict";
import { count } from "drizzle-orm";
import { currentTotp } from "../modules/auth/mod.ts";
import { auditLog } from "../modules/audit/mod.ts";
import { ADMIN, startTestApp, type TestApp } from "./support/app.ts";

async function api(t: TestApp, path: string, init: RequestInit = {}) {
  return await t.app.request(`http://localhost/api/v1${path}`, init);
}

function json(body: unknown): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  };
}

Deno.test("POST /api/v1/auth/token issues a token that GET /api/v1/me accepts", async () => {
  const t = await startTestApp();
  try {
    const res = await api(t, "/auth/token", json({ email: ADMIN.email, password: ADMIN.password }));
    assert.equal(res.status, 201);
    const { token, user } = await res.json();
    assert.match(token, /^rsk_/);
    assert.equal(user.email, ADMIN.email);
    const me = await api(t, "/me", { headers: { authorization: `Bearer ${token}` } });
    assert.equal(me.status, 200);
    assert.deepEqual((await me.json()).role, "master_admin");
  } finally {
    await t.close();
  }
});

Deno.test("the API answers bad input with problem documents and writes nothing", async () => {
  const t = await startTestApp();
  try {
    const [{ n: before }] = await t.deps.db.select({ n: count() }).from(auditLog);
    const malformed = await api(t, "/auth/token", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.headers.get("content-type"), "application/problem+json");
    const missing = await api(t, "/auth/token", json({ email: ADMIN.email }));
    assert.equal(missing.status, 422);
    assert.ok((await missing.json()).issues.length > 0);
    const [{ n: after }] = await t.deps.db.select({ n: count() }).from(auditLog);
    assert.equal(after, before);

    const wrong = await api(t, "/auth/token", json({ email: ADMIN.email, password: "nope nope" }));
    assert.equal(wrong.status, 401);
    assert.equal((await wrong.json()).status, 401);

    for (const header of ["", "Bearer", "Bearer rsk_unknown", "Basic abc"]) {
      const res = await api(t, "/me", { headers: header ? { authorization: header } : {} });
      assert.equal(res.status, 401, `"${header}" is refused`);
      assert.equal(res.headers.get("content-type"), "application/problem+json");
    }
  } finally {
    await t.close();
  }
});

Deno.test("with 2FA on, the API needs a current TOTP code and refuses a replay", async () => {
  const t = await startTestApp();
  try {
    const browser = t.client();
    await browser.signIn(ADMIN.email, ADMIN.password);
    await browser.get("/account");
    const page = await (await browser.post("/account/2fa/enrol")).text();
    const secret = /id="totp-secret">([A-Z2-7]+)</.exec(page)![1];
    await browser.post("/account/2fa/confirm", { code: currentTotp(secret, t.clock.now()) });
    t.clock.advance(30_000);

    const base = { email: ADMIN.email, password: ADMIN.password };
    assert.equal((await api(t, "/auth/token", json(base))).status, 401);
    const code = currentTotp(secret, t.clock.now());
    assert.equal((await api(t, "/auth/token", json({ ...base, totp: code }))).status, 201);
    assert.equal((await api(t, "/auth/token", json({ ...base, totp: code }))).status, 401);
  } finally {
    await t.close();
  }
});

Deno.test("API token issuing is throttled like sign-in", async () => {
  const t = await startTestApp();
  try {
    let res: Response | undefined;
    for (let i = 0; i < 6; i++) {
      res = await api(t, "/auth/token", json({ email: ADMIN.email, password: `wrong ${i} pw` }));
    }
    assert.equal(res!.status, 429);
    assert.ok(res!.headers.get("retry-after"));
  } finally {
    await t.close();
  }
});

Deno.test("tokens from My account work until revoked or expired; changes are audited", async () => {
  const t = await startTestApp();
  try {
    const browser = t.client();
    await browser.signIn(ADMIN.email, ADMIN.password);
    await browser.get("/account");
    const bad = await browser.post("/account/tokens", { name: "ci", days: "-3" });
    assert.equal(bad.status, 400);
    const created = await (await browser.post("/account/tokens", { name: "ci", days: "1" })).text();
    const token = /id="new-token">(rsk_[A-Za-z0-9_-]+)</.exec(created)![1];
    const auth = { headers: { authorization: `Bearer ${token}` } };
    assert.equal((await api(t, "/me", auth)).status, 200);
    t.clock.advance(2 * 86_400_000);
    assert.equal((await api(t, "/me", auth)).status, 401, "expired");
    await browser.signIn(ADMIN.email, ADMIN.password); // two days idle ended the web session
    await browser.get("/account");

    const second = await (await browser.post("/account/tokens", { name: "other" })).text();
    const token2 = /id="new-token">(rsk_[A-Za-z0-9_-]+)</.exec(second)![1];
    const id = [...second.matchAll(/\/account\/tokens\/([0-9a-f-]{36})\/revoke/g)].map((m) => m[1]);
    for (const tokenId of id) await browser.post(`/account/tokens/${tokenId}/revoke`);
    const revoked = await api(t, "/me", { headers: { authorization: `Bearer ${token2}` } });
    assert.equal(revoked.status, 401);
    const actions = (await t.deps.db.select({ a: auditLog.action }).from(auditLog)).map((r) => r.a);
    assert.ok(actions.includes("auth.token_created"));
    assert.ok(actions.includes("auth.token_revoked"));
  } finally {
    await t.close();
  }
});

Deno.test("GET /api/v1/openapi.json describes the routes from their definitions", async () => {
  const t = await startTestApp();
  try {
    const res = await api(t, "/openapi.json");
    assert.equal(res.status, 200);
    const doc = await res.json();
    assert.equal(doc.openapi, "3.1.0");
    assert.ok(doc.paths["/auth/token"].post);
    assert.ok(doc.paths["/me"].get);
    assert.ok(doc.components.schemas.TokenRequest);
  } finally {
    await t.close();
  }
});
