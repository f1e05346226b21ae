/**
 * Issue 20's story end to end on real parts, in one browser with four people — the lead
 * (Ann), a colleague (Bob), an external technician (Xavier) and the customer's page — and the
 * real support app on Xvfb (its own window is a fifth page, where the customer allows):
 * invite Bob → Collaborating → both see the picture → each toolbar offers only what is true
 * for its technician (Ann, holding control, may end it; Bob may ask, never end it, and the
 * server refuses his "off" in words) → Bob asks, Ann gives him control, his
 * mouse reaches the X display, Ann takes it back → the technicians' private chat (also with
 * the customer's chat off) never reaches the customer's page → Xavier, invited by link with
 * remote control, sees the picture, asks Ann for control, gets it and drives while the
 * customer's page names who controls → Ann hands the lead to Bob → Bob removes Xavier: his
 * page, socket and control end at once and a reload or a new socket is refused → Bob ends for
 * everyone. Screenshots of Ann's and Bob's consoles with the picture (1366×768 and 1920×1080),
 * of Xavier's console with control and of Bob's composer in technicians-only mode go to
 * /tmp/shots; the toolbars of holder and non-holder to /tmp/shots/collabui-*.
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import type { Locator, Page } from "playwright-core";
import { users } from "../../modules/auth/mod.ts";
import { defaultPermissions } from "../../modules/permissions/mod.ts";
import { liveEntries, loadSession } from "../../modules/support/mod.ts";
import { startXvfb } from "../../agent/platform/xvfb_test_support.ts";
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
import { endControlRefused, noEndButton } from "../support/control_truth.ts";

const started = performance.now();
const step = (what: string) =>
  console.log(`  · ${((performance.now() - started) / 1000).toFixed(1)} s ${what}`);
const SHOTS = "/tmp/shots";

async function signIn(page: Page, base: string, email: string) {
  await page.goto(`${base}/signin`);
  await page.fill("#email", email);
  await page.fill("#password", TECH_PASSWORD);
  await clickAndWait(page, "button[type=submit]");
  await page.waitForFunction(() => "htmx" in globalThis);
}

/** Waits until this page's remote view has decoded frames of the customer's 1280×720 screen. */
async function picture(page: Page) {
  try {
    await page.waitForFunction(
      () => {
        const video = document.querySelector<HTMLVideoElement>(".remote-view .rv-video");
        return Boolean(
          video && video.videoWidth === 1280 && video.videoHeight === 720 &&
            video.getVideoPlaybackQuality().totalVideoFrames > 0,
        );
      },
      undefined,
      { timeout: 90_000 },
    );
  } catch (error) {
    // What the island knew when the picture did not come (view, control, agent, video).
    const state = await page.evaluate(() => {
      const mount = document.querySelector<HTMLElement>(".remote-view");
      const video = document.querySelector<HTMLVideoElement>(".remote-view .rv-video");
      const stats = (globalThis as { __remoteView?: { stats: Record<string, unknown> } })
        .__remoteView?.stats;
      return JSON.stringify({
        mount: { ...mount?.dataset, labels: undefined },
        video: video && [video.videoWidth, video.readyState, video.paused],
        status: document.querySelector(".remote-view [role=status]")?.textContent,
        peer: stats && [stats.connection, stats.framesDecoded, stats.bytesReceived],
      });
    }).catch(() => "?");
    throw new Error(`no picture on ${page.url()}: ${state}`, { cause: error });
  }
}

/** `who`'s console with the picture, at 1366×768 and 1920×1080 (then back to 1366×768). */
async function consoleShots(page: Page, who: string) {
  await page.screenshot({ path: `${SHOTS}/collab-${who}-1366.png` });
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.screenshot({ path: `${SHOTS}/collab-${who}-1920.png` });
  await page.setViewportSize({ width: 1366, height: 768 });
}

/** `who`'s console at 1366×768 and 1920×1080 for the toolbar's truth (issue 20's UI pass). */
async function toolbarShots(page: Page, who: string) {
  await page.screenshot({ path: `${SHOTS}/collabui-${who}-1366x768.png` });
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.screenshot({ path: `${SHOTS}/collabui-${who}-1920x1080.png` });
  await page.setViewportSize({ width: 1366, height: 768 });
}

/** Closes the console's dialog if it still shows (without waiting for one that is gone). */
async function closeDialog(page: Page) {
  const close = page.locator("#dialog [data-close-dialog]:visible").first();
  if (await close.count()) await close.click();
}

/** Where the X server's pointer is ("x:… y:…"). */
async function xPointer(display: string): Promise<string> {
  const out = await new Deno.Command("xdotool", {
    args: ["getmouselocation"],
    env: { DISPLAY: display },
  }).output();
  return new TextDecoder().decode(out.stdout).split(" screen")[0];
}

