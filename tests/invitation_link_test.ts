// An invitation link the admin hands over themselves (no outgoing mail, or an e-mail gone astray):
// the People page points to it when the invitation is held; the person's page says whether a
// link still works and makes one, shown once (no-store), audited; it sets the password once and
// ends the e-mail's link with it; refused — in words — once accepted or deactivated, and to an
// admin who does not manage the person.
import assert from "node:assert/strict";
import { eq, sql } from "drizzle-orm";
import { users } from "../modules/auth/mod.ts";
import { mailOutbox } from "../modules/mail/mod.ts";
import { ADMIN, auditActions, startTestApp } from "./support/app.ts";
import { makeGroup, makePerson, TECH_PASSWORD } from "./support/org.ts";

const LINK = /<code id="invitation-link">(http:\/\/[^<]+\/invite\/([A-Za-z0-9_-]+))<\/code>/;

Deno.test("an admin makes an invitation link to hand over; it works once, with the e-mail's ending too", async () => {
  const t = await startTestApp();
  try {
    assert.ok(!t.deps.config.smtpUrl, "this story is about a server without outgoing mail");
    const group = await makeGroup(t, { name: "Desk" });
    const master = t.client();
    await master.signIn(ADMIN.email, ADMIN.password);
    await master.get("/admin/technicians");
    const invited = await master.post("/admin/technicians/invite", {
      name: "Nia New",
      email: "nia@example.test",
      role: "technician",
      groupId: group.id,
    });
    assert.equal(invited.status, 303);
    const [nia] = await t.deps.db.select().from(users).where(eq(users.email, "nia@example.test"));
    // Held in Messages: the notice says so and points to the person's page for a link.
    const people = await (await master.get(invited.headers.get("location")!)).text();
    assert.match(people, /is held in Messages/);
    assert.match(
      people,
      new RegExp(`<a href="/admin/technicians/${nia.id}#invitation">Or create a link for Nia New`),
    );

    const page = await (await master.get(`/admin/technicians/${nia.id}`)).text();
    assert.match(page, /id="invitation"/);
    assert.match(page, /Nia New has not accepted the invitation yet/);
    assert.match(page, /The newest invitation link works until: <time datetime="[^"]+"/);
    assert.doesNotMatch(page, /id="invitation-link"/);

    const made = await master.post(`/admin/technicians/${nia.id}/invitation-link`, {});
    assert.equal(made.status, 200);
    assert.equal(made.headers.get("cache-control"), "no-store");
    const madePage = await made.text();
    const [, link, token] = LINK.exec(madePage) ?? [];
    assert.ok(link, "the link is shown");
    assert.match(madePage, /Copy it now: it is shown only this once/);
    assert.match(madePage, /data-copy="invitation-link"/);
    assert.equal(madePage.split(token).length, 2, "the token appears once, in the link");
    // Not kept anywhere readable: the page shown again has no link.
    assert.doesNotMatch(await (await master.get(`/admin/technicians/${nia.id}`)).text(), LINK);
    assert.deepEqual(
      (await auditActions(t.deps)).filter((a) => a.startsWith("technician.invitation")),
      ["technician.invitation_link_created"],
    );

    // The e-mail's link (held in the outbox) and the handed-over one both work until one is used.
    const [mail] = await t.deps.db.select().from(mailOutbox).where(
      eq(mailOutbox.toAddress, "nia@example.test"),
    );
    const mailToken = /\/invite\/([A-Za-z0-9_-]+)/.exec(mail.textBody)![1];
    assert.notEqual(mailToken, token);
    const nia1 = t.client();
    assert.equal((await nia1.get(`/invite/${mailToken}`)).status, 200);
    assert.equal((await nia1.get(`/invite/${token}`)).status, 200);
    const set = await nia1.post(`/invite/${token}`, {
      password: "nia's own password 1",
      confirm: "nia's own password 1",
    });
    assert.equal(set.status, 303);
    assert.equal((await nia1.get(`/invite/${token}`)).status, 410);
    assert.equal((await nia1.get(`/invite/${mailToken}`)).status, 410, "the e-mail's ends too");
    assert.equal((await t.client().signIn("nia@example.test", "nia's own password 1")).status, 303);

    // Accepted: no card, and a link is refused in words.
    assert.doesNotMatch(
      await (await master.get(`/admin/technicians/${nia.id}`)).text(),
      /id="invitation"/,
    );
    const late = await master.post(`/admin/technicians/${nia.id}/invitation-link`, {});
    assert.equal(late.status, 409);
    assert.match(
      await late.text(),
      /Nia New has already accepted the invitation and set a password\./,
    );
  } finally {
    await t.close();
  }
});

Deno.test("invitation links: expired ones said so, deactivated refused, other groups' admins refused", async () => {
  const t = await startTestApp();
  try {
    const desk = await makeGroup(t, { name: "Desk" });
    const field = await makeGroup(t, { name: "Field" });
    const master = t.client();
    await master.signIn(ADMIN.email, ADMIN.password);
    await master.get("/admin/technicians");
    await master.post("/admin/technicians/invite", {
      name: "Olu Old",
      email: "olu@example.test",
      role: "technician",
      groupId: desk.id,
    });
    const [olu] = await t.deps.db.select().from(users).where(eq(users.email, "olu@example.test"));
    // Its link expired (7 days; the admin's own sign-in would not last 8 days of clock).
    const past = new Date(t.clock.now().getTime() - 60_000).toISOString();
    await t.deps.db.execute(sql`update invitations set expires_at = ${past}::timestamptz`);
    const page = await (await master.get(`/admin/technicians/${olu.id}`)).text();
    assert.match(page, /Every invitation link for Olu Old has expired: create a new one below\./);

    // An admin of the other group may not make one (403), nor for an unknown id (404).
    const fieldAdmin = await makePerson(t, { groupId: field.id, role: "admin" });
    await master.get(`/admin/groups/${field.id}`);
    await master.post(`/admin/groups/${field.id}/admins`, { admin: fieldAdmin.id });
    const other = t.client();
    await other.signIn(fieldAdmin.email, TECH_PASSWORD);
    await other.get("/admin/technicians");
    assert.equal(
      (await other.post(`/admin/technicians/${olu.id}/invitation-link`, {})).status,
      403,
    );
    assert.equal(
      (await other.post(`/admin/technicians/${crypto.randomUUID()}/invitation-link`, {})).status,
      404,
    );

    // Deactivated: refused in words, no link made.
    await t.deps.db.update(users).set({ active: false }).where(eq(users.id, olu.id));
    const refused = await master.post(`/admin/technicians/${olu.id}/invitation-link`, {});
    assert.equal(refused.status, 409);
    const text = await refused.text();
    assert.match(
      text,
      /This account is deactivated: reactivate it before creating an invitation link\./,
    );
    assert.doesNotMatch(text, LINK);
    assert.deepEqual(
      (await auditActions(t.deps)).filter((a) => a === "technician.invitation_link_created"),
      [],
    );
  } finally {
    await t.close();
  }
});
