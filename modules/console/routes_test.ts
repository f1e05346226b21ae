// The console through the real app: the page's element contract, the New session dialog
// (PIN, e-mail by mail program, SMS outbox, refusals), the row actions and the transfer
// dialog with presence.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { ADMIN, startTestApp } from "../../tests/support/app.ts";
import { smsOutbox } from "../sms/mod.ts";
import { customerConnected, customerLeft, findByToken } from "../support/mod.ts";
import { createPinSession, entriesOf, HTMX, signedInTechnician } from "./test_fixtures.ts";

Deno.test("POST /console/sessions creates a PIN session: PIN and link shown, row Connecting", async () => {
  const t = await startTestApp();
  try {
    const { user, browser } = await signedInTechnician(t);
    const res = await browser.post("/console/sessions", { method: "pin", name: "Carol" }, HTMX);
    assert.equal(res.status, 201);
    const html = await res.text();
    const pin = /id="created-pin"[^>]*>(\d{6})</.exec(html)?.[1];
    assert.ok(pin, "the PIN is shown");
    assert.match(html, /<code id="created-link">http[^<]+\/s\/[A-Za-z0-9_-]{32}<\/code>/);
    assert.match(html, /data-copy="created-link"/);
    const token = /\/s\/([A-Za-z0-9_-]{32})</.exec(html)![1];
    const session = (await findByToken(t.deps, token))!;
    assert.equal(session.pin, pin);
    assert.deepEqual((await entriesOf(t, session.id)).map((e) => [e.userId, e.status]), [
      [user.id, "connecting"],
    ]);

    const page = await (await browser.get("/console")).text();
    assert.match(page, /<body[^>]*>/);
    assert.match(page, /id="console-root"/);
    assert.match(page, /<table id="queue"/);
    const row = new RegExp(
      `<tr data-session="${session.id}" data-entry="[0-9a-f-]{36}" data-status="connecting"[^>]*class="pending"`,
    );
    assert.match(page, row);
    assert.match(page, /<td class="c-name[^"]*"[^>]*>Carol</);
    assert.match(page, new RegExp(`<td class="c-number mono"[^>]*>${session.number}<`));
    assert.match(page, /<td class="c-status"[^>]*>Connecting</);
    for (const tab of ["all", "private", "channel", "active"]) {
      assert.match(page, new RegExp(`data-tab="${tab}"`));
    }
    assert.doesNotMatch(page, /data-tab="monitored"/, "only admins monitor");
    assert.match(page, /id="session-tabs"/);
    assert.match(page, /id="workspaces"/);
    assert.match(page, /<link rel="stylesheet" href="\/static\/console.css"/);
    assert.match(page, /<header class="topbar">.*<form[^>]*class="status-control".*<\/header>/s);
    assert.match(page, /<script type="module" src="\/static\/console.js"/);
    assert.match(page, /id="console-options"/);
    assert.doesNotMatch(page, /style="/);
    assert.doesNotMatch(page, /data-action="start"/, "nothing to start while Connecting");
  } finally {
    await t.close();
  }
});

Deno.test("POST /console/sessions refuses a method without its permission, bad input and unknown methods", async () => {
  const t = await startTestApp();
  try {
    const { browser } = await signedInTechnician(t, {
      permissions: ["startPrivate", "methodPin", "methodEmail"],
    });
    const sms = await browser.post("/console/sessions", {
      method: "sms",
      name: "Carol",
      contact: "+31612345678",
    }, HTMX);
    assert.equal(sms.status, 403);
    assert.equal((await browser.get("/console/new-session?method=sms")).status, 403);
    assert.equal((await browser.get("/console/new-session?method=fax")).status, 400);
    const page = await (await browser.get("/console")).text();
    assert.match(page, /<button type="button" data-method="sms" disabled/);

    const empty = await browser.post("/console/sessions", { method: "pin", name: " " }, HTMX);
    assert.equal(empty.status, 422);
    assert.match(await empty.text(), /id="ns-problem-name"[^>]*>Enter the customer/);
    const badMail = await browser.post("/console/sessions", {
      method: "email",
      name: "Carol",
      contact: "not-an-address",
    }, HTMX);
    assert.equal(badMail.status, 422);
    assert.match(await badMail.text(), /id="ns-problem-contact"/);
  } finally {
    await t.close();
  }
});

Deno.test("e-mail by the technician's mail program gives a mailto: link; SMS goes to the outbox", async () => {
  const t = await startTestApp();
  try {
    const { browser } = await signedInTechnician(t, {
      permissions: ["startPrivate", "methodEmail", "methodSms"],
    });
    const form = await (await browser.get("/console/new-session?method=email")).text();
    assert.match(form, /id="new-session-form"/);
    assert.match(form, /name="contact"/);
    const mail = await browser.post("/console/sessions", {
      method: "email",
      name: "Carol",
      contact: "carol@example.test",
      via: "client",
    }, HTMX);
    assert.equal(mail.status, 201);
    const html = await mail.text();
    const href = /<a id="mailto-link"[^>]*href="([^"]+)"/.exec(html)?.[1];
    assert.ok(href?.startsWith("mailto:carol%40example.test?subject="), href);
    assert.match(decodeURIComponent(href!.replaceAll("&amp;", "&")), /Hello Carol/);

    const sms = await browser.post("/console/sessions", {
      method: "sms",
      name: "Dave",
      contact: "+31 6 1234 5678",
    }, HTMX);
    assert.equal(sms.status, 201);
    assert.match(await sms.text(), /id="created-delivery"[^>]*>The text message is queued/);
    const [queued] = await t.deps.db.select().from(smsOutbox)
      .where(eq(smsOutbox.toNumber, "+31612345678"));
    assert.equal(queued.status, "held", "no gateway: held for an admin");
    assert.match(queued.body, /PIN \d{6}/);
  } finally {
    await t.close();
  }
});

