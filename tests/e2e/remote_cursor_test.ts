/**
 * The customer's pointer drawn by the technician's island (issue 14), on real parts: an X
 * display with an xterm, the real agent joining by PIN, the real server and Chromium.
 *
 * The island says it draws the pointer (`codecs` … `cursor: true`), so the server asks the agent
 * for it apart from the picture. The customer's X pointer is moved with `xdotool`: the overlay
 * over the picture follows to the mapped place (fit, actual size scrolled, a resized page, one
 * monitor of two chosen — and hidden while the pointer is on the other); with control granted,
 * the technician's own pointer over the picture takes the customer's shape
 * (`cursor: url(data:image/png…)`) and the overlay hides. Screenshots of the console at 1366×768
 * and 1920×1080 with the overlay over the picture go to /tmp/shots (E2E_SHOTS=0: none).
 * (That the frames no longer carry the pointer is the agent's test: agent/screen_cursor_x11_test.ts.)
 */
import assert from "node:assert/strict";
import type { Locator, Page } from "playwright-core";
import { startTestApp } from "../support/app.ts";
import { clickAndWait, withBrowser } from "../support/browser.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician } from "../support/sessions.ts";
import { closeAgentWorld, pinSessionWithAgent, startFromQueue } from "../support/agent_e2e.ts";
import { startXvfb, type Xvfb } from "../../agent/platform/xvfb_test_support.ts";
import { startXorgDummy } from "../../agent/platform/xorg_dummy_test_support.ts";
import type { CursorShape } from "../../protocol/cursor.ts";

const step = (what: string) => console.log(`  · ${what}`);

