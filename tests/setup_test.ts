// The one-time setup page (no bootstrap admin in the environment): guarded by a token
// printed to the log, expires, works once, and is gone for good afterwards.
import assert from "node:assert/strict";
import { count } from "drizzle-orm";
import { bootstrap, organisations, users } from "../modules/auth/mod.ts";
import { auditActions, startTestApp } from "./support/app.ts";

function setupToken(logLines: string[]): string {
  const line = logLines.find((l) => l.includes("setupUrl"));
  assert.ok(line, "the setup link is logged");
  return new URL(JSON.parse(line).setupUrl).searchParams.get("token")!;
}

Deno.test("setup creates the organisation once; afterwards /setup is 404 for good", async () => {
  const t = await startTestApp({ bootstrapAdmin: false });
  try {
    const token = setupToken(t.logLines);
    const browser = t.client();
    assert.equal((await browser.get("/setup")).status, 404, "no token, no page");
    assert.equal((await browser.get("/setup?token=guess")).status, 404);
    const page = await browser.get(`/setup?token=${token}`);
    assert.equal(page.status, 200);
    // The password's rule is said before it is broken, not only in the refusal.
    const html = await page.text();
    assert.match(html, /minlength="10" aria-describedby="password-rules"/);
    assert.match(html, /id="password-rules">At least 10 characters, and not your e-mail address\./);

    const bad = await browser.post("/setup", {
      token,
      orgName: "",
      name: "Ann",
      email: "nope",
      password: "x",
    });
    assert.equal(bad.status, 422);
    const [{ n }] = await t.deps.db.select({ n: count() }).from(organisations);
    assert.equal(Number(n), 0, "nothing half-written");

    const ok = await browser.post("/setup", {
      token,
      orgName: "Acme Support",
      name: "Ann Admin",
      email: "Ann@Example.test",
      password: "a long enough password",
    });
    assert.equal(ok.status, 303);
    assert.equal((await browser.get("/console")).status, 200, "signed in straight away");
    const [user] = await t.deps.db.select().from(users);
    assert.equal(user.email, "ann@example.test");
    assert.equal(user.role, "master_admin");

    assert.equal((await t.client().get(`/setup?token=${token}`)).status, 404);
    await bootstrap(t.deps);
    assert.equal(t.logLines.filter((l) => l.includes("setupUrl")).length, 1, "no new link");
    assert.ok((await auditActions(t.deps)).includes("setup.completed"));
  } finally {
    await t.close();
  }
});

Deno.test("an expired setup token is refused with 410 and creates nothing", async () => {
  const t = await startTestApp({ bootstrapAdmin: false });
  try {
    const token = setupToken(t.logLines);
    t.clock.advance(25 * 3_600_000);
    const browser = t.client();
    assert.equal((await browser.get(`/setup?token=${token}`)).status, 410);
    await browser.get("/signin");
    const res = await browser.post("/setup", {
      token,
      orgName: "Acme",
      name: "Ann",
      email: "ann@example.test",
      password: "a long enough password",
    });
    assert.equal(res.status, 410);
    const [{ n }] = await t.deps.db.select({ n: count() }).from(organisations);
    assert.equal(Number(n), 0);
  } finally {
    await t.close();
  }
});

Deno.test("the bootstrap admin from the environment leaves no setup page behind", async () => {
  const t = await startTestApp();
  try {
    assert.equal(t.logLines.some((l) => l.includes("setupUrl")), false);
    assert.equal((await t.client().get("/setup?token=anything")).status, 404);
  } finally {
    await t.close();
  }
});
