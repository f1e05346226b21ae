// Over 400 lines on purpose: one file walks the external technician through the real app — the list, the three invitation methods, the guest console, control and every refusal.
// External technicians through the real app (both engines: DATABASE_URL picks PostgreSQL):
// the approved list, invitations by link, e-mail (a real SMTP server) and PIN, the guest's
// limited console and chat, removal, expiry, the session's end, and what a guest is refused.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { startSmtpServer } from "../mail/smtp_test_server.ts";
import { technicianGroups } from "../org/mod.ts";
import { defaultPermissions, type Permission } from "../permissions/mod.ts";
import {
  createPrivateSession,
  customerConnected,
  endSession,
  readLog,
  startSession,
  type SupportSession,
} from "../support/mod.ts";
import type { CurrentUser } from "../http/mod.ts";
import {
  ADMIN,
  auditActions,
  startTestApp,
  type TestApp,
  type TestClient,
} from "../../tests/support/app.ts";
import { makePerson, TECH_PASSWORD } from "../../tests/support/org.ts";
import { technician } from "../../tests/support/sessions.ts";
import { externalGuests } from "./mod.ts";

const HTMX = { "hx-request": "true" };
const INVITE: Permission[] = [...defaultPermissions(), "inviteExternal"];

interface Lead {
  t: TestApp;
  user: CurrentUser;
  client: TestClient;
  session: SupportSession;
  path: string;
}

/** A signed-in lead with an Active session (the customer Carol joined by link). */
async function lead(
  t: TestApp,
  permissions: Permission[] = INVITE,
): Promise<Lead> {
  const user = await technician(t, { permissions, name: "Lena Lead" });
  const client = t.client();
  const [row] = await t.deps.db.select().from((await import("../auth/mod.ts")).users)
    .where(eq((await import("../auth/mod.ts")).users.id, user.id));
  await client.signIn(row.email, TECH_PASSWORD);
  const { session } = await createPrivateSession(t.deps, user, {
    method: "link",
    customerName: "Carol",
    fields: {},
  });
  await customerConnected(t.deps, session);
  await startSession(t.deps, user, session.id);
  await client.get("/console");
  return { t, user, client, session, path: `/console/sessions/${session.id}/external` };
}

async function invite(l: Lead, fields: Record<string, string>): Promise<Response> {
  return await l.client.post(l.path, { minutes: "60", method: "link", ...fields }, HTMX);
}

