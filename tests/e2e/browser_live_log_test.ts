// The open workspace's log follows what a status change writes (issue 13, "state that is
// true"): a hold writes its status line in the same transaction as the change, and only the
// queue row is published — the open log must show the line within a second, without a reload.
import assert from "node:assert/strict";
import { browserTest, signInPage, withBrowser } from "../support/browser.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician, workingSession } from "../support/sessions.ts";
import { defaultPermissions } from "../../modules/permissions/mod.ts";

const TRUTH_MS = 1_000;

browserTest(
  "browser: a hold's status line reaches the open workspace's log without a reload",
  async (t) => {
    const ann = await technician(t, { permissions: [...defaultPermissions(), "hold" as const] });
    const session = await workingSession(t, ann);
    const id = session.id;
    await withBrowser(t, async ({ base, newPage }) => {
      const page = await newPage();
      await page.setViewportSize({ width: 1366, height: 768 });
      await signInPage(page, base, ann.email, TECH_PASSWORD);
      await page.waitForFunction(() => "htmx" in globalThis);
      await page.locator(`#session-tabs [data-tab-session="${id}"]`).click();
      const log = page.locator(`#log-${id}`);
      await log.waitFor();
      const held = log.locator("li", { hasText: "On hold" });
      assert.equal(await held.count(), 0, "no hold line before the hold");

      await page.locator(`#queue tr[data-session="${id}"] button[data-action=hold]`).click();
      await page.locator(`#session-${id} .session-status[data-status=on_hold]`).waitFor();
      const started = Date.now();
      while (await held.count() === 0 && Date.now() - started < TRUTH_MS) {
        await page.waitForTimeout(50);
      }
      assert.equal(await held.count(), 1, "the hold's status line is in the open log");
      // Lines stay in the log's order (by id), and none is shown twice.
      const ids = await log.locator("li[data-log-id]").evaluateAll((items) =>
        items.map((item) => Number((item as HTMLElement).dataset.logId))
      );
      assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
      assert.equal(new Set(ids).size, ids.length);
      assert.deepEqual(page.errors, []);
    });
  },
);
