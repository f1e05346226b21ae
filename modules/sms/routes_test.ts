// The admin SMS outbox through the whole app: list and filter, resend one and all held
// (audited, delivered to a real loopback gateway), the 409 without a gateway, organisation
// scoping, and the technician's 403.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { users } from "../auth/mod.ts";
import { ADMIN, auditActions, startTestApp, type TestApp } from "../../tests/support/app.ts";
import { makeGroup, makePerson, TECH_PASSWORD } from "../../tests/support/org.ts";
import { enqueueSms, smsOutbox } from "./mod.ts";
import { startTestGateway } from "./gateway_test_server.ts";

async function adminOrg(t: TestApp): Promise<string> {
  const [admin] = await t.deps.db.select().from(users).where(eq(users.email, ADMIN.email));
  return admin.orgId;
}

function enqueue(t: TestApp, orgId: string | null, n: number, gatewayConfigured = false) {
  return enqueueSms(t.deps.db, {
    orgId,
    to: `+31 6 0000 00${String(n).padStart(2, "0")}`,
    body: `PIN number ${n} <b>now</b>`,
    now: t.clock.now(),
    gatewayConfigured,
  });
}

async function row(t: TestApp, id: string) {
  return (await t.deps.db.select().from(smsOutbox).where(eq(smsOutbox.id, id)))[0];
}

async function signedInAdmin(t: TestApp) {
  const browser = t.client();
  await browser.signIn(ADMIN.email, ADMIN.password);
  return browser;
}

Deno.test("the SMS outbox lists and filters an admin's messages, escaped, with the nav link", async () => {
  const t = await startTestApp();
  try {
    const orgId = await adminOrg(t);
    for (let i = 1; i <= 3; i++) {
      t.clock.advance(1_000);
      await enqueue(t, orgId, i);
    }
    await enqueue(t, crypto.randomUUID(), 77);
    const browser = await signedInAdmin(t);

    const page = await browser.get("/admin/sms");
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /No SMS gateway is configured/);
    assert.match(html, /<a href="\/admin\/sms" class="active" aria-current="page">SMS<\/a>/);
    assert.match(html, /Page 1 of 1 \(3 messages\)/);
    assert.match(html, /<code>\+31600000001<\/code>/);
    assert.match(html, /<code>PIN number 1 &lt;b&gt;now&lt;\/b&gt;<\/code>/);
    assert.ok(html.indexOf("PIN number 3") < html.indexOf("PIN number 2"), "newest first");
    assert.doesNotMatch(html, /PIN number 77/);

    assert.match(await (await browser.get("/admin/sms?status=sent")).text(), /No messages match/);
    const fragment = await browser.get("/admin/sms?status=held", { "hx-request": "true" });
    assert.equal(fragment.headers.get("vary"), "HX-Request");
    const fragmentHtml = await fragment.text();
    assert.doesNotMatch(fragmentHtml, /<html/);
    assert.match(fragmentHtml, /\(3 messages\)/);
    assert.equal((await browser.post("/admin/sms/not-a-uuid/resend")).status, 404);
  } finally {
    await t.close();
  }
});

Deno.test("resending one message delivers it now, returns its row for htmx and is audited", async () => {
  const gateway = await startTestGateway();
  const t = await startTestApp({
    env: { SMS_GATEWAY_URL: gateway.url, SMS_GATEWAY_AUTH: "Bearer gw" },
  });
  try {
    const orgId = await adminOrg(t);
    gateway.status = 503;
    const id = await enqueue(t, orgId, 1, true);
    const browser = await signedInAdmin(t);
    const refused = await browser.post(`/admin/sms/${id}/resend`);
    assert.equal(refused.status, 200);
    assert.match(await refused.text(), /could not be sent: SMS gateway answered 503/);
    assert.equal((await row(t, id)).attempts, 1);

    gateway.status = 200;
    const res = await browser.post(`/admin/sms/${id}/resend`, {}, { "hx-request": "true" });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("vary"), "HX-Request");
    const fragment = await res.text();
    assert.match(fragment, new RegExp(`^<tr id="sms-${id}">`));
    assert.match(fragment, /Sent/);
    assert.deepEqual([(await row(t, id)).status, (await row(t, id)).attempts], ["sent", 0]);
    assert.equal(gateway.requests.length, 2);
    assert.equal(gateway.requests[1].authorization, "Bearer gw");
    assert.deepEqual(JSON.parse(gateway.requests[1].body), {
      to: "+31600000001",
      body: "PIN number 1 <b>now</b>",
    });
    const resent = (await auditActions(t.deps)).filter((a) => a === "sms.resent");
    assert.equal(resent.length, 2);
    assert.equal((await browser.post(`/admin/sms/${crypto.randomUUID()}/resend`)).status, 404);
  } finally {
    await t.close();
    await gateway.close();
  }
});

