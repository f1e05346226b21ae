// The whiteboard's overlay under xcompmgr (Debian's 1.1.8) on Xvfb, read back with the agent's
// own capture as the technician's picture is made: every stroke shows (not only the first),
// Undo's redraw leaves exactly the lines that stay, Clear empties the screen, and the laser
// moves. xcompmgr clips each window to the bounding shape it read when it first painted it and
// reads it again only on the window's ConfigureNotify — it does not listen for ShapeNotify —
// so each shape change of the overlay must be followed by one (x11_overlay.ts `#reshaped`).
// Needs xvfb and xcompmgr (tools/test_setup.ts installs both); skipped with a warning without.
import assert from "node:assert/strict";
import { openDesktop } from "./mod.ts";
import type { Frame } from "./types.ts";
import { runX, startXvfb } from "./xvfb_test_support.ts";

const RED = 0xe0201b;
const BLUE = 0x1b40e0;
const LASER = 0xff1a1a;

function rgbAt(frame: Frame, x: number, y: number): number {
  const i = y * frame.stride + x * 4;
  return (frame.data[i + 2] << 16) | (frame.data[i + 1] << 8) | frame.data[i];
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 5_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
}

function installed(program: string): boolean {
  try {
    return new Deno.Command("which", { args: [program], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

const HAVE_XCOMPMGR = installed("xcompmgr") && installed("Xvfb");
if (!HAVE_XCOMPMGR) console.warn("x11_overlay_xcompmgr_test: xcompmgr or Xvfb missing, skipped");

Deno.test({
  name: "X11Overlay under xcompmgr: every stroke, Undo's redraw, Clear and the laser show",
  ignore: !HAVE_XCOMPMGR,
  async fn() {
    const xvfb = await startXvfb({ width: 640, height: 480 });
    const env = { DISPLAY: xvfb.display };
    const desktop = openDesktop({ display: xvfb.display });
    const overlay = desktop.overlay!();
    let compositor: Deno.ChildProcess | null = null;
    try {
      await runX(xvfb.display, "xsetroot", ["-solid", "#336699"]);
      compositor = new Deno.Command("xcompmgr", { args: [], env, stdout: "null", stderr: "null" })
        .spawn();
      // xcompmgr's selection window (it owns _NET_WM_CM_S0) is named after it.
      await until(
        "xcompmgr",
        async () => /"xcompmgr"/.test(await runX(xvfb.display, "xwininfo", ["-root", "-children"])),
      );
      const at = (x: number, y: number) => rgbAt(desktop.grab(), x, y);

      overlay.stroke([100, 100, 300, 100], RED, 8);
      await until("the first stroke", () => at(200, 100) === RED);
      // xcompmgr has painted the board now (and read its shape): each step starts settled.
      const settle = () => new Promise((resolve) => setTimeout(resolve, 200));
      await settle();
      // The desktop as xcompmgr paints it (grey: a plain colour sets no root pixmap).
      const DESK = at(5, 5);
      assert.ok(![RED, BLUE, LASER].includes(DESK));
      overlay.stroke([100, 200, 300, 200], BLUE, 8);
      await until("the second stroke", () => at(200, 200) === BLUE, 3_000);
      await settle();
      overlay.stroke([100, 300, 300, 300], RED, 8);
      await until(
        "the strokes drawn after the first",
        () => at(200, 200) === BLUE && at(200, 300) === RED,
        3_000,
      );
      assert.equal(at(200, 100), RED, "the first stays");
      assert.equal(at(200, 250), DESK, "between them: the desktop");
      await settle();

      // Undo: the lines that stay (the first two), the third gone from the screen.
      overlay.redraw!([
        { points: [100, 100, 300, 100], rgb: RED, width: 8 },
        { points: [100, 200, 300, 200], rgb: BLUE, width: 8 },
      ]);
      await until("Undo's redraw", () => at(200, 300) === DESK, 3_000);
      assert.equal(at(200, 100), RED);
      assert.equal(at(200, 200), BLUE);
      await settle();

      overlay.clear();
      await until("Clear", () => at(200, 100) === DESK && at(200, 200) === DESK, 3_000);
      overlay.stroke([400, 400, 500, 400], BLUE, 8);
      await until("a stroke after Clear", () => at(450, 400) === BLUE, 3_000);
      assert.equal(at(200, 100), DESK, "the cleared line does not come back");

      // The laser on the screen as any X client reads it (the agent's own grabs leave it out).
      const screen = openDesktop({ display: xvfb.display });
      try {
        const onScreen = (x: number, y: number) => rgbAt(screen.grab(), x, y);
        overlay.laser({ x: 500, y: 100 });
        await until("the laser", () => onScreen(500, 100) === LASER, 3_000);
        overlay.laser({ x: 550, y: 300 });
        await until(
          "the laser moved",
          () => onScreen(550, 300) === LASER && onScreen(500, 100) === DESK,
          3_000,
        );
        assert.equal(at(550, 300), DESK, "not in the agent's picture");
      } finally {
        screen.close();
      }
    } finally {
      try {
        compositor?.kill("SIGKILL");
      } catch { /* already gone */ }
      await compositor?.status;
      overlay.close();
      desktop.close();
      await xvfb.stop();
    }
  },
});
