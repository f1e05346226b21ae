// Over 400 lines on purpose: every person-page action (rename, 2FA reset, unlock, reset link, deactivate) against the one rule of who may change whom, sharing its fixtures.
// A person's page in the Admin Center (SPEC A2, A4, A10): an admin renames a person and
// resets the two-step verification of one who lost their phone; an invitation's reload sends
// nothing; deleting a group asks first and says why it cannot.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { createApiToken, organisations, toCurrentUser, users } from "../modules/auth/mod.ts";
import { apiTokens, recoveryCodes, rememberedDevices } from "../modules/auth/schema.ts";
import { auditLog } from "../modules/audit/mod.ts";
import { mailOutbox } from "../modules/mail/mod.ts";
import { technicianGroups } from "../modules/org/mod.ts";
import { defaultPermissions } from "../modules/permissions/mod.ts";
import { ADMIN, auditActions, startTestApp, type TestApp, type TestClient } from "./support/app.ts";
import { makeGroup, makePerson, masterAdmin, TECH_PASSWORD } from "./support/org.ts";
import { oathtool } from "./support/totp.ts";
import { workingSession } from "./support/sessions.ts";

async function withAdmin(fn: (t: TestApp, admin: TestClient) => Promise<void>) {
  const t = await startTestApp();
  try {
    const admin = t.client();
    await admin.signIn(ADMIN.email, ADMIN.password);
    await fn(t, admin);
  } finally {
    await t.close();
  }
}

/** A limited admin of `groupId`, signed in. */
async function groupAdmin(t: TestApp, master: TestClient, groupId: string) {
  const user = await makePerson(t, { groupId, role: "admin" });
  await master.get(`/admin/groups/${groupId}`);
  await master.post(`/admin/groups/${groupId}/admins`, { admin: user.id });
  const client = t.client();
  await client.signIn(user.email, TECH_PASSWORD);
  return { user, client };
}

/** Enrols at the sign-in the organisation requires, with oathtool's code; the secret. */
async function enrolAtSignIn(t: TestApp, browser: TestClient, email: string) {
  const signedIn = await browser.signIn(email, TECH_PASSWORD);
  assert.equal(signedIn.headers.get("location"), "/signin/enrol");
  const page = await (await browser.get("/signin/enrol")).text();
  const secret = /id="totp-secret">([A-Z2-7]+)</.exec(page)![1];
  const done = await browser.post("/signin/enrol", { code: await oathtool(secret, t.clock.now()) });
  assert.equal(done.status, 200);
  return secret;
}

