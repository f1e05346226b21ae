// Over 400 lines on purpose: one composited desktop, started once, walks the whole whiteboard story (preview, picture, click-through, laser, Undo, Clear, stretch, scrolled, full screen) in order.
/**
 * The whiteboard's local preview and a compositing desktop, end to end (SPEC R4), on real parts:
 * an Xvfb display run by a window manager (openbox) and a compositor (picom on its xrender
 * backend: every window redirected, the screen painted by picom), an xev window standing for
 * the customer's desktop, the real agent joined by PIN, the real server and Chromium.
 *
 * A technician who only views (no control) turns the whiteboard on → the status line says the
 * pointer draws on the customer's screen and the customer sees it → a line drawn on the picture
 * shows in the technician's window at once, while the picture does not carry it yet (the step
 * prints both delays) → the compositor shows it on the X screen (read back with the agent's own
 * capture, as the picture is made) → the picture carries it and the local preview gives way
 * (gone, the picture red there) → a click on the line goes through to xev beneath → the laser's
 * dot shows in the preview at once and on the X screen → Undo takes a second line away (preview,
 * screen, picture), the first stays → Clear empties the screen. Screenshots of the
 * view-only drawing state at 1366×768 and 1920×1080 go to /tmp/shots/wb-viewonly-*.png
 * (E2E_SHOTS=0: none).
 *
 * picom here; xcompmgr (which does not follow shape changes by itself) is covered by
 * agent/platform/x11_overlay_xcompmgr_test.ts.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { startTestApp } from "../support/app.ts";
import { withBrowser } from "../support/browser.ts";
import { technician } from "../support/sessions.ts";
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
  viewShared,
  waitFor,
  xevDesktop,
} from "../support/whiteboard_e2e.ts";

const step = (what: string) => console.log(`  · ${what}`);
const SHOTS = Deno.env.get("E2E_SHOTS") === "0" ? null : "/tmp/shots";

/**
 * Installs in the page a watch that, as soon as the preview first shows a piece (its paint sets
 * `data-pieces`), notes whether the preview and the picture are red at the page point (x, y) and
 * how long after the pointer went down; then, frame by frame, when the picture shows red there.
 */
async function watchFirstPreview(page: Page, at: { x: number; y: number }) {
  await page.evaluate(({ x, y }) => {
    const w = globalThis as unknown as { firstPreview?: Record<string, unknown> };
    w.firstPreview = undefined;
    let downAt = 0;
    addEventListener("pointerdown", () => downAt = performance.now(), {
      once: true,
      capture: true,
    });
    const red = (ctx: CanvasRenderingContext2D, px: number, py: number) => {
      const [r, g, b, a] = ctx.getImageData(px, py, 1, 1).data;
      return a > 200 && r > 180 && g < 90 && b < 90;
    };
    const video = document.querySelector<HTMLVideoElement>(".remote-view .rv-video")!;
    const pictureRed = () => {
      const box = video.getBoundingClientRect();
      const scale = Math.min(box.width / video.videoWidth, box.height / video.videoHeight);
      const left = box.left + (box.width - video.videoWidth * scale) / 2;
      const top = box.top + (box.height - video.videoHeight * scale) / 2;
      const canvas = document.createElement("canvas");
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      const ctx = canvas.getContext("2d", { willReadFrequently: true })!;
      ctx.drawImage(video, 0, 0);
      return red(ctx, Math.floor((x - left) / scale), Math.floor((y - top) / scale));
    };
    const preview = document.querySelector<HTMLCanvasElement>(".remote-view .rv-preview")!;
    const observer = new MutationObserver(() => {
      if (preview.hidden || preview.dataset.pieces === "0") return;
      observer.disconnect();
      const box = preview.getBoundingClientRect();
      const ratio = preview.width / box.width;
      const ctx = preview.getContext("2d")!;
      const mine = red(ctx, Math.round((x - box.left) * ratio), Math.round((y - box.top) * ratio));
      const first = {
        preview: mine,
        picture: pictureRed(),
        waiting: Number(preview.dataset.waiting),
        previewMs: Math.round(performance.now() - downAt),
        pictureMs: -1,
      };
      w.firstPreview = first;
      const frames = video as unknown as { requestVideoFrameCallback(cb: () => void): number };
      const next = () => {
        if (pictureRed()) first.pictureMs = Math.round(performance.now() - downAt);
        else frames.requestVideoFrameCallback(next);
      };
      frames.requestVideoFrameCallback(next);
    });
    observer.observe(preview, { attributes: true, attributeFilter: ["data-pieces", "hidden"] });
  }, at);
}

