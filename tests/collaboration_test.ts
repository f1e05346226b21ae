// Internal collaboration (SPEC K1, K3) through the real service and routes: the state
// machine's Invitation and Collaborating rows, the lead's buttons, the session permission
// set, the technicians' private chat that never reaches the customer, and every refusal.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { startTestApp, type TestApp } from "./support/app.ts";
import { masterAdmin } from "./support/org.ts";
import { collaboratorsOf, joinAsCollaborator } from "../modules/collaboration/mod.ts";
import type { Refusal } from "../modules/refusal/mod.ts";
import { defaultGroupSettings, technicianGroups } from "../modules/org/mod.ts";
import { translator } from "../modules/i18n/mod.ts";
import { chatLogCsv } from "../modules/reports/mod.ts";
import {
  customerConnected,
  customerStreams,
  findByToken,
  supportSessions,
  technicianChat,
} from "../modules/support/mod.ts";
import {
  createPinSession,
  entriesOf,
  HTMX,
  signedInTechnician,
} from "../modules/console/test_fixtures.ts";

type Tech = Awaited<ReturnType<typeof signedInTechnician>>;

async function leadWithSession(t: TestApp) {
  const ann = await signedInTechnician(t, { name: "Ann" });
  const bob = await signedInTechnician(t, { groupId: ann.user.groupId!, name: "Bob" });
  const session = await createPinSession(t, ann.browser);
  await customerConnected(t.deps, session);
  assert.equal(
    (await ann.browser.post(`/console/sessions/${session.id}/start`, {}, HTMX)).status,
    204,
  );
  return { ann, bob, session };
}

const rowOf = async (t: TestApp, sessionId: string, userId: string) =>
  (await entriesOf(t, sessionId)).find((e) => e.userId === userId && !e.removedAt);

async function invite(lead: Tech, sessionId: string, userId: string, extra = {}) {
  return await lead.browser.post(`/console/sessions/${sessionId}/invite`, {
    userId,
    note: "second pair of eyes",
    perm_desktopView: "1",
    perm_remoteControl: "1",
    perm_sendFiles: "1",
    ...extra,
  }, HTMX);
}

