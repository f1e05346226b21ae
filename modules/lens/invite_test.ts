// Sending a Lens link through the product (invite.ts, POST /console/lens/invite) and the record
// Lens sessions leave (the technician's list on the Lens page, the admin's audit log), in memory
// through the routes. Delivery goes to the real SMTP test server and the SMS test gateway; without
// them the message is held in Messages and the answer says so.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { ADMIN, startTestApp, type TestApp } from "../../tests/support/app.ts";
import { TECH_PASSWORD } from "../../tests/support/org.ts";
import { technician } from "../../tests/support/sessions.ts";
import { users } from "../auth/mod.ts";
import { auditLog } from "../audit/mod.ts";
import { mailOutbox } from "../mail/mod.ts";
import { translator } from "../i18n/mod.ts";
import { startSmtpServer } from "../mail/smtp_test_server.ts";
import { defaultPermissions, type Permission } from "../permissions/mod.ts";
import { smsOutbox } from "../sms/mod.ts";
import { startTestGateway } from "../sms/gateway_test_server.ts";
import { lensRegistry } from "./registry.ts";

const HTMX = { "hx-request": "true" };

async function started(t: TestApp, permissions: Permission[]) {
  const user = await technician(t, { permissions, name: "Ann" });
  const client = t.client();
  await client.signIn(user.email, TECH_PASSWORD);
  await client.get("/console/lens");
  assert.equal((await client.post("/console/lens")).status, 303);
  const page = await (await client.get("/console/lens")).text();
  const session = lensRegistry(t.deps).ofTechnician(user.id)!;
  return { user, client, page, session };
}

Deno.test("POST /console/lens/invite: held in Messages without SMTP or gateway, checked, permitted, limited", async () => {
  const t = await startTestApp();
  try {
    const { user, client, page, session } = await started(t, [...defaultPermissions(), "lens"]);
    // methodEmail is a default, methodSms is not: only e-mail is offered.
    assert.match(page, /data-lens-send-email/);
    assert.doesNotMatch(page, /data-lens-send-sms/);
    const sms = await client.post("/console/lens/invite", { via: "sms", phone: "+31612345678" });
    assert.equal(sms.status, 403);
    assert.equal((await t.deps.db.select().from(smsOutbox)).length, 0);

    // A bad address: refused with the reason, what was typed kept, nothing written.
    const bad = await client.post("/console/lens/invite", {
      via: "email",
      email: "carla-at-example",
      name: "Carla",
    }, HTMX);
    assert.equal(bad.status, 422);
    const badHtml = await bad.text();
    assert.match(badHtml, /Enter a valid e-mail address/);
    assert.match(badHtml, /value="carla-at-example"/);
    assert.match(badHtml, /value="Carla"/);
    assert.doesNotMatch(badHtml, /<html/, "htmx gets the form alone");
    assert.equal((await t.deps.db.select().from(mailOutbox)).length, 0);

    // No SMTP: held in Messages, and the technician is told so — not "sent".
    const held = await client.post("/console/lens/invite", {
      via: "email",
      email: "carla@example.test",
      name: "Carla",
    }, HTMX);
    assert.equal(held.status, 200);
    const heldHtml = await held.text();
    assert.match(heldHtml, /Not sent yet: this server has no outgoing mail set up/);
    assert.match(heldHtml, /carla@example\.test is held in Messages/);
    assert.doesNotMatch(heldHtml, /was sent/);
    const [mail] = await t.deps.db.select().from(mailOutbox);
    assert.equal(mail.status, "held");
    assert.equal(mail.kind, "lens_invitation");
    assert.equal(mail.toAddress, "carla@example.test");
    assert.equal(mail.subject, "Show your camera to Ann");
    assert.ok(mail.textBody.includes(`/lens/${session.token}`), "the link is in the mail");
    assert.equal(session.customerName, "Carla");

    // In the technician's language: Dutch, the customer addressed with "u".
    await t.deps.db.update(users).set({ language: "nl" }).where(eq(users.id, user.id));
    const dutch = await client.post("/console/lens/invite", {
      via: "email",
      email: "carla@example.test",
    }, HTMX);
    assert.match(await dutch.text(), /wacht in Berichten/);
    const [nl] = await t.deps.db.select().from(mailOutbox)
      .where(eq(mailOutbox.subject, "Laat uw camera zien aan Ann"));
    assert.ok(nl, "the Dutch subject");
    assert.match(nl.textBody, /Open deze link op uw telefoon/);

    // In the customer's language, chosen by the technician: Russian (a customer-only one).
    const form = await (await client.get("/console/lens")).text();
    assert.match(form, /<option value="nl" selected="">Nederlands<\/option>/, "own language first");
    const russian = await client.post("/console/lens/invite", {
      via: "email",
      email: "olga@example.test",
      language: "ru",
    }, HTMX);
    assert.equal(russian.status, 200);
    const [ru] = await t.deps.db.select().from(mailOutbox)
      .where(eq(mailOutbox.toAddress, "olga@example.test"));
    assert.equal(ru.subject, translator("ru")("lensPhone.inviteSubject", { name: "Ann" }));
    assert.ok(ru.textBody.includes(`/lens/${session.token}`), "the link is in the Russian mail");
    const unknown = await client.post("/console/lens/invite", {
      via: "email",
      email: "x@example.test",
      language: "xx",
    }, HTMX);
    assert.equal(unknown.status, 422);
    assert.match(await unknown.text(), /x@example\.test/, "what was typed stays");

    // The technician's budget (10 a minute): past it, 429 and nothing more written.
    let refused = 0;
    for (let i = 0; i < 10; i++) {
      const res = await client.post("/console/lens/invite", {
        via: "email",
        email: `c${i}@example.test`,
      }, HTMX);
      if (res.status === 429) refused++;
    }
    assert.equal(refused, 3, "7 more fit the budget of 10, the last three are refused");
    assert.equal((await t.deps.db.select().from(mailOutbox)).length, 10);
  } finally {
    for (const s of lensRegistry(t.deps).all()) s.end("technician");
    await t.close();
  }
});