Deno.test("an admin resets a technician's two-step verification; it enrols afresh", async () => {
  await withAdmin(async (t, master) => {
    const group = await makeGroup(t);
    const person = await makePerson(t, { groupId: group.id });
    const admin = await groupAdmin(t, master, group.id);
    // Required from now on: the technician enrols at its next sign-in.
    await t.deps.db.update(organisations).set({ require2fa: true });
    const tech = t.client();
    const oldSecret = await enrolAtSignIn(t, tech, person.email);
    // A second browser signs in with the code and is remembered.
    t.clock.advance(30_000);
    const laptop = t.client();
    await laptop.signIn(person.email, TECH_PASSWORD);
    await laptop.get("/signin/2fa");
    const code = await oathtool(oldSecret, t.clock.now());
    await laptop.post("/signin/2fa", { code, remember: "1" });
    assert.equal((await laptop.get("/console")).status, 200);
    assert.equal((await t.deps.db.select().from(rememberedDevices)).length, 1);
    // An API token made before: a second way in that the lost phone must not keep open.
    const { token } = await createApiToken(t.deps.db, {
      userId: person.id,
      name: "script",
      now: t.clock.now(),
    });
    const me = () =>
      t.app.request("http://localhost/api/v1/me", {
        headers: { authorization: `Bearer ${token}` },
      });
    assert.equal((await me()).status, 200);

    const people = await (await admin.client.get("/admin/technicians")).text();
    assert.match(people, new RegExp(`href="/admin/technicians/${person.id}"`));
    const page = await (await admin.client.get(`/admin/technicians/${person.id}`)).text();
    assert.match(page, /Two-step verification/);
    assert.match(page, /On since/);
    const ask = await admin.client.get(`/admin/technicians/${person.id}/2fa/reset`);
    assert.equal(ask.status, 200);
    const askPage = await ask.text();
    assert.match(askPage, /Reset the two-step verification of Test Technician\?/);
    assert.match(askPage, /sets it up again with an authenticator app/);
    assert.match(askPage, /their API tokens are revoked/);
    const reset = await admin.client.post(`/admin/technicians/${person.id}/2fa/reset`);
    assert.equal(reset.status, 303);
    const after = await (await admin.client.get(reset.headers.get("location")!)).text();
    assert.match(after, /was reset, their API tokens were revoked and they were signed out/);
    assert.match(after, /Not set up/);
    assert.doesNotMatch(after, /\/2fa\/reset"/, "nothing left to reset: no Reset offered");

    const [row] = await t.deps.db.select().from(users).where(eq(users.id, person.id));
    assert.equal(row.totpSecret, null);
    assert.equal(row.totpEnabledAt, null);
    assert.equal(
      (await t.deps.db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, person.id)))
        .length,
      0,
    );
    assert.equal((await t.deps.db.select().from(rememberedDevices)).length, 0);
    assert.equal(
      (await t.deps.db.select().from(apiTokens).where(eq(apiTokens.userId, person.id))).length,
      0,
    );
    assert.equal((await me()).status, 401, "the token no longer opens the API");
    const [entry] = await t.deps.db.select().from(auditLog)
      .where(eq(auditLog.action, "technician.2fa_reset"));
    assert.equal((entry.details as { after: { tokensRevoked: number } }).after.tokensRevoked, 1);
    for (const browser of [tech, laptop]) {
      assert.equal((await browser.get("/console")).status, 303, "signed out everywhere");
    }
    assert.ok((await auditActions(t.deps)).includes("technician.2fa_reset"));

    // The remembered laptop is asked to enrol again; a fresh secret, checked by oathtool.
    t.clock.advance(30_000);
    const fresh = await enrolAtSignIn(t, laptop, person.email);
    assert.notEqual(fresh, oldSecret);
    assert.equal((await laptop.get("/console")).status, 200);
  });
});

Deno.test("resetting two-step verification is refused (403) to anyone the People rule excludes", async () => {
  await withAdmin(async (t, master) => {
    const group = await makeGroup(t);
    const other = await makeGroup(t, { name: "Other" });
    const admin = await groupAdmin(t, master, group.id);
    const peer = await makePerson(t, { groupId: group.id, role: "admin" });
    const stranger = await makePerson(t, { groupId: other.id });
    const member = await makePerson(t, { groupId: group.id });
    const masterUser = await masterAdmin(t);
    const tech = t.client();
    await tech.signIn(member.email, TECH_PASSWORD);
    await admin.client.get("/admin/technicians");
    const refused = [
      [admin.client, admin.user.id, "its own"],
      [admin.client, masterUser.id, "the master admin's"],
      [admin.client, peer.id, "another admin's"],
      [master, masterUser.id, "the master admin's own"],
      [tech, member.id, "a technician's own"],
    ] as const;
    for (const [client, id, what] of refused) {
      const res = await client.post(`/admin/technicians/${id}/2fa/reset`);
      assert.equal(res.status, 403, what);
      const page = await client.get(`/admin/technicians/${id}/2fa/reset`);
      assert.equal(page.status, 403, `${what}: no confirmation page`);
    }
    // A technician of a group it does not manage, and someone of no organisation at all.
    const elsewhere = await admin.client.post(`/admin/technicians/${stranger.id}/2fa/reset`);
    assert.equal(elsewhere.status, 403);
    const nobody = await admin.client.post(`/admin/technicians/${crypto.randomUUID()}/2fa/reset`);
    assert.equal(nobody.status, 404);
    assert.ok(!(await auditActions(t.deps)).includes("technician.2fa_reset"));
    assert.equal((await tech.get("/console")).status, 200, "nobody was signed out");
    // The master admin may reset the peer admin's (set up, so there is something to reset).
    await t.deps.db.update(users).set({
      totpSecret: "JBSWY3DPEHPK3PXP",
      totpEnabledAt: t.clock.now(),
    })
      .where(eq(users.id, peer.id));
    await master.get(`/admin/technicians/${peer.id}`);
    assert.equal((await master.post(`/admin/technicians/${peer.id}/2fa/reset`)).status, 303);
  });
});