Deno.test("invite → Invitation → Start → Collaborating; private chat stays off the customer's page; hand-over; end for everyone", async () => {
  const t = await startTestApp();
  try {
    const { ann, bob, session } = await leadWithSession(t);
    const dialog = await (await ann.browser.get(`/console/sessions/${session.id}/invite`, HTMX))
      .text();
    assert.match(dialog, new RegExp(`value="${bob.user.id}"`));
    assert.match(dialog, /class="colleague presence-online"/);
    assert.doesNotMatch(dialog, new RegExp(`value="${ann.user.id}"`), "not oneself");

    const sent = await invite(ann, session.id, bob.user.id);
    assert.equal(sent.status, 200);
    assert.match(await sent.text(), /Bob is invited/);
    const invited = await rowOf(t, session.id, bob.user.id);
    assert.equal(invited?.status, "invitation");
    assert.equal(invited?.role, "collaborator");
    assert.equal(invited?.note, "second pair of eyes");
    assert.deepEqual(invited?.permissions, ["remoteControl", "desktopView", "sendFiles"]);
    const queue = await (await bob.browser.get("/console")).text();
    assert.match(queue, /data-status="invitation"[\s\S]*?data-action="start"/);

    assert.equal(
      (await bob.browser.post(`/console/sessions/${session.id}/start`, {}, HTMX)).status,
      204,
    );
    assert.equal((await rowOf(t, session.id, bob.user.id))?.status, "collaborating");
    assert.equal((await rowOf(t, session.id, ann.user.id))?.status, "active");
    const list = await (await ann.browser.get(`/console/sessions/${session.id}/participants`, HTMX))
      .text();
    assert.match(
      list,
      new RegExp(`data-participant="${bob.user.id}"[^>]*data-status="collaborating"`),
    );
    assert.match(list, /collaborators\/[0-9a-f-]+\/lead/, "the lead's hand-over button");

    // The session permission set narrows Bob's group: no system information here.
    const sys = await bob.browser.get(`/console/sessions/${session.id}/system`, HTMX);
    assert.equal(sys.status, 403);
    // Nor the files the customer sends.
    const file = await bob.browser.get(
      `/console/sessions/${session.id}/files/00000000-0000-4000-8000-000000000000`,
      HTMX,
    );
    assert.equal(file.status, 403);

    // Private chat: the technicians see it marked, the customer's page never does.
    const secret = "between us: the disk is failing";
    assert.equal(
      (await bob.browser.post(`/console/sessions/${session.id}/chat`, {
        text: secret,
        audience: "technicians",
      }, HTMX)).status,
      204,
    );
    await ann.browser.post(`/console/sessions/${session.id}/chat`, { text: "Hello Carol" }, HTMX);
    const log = await (await ann.browser.get(`/console/sessions/${session.id}/log`, HTMX)).text();
    assert.match(log, /technicians-only[\s\S]*?Technicians only[\s\S]*?between us/);
    const customer = t.client();
    const page = await (await customer.get(`/s/${session.token}`)).text();
    assert.match(page, /Hello Carol/, "the customer's page shows the chat");
    assert.doesNotMatch(page, /between us/, "but never the technicians' chat");
    const { csv } = await chatLogCsv(t.deps.db, {
      scope: { orgId: ann.user.orgId, groupIds: "all" },
      sessionId: session.id,
      t: translator("en"),
      tz: "UTC",
    });
    assert.match(csv, /Technicians only: between us/, "the admin's export marks it");

    // Hand-over, cancelled, then again and accepted.
    assert.equal(
      (await ann.browser.post(
        `/console/sessions/${session.id}/collaborators/${bob.user.id}/lead`,
        {},
        HTMX,
      )).status,
      204,
    );
    assert.equal((await rowOf(t, session.id, ann.user.id))?.status, "collaborating");
    assert.ok((await rowOf(t, session.id, bob.user.id))?.leadOfferedAt);
    assert.equal(
      (await ann.browser.post(`/console/sessions/${session.id}/handover/cancel`, {}, HTMX)).status,
      204,
    );
    assert.equal((await rowOf(t, session.id, ann.user.id))?.status, "active");
    assert.equal((await rowOf(t, session.id, bob.user.id))?.leadOfferedAt, null);
    const noOffer = await bob.browser.post(`/console/sessions/${session.id}/accept_lead`, {}, HTMX);
    assert.equal(noOffer.status, 409);
    await ann.browser.post(
      `/console/sessions/${session.id}/collaborators/${bob.user.id}/lead`,
      {},
      HTMX,
    );
    assert.equal(
      (await bob.browser.post(`/console/sessions/${session.id}/accept_lead`, {}, HTMX)).status,
      204,
    );
    const bobRow = await rowOf(t, session.id, bob.user.id);
    const annRow = await rowOf(t, session.id, ann.user.id);
    assert.deepEqual([bobRow?.role, bobRow?.status], ["lead", "active"]);
    assert.deepEqual([annRow?.role, annRow?.status], ["collaborator", "collaborating"]);
    const [stored] = await t.deps.db.select().from(supportSessions)
      .where(eq(supportSessions.id, session.id));
    assert.equal(stored.leadUserId, bob.user.id);

    // The new lead ends for everyone.
    assert.equal(
      (await bob.browser.post(`/console/sessions/${session.id}/end`, {}, HTMX)).status,
      204,
    );
    assert.equal((await rowOf(t, session.id, ann.user.id))?.status, "closed");
    assert.ok((await findByToken(t.deps, session.token))?.endedAt);
  } finally {
    await t.close();
  }
});

Deno.test("inviteTechnician() refuses oneself, an Away or signed-out colleague, someone already in, past the limit, and a session not Active", async () => {
  const t = await startTestApp();
  try {
    const { ann, bob, session } = await leadWithSession(t);
    const self = await invite(ann, session.id, ann.user.id);
    assert.equal(self.status, 409);
    assert.match(await self.text(), /cannot invite yourself/);

    await bob.browser.post("/status", { status: "away" });
    const away = await invite(ann, session.id, bob.user.id);
    assert.equal(away.status, 409);
    assert.match(await away.text(), /away or signed out/);
    await bob.browser.post("/status", { status: "online" });
    const gone = await signedInTechnician(t, { groupId: ann.user.groupId!, name: "Gone" });
    await gone.browser.post("/signout", {});
    const signedOut = await invite(ann, session.id, gone.user.id);
    assert.equal(signedOut.status, 409);

    assert.equal((await invite(ann, session.id, bob.user.id)).status, 200);
    const twice = await invite(ann, session.id, bob.user.id);
    assert.equal(twice.status, 409);
    assert.match(await twice.text(), /already in this session/);

    await t.deps.db.update(technicianGroups).set({
      settings: { ...defaultGroupSettings(), maxTechniciansPerSession: 2 },
    }).where(eq(technicianGroups.id, ann.user.groupId!));
    const cara = await signedInTechnician(t, { groupId: ann.user.groupId!, name: "Cara" });
    const full = await invite(ann, session.id, cara.user.id);
    assert.equal(full.status, 409);
    assert.match(await full.text(), /as many technicians as your group allows/);

    // Withdraw: Bob's invitation goes; a collaborator cannot invite.
    assert.equal(
      (await ann.browser.post(
        `/console/sessions/${session.id}/collaborators/${bob.user.id}/withdraw`,
        {},
        HTMX,
      )).status,
      204,
    );
    assert.equal(await rowOf(t, session.id, bob.user.id), undefined);
    await ann.browser.post(`/console/sessions/${session.id}/hold`, {}, HTMX);
    const held = await invite(ann, session.id, cara.user.id);
    assert.equal(held.status, 409);
    assert.match(await held.text(), /Only the lead technician of an active session/);
    const bad = await ann.browser.post(
      `/console/sessions/${session.id}/invite`,
      { note: "x" },
      HTMX,
    );
    assert.equal(bad.status, 422);
  } finally {
    await t.close();
  }
});

