/**
 * The whiteboard and laser pointer end to end (SPEC R4), on real parts: an Xvfb display with an
 * xev window standing for the customer's desktop (it reports every click it gets), the real
 * agent joined by PIN, the real server and Chromium.
 *
 * With control granted, the technician turns the whiteboard on → the agent's window tells the
 * customer → a line drawn on the picture is on the X screen (read back with the agent's own
 * capture, as the picture is made) → the click that drew it never reached xev → an xterm opened
 * over it later does not hide it → Clear removes it → the laser's red dot follows the pointer
 * over the picture and goes when the pointer leaves → the customer's "Remove the drawings" in
 * the agent's window takes them away and turns the technician's toggle off → whiteboard on and
 * off: a click reaches xev again (control is back). The session log has each on and off. The
 * status line alone says control is paused (the bar has a label and its tools), in English and
 * in a Dutch technician's window; the customer's page on the server says the technician draws
 * while the whiteboard is on, in Dutch too. Screenshots of the toolbar with the whiteboard on
 * and a drawing at 1366×768 and 1920×1080, in Dutch, and of the customer's page go to
 * /tmp/shots/wb-*.png (E2E_SHOTS=0: none).
 */
import assert from "node:assert/strict";
import { startTestApp } from "../support/app.ts";
import { eq } from "drizzle-orm";
import { signInPage, withBrowser } from "../support/browser.ts";
import { users } from "../../modules/auth/mod.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician } from "../support/sessions.ts";
import { readLog } from "../../modules/support/mod.ts";
import { closeAgentWorld, signedInWithAgentSession } from "../support/agent_e2e.ts";
import { runX, startXvfb } from "../../agent/platform/xvfb_test_support.ts";
import { openDesktop } from "../../agent/platform/mod.ts";
import {
  countColour,
  drag,
  LASER,
  pagePoint,
  pictureRed,
  RED,
  waitFor,
  xevDesktop,
} from "../support/whiteboard_e2e.ts";

const step = (what: string) => console.log(`  · ${what}`);
const SHOTS = Deno.env.get("E2E_SHOTS") === "0" ? null : "/tmp/shots";

