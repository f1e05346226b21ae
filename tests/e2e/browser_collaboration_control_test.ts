/**
 * Several technicians on one remote view, end to end on real parts (issue 20, SPEC K1/K3):
 * the real agent on Xvfb, the real server, Chromium for the lead (Ann), the colleague (Bob),
 * the customer's page and the agent's window. Ann invites Bob → Bob's Start makes him
 * Collaborating → both see the customer's picture → control passes explicitly in the islands
 * (Bob asks, Ann gives; Ann takes it back) while the customer's page names who is connected
 * and who controls → a technicians-only chat line never reaches the customer's page → Ann
 * hands the lead to Bob, who accepts → Bob ends: the session ends for everyone (Ann's row
 * Closed, the customer's page says so). External
 * technicians are covered by tests/e2e/browser_external_tech_test.ts.
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { users } from "../../modules/auth/mod.ts";
import type { Page } from "playwright-core";
import { startTestApp } from "../support/app.ts";
import { clickAndWait, withBrowser } from "../support/browser.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician } from "../support/sessions.ts";
import {
  closeAgentWorld,
  pinSessionWithAgent,
  queueRow,
  startFromQueue,
} from "../support/agent_e2e.ts";
import { startXvfb } from "../../agent/platform/xvfb_test_support.ts";
import { endSession, liveEntries, loadSession, technicianChat } from "../../modules/support/mod.ts";
import { acceptLead, handOverLead } from "../../modules/collaboration/mod.ts";

const step = (what: string) => console.log(`  · ${what}`);

async function signIn(page: Page, base: string, email: string) {
  page.setDefaultTimeout(30_000); // the machine running this may be busy
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto(`${base}/signin`);
  await page.fill("#email", email);
  await page.fill("#password", TECH_PASSWORD);
  await clickAndWait(page, "button[type=submit]");
  await page.waitForFunction(() => "htmx" in globalThis);
}

/** Waits until this page's remote view shows the customer's 1280×720 picture. */
function picture(page: Page) {
  return page.waitForFunction(
    () => {
      const video = document.querySelector<HTMLVideoElement>(".remote-view .rv-video");
      return Boolean(video && video.videoWidth === 1280 && video.videoHeight === 720);
    },
    undefined,
    { timeout: 90_000 },
  );
}