Deno.test("a person without two-step verification has nothing to reset: the page by URL sends back with why, the POST is a 409", async () => {
  await withAdmin(async (t, master) => {
    const group = await makeGroup(t);
    const person = await makePerson(t, { groupId: group.id });
    const tech = t.client();
    await tech.signIn(person.email, TECH_PASSWORD);
    await createApiToken(t.deps.db, { userId: person.id, name: "script", now: t.clock.now() });

    const ask = await master.get(`/admin/technicians/${person.id}/2fa/reset`);
    assert.equal(ask.status, 303, "no confirmation of a reset that has nothing to reset");
    const back = ask.headers.get("location")!;
    assert.ok(back.startsWith(`/admin/technicians/${person.id}?`), back);
    const page = await (await master.get(back)).text();
    assert.match(
      page,
      /Test Technician has not set up two-step verification: there is nothing to reset\./,
    );
    assert.doesNotMatch(page, /\/2fa\/reset"/);

    const post = await master.post(`/admin/technicians/${person.id}/2fa/reset`);
    assert.equal(post.status, 409);
    assert.match(await post.text(), /has not set up two-step verification/);
    const viaApi = await t.app.request(
      `http://localhost/api/v1/technicians/${person.id}/2fa/reset`,
      { method: "POST", headers: { authorization: `Bearer ${await adminToken(t)}` } },
    );
    assert.equal(viaApi.status, 409);
    assert.match((await viaApi.json()).detail, /nothing to reset/);

    assert.ok(!(await auditActions(t.deps)).includes("technician.2fa_reset"));
    assert.equal((await tech.get("/console")).status, 200, "not signed out");
    assert.equal(
      (await t.deps.db.select().from(apiTokens).where(eq(apiTokens.userId, person.id))).length,
      1,
      "their API token is kept",
    );

    await master.post("/account/language", { language: "nl" });
    const dutch = await (await master.get(back)).text();
    assert.match(
      dutch,
      /Test Technician heeft geen verificatie in twee stappen ingesteld: er is niets om te resetten\./,
    );
  });
});

async function adminToken(t: TestApp) {
  const { token } = await createApiToken(t.deps.db, {
    userId: (await masterAdmin(t)).id,
    name: "admin",
    now: t.clock.now(),
  });
  return token;
}

Deno.test("an admin renames a person; an empty or over-long name keeps the form as typed", async () => {
  await withAdmin(async (t, master) => {
    const group = await makeGroup(t);
    const person = await makePerson(t, { groupId: group.id });
    const admin = await groupAdmin(t, master, group.id);
    await admin.client.get(`/admin/technicians/${person.id}`);
    const empty = await admin.client.post(`/admin/technicians/${person.id}/name`, { name: "  " });
    assert.equal(empty.status, 422);
    assert.match(await empty.text(), /Enter a name\./);
    const long = "Ann ".repeat(30).trim();
    const tooLong = await admin.client.post(`/admin/technicians/${person.id}/name`, { name: long });
    assert.equal(tooLong.status, 422);
    const page = await tooLong.text();
    assert.match(page, /at most 100 characters long; this one has 119/);
    assert.match(page, new RegExp(`id="p-name"[^>]* value="${long}"`));
    const nameOf = async () =>
      (await t.deps.db.select().from(users).where(eq(users.id, person.id)))[0].name;
    assert.equal(await nameOf(), "Test Technician");

    const ok = await admin.client.post(`/admin/technicians/${person.id}/name`, {
      name: "  Ann de Vries ",
    });
    assert.equal(ok.status, 303);
    assert.equal(await nameOf(), "Ann de Vries");
    assert.match(await (await admin.client.get("/admin/technicians")).text(), />\s*Ann de Vries/);
    assert.ok((await auditActions(t.deps)).includes("technician.renamed"));

    const peer = await makePerson(t, { groupId: group.id, role: "admin" });
    const refused = await admin.client.post(`/admin/technicians/${peer.id}/name`, { name: "X" });
    assert.equal(refused.status, 403);
    const own = await admin.client.post(`/admin/technicians/${admin.user.id}/name`, { name: "X" });
    assert.equal(own.status, 403);
  });
});

Deno.test("an invitation answers with a redirect: reloading the confirmation sends nothing", async () => {
  await withAdmin(async (t, admin) => {
    const group = await makeGroup(t);
    await admin.get("/admin/technicians");
    const sent = await admin.post("/admin/technicians/invite", {
      name: "Tess Tech",
      email: "tess@example.test",
      groupId: group.id,
      role: "technician",
    });
    assert.equal(sent.status, 303);
    const location = sent.headers.get("location")!;
    assert.match(location, /^\/admin\/technicians\?invited=[0-9a-f-]{36}$/);
    for (let reload = 0; reload < 2; reload++) {
      const page = await admin.get(location);
      assert.equal(page.status, 200);
      // No SMTP_URL in this app: the invitation waits in Messages, and the page says so.
      const text = await page.text();
      assert.match(text, /The invitation for tess@example\.test is held in Messages/);
      assert.doesNotMatch(text, /Invitation sent/);
    }
    assert.equal((await t.deps.db.select().from(mailOutbox)).length, 1, "sent once");
    // Someone the reader does not manage is not named.
    const other = await makeGroup(t, { name: "Other" });
    const stranger = await makePerson(t, { groupId: other.id });
    const limited = await groupAdmin(t, admin, group.id);
    const peek = await limited.client.get(`/admin/technicians?invited=${stranger.id}`);
    assert.doesNotMatch(await peek.text(), /Invitation sent|invitation for/);
  });
});

Deno.test("with outgoing mail set up, the invitation's confirmation says it was sent", async () => {
  // Nothing listens on port 9: the mail worker is not started in a test app, nothing is sent.
  const t = await startTestApp({ env: { SMTP_URL: "smtp://127.0.0.1:9" } });
  try {
    const admin = t.client();
    await admin.signIn(ADMIN.email, ADMIN.password);
    const group = await makeGroup(t);
    await admin.get("/admin/technicians");
    const sent = await admin.post("/admin/technicians/invite", {
      name: "Tess Tech",
      email: "tess@example.test",
      groupId: group.id,
      role: "technician",
    });
    const page = await (await admin.get(sent.headers.get("location")!)).text();
    assert.match(page, /Invitation sent to tess@example\.test\./);
  } finally {
    await t.close();
  }
});

Deno.test("the People page of an organisation without groups says to create one first", async () => {
  await withAdmin(async (t, admin) => {
    await t.deps.db.delete(technicianGroups);
    const page = await (await admin.get("/admin/technicians")).text();
    // No invitation form that could not be sent, but why and where to go.
    assert.doesNotMatch(page, /action="\/admin\/technicians\/invite"/);
    assert.match(page, /id="invite-needs-group"/);
    assert.match(page, /belongs to a group, and there is none yet/);
    assert.match(page, /<a class="button" href="\/admin\/groups">Create a group<\/a>/);
    await makeGroup(t);
    const after = await (await admin.get("/admin/technicians")).text();
    assert.match(after, /action="\/admin\/technicians\/invite"/);
    assert.doesNotMatch(after, /id="invite-needs-group"/);
  });
});

Deno.test("deleting a group asks first, says what goes and why it cannot", async () => {
  await withAdmin(async (t, admin) => {
    const group = await makeGroup(t, { name: "Field team" });
    const groupPage = await (await admin.get(`/admin/groups/${group.id}`)).text();
    assert.match(
      groupPage,
      new RegExp(`<form method="get" action="/admin/groups/${group.id}/delete"`),
    );
    const ask = await (await admin.get(`/admin/groups/${group.id}/delete`)).text();
    assert.match(ask, /Delete the group Field team\?/);
    assert.match(ask, /permissions, settings, admin assignments and customer survey/);
    assert.match(ask, /<button type="submit" class="danger">Delete the group</);

    // With a member and a subgroup: the page says what to move first and offers no delete.
    const person = await makePerson(t, { groupId: group.id });
    const child = await makeGroup(t, { name: "Night shift", parentId: group.id });
    const blocked = await (await admin.get(`/admin/groups/${group.id}/delete`)).text();
    assert.match(blocked, /1 technician is still in this group/);
    assert.match(blocked, /still holds 1 subgroup/);
    assert.doesNotMatch(blocked, /Delete the group</);
    const refused = await admin.post(`/admin/groups/${group.id}/delete`);
    assert.equal(refused.status, 409);
    assert.match(await refused.text(), /1 technician is still in this group/);

    // Sessions were held in a group: the history keeps it, so it stays, with why (not a 500).
    const spare = await makeGroup(t, { name: "Spare" });
    const history = await makeGroup(t, { name: "Last year" });
    const worker = await makePerson(t, { groupId: history.id });
    const me = { ...toCurrentUser(worker), permissions: new Set(defaultPermissions()) };
    await workingSession(t, { ...me, groupId: history.id });
    await admin.post(`/admin/technicians/${worker.id}/group`, { groupId: spare.id });
    await admin.get(`/admin/groups/${history.id}/delete`);
    const kept = await admin.post(`/admin/groups/${history.id}/delete`);
    assert.equal(kept.status, 409);
    const keptPage = await kept.text();
    assert.match(keptPage, /the session history and reports keep referring to it/);
    assert.doesNotMatch(keptPage, /Delete the group</, "no button that can only be refused");

    // Empty at last: deleted, and the list says so.
    await admin.post(`/admin/technicians/${person.id}/group`, { groupId: spare.id });
    assert.equal((await admin.post(`/admin/groups/${child.id}/delete`)).status, 303);
    const gone = await admin.post(`/admin/groups/${group.id}/delete`);
    assert.equal(gone.status, 303);
    assert.match(await (await admin.get(gone.headers.get("location")!)).text(), /was deleted/);
    const left = await t.deps.db.select().from(technicianGroups)
      .where(eq(technicianGroups.id, group.id));
    assert.equal(left.length, 0);
    assert.ok((await auditActions(t.deps)).includes("group.deleted"));

    // A limited admin is shown no confirmation and refused.
    const limited = await groupAdmin(t, admin, history.id);
    assert.equal((await limited.client.get(`/admin/groups/${history.id}/delete`)).status, 403);
  });
});

Deno.test("an admin lifts a sign-in lockout from the person's page; the lockout's words say so", async () => {
  await withAdmin(async (t, master) => {
    const group = await makeGroup(t);
    const person = await makePerson(t, { groupId: group.id });
    const other = await makePerson(t, { groupId: group.id });
    // Ten wrong passwords lock the account (the back-off's waits pass on the test clock).
    const locked = t.client();
    let last: Response | undefined;
    for (let i = 0; i < 10; i++) {
      last = await locked.signIn(person.email, "not the password");
      t.clock.advance(61_000);
    }
    const refused = await locked.signIn(person.email, TECH_PASSWORD);
    assert.equal(refused.status, 423, `locked (the last wrong one said ${last?.status})`);
    assert.match(await refused.text(), /ask an administrator to unlock it/);
    // The person's page says it is locked and offers the unlock; another's page does not.
    const page = await (await master.get(`/admin/technicians/${person.id}`)).text();
    assert.match(page, /Sign-in is locked until/);
    assert.match(page, new RegExp(`action="/admin/technicians/${person.id}/unlock"`));
    const calm = await (await master.get(`/admin/technicians/${other.id}`)).text();
    assert.doesNotMatch(calm, /\/unlock"/);
    // A technician cannot lift it, not even its own.
    const tech = t.client();
    await tech.signIn(other.email, TECH_PASSWORD);
    assert.equal((await tech.post(`/admin/technicians/${person.id}/unlock`)).status, 403);
    assert.equal((await locked.signIn(person.email, TECH_PASSWORD)).status, 423, "still locked");
    // The admin lifts it: the right password works at once, and the audit log says who did it.
    const unlocked = await master.post(`/admin/technicians/${person.id}/unlock`);
    assert.equal(unlocked.status, 303);
    const after = await (await master.get(unlocked.headers.get("location")!)).text();
    assert.match(after, /can sign in again/);
    assert.doesNotMatch(after, /Sign-in is locked until/);
    assert.equal((await locked.signIn(person.email, TECH_PASSWORD)).status, 303);
    assert.ok((await auditActions(t.deps)).includes("technician.unlocked"));
  });
});

Deno.test("deactivating asks first and says the API tokens go with the sign-ins", async () => {
  await withAdmin(async (t, master) => {
    const group = await makeGroup(t);
    const person = await makePerson(t, { groupId: group.id });
    const people = await (await master.get("/admin/technicians")).text();
    assert.match(
      people,
      new RegExp(`<form method="get" action="/admin/technicians/${person.id}/deactivate"`),
      "the list's Deactivate leads to the question, it does not deactivate",
    );
    const ask = await master.get(`/admin/technicians/${person.id}/deactivate`);
    assert.equal(ask.status, 200);
    const page = await ask.text();
    assert.match(page, /Deactivate Test Technician\?/);
    assert.match(page, /signed out everywhere at once and their API tokens are deleted/);
    assert.match(
      page,
      new RegExp(`<form method="post" action="/admin/technicians/${person.id}/deactivate"`),
    );
    // Only for someone this admin may change: not itself.
    const own = await master.get(`/admin/technicians/${(await masterAdmin(t)).id}/deactivate`);
    assert.equal(own.status, 403);
    assert.equal((await master.post(`/admin/technicians/${person.id}/deactivate`)).status, 303);
    const [row] = await t.deps.db.select().from(users).where(eq(users.id, person.id));
    assert.equal(row.active, false);
  });
});

Deno.test("a group's Admins card offers Save only when there is someone to tick", async () => {
  await withAdmin(async (t, admin) => {
    const group = await makeGroup(t);
    const card = async () => {
      const page = await (await admin.get(`/admin/groups/${group.id}`)).text();
      return /<form method="post" action="\/admin\/groups\/[^"]+\/admins"[^>]*>(.*?)<\/form>/s
        .exec(page)![1];
    };
    const empty = await card();
    assert.match(empty, /There are no admins yet/);
    assert.doesNotMatch(empty, /<button/);
    const person = await makePerson(t, { groupId: group.id, role: "admin" });
    const offered = await card();
    assert.match(offered, new RegExp(`value="${person.id}"`));
    assert.match(offered, /<button type="submit">Save<\/button>/);
  });
});
