/**
 * A recording shows where the technician pointed (SPEC R4, R5), on real parts: Xvfb, the real
 * agent joined by PIN, the real server with a group that lets the technician record, Chromium,
 * and ffmpeg reading the part file. The agent's picture leaves the laser's dot out (the
 * technician's window paints its own at once, remote_laser_one_dot_test.ts) — except while the
 * picture is recorded: then its frames keep the customer's dot, so the recording has it, and the
 * technician's window marks where it points with a ring (its own dot would double the picture's).
 *
 * Laser on, not recorded: no laser red in the picture, the window paints a dot. Record: the
 * picture carries the dot where the pointer rests and follows it to a second place; the window
 * rings it. Stop: the picture is without the dot again, the window paints it again. The part
 * file, decoded by ffmpeg, has the dot at both places. Screenshots of the recorded view go to
 * /tmp/shots/laser-recorded-<w>.png at 1366×768 and 1920×1080 (E2E_SHOTS=0: none).
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { startTestApp } from "../support/app.ts";
import { withBrowser } from "../support/browser.ts";
import { technician } from "../support/sessions.ts";
import { recordingGroup } from "../support/org.ts";
import { closeAgentWorld, signedInWithAgentSession } from "../support/agent_e2e.ts";
import { runX, startXvfb } from "../../agent/platform/xvfb_test_support.ts";
import { pagePoint, pictureLaserDots, viewShared, waitFor } from "../support/whiteboard_e2e.ts";
import { recordings } from "../../modules/recording/mod.ts";

const step = (what: string) => console.log(`  · ${what}`);
const SHOTS = Deno.env.get("E2E_SHOTS") === "0" ? null : "/tmp/shots";
const [W, H] = [1280, 720];
const FIRST = { x: 400, y: 300 }, SECOND = { x: 900, y: 480 };

/** Whether a pixel is the laser's red (decoded video: near it). */
const laserRed = (r: number, g: number, b: number) => r > 200 && g < 80 && b < 80;

/** How the window marks its own laser now: "dot", "ring" or "none" (the preview's canvas). */
function previewMark(page: Page): Promise<string> {
  return page.evaluate(() =>
    document.querySelector<HTMLCanvasElement>(".remote-view .rv-preview")?.dataset.laser ?? ""
  );
}