Deno.test({
  name: "e2e: lead and colleague share the remote view — control passed, names shown, lead " +
    "handed over, ended for everyone",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const xvfb = await startXvfb({ width: 1280, height: 720 });
    const work = await Deno.makeTempDir({ prefix: "rescue-collab-e2e-" });
    const t = await startTestApp();
    let agent: Deno.ChildProcess | null = null;
    try {
      const ann = await technician(t, { name: "Ann" });
      const bob = await technician(t, { name: "Bob", groupId: ann.groupId! });
      // Their names as stored: what the viewer sockets and the customer's page show.
      for (const person of [ann, bob]) {
        await t.deps.db.update(users).set({ name: person.name }).where(eq(users.id, person.id));
      }
      await withBrowser(t, async ({ base, newPage }) => {
        (t.deps.config as { publicUrl: string }).publicUrl = base;
        const lead = await newPage();
        await signIn(lead, base, ann.email);
        const colleague = await newPage();
        await signIn(colleague, base, bob.email);
        const { link, session, customerApp, appWindow } = await pinSessionWithAgent(
          t.deps,
          lead,
          newPage,
          {
            base,
            display: xvfb.display,
            stateDir: `${work}/agent-state`,
          },
        );
        agent = customerApp.agent;
        const customer = await newPage();
        await customer.goto(link);
        const leadSpace = await startFromQueue(lead, session.id);

        // Invite → Bob's queue shows the Invitation → Start → Collaborating.
        const invited = await lead.evaluate(async ([path, userId]) => {
          const token =
            JSON.parse(document.body.getAttribute("hx-headers") ?? "{}")["X-CSRF-Token"];
          const res = await fetch(path, {
            method: "POST",
            headers: { "X-CSRF-Token": token, "HX-Request": "true" },
            body: new URLSearchParams({
              userId,
              note: "second pair of eyes",
              perm_desktopView: "1",
              perm_remoteControl: "1",
            }),
          });
          return res.status;
        }, [`/console/sessions/${session.id}/invite`, bob.id] as const);
        assert.ok(invited < 300, `invited (${invited})`);
        await colleague.locator(`${queueRow(session.id)}[data-status="invitation"]`).waitFor({
          state: "attached",
        });
        await colleague.click(`${queueRow(session.id)} button[data-action=start]`);
        await colleague.locator(`${queueRow(session.id)}[data-status="collaborating"]`)
          .waitFor({ state: "attached" });
        await colleague.locator(`#session-tabs [data-tab-session="${session.id}"]`).click();
        step("Bob collaborates");

        // Ann asks for control; the customer allows in the agent's window; both see it.
        await leadSpace.locator(".remote-view .rv-control").click();
        await appWindow.locator("#allow-control").click();
        await Promise.all([picture(lead), picture(colleague)]);
        step("both see the customer's picture");

        // Ann drives first (a click on her picture), Bob asks, Ann gives.
        // The middle of her picture (a click on the letterbox beside it is no input).
        await leadSpace.locator(".remote-view .rv-video").click();
        const bobView = colleague.locator(`#session-${session.id} .remote-view`);
        await bobView.locator('.rv-control-holder[data-owner="other"]:has-text("Ann")').waitFor();
        await customer.locator('#remote-technicians[data-controller="Ann"]').waitFor();
        const names = await customer.locator("#remote-technicians").textContent() ?? "";
        assert.match(names, /Ann \(controls\)/);
        assert.match(names, /Bob/);
        await bobView.locator(".rv-request-control").click();
        await leadSpace.locator('.rv-control-asks:has-text("Bob")').waitFor();
        await leadSpace.locator(".rv-give-control").click();
        await customer.locator('#remote-technicians[data-controller="Bob"]').waitFor();
        await leadSpace.locator('.rv-control-holder[data-owner="other"]:has-text("Bob")')
          .waitFor();
        await leadSpace.locator(".rv-take-back").click();
        await customer.locator('#remote-technicians[data-controller="Ann"]').waitFor();
        step("control: Bob asked, Ann gave, Ann took it back; the customer saw each holder");

        // The technicians' private line never reaches the customer's page.
        await technicianChat(t.deps, ann, session.id, "Bob, check the spooler", undefined, {
          audience: "technicians",
        });
        await technicianChat(t.deps, ann, session.id, "One moment please, Carol");
        await customer.locator(':text("One moment please, Carol")').waitFor();
        assert.equal(await customer.locator(':text("check the spooler")').count(), 0);
        step("private technician chat stayed off the customer's page");

        // Hand-over: Bob leads; Bob ends; everyone's row goes.
        await handOverLead(t.deps, ann, session.id, bob.id);
        await acceptLead(t.deps, bob, session.id);
        assert.equal((await loadSession(t.deps.db, session.id)).leadUserId, bob.id);
        await endSession(t.deps, bob, session.id);
        // Ended by the lead: the lead's row goes, Ann's shows Closed until she clears it, the
        // customer's page says it ended.
        const left = await liveEntries(t.deps.db, session.id);
        assert.deepEqual(left.map((e) => [e.userId, e.status]), [[ann.id, "closed"]]);
        assert.ok((await loadSession(t.deps.db, session.id)).endedAt, "the session ended");
        await colleague.locator(queueRow(session.id)).waitFor({ state: "detached" });
        await lead.locator(`${queueRow(session.id)}[data-status="closed"]`).waitFor({
          state: "attached",
        });
        await customer.locator("#ended-notice").waitFor();
        step("lead handed over; ended for everyone");
      });
    } finally {
      await closeAgentWorld({ agent, app: t, xvfb, work });
    }
  },
});