async function inviteLink(l: Lead, name = "Xavier Extern"): Promise<string> {
  const res = await invite(l, { name, email: "xavier@partner.test" });
  const html = await res.text();
  assert.equal(res.status, 200, html);
  const link = /data-external-link="" [^>]*value="([^"]+)"|value="([^"]+)"[^>]*data-external-link/
    .exec(html);
  assert.ok(link, html);
  return new URL(link[1] ?? link[2]).pathname;
}

async function setGroup(t: TestApp, groupId: string, settings: Record<string, unknown>) {
  const [group] = await t.deps.db.select().from(technicianGroups)
    .where(eq(technicianGroups.id, groupId));
  await t.deps.db.update(technicianGroups).set({ settings: { ...group.settings, ...settings } })
    .where(eq(technicianGroups.id, groupId));
}

Deno.test("the approved list: admins add, change and remove people; bad input and duplicates are refused; audited", async () => {
  const t = await startTestApp();
  try {
    const admin = t.client();
    await admin.signIn(ADMIN.email, ADMIN.password);
    await admin.get("/admin/external");
    const added = await admin.post("/admin/external", {
      name: "Xavier Extern",
      email: "Xavier@Partner.test",
      organisation: "Partner BV",
    });
    assert.equal(added.status, 303);
    const page = await (await admin.get("/admin/external?done=added")).text();
    assert.match(page, /Xavier Extern/);
    assert.match(page, /xavier@partner\.test/, "e-mail stored in lower case");
    const bad = await admin.post("/admin/external", { name: "", email: "nope" });
    assert.equal(bad.status, 422);
    const badText = await bad.text();
    assert.match(badText, /Enter a name of at most 100 characters/);
    assert.match(badText, /Enter a valid e-mail address/);
    const duplicate = await admin.post("/admin/external", {
      name: "Other",
      email: "xavier@partner.test",
    });
    assert.equal(duplicate.status, 409);
    assert.match(await duplicate.text(), /on the list already/);
    const id = /data-external="([0-9a-f-]{36})"/.exec(page)![1];
    assert.equal(
      (await admin.post(`/admin/external/${id}`, {
        name: "Xavier X.",
        email: "xavier@partner.test",
        organisation: "Partner BV",
      })).status,
      303,
    );
    assert.match(await (await admin.get("/admin/external")).text(), /Xavier X\./);
    assert.equal((await admin.post(`/admin/external/${id}/delete`)).status, 303);
    assert.equal((await admin.post(`/admin/external/${id}/delete`)).status, 404);
    assert.doesNotMatch(await (await admin.get("/admin/external")).text(), /Xavier/);
    const actions = (await auditActions(t.deps)).filter((a) => a.startsWith("external."));
    assert.deepEqual(actions, [
      "external.approved_added",
      "external.approved_updated",
      "external.approved_removed",
    ]);
    // A technician is no admin.
    const tech = await technician(t);
    const person = t.client();
    const [row] = await t.deps.db.select().from((await import("../auth/mod.ts")).users)
      .where(eq((await import("../auth/mod.ts")).users.id, tech.id));
    await person.signIn(row.email, TECH_PASSWORD);
    assert.equal((await person.get("/admin/external")).status, 403);
  } finally {
    await t.close();
  }
});

Deno.test("invited by link: the guest's console shows the session's chat, its line reaches the lead; the link works once; removal ends it", async () => {
  const t = await startTestApp();
  try {
    const l = await lead(t, [...INVITE, "inviteExternalUnlisted", "chatToggle"]);
    const dialog = await (await l.client.get(l.path, HTMX)).text();
    assert.match(dialog, /Invite an external technician to session/);
    const path = await inviteLink(l);
    const guest = t.client();
    const opened = await guest.get(path);
    assert.equal(opened.status, 303);
    assert.equal(opened.headers.get("location"), "/x/console");
    const consolePage = await (await guest.get("/x/console")).text();
    assert.match(consolePage, /Xavier Extern/);
    assert.match(consolePage, /External technician/);
    assert.match(consolePage, /invited Xavier Extern/, "the session's log");
    const sent = await guest.post("/x/console/chat", { text: "Hello from outside" }, HTMX);
    assert.equal(sent.status, 200);
    const lines = await readLog(t.deps.db, l.session.id);
    const line = lines.find((x) => x.body === "Hello from outside");
    assert.equal(line?.authorName, "Xavier Extern");
    assert.equal(line?.author, "technician");
    // The technicians' private chat: written with that audience, never on the customer's page.
    await guest.post("/x/console/chat", { text: "Just between us", audience: "technicians" });
    const secret = (await readLog(t.deps.db, l.session.id)).find((x) =>
      x.body === "Just between us"
    );
    assert.equal(secret?.data.audience, "technicians");
    const customerPage = await (await t.client().get(`/s/${l.session.token}`)).text();
    assert.match(customerPage, /Hello from outside/);
    assert.doesNotMatch(customerPage, /Just between us/);
    // The customer's chat off: the guest's composer is for the technicians only, and says so.
    const switched = `/console/sessions/${l.session.id}/chat-enabled`;
    assert.equal((await l.client.post(switched, { enabled: "0" }, HTMX)).status, 204);
    const off = await (await guest.get("/x/console")).text();
    assert.match(off, /data-tech-only="" checked="" disabled=""/);
    assert.match(off, /name="audience" value="technicians" data-tech-only-forced=""\/>/);
    assert.match(off, /the customer cannot be written to/);
    assert.equal((await guest.post("/x/console/chat", { text: "Hi Carol" }, HTMX)).status, 422);
    const forced = { text: "Chat is off, go on", audience: "technicians" };
    assert.equal((await guest.post("/x/console/chat", forced, HTMX)).status, 200);
    // The lead's workspace shows the line and the participant.
    const list = await (await l.client.get(`${l.path}/list`, HTMX)).text();
    assert.match(list, /Xavier Extern/);
    assert.match(list, /joined/);
    // The link is used up: a second browser is refused with a clear page.
    const again = await t.client().get(path);
    assert.equal(again.status, 410);
    assert.match(await again.text(), /has been used already/);
    // The guest has no technician's rights: no console, no queue, no other route.
    assert.equal((await guest.get("/console")).status, 303);
    assert.equal((await guest.get(`/console/sessions/${l.session.id}/external/list`)).status, 303);
    assert.equal((await guest.get("/api/v1/sessions")).status, 401);
    // Removed: every request and the stream say so.
    const guestId = /data-guest="([0-9a-f-]{36})"/.exec(list)![1];
    const removed = await l.client.post(`${l.path}/${guestId}/remove`, {}, HTMX);
    assert.equal(removed.status, 200);
    assert.match(await removed.text(), /removed/);
    const refused = await guest.get("/x/console");
    assert.equal(refused.status, 410);
    assert.match(await refused.text(), /The lead technician removed you/);
    const chat = await guest.post("/x/console/chat", { text: "still here?" });
    assert.equal(chat.status, 410);
    const events = await guest.get("/x/console/events");
    const text = await events.text();
    assert.match(text, /event: ended/);
    assert.match(text, /removed you/);
    assert.equal((await l.client.post(`${l.path}/${guestId}/remove`, {}, HTMX)).status, 404);
    const actions = (await auditActions(t.deps)).filter((a) => a.startsWith("external."));
    // Each refused replay (page, chat, link) is audited with the reason.
    assert.deepEqual(actions, [
      "external.invited",
      "external.joined",
      "external.refused",
      "external.removed",
      "external.refused",
      "external.refused",
    ]);
  } finally {
    await t.close();
  }
});

Deno.test("an invitation expires, and access ends with the session", async () => {
  const t = await startTestApp();
  try {
    const l = await lead(t, [...INVITE, "inviteExternalUnlisted"]);
    const unused = await inviteLink(l, "Late Larry");
    const path = await inviteLink(l, "Ivy Inside");
    const guest = t.client();
    await guest.get(path);
    assert.equal((await guest.get("/x/console")).status, 200);
    t.clock.advance(61 * 60_000);
    const expired = await t.client().get(unused);
    assert.equal(expired.status, 410);
    assert.match(await expired.text(), /Your invitation has expired/);
    const refused = await guest.get("/x/console");
    assert.equal(refused.status, 410);
    assert.match(await refused.text(), /Your invitation has expired/);
    const actions = (await auditActions(t.deps)).filter((a) => a === "external.expired");
    assert.equal(actions.length, 2);

    const l2 = await lead(t, [...INVITE, "inviteExternalUnlisted"]);
    const second = t.client();
    await second.get(await inviteLink(l2, "Eve Ends"));
    assert.equal((await second.get("/x/console")).status, 200);
    await endSession(t.deps, l2.user, l2.session.id);
    const ended = await second.get("/x/console");
    assert.equal(ended.status, 410);
    assert.match(await ended.text(), /The session has ended/);
    // No invitation into a session that is not Active for its lead.
    assert.equal((await invite(l2, { name: "Z", email: "z@x.test" })).status, 404);
  } finally {
    await t.close();
  }
});

Deno.test("by PIN: the guest chooses the language; a used PIN is wrong; guessing is throttled like customer PINs", async () => {
  const t = await startTestApp();
  try {
    const l = await lead(t, [...INVITE, "inviteExternalUnlisted"]);
    const res = await invite(l, { name: "Piet", email: "piet@partner.test", method: "pin" });
    const html = await res.text();
    const pin = /data-external-pin="">(\d{6})</.exec(html)![1];
    const [row] = await t.deps.db.select().from(externalGuests)
      .where(eq(externalGuests.sessionId, l.session.id));
    assert.notEqual(row.pinHash, pin, "only a fingerprint is stored");
    assert.equal(row.linkHash, null);
    const guest = t.client();
    await guest.get("/x/pin");
    const wrongPin = pin === "000000" ? "000001" : "000000";
    const wrong = await guest.post("/x/pin", { pin: wrongPin, lang: "nl" });
    assert.equal(wrong.status, 422);
    assert.match(await wrong.text(), /niet geldig/);
    const ok = await guest.post("/x/pin", { pin, lang: "nl" });
    assert.equal(ok.status, 303);
    const page = await (await guest.get("/x/console")).text();
    assert.match(page, /Externe technicus/, "in the language chosen");
    const other = t.client();
    await other.get("/x/pin");
    const reused = await other.post("/x/pin", { pin, lang: "en" });
    assert.equal(reused.status, 422);
    assert.match(await reused.text(), /not valid or has been used/);
    // The address's budget of wrong PINs (modules/limits pinAddress) is shared with customers.
    let last = reused;
    for (let i = 0; i < 12 && last.status !== 429; i++) {
      last = await other.post("/x/pin", { pin: "12345" + (i % 10), lang: "en" });
    }
    assert.equal(last.status, 429);
    assert.ok(Number(last.headers.get("retry-after")) > 0);
    assert.equal((await other.post("/x/pin", { pin, lang: "en" })).status, 429);
  } finally {
    await t.close();
  }
});

Deno.test("by e-mail through real SMTP, in the inviter's language; only the methods the group allows; unlisted needs its permission", async () => {
  const smtp = await startSmtpServer();
  const t = await startTestApp({ env: { SMTP_URL: smtp.url } });
  try {
    const l = await lead(t);
    const admin = t.client();
    await admin.signIn(ADMIN.email, ADMIN.password);
    await admin.get("/admin/external");
    await admin.post("/admin/external", { name: "Mia Mail", email: "mia@partner.test" });
    const [approved] = await t.deps.db.select().from(
      (await import("./schema.ts")).externalTechnicians,
    );
    // Unlisted without inviteExternalUnlisted: refused.
    const unlisted = await invite(l, { name: "Nobody", email: "no@body.test" });
    assert.equal(unlisted.status, 403);
    assert.match(await unlisted.text(), /only approved external technicians/);
    // A method the group does not allow: refused, and not offered.
    await setGroup(t, l.user.groupId!, { externalByEmail: false });
    assert.doesNotMatch(await (await l.client.get(l.path, HTMX)).text(), /value="email"/);
    const refused = await invite(l, { approvedId: approved.id, method: "email" });
    assert.equal(refused.status, 422);
    assert.match(await refused.text(), /does not allow this invitation method/);
    // A permission the guest's console cannot use (or the lead does not hold): refused.
    const extra = await invite(l, { approvedId: approved.id, permissions: "pushUrls" });
    assert.equal(extra.status, 403);
    await setGroup(t, l.user.groupId!, { externalByEmail: true });
    const sent = await invite(l, { approvedId: approved.id, method: "email" });
    assert.equal(sent.status, 200);
    assert.match(await sent.text(), /was sent to mia@partner\.test/);
    assert.equal(smtp.messages.length, 1);
    const message = smtp.messages[0].replace(/=\r?\n/g, "");
    assert.match(message, /Subject: Invitation to a support session/);
    const link = /http:\/\/[^\s]+\/x\/join\/[A-Za-z0-9_-]+/.exec(message);
    assert.ok(link, message);
    const guest = t.client();
    assert.equal((await guest.get(new URL(link[0]).pathname)).status, 303);
    assert.match(await (await guest.get("/x/console")).text(), /Mia Mail/);
    // Only the lead of an Active session; without the permission no dialog at all.
    const other = await lead(t, defaultPermissions());
    assert.equal((await other.client.get(other.path, HTMX)).status, 403);
    const colleague = t.client();
    const person = await makePerson(t, { groupId: l.user.groupId! });
    await colleague.signIn(person.email, TECH_PASSWORD);
    assert.equal((await colleague.get(l.path, HTMX)).status, 404);
  } finally {
    await t.close();
    await smtp.close();
  }
});

Deno.test("the guest's remote view: desktopView alone is view only, remoteControl gives control; what the inviter's group no longer allows is gone; refused without it and after removal", async () => {
  const t = await startTestApp();
  try {
    const l = await lead(t, [...INVITE, "inviteExternalUnlisted"]);
    assert.match(await (await l.client.get(l.path, HTMX)).text(), /value="desktopView"/);
    const viewer = t.client();
    const res = await invite(l, {
      name: "Vera View",
      email: "vera@partner.test",
      permissions: "desktopView",
    });
    const link = /value="(http[^"]+\/x\/join\/[^"]+)"/.exec(await res.text())![1];
    await viewer.get(new URL(link).pathname);
    const page = await (await viewer.get("/x/console")).text();
    assert.match(page, /data-ws="\/x\/console\/remote\/ws"/);
    assert.match(page, /data-can-control="0"/);
    const origin = { origin: "http://localhost" };
    assert.notEqual((await viewer.get("/x/console/remote/ws", origin)).status, 403);

    const chatOnly = t.client();
    const second = await inviteLink(l, "Carl Chat");
    await chatOnly.get(second);
    assert.doesNotMatch(await (await chatOnly.get("/x/console")).text(), /data-ws=/);
    assert.equal((await chatOnly.get("/x/console/remote/ws", origin)).status, 403);
    assert.equal((await t.client().get("/x/console/remote/ws", origin)).status, 403);

    const [row] = await t.deps.db.select().from(externalGuests)
      .where(eq(externalGuests.name, "Vera View"));
    assert.deepEqual(row.permissions, ["desktopView"]);

    // With remoteControl: a technician's seat (control passed like a collaborator's) …
    const driver = t.client();
    const third = await invite(l, {
      name: "Dirk Drive",
      email: "dirk@partner.test",
      permissions: "remoteControl",
    });
    await driver.get(
      new URL(/value="(http[^"]+\/x\/join\/[^"]+)"/.exec(await third.text())![1]).pathname,
    );
    const driving = await (await driver.get("/x/console")).text();
    assert.match(driving, /data-can-control="1"/);
    assert.match(driving, /data-monitor="0"/);
    assert.match(driving, /data-lead="0"/);
    // … as long as the inviter's group allows it (the intersection, read on every request).
    const [group] = await t.deps.db.select().from(technicianGroups)
      .where(eq(technicianGroups.id, l.user.groupId!));
    await t.deps.db.update(technicianGroups)
      .set({ permissions: group.permissions.filter((p) => p !== "remoteControl") })
      .where(eq(technicianGroups.id, group.id));
    assert.doesNotMatch(await (await driver.get("/x/console")).text(), /data-ws=/);
    assert.equal((await driver.get("/x/console/remote/ws", origin)).status, 403);
    const watching = await (await viewer.get("/x/console")).text();
    assert.match(watching, /data-can-control="0"/);

    await l.client.post(`${l.path}/${row.id}/remove`, {}, HTMX);
    assert.equal((await viewer.get("/x/console/remote/ws", origin)).status, 410);
  } finally {
    await t.close();
  }
});
