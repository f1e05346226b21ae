// API tokens are no stronger than the person who made them, as that person is *now*:
// "require 2FA" holds for token issuing and for tokens made before it was switched on; a
// token follows its creator's current role, group permissions and active flag (a
// deactivated person's tokens are gone for good); password change and "sign out
// everywhere" can revoke every token (audited).
import assert from "node:assert/strict";
import { desc, eq } from "drizzle-orm";
import { auditLog } from "../../modules/audit/mod.ts";
import { currentTotp, organisations, users } from "../../modules/auth/mod.ts";
import { ADMIN, startTestApp, type TestApp } from "../support/app.ts";
import { makeGroup, makePerson, TECH_PASSWORD } from "../support/org.ts";

function api(t: TestApp, method: string, path: string, options: {
  token?: string;
  body?: unknown;
} = {}) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  return t.app.request(`http://localhost/api/v1${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
}

async function issue(t: TestApp, email: string, password: string, totp?: string) {
  return await api(t, "POST", "/auth/token", { body: { email, password, totp } });
}

async function tokenOf(t: TestApp, email: string, password: string): Promise<string> {
  const res = await issue(t, email, password);
  assert.equal(res.status, 201);
  return (await res.json()).token;
}

async function requireTwoFactor(t: TestApp, on: boolean) {
  await t.deps.db.update(organisations).set({ require2fa: on });
}

async function lastAuditDetails(t: TestApp, action: string) {
  const [row] = await t.deps.db.select().from(auditLog).where(eq(auditLog.action, action))
    .orderBy(desc(auditLog.id)).limit(1);
  return row?.details as Record<string, unknown> | undefined;
}

Deno.test("require 2FA: no token on password alone, and earlier tokens stop working until enrolment", async () => {
  const t = await startTestApp();
  try {
    const group = await makeGroup(t);
    const person = await makePerson(t, { groupId: group.id });
    const earlier = await tokenOf(t, person.email, TECH_PASSWORD);
    assert.equal((await api(t, "GET", "/me", { token: earlier })).status, 200);

    await requireTwoFactor(t, true);
    const refused = await issue(t, person.email, TECH_PASSWORD);
    assert.equal(refused.status, 403);
    assert.equal(refused.headers.get("content-type"), "application/problem+json");
    assert.match((await refused.json()).detail, /requires two-step verification/);
    // A wrong password still says only "wrong credentials": the 2FA rule leaks nothing.
    assert.equal((await issue(t, person.email, "not the password")).status, 401);

    const blocked = await api(t, "GET", "/me", { token: earlier });
    assert.equal(blocked.status, 403);
    assert.match((await blocked.json()).detail, /has not set it up/);
    assert.equal((await api(t, "GET", "/sessions", { token: earlier })).status, 403);

    // Enrolment in the browser (the sign-in leads there) lets the account back in.
    const browser = t.client();
    const signIn = await browser.signIn(person.email, TECH_PASSWORD);
    assert.equal(signIn.headers.get("location"), "/signin/enrol");
    const page = await (await browser.get("/signin/enrol")).text();
    const secret = /id="totp-secret">([A-Z2-7]+)</.exec(page)![1];
    const done = await browser.post("/signin/enrol", { code: currentTotp(secret, t.clock.now()) });
    assert.equal(done.status, 200);
    assert.equal((await api(t, "GET", "/me", { token: earlier })).status, 200);
    t.clock.advance(30_000);
    const code = currentTotp(secret, t.clock.now());
    assert.equal((await issue(t, person.email, TECH_PASSWORD, code)).status, 201);
  } finally {
    await t.close();
  }
});

Deno.test("a token acts with its creator's current role, permissions and active flag", async () => {
  const t = await startTestApp();
  try {
    const master = await tokenOf(t, ADMIN.email, ADMIN.password);
    const group = await makeGroup(t, { permissions: ["startPrivate", "methodLink"] });
    const admin = await makePerson(t, { groupId: group.id, role: "admin" });
    const token = await tokenOf(t, admin.email, TECH_PASSWORD);
    assert.equal((await api(t, "GET", "/technicians", { token })).status, 200);
    const link = { method: "link", customerName: "Carol" };
    assert.equal((await api(t, "POST", "/sessions", { token, body: link })).status, 201);

    // Demoted: the token loses the admin routes at once.
    await t.deps.db.update(users).set({ role: "technician" }).where(eq(users.id, admin.id));
    assert.equal((await api(t, "GET", "/technicians", { token })).status, 403);
    assert.equal((await api(t, "GET", "/groups", { token })).status, 403);
    const me = await (await api(t, "GET", "/me", { token })).json();
    assert.equal(me.role, "technician");

    // A permission taken from the group is taken from the token.
    const patched = await api(t, "PATCH", `/groups/${group.id}`, {
      token: master,
      body: { permissions: ["methodLink"] },
    });
    assert.equal(patched.status, 200);
    const denied = await api(t, "POST", "/sessions", { token, body: link });
    assert.equal(denied.status, 403);

    // Deactivated: dead; reactivated: still dead (deactivation revoked the tokens).
    const off = await api(t, "PATCH", `/technicians/${admin.id}`, {
      token: master,
      body: { active: false },
    });
    assert.equal(off.status, 204);
    assert.equal((await api(t, "GET", "/me", { token })).status, 401);
    const on = await api(t, "PATCH", `/technicians/${admin.id}`, {
      token: master,
      body: { active: true },
    });
    assert.equal(on.status, 204);
    assert.equal((await api(t, "GET", "/me", { token })).status, 401);
  } finally {
    await t.close();
  }
});

Deno.test("password change and sign out everywhere revoke API tokens when asked (audited)", async () => {
  const t = await startTestApp();
  try {
    const group = await makeGroup(t);
    const person = await makePerson(t, { groupId: group.id });
    const browser = t.client();
    await browser.signIn(person.email, TECH_PASSWORD);
    const page = await (await browser.get("/account")).text();
    // Offered on both forms; on by default only for signing out everywhere.
    assert.match(page, /name="revokeTokens" value="1"\s*\/>/);
    assert.match(page, /name="revokeTokens" value="1" checked/);

    const kept = await tokenOf(t, person.email, TECH_PASSWORD);
    const next = "a brand new password";
    let res = await browser.post("/account/password", {
      current: TECH_PASSWORD,
      next,
      confirm: next,
    });
    assert.equal(res.status, 200);
    assert.equal((await api(t, "GET", "/me", { token: kept })).status, 200, "not asked: kept");

    const third = "yet another password";
    res = await browser.post("/account/password", {
      current: next,
      next: third,
      confirm: third,
      revokeTokens: "1",
    });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /API tokens revoked/);
    assert.equal((await api(t, "GET", "/me", { token: kept })).status, 401);
    assert.equal((await lastAuditDetails(t, "auth.password_changed"))?.apiTokensRevoked, 1);

    const again = await tokenOf(t, person.email, third);
    res = await browser.post("/account/signout-everywhere", { revokeTokens: "1" });
    assert.equal(res.status, 303);
    assert.equal((await api(t, "GET", "/me", { token: again })).status, 401);
    assert.equal((await lastAuditDetails(t, "auth.signout_everywhere"))?.apiTokensRevoked, 1);
  } finally {
    await t.close();
  }
});
