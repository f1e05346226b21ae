// static/console.js in headless Chromium on the real console: a session created in the
// dialog appears live, moves with the customer and the buttons, gets a tab that opens its
// panel and log; queue tabs, the column chooser and the toolbar work; no CSP violation.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { startTestApp } from "../../tests/support/app.ts";
import { clickAndWait, withBrowser } from "../../tests/support/browser.ts";
import { makeGroup, makePerson, TECH_PASSWORD } from "../../tests/support/org.ts";
import { customerConnected, findByToken } from "../support/mod.ts";
import { customerChat } from "../support/test_support.ts";

const row = (id: string) => `#queue tbody tr[data-session="${id}"]`;

async function statusOf(page: Page, id: string, status: string) {
  await page.locator(`${row(id)}[data-status="${status}"]`).waitFor({ state: "attached" });
}

Deno.test({
  name: "browser: the console creates, shows and works a session live",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const t = await startTestApp();
    try {
      const group = await makeGroup(t);
      const person = await makePerson(t, { groupId: group.id });
      await withBrowser(t, async ({ base, newPage }) => {
        const page = await newPage();
        await page.goto(`${base}/signin`);
        await page.fill("#email", person.email);
        await page.fill("#password", TECH_PASSWORD);
        await clickAndWait(page, "button[type=submit]");
        assert.equal(new URL(page.url()).pathname, "/console");
        await page.waitForFunction(() => "htmx" in globalThis);

        // Nothing open and nothing selected: the toolbar's session actions have no target.
        assert.equal(await page.locator("[data-toolbar-action=hold]").isDisabled(), true);

        // New session by PIN: the dialog, the PIN, and the row arriving over the stream.
        await page.click("button[data-method=pin]");
        await page.fill("#ns-name", "Carol");
        await page.click("#new-session-form button[type=submit]");
        const pin = (await page.locator("#created-pin").textContent())?.trim() ?? "";
        assert.match(pin, /^\d{6}$/);
        const link = (await page.locator("#created-link").textContent())?.trim() ?? "";
        const session = (await findByToken(t.deps, link.split("/s/")[1]))!;
        await statusOf(page, session.id, "connecting");
        assert.equal(await page.locator(`${row(session.id)}.pending`).count(), 1);

        // The customer connects: Waiting, with a Start button; Start makes a tab.
        await customerConnected(t.deps, session);
        await statusOf(page, session.id, "waiting");
        await page.click(`${row(session.id)} button[data-action=start]`);
        await statusOf(page, session.id, "active");
        const tab = page.locator(`#session-tabs [data-tab-session="${session.id}"]`);
        await tab.waitFor();
        await tab.click();
        await page.locator(`#workspaces #log-${session.id}`).waitFor();
        await customerChat(t.deps, (await findByToken(t.deps, session.token))!, "It beeps");
        await page.locator(`#log-${session.id} li`, { hasText: "It beeps" }).waitFor();

        // Queue tabs filter on the client.
        await page.click("[data-tab=channel]");
        assert.equal(await page.locator(row(session.id)).isVisible(), false);
        await page.click("[data-tab=active]");
        assert.equal(await page.locator(row(session.id)).isVisible(), true);
        await page.click("[data-tab=all]");

        // The column chooser hides a column and remembers it.
        await page.click(".column-chooser summary");
        await page.uncheck("input[data-column-toggle=number]");
        assert.equal(await page.locator(`${row(session.id)} .c-number`).isVisible(), false);
        await page.reload();
        await page.waitForFunction(() => "htmx" in globalThis);
        assert.equal(await page.locator(`${row(session.id)} .c-number`).isVisible(), false);

        // Toolbar acts on the open tab's session (the reload reopened it) or the selected
        // row: Hold, then End after confirming.
        const hold = page.locator("[data-toolbar-action=hold]");
        await page.waitForFunction(() =>
          !(document.querySelector("[data-toolbar-action=hold]") as HTMLButtonElement).disabled
        );
        await page.click(`${row(session.id)} .c-status`);
        await hold.click();
        await statusOf(page, session.id, "on_hold");
        await page.click(`${row(session.id)} button[data-action=start]`);
        await statusOf(page, session.id, "active");
        page.once("dialog", (dialog) => dialog.accept());
        await page.click(`${row(session.id)} button[data-action=end]`);
        await page.locator(row(session.id)).waitFor({ state: "detached" });
        assert.equal(await tab.count(), 0);

        assert.deepEqual(page.errors, []);

        // Leaving the page ends its stream on the server: no listener is left behind.
        assert.equal(t.deps.live.listenerCount(person.orgId), 1, "one console open");
        await page.close();
        for (let i = 0; i < 50 && t.deps.live.listenerCount(person.orgId) > 0; i++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert.equal(t.deps.live.listenerCount(person.orgId), 0);
      });
    } finally {
      await t.close();
    }
  },
});
