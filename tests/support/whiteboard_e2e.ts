/**
 * What the whiteboard's e2e stories (tests/e2e/remote_whiteboard*_test.ts) read and watch: the
 * pen's and the laser's colours on the X screen, the page point over a remote pixel, whether the
 * technician's picture is red there (or laser-red, and how much), the customer sharing the screen
 * for a view-only picture, and an xev window standing for the customer's desktop that notes every
 * click it gets.
 */
import type { Locator, Page } from "playwright-core";
import type { Desktop } from "../../agent/platform/types.ts";

/** The pen's red and the laser's, as the X screen shows them (0xRRGGBB). */
export const RED = 0xe0201b;
export const LASER = 0xff1a1a;

/** Polls `check` every 30 ms until it gives a value (not null, undefined or false), or throws. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | null> | T | null,
  ms = 15_000,
) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const value = await check();
    if (value !== null && value !== undefined && value !== false) return value;
    await new Promise((r) => setTimeout(r, 30));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** How many pixels of `rgb` the X screen shows in the box around (x, y) (±r). */
export function countColour(desktop: Desktop, x: number, y: number, r: number, rgb: number) {
  const frame = desktop.grab();
  let n = 0;
  for (let yy = Math.max(0, y - r); yy <= Math.min(frame.height - 1, y + r); yy++) {
    for (let xx = Math.max(0, x - r); xx <= Math.min(frame.width - 1, x + r); xx++) {
      const i = yy * frame.stride + xx * 4;
      const value = (frame.data[i + 2] << 16) | (frame.data[i + 1] << 8) | frame.data[i];
      if (value === rgb) n++;
    }
  }
  return n;
}

/** The page point over the remote pixel (x, y) of the picture (fit: letterboxed). */
export async function pagePoint(page: Page, x: number, y: number) {
  return await page.evaluate(([rx, ry]) => {
    const video = document.querySelector<HTMLVideoElement>(".remote-view .rv-video")!;
    const box = video.getBoundingClientRect();
    const scale = Math.min(box.width / video.videoWidth, box.height / video.videoHeight);
    const left = box.left + (box.width - video.videoWidth * scale) / 2;
    const top = box.top + (box.height - video.videoHeight * scale) / 2;
    return { x: left + (rx + 0.5) * scale, y: top + (ry + 0.5) * scale };
  }, [x, y] as const);
}

/** Whether the technician's picture is red at the remote pixel (x, y). */
export function pictureRed(page: Page, x: number, y: number) {
  return page.evaluate(([x, y]) => {
    const video = document.querySelector<HTMLVideoElement>(".remote-view .rv-video")!;
    const canvas = document.createElement("canvas");
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const ctx = canvas.getContext("2d")!;
    ctx.drawImage(video, 0, 0);
    const [r, g, b] = ctx.getImageData(x, y, 1, 1).data;
    return r > 180 && g < 90 && b < 90;
  }, [x, y] as const);
}

/**
 * An xev window at 900×400+190+150 on `display` for the customer's desktop: `clicks()` is all
 * it printed of button events so far; `stop()` ends it (in the test's `finally`).
 */
export function xevDesktop(display: string) {
  const xev = new Deno.Command("stdbuf", {
    args: ["-oL", "xev", "-geometry", "900x400+190+150", "-event", "button"],
    env: { DISPLAY: display },
    stdout: "piped",
    stderr: "null",
  }).spawn();
  let clicks = "";
  const reading = xev.stdout.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (chunk) => void (clicks += chunk) }),
  ).catch(() => {});
  return {
    clicks: () => clicks,
    process: xev,
    async stop() {
      try {
        xev.kill("SIGKILL");
      } catch { /* gone */ }
      await xev.status;
      await reading;
    },
  };
}

/** A stroke of the pointer on the page: down at `from`, `steps` moves to `to`, up. */
export async function drag(
  page: Page,
  from: { x: number; y: number },
  to: { x: number; y: number },
  steps: number,
) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps });
  await page.mouse.up();
}

/**
 * View only: the technician's view is asked for (unless already on), the customer allows it in
 * the support app's window, and the picture arrives at the customer's screen size.
 */
export async function viewShared(
  page: Page,
  view: Locator,
  appWindow: Page,
  size: { width: number; height: number },
) {
  const viewButton = view.locator(".rv-view");
  if (!await viewButton.evaluate((b) => b.classList.contains("is-on"))) await viewButton.click();
  await appWindow.locator("#allow-view").click();
  await page.waitForFunction(
    ({ width, height }) => {
      const video = document.querySelector<HTMLVideoElement>(".remote-view .rv-video");
      return video?.videoWidth === width && video.videoHeight === height;
    },
    size,
    { timeout: 60_000 },
  );
}

/**
 * Laser-red pixels in the technician's current video frame: the whole picture, or the square of
 * `around.radius` about a remote pixel.
 */
export function pictureLaserDots(
  page: Page,
  around?: { x: number; y: number; radius: number },
): Promise<number> {
  return page.evaluate((around) => {
    const video = document.querySelector<HTMLVideoElement>(".remote-view .rv-video")!;
    const canvas = document.createElement("canvas");
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const ctx = canvas.getContext("2d", { willReadFrequently: true })!;
    ctx.drawImage(video, 0, 0);
    const box = around
      ? [around.x - around.radius, around.y - around.radius, 2 * around.radius, 2 * around.radius]
      : [0, 0, canvas.width, canvas.height];
    const data = ctx.getImageData(box[0], box[1], box[2], box[3]).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] > 200 && data[i + 1] < 70 && data[i + 2] < 70) n++;
    }
    return n;
  }, around ?? null);
}