/** The page point over the remote pixel (x, y) in "stretch" (the box) or "actual" (1:1, scrolled). */
async function pagePointIn(page: Page, mode: "stretch" | "actual", x: number, y: number) {
  return await page.evaluate(([mode, rx, ry]) => {
    const video = document.querySelector<HTMLVideoElement>(".remote-view .rv-video")!;
    const box = video.getBoundingClientRect();
    const sx = mode === "actual" ? 1 : box.width / video.videoWidth;
    const sy = mode === "actual" ? 1 : box.height / video.videoHeight;
    return { x: box.left + (rx + 0.5) * sx, y: box.top + (ry + 0.5) * sy };
  }, [mode, x, y] as const);
}

/** Whether the preview canvas is red at the page point (x, y): runs in the page. */
function previewRedAt(x: number, y: number): boolean {
  const preview = document.querySelector<HTMLCanvasElement>(".remote-view .rv-preview")!;
  if (preview.hidden) return false;
  const box = preview.getBoundingClientRect();
  if (x < box.left || y < box.top || x >= box.right || y >= box.bottom) return false;
  const ratio = preview.width / box.width;
  const [r, g, b, a] = preview.getContext("2d")!.getImageData(
    Math.floor((x - box.left) * ratio),
    Math.floor((y - box.top) * ratio),
    1,
    1,
  ).data;
  return a > 200 && r > 180 && g < 90 && b < 90;
}

/** Whether the preview canvas is red at the page point now. */
function previewRed(page: Page, at: { x: number; y: number }): Promise<boolean> {
  return page.evaluate(`(${previewRedAt})(${at.x}, ${at.y})`) as Promise<boolean>;
}

/**
 * Looks at the preview at the page point on every animation frame from now until it is red
 * (`sawPreviewRed`): a piece lives only until the picture carries it (a round trip, 150 ms
 * and a 250 ms fade), and a test polling under CI's load can miss it altogether.
 */
async function watchPreviewRed(page: Page, at: { x: number; y: number }): Promise<void> {
  await page.evaluate(`(() => {
    const red = ${previewRedAt};
    window.__previewSeen = false;
    const look = () => {
      if (red(${at.x}, ${at.y})) window.__previewSeen = true;
      else requestAnimationFrame(look);
    };
    look();
  })()`);
}

function sawPreviewRed(page: Page): Promise<boolean> {
  return page.evaluate("window.__previewSeen === true") as Promise<boolean>;
}