Deno.test("resend-held sends every held and failed message of the organisation", async () => {
  const gateway = await startTestGateway();
  const t = await startTestApp({ env: { SMS_GATEWAY_URL: gateway.url } });
  try {
    const orgId = await adminOrg(t);
    // Held: written before the gateway was configured.
    const held = [await enqueue(t, orgId, 1), await enqueue(t, orgId, 2)];
    await t.deps.db.update(smsOutbox).set({ status: "failed", attempts: 8 })
      .where(eq(smsOutbox.id, held[1]));
    const foreign = await enqueue(t, crypto.randomUUID(), 3);
    const browser = await signedInAdmin(t);
    const page = await (await browser.get("/admin/sms")).text();
    assert.doesNotMatch(page, /No SMS gateway is configured/);
    const res = await browser.post("/admin/sms/resend-held", {}, { "hx-request": "true" });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /Messages queued again: 2\./);
    for (const id of held) assert.equal((await row(t, id)).status, "sent");
    assert.equal((await row(t, foreign)).status, "held");
    const numbers = gateway.requests.map((r) => JSON.parse(r.body).to).sort();
    assert.deepEqual(numbers, ["+31600000001", "+31600000002"]);
    assert.equal((await auditActions(t.deps)).filter((a) => a === "sms.resent").length, 2);
  } finally {
    await t.close();
    await gateway.close();
  }
});

Deno.test("resend and resend-held answer 409 while no SMS gateway is configured", async () => {
  const t = await startTestApp();
  try {
    const id = await enqueue(t, await adminOrg(t), 1);
    const browser = await signedInAdmin(t);
    const res = await browser.post("/admin/sms/resend-held");
    assert.equal(res.status, 409);
    assert.match(await res.text(), /set SMS_GATEWAY_URL and restart/);
    const htmx = await browser.post(`/admin/sms/${id}/resend`, {}, { "hx-request": "true" });
    assert.equal(htmx.status, 409);
    assert.match(await htmx.text(), /class="flash error"/);
    assert.equal((await row(t, id)).status, "held");
    assert.ok(!(await auditActions(t.deps)).includes("sms.resent"));
  } finally {
    await t.close();
  }
});

Deno.test("an admin sees only messages about its groups; a technician gets 403", async () => {
  const t = await startTestApp();
  try {
    const orgId = await adminOrg(t);
    await enqueue(t, orgId, 1);
    const system = await enqueue(t, null, 2);
    const master = await signedInAdmin(t);
    assert.match(await (await master.get("/admin/sms")).text(), /\(2 messages\)/);

    const group = await makeGroup(t);
    const adminUser = await makePerson(t, { groupId: group.id, role: "admin" });
    const admin = t.client();
    await admin.signIn(adminUser.email, TECH_PASSWORD);
    // Message 1 belongs to no session of the admin's groups: the master admin's alone.
    const list = await (await admin.get("/admin/sms")).text();
    assert.doesNotMatch(list, /PIN number 1/);
    assert.match(list, /\(0 messages\)/);

    const techUser = await makePerson(t, { groupId: group.id });
    const tech = t.client();
    await tech.signIn(techUser.email, TECH_PASSWORD);
    assert.equal((await tech.get("/admin/sms")).status, 403);
    const refused = await tech.post(`/admin/sms/${system}/resend`);
    assert.equal(refused.status, 403);
    assert.equal((await tech.post("/admin/sms/resend-held")).status, 403);
    assert.equal((await row(t, system)).status, "held");
  } finally {
    await t.close();
  }
});
