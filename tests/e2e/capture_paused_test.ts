/**
 * The customer's picture cannot be captured for a while, end to end on real parts: the real
 * support app (X11 over FFI) on an Xvfb seen through a display that can refuse screen copies
 * (tests/support/x11_refusing_proxy.ts: the real X server answers the app's GetImage/ShmGetImage
 * with BadDrawable while `refusing`), the real server and Chromium for the technician. The
 * technician controls → the copies are refused and the screen changes → the remote view dims the
 * frozen picture under "The support app cannot capture the customer's screen right now. This
 * picture is not live." and "The live picture returns by itself…", the status line says control
 * is paused with the picture (no "You are controlling"), and a click on the picture moves nothing
 * on the customer's screen → the copies work again with nothing changing on the screen → the
 * picture is live again (a colour set on the screen then shows in it) and the status line says
 * "You are controlling" → the session's log has both changes, and the recording the technician
 * made over it (Record before, Stop after) has the frozen stretch as a chapter between two live
 * ones, titled in the technician's language (ffprobe reads them). Screenshots of the pause at
 * 1366×768 and 1920×1080 with CAPTURE_PAUSED_SHOTS=<folder>.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { eq } from "drizzle-orm";
import { startTestApp } from "../support/app.ts";
import { ffprobe } from "../support/ffprobe.ts";
import { recordingGroup } from "../support/org.ts";
import { withBrowser } from "../support/browser.ts";
import { technician } from "../support/sessions.ts";
import { closeAgentWorld, signedInWithAgentSession } from "../support/agent_e2e.ts";
import { startRefusingDisplay } from "../support/x11_refusing_proxy.ts";
import { runX, startXvfb } from "../../agent/platform/xvfb_test_support.ts";
import { readLog } from "../../modules/support/mod.ts";
import { recordings } from "../../modules/recording/mod.ts";

const step = (what: string) => console.log(`  · ${what}`);

/** The picture's pixel at (x, y) of the remote screen, as Chromium decoded it. */
function pixel(page: Page, x: number, y: number): Promise<number[]> {
  return page.evaluate(([px, py]) => {
    const video = document.querySelector<HTMLVideoElement>(".remote-view .rv-video")!;
    const canvas = document.createElement("canvas");
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const context = canvas.getContext("2d")!;
    context.drawImage(video, 0, 0);
    return [...context.getImageData(px, py, 1, 1).data.slice(0, 3)];
  }, [x, y] as const);
}

async function pictureIs(page: Page, rgb: [number, number, number], what: string) {
  for (const until = Date.now() + 15_000; Date.now() < until;) {
    const got = await pixel(page, 40, 40);
    if (got.every((v, i) => Math.abs(v - rgb[i]) < 40)) return;
    await page.waitForTimeout(100);
  }
  throw new Error(`the picture never showed ${what} (${await pixel(page, 40, 40)})`);
}