async function waitFor<T>(what: string, check: () => Promise<T | null> | T | null, ms = 15_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const value = await check();
    if (value !== null && value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

type CursorSeen = { x: number; y: number; visible: boolean; shape?: CursorShape };

/** The customer's `cursor` messages the technician's page got on its viewer socket. */
function cursorMessages(page: Page) {
  const seen: CursorSeen[] = [];
  page.on("websocket", (ws) => {
    if (!ws.url().endsWith("/remote/ws")) return;
    ws.on("framereceived", ({ payload }) => {
      if (typeof payload !== "string" || !payload.includes('"cursor"')) return;
      const message = JSON.parse(payload);
      if (message.type === "cursor" && message.cursor) seen.push(message.cursor);
    });
  });
  return {
    last: () => seen.at(-1) ?? null,
    shape: () => seen.findLast((c) => c.shape)?.shape ?? null,
  };
}

/**
 * Where the picture is (client px), where the overlay's image is (null while it is hidden) and
 * what is under its middle.
 */
function layout(page: Page) {
  return page.evaluate(() => {
    const video = document.querySelector<HTMLVideoElement>(".rv-video")!;
    const frame = document.querySelector<HTMLElement>(".rv-cursor")!;
    const overlay = frame.querySelector("canvas")!;
    const box = video.getBoundingClientRect();
    const mode = document.querySelector<HTMLElement>(".remote-view")!.dataset.mode;
    const fit = mode === "fit";
    const scale = fit ? Math.min(box.width / video.videoWidth, box.height / video.videoHeight) : 1;
    const width = fit ? video.videoWidth * scale : box.width;
    const height = fit ? video.videoHeight * scale : box.height;
    const rect = {
      left: box.left + (box.width - width) / 2,
      top: box.top + (box.height - height) / 2,
      width,
      height,
    };
    const o = overlay.getBoundingClientRect();
    const shown = !frame.hidden && getComputedStyle(frame).display !== "none";
    const hit = shown
      ? document.elementFromPoint(o.left + o.width / 2, o.top + o.height / 2)?.className
      : null;
    return {
      rect,
      overlay: shown ? { left: o.left, top: o.top, width: o.width, height: o.height } : null,
      pointerEvents: getComputedStyle(overlay).pointerEvents,
      hit,
      videoCursor: getComputedStyle(video).cursor,
    };
  });
}

async function xdotool(display: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command("xdotool", { args, env: { DISPLAY: display } }).output();
  assert.ok(out.success, `xdotool ${args.join(" ")}`);
  return new TextDecoder().decode(out.stdout);
}

/** The right edge of the xterm's window on the screen (px). */
async function xtermRight(display: string): Promise<number> {
  const text = await xdotool(display, "search", "--class", "xterm", "getwindowgeometry", "--shell");
  const value = (name: string) => Number(new RegExp(`^${name}=(\\d+)`, "m").exec(text)?.[1]);
  return value("X") + value("WIDTH");
}

/** The technician's console with the agent's picture, control allowed, and the pointer's messages. */
interface World {
  display: string;
  tech: Page & { errors: string[] };
  view: Locator;
  cursors: ReturnType<typeof cursorMessages>;
}

/** The screen the picture shows: its place on the desktop and its size. */
type Shown = { left: number; top: number; width: number; height: number };

/**
 * Moves the customer's X pointer to (x, y) of the desktop and waits for the overlay at the place
 * the island maps it to (the hot spot on the shown screen, scaled as the picture); the ms taken.
 */
async function pointerTo(w: World, x: number, y: number, shown: Shown): Promise<number> {
  const started = performance.now();
  await xdotool(w.display, "mousemove", String(x), String(y));
  const sx = x - shown.left, sy = y - shown.top;
  await waitFor(`the overlay at (${sx}, ${sy})`, async () => {
    const last = w.cursors.last();
    const shape = w.cursors.shape();
    if (!last || !shape || last.x !== sx || last.y !== sy || !last.visible) return null;
    const { rect, overlay } = await layout(w.tech);
    if (!overlay) return null;
    const kx = rect.width / shown.width, ky = rect.height / shown.height;
    const near = (a: number, b: number) => Math.abs(a - b) <= 1;
    return near(overlay.left, rect.left + (sx - shape.hotX) * kx) &&
        near(overlay.top, rect.top + (sy - shape.hotY) * ky) &&
        near(overlay.width, shape.width * kx) && near(overlay.height, shape.height * ky)
      ? true
      : null;
  }, 5_000).catch(async (error) => {
    const seen = JSON.stringify({ ...w.cursors.last(), shape: undefined });
    throw new Error(`${error.message}: last ${seen}, ${JSON.stringify(await layout(w.tech))}`);
  });
  return Math.round(performance.now() - started);
}

/**
 * An X display with an xterm, the app, Chromium and the real agent; the technician asked for
 * control, the customer allowed it, and the picture (`picture` px) plays.
 */
async function withControlledDesktop(
  display: Xvfb,
  picture: { width: number; height: number },
  fn: (w: World) => Promise<void>,
) {
  const work = await Deno.makeTempDir({ prefix: "rescue-cursor-e2e-" });
  const xterm = new Deno.Command("xterm", {
    args: ["-geometry", "80x24+40+40", "-fa", "Monospace", "-fs", "12", "-e", "sh"],
    cwd: work,
    env: { DISPLAY: display.display, LANG: "C.UTF-8", PS1: "$ " },
    stdout: "null",
    stderr: "null",
  }).spawn();
  const t = await startTestApp();
  let agent: Deno.ChildProcess | null = null;
  let output: string[] = [];
  try {
    const ann = await technician(t, { name: "Ann" });
    await withBrowser(t, async ({ base, newPage }) => {
      (t.deps.config as { publicUrl: string }).publicUrl = base;
      const tech = await newPage();
      const cursors = cursorMessages(tech);
      await tech.goto(`${base}/signin`);
      await tech.fill("#email", ann.email);
      await tech.fill("#password", TECH_PASSWORD);
      await clickAndWait(tech, "button[type=submit]");
      const { session, customerApp, appWindow } = await pinSessionWithAgent(t.deps, tech, newPage, {
        base,
        display: display.display,
        stateDir: `${work}/agent-state`,
      });
      agent = customerApp.agent;
      output = customerApp.output;
      const space = await startFromQueue(tech, session.id);
      const view = space.locator(".remote-view");
      await view.locator(".rv-control").click();
      await appWindow.locator("#allow-control").click();
      await tech.waitForFunction(
        ([w, h]) => {
          const video = document.querySelector<HTMLVideoElement>(".rv-video");
          return Boolean(video && video.videoWidth === w && video.videoHeight === h);
        },
        [picture.width, picture.height],
        { timeout: 40_000 },
      );
      step("control allowed, picture arrives");
      await fn({ display: display.display, tech, view, cursors });
      assert.deepEqual(tech.errors, []);
    });
  } catch (error) {
    console.error(output.join("").slice(-4000));
    throw error;
  } finally {
    try {
      xterm.kill("SIGKILL");
      await xterm.status;
    } catch {
      // gone already
    }
    await closeAgentWorld({ agent, app: t, xvfb: display, work });
  }
}

Deno.test({
  name: "e2e: the island draws the customer's pointer — the overlay follows the X pointer; " +
    "a controlling technician's pointer takes its shape",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const SCREEN = { left: 0, top: 0, width: 1280, height: 720 };
    await withControlledDesktop(await startXvfb(SCREEN), SCREEN, async (w) => {
      const { tech, view } = w;
      // The technician's own pointer is off the picture (on the page's top-left corner).
      await tech.mouse.move(1, 1);
      const times = [
        await pointerTo(w, 100, 100, SCREEN),
        await pointerTo(w, 900, 600, SCREEN),
        await pointerTo(w, 640, 360, SCREEN),
      ];
      step(`overlay follows the X pointer (fit): ${times.join(", ")} ms after xdotool`);
      const fit = await layout(tech);
      assert.equal(fit.pointerEvents, "none");
      assert.equal(fit.hit, "rv-video", "a click on the overlay reaches the picture");

      // Actual size: one remote pixel per page pixel, the stage scrolls.
      await view.locator(".rv-actual").click();
      await tech.mouse.move(1, 1);
      await pointerTo(w, 200, 150, SCREEN);
      await tech.evaluate(() => document.querySelector(".rv-stage")!.scrollBy(100, 50));
      await pointerTo(w, 400, 300, SCREEN);
      // In the screen's corner the pointer is cut at the picture's edge, as the customer sees
      // it: the stage's scroll area does not grow with it.
      const scrollArea = () =>
        tech.evaluate(() => {
          const stage = document.querySelector(".rv-stage")!;
          return `${stage.scrollWidth} × ${stage.scrollHeight}`;
        });
      const area = await scrollArea();
      await pointerTo(w, SCREEN.width - 1, SCREEN.height - 1, SCREEN);
      assert.equal(await scrollArea(), area);
      step("actual size, scrolled: the overlay stays on the customer's pointer, cut at the edge");
      await view.locator(".rv-fit").click();
      await tech.mouse.move(1, 1);
      await pointerTo(w, 500, 200, SCREEN);

      // Controlling, the technician's pointer over the picture is the customer's pointer.
      const { rect } = await layout(tech);
      await tech.mouse.move(rect.left + rect.width / 2, rect.top + rect.height / 2);
      const over = await waitFor("the customer's shape as the technician's pointer", async () => {
        const now = await layout(tech);
        return now.videoCursor.startsWith('url("data:image/png') && !now.overlay ? now : null;
      });
      assert.match(over.videoCursor, /^url\("data:image\/png;base64,[^"]+"\) \d+ \d+, default$/);
      step("controlling and over the picture: the CSS cursor is the customer's shape");
      await tech.mouse.move(1, 1);
      await waitFor("the overlay back off the picture", async () => {
        const now = await layout(tech);
        return now.overlay && !now.videoCursor.startsWith("url") ? true : null;
      });

      // The page resized (a window made bigger, full screen): the overlay follows. On the
      // desktop (the root window's X-shaped pointer, its hot spot in the middle), 14 px right
      // of the xterm's edge, where it is can be seen in the screenshots.
      const shots = Deno.env.get("E2E_SHOTS") !== "0";
      if (shots) await Deno.mkdir("/tmp/shots", { recursive: true });
      /** The console, and 100 × 100 px around the overlay. */
      const shoot = async (name: string, whole: boolean) => {
        if (!shots) return;
        const { overlay } = await layout(tech);
        const clip = { x: overlay!.left - 40, y: overlay!.top - 40, width: 100, height: 100 };
        if (whole) await tech.screenshot({ path: `/tmp/shots/${name}.png` });
        await tech.screenshot({ path: `/tmp/shots/${name}_zoom.png`, clip });
        step(`screenshot /tmp/shots/${name}${whole ? "" : "_zoom"}.png`);
      };
      const edge = await xtermRight(w.display);
      for (const [width, height] of [[1366, 768], [1920, 1080]]) {
        await tech.setViewportSize({ width, height });
        await tech.mouse.move(1, 1);
        await pointerTo(w, edge + 14, 200 + Math.round(width / 10), SCREEN);
        await shoot(`remote_cursor_${width}x${height}`, true);
      }
      // At actual size the image is the customer's own, pixel for pixel.
      await view.locator(".rv-actual").click();
      await tech.mouse.move(1, 1);
      await pointerTo(w, edge + 14, 300, SCREEN);
      await shoot("remote_cursor_actual", false);
    });
  },
});

Deno.test({
  name: "e2e: the island's pointer on one monitor of two — mapped onto the chosen screen, " +
    "hidden while the pointer is on the other",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const DESKTOP = { left: 0, top: 0, width: 2304, height: 720 };
    const DUMMY1 = { left: 1280, top: 0, width: 1024, height: 600 };
    const xorg = await startXorgDummy([{ width: 1280, height: 720 }, DUMMY1]);
    await withControlledDesktop(xorg, DESKTOP, async (w) => {
      const { tech, view } = w;
      await tech.mouse.move(1, 1);
      await pointerTo(w, 1500, 300, DESKTOP);
      await view.locator("select.rv-screen").selectOption("DUMMY1");
      await tech.waitForFunction(() =>
        document.querySelector<HTMLVideoElement>(".rv-video")?.videoWidth === 1024
      );
      await pointerTo(w, 1280 + 300, 200, DUMMY1);
      await pointerTo(w, 1280 + 1000, 590, DUMMY1);
      step("the second screen alone: the overlay on its own coordinates");
      await xdotool(w.display, "mousemove", "100", "100");
      await waitFor("the overlay hidden while the pointer is on the first screen", async () => {
        const off = w.cursors.last()?.visible === false;
        return off && !(await layout(tech)).overlay ? true : null;
      });
      await pointerTo(w, 1280 + 10, 10, DUMMY1);
      step("off this screen: hidden; back: shown");
    });
  },
});
