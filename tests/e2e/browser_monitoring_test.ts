/**
 * Monitoring end to end (SPEC K4), on real parts: the real agent on an Xvfb display, the real
 * server, Chromium for the technician, the admin and the agent's window. The group asks its
 * technicians first and tells them while watched. The admin opens "Monitor technician" from
 * the console toolbar (the list says who is online and their open sessions) and picks the
 * technician; its page waits while the technician's console asks "allow?"; Allow turns it
 * live and the console shows the group's notice. Then, as the technician works: a new session
 * arrives in the monitored queue, the tab it opens appears as a card, the remote view it opens
 * shows in the admin's view-only viewer (no control offered), a chat line appears as it is
 * written; the console's Monitored tab lists the technician; Join makes the admin a
 * collaborator; the technician signing out closes the monitoring with a message. Screenshots
 * at 1366×768 and 1920×1080 into MONITORING_SHOTS (or /tmp).
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
import { users } from "../../modules/auth/mod.ts";
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

/** The page at 1366×768 and at 1920×1080, back at 1366×768 after. */
async function shots(page: Page, name: string) {
  await page.screenshot({ path: `${SHOTS}/monitoring_${name}_1366x768.png` });
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.screenshot({ path: `${SHOTS}/monitoring_${name}_1920x1080.png` });
  await page.setViewportSize({ width: 1366, height: 768 });
}

Deno.test({
  name:
    "e2e: an admin monitors a technician — asked and allowed, the queue, tab, picture and chat live, Join, sign-out",
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
          monitoringAuthorisation: true,
        },
      }).where(eq(technicianGroups.id, ann.groupId!));
      const mia = await makePerson(t, { groupId: ann.groupId!, role: "admin" });
      await t.deps.db.update(users).set({ name: "Mia" }).where(eq(users.id, mia.id));
      await t.deps.db.insert(groupAdmins).values({ userId: mia.id, groupId: ann.groupId! });

      await withBrowser(t, async ({ base, newPage }) => {
        (t.deps.config as { publicUrl: string }).publicUrl = base;
        const tech = await newPage();
        await signIn(tech, base, ann.email);
        const admin = await newPage();
        await signIn(admin, base, mia.email);

        // --- the list, Monitor, the technician asked ------------------------------------
        await clickAndWait(admin, "a[data-monitoring-link]");
        const annRow = admin.locator(`#monitor-team tr[data-technician="${ann.id}"]`);
        await annRow.locator(".presence.online").waitFor();
        assert.equal((await annRow.locator("td.num").textContent())?.trim(), "0");
        await shots(admin, "list");
        await clickAndWait(admin, `button[data-monitor="${ann.id}"]`);
        assert.match(admin.url(), new RegExp(`/monitoring/${ann.id}$`));
        await admin.locator('[data-waiting]:has-text("Waiting for Ann to allow monitoring")')
          .waitFor();
        const ask = tech.locator('#monitoring-notice [data-monitoring-ask]:has-text("Mia asks")');
        await ask.waitFor();
        await shots(tech, "ask");
        await shots(admin, "waiting");
        step("the admin waits; Ann's console asks her to allow it");
        await Promise.all([
          admin.waitForURL(/monitoring/, { waitUntil: "load" }),
          admin.locator("#monitor-queue").waitFor({ state: "attached", timeout: 30_000 }),
          ask.locator("button", { hasText: "Allow" }).click(),
        ]);
        await tech.locator('#monitoring-notice [data-monitored]:has-text("Your lead may watch.")')
          .waitFor();
        await shots(tech, "notice");
        step("Ann allowed: the monitor page is live, her console says she is monitored");

        // --- Ann works: each step shows on the monitor page as it happens ---------------
        const { session, customerApp, appWindow } = await pinSessionWithAgent(
          t.deps,
          tech,
          newPage,
          { base, display: xvfb.display, stateDir: `${work}/agent-state` },
        );
        agent = customerApp.agent;
        await admin.locator(`#monitor-queue tr[data-session="${session.id}"]`).waitFor({
          state: "attached",
        });
        step("a new session arrived in the monitored queue live");
        const workspace = await startFromQueue(tech, session.id);
        const card = admin.locator(`[data-monitor-session="${session.id}"]`);
        await card.waitFor();
        step("the session Ann opened appeared as a card");
        await workspace.locator(".remote-view .rv-view").click();
        await appWindow.locator("#allow-view").click();
        await admin.waitForFunction(
          () => {
            const video = document.querySelector<HTMLVideoElement>(
              '.remote-view[data-monitor="1"] .rv-video',
            );
            return Boolean(video && video.videoWidth === 1280 && video.videoHeight === 720);
          },
          undefined,
          { timeout: 60_000 },
        ).catch(async (error) => {
          // What the viewer said when the picture did not come: the failure says why.
          await admin.screenshot({ path: `${SHOTS}/monitoring_no_picture.png` });
          const island = await card.locator(".remote-view").evaluate((el) =>
            JSON.stringify((el as HTMLElement).dataset) + " " + el.textContent?.slice(0, 300)
          );
          throw new Error(`no picture on the monitor page: ${island}`, { cause: error });
        });
        assert.equal(await card.locator(".rv-control:enabled").count(), 0, "no control");
        await card.locator('.rv-control-holder[data-owner="monitor"]').waitFor();
        step("the remote view Ann opened shows in the monitor's viewer, view only");
        await technicianChat(t.deps, ann, session.id, "Restarting the print spooler now");
        await card.locator('.session-log :text("Restarting the print spooler now")').waitFor();
        await shots(admin, "page");
        step("the chat line arrived live");

        // --- the console's Monitored tab: Ann, and her rows --------------------------------
        const consoleTab = await admin.context().newPage();
        consoleTab.setDefaultTimeout(30_000);
        await consoleTab.setViewportSize({ width: 1366, height: 768 });
        await consoleTab.goto(`${base}/console`);
        await consoleTab.click('[data-tab="monitored"]');
        await consoleTab.locator(`#monitored-panel [data-watching-technician="${ann.id}"]`)
          .waitFor();
        await consoleTab.locator(`#queue tr[data-session="${session.id}"]`).waitFor();
        await shots(consoleTab, "tab");
        step("the console's Monitored tab lists Ann and her session");

        // --- Join from a second monitor page; Ann signs out: the first one says so --------
        await consoleTab.goto(`${base}/monitoring/${ann.id}`, { waitUntil: "domcontentloaded" });
        await clickAndWait(consoleTab, `button[data-join="${session.id}"]`);
        const rows = await liveEntries(t.deps.db, session.id);
        const joined = rows.find((r) => r.userId === mia.id);
        assert.equal(joined?.status, "collaborating");
        assert.equal(joined?.role, "collaborator");
        step("joined as a collaborator");
        await clickAndWait(tech, 'form[action="/signout"] button');
        await admin.locator('[data-over]:has-text("Ann signed out: monitoring closed.")')
          .waitFor();
        assert.equal(await admin.locator("#monitor-queue, [data-monitor-session]").count(), 0);
        await shots(admin, "closed");
        step("Ann signed out: the monitor page says the monitoring closed");
        assert.deepEqual(admin.errors.filter((e) => !/favicon|WebSocket/.test(e)), []);
        assert.deepEqual(tech.errors.filter((e) => !/favicon|WebSocket/.test(e)), []);
      });
    } finally {
      await closeAgentWorld({ agent, app: t, xvfb, work });
    }
  },
});
