// Secrets at rest: TOTP seeds are sealed (AES-256-GCM, key in DATA_DIR/secrets.json), so
// the database holds no seed in clear — not after enrolment, not while enrolment is
// pending, and not after a start-up that finds seeds from before sealing. Codes are
// computed with oathtool, an implementation independent of the app's.
// Webhook signing secrets are sealed the same way (last test).
import assert from "node:assert/strict";
import { oathtool } from "../support/totp.ts";
import { eq, sql } from "drizzle-orm";
import { bootstrap, users } from "../../modules/auth/mod.ts";
import { ADMIN, startTestApp, type TestApp, type TestClient } from "../support/app.ts";

/** Every text the users table holds, as one string (what a database dump would show). */
async function usersDump(t: TestApp): Promise<string> {
  const result = await t.deps.db.execute(sql`select * from users`);
  const rows = (result as unknown as { rows?: unknown[] }).rows ?? result;
  return JSON.stringify(rows);
}

async function adminRow(t: TestApp) {
  const [row] = await t.deps.db.select().from(users).where(eq(users.email, ADMIN.email));
  return row;
}

async function signInWithCode(t: TestApp, secret: string): Promise<Response> {
  const browser = t.client();
  t.clock.advance(30_000); // a fresh time step: a code is accepted once
  const code = await oathtool(secret, t.clock.now());
  return await browser.signIn(ADMIN.email, ADMIN.password, () => code);
}

async function enrol(browser: TestClient): Promise<string> {
  await browser.get("/account");
  const page = await (await browser.post("/account/2fa/enrol")).text();
  return /id="totp-secret">([A-Z2-7]+)</.exec(page)![1];
}

Deno.test("TOTP seeds are sealed in the database: pending, enrolled, and cross-checked with oathtool", async () => {
  const t = await startTestApp();
  try {
    const browser = t.client();
    await browser.signIn(ADMIN.email, ADMIN.password);
    const secret = await enrol(browser);
    assert.match(secret, /^[A-Z2-7]{32}$/);
    let dump = await usersDump(t);
    assert.ok(!dump.includes(secret), "no pending seed in clear");
    assert.match((await adminRow(t)).totpPendingSecret!, /^v1:[\w-]{16}:[\w-]+$/);

    const confirmed = await browser.post("/account/2fa/confirm", {
      code: await oathtool(secret, t.clock.now()),
    });
    assert.equal(confirmed.status, 200);
    dump = await usersDump(t);
    assert.ok(!dump.includes(secret), "no enrolled seed in clear");
    const row = await adminRow(t);
    assert.match(row.totpSecret!, /^v1:/);
    assert.equal(row.totpPendingSecret, null);

    const signedIn = await signInWithCode(t, secret);
    assert.equal(signedIn.status, 303);
    assert.equal(signedIn.headers.get("location"), "/console");

    // A sealed seed is bound to its row: copied onto another person's, it does not open
    // (and a second factor that cannot be checked fails closed).
    const other = await t.deps.db.insert(users).values({
      orgId: row.orgId,
      email: "copy@example.test",
      name: "Copy",
      role: "technician",
      passwordHash: row.passwordHash,
      createdAt: t.clock.now(),
      totpSecret: row.totpSecret,
      totpEnabledAt: t.clock.now(),
    }).returning();
    const thief = t.client();
    t.clock.advance(30_000);
    const code = await oathtool(secret, t.clock.now());
    const refused = await thief.signIn(other[0].email, ADMIN.password, () => code);
    assert.equal(refused.status, 500, "refused, and the error names the request for the log");
  } finally {
    await t.close();
  }
});

Deno.test("a seed stored in clear (before sealing) still works and is sealed at the next start", async () => {
  const t = await startTestApp();
  try {
    const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    await t.deps.db.update(users).set({ totpSecret: secret, totpEnabledAt: t.clock.now() })
      .where(eq(users.email, ADMIN.email));
    assert.equal((await signInWithCode(t, secret)).headers.get("location"), "/console");

    await bootstrap(t.deps); // what every start runs
    assert.ok(!(await usersDump(t)).includes(secret), "sealed at start-up");
    assert.match((await adminRow(t)).totpSecret!, /^v1:/);
    assert.equal((await signInWithCode(t, secret)).headers.get("location"), "/console");
    assert.ok(t.logLines.some((l) => l.includes("TOTP seeds stored in clear are now sealed")));
  } finally {
    await t.close();
  }
});

Deno.test("webhook signing secrets are sealed in the database, bound to their endpoint", async () => {
  const t = await startTestApp();
  try {
    const browser = t.client();
    await browser.signIn(ADMIN.email, ADMIN.password);
    await browser.get("/admin/webhooks");
    const added = await browser.post("/admin/webhooks", {
      url: "https://hooks.example.test/in",
      eventTypes: "session.ended",
    });
    assert.equal(added.status, 201);
    const secret = /value="whsec_([A-Za-z0-9+/=]+)"/.exec(await added.text())![1];
    const result = await t.deps.db.execute(sql`select * from webhook_endpoints`);
    const dump = JSON.stringify((result as unknown as { rows?: unknown[] }).rows ?? result);
    assert.ok(!dump.includes(secret), "no secret in clear");
    assert.match(dump, /"secret_sealed":"v1:/);
    // Copied onto another endpoint's row it does not open: that endpoint's deliveries fail.
    const { openWebhookSecret, webhookEndpoints } = await import(
      "../../modules/webhooks/test_support.ts"
    );
    const [row] = await t.deps.db.select().from(webhookEndpoints);
    assert.equal(
      await openWebhookSecret(t.deps.config, row.id, row.secretSealed),
      `whsec_${secret}`,
    );
    await assert.rejects(openWebhookSecret(t.deps.config, crypto.randomUUID(), row.secretSealed));
  } finally {
    await t.close();
  }
});