Deno.test({
  name: "POST /console/lens/invite: sent over SMTP and the SMS gateway, and the page says so",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const smtp = await startSmtpServer();
    const gateway = await startTestGateway();
    const t = await startTestApp({ env: { SMTP_URL: smtp.url, SMS_GATEWAY_URL: gateway.url } });
    try {
      const { client, page, session } = await started(t, [
        ...defaultPermissions(),
        "lens",
        "methodSms",
      ]);
      assert.match(page, /data-lens-send-sms/);
      const mail = await client.post("/console/lens/invite", {
        via: "email",
        email: "carla@example.test",
      }, HTMX);
      assert.match(await mail.text(), /The link was sent by e-mail to carla@example\.test\./);
      assert.equal(smtp.messages.length, 1);
      assert.deepEqual(smtp.recipients[0], ["carla@example.test"]);
      assert.ok(smtp.messages[0].replace(/=\r?\n/g, "").includes(session.token));

      const badNumber = await client.post("/console/lens/invite", { via: "sms", phone: "12" });
      assert.equal(badNumber.status, 422);
      assert.match(await badNumber.text(), /not a valid mobile number/);
      assert.equal(gateway.requests.length, 0);

      const text = await client.post("/console/lens/invite", {
        via: "sms",
        phone: "+31 6 1234 5678",
      }, HTMX);
      assert.match(await text.text(), /sent by text message to \+31 6 1234 5678/);
      assert.equal(gateway.requests.length, 1);
      const sent = JSON.parse(gateway.requests[0].body);
      assert.equal(sent.to, "+31612345678");
      assert.ok(sent.body.includes(`/lens/${session.token}`));
      const [row] = await t.deps.db.select().from(smsOutbox);
      assert.equal(row.status, "sent");
    } finally {
      for (const s of lensRegistry(t.deps).all()) s.end("technician");
      await t.close();
      await gateway.close();
      await smtp.close();
    }
  },
});

Deno.test("Lens sessions are recorded: the technician's recent list and the admin's audit log", async () => {
  const t = await startTestApp();
  try {
    const { user, client, session } = await started(t, [...defaultPermissions(), "lens"]);
    await client.post("/console/lens/invite", {
      via: "email",
      email: "carla@example.test",
      name: "Carla de Vries",
    });
    session.end("customer");
    await lensRegistry(t.deps).recorded(session);
    // The audit entry is written after the end; wait for it, not for the clock.
    for (let i = 0; i < 100; i++) {
      const rows = await t.deps.db.select().from(auditLog).where(eq(auditLog.action, "lens.ended"));
      if (rows.length) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const [entry] = await t.deps.db.select().from(auditLog)
      .where(eq(auditLog.action, "lens.ended"));
    assert.equal(entry.details.technicianId, user.id);
    assert.equal(entry.details.customer, "Carla de Vries");
    assert.equal(entry.details.reason, "customer");

    const page = await (await client.get("/console/lens")).text();
    assert.match(page, /Your recent Lens sessions/);
    assert.match(page, /data-lens-record="customer"/);
    assert.match(page, /Carla de Vries/);
    assert.match(page, /The customer disconnected/);

    // Another technician sees none of Ann's.
    const other = await technician(t, { permissions: ["lens"], name: "Bob" });
    const bob = t.client();
    await bob.signIn(other.email, TECH_PASSWORD);
    const bobs = await (await bob.get("/console/lens")).text();
    assert.match(bobs, /You have had no Lens sessions yet/);
    assert.doesNotMatch(bobs, /Carla de Vries/);

    // The admin reads whose session it was and how it ended — not "System ended…".
    const admin = t.client();
    await admin.signIn(ADMIN.email, ADMIN.password);
    const audit = await (await admin.get("/admin/audit?action=lens.ended")).text();
    assert.match(
      audit,
      /Ann&#39;s Lens session ended: the customer disconnected, after 0:\d\d \(min:s\)\. Customer: Carla de Vries\./,
    );
  } finally {
    await t.close();
  }
});