Deno.test("Start, Hold, End through the row buttons move the technician's row", async () => {
  const t = await startTestApp();
  try {
    const { user, browser } = await signedInTechnician(t);
    const session = await createPinSession(t, browser);
    await customerConnected(t.deps, session);
    const status = async () =>
      (await entriesOf(t, session.id)).find((e) => e.userId === user.id)!.status;
    assert.equal(await status(), "waiting");
    let page = await (await browser.get("/console")).text();
    assert.match(
      page,
      /<button[^>]*data-action="start"[^>]*hx-post="\/console\/sessions\/[^"]+\/start"/,
    );
    assert.doesNotMatch(page, /data-action="hold"/, "no Hold while Waiting");
    const since = t.clock.now().getTime();
    const urgentAt = new Date(since + 5 * 60_000).toISOString(); // the default 5 minutes
    assert.match(page, new RegExp(`data-status="waiting"[^>]*data-urgent-at="${urgentAt}"`));

    const start = await browser.post(`/console/sessions/${session.id}/start`, {}, HTMX);
    assert.equal(start.status, 204);
    assert.equal(await status(), "active");
    page = await (await browser.get("/console")).text();
    assert.match(page, new RegExp(`id="session-tabs"[^>]*>.*data-tab-session="${session.id}"`));
    assert.match(page, /data-action="hold"/);
    assert.match(page, /data-action="end"[^>]*data-confirm-end="End this session\?"/);
    assert.match(page, /data-edit-cell/, "inline edit of the name while working");

    const rename = await browser.post(`/console/sessions/${session.id}/fields`, {
      customerName: "Carol Jones",
    }, HTMX);
    assert.equal(rename.status, 204);
    assert.equal((await findByToken(t.deps, session.token))!.customerName, "Carol Jones");

    assert.equal(
      (await browser.post(`/console/sessions/${session.id}/hold`, {}, HTMX)).status,
      204,
    );
    assert.equal(await status(), "on_hold");
    const again = await browser.post(`/console/sessions/${session.id}/hold`, {}, HTMX);
    assert.equal(again.status, 409, "no hold from On hold");
    assert.equal(again.headers.get("hx-retarget"), "#flash");
    assert.match(await again.text(), /not possible in the session/);
    assert.equal(
      (await browser.post(`/console/sessions/${session.id}/start`, {}, HTMX)).status,
      204,
    );
    assert.equal((await browser.post(`/console/sessions/${session.id}/end`, {}, HTMX)).status, 204);
    assert.equal(await status(), "removed");
  } finally {
    await t.close();
  }
});

