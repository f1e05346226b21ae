// The admin outbox through the whole app: list, detail, resend (audited), resend-held,
// the 409 without SMTP, organisation scoping, and the technician's 403.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { hashPassword, users } from "../auth/mod.ts";
import { ADMIN, auditActions, startTestApp, type TestApp } from "../../tests/support/app.ts";
import { enqueueMail, mailOutbox } from "./mod.ts";
import { startSmtpServer } from "./smtp_test_server.ts";

async function adminOrg(t: TestApp): Promise<string> {
  const [admin] = await t.deps.db.select().from(users).where(eq(users.email, ADMIN.email));
  return admin.orgId;
}

async function addUser(t: TestApp, email: string, role: "admin" | "technician") {
  await t.deps.db.insert(users).values({
    orgId: await adminOrg(t),
    email,
    name: role,
    role,
    passwordHash: await hashPassword("user password 1"),
    createdAt: t.clock.now(),
  });
  const client = t.client();
  await client.signIn(email, "user password 1");
  return client;
}

function mail(orgId: string | null, n: number, extra: { html?: string } = {}) {
  return {
    orgId,
    kind: "invitation",
    to: `person${n}@example.test`,
    subject: `Invitation number ${n}`,
    text: `Hello person ${n}, <b>welcome</b>.`,
    ...extra,
  };
}

async function status(t: TestApp, id: string) {
  const [row] = await t.deps.db.select().from(mailOutbox).where(eq(mailOutbox.id, id));
  return row;
}

