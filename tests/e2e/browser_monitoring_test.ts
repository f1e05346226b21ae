/**
 * Monitoring end to end (SPEC K4), on real parts: the real agent on an Xvfb display, the real
 * server, Chromium for the technician, the admin and the agent's window. The admin opens
 * "Monitor technician" from the console toolbar and picks the technician of its group; the
 * monitor page shows the technician's session row and card; the technician's console shows
 * the group's notice; a chat line the technician writes appears on the monitor page as it is
 * written; the technician's remote picture arrives in the monitor page's view-only viewer,
 * which offers no control; Join makes the admin a collaborator. Screenshot at 1366×768 into
 * MONITORING_SHOTS (or /tmp).
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { startTestApp } from "../support/app.ts";
import { clickAndWait, withBrowser } from "../support/browser.ts";
import { makePerson, TECH_PASSWORD } from "../support/org.ts";
import { technician } from "../support/sessions.ts";
import { closeAgentWorld, pinSessionWithAgent, startFromQueue } from "../support/agent_e2e.ts";
import { startXvfb } from "../../agent/platform/xvfb_test_support.ts";
import { liveEntries, technicianChat } from "../../modules/support/mod.ts";
import { defaultGroupSettings, groupAdmins, technicianGroups } from "../../modules/org/mod.ts";

const SHOTS = Deno.env.get("MONITORING_SHOTS") ?? "/tmp";
const step = (what: string) => console.log(`  · ${what}`);

async function signIn(page: Page, base: string, email: string) {
  page.setDefaultTimeout(30_000); // the machine running this may be busy
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto(`${base}/signin`);
  await page.fill("#email", email);
  await page.fill("#password", TECH_PASSWORD);
  await clickAndWait(page, "button[type=submit]");
}

Deno.test({
  name: "e2e: an admin monitors a technician — rows, notice, a chat line live, the picture, Join",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const xvfb = await startXvfb({ width: 1280, height: 720 });
    const work = await Deno.makeTempDir({ prefix: "rescue-monitoring-e2e-" });
    const t = await startTestApp();
    let agent: Deno.ChildProcess | null = null;
    try {
      const ann = await technician(t, { name: "Ann" });
      await t.deps.db.update(technicianGroups).set({
        settings: {
          ...defaultGroupSettings(),
          monitoringNotice: true,
          monitoringNoticeText: "Your lead may watch.",
        },
      }).where(eq(technicianGroups.id, ann.groupId!));
      const mia = await makePerson(t, { groupId: ann.groupId!, role: "admin" });
      await t.deps.db.insert(groupAdmins).values({ userId: mia.id, groupId: ann.groupId! });

      await withBrowser(t, async ({ base, newPage }) => {
        (t.deps.config as { publicUrl: string }).publicUrl = base;
        const tech = await newPage();
        await signIn(tech, base, ann.email);
        const { session, customerApp, appWindow } = await pinSessionWithAgent(
          t.deps,
          tech,
          newPage,
          {
            base,
            display: xvfb.display,
            stateDir: `${work}/agent-state`,
          },
        );
        agent = customerApp.agent;
        const workspace = await startFromQueue(tech, session.id);
        await workspace.locator(".remote-view .rv-view").click();
        await appWindow.locator("#allow-view").click();
        step("Ann works the session and sees the customer's screen");

        // The admin: the console's toolbar link, the list, Monitor.
        const admin = await newPage();
        await signIn(admin, base, mia.email);
        await clickAndWait(admin, "a[data-monitoring-link]");
        await clickAndWait(admin, `button[data-monitor="${ann.id}"]`);
        assert.match(admin.url(), new RegExp(`/monitoring/${ann.id}$`));
        await admin.locator(`#monitor-queue tr[data-session="${session.id}"]`).waitFor({
          state: "attached",
        });
        const card = admin.locator(`[data-monitor-session="${session.id}"]`);
        await card.waitFor();
        step("monitor page: Ann's row and session card");

        // Ann's console tells her.
        await tech.locator('#monitoring-notice [data-monitored]:has-text("Your lead may watch.")')
          .waitFor();
        step("Ann's console shows the group's notice");

        // A chat line Ann writes shows on the monitor page as it is written.
        await technicianChat(t.deps, ann, session.id, "Restarting the print spooler now");
        await card.locator('.session-log :text("Restarting the print spooler now")').waitFor();
        step("the chat line arrived live");

        // The picture, view only: no control offered, and the island says so.
        await admin.waitForFunction(
          () => {
            const video = document.querySelector<HTMLVideoElement>(
              '.remote-view[data-monitor="1"] .rv-video',
            );
            return Boolean(video && video.videoWidth === 1280 && video.videoHeight === 720);
          },
          undefined,
          { timeout: 40_000 },
        );
        assert.equal(await card.locator(".rv-control:enabled").count(), 0, "no control");
        await card.locator('.rv-control-holder[data-owner="monitor"]').waitFor();
        await admin.screenshot({ path: `${SHOTS}/monitoring_1366x768.png` });
        step("the picture arrived in the monitor's viewer");

        // Join: the admin becomes a collaborator in the session.
        await clickAndWait(admin, `button[data-join="${session.id}"]`);
        const rows = await liveEntries(t.deps.db, session.id);
        const joined = rows.find((r) => r.userId === mia.id);
        assert.equal(joined?.status, "collaborating");
        assert.equal(joined?.role, "collaborator");
        step("joined as a collaborator");
        assert.deepEqual(admin.errors.filter((e) => !/favicon|WebSocket/.test(e)), []);
      });
    } finally {
      await closeAgentWorld({ agent, app: t, xvfb, work });
    }
  },
});
