// A person's page through the API (SPEC A2, A4): rename, reset two-step verification and lift
// a sign-in lockout — the Admin Center's services and its rule on who may change whom.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { auditLog } from "../modules/audit/mod.ts";
import { createApiToken, users } from "../modules/auth/mod.ts";
import { mailOutbox } from "../modules/mail/mod.ts";
import { groupAdmins } from "../modules/org/mod.ts";
import { startTestApp, type TestApp } from "./support/app.ts";
import { makeGroup, makePerson, masterAdmin, TECH_PASSWORD } from "./support/org.ts";

async function tokenOf(t: TestApp, userId: string) {
  return (await createApiToken(t.deps.db, { userId, name: "test", now: t.clock.now() })).token;
}

function call(t: TestApp, token: string, method: string, path: string, body?: unknown) {
  return t.app.request(`http://localhost/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** A group, a technician in it, a limited admin of it (with a token) and its peer admin. */
async function scene(t: TestApp) {
  const group = await makeGroup(t);
  const tech = await makePerson(t, { groupId: group.id });
  const admin = await makePerson(t, { groupId: group.id, role: "admin" });
  await t.deps.db.insert(groupAdmins).values({ groupId: group.id, userId: admin.id });
  const peer = await makePerson(t, { groupId: group.id, role: "admin" });
  return { group, tech, admin, peer, token: await tokenOf(t, admin.id) };
}

async function actions(t: TestApp, action: string) {
  return await t.deps.db.select().from(auditLog).where(eq(auditLog.action, action));
}

Deno.test("PATCH /technicians/{id} renames a person with the person page's checks", async () => {
  const t = await startTestApp();
  try {
    const { tech, admin, peer, token } = await scene(t);
    const renamed = await call(t, token, "PATCH", `/technicians/${tech.id}`, {
      name: "  Ann de Vries ",
    });
    assert.equal(renamed.status, 204);
    const [row] = await t.deps.db.select().from(users).where(eq(users.id, tech.id));
    assert.equal(row.name, "Ann de Vries");
    assert.equal((await actions(t, "technician.renamed")).length, 1);

    const empty = await call(t, token, "PATCH", `/technicians/${tech.id}`, { name: "  " });
    assert.equal(empty.status, 422);
    assert.match((await empty.json()).detail, /Enter a name/);
    // Another admin and oneself are refused, as on the page; nobody at all is a 404.
    for (const id of [peer.id, admin.id]) {
      const refused = await call(t, token, "PATCH", `/technicians/${id}`, { name: "X" });
      assert.equal(refused.status, 403);
    }
    const nobody = await call(t, token, "PATCH", `/technicians/${crypto.randomUUID()}`, {
      name: "X",
    });
    assert.equal(nobody.status, 404);
    assert.equal((await actions(t, "technician.renamed")).length, 1, "nothing else renamed");
  } finally {
    await t.close();
  }
});

Deno.test("POST /technicians/{id}/2fa/reset resets a person's two-step verification and revokes their tokens", async () => {
  const t = await startTestApp();
  try {
    const { tech, admin, peer, token } = await scene(t);
    await t.deps.db.update(users).set({
      totpSecret: "JBSWY3DPEHPK3PXP",
      totpEnabledAt: t.clock.now(),
    })
      .where(eq(users.id, tech.id));
    const techToken = await tokenOf(t, tech.id);
    assert.equal((await call(t, techToken, "GET", "/me")).status, 200);
    // The technician cannot reset anyone's, nor the limited admin its peer's or its own.
    const byTech = await call(t, techToken, "POST", `/technicians/${tech.id}/2fa/reset`);
    assert.equal(byTech.status, 403);
    for (const id of [peer.id, admin.id]) {
      assert.equal((await call(t, token, "POST", `/technicians/${id}/2fa/reset`)).status, 403);
    }
    assert.equal((await actions(t, "technician.2fa_reset")).length, 0);

    const reset = await call(t, token, "POST", `/technicians/${tech.id}/2fa/reset`);
    assert.equal(reset.status, 204);
    const [row] = await t.deps.db.select().from(users).where(eq(users.id, tech.id));
    assert.equal(row.totpEnabledAt, null);
    assert.equal((await call(t, techToken, "GET", "/me")).status, 401, "its tokens are revoked");
    assert.equal((await actions(t, "technician.2fa_reset")).length, 1);
    const listed = await (await call(t, token, "GET", "/technicians")).json();
    assert.equal(listed.find((p: { id: string }) => p.id === tech.id).twoFactor, false);
  } finally {
    await t.close();
  }
});

Deno.test("POST /technicians/{id}/unlock lifts a sign-in lockout", async () => {
  const t = await startTestApp();
  try {
    const { tech, peer, token } = await scene(t);
    const browser = t.client();
    for (let i = 0; i < 10; i++) {
      await browser.signIn(tech.email, "not the password");
      t.clock.advance(61_000);
    }
    assert.equal((await browser.signIn(tech.email, TECH_PASSWORD)).status, 423);
    const before = await (await call(t, token, "GET", "/technicians")).json();
    assert.ok(before.find((p: { id: string }) => p.id === tech.id).signInLockedUntil);

    assert.equal((await call(t, token, "POST", `/technicians/${peer.id}/unlock`)).status, 403);
    const unlocked = await call(t, token, "POST", `/technicians/${tech.id}/unlock`);
    assert.equal(unlocked.status, 204);
    assert.equal((await browser.signIn(tech.email, TECH_PASSWORD)).status, 303);
    assert.equal((await actions(t, "technician.unlocked")).length, 1);
    const after = await (await call(t, token, "GET", "/technicians")).json();
    assert.equal(after.find((p: { id: string }) => p.id === tech.id).signInLockedUntil, null);

    // The master admin may unlock the peer admin; the operations are in the reference.
    const master = await tokenOf(t, (await masterAdmin(t)).id);
    assert.equal((await call(t, master, "POST", `/technicians/${peer.id}/unlock`)).status, 204);
    const doc = await (await t.app.request("http://localhost/api/v1/openapi.json")).json();
    assert.equal(doc.paths["/technicians/{id}/2fa/reset"].post.operationId, "resetTwoFactor");
    assert.equal(doc.paths["/technicians/{id}/unlock"].post.operationId, "unlockSignIn");
    assert.ok(doc.components.schemas.TechnicianUpdate.properties.name);
  } finally {
    await t.close();
  }
});

Deno.test("POST /technicians/{id}/password-reset e-mails a reset link under the person page's rule", async () => {
  const t = await startTestApp();
  try {
    const { tech, admin, peer, token } = await scene(t);
    for (const id of [peer.id, admin.id]) {
      const refused = await call(t, token, "POST", `/technicians/${id}/password-reset`);
      assert.equal(refused.status, 403);
    }
    const techToken = await tokenOf(t, tech.id);
    const byTech = await call(t, techToken, "POST", `/technicians/${tech.id}/password-reset`);
    assert.equal(byTech.status, 403);
    const sent = await call(t, token, "POST", `/technicians/${tech.id}/password-reset`);
    assert.equal(sent.status, 204);
    const mails = await t.deps.db.select().from(mailOutbox).where(
      eq(mailOutbox.toAddress, tech.email),
    );
    assert.equal(mails.length, 1);
    assert.match(mails[0].textBody, /\/reset\/[A-Za-z0-9_-]{40,}/);
    assert.equal((await actions(t, "technician.password_reset_sent")).length, 1);
    await t.deps.db.update(users).set({ active: false }).where(eq(users.id, tech.id));
    const inactive = await call(t, token, "POST", `/technicians/${tech.id}/password-reset`);
    assert.equal(inactive.status, 409);
    const doc = await (await t.app.request("http://localhost/api/v1/openapi.json")).json();
    assert.equal(
      doc.paths["/technicians/{id}/password-reset"].post.operationId,
      "sendPasswordResetLink",
    );
  } finally {
    await t.close();
  }
});