Deno.test("Transfer lists online technicians only, refuses an Away one, and the recipient returns it", async () => {
  const t = await startTestApp();
  try {
    const a = await signedInTechnician(t, { name: "Ann" });
    const b = await signedInTechnician(t, { groupId: a.user.groupId!, name: "Bob" });
    const session = await createPinSession(t, a.browser);
    await customerConnected(t.deps, session);
    await a.browser.post(`/console/sessions/${session.id}/start`, {}, HTMX);

    let dialog = await (await a.browser.get(`/console/sessions/${session.id}/transfer`, HTMX))
      .text();
    assert.match(dialog, /<form id="transfer-form"/);
    assert.match(dialog, new RegExp(`<option value="technician:${b.user.id}">Bob</option>`));
    assert.match(dialog, new RegExp(`<option value="group:${a.user.groupId}">`));
    assert.match(dialog, /<textarea[^>]*name="note"/);

    await b.browser.post("/status", { status: "away" });
    dialog = await (await a.browser.get(`/console/sessions/${session.id}/transfer`, HTMX)).text();
    assert.doesNotMatch(dialog, new RegExp(`technician:${b.user.id}`), "Away is not listed");
    const refused = await a.browser.post(`/console/sessions/${session.id}/transfer`, {
      target: `technician:${b.user.id}`,
      note: "printer",
    }, HTMX);
    assert.equal(refused.status, 409);
    assert.match(await refused.text(), /not available/);
    assert.equal((await entriesOf(t, session.id)).length, 1);

    await b.browser.post("/status", { status: "online" });
    const sent = await a.browser.post(`/console/sessions/${session.id}/transfer`, {
      target: `technician:${b.user.id}`,
      note: "printer",
    }, HTMX);
    assert.equal(sent.status, 200);
    const rowOf = async (userId: string) =>
      (await entriesOf(t, session.id)).find((e) => e.userId === userId)!;
    assert.equal((await rowOf(a.user.id)).status, "outgoing");
    assert.deepEqual([(await rowOf(b.user.id)).status, (await rowOf(b.user.id)).note], [
      "incoming",
      "printer",
    ]);
    const page = await (await b.browser.get("/console")).text();
    assert.match(
      page,
      /<td class="c-note"[^>]*><span class="from">from Ann<\/span><span class="note">printer</,
    );
    assert.match(page, /data-action="return"/);

    assert.equal(
      (await b.browser.post(`/console/sessions/${session.id}/return`, {}, HTMX)).status,
      204,
    );
    assert.equal((await rowOf(a.user.id)).status, "incoming");
    assert.equal((await rowOf(b.user.id)).status, "removed");
  } finally {
    await t.close();
  }
});

Deno.test("an admin's console has the Monitored tab and its technicians' rows", async () => {
  const t = await startTestApp();
  try {
    const tech = await signedInTechnician(t);
    await createPinSession(t, tech.browser, "Erin");
    const admin = t.client();
    await admin.signIn(ADMIN.email, ADMIN.password);
    const page = await (await admin.get("/console")).text();
    assert.match(page, /data-tab="monitored"/);
    assert.match(page, /data-visibility="monitored"[^>]*>.*Erin/);
  } finally {
    await t.close();
  }
});

Deno.test("a session the customer closes while it is Outgoing gets no tab in the sender's console", async () => {
  const t = await startTestApp();
  try {
    const a = await signedInTechnician(t, { name: "Ann" });
    const b = await signedInTechnician(t, { groupId: a.user.groupId!, name: "Bob" });
    const session = await createPinSession(t, a.browser);
    await customerConnected(t.deps, session);
    await a.browser.post(`/console/sessions/${session.id}/start`, {}, HTMX);
    await a.browser.post(`/console/sessions/${session.id}/transfer`, {
      target: `technician:${b.user.id}`,
      note: "printer",
    }, HTMX);
    await customerLeft(t.deps, (await findByToken(t.deps, session.token))!);

    const mine = (await entriesOf(t, session.id)).find((e) => e.userId === a.user.id)!;
    assert.equal(mine.status, "closed", "the sender's row is Closed (SPEC Q8), to clear with End");
    const page = await (await a.browser.get("/console")).text();
    assert.match(page, new RegExp(`<tr data-session="${session.id}"[^>]*data-status="closed"`));
    assert.doesNotMatch(page, /<tr data-session="[^"]+"[^>]*data-has-tab/, "no tab for its row");
    assert.doesNotMatch(page, new RegExp(`data-tab-session="${session.id}"`), "no tab");
  } finally {
    await t.close();
  }
});