Deno.test("the outbox lists, filters and pages an admin's mail and shows a message escaped", async () => {
  const t = await startTestApp();
  try {
    const orgId = await adminOrg(t);
    const now = t.clock.now();
    for (let i = 1; i <= 55; i++) {
      t.clock.advance(1_000);
      await enqueueMail(t.deps.db, mail(orgId, i), { now: t.clock.now(), smtpConfigured: false });
    }
    const evil = "<script>alert(1)</script><p>hi</p>";
    const id = await enqueueMail(t.deps.db, mail(orgId, 99, { html: evil }), {
      now,
      smtpConfigured: false,
    });
    const foreign = await enqueueMail(t.deps.db, mail(crypto.randomUUID(), 77), {
      now,
      smtpConfigured: false,
    });
    const browser = t.client();
    await browser.signIn(ADMIN.email, ADMIN.password);

    const page1 = await browser.get("/admin/outbox");
    assert.equal(page1.status, 200);
    const html1 = await page1.text();
    assert.match(html1, /Page 1 of 2 \(56 messages\)/);
    assert.match(html1, /SMTP is not configured/);
    assert.ok(html1.indexOf("Invitation number 55") < html1.indexOf("Invitation number 54"));
    assert.doesNotMatch(html1, /Invitation number 77/);
    // The kind in words, not the stored code.
    assert.match(html1, /<td>Invitation to the organisation<\/td>/);
    assert.doesNotMatch(html1, /<td>invitation<\/td>/);
    const page2 = await (await browser.get("/admin/outbox?page=2")).text();
    assert.match(page2, /Invitation number 99/);
    assert.equal(page2.match(/<tr id="mail-/g)?.length, 6);
    const sent = await (await browser.get("/admin/outbox?status=sent")).text();
    assert.match(sent, /No messages match/);
    const fragment = await browser.get("/admin/outbox?status=held", { "hx-request": "true" });
    assert.equal(fragment.headers.get("vary"), "HX-Request");
    const fragmentHtml = await fragment.text();
    assert.doesNotMatch(fragmentHtml, /<html/);
    assert.match(fragmentHtml, /\(56 messages\)/);

    const detail = await (await browser.get(`/admin/outbox/${id}`)).text();
    assert.match(detail, /<pre class="card">Hello person 99, &lt;b&gt;welcome&lt;\/b&gt;.<\/pre>/);
    assert.match(detail, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.doesNotMatch(detail, /<script>alert/);
    assert.match(detail, /<td>Invitation to the organisation<\/td>/);
    assert.equal((await browser.get(`/admin/outbox/${foreign}`)).status, 404);
    assert.equal((await browser.get("/admin/outbox/not-a-uuid")).status, 404);
    assert.equal((await browser.post("/admin/outbox/not-a-uuid/resend")).status, 404);
  } finally {
    await t.close();
  }
});

Deno.test("resending a message delivers it now, returns the row for htmx and is audited", async () => {
  const smtp = await startSmtpServer();
  const t = await startTestApp({ env: { SMTP_URL: smtp.url } });
  try {
    const orgId = await adminOrg(t);
    smtp.rejectRecipients = true;
    const id = await enqueueMail(t.deps.db, mail(orgId, 1), {
      now: t.clock.now(),
      smtpConfigured: true,
    });
    const browser = t.client();
    await browser.signIn(ADMIN.email, ADMIN.password);
    const refused = await browser.post(`/admin/outbox/${id}/resend`);
    assert.equal(refused.status, 200);
    assert.match(await refused.text(), /could not be sent: .*550/);
    assert.equal((await status(t, id)).attempts, 1);

    smtp.rejectRecipients = false;
    const res = await browser.post(`/admin/outbox/${id}/resend`, {}, { "hx-request": "true" });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("vary"), "HX-Request");
    const row = await res.text();
    assert.match(row, /^<tr id="mail-/);
    assert.match(row, /Sent/);
    const after = await status(t, id);
    assert.deepEqual([after.status, after.attempts], ["sent", 0]);
    assert.equal(smtp.messages.length, 1);
    assert.match(smtp.messages[0], /Subject: Invitation number 1/);
    const actions = await auditActions(t.deps);
    assert.deepEqual(actions.filter((a) => a === "mail.resent"), ["mail.resent", "mail.resent"]);

    const page = await (await browser.post(`/admin/outbox/${id}/resend`)).text();
    assert.match(page, /The message was sent\./);
    assert.equal(smtp.messages.length, 2);
    const unknown = crypto.randomUUID();
    assert.equal((await browser.post(`/admin/outbox/${unknown}/resend`)).status, 404);
  } finally {
    await t.close();
    await smtp.close();
  }
});

Deno.test("resend-held sends every held and failed message of the organisation", async () => {
  const smtp = await startSmtpServer();
  const t = await startTestApp({ env: { SMTP_URL: smtp.url } });
  try {
    const orgId = await adminOrg(t);
    const opts = { now: t.clock.now(), smtpConfigured: false };
    const held = [await enqueueMail(t.deps.db, mail(orgId, 1), opts)];
    held.push(await enqueueMail(t.deps.db, mail(orgId, 2), opts));
    await t.deps.db.update(mailOutbox).set({ status: "failed", attempts: 8 })
      .where(eq(mailOutbox.id, held[1]));
    const foreign = await enqueueMail(t.deps.db, mail(crypto.randomUUID(), 3), opts);
    const browser = t.client();
    await browser.signIn(ADMIN.email, ADMIN.password);
    const res = await browser.post("/admin/outbox/resend-held", {}, { "hx-request": "true" });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /Messages queued again: 2\./);
    for (const id of held) assert.equal((await status(t, id)).status, "sent");
    assert.equal((await status(t, foreign)).status, "held");
    assert.deepEqual(smtp.recipients.flat().sort(), [
      "person1@example.test",
      "person2@example.test",
    ]);
    const resent = (await auditActions(t.deps)).filter((a) => a === "mail.resent");
    assert.equal(resent.length, 2);
  } finally {
    await t.close();
    await smtp.close();
  }
});

Deno.test("resend and resend-held answer 409 while SMTP is not configured", async () => {
  const t = await startTestApp();
  try {
    const id = await enqueueMail(t.deps.db, mail(await adminOrg(t), 1), {
      now: t.clock.now(),
      smtpConfigured: false,
    });
    const browser = t.client();
    await browser.signIn(ADMIN.email, ADMIN.password);
    const res = await browser.post("/admin/outbox/resend-held");
    assert.equal(res.status, 409);
    assert.match(await res.text(), /SMTP is not configured: set SMTP_URL and restart/);
    const htmx = await browser.post(`/admin/outbox/${id}/resend`, {}, { "hx-request": "true" });
    assert.equal(htmx.status, 409);
    assert.match(await htmx.text(), /class="flash error"/);
    assert.equal((await status(t, id)).status, "held");
    assert.ok(!(await auditActions(t.deps)).includes("mail.resent"));
  } finally {
    await t.close();
  }
});

Deno.test("an admin sees only mail about its groups; a technician gets 403", async () => {
  const t = await startTestApp();
  try {
    const orgId = await adminOrg(t);
    const opts = { now: t.clock.now(), smtpConfigured: false };
    const ungrouped = await enqueueMail(t.deps.db, mail(orgId, 1), opts);
    const system = await enqueueMail(t.deps.db, mail(null, 2), opts);

    const master = t.client();
    await master.signIn(ADMIN.email, ADMIN.password);
    assert.match(await (await master.get("/admin/outbox")).text(), /\(2 messages\)/);

    const admin = await addUser(t, "second.admin@example.test", "admin");
    // An admin of no group: mail about nobody's group is the master admin's alone.
    const list = await (await admin.get("/admin/outbox")).text();
    assert.doesNotMatch(list, /Invitation number 1/);
    assert.match(list, /\(0 messages\)/);
    assert.equal((await admin.get(`/admin/outbox/${system}`)).status, 404);
    assert.equal((await admin.get(`/admin/outbox/${ungrouped}`)).status, 404);

    const tech = await addUser(t, "tech@example.test", "technician");
    assert.equal((await tech.get("/admin/outbox")).status, 403);
    assert.equal((await tech.get(`/admin/outbox/${system}`)).status, 403);
    const refused = await tech.post("/admin/outbox/resend-held");
    assert.equal(refused.status, 403);
    assert.match(await refused.text(), /You do not have permission to do this/);
  } finally {
    await t.close();
  }
});