/** In how many of the part's frames (each one decoded) the dot is at each of `places`. */
async function dotsInPart(path: string, places: { x: number; y: number }[]) {
  const out = await new Deno.Command("ffmpeg", {
    args: [
      "-v",
      "error",
      "-i",
      path,
      "-fps_mode",
      "passthrough",
      "-f",
      "rawvideo",
      "-pix_fmt",
      "rgb24",
      "-",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const size = W * H * 3, frames = Math.floor(out.stdout.byteLength / size);
  assert.ok(frames > 0, "ffmpeg decoded no frame of the part");
  const seen = places.map(() => 0);
  for (let f = 0; f < frames; f++) {
    const frame = out.stdout.subarray(f * size, (f + 1) * size);
    places.forEach(({ x, y }, i) => {
      let n = 0;
      for (let dy = -6; dy <= 6; dy++) {
        for (let dx = -6; dx <= 6; dx++) {
          const o = ((y + dy) * W + x + dx) * 3;
          if (laserRed(frame[o], frame[o + 1], frame[o + 2])) n++;
        }
      }
      if (n > 60) seen[i]++;
    });
  }
  return { frames, seen };
}

Deno.test({
  name: "e2e: a recording shows the laser's dot; the technician's window rings it meanwhile",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const xvfb = await startXvfb({ width: W, height: H });
    const work = await Deno.makeTempDir({ prefix: "rescue-laser-rec-e2e-" });
    const t = await startTestApp();
    let agent: Deno.ChildProcess | null = null;
    await runX(xvfb.display, "xsetroot", ["-solid", "#336699"]);
    try {
      const group = await recordingGroup(t, `${work}/recordings`);
      const tech = await technician(t, { groupId: group.id });
      await withBrowser(t, async ({ base, newPage }) => {
        const { page, space, appWindow, session } = await signedInWithAgentSession(
          { t, base, newPage },
          tech,
          {
            display: xvfb.display,
            stateDir: `${work}/agent-state`,
            started: (started) => agent = started,
          },
        );
        const view = space.locator(".remote-view");
        await viewShared(page, view, appWindow, { width: W, height: H });
        // The Record button leaves the toolbar's row no room for the draw toggles: in More.
        const inRow = view.locator(".rv-draw-row .rv-laser");
        if (await inRow.isVisible()) await inRow.click();
        else {
          await view.locator(".rv-more > summary").click();
          await view.locator(".rv-draw-menu .rv-laser").click();
          await view.locator(".rv-more > summary").click(); // the menu closes off the picture
        }
        await view.locator('.rv-laser[aria-pressed="true"]').first().waitFor({ state: "attached" });
        const pointAt = async (at: { x: number; y: number }) => {
          const p = await pagePoint(page, at.x, at.y);
          await page.mouse.move(p.x, p.y);
        };
        await pointAt(FIRST);
        await waitFor("the window's own dot", async () => await previewMark(page) === "dot");
        await new Promise((resolve) => setTimeout(resolve, 1_000)); // the picture caught up
        assert.equal(
          await pictureLaserDots(page, { ...FIRST, radius: 12 }),
          0,
          "not recorded: no dot in the picture",
        );
        step("the laser on, not recorded: the window's own dot, none in the picture");

        await view.locator(".rv-record").click();
        await view.locator(".rv-record.is-on").waitFor();
        await pointAt(FIRST); // back from the button: the laser rests there again
        await waitFor("the window's ring", async () => await previewMark(page) === "ring");
        await waitFor(
          "the dot in the recorded picture",
          async () => await pictureLaserDots(page, { ...FIRST, radius: 12 }) > 100,
        );
        await new Promise((resolve) => setTimeout(resolve, 1_000)); // it rests there a second
        await pointAt(SECOND);
        await waitFor(
          "the dot followed in the picture",
          async () =>
            await pictureLaserDots(page, { ...SECOND, radius: 12 }) > 100 &&
            await pictureLaserDots(page, { ...FIRST, radius: 12 }) === 0,
        );
        step("recorded: the picture carries the dot and follows it, the window rings it");
        if (SHOTS) {
          for (const [w, h] of [[1366, 768], [1920, 1080]]) {
            await page.setViewportSize({ width: w, height: h });
            await new Promise((resolve) => setTimeout(resolve, 500));
            await pointAt(SECOND);
            await new Promise((resolve) => setTimeout(resolve, 800));
            await page.screenshot({ path: `${SHOTS}/laser-recorded-${w}.png` });
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 500));

        await view.locator(".rv-record").click();
        await view.locator(".rv-record:not(.is-on)").waitFor();
        await pointAt(SECOND);
        await waitFor("the window's own dot again", async () => await previewMark(page) === "dot");
        await waitFor(
          "the picture without the dot again",
          async () => await pictureLaserDots(page, { ...SECOND, radius: 12 }) === 0,
        );
        step("stopped: the picture leaves the dot out again, the window paints it");

        let rows: typeof recordings.$inferSelect[] = [];
        await waitFor("the part finished", async () => {
          rows = await t.deps.db.select().from(recordings)
            .where(eq(recordings.sessionId, session.id));
          return rows.length > 0 && rows.every((row) => row.endedAt);
        });
        assert.equal(rows.length, 1, "one part");
        const { frames, seen } = await dotsInPart(rows[0].path, [FIRST, SECOND]);
        step(
          `the part: ${frames} frames decoded; the dot at the first place in ${seen[0]}, ` +
            `at the second in ${seen[1]}`,
        );
        assert.ok(seen[0] > 0, "the recording has the dot where the pointer rested first");
        assert.ok(seen[1] > 0, "and where it went");
        await page.mouse.move(5, 5);
        assert.deepEqual(page.errors, []);
      });
    } finally {
      await closeAgentWorld({ agent, app: t, xvfb, work });
    }
  },
});