Deno.test("a collaborator holds only for itself and leaves; the lead's hold holds everyone; removal", async () => {
  const t = await startTestApp();
  try {
    const { ann, bob, session } = await leadWithSession(t);
    await invite(ann, session.id, bob.user.id);
    await bob.browser.post(`/console/sessions/${session.id}/start`, {}, HTMX);
    assert.equal(
      (await bob.browser.post(`/console/sessions/${session.id}/hold`, {}, HTMX)).status,
      204,
    );
    assert.equal((await rowOf(t, session.id, bob.user.id))?.status, "on_hold");
    assert.equal((await rowOf(t, session.id, ann.user.id))?.status, "active", "only itself");
    await bob.browser.post(`/console/sessions/${session.id}/start`, {}, HTMX);
    assert.equal((await rowOf(t, session.id, bob.user.id))?.status, "collaborating");

    await ann.browser.post(`/console/sessions/${session.id}/hold`, {}, HTMX);
    assert.equal(
      (await rowOf(t, session.id, bob.user.id))?.status,
      "on_hold",
      "held with the lead",
    );
    await ann.browser.post(`/console/sessions/${session.id}/start`, {}, HTMX);
    assert.equal((await rowOf(t, session.id, bob.user.id))?.status, "collaborating");

    const notLead = await bob.browser.post(
      `/console/sessions/${session.id}/collaborators/${ann.user.id}/remove`,
      {},
      HTMX,
    );
    assert.equal(notLead.status, 409);
    assert.equal(
      (await bob.browser.post(`/console/sessions/${session.id}/leave`, {}, HTMX)).status,
      204,
    );
    assert.equal(await rowOf(t, session.id, bob.user.id), undefined);
    assert.equal((await rowOf(t, session.id, ann.user.id))?.status, "active", "goes on without it");

    await invite(ann, session.id, bob.user.id);
    await bob.browser.post(`/console/sessions/${session.id}/start`, {}, HTMX);
    assert.equal(
      (await ann.browser.post(
        `/console/sessions/${session.id}/collaborators/${bob.user.id}/remove`,
        {},
        HTMX,
      )).status,
      204,
    );
    assert.equal(await rowOf(t, session.id, bob.user.id), undefined);
    const chat = await bob.browser.post(
      `/console/sessions/${session.id}/chat`,
      { text: "hi" },
      HTMX,
    );
    assert.notEqual(chat.status, 204, "a removed collaborator cannot chat");
  } finally {
    await t.close();
  }
});

Deno.test("joinAsCollaborator() lets an admin who monitors the lead join straight into Collaborating, once", async () => {
  const t = await startTestApp();
  try {
    const { ann, bob, session } = await leadWithSession(t);
    const admin = await masterAdmin(t);
    const entry = await joinAsCollaborator(t.deps, admin, session.id);
    assert.deepEqual([entry.role, entry.status, entry.userId], [
      "collaborator",
      "collaborating",
      admin.id,
    ]);
    await assert.rejects(
      () => joinAsCollaborator(t.deps, admin, session.id),
      (e: Refusal) => e.key === "collaboration.alreadyIn",
    );
    // A technician monitors nobody: the session is not found for it.
    await assert.rejects(
      () => joinAsCollaborator(t.deps, bob.user, session.id),
      (e: Refusal) => e.key === "sessions.notFound",
    );
    const people = await collaboratorsOf(t.deps, session.id);
    assert.deepEqual(people.map((p) => [p.userId, p.role]), [
      [ann.user.id, "lead"],
      [admin.id, "collaborator"],
    ]);
  } finally {
    await t.close();
  }
});

Deno.test("the customer's live stream never carries the technicians' chat", async () => {
  const t = await startTestApp();
  customerStreams(t.deps).options.graceMs = 5;
  try {
    const { ann, session } = await leadWithSession(t);
    const res = await t.app.request(`http://localhost/s/${session.token}/events`);
    assert.equal(res.status, 200);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    await technicianChat(t.deps, ann.user, session.id, "private: check the BIOS", undefined, {
      audience: "technicians",
    });
    await technicianChat(t.deps, ann.user, session.id, "public: one moment please");
    let text = "";
    const deadline = Date.now() + 10_000;
    while (!text.includes("public: one moment") && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    await reader.cancel();
    assert.match(text, /public: one moment please/);
    assert.doesNotMatch(text, /check the BIOS/);
    await customerStreams(t.deps).idle();
  } finally {
    await t.close();
  }
});
