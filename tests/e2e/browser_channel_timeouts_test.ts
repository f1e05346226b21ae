/**
 * A channel session and the persisted timers, in real browsers with short group settings:
 * a customer fills in the channel form (with a custom field) → lands on Instant Chat → the
 * row appears live in the channel queue of a technician serving the channel; the waiting
 * timeout removes an unanswered one (the customer's page says it ended); a picked-up one
 * times out for inactivity and stays until cleared; the customer's network drops and comes
 * back (Reconnecting → Offline after 5 minutes → Active); a held one times out at the hold
 * limit; an unused PIN expires with the connecting timeout and is refused afterwards. Time
 * moves by the test clock and `fireDueDeadlines`, never by sleeping through minutes.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";

import { browserTest, clickAndWait, signInPage, withBrowser } from "../support/browser.ts";
import { masterAdmin, TECH_PASSWORD } from "../support/org.ts";
import { technician } from "../support/sessions.ts";
import { setGroupSettings } from "../../modules/org/mod.ts";
import { addField, channelForm, createChannelVia } from "../../modules/channels/test_fixtures.ts";
import { ADMIN } from "../support/app.ts";
import { fireDueDeadlines } from "../../modules/support/mod.ts";

const row = (id: string) => `#queue tbody tr[data-session="${id}"]`;
const MINUTE = 60_000;

async function waitStatus(page: Page, id: string, status: string) {
  await page.locator(`${row(id)}[data-status="${status}"]`).waitFor({ state: "attached" });
}

browserTest("browser: a channel form session, and the timeouts with short settings", async (t) => {
  const tech = await technician(t, { name: "Tess" });
  await setGroupSettings(t.deps.db, tech.groupId!, {
    connectingTimeout: 1,
    waitingTimeout: 2,
    inactivityTimeout: 10,
    holdMaxDays: 1,
  }, { actor: await masterAdmin(t), ip: "127.0.0.1", now: t.clock.now() });
  const admin = t.client();
  await admin.signIn(ADMIN.email, ADMIN.password);
  const f = { t, admin, orgId: tech.orgId };
  const order = await addField(f, "Order number", 10);
  const channel = await createChannelVia(
    f,
    channelForm({ groupId: tech.groupId!, fields: { [order]: "required" } }),
  );
  const fire = async (minutes: number) => {
    t.clock.advance(minutes * MINUTE);
    return await fireDueDeadlines(t.deps);
  };

  await withBrowser(t, async ({ base, newPage }) => {
    const console = await newPage();
    await signInPage(console, base, tech.email, TECH_PASSWORD);
    await console.waitForFunction(() => "htmx" in globalThis);
    await console.click("[data-tab=channel]");

    /** A customer through the channel form; returns the page and the session id. */
    const arrive = async (name: string) => {
      const customer = await newPage();
      await customer.goto(`${base}/c/${channel.slug}`);
      await customer.fill("input[name=name]", name);
      await customer.fill(`input[name=f_${order}]`, "A-1234");
      await clickAndWait(customer, "button[type=submit]");
      assert.match(new URL(customer.url()).pathname, /^\/s\//);
      const cell = console.locator(`#queue tbody tr[data-kind=channel]`, { hasText: name });
      await cell.waitFor();
      const id = (await cell.getAttribute("data-session"))!;
      await waitStatus(console, id, "waiting");
      assert.match((await cell.textContent())!, /A-1234/, "the custom field is shown");
      assert.equal(await cell.locator(".c-channel").textContent(), "Helpdesk");
      return { customer, id };
    };

    // 1. Nobody picks it up: the waiting timeout (2 min) removes it, live.
    const first = await arrive("Walter Waiting");
    assert.equal(await fire(1.9), 0, "not yet");
    assert.equal(await fire(0.2), 1);
    await console.locator(row(first.id)).waitFor({ state: "detached" });
    await first.customer.locator("#ended-notice").waitFor();

    // 2. Picked up, then nobody says anything for the inactivity timeout (10 min).
    const second = await arrive("Ida Idle");
    await console.click(`${row(second.id)} button[data-action=start]`);
    await waitStatus(console, second.id, "active");
    await fire(9.9);
    await waitStatus(console, second.id, "active");

    // 3. Meanwhile the customer's network drops: Reconnecting, Offline after 5 minutes,
    //    and back to Active when the page reconnects by itself.
    await second.customer.context().setOffline(true);
    await waitStatus(console, second.id, "reconnecting");
    await second.customer.context().setOffline(false);
    await waitStatus(console, second.id, "active");
    await second.customer.context().setOffline(true);
    await waitStatus(console, second.id, "reconnecting");
    await fire(5.1);
    await waitStatus(console, second.id, "offline");
    await second.customer.context().setOffline(false);
    await waitStatus(console, second.id, "active");
    await fire(10.1);
    await waitStatus(console, second.id, "timed_out");
    // As the technician sees it before ending it: the open workspace fetched again, read-only
    // (an End clicked while that fetch is on its way answers it with a 404 for a cleared session).
    await console.locator(
      `[data-active-session="${second.id}"] .workspace-head .session-status[data-status=timed_out]`,
    ).waitFor();
    console.once("dialog", (dialog) => dialog.accept());
    await console.click(`${row(second.id)} button[data-action=end]`);
    await console.locator(row(second.id)).waitFor({ state: "detached" });

    // 4. An unused PIN expires with the connecting timeout (1 min) and is refused.
    await console.click("button[data-method=pin]");
    await console.fill("#ns-name", "Paula PIN");
    await console.click("#new-session-form button[type=submit]");
    const pin = (await console.locator("#created-pin").textContent())!.trim();
    assert.equal(await fire(1.1), 1);
    const late = await newPage();
    await late.goto(`${base}/pin`);
    await late.fill("input[name=pin]", pin);
    const [answer] = await Promise.all([
      late.waitForResponse((r) => r.url().endsWith("/pin") && r.request().method() === "POST"),
      late.click("button[type=submit]"),
    ]);
    assert.equal(answer.status(), 422, "an expired PIN is a wrong PIN");

    assert.deepEqual(console.errors, []);

    // 5. Held at the hold limit (1 day): Timed out.
    const third = await arrive("Hannah Hold");
    await console.click(`${row(third.id)} button[data-action=start]`);
    await waitStatus(console, third.id, "active");
    await console.click(`${row(third.id)} button[data-action=hold]`);
    await waitStatus(console, third.id, "on_hold");
    await fire(24 * 60 + 1);
    // A day on the test clock also ends the technician's sign-in: a request of the console
    // that went out after the jump (a poll, the timed-out tab's workspace turning read-only)
    // may be refused with 401 and send that page to sign in — and a socket it opens again (the
    // remote view's) is sent to sign in with a 303. The row is read on a console signed in afresh.
    const again = await newPage();
    await signInPage(again, base, tech.email, TECH_PASSWORD);
    await waitStatus(again, third.id, "timed_out");
    const signedOut = /status of 401|WebSocket handshake: Unexpected response code: 303/;
    assert.deepEqual(console.errors.filter((e) => !signedOut.test(e)), []);
  });
});