/**
 * Moves the mouse over `video` (off its middle, where the last click left the pointer) until
 * the X display's pointer moves: the input went page → server → agent → X.
 */
async function inputReachesDisplay(page: Page, video: Locator, display: string) {
  const before = await xPointer(display);
  const box = (await video.boundingBox())!;
  for (let i = 0, deadline = Date.now() + 20_000; Date.now() < deadline; i++) {
    await page.mouse.move(box.x + box.width * (0.2 + (i % 5) * 0.03), box.y + box.height * 0.3);
    await page.waitForTimeout(100);
    const now = await xPointer(display);
    if (now !== before) return now;
  }
  throw new Error(`the X pointer stayed at ${before}`);
}

Deno.test({
  name: "e2e: lead, colleague, external technician and customer — collaborate, pass control, " +
    "private chat, hand over, remove the guest, end for everyone",
  // Runs on both engines again (issue 20). The PostgreSQL pass, on a loaded machine, left one
  // technician's island without a picture — view and control granted, agent connected, video
  // 0×0 — in about one run of four (the lead's in CI; Xavier's in 2 of 7 runs here, with the
  // server's peer connected and frames sent to it). Two holes are closed: an answer to a peer
  // replaced meanwhile no longer lands on its successor (modules/remote/viewer_offers_test.ts),
  // and an island that decodes nothing asks for a keyframe, then a new peer and offer
  // (islands/remote_view/picture_watch.ts), so a WebRTC connection that came up on one side
  // only is made again instead of left black.
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const xvfb = await startXvfb({ width: 1280, height: 720 });
    const work = await Deno.makeTempDir({ prefix: "rescue-collab-story-" });
    const t = await startTestApp();
    let agent: Deno.ChildProcess | null = null;
    await Deno.mkdir(SHOTS, { recursive: true });
    try {
      const ann = await technician(t, {
        name: "Ann",
        permissions: [
          ...defaultPermissions(),
          "inviteExternal",
          "inviteExternalUnlisted",
          "chatToggle",
        ],
      });
      const bob = await technician(t, { name: "Bob", groupId: ann.groupId! });
      for (const person of [ann, bob]) {
        await t.deps.db.update(users).set({ name: person.name }).where(eq(users.id, person.id));
      }
      await withBrowser(t, async ({ base, newPage }) => {
        (t.deps.config as { publicUrl: string }).publicUrl = base;
        const open = async () => {
          const page = await newPage();
          page.setDefaultTimeout(30_000); // the machine running this may be busy
          await page.setViewportSize({ width: 1366, height: 768 });
          return page;
        };
        const lead = await open();
        await signIn(lead, base, ann.email);
        const colleague = await open();
        await signIn(colleague, base, bob.email);
        const { link, session, customerApp, appWindow } = await pinSessionWithAgent(
          t.deps,
          lead,
          open,
          { base, display: xvfb.display, stateDir: `${work}/agent-state` },
        );
        agent = customerApp.agent;
        step("signed in; the support app joined by PIN and shows its window");
        const id = session.id;
        const row = queueRow(id);
        const customer = await open();
        await customer.goto(link);
        const annWs = await startFromQueue(lead, id);

        // --- Invite Bob (the dialog offers Ann's rights, remote control among them) ---
        await annWs.locator(".head-menu > summary").click(); // the header's More actions
        await annWs.locator("[data-invite-technician]").click();
        const dialog = lead.locator("#invite-dialog");
        await dialog.locator("label.colleague", { hasText: "Bob" }).locator("input").check();
        assert.equal(await dialog.locator("input[name=perm_remoteControl]").isChecked(), true);
        await dialog.locator("button[type=submit]").click();
        await lead.locator("#dialog", { hasText: "Bob is invited" }).waitFor();
        await closeDialog(lead);
        await colleague.locator(`${row}[data-status="invitation"]`).waitFor({ state: "attached" });
        await colleague.click(`${row} button[data-action=start]`);
        await colleague.locator(`${row}[data-status="collaborating"]`)
          .waitFor({ state: "attached" });
        await colleague.locator(`#session-tabs [data-tab-session="${id}"]`).click();
        const bobWs = colleague.locator(`#session-${id}`);
        await annWs.locator(`[data-participant="${bob.id}"][data-status="collaborating"]`)
          .waitFor();
        step("Bob collaborates");

        // --- Both see the picture; Ann drives, then gives Bob control ---
        await annWs.locator(".remote-view .rv-control").click();
        await appWindow.locator("#allow-control").click();
        await Promise.all([picture(lead), picture(colleague)]);
        step("both see the picture");
        await lead.waitForTimeout(1_500); // the stats line reads the decoder every second
        await consoleShots(lead, "lead");
        await consoleShots(colleague, "colleague");
        await annWs.locator(".remote-view .rv-video").click();
        const bobView = bobWs.locator(".remote-view");
        await bobView.locator('.rv-control-holder[data-owner="other"]:has-text("Ann")').waitFor();
        // Each toolbar offers what is true for its technician: Ann (holding) ends her control;
        // Bob may ask for it, never end it — and the server refuses his "off" in words.
        const annView = annWs.locator(".remote-view");
        await annView.locator(".rv-control", { hasText: "End remote control" }).waitFor();
        await noEndButton(bobView, "Bob, while Ann controls");
        await bobView.locator(".rv-request-control").waitFor();
        await toolbarShots(lead, "holder-lead");
        await toolbarShots(colleague, "nonholder-colleague");
        assert.match(await endControlRefused(colleague, id), /only they can end remote control/);
        await lead.waitForTimeout(1_000); // a control ended by it would have reached the pages
        const controller = customer.locator("#remote-technicians");
        assert.equal(await controller.getAttribute("data-controller"), "Ann", "Ann still controls");
        await annView.locator(".rv-control", { hasText: "End remote control" }).waitFor();
        step("Ann's toolbar ends her control; Bob's only asks (his off refused by the server)");
        await bobView.locator(".rv-request-control").click();
        await annWs.locator('.rv-control-asks:has-text("Bob")').waitFor();
        await annWs.locator(".rv-give-control").click();
        await customer.locator('#remote-technicians[data-controller="Bob"]').waitFor();
        await annWs.locator('.rv-control-holder[data-owner="other"]:has-text("Bob")').waitFor();
        await bobView.locator(".rv-control", { hasText: "End remote control" }).waitFor();
        await noEndButton(annView, "Ann (the lead), while Bob controls");
        await annView.locator(".rv-take-back").waitFor();
        await toolbarShots(colleague, "holder-colleague");
        await toolbarShots(lead, "nonholder-lead");
        await inputReachesDisplay(colleague, bobView.locator(".rv-video"), xvfb.display);
        // The lead takes it back from whoever holds it; Bob is only told.
        await annWs.locator(".rv-take-back").click();
        await customer.locator('#remote-technicians[data-controller="Ann"]').waitFor();
        await bobView.locator('.rv-control-holder[data-owner="other"]:has-text("Ann")').waitFor();
        step("both see the picture; Ann gave Bob control (his mouse moved X's), took it back");

        // --- The technicians' private chat, also with the customer's chat off ---
        await annWs.locator("[data-chat-input]").fill("One moment please, Carol");
        await annWs.locator("[data-chat-input]").press("Enter");
        await customer.locator("#customer-log", { hasText: "One moment please, Carol" }).waitFor();
        await bobWs.locator("[data-tech-only]").check();
        await bobWs.locator("[data-chat-input]").fill("Ann, the spooler is stuck");
        await bobWs.locator("[data-chat-input]").press("Enter");
        await annWs.locator(`#log-${id} li.technicians-only`, { hasText: "spooler" }).waitFor();
        await annWs.locator(".chat-toggle button").click();
        const fixed = bobWs.locator(".chat-form input[data-tech-only]");
        await colleague.waitForFunction(
          (sel) => document.querySelector<HTMLInputElement>(sel)?.disabled === true,
          `#session-${id} .chat-form input[data-tech-only]`,
        );
        assert.equal(await fixed.isChecked(), true);
        await bobWs.locator(".chat-off-note").waitFor();
        await bobWs.locator("[data-chat-input]").fill("Restarting it now");
        await colleague.screenshot({ path: `${SHOTS}/collab-composer-techonly.png` });
        await bobWs.locator("[data-chat-input]").press("Enter");
        await annWs.locator(`#log-${id} li.technicians-only`, { hasText: "Restarting it now" })
          .waitFor();
        await customer.locator("#chat-disabled-notice").waitFor();
        await customer.reload();
        await customer.locator("#customer-log", { hasText: "One moment please, Carol" }).waitFor();
        const seen = await customer.content();
        assert.doesNotMatch(seen, /spooler|Restarting it now/);
        step("private lines (one with the customer's chat off) stayed off the customer's page");

        // --- Xavier, invited by link with remote control, sees the picture and drives ---
        await annWs.locator(".head-menu > summary").click(); // the header's More actions
        await annWs.locator("[data-invite-external]").click();
        await lead.locator("#external-dialog").waitFor();
        await lead.fill("#external-name", "Xavier Extern");
        await lead.fill("#external-email", "xavier@partner.test");
        await lead.locator("input[name=permissions][value=desktopView]").check();
        await lead.locator("input[name=permissions][value=remoteControl]").check();
        await lead.locator("#external-form button[type=submit]").click();
        const invitation = await lead.locator("[data-external-link]").inputValue();
        await closeDialog(lead);
        const guest = await open();
        // Not "load": on a busy machine the page's scripts and styles may take long to come,
        // and the picture below is waited for anyway.
        await guest.goto(`${base}${new URL(invitation).pathname}`, {
          waitUntil: "domcontentloaded",
        });
        assert.equal(new URL(guest.url()).pathname, "/x/console");
        step("Xavier's console is open");
        await picture(guest);
        const guestView = guest.locator(".remote-view");
        await guestView.locator('.rv-control-holder[data-owner="other"]:has-text("Ann")')
          .waitFor();
        await guestView.locator(".rv-request-control").click();
        await annWs.locator('.rv-control-asks:has-text("Xavier Extern")').waitFor();
        await annWs.locator(".rv-give-control").click();
        await customer.locator('#remote-technicians[data-controller="Xavier Extern"]').waitFor();
        await inputReachesDisplay(guest, guestView.locator(".rv-video"), xvfb.display);
        await guest.screenshot({ path: `${SHOTS}/collab-guest-control.png` });
        const names = await customer.locator("#remote-technicians").textContent() ?? "";
        assert.match(names, /Xavier Extern \(controls\)/);
        assert.match(names, /Ann/);
        assert.match(names, /Bob/);
        step("Xavier sees the picture, asked Ann for control, got it and moves the X pointer");

        // --- Ann hands the lead to Bob ---
        await annWs.locator(`[data-participant="${bob.id}"] button`, { hasText: "Hand over" })
          .click();
        await colleague.locator(`${row} button[data-action=accept_lead]`).click();
        await colleague.locator(`${row}[data-status="active"]`).waitFor({ state: "attached" });
        await annWs.locator(`[data-participant="${bob.id}"][data-role="lead"]`).waitFor();
        assert.equal((await loadSession(t.deps.db, id)).leadUserId, bob.id);
        step("Bob leads");

        // --- Bob removes Xavier: page, socket and control end at once; coming back is refused ---
        await guest.evaluate(() => {
          const g = globalThis as unknown as { probe: WebSocket; probeCode: number | null };
          g.probeCode = null;
          g.probe = new WebSocket(`${location.origin.replace(/^http/, "ws")}/x/console/remote/ws`);
          g.probe.onclose = (event) => g.probeCode = event.code;
        });
        await guest.waitForFunction(() =>
          (globalThis as unknown as { probe: WebSocket }).probe.readyState === 1
        );
        // The lead's list of guests refreshes every 10 s: Bob's shows the button once he leads.
        await bobWs.locator("[data-remove-guest]").click({ timeout: 20_000 });
        await guest.locator("[data-external-ended=removed]").waitFor();
        const code = await guest.waitForFunction(
          () => (globalThis as unknown as { probeCode: number | null }).probeCode,
        );
        assert.equal(await code.jsonValue(), 4403);
        await customer.waitForFunction(() => {
          const line = document.getElementById("remote-technicians");
          return line && !line.textContent?.includes("Xavier") &&
            line.dataset.controller !== "Xavier Extern";
        });
        const again = await guest.evaluate(() =>
          new Promise<{ opened: boolean; code: number }>((resolve) => {
            const ws = new WebSocket(
              `${location.origin.replace(/^http/, "ws")}/x/console/remote/ws`,
            );
            let opened = false;
            ws.onopen = () => opened = true;
            ws.onclose = (event) => resolve({ opened, code: event.code });
          })
        );
        assert.equal(again.opened, false, "a removed guest's socket is refused");
        assert.equal((await guest.reload())?.status(), 410);
        assert.match(await guest.locator("main").innerText(), /removed you from the session/);
        step("Xavier removed: socket closed (4403), his control gone, reload and socket refused");

        // --- Bob ends for everyone ---
        colleague.once("dialog", (d) => d.accept());
        await colleague.click(`${row} button[data-action=end]`);
        await colleague.locator(row).waitFor({ state: "detached" });
        await lead.locator(`${row}[data-status="closed"]`).waitFor({ state: "attached" });
        await customer.locator("#ended-notice").waitFor();
        await guest.reload();
        await guest.locator("[data-external-ended]").waitFor();
        assert.ok((await loadSession(t.deps.db, id)).endedAt, "the session ended");
        const left = await liveEntries(t.deps.db, id);
        assert.deepEqual(left.map((e) => [e.userId, e.status]), [[ann.id, "closed"]]);
        step("ended: Ann's row Closed, Bob's gone, the customer's page and Xavier's say so");

        for (const page of [lead, colleague]) assert.deepEqual(page.errors, []);
        assert.deepEqual(
          guest.errors.filter((e) => !/status of 410|WebSocket/.test(e)),
          [],
        );
      });
    } finally {
      await closeAgentWorld({ agent, app: t, xvfb, work });
    }
  },
});
