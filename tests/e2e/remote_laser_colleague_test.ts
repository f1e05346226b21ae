/**
 * Every technician watching a session sees the laser pointer (SPEC R4, collaboration), on real
 * parts: Xvfb, the real support app joined by PIN, the real server and Chromium. The agent's
 * picture leaves the laser out (agent/platform/laser_patch.ts) — the pointing window paints its
 * own dot — so a colleague's window would show no dot at all; the server relays the pointing
 * window's laser to the session's other viewers (modules/remote/whiteboard.ts) and their remote
 * view paints it over the picture with the pointing technician's name.
 *
 * Ann (the lead) invites Bob; both see the customer's picture. Ann's laser points at one spot
 * then another: Bob's window shows the red dot at each (and not at the spot it left), while the
 * customer's X screen has the dot and Bob's video frames have no laser-red pixel (the dot he
 * sees is the relayed one). Ann's pointer leaves the picture: Bob's dot goes. Ann points again
 * and closes her window: Bob's dot goes with it. The relay's delay (Ann's move → Bob's dot) is
 * printed. Screenshots of Bob's console with Ann's dot go to /tmp/shots/laser-colleague-<w>.png
 * at 1366×768 and 1920×1080 (E2E_SHOTS=0: none).
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { users } from "../../modules/auth/mod.ts";
import { openDesktop } from "../../agent/platform/mod.ts";
import { runX, startXvfb } from "../../agent/platform/xvfb_test_support.ts";
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
import {
  countColour,
  LASER,
  pagePoint,
  pictureLaserDots,
  waitFor,
} from "../support/whiteboard_e2e.ts";

const step = (what: string) => console.log(`  · ${what}`);
const SHOTS = Deno.env.get("E2E_SHOTS") === "0" ? null : "/tmp/shots";

async function signIn(page: Page, base: string, email: string) {
  await page.goto(`${base}/signin`);
  await page.fill("#email", email);
  await page.fill("#password", TECH_PASSWORD);
  await clickAndWait(page, "button[type=submit]");
  await page.waitForFunction(() => "htmx" in globalThis);
}

/** Waits until this page's remote view shows the customer's 1280×720 screen. */
function picture(page: Page) {
  return page.waitForFunction(
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
}

/** Whether the overlay over the picture paints the laser's red at the remote pixel (x, y). */
function dotAt(page: Page, x: number, y: number): Promise<boolean> {
  return page.evaluate(([rx, ry]) => {
    const video = document.querySelector<HTMLVideoElement>(".remote-view .rv-video")!;
    const preview = document.querySelector<HTMLCanvasElement>(".remote-view .rv-preview")!;
    if (preview.hidden) return false;
    const v = video.getBoundingClientRect();
    const scale = Math.min(v.width / video.videoWidth, v.height / video.videoHeight);
    const px = v.left + (v.width - video.videoWidth * scale) / 2 + (rx + 0.5) * scale;
    const py = v.top + (v.height - video.videoHeight * scale) / 2 + (ry + 0.5) * scale;
    const box = preview.getBoundingClientRect();
    const ratio = preview.width / box.width;
    const [r, g, b, a] = preview.getContext("2d")!.getImageData(
      Math.round((px - box.left) * ratio),
      Math.round((py - box.top) * ratio),
      1,
      1,
    ).data;
    return a > 200 && r > 200 && g < 60 && b < 60;
  }, [x, y] as const);
}

Deno.test({
  name: "e2e: a colleague's window shows the lead's laser dot, moving, and not after it ends",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const xvfb = await startXvfb({ width: 1280, height: 720 });
    const work = await Deno.makeTempDir({ prefix: "rescue-laser-colleague-" });
    const t = await startTestApp();
    let agent: Deno.ChildProcess | null = null;
    await runX(xvfb.display, "xsetroot", ["-solid", "#336699"]);
    const screen = openDesktop({ display: xvfb.display });
    try {
      const ann = await technician(t, { name: "Ann" });
      const bob = await technician(t, { name: "Bob", groupId: ann.groupId! });
      for (const person of [ann, bob]) {
        await t.deps.db.update(users).set({ name: person.name }).where(eq(users.id, person.id));
      }
      await withBrowser(t, async ({ base, newPage }) => {
        (t.deps.config as { publicUrl: string }).publicUrl = base;
        const open = async () => {
          const page = await newPage();
          page.setDefaultTimeout(30_000);
          await page.setViewportSize({ width: 1366, height: 768 });
          return page;
        };
        const lead = await open();
        await signIn(lead, base, ann.email);
        const colleague = await open();
        await signIn(colleague, base, bob.email);
        const { session, customerApp, appWindow } = await pinSessionWithAgent(t.deps, lead, open, {
          base,
          display: xvfb.display,
          stateDir: `${work}/agent-state`,
        });
        agent = customerApp.agent;
        const id = session.id;
        const row = queueRow(id);
        const annWs = await startFromQueue(lead, id);

        // Ann invites Bob; he starts collaborating from his queue.
        await annWs.locator(".head-menu > summary").click();
        await annWs.locator("[data-invite-technician]").click();
        const dialog = lead.locator("#invite-dialog");
        await dialog.locator("label.colleague", { hasText: "Bob" }).locator("input").check();
        await dialog.locator("button[type=submit]").click();
        await lead.locator("#dialog", { hasText: "Bob is invited" }).waitFor();
        const close = lead.locator("#dialog [data-close-dialog]:visible").first();
        if (await close.count()) await close.click();
        await colleague.locator(`${row}[data-status="invitation"]`).waitFor({ state: "attached" });
        await colleague.click(`${row} button[data-action=start]`);
        await colleague.locator(`${row}[data-status="collaborating"]`)
          .waitFor({ state: "attached" });
        await colleague.locator(`#session-tabs [data-tab-session="${id}"]`).click();
        step("Bob collaborates");

        // The customer shares the screen; both see it. Ann switches the laser on.
        const annView = annWs.locator(".remote-view");
        const viewButton = annView.locator(".rv-view");
        if (!await viewButton.evaluate((b) => b.classList.contains("is-on"))) {
          await viewButton.click();
        }
        await appWindow.locator("#allow-view").click();
        await Promise.all([picture(lead), picture(colleague)]);
        await annView.locator(".rv-draw-row .rv-laser").click();
        await annView.locator('.rv-draw-row .rv-laser[aria-pressed="true"]').waitFor();
        step("both see the picture; Ann's laser on");

        // Ann points at (400, 300): Bob's window shows the dot there, the customer's screen too.
        let at = await pagePoint(lead, 400, 300);
        await lead.mouse.move(at.x - 3, at.y);
        await lead.mouse.move(at.x, at.y);
        let moved = performance.now();
        await waitFor("Bob sees Ann's dot at (400, 300)", () => dotAt(colleague, 400, 300));
        const firstMs = performance.now() - moved;
        await waitFor(
          "the dot on the customer's screen",
          () => countColour(screen, 400, 300, 3, LASER) > 10,
        );
        // Then at (900, 500): Bob's dot follows, the spot it left is clear.
        at = await pagePoint(lead, 900, 500);
        await lead.mouse.move(at.x, at.y);
        moved = performance.now();
        await waitFor("Bob's dot moves to (900, 500)", () => dotAt(colleague, 900, 500));
        const secondMs = performance.now() - moved;
        assert.equal(await dotAt(colleague, 400, 300), false, "the dot left (400, 300)");
        await waitFor(
          "the customer's dot moved",
          () => countColour(screen, 900, 500, 3, LASER) > 10,
        );
        await new Promise((resolve) => setTimeout(resolve, 800)); // the picture caught up
        const redInBobsPicture = await pictureLaserDots(colleague);
        step(
          `Ann's move → Bob's dot: ${firstMs.toFixed(0)} ms, ${secondMs.toFixed(0)} ms ` +
            `(polled every 30 ms); laser-red pixels in Bob's video frame ${redInBobsPicture}`,
        );
        assert.equal(redInBobsPicture, 0, "Bob's dot is the relayed one, not the picture's");
        const label = await colleague.locator(".remote-view .rv-preview").getAttribute(
          "data-others",
        );
        assert.equal(label, "1", "one other technician's dot");

        if (SHOTS) {
          await Deno.mkdir(SHOTS, { recursive: true });
          for (const [w, h] of [[1920, 1080], [1366, 768]]) {
            await colleague.setViewportSize({ width: w, height: h });
            await waitFor(`Bob's dot at ${w}×${h}`, () => dotAt(colleague, 900, 500));
            await colleague.screenshot({ path: `${SHOTS}/laser-colleague-${w}.png` });
          }
        }

        // Ann's pointer leaves the picture: the dot goes from Bob's window.
        await lead.mouse.move(5, 5);
        await waitFor("Bob's dot gone", async () => !(await dotAt(colleague, 900, 500)));
        await waitFor(
          "the customer's dot gone",
          () => countColour(screen, 900, 500, 12, LASER) === 0,
        );
        step("Ann's pointer off the picture: Bob's dot gone");

        // Ann points again, then closes her window: Bob's dot goes with it.
        at = await pagePoint(lead, 600, 200);
        await lead.mouse.move(at.x, at.y);
        await waitFor("Bob sees Ann's dot at (600, 200)", () => dotAt(colleague, 600, 200));
        await lead.close();
        await waitFor(
          "Bob's dot gone with Ann's window",
          async () => !(await dotAt(colleague, 600, 200)),
        );
        step("Ann's window closed: Bob's dot gone");
        assert.deepEqual(colleague.errors, []);
      });
    } finally {
      screen.close();
      await closeAgentWorld({ agent, app: t, xvfb, work });
    }
  },
});