Deno.test({
  name: "e2e: a view-only technician's drawing shows at once, gives way to the picture; compositor",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const xvfb = await startXvfb({ width: 1280, height: 720 });
    const work = await Deno.makeTempDir({ prefix: "rescue-wb-preview-e2e-" });
    const t = await startTestApp();
    let agent: Deno.ChildProcess | null = null;
    const env = { DISPLAY: xvfb.display };
    await runX(xvfb.display, "xsetroot", ["-solid", "#336699"]);
    const desktopParts: Deno.ChildProcess[] = [];
    const spawn = (cmd: string, args: string[]) => {
      const child = new Deno.Command(cmd, { args, env, stdout: "null", stderr: "null" }).spawn();
      desktopParts.push(child);
      return child;
    };
    spawn("openbox", []);
    await waitFor(
      "openbox",
      async () =>
        /window id/.test(await runX(xvfb.display, "xprop", ["-root", "_NET_SUPPORTING_WM_CHECK"])),
    );
    // picom (xrender: Xvfb has no GL), its own settings only: fading off so a frame is final.
    const compositor = spawn("picom", ["--backend", "xrender", "--config", "/dev/null"]);
    let compositorExited = false;
    compositor.status.then(() => compositorExited = true);
    await waitFor(
      "picom",
      async () => /"picom"/.test(await runX(xvfb.display, "xwininfo", ["-root", "-children"])),
    );
    const xev = xevDesktop(xvfb.display);
    const screen = openDesktop({ display: xvfb.display });
    try {
      const tech = await technician(t);
      await withBrowser(t, async ({ base, newPage }) => {
        const { page, appWindow, space } = await signedInWithAgentSession(
          { t, base, newPage },
          tech,
          {
            display: xvfb.display,
            stateDir: `${work}/agent-state`,
            started: (started) => agent = started,
          },
        );
        const view = space.locator(".remote-view");
        // View only: the customer shares the screen, nobody asks for control.
        await viewShared(page, view, appWindow, { width: 1280, height: 720 });
        assert.equal(compositorExited, false, "picom composites the desktop");
        step("the picture of a composited desktop, view only");

        // --- whiteboard on: the status line says where the pointer draws and who sees it
        await view.locator(".rv-draw-row .rv-whiteboard").click();
        await view.locator('.rv-draw-row .rv-whiteboard[aria-pressed="true"]').waitFor();
        await view.locator('.rv-consent[data-state="drawing"]').waitFor();
        assert.equal(
          await view.locator(".rv-consent").innerText(),
          "Drawing mode: your pointer draws on the customer's screen, and the customer sees your drawings.",
        );
        assert.equal(await view.locator(".rv-whiteboard-label").innerText(), "Pen");
        step("whiteboard on, view only: the status line says it draws on the customer's screen");

        // --- a line: in the preview at once, before the picture carries it
        const from = await pagePoint(page, 300, 350);
        const to = await pagePoint(page, 900, 350);
        await watchFirstPreview(page, from);
        await drag(page, from, to, 12);
        type First = {
          preview: boolean;
          picture: boolean;
          waiting: number;
          previewMs: number;
          pictureMs: number;
        };
        const firstPreview = () =>
          page.evaluate(() =>
            (globalThis as unknown as { firstPreview?: First }).firstPreview ?? null
          );
        const first = await waitFor("the first preview", firstPreview, 5_000);
        assert.equal(first.preview, true, "the preview draws the line's start");
        assert.equal(first.picture, false, "the picture does not show it yet");
        assert.ok(first.waiting >= 1, "the piece waits for the picture");
        const { pictureMs } = await waitFor("the picture", async () => {
          const now = await firstPreview();
          return now && now.pictureMs >= 0 ? now : null;
        });
        assert.ok(pictureMs > first.previewMs, "the preview came first");
        step(
          `the line's start in the preview ${first.previewMs} ms after the pointer went down, ` +
            `in the picture ${pictureMs} ms after`,
        );

        // The compositor shows it on the customer's screen (the agent's capture reads it).
        await waitFor(
          "the line on the composited X screen",
          () => [310, 600, 890].every((x) => countColour(screen, x, 350, 4, RED) > 0),
        );
        assert.equal(countColour(screen, 600, 300, 4, RED), 0, "only where drawn");
        step("under picom the line is on the X screen");

        // The picture carries it; the preview gives way (nothing of it left), the picture stays red.
        await waitFor("the line in the picture", () => pictureRed(page, 600, 350));
        await waitFor("the preview to give way", () =>
          page.evaluate(() => {
            const preview = document.querySelector<HTMLCanvasElement>(".remote-view .rv-preview")!;
            return preview.hidden && preview.dataset.pieces === "0";
          }));
        for (const x of [310, 600, 890]) {
          assert.ok(await pictureRed(page, x, 350), `the picture shows the line at x ${x}`);
        }
        step("the picture carries the line and the preview gave way");

        if (SHOTS) {
          await Deno.mkdir(SHOTS, { recursive: true });
          await page.screenshot({ path: `${SHOTS}/wb-viewonly-1366.png` });
          await page.setViewportSize({ width: 1920, height: 1080 });
          await page.waitForTimeout(600);
          await page.screenshot({ path: `${SHOTS}/wb-viewonly-1920.png` });
          await page.setViewportSize({ width: 1366, height: 768 });
          await page.waitForTimeout(300);
        }

        // --- the overlay takes no input: a click on the line reaches xev beneath
        assert.doesNotMatch(xev.clicks(), /ButtonPress/, "drawing sent no click to the desktop");
        await runX(xvfb.display, "xdotool", ["mousemove", "600", "350", "click", "1"]);
        await waitFor(
          "xev to get the click through the line",
          () => /ButtonPress/.test(xev.clicks()),
        );
        assert.ok(countColour(screen, 600, 350, 4, RED) > 0, "the line is still there");
        step("a click on the line went through to the window beneath");

        // --- the laser: in the preview at once, and on the X screen
        await view.locator(".rv-draw-row .rv-laser").click();
        await view.locator('.rv-draw-row .rv-laser[aria-pressed="true"]').waitFor();
        const dot = await pagePoint(page, 700, 500);
        await page.mouse.move(dot.x - 5, dot.y - 5);
        await page.mouse.move(dot.x, dot.y);
        await waitFor("the laser in the preview", () =>
          page.evaluate(({ x, y }) => {
            const preview = document.querySelector<HTMLCanvasElement>(".remote-view .rv-preview")!;
            if (preview.hidden) return false;
            const box = preview.getBoundingClientRect();
            const ratio = preview.width / box.width;
            const [r, g, b, a] = preview.getContext("2d")!.getImageData(
              Math.round((x - box.left) * ratio),
              Math.round((y - box.top) * ratio),
              1,
              1,
            ).data;
            return a > 200 && r > 200 && g < 60 && b < 60;
          }, dot), 2_000);
        await waitFor("the laser's dot", () => countColour(screen, 700, 500, 3, LASER) > 10);
        if (SHOTS) await page.screenshot({ path: `${SHOTS}/wb-viewonly-laser-1366.png` });
        await page.mouse.move(5, 5); // off the picture
        await waitFor("the laser hidden", () => countColour(screen, 700, 500, 12, LASER) === 0);
        await view.locator(".rv-draw-row .rv-laser").click();
        step("the laser's dot in the preview at once and on the X screen");

        // --- Undo: the last line goes, from the preview at once and from the screen; Clear: all
        const a = await pagePoint(page, 400, 250), b = await pagePoint(page, 700, 250);
        await drag(page, a, b, 6);
        await waitFor("the second line", () => countColour(screen, 550, 250, 4, RED) > 0);
        await view.locator(".rv-undo").click();
        await waitFor(
          "the preview without it",
          () =>
            page.evaluate(() => {
              const preview = document.querySelector<HTMLCanvasElement>(
                ".remote-view .rv-preview",
              )!;
              return preview.hidden || preview.dataset.pieces === "0";
            }),
          2_000,
        );
        await waitFor("the second line undone", () => countColour(screen, 550, 250, 6, RED) === 0);
        assert.ok(countColour(screen, 600, 350, 4, RED) > 0, "the first line stays");
        // The picture follows the screen a frame or more later: wait for the one that has the
        // first line and not the second (the Undo itself shows no frame without the first line:
        // agent/whiteboard_undo_x11_test.ts).
        await waitFor(
          "the picture without the second line, with the first",
          async () => !await pictureRed(page, 550, 250) && await pictureRed(page, 600, 350),
        );
        step("Undo took the last line away: preview, screen and picture; the first stays");
        await view.locator(".rv-clear").click();
        await waitFor("the clear", () => countColour(screen, 600, 350, 6, RED) === 0);
        step("Clear emptied the screen");

        // --- the other scale modes: the preview lies where the customer's screen draws
        for (const mode of ["stretch", "actual"] as const) {
          await view.locator(`.rv-scale .rv-${mode}`).click();
          await view.locator(`.rv-scale .rv-${mode}[aria-pressed="true"]`).waitFor();
          if (mode === "actual") {
            // 1:1, larger than the stage: scrolled right and down, the line where it scrolled to.
            await view.locator(".rv-stage").evaluate((el) => {
              el.scrollLeft = 200;
              el.scrollTop = 150;
            });
          }
          await page.waitForTimeout(200); // laid out again
          const [x0, x1, y] = mode === "actual" ? [500, 700, 300] : [250, 450, 450];
          const mx = (x0 + x1) / 2;
          const p = await pagePointIn(page, mode, x0, y);
          const q = await pagePointIn(page, mode, x1, y);
          const mid = await pagePointIn(page, mode, mx, y);
          const above = await pagePointIn(page, mode, mx, y - 20);
          await watchPreviewRed(page, mid);
          await drag(page, p, q, 4);
          await waitFor(`the preview in ${mode}`, () => sawPreviewRed(page), 2_000);
          assert.equal(await previewRed(page, above), false, `${mode}: only where drawn`);
          await waitFor(
            `the line on the screen (${mode})`,
            () => countColour(screen, mx, y, 4, RED) > 0,
          );
          await view.locator(".rv-undo").click();
          await waitFor(`undone (${mode})`, () => countColour(screen, mx, y, 6, RED) === 0);
        }
        await view.locator(".rv-scale .rv-fit").click();
        step("stretch and actual (scrolled): the preview where the line is drawn");

        // --- full screen: the sentence stays, the preview lies on the larger picture
        await view.locator(".rv-fullscreen").click();
        await page.waitForFunction(() =>
          document.fullscreenElement === document.querySelector(".remote-view")
        );
        await page.waitForTimeout(300);
        assert.equal(await view.locator('.rv-consent[data-state="drawing"]').isVisible(), true);
        const f0 = await pagePoint(page, 250, 600), f1 = await pagePoint(page, 450, 600);
        const fm = await pagePoint(page, 350, 600), fa = await pagePoint(page, 350, 580);
        await watchPreviewRed(page, fm);
        await drag(page, f0, f1, 4);
        await waitFor("the preview in full screen", () => sawPreviewRed(page), 2_000);
        assert.equal(await previewRed(page, fa), false, "full screen: only where drawn");
        if (SHOTS) await page.screenshot({ path: `${SHOTS}/wb-viewonly-fullscreen-1366.png` });
        await waitFor("the line (full screen)", () => countColour(screen, 350, 600, 4, RED) > 0);
        await view.locator(".rv-undo").click();
        await waitFor("undone (full screen)", () => countColour(screen, 350, 600, 6, RED) === 0);
        await view.locator(".rv-fullscreen").click();
        await page.waitForFunction(() => document.fullscreenElement === null);
        step("full screen: the sentence shows, the preview where the line is drawn");
        assert.equal(compositorExited, false, "picom ran throughout");
        assert.deepEqual(page.errors, []);
      });
    } finally {
      screen.close();
      await xev.stop();
      for (const child of desktopParts) {
        try {
          child.kill("SIGKILL");
        } catch { /* gone */ }
        await child.status;
      }
      await closeAgentWorld({ agent, app: t, xvfb, work });
    }
  },
});
