// The workspace's log opens on its newest line at 1366×768, also after the workspace settles
// (with the support app there the log is first laid out wide, then moves into the narrow side
// panel, and the browser's scroll anchoring left it ≈ 60 px above its end: the newest lines
// were hidden); a technician who scrolled up keeps their place when the window changes size.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { technicianChat } from "../../modules/support/mod.ts";
import { browserTest, signInPage, withBrowser } from "../support/browser.ts";
import { attachFakeAgent } from "../support/fake_agent.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician, workingSession } from "../support/sessions.ts";

/** How far the log is from its end, in pixels. */
const belowView = (page: Page, sessionId: string) =>
  page.evaluate((id) => {
    const log = document.getElementById(`log-${id}`)!;
    return log.scrollHeight - log.scrollTop - log.clientHeight;
  }, sessionId);

browserTest(
  "browser: the session log opens on its newest line and keeps a scrolled-up place",
  async (t) => {
    const user = await technician(t);
    const session = await workingSession(t, user);
    for (let i = 1; i <= 24; i++) {
      await technicianChat(t.deps, user, session.id, `Line ${i} of a long conversation`);
    }

    await withBrowser(t, async ({ base, newPage }) => {
      // The support app is connected: the remote desktop takes the main column.
      const agent = await attachFakeAgent(base, session.token);
      const tech = await newPage();
      await tech.setViewportSize({ width: 1366, height: 768 });
      await signInPage(tech, base, user.email, TECH_PASSWORD);
      await tech.goto(`${base}/console`);
      await tech.locator(`#session-tabs [data-tab-session="${session.id}"]`).click();
      const log = tech.locator(`#log-${session.id}`);
      await log.locator(".log-line", { hasText: "Line 24 of" }).waitFor({ state: "attached" });
      await tech.locator(`#session-${session.id} .remote-view[data-agent=connected]`).waitFor();
      await tech.waitForTimeout(600);
      const box = (await log.boundingBox())!;
      assert.ok(box.width < 500, `the log sits in the side panel (${box.width} px wide)`);
      assert.ok(await belowView(tech, session.id) <= 2, "the newest line is in view");

      // The technician scrolls up to read; a smaller window does not take them back down.
      await log.hover();
      await tech.mouse.wheel(0, -300);
      await tech.waitForTimeout(300);
      const readingAt = await belowView(tech, session.id);
      assert.ok(readingAt > 100, `scrolled up (${readingAt} px above the end)`);
      await tech.setViewportSize({ width: 1366, height: 700 });
      await tech.waitForTimeout(300);
      assert.ok(await belowView(tech, session.id) > 50, "the place scrolled to stands");
      // Back at the end, it follows the end again when the window changes.
      await tech.mouse.wheel(0, 5000);
      await tech.waitForTimeout(300);
      await tech.setViewportSize({ width: 1366, height: 640 });
      await tech.waitForTimeout(300);
      assert.ok(await belowView(tech, session.id) <= 2, "at the end again, it stays there");
      assert.deepEqual(tech.errors, []);
      agent.close();
      await agent.closed;
    });
  },
);
