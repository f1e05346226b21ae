// Admin Center flows (SPEC A4, A5, A8): groups and their permissions, settings validation,
// invitations through the outbox, deactivation, admins' scope, technician presence.
import assert from "node:assert/strict";
import { count, eq } from "drizzle-orm";
import { organisations, toCurrentUser, users } from "../modules/auth/mod.ts";
import { defaultPermissions } from "../modules/permissions/mod.ts";
import { endSession } from "../modules/support/mod.ts";
import { mailOutbox } from "../modules/mail/mod.ts";
import { groupMembers, technicianGroups } from "../modules/org/mod.ts";
import { ADMIN, auditActions, startTestApp, type TestApp } from "./support/app.ts";
import { makeGroup, makePerson, TECH_PASSWORD } from "./support/org.ts";
import { workingSession } from "./support/sessions.ts";

async function withAdmin(fn: (t: TestApp, admin: ReturnType<TestApp["client"]>) => Promise<void>) {
  const t = await startTestApp();
  try {
    const admin = t.client();
    await admin.signIn(ADMIN.email, ADMIN.password);
    await fn(t, admin);
  } finally {
    await t.close();
  }
}

Deno.test("the master admin creates a group with default permissions and edits them", async () => {
  await withAdmin(async (t, admin) => {
    await admin.get("/admin/groups");
    const created = await admin.post("/admin/groups", { name: "Helpdesk" });
    assert.equal(created.status, 303);
    const id =
      /\/admin\/groups\/([0-9a-f-]{36})\/permissions/.exec(created.headers.get("location")!)![1];
    const page = await (await admin.get(`/admin/groups/${id}/permissions`)).text();
    assert.match(page, /value="methodPin" checked/);
    assert.doesNotMatch(page, /value="methodSms" checked/);
    // Every permission is built now (LAN connect was the last): none is shown disabled; an
    // off-by-default one can be switched on, a forged one is dropped.
    assert.match(page, /value="lanConnect"/);
    assert.doesNotMatch(page, /value="lanConnect"[^>]*(checked|disabled)/);
    assert.doesNotMatch(page, /Not available yet/);
    const body = new URLSearchParams({ _csrf: admin.csrf });
    for (const p of ["startPrivate", "methodLink", "bogus", "lanConnect"]) {
      body.append("permission", p);
    }
    await admin.send(`/admin/groups/${id}/permissions`, {
      method: "POST",
      body,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    const [group] = await t.deps.db.select().from(technicianGroups).where(
      eq(technicianGroups.id, id),
    );
    assert.deepEqual(group.permissions, ["startPrivate", "methodLink", "lanConnect"]);
    const parent = await makeGroup(t, { name: "Support" });
    const duplicate = await admin.post("/admin/groups", { name: "Helpdesk", parentId: parent.id });
    assert.equal(duplicate.status, 409);
    // The refused form keeps what was typed and chosen.
    const again = await duplicate.text();
    assert.match(again, /id="g-name"[^>]* value="Helpdesk"/);
    assert.match(again, new RegExp(`<option value="${parent.id}" selected="">Support<`));
    // So does a refused change of a group: its page shows the typed name, not the stored one.
    await admin.get(`/admin/groups/${parent.id}`);
    const renamed = await admin.post(`/admin/groups/${parent.id}`, {
      name: "Helpdesk",
      description: "Second line, Europe",
    });
    assert.equal(renamed.status, 409);
    const renamedPage = await renamed.text();
    assert.match(renamedPage, /already/);
    assert.match(renamedPage, /id="g-name"[^>]* value="Helpdesk"/);
    assert.match(renamedPage, /id="g-desc"[^>]* value="Second line, Europe"/);
    assert.match(renamedPage, /<h1>Support<\/h1>/, "the heading names the group as stored");
    assert.ok((await auditActions(t.deps)).includes("group.permissions_changed"));
  });
});

Deno.test("group settings refuse 'abc' and -5 with clear messages and save nothing", async () => {
  await withAdmin(async (t, admin) => {
    const group = await makeGroup(t);
    await admin.get(`/admin/groups/${group.id}/settings`);
    const bad = await admin.post(`/admin/groups/${group.id}/settings`, {
      connectingTimeout: "abc",
      waitingTimeout: "-5",
      maxActiveSessions: "11",
      emailSubject: "Hi {{nope}}",
      emailTemplate: "Body",
    });
    assert.equal(bad.status, 422);
    const html = await bad.text();
    assert.match(html, /Enter a whole number from 1 to 1440/);
    assert.match(html, /Enter a whole number from 1 to 10\./);
    assert.match(html, /Use only the placeholders/);
    assert.match(html, /value="abc"/, "the form keeps what was typed");
    const [after] = await t.deps.db.select().from(technicianGroups).where(
      eq(technicianGroups.id, group.id),
    );
    assert.deepEqual(after.settings, group.settings);

    const ok = await admin.post(`/admin/groups/${group.id}/settings`, {
      connectingTimeout: "10",
      waitingTimeout: "2",
      inactivityTimeout: "30",
      holdMaxDays: "14",
      maxActiveSessions: "3",
      idleToAway: "5",
      urgentAfterWaiting: "1",
      emailSubject: "Support from {{organisation}}",
      emailTemplate: "Hi {{customerName}}, open {{link}}",
      recordingPolicy: "optional",
      autoStartPrivate: "1",
    });
    assert.equal(ok.status, 303);
    const [saved] = await t.deps.db.select().from(technicianGroups).where(
      eq(technicianGroups.id, group.id),
    );
    assert.equal(saved.settings.waitingTimeout, 2);
    assert.equal(saved.settings.autoStartPrivate, true);
    assert.equal(saved.settings.surveyEnabled, false);
    assert.equal(saved.settings.recordingPolicy, "optional", "recording is built: kept");
    const page = await (await admin.get(`/admin/groups/${group.id}/settings`)).text();
    assert.doesNotMatch(page, /pending-recordingPolicy/, "the recording fieldset is enabled");
    assert.match(page, /<option value="optional" selected="">Technician decides/);
    // The recording folder: absolute, created when missing, writable — or a clear error.
    const folderOf = (recordingLocation: string) =>
      admin.post(`/admin/groups/${group.id}/settings`, {
        connectingTimeout: "10",
        waitingTimeout: "2",
        inactivityTimeout: "30",
        holdMaxDays: "14",
        maxActiveSessions: "3",
        idleToAway: "5",
        urgentAfterWaiting: "1",
        emailSubject: "Support from {{organisation}}",
        emailTemplate: "Hi {{customerName}}, open {{link}}",
        recordingPolicy: "always",
        recordingLocation,
      });
    const relative = await folderOf("recordings/here");
    assert.equal(relative.status, 422);
    assert.match(await relative.text(), /Give a full path that starts with \//);
    const work = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(`${work}/a-file`, "");
      const file = await folderOf(`${work}/a-file`);
      assert.equal(file.status, 422);
      assert.match(await file.text(), /This path is a file, not a folder/);
      assert.equal((await folderOf(`${work}/new/recordings`)).status, 303);
      assert.ok((await Deno.stat(`${work}/new/recordings`)).isDirectory, "created");
      const [kept] = await t.deps.db.select().from(technicianGroups).where(
        eq(technicianGroups.id, group.id),
      );
      assert.equal(kept.settings.recordingLocation, `${work}/new/recordings`);
    } finally {
      await Deno.remove(work, { recursive: true });
    }
    const preview = await admin.post(`/admin/groups/${group.id}/settings/preview`, {
      emailSubject: "For {{customerName}}",
      emailTemplate: "PIN {{pin}}",
    }, { "hx-request": "true" });
    assert.match(await preview.text(), /For Alex Example[\s\S]*PIN 123456/);
    // {{organisation}} is the organisation's name, as in the e-mail a technician sends.
    await t.deps.db.update(organisations).set({ name: "Helpdesk Jansen" });
    const named = await admin.post(`/admin/groups/${group.id}/settings/preview`, {
      emailSubject: "Remote support from {{organisation}}",
      emailTemplate: "{{organisation}}",
    }, { "hx-request": "true" });
    assert.match(await named.text(), /Remote support from Helpdesk Jansen/);
    const settings = await (await admin.get(`/admin/groups/${group.id}/settings`)).text();
    assert.match(settings, /Support from Helpdesk Jansen/, "the subject saved above");
    assert.doesNotMatch(settings, /from Rescue/);
  });
});

Deno.test("an invitation without SMTP waits in the outbox and its link sets the password once", async () => {
  await withAdmin(async (t, admin) => {
    const group = await makeGroup(t);
    await admin.get("/admin/technicians");
    const res = await admin.post("/admin/technicians/invite", {
      name: "Tess Tech",
      email: "Tess@Example.test",
      groupId: group.id,
      role: "technician",
    });
    assert.equal(res.status, 303, "Post/Redirect/Get: a reload sends nothing");
    const [mail] = await t.deps.db.select().from(mailOutbox);
    assert.equal(mail.status, "held");
    assert.equal(mail.toAddress, "tess@example.test");
    const link = /http:\/\/localhost:\d+(\/invite\/[A-Za-z0-9_-]+)/.exec(mail.textBody)![1];

    const other = await makeGroup(t, { name: "Second line" });
    const again = await admin.post("/admin/technicians/invite", {
      name: "Tess Again",
      email: "tess@example.test",
      groupId: other.id,
      role: "admin",
    });
    assert.equal(again.status, 409);
    // The refusal keeps what was typed in the invitation form, for the admin to correct.
    const form = /<form method="post" action="\/admin\/technicians\/invite"[\s\S]*?<\/form>/
      .exec(await again.text())![0];
    assert.match(form, /id="i-name"[^>]* value="Tess Again"/);
    assert.match(form, /id="i-email"[^>]* value="tess@example.test"/);
    assert.match(form, new RegExp(`<option value="${other.id}" selected="">`));
    assert.match(form, /<option value="admin" selected="">/);
    const bad = await admin.post("/admin/technicians/invite", {
      name: "Nils",
      email: "nils at example",
      groupId: group.id,
      role: "technician",
    });
    assert.equal(bad.status, 422);
    const badPage = await bad.text();
    assert.match(badPage, /id="i-name"[^>]* value="Nils"/);
    assert.match(badPage, /id="i-email"[^>]* value="nils at example"/);
    const [{ n }] = await t.deps.db.select({ n: count() }).from(users);
    assert.equal(Number(n), 2, "no second account");

    const tech = t.client();
    assert.equal((await tech.get(link)).status, 200);
    assert.equal((await tech.post(link, { password: "short", confirm: "short" })).status, 422);
    assert.equal(
      (await tech.post(link, { password: "a good password", confirm: "a good password" })).status,
      303,
    );
    assert.equal((await tech.get(link)).status, 410, "the link works once");
    assert.equal((await tech.signIn("tess@example.test", "a good password")).status, 303);
  });
});

Deno.test("deactivating a technician signs it out everywhere at once", async () => {
  await withAdmin(async (t, admin) => {
    const group = await makeGroup(t);
    const person = await makePerson(t, { groupId: group.id });
    const tech = t.client();
    await tech.signIn(person.email, TECH_PASSWORD);
    assert.equal((await tech.get("/console")).status, 200);
    await admin.get("/admin/technicians");
    assert.equal((await admin.post(`/admin/technicians/${person.id}/deactivate`)).status, 303);
    assert.equal((await tech.get("/console")).status, 303);
    assert.equal((await t.client().signIn(person.email, TECH_PASSWORD)).status, 401);
    await admin.post(`/admin/technicians/${person.id}/reactivate`);
    assert.equal((await t.client().signIn(person.email, TECH_PASSWORD)).status, 303);
  });
});

Deno.test("an admin manages only its own groups; a technician none", async () => {
  await withAdmin(async (t, master) => {
    const mine = await makeGroup(t, { name: "Mine" });
    const child = await makeGroup(t, { name: "Child", parentId: mine.id });
    const other = await makeGroup(t, { name: "Other" });
    const adminUser = await makePerson(t, { groupId: mine.id, role: "admin" });
    await master.get(`/admin/groups/${mine.id}`);
    await master.post(`/admin/groups/${mine.id}/admins`, { admin: adminUser.id });

    const admin = t.client();
    await admin.signIn(adminUser.email, TECH_PASSWORD);
    const list = await (await admin.get("/admin/groups")).text();
    assert.match(list, /Mine/);
    assert.match(list, /Child/);
    assert.doesNotMatch(list, />Other</);
    assert.equal((await admin.get(`/admin/groups/${child.id}/settings`)).status, 200);
    assert.equal((await admin.get(`/admin/groups/${other.id}/settings`)).status, 404);
    assert.equal((await admin.post("/admin/groups", { name: "Sneaky" })).status, 403);

    // Another admin in its group is the master admin's to manage (as inviting an admin is):
    // no Deactivate or Move offered, and the server refuses both.
    const peer = await makePerson(t, { groupId: child.id, role: "admin" });
    const member = await makePerson(t, { groupId: child.id });
    const people = await (await admin.get("/admin/technicians")).text();
    const rowOf = (email: string) =>
      new RegExp(`<tr data-person="${email}">[\\s\\S]*?</tr>`).exec(people)![0];
    assert.doesNotMatch(rowOf(peer.email), /deactivate|\/group"/);
    assert.match(rowOf(member.email), /deactivate/, "a technician it manages: offered");
    assert.match(rowOf(member.email), /\/group"/);
    for (const action of ["deactivate", "reactivate"]) {
      assert.equal((await admin.post(`/admin/technicians/${peer.id}/${action}`)).status, 403);
    }
    const move = await admin.post(`/admin/technicians/${peer.id}/group`, { groupId: mine.id });
    assert.equal(move.status, 403);
    const [peerNow] = await t.deps.db.select().from(users).where(eq(users.id, peer.id));
    assert.equal(peerNow.active, true);
    const [membership] = await t.deps.db.select().from(groupMembers)
      .where(eq(groupMembers.userId, peer.id));
    assert.equal(membership.groupId, child.id);
    assert.equal((await admin.post(`/admin/technicians/${member.id}/deactivate`)).status, 303);

    const techUser = await makePerson(t, { groupId: other.id });
    const tech = t.client();
    await tech.signIn(techUser.email, TECH_PASSWORD);
    for (const path of ["/admin/groups", "/admin/technicians", `/admin/groups/${other.id}`]) {
      assert.equal((await tech.get(path)).status, 403, path);
    }
  });
});

Deno.test("an admin of a subgroup sees its parent and cannot take the group out of it", async () => {
  await withAdmin(async (t, master) => {
    const support = await makeGroup(t, { name: "Support" });
    const tier2 = await makeGroup(t, { name: "Tier 2", parentId: support.id });
    const adminUser = await makePerson(t, { groupId: tier2.id, role: "admin" });
    await master.get(`/admin/groups/${tier2.id}`);
    await master.post(`/admin/groups/${tier2.id}/admins`, { admin: adminUser.id });
    const admin = t.client();
    await admin.signIn(adminUser.email, TECH_PASSWORD);
    const parentOf = async () =>
      (await t.deps.db.select().from(technicianGroups).where(eq(technicianGroups.id, tier2.id)))[0]
        .parentId;

    // The page names the group it is in, not "(top level)", and the form sends it back.
    const page = await (await admin.get(`/admin/groups/${tier2.id}`)).text();
    const form =
      /<form method="post" action="\/admin\/groups\/[^"]+"[\s\S]*?<\/form>/.exec(page)![0];
    assert.match(form, new RegExp(`<option value="${support.id}" selected="">Support</option>`));
    assert.doesNotMatch(form, /top level/);
    assert.match(form, new RegExp(`type="hidden" name="parentId" value="${support.id}"`));
    const saved = await admin.post(`/admin/groups/${tier2.id}`, {
      name: "Tier 2",
      description: "Escalations",
      parentId: support.id,
    });
    assert.equal(saved.status, 303);
    assert.equal(await parentOf(), support.id);

    // Out of a group it does not manage (to the top level): the master admin's call.
    const out = await admin.post(`/admin/groups/${tier2.id}`, { name: "Tier 2", parentId: "" });
    assert.equal(out.status, 403);
    assert.equal(await parentOf(), support.id);
    await master.get(`/admin/groups/${tier2.id}`);
    const moved = await master.post(`/admin/groups/${tier2.id}`, { name: "Tier 2", parentId: "" });
    assert.equal(moved.status, 303);
    assert.equal(await parentOf(), null);
  });
});

Deno.test("presence: online when active, away by choice or after the idle minutes", async () => {
  await withAdmin(async (t, admin) => {
    const group = await makeGroup(t);
    const person = await makePerson(t, { groupId: group.id });
    const tech = t.client();
    await tech.signIn(person.email, TECH_PASSWORD);
    await tech.get("/console");
    const status = async () => {
      const html = await (await admin.get("/admin/technicians/presence")).text();
      return new RegExp(`id="presence-${person.id}"[^>]*>([^<]+)<`).exec(html)![1];
    };
    assert.equal(await status(), "Online");
    await tech.post("/status", { status: "away" });
    assert.equal(await status(), "Away");
    await tech.post("/status", { status: "online" });
    assert.equal(await status(), "Online");
    // Busy at the group's limit of active sessions (here 1), as the console and the
    // monitoring page say; Online again when it ends.
    await t.deps.db.update(technicianGroups)
      .set({ settings: { ...group.settings, maxActiveSessions: 1 } })
      .where(eq(technicianGroups.id, group.id));
    const me = { ...toCurrentUser(person), permissions: new Set(defaultPermissions()) };
    const working = await workingSession(t, { ...me, groupId: group.id });
    assert.equal(await status(), "Busy");
    await endSession(t.deps, { ...me, groupId: group.id }, working.id);
    assert.equal(await status(), "Online");
    t.clock.advance(16 * 60_000);
    assert.equal(await status(), "Away", "idle for longer than the group's 15 minutes");
    await tech.post("/signout");
    assert.equal(await status(), "Offline");
  });
});
