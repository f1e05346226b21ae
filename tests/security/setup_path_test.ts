// Lesson of this product class: a setup wizard left reachable after install is an auth
// bypass. Once an organisation exists, every spelling of the setup path — case, trailing
// slash, dot segments, double and encoded slashes, every method, with no token, a guessed
// token or the very token that set the organisation up — is a 404 (or a trip to sign-in),
// shows no setup form and creates nothing. tests/setup_test.ts keeps the happy path and the
// first variants (no token, guessed token, used token, expired token, env bootstrap).
import assert from "node:assert/strict";
import { count } from "drizzle-orm";
import { organisations, users } from "../../modules/auth/mod.ts";
import { startTestApp, type TestApp, type TestClient } from "../support/app.ts";

const GUESS = "A".repeat(43);

/** Path spellings a router, a proxy or a browser might treat as /setup. */
function spellings(token: string): string[] {
  const q = `?token=${token}`;
  return [
    "/setup",
    `/setup${q}`,
    `/setup?token=${GUESS}`,
    `/setup?token=`,
    `/setup?token=${token}&token=${GUESS}`,
    `/setup?token[]=${token}`,
    `/setup?TOKEN=${token}`,
    `/setup?token=${token}#x`,
    `/setup?token=${encodeURIComponent(token + "\u0000")}`,
    `/setup?%74oken=${token}`,
    "/setup/",
    `/setup/${q}`,
    "/SETUP",
    `/Setup${q}`,
    "/setup.html",
    "/setup.json",
    "/setup/x",
    "/setup;x",
    `/setup;jsessionid=1${q}`,
    "/setup%20",
    "/setup%00",
    "/setup%2F",
    "/setup%2f",
    "/%73etup",
    `/%73%65%74%75%70${q}`,
    "/setup/../setup",
    "/setup/%2e%2e/setup",
    "/./setup",
    "/static/../setup",
    "/x/..%2Fsetup",
    "/%2e/setup",
    "//setup",
    "///setup",
    "/setup//",
    `//setup${q}`,
    "/\\setup",
    "/api/v1/../../setup",
    "/api/v1/setup",
  ];
}

async function assertClosed(t: TestApp, browser: TestClient, token: string) {
  const before = await counts(t);
  for (const path of spellings(token)) {
    for (const method of ["GET", "HEAD"]) {
      const res = await browser.send(path, { method });
      await assertRefused(res, `${method} ${path}`);
    }
    const post = await browser.post(path, {
      token,
      orgName: "Takeover Ltd",
      name: "Mallory",
      email: "mallory@evil.example",
      password: "a long enough password",
    });
    await assertRefused(post, `POST ${path}`);
    for (const method of ["PUT", "PATCH", "DELETE"]) {
      // With the CSRF token, so the request reaches the router rather than the CSRF check.
      const res = await browser.send(path, { method, headers: { "x-csrf-token": browser.csrf } });
      await assertRefused(res, `${method} ${path}`);
    }
  }
  assert.deepEqual(await counts(t), before, "no organisation or user was created");
}

async function assertRefused(res: Response, what: string) {
  const body = await res.text();
  const toSignIn = res.status === 303 && res.headers.get("location")?.startsWith("/signin");
  // The API answers 401 to anything without a bearer token, before routing.
  const apiRefused = res.status === 401 && what.includes(" /api/");
  assert.ok(res.status === 404 || toSignIn || apiRefused, `${what} → ${res.status}`);
  assert.doesNotMatch(body, /name="orgName"/, `${what} shows no setup form`);
}

async function counts(t: TestApp) {
  const [{ orgs }] = await t.deps.db.select({ orgs: count() }).from(organisations);
  const [{ people }] = await t.deps.db.select({ people: count() }).from(users);
  return { orgs: Number(orgs), people: Number(people) };
}

Deno.test("after setup, every spelling of /setup with the used token is 404 for good", async () => {
  const t = await startTestApp({ bootstrapAdmin: false });
  try {
    const line = t.logLines.find((l) => l.includes("setupUrl"));
    assert.ok(line, "the setup link is logged");
    const token = new URL(JSON.parse(line).setupUrl).searchParams.get("token")!;
    const installer = t.client();
    assert.equal((await installer.get(`/setup?token=${token}`)).status, 200, "open before");
    const done = await installer.post("/setup", {
      token,
      orgName: "Acme Support",
      name: "Ann Admin",
      email: "ann@example.test",
      password: "a long enough password",
    });
    assert.equal(done.status, 303);
    // A stranger, and the signed-in installer (the setup page must not care who asks).
    const stranger = t.client();
    await stranger.get("/signin");
    await assertClosed(t, stranger, token);
    await assertClosed(t, installer, token);
  } finally {
    await t.close();
  }
});

Deno.test("an organisation made while a setup link is still live closes the link", async () => {
  // As if a second instance (or the environment) created the organisation while the link
  // printed by the first was still valid: the organisation, not the token, closes setup.
  const t = await startTestApp({ bootstrapAdmin: false });
  try {
    const line = t.logLines.find((l) => l.includes("setupUrl"));
    assert.ok(line, "the setup link is logged");
    const token = new URL(JSON.parse(line).setupUrl).searchParams.get("token")!;
    assert.equal((await t.client().get(`/setup?token=${token}`)).status, 200, "open before");
    await t.deps.db.insert(organisations).values({ name: "Other", createdAt: t.clock.now() });
    const browser = t.client();
    await browser.get("/signin");
    await assertClosed(t, browser, token);
  } finally {
    await t.close();
  }
});

Deno.test("an organisation bootstrapped from the environment has no setup path at all", async () => {
  const t = await startTestApp();
  try {
    const browser = t.client();
    await browser.get("/signin");
    await assertClosed(t, browser, GUESS);
  } finally {
    await t.close();
  }
});