Deno.test({
  name:
    "e2e: the screen cannot be captured — the remote view says the picture is not live, and it comes back by itself",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const xvfb = await startXvfb();
    const screen = await startRefusingDisplay(xvfb.display);
    const work = await Deno.makeTempDir({ prefix: "rescue-capture-e2e-" });
    const t = await startTestApp();
    let agent: Deno.ChildProcess | null = null;
    try {
      await runX(xvfb.display, "xsetroot", ["-solid", "#00c000"]);
      const group = await recordingGroup(t, `${work}/recordings`);
      const tech = await technician(t, { groupId: group.id });
      await withBrowser(t, async ({ base, newPage }) => {
        const { page, appWindow, space, session } = await signedInWithAgentSession(
          { t, base, newPage },
          tech,
          {
            display: screen.display,
            stateDir: `${work}/agent-state`,
            started: (started) => agent = started,
          },
        );
        const view = space.locator(".remote-view");
        await view.locator(".rv-control").click();
        await appWindow.locator("#allow-control").click();
        await page.waitForFunction(() =>
          (document.querySelector<HTMLVideoElement>(".remote-view .rv-video")?.videoWidth ?? 0) >
            0
        );
        await pictureIs(page, [0, 192, 0], "green");
        const consent = view.locator(".rv-consent");
        await consent.filter({ hasText: "You are controlling" }).waitFor();
        const record = view.locator(".rv-record");
        await record.click();
        await view.locator(".rv-record.is-on").waitFor();
        // The part file is open (a keyframe came) before the screen freezes, with more frames.
        const recorded = () =>
          t.deps.db.select().from(recordings).where(eq(recordings.sessionId, session.id));
        for (const until = Date.now() + 15_000; (await recorded()).length === 0;) {
          assert.ok(Date.now() < until, "no part was opened");
          await new Promise((r) => setTimeout(r, 100));
        }
        await runX(xvfb.display, "xsetroot", ["-solid", "#00c100"]);
        await pictureIs(page, [0, 193, 0], "green, a shade on");
        step("controlling, the picture live, recording");

        // The X server refuses the copies; the screen changes under them.
        screen.refusing = true;
        await runX(xvfb.display, "xsetroot", ["-solid", "#c00000"]);
        const placeholder = view.locator(".rv-placeholder");
        await placeholder.filter({
          hasText: "The support app cannot capture the customer's screen right now. " +
            "This picture is not live.",
        }).waitFor();
        assert.equal(
          await placeholder.locator(".rv-placeholder-more").textContent(),
          "The live picture returns by itself as soon as the screen can be captured again.",
        );
        assert.match(
          (await view.locator(".rv-stage").getAttribute("class"))!,
          /is-stale.*is-paused/,
        );
        await consent.filter({ hasText: "Remote control is paused with the picture" }).waitFor();
        assert.ok(screen.refused > 0, "the app's copies reached the X server and were refused");
        step(`paused: ${screen.refused} copies refused`);

        // A click on the frozen picture moves nothing on the customer's screen.
        const before = await runX(xvfb.display, "xdotool", ["getmouselocation"]);
        const box = (await view.locator(".rv-video").boundingBox())!;
        await page.mouse.click(box.x + box.width * 0.8, box.y + box.height * 0.8);
        await page.waitForTimeout(500);
        assert.equal(await runX(xvfb.display, "xdotool", ["getmouselocation"]), before);
        const shots = Deno.env.get("CAPTURE_PAUSED_SHOTS");
        if (shots) {
          await page.screenshot({ path: `${shots}/capture-paused-1366.png` });
          await page.setViewportSize({ width: 1920, height: 1080 });
          await page.waitForTimeout(300);
          await page.screenshot({ path: `${shots}/capture-paused-1920.png` });
          await page.setViewportSize({ width: 1366, height: 768 });
        }

        // The copies work again; nothing changes on the screen: the app finds out by itself.
        screen.refusing = false;
        await placeholder.waitFor({ state: "hidden" });
        await consent.filter({ hasText: "You are controlling" }).waitFor();
        await pictureIs(page, [192, 0, 0], "red, the colour set while paused");
        await runX(xvfb.display, "xsetroot", ["-solid", "#0000c0"]);
        await pictureIs(page, [0, 0, 192], "blue: live again");
        step("live again");

        const lines = (await readLog(t.deps.db, session.id))
          .filter((l) => l.body.startsWith("log.remote.capture")).map((l) => l.body);
        assert.deepEqual(lines, ["log.remote.captureFailed", "log.remote.captureResumed"]);

        // The recording says where the picture was frozen: a chapter between two live ones.
        await record.click();
        await view.locator(".rv-record:not(.is-on)").waitFor();
        let rows: typeof recordings.$inferSelect[] = [];
        for (const until = Date.now() + 15_000; Date.now() < until;) {
          rows = await recorded();
          if (rows.length > 0 && rows.every((r) => r.endedAt)) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        assert.equal(rows.length, 1, "one part");
        const { json } = await ffprobe(rows[0].path, { chapters: true });
        const chapters = json.chapters as {
          start_time: string;
          end_time: string;
          tags: { title: string };
        }[];
        assert.deepEqual(chapters.map((c) => c.tags.title), [
          "Live picture",
          "Not live: the support app could not capture the screen",
          "Live picture",
        ]);
        const paused = Number(chapters[1].end_time) - Number(chapters[1].start_time);
        assert.ok(paused > 0.5, `the frozen stretch lasts ${paused} s`);
        step(`the recording's chapters: live, not live for ${paused.toFixed(1)} s, live`);
      });
    } finally {
      await closeAgentWorld({ agent, app: t, xvfb, work });
      await screen.stop();
    }
  },
});
