/**
 * The whole support case in real browsers (headless Chromium, three contexts): two
 * technicians — Ann, and Bob who also administers their group and so monitors Ann's queue —
 * and one customer. PIN created → the customer enters it → Waiting appears live in both
 * consoles (and in Ann's second tab) → Start → chat both ways (persisted) → a predefined
 * reply edited before sending and a pushed URL → a file with matching MD5/SHA-256 on both
 * sides → transfer Ann → Bob with a note (Outgoing / Incoming) → Bob accepts → Hold → Start
 * → the customer ends (Closed) → End (Removed). No page logs an error or CSP violation.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { md5, sha256 } from "hash-wasm";
import type { Page } from "playwright-core";

import { browserTest, clickAndWait, signInPage, withBrowser } from "../support/browser.ts";
import { makeGroup, makePerson, TECH_PASSWORD } from "../support/org.ts";
import { groupAdmins } from "../../modules/org/mod.ts";
import { predefinedReplies } from "../../modules/replies/mod.ts";
import { findByToken, readLog } from "../../modules/support/mod.ts";
import { queueEntries } from "../../modules/support/test_support.ts";
import { eq } from "drizzle-orm";

const row = (id: string) => `#queue tbody tr[data-session="${id}"]`;

async function waitStatus(page: Page, id: string, status: string) {
  await page.locator(`${row(id)}[data-status="${status}"]`).waitFor({ state: "attached" });
}

async function signIn(page: Page, base: string, email: string) {
  await signInPage(page, base, email, TECH_PASSWORD);
  assert.equal(new URL(page.url()).pathname, "/console");
  await page.waitForFunction(() => "htmx" in globalThis);
}

browserTest("browser: a whole support case with two technicians and a customer", async (t) => {
  const group = await makeGroup(t, { name: "First line" });
  const ann = await makePerson(t, { groupId: group.id, email: "ann@example.test" });
  const bob = await makePerson(t, {
    groupId: group.id,
    email: "bob@example.test",
    role: "admin",
  });
  await t.deps.db.insert(groupAdmins).values({ groupId: group.id, userId: bob.id });
  const now = t.clock.now();
  await t.deps.db.insert(predefinedReplies).values([
    {
      orgId: ann.orgId,
      userId: ann.id,
      kind: "reply",
      title: "Greeting",
      body: "Hello, I am Ann.",
      createdAt: now,
      updatedAt: now,
    },
    {
      orgId: ann.orgId,
      userId: ann.id,
      kind: "url",
      title: "Status",
      body: "PLACEHOLDER",
      createdAt: now,
      updatedAt: now,
    },
  ]);

  await withBrowser(t, async ({ base, newPage }) => {
    await t.deps.db.update(predefinedReplies).set({ body: `${base}/healthz` })
      .where(eq(predefinedReplies.title, "Status"));
    const annPage = await newPage();
    const bobPage = await newPage();
    const customer = await newPage();
    await signIn(annPage, base, ann.email);
    const annSecondTab = Object.assign(await annPage.context().newPage(), { errors: [] });
    await annSecondTab.goto(`${base}/console`);
    await signIn(bobPage, base, bob.email);
    // Bob monitors Ann (SPEC K4): her queue is then in his console's Monitored tab.
    const started = await bobPage.evaluate(async (path) => {
      const token = JSON.parse(document.body.getAttribute("hx-headers") ?? "{}")["X-CSRF-Token"];
      const res = await fetch(path, {
        method: "POST",
        headers: { "X-CSRF-Token": token, "HX-Request": "true" },
      });
      return res.status;
    }, `/monitoring/${ann.id}/start`);
    assert.ok(started < 400, `Bob monitors Ann (${started})`);
    await bobPage.goto(`${base}/console`);
    await bobPage.click("[data-tab=monitored]");

    // 1. Ann creates a PIN session.
    await annPage.click("button[data-method=pin]");
    await annPage.fill("#ns-name", "Carol");
    await annPage.click("#new-session-form button[type=submit]");
    const pin = (await annPage.locator("#created-pin").textContent())!.trim();
    assert.match(pin, /^\d{6}$/);
    const link = (await annPage.locator("#created-link").textContent())!.trim();
    const session = (await findByToken(t.deps, link.split("/s/")[1]))!;
    await waitStatus(annPage, session.id, "connecting");

    // 2. The customer enters the PIN; Waiting appears live in every console that sees it.
    await customer.goto(`${base}/pin`);
    await customer.fill("input[name=pin]", pin);
    await clickAndWait(customer, "button[type=submit]");
    assert.equal(new URL(customer.url()).pathname, `/s/${session.token}`);
    await waitStatus(annPage, session.id, "waiting");
    await waitStatus(annSecondTab, session.id, "waiting");
    await waitStatus(bobPage, session.id, "waiting");
    assert.equal(await bobPage.locator(row(session.id)).isVisible(), true, "monitored");

    // 3. Start, and chat both ways.
    await annPage.click(`${row(session.id)} button[data-action=start]`);
    await waitStatus(annPage, session.id, "active");
    await waitStatus(bobPage, session.id, "active");
    await annPage.locator(`#session-tabs [data-tab-session="${session.id}"]`).click();
    const chatInput = annPage.locator(`#chat-input-${session.id}`);
    await chatInput.waitFor();
    await chatInput.fill("Hi Carol, what is wrong?");
    await chatInput.press("Enter");
    await customer.locator("#customer-log .log-line", { hasText: "what is wrong" }).waitFor();
    await customer.fill("#customer-chat-input", "My printer beeps");
    await customer.locator("#customer-chat-input").press("Enter");
    await annPage.locator(`#log-${session.id} .log-line`, { hasText: "printer beeps" })
      .waitFor();
    const persisted = (await readLog(t.deps.db, session.id)).filter((l) => l.kind === "chat");
    assert.deepEqual(persisted.map((l) => [l.author, l.body]), [
      ["technician", "Hi Carol, what is wrong?"],
      ["customer", "My printer beeps"],
    ]);

    // 4. A predefined reply, edited before sending, and a pushed URL.
    await annPage.locator(`#session-${session.id} details.replies summary`).click();
    await annPage.locator(`#session-${session.id} [data-insert="Hello, I am Ann."]`).click();
    assert.equal(await chatInput.inputValue(), "Hello, I am Ann.");
    await chatInput.fill("Hello, I am Ann. Let me look.");
    await chatInput.press("Enter");
    await customer.locator("#customer-log .log-line", { hasText: "Let me look." }).waitFor();
    await annPage.locator(`#session-${session.id} .replies form button[type=submit]`).click();
    const pushed = customer.locator("#customer-log a.pushed-url");
    await pushed.waitFor();
    // The page tries window.open at once; a popup blocker may stop that, so the link stays.
    const [popup] = await Promise.all([customer.waitForEvent("popup"), pushed.click()]);
    assert.equal(new URL(popup.url()).pathname, "/healthz", "opened for the customer");

    // 5. A file to the customer: the same fingerprints on both sides.
    const bytes = new TextEncoder().encode("driver v2.1\n".repeat(2000));
    // Files are on the workspace's own tool tab (issue 13).
    await annPage.click(`#ws-tab-files-${session.id}`);
    await annPage.setInputFiles(`#send-file-${session.id}`, {
      name: "driver.txt",
      mimeType: "text/plain",
      buffer: Buffer.from(bytes),
    });
    await annPage.click("#send-file-form button[type=submit]");
    const expected = { md5: await md5(bytes), sha256: await sha256(bytes) };
    const fileLine = customer.locator("#customer-log .log-line[data-kind=file]");
    await fileLine.waitFor();
    await annPage.click(`#ws-tab-chat-${session.id}`);
    const annFile = annPage.locator(`#log-${session.id} .log-line[data-kind=file]`);
    await annFile.waitFor();
    for (const line of [fileLine, annFile]) {
      assert.equal((await line.locator(".fp-md5").textContent())!.trim(), expected.md5);
      assert.equal((await line.locator(".fp-sha256").textContent())!.trim(), expected.sha256);
    }

    // 6. Transfer Ann → Bob with a note: Outgoing for Ann, Incoming for Bob.
    await annPage.click(`${row(session.id)} button[data-action=transfer]`);
    await annPage.selectOption("#transfer-form select[name=target]", `technician:${bob.id}`);
    await annPage.fill("#transfer-form textarea[name=note]", "Printer driver, needs a reboot");
    await annPage.click("#transfer-form button[type=submit]");
    await waitStatus(annPage, session.id, "outgoing");
    await bobPage.click("[data-tab=all]");
    await waitStatus(bobPage, session.id, "incoming");
    const bobRow = bobPage.locator(`${row(session.id)}[data-status=incoming]`);
    assert.match((await bobRow.locator(".c-note").textContent())!, /needs a reboot/);

    // 7. Bob accepts; Ann's row goes. Hold, then Start again.
    await bobRow.locator("button[data-action=start]").click();
    await waitStatus(bobPage, session.id, "active");
    await annPage.locator(`${row(session.id)}[data-status=outgoing]`).waitFor({
      state: "detached",
    });
    await bobPage.click(`${row(session.id)} button[data-action=hold]`);
    await waitStatus(bobPage, session.id, "on_hold");
    await bobPage.click(`${row(session.id)} button[data-action=start]`);
    await waitStatus(bobPage, session.id, "active");

    // 8. The customer ends the session: Closed for Bob; End removes the row.
    customer.once("dialog", (dialog) => dialog.accept());
    await customer.click("#end-session");
    await waitStatus(bobPage, session.id, "closed");
    bobPage.once("dialog", (dialog) => dialog.accept());
    await bobPage.click(`${row(session.id)} button[data-action=end]`);
    await bobPage.locator(`${row(session.id)}[data-visibility=own]`).waitFor({
      state: "detached",
    });
    const rows = await t.deps.db.select().from(queueEntries)
      .where(eq(queueEntries.sessionId, session.id));
    assert.deepEqual(rows.map((r) => r.status).sort(), ["removed", "removed"]);

    for (const page of [annPage, bobPage, customer, annSecondTab]) {
      assert.deepEqual(page.errors, []);
    }
  });
});
