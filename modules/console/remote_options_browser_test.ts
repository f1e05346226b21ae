// The two remote-view console options (SPEC Q7) in headless Chromium, on the real console: a
// technician who saves "Open remote views in a separate window" and clears "Synchronise the
// clipboard" finds, in a session's workspace, no view but a button that opens the view's own
// window (a popup, the view mounted there, its clipboard sync off) and one that shows it in
// the tab after all (mounted then, not before: no second viewer beside the window); with the
// options back at their defaults the view is in the tab, its clipboard sync on.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { browserTest, signInPage, withBrowser } from "../../tests/support/browser.ts";
import { TECH_PASSWORD } from "../../tests/support/org.ts";
import { technician, workingSession } from "../../tests/support/sessions.ts";

async function saveOptions(page: Page, base: string, detach: boolean, clipboard: boolean) {
  await page.goto(`${base}/console/options`);
  await page.setChecked("input[name=detachRemoteViews]", detach);
  await page.setChecked("input[name=clipboardSync]", clipboard);
  await Promise.all([
    page.waitForURL(/saved=1/),
    page.click("#console-options-form button[type=submit]"),
  ]);
  assert.equal(await page.isChecked("input[name=detachRemoteViews]"), detach);
  assert.equal(await page.isChecked("input[name=clipboardSync]"), clipboard);
}

const SHOTS = Deno.env.get("REMOTE_OPTIONS_SHOTS"); // a folder for screenshots, when looking

async function shoot(page: Page, name: string) {
  if (!SHOTS) return;
  for (const [width, height] of [[1366, 768], [1920, 1080]]) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: `${SHOTS}/${name}-${width}.png` });
  }
}

/** The island's own toolbar: it mounted (and opened its viewer socket). */
const mounted = (page: Page) => page.locator(".remote-view[data-session] .rv-toolbar").count();

browserTest(
  "browser: remote views open in their own window, clipboard sync off, by option",
  async (t) => {
    const tech = await technician(t);
    const session = await workingSession(t, tech);
    await withBrowser(t, async ({ base, newPage }) => {
      const page = await newPage();
      await signInPage(page, base, tech.email, TECH_PASSWORD);
      await saveOptions(page, base, true, false);

      await page.goto(`${base}/console/sessions/${session.id}`);
      const box = page.locator(`[data-remote-elsewhere="${session.id}"]`);
      await box.waitFor();
      assert.match(await box.innerText(), /open the remote view in its own window/);
      assert.equal(await mounted(page), 0, "no view in the tab, no viewer socket");
      await shoot(page, "remote-elsewhere");
      const [popup] = await Promise.all([
        page.context().waitForEvent("page"),
        box.locator("[data-open-remote]").click(),
      ]);
      await popup.waitForLoadState();
      assert.equal(new URL(popup.url()).pathname, `/console/sessions/${session.id}/remote`);
      await popup.locator(".remote-view[data-session] .rv-toolbar").waitFor({ state: "attached" });
      assert.equal(
        await popup.locator(".remote-view").getAttribute("data-clipboard-sync"),
        "0",
        "the window follows the option: clipboard sync off",
      );
      await popup.close();

      // Shown here after all: the view mounts in the tab, the box is gone.
      await box.locator("[data-remote-here]").click();
      await page.locator(".remote-view[data-session] .rv-toolbar").waitFor({ state: "attached" });
      assert.equal(await box.count(), 0);
      assert.equal(
        await page.locator(".remote-view").getAttribute("data-clipboard-sync"),
        "0",
      );
      // The clipboard box says it is by hand (ticked off), before control is even asked.
      assert.equal(await page.locator(".rv-clipboard-auto").isChecked(), false);
      await shoot(page, "remote-here");

      // Back to the defaults: the view is in the tab, its clipboard synchronised by itself.
      await saveOptions(page, base, false, true);
      await page.goto(`${base}/console/sessions/${session.id}`);
      await page.locator(".remote-view[data-session] .rv-toolbar").waitFor({ state: "attached" });
      assert.equal(await page.locator("[data-remote-elsewhere]").count(), 0);
      assert.equal(await page.locator(".remote-view").getAttribute("data-clipboard-sync"), "1");
      assert.equal(await page.locator(".rv-clipboard-auto").isChecked(), true);
      assert.deepEqual(page.errors, []);
    });
  },
);