Deno.test({
  name: "e2e: the technician draws on the customer's screen, clears it, points with the laser",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const xvfb = await startXvfb({ width: 1280, height: 720 });
    const work = await Deno.makeTempDir({ prefix: "rescue-whiteboard-e2e-" });
    const t = await startTestApp();
    let agent: Deno.ChildProcess | null = null;
    // Set inside the browser's callback: a plain `null` start would narrow it to never below.
    let xterm = null as Deno.ChildProcess | null;
    await runX(xvfb.display, "xsetroot", ["-solid", "#336699"]);
    const xev = xevDesktop(xvfb.display);
    const screen = openDesktop({ display: xvfb.display });
    try {
      const tech = await technician(t);
      await withBrowser(t, async ({ base, newPage }) => {
        const { page, session, customerApp, appWindow, link, space } =
          await signedInWithAgentSession({ t, base, newPage }, tech, {
            display: xvfb.display,
            stateDir: `${work}/agent-state`,
            started: (started) => agent = started,
          });
        const view = space.locator(".remote-view");
        await view.locator(".rv-control").click();
        await appWindow.locator("#allow-control").click();
        await page.waitForFunction(
          () => {
            const video = document.querySelector<HTMLVideoElement>(".remote-view .rv-video");
            return video?.videoWidth === 1280 && video.videoHeight === 720;
          },
          undefined,
          { timeout: 60_000 },
        );
        step("the picture, with control granted");

        // The customer's page on the server (the link), open beside the support app.
        const customer = await newPage();
        await customer.goto(link);
        await customer.locator("#remote-sharing").waitFor({ state: "visible" });
        const drawingNotice = customer.locator("#remote-drawing");
        assert.equal(await drawingNotice.isVisible(), false, "nothing drawn yet: not said");

        // --- whiteboard on: the toolbar, the customer's window and page say so
        const board = view.locator(".rv-draw-row .rv-whiteboard");
        await board.click();
        await view.locator('.rv-draw-row .rv-whiteboard[aria-pressed="true"]').waitFor();
        // Said once: the status line says control is paused; the bar has a label and its tools.
        const bar = view.locator(".rv-whiteboard-bar");
        await bar.waitFor();
        assert.equal(await bar.locator(".rv-whiteboard-label").innerText(), "Pen");
        assert.doesNotMatch(await bar.innerText(), /control/i);
        await view.locator('.rv-consent[data-state="paused"]').waitFor();
        assert.equal(
          await view.locator(".rv-consent").innerText(),
          "Remote control is paused while the whiteboard is on: the pointer draws.",
        );
        await drawingNotice.waitFor({ state: "visible" });
        assert.equal(
          await drawingNotice.innerText(),
          "Your technician is drawing on your screen.",
        );
        await appWindow.locator("#drawing").waitFor({ state: "visible" });
        assert.match(await appWindow.locator("#drawing").innerText(), /drawing on your screen/);
        // The terminal the support app runs in says it too.
        await waitFor(
          "the terminal line",
          () => customerApp.output.join("").includes("Your technician is drawing on your screen"),
        );
        step(
          "whiteboard on: the status line says control is paused; the customer's window and page",
        );

        // --- a line on the picture is on the customer's X screen; the click never reached xev
        const from = await pagePoint(page, 300, 350);
        const to = await pagePoint(page, 900, 350);
        await drag(page, from, to, 12);
        // From its start through its middle to its end (its last piece may come a frame later).
        await waitFor(
          "the line on the X screen",
          () => [310, 600, 890].every((x) => countColour(screen, x, 350, 4, RED) > 0),
        );
        assert.equal(countColour(screen, 600, 300, 4, RED), 0, "only where drawn");
        assert.doesNotMatch(xev.clicks(), /ButtonPress/, "drawing sent no click to the desktop");
        step("a line drawn: on the X screen, no click reached the desktop");

        // A window the customer opens later (xterm, black) does not hide the drawing: the
        // support app raises it again.
        xterm = new Deno.Command("xterm", {
          args: ["-geometry", "60x20+400+300", "-bg", "black", "-fg", "black"],
          env: { DISPLAY: xvfb.display },
          stdout: "null",
          stderr: "null",
        }).spawn();
        await waitFor("xterm on the screen", () => countColour(screen, 600, 400, 2, 0) === 25);
        await waitFor("the line over xterm", () => countColour(screen, 600, 350, 2, RED) > 0);
        xterm.kill("SIGKILL");
        await xterm.status;
        xterm = null;
        await waitFor("xterm gone", () => countColour(screen, 600, 400, 2, 0) === 0);
        step("a window opened later: the line stays on top");

        // The picture carries the drawing back to the technician (the capture sees it).
        await waitFor("the drawing in the technician's picture", () => pictureRed(page, 600, 350));
        step("the drawing shows in the technician's picture");

        if (SHOTS) {
          await Deno.mkdir(SHOTS, { recursive: true });
          await page.waitForTimeout(300);
          await page.screenshot({ path: `${SHOTS}/wb-whiteboard-1366.png` });
          await page.setViewportSize({ width: 1920, height: 1080 });
          await page.waitForTimeout(500);
          await page.screenshot({ path: `${SHOTS}/wb-whiteboard-1920.png` });
          await page.setViewportSize({ width: 1366, height: 768 });
          await page.waitForTimeout(300);
          await appWindow.setViewportSize({ width: 900, height: 700 });
          await appWindow.screenshot({ path: `${SHOTS}/wb-customer-window.png` });
          await customer.setViewportSize({ width: 1366, height: 768 });
          await customer.screenshot({ path: `${SHOTS}/wb-customer-page-1366.png` });
        }

        // --- the same in Dutch: the technician's detached window, the customer's page
        await t.deps.db.update(users).set({ language: "nl" }).where(eq(users.id, tech.id));
        const dutch = await newPage();
        await dutch.setViewportSize({ width: 1366, height: 768 });
        await signInPage(dutch, base, tech.email, TECH_PASSWORD);
        await dutch.goto(`${base}/console/sessions/${session.id}/remote`);
        await dutch.locator(".rv-whiteboard-bar .rv-whiteboard-label").filter({ hasText: "Pen" })
          .waitFor();
        await dutch.locator('.rv-consent[data-state="paused"]').waitFor();
        assert.equal(
          await dutch.locator(".rv-consent").innerText(),
          "Bediening op afstand is gepauzeerd zolang het whiteboard aan staat: de aanwijzer tekent.",
        );
        assert.doesNotMatch(await dutch.locator(".rv-whiteboard-bar").innerText(), /bedien/i);
        if (SHOTS) await dutch.screenshot({ path: `${SHOTS}/wb-whiteboard-nl-1366.png` });
        await dutch.close();
        await t.deps.db.update(users).set({ language: "en" }).where(eq(users.id, tech.id));
        await Promise.all([
          customer.waitForURL(/.*/, { waitUntil: "load" }),
          customer.selectOption("#customer-lang", "nl"),
        ]);
        await drawingNotice.filter({ hasText: "Uw technicus tekent op uw scherm." }).waitFor();
        if (SHOTS) await customer.screenshot({ path: `${SHOTS}/wb-customer-page-nl-1366.png` });
        step("in Dutch: the status line says it once; the customer's page with 'u'");

        // --- Clear: gone from the screen
        await view.locator(".rv-clear").click();
        await waitFor("the clear", () => countColour(screen, 600, 350, 6, RED) === 0);
        step("Clear removed it");

        // --- the laser: a red dot where the pointer is, gone when it leaves the picture
        await view.locator(".rv-draw-row .rv-laser").click();
        await view.locator('.rv-draw-row .rv-laser[aria-pressed="true"]').waitFor();
        const dot = await pagePoint(page, 700, 500);
        await page.mouse.move(dot.x - 5, dot.y - 5);
        await page.mouse.move(dot.x, dot.y);
        await waitFor("the laser's dot", () => countColour(screen, 700, 500, 3, LASER) > 10);
        if (SHOTS) await page.screenshot({ path: `${SHOTS}/wb-laser-1366.png` });
        await page.mouse.move(5, 5); // off the picture
        await waitFor("the laser hidden", () => countColour(screen, 700, 500, 12, LASER) === 0);
        await view.locator(".rv-draw-row .rv-laser").click();
        step("the laser's dot followed the pointer and left with it");

        // --- the customer removes the drawings in the agent's window: gone, and the whiteboard off
        const a = await pagePoint(page, 400, 250), b = await pagePoint(page, 700, 250);
        await drag(page, a, b, 6);
        await waitFor("the second line", () => countColour(screen, 550, 250, 4, RED) > 0);
        await appWindow.locator("#stop-drawing").click();
        await waitFor("the drawings removed", () => countColour(screen, 550, 250, 6, RED) === 0);
        await view.locator('.rv-draw-row .rv-whiteboard[aria-pressed="false"]').waitFor();
        await appWindow.locator("#drawing").waitFor({ state: "hidden" });
        await drawingNotice.waitFor({ state: "hidden" });
        step("the customer removed the drawings: gone, the toggle off, the page says nothing");

        // --- whiteboard on and off again: control is back, a click reaches the desktop
        await board.click();
        await view.locator('.rv-draw-row .rv-whiteboard[aria-pressed="true"]').waitFor();
        await board.click();
        await view.locator('.rv-draw-row .rv-whiteboard[aria-pressed="false"]').waitFor();
        await appWindow.locator("#drawing").waitFor({ state: "hidden" });
        const click = await pagePoint(page, 640, 400);
        await page.mouse.click(click.x, click.y);
        await waitFor("xev to get the click", () => /ButtonPress/.test(xev.clicks()));
        step("whiteboard off: the click reached the desktop");

        // --- a narrow toolbar (a small window) keeps one row: the toggles move into "More"
        await page.setViewportSize({ width: 1000, height: 768 });
        await view.locator(".rv-draw-row").waitFor({ state: "hidden" });
        await view.locator(".rv-more > summary").click();
        await view.locator(".rv-draw-menu .rv-whiteboard").waitFor({ state: "visible" });
        if (SHOTS) await page.screenshot({ path: `${SHOTS}/wb-more-narrow.png` });
        await view.locator(".rv-more > summary").click();
        await page.setViewportSize({ width: 1366, height: 768 });

        // --- the session log has both, in the technician's name
        const lines = await waitFor("the log lines", async () => {
          const all = await readLog(t.deps.db, session.id);
          const wb = all.filter((l) => l.body.startsWith("log.remote.whiteboard"));
          return wb.length >= 4 ? wb : null;
        });
        assert.deepEqual(lines.map((l) => [l.body, l.authorName]), [
          ["log.remote.whiteboardOn", tech.name],
          ["log.remote.whiteboardRemoved", ""], // no technician: the customer's doing
          ["log.remote.whiteboardOn", tech.name],
          ["log.remote.whiteboardOff", tech.name],
        ]);
        assert.deepEqual(page.errors, []);
      });
    } finally {
      try {
        xterm?.kill("SIGKILL");
      } catch { /* gone */ }
      await xterm?.status;
      screen.close();
      await xev.stop();
      await closeAgentWorld({ agent, app: t, xvfb, work });
    }
  },
});
