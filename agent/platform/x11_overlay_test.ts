// The whiteboard's overlay on a real X server without a compositor (Xvfb), checked the way the
// technician sees it — the agent's own capture and damage watch — and with independent X
// clients: xev (does a click through a stroke still reach the window below?), xsetroot,
// xdotool, xterm and xwininfo; a real lock screen (i3lock) for the step back, and a compositor
// (picom) started while drawings show. Needs xvfb, x11-utils, xdotool, xterm, i3lock, picom and
// x11-xserver-utils; the
// resolution change needs Xorg's dummy driver (xserver-xorg-core, xserver-xorg-video-dummy, root),
// because Xvfb's screen cannot grow.
import assert from "node:assert/strict";
import { openDesktop } from "./mod.ts";
import type { Frame } from "./types.ts";
import { LASER_SIZE, type X11Overlay } from "./x11_overlay.ts";
import { startXorgDummy } from "./xorg_dummy_test_support.ts";
import { runX, startXvfb } from "./xvfb_test_support.ts";

const RED = 0xe0201b;
const ROOT = 0x336699;
const LASER = 0xff1a1a;

/** The pixels of the 2 × LASER_SIZE square around (x, y). */
function square(frame: Frame, x: number, y: number): number[] {
  const out: number[] = [];
  for (let dy = -LASER_SIZE; dy < LASER_SIZE; dy++) {
    for (let dx = -LASER_SIZE; dx < LASER_SIZE; dx++) out.push(rgbAt(frame, x + dx, y + dy));
  }
  return out;
}

/** The laser-coloured pixels in the 2 × LASER_SIZE square around (x, y). */
function dots(frame: Frame, x: number, y: number): number {
  let n = 0;
  for (let dy = -LASER_SIZE; dy < LASER_SIZE; dy++) {
    for (let dx = -LASER_SIZE; dx < LASER_SIZE; dx++) {
      if (rgbAt(frame, x + dx, y + dy) === LASER) n++;
    }
  }
  return n;
}

/** The 0xRRGGBB of a captured pixel (frames are B, G, R, X). */
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

Deno.test("X11Overlay shows strokes and the laser in the capture, takes no input, and clears", async () => {
  const xvfb = await startXvfb({ width: 640, height: 480 });
  const desktop = openDesktop({ display: xvfb.display });
  // xev's window below the drawing reports every button press it gets (line-buffered).
  const xev = new Deno.Command("stdbuf", {
    args: ["-oL", "xev", "-geometry", "300x200+100+100", "-event", "button"],
    env: { DISPLAY: xvfb.display },
    stdout: "piped",
    stderr: "null",
  }).spawn();
  let xevOut = "";
  const reading = xev.stdout.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (chunk) => void (xevOut += chunk) }),
  ).catch(() => {});
  const overlay = desktop.overlay!();
  const damage = desktop.damage!()!;
  let xterm: Deno.ChildProcess | null = null;
  try {
    await runX(xvfb.display, "xsetroot", ["-solid", `#${ROOT.toString(16)}`]);
    await until("xev's window", () => rgbAt(desktop.grab(), 200, 150) === 0xffffff);
    damage.take();

    // A red line across xev's window: in the grab exactly where drawn, nowhere else.
    overlay.stroke([120, 150, 300, 150], RED, 8);
    await until("the stroke in the capture", () => rgbAt(desktop.grab(), 200, 150) === RED);
    const frame = desktop.grab();
    assert.equal(rgbAt(frame, 120, 150), RED, "the line's start (round cap)");
    assert.equal(rgbAt(frame, 200, 147), RED, "inside its width");
    assert.equal(rgbAt(frame, 200, 160), 0xffffff, "beside it: xev's window shows");
    assert.equal(rgbAt(frame, 50, 50), ROOT, "far away: the desktop shows");
    assert.equal(rgbAt(frame, 320, 150), 0xffffff, "past its end");
    // The damage watch wakes the picture for it (the technician sees the drawing).
    await damage.wait(1_000);
    const rects = damage.take();
    assert.ok(
      rects.some((r) => r.x <= 200 && r.x + r.width > 200 && r.y <= 150 && r.y + r.height > 150),
      `damage covers the stroke: ${JSON.stringify(rects)}`,
    );

    // A dot, and a second colour over the first.
    overlay.stroke([400, 400], 0x1f5fe0, 12);
    overlay.stroke([200, 140, 200, 160], 0x1fa33a, 4);
    await until("the dot", () => rgbAt(desktop.grab(), 400, 400) === 0x1f5fe0);
    assert.equal(rgbAt(desktop.grab(), 200, 150), 0x1fa33a, "the later stroke on top");

    // A click on the stroke goes through the overlay to xev's window below.
    await runX(xvfb.display, "xdotool", ["mousemove", "200", "150", "click", "1"]);
    await until("xev to hear the click", () => /ButtonPress/.test(xevOut));
    assert.match(xevOut, /ButtonRelease/);

    // A window mapped over the drawing (xterm, black) and one raised over it (xev's) later:
    // the drawing is raised again each time, with nothing drawn meanwhile.
    assert.equal(rgbAt(desktop.grab(), 260, 150), RED, "the first stroke beside the later one");
    xterm = new Deno.Command("xterm", {
      args: ["-geometry", "40x12+150+120", "-bg", "black", "-fg", "black"],
      env: { DISPLAY: xvfb.display },
      stdout: "null",
      stderr: "null",
    }).spawn();
    await until("xterm over xev", () => rgbAt(desktop.grab(), 260, 180) === 0);
    await until("the stroke over xterm", () => rgbAt(desktop.grab(), 260, 150) === RED);
    await runX(xvfb.display, "xdotool", ["search", "--name", "Event Tester", "windowraise"]);
    await until("xev raised over xterm", () => rgbAt(desktop.grab(), 260, 180) === 0xffffff);
    await until("the stroke over xev", () => rgbAt(desktop.grab(), 260, 150) === RED);
    assert.equal(rgbAt(desktop.grab(), 200, 150), 0x1fa33a, "the later stroke still on top");

    // The laser: a round red dot centred on the point on the X screen (read by a second
    // desktop, as any X client sees it), moved, then hidden — and never in this desktop's own
    // grabs, the technician's picture, which show what lies under it (laser_patch.ts).
    const screen = openDesktop({ display: xvfb.display });
    try {
      overlay.laser({ x: 500, y: 300 });
      await until("the laser", () => rgbAt(screen.grab(), 500, 300) === LASER);
      const corner = LASER_SIZE / 2 - 1;
      assert.equal(rgbAt(screen.grab(), 500 - corner, 300 - corner), ROOT, "round, not square");
      assert.equal(dots(desktop.grab(), 500, 300), 0, "not in the agent's picture");
      assert.equal(rgbAt(desktop.grab(), 500, 300), ROOT, "what is under it instead");
      overlay.laser({ x: 550, y: 320 });
      await until("the laser moved", () => rgbAt(screen.grab(), 550, 320) === LASER);
      assert.equal(rgbAt(screen.grab(), 500, 300), ROOT, "gone from where it was");
      assert.equal(dots(desktop.grab(), 550, 320), 0);
      // Over the strokes and the windows, moved a few pixels at a time (each place overlaps
      // the last): on the screen, never in the picture, which shows exactly what is beneath.
      const beneath = square(screen.grab(), 206, 150);
      for (const [x, y] of [[200, 150], [204, 152], [209, 151], [213, 149]]) {
        overlay.laser({ x, y });
        assert.ok(dots(screen.grab(), x, y) > 100, `the dot at ${x},${y} on the screen`);
        assert.equal(dots(desktop.grab(), x, y), 0, `the dot at ${x},${y} not in the picture`);
        assert.deepEqual(square(desktop.grab(), 206, 150), beneath, "what is beneath it");
      }
      // A recorded picture keeps the dot (the recording shows where the technician pointed),
      // moved and at rest; out of it again, the picture shows what is beneath once more.
      overlay.laserInPicture(true);
      assert.ok(dots(desktop.grab(), 213, 149) > 100, "in the recorded picture, at rest");
      overlay.laser({ x: 600, y: 200 });
      assert.ok(dots(desktop.grab(), 600, 200) > 100, "in the recorded picture, moved");
      assert.equal(dots(desktop.grab(), 213, 149), 0, "and gone from where it was");
      overlay.laser({ x: 213, y: 149 });
      overlay.laserInPicture(false);
      assert.equal(dots(desktop.grab(), 213, 149), 0, "out of the picture again");
      assert.deepEqual(square(desktop.grab(), 206, 150), beneath, "what is beneath it again");
      overlay.laser(null);
      await until("the laser hidden", () => dots(screen.grab(), 213, 149) === 0);
    } finally {
      screen.close();
    }

    // Clear: the drawings are gone, the overlay stays for more.
    overlay.clear();
    await until("the clear", () => rgbAt(desktop.grab(), 200, 150) === 0xffffff);
    assert.equal(rgbAt(desktop.grab(), 400, 400), ROOT);
    overlay.stroke([60, 60, 80, 60], RED, 6);
    await until("a stroke after the clear", () => rgbAt(desktop.grab(), 70, 60) === RED);

    // Closed: its windows are gone from the server.
    const before = await runX(xvfb.display, "xwininfo", ["-root", "-tree"]);
    assert.match(before, /rescue-whiteboard/);
    overlay.close();
    await until("the close", () => rgbAt(desktop.grab(), 70, 60) === ROOT);
    const after = await runX(xvfb.display, "xwininfo", ["-root", "-tree"]);
    assert.doesNotMatch(after, /rescue-whiteboard|rescue-laser/);
  } finally {
    overlay.close();
    damage.close();
    desktop.close();
    for (const child of [xev, xterm]) {
      try {
        child?.kill("SIGKILL");
      } catch { /* already gone */ }
      await child?.status;
    }
    await reading;
    await xvfb.stop();
  }
});

Deno.test({
  name: "X11Overlay follows a RandR resolution change: a stroke on the grown screen shows",
  sanitizeResources: false,
  async fn() {
    // Two 1024×600 outputs, the second off: the screen is 1024 wide until it is turned on.
    const xorg = await startXorgDummy([{ width: 1024, height: 600 }, { width: 1024, height: 600 }]);
    await runX(xorg.display, "xrandr", ["--output", "DUMMY1", "--off", "--fb", "1024x600"]);
    const desktop = openDesktop({ display: xorg.display });
    const overlay = desktop.overlay!();
    try {
      await runX(xorg.display, "xsetroot", ["-solid", `#${ROOT.toString(16)}`]);
      overlay.stroke([100, 300, 300, 300], RED, 8);
      await until("the first stroke", () => rgbAt(desktop.grab(), 200, 300) === RED);
      assert.equal(desktop.grab().width, 1024);

      await runX(xorg.display, "xrandr", [
        "--fb",
        "2048x600",
        "--output",
        "DUMMY1",
        "--mode",
        "test_1024x600",
        "--pos",
        "1024x0",
      ]);
      await until("the screen grown", () => desktop.grab().width === 2048);
      await until("the overlay grown", () => (overlay as X11Overlay).width === 2048);
      overlay.stroke([1400, 300, 1700, 300], RED, 8);
      await until("the stroke on the new screen", () => rgbAt(desktop.grab(), 1500, 300) === RED);
      assert.equal(rgbAt(desktop.grab(), 200, 300), RED, "the first stroke kept");
      assert.equal(rgbAt(desktop.grab(), 1500, 320), ROOT, "beside it: the desktop");
    } finally {
      overlay.close();
      desktop.close();
      await xorg.stop();
    }
  },
});

Deno.test("X11Overlay steps back under a lock screen (i3lock) and comes back at unlock", async () => {
  const xvfb = await startXvfb({ width: 640, height: 480 });
  const desktop = openDesktop({ display: xvfb.display });
  const overlay = desktop.overlay!();
  // The X screen as any client reads it (the agent's grabs leave the laser out).
  const screen = openDesktop({ display: xvfb.display });
  const env = { DISPLAY: xvfb.display };
  let lock: Deno.ChildProcess | null = null;
  let compositor: Deno.ChildProcess | null = null;
  try {
    await runX(xvfb.display, "xsetroot", ["-solid", `#${ROOT.toString(16)}`]);
    overlay.stroke([100, 150, 300, 150], RED, 8);
    overlay.laser({ x: 500, y: 300 });
    await until("the stroke and the laser", () => {
      const frame = screen.grab();
      return rgbAt(frame, 200, 150) === RED && rgbAt(frame, 500, 300) === LASER;
    });
    // A managed window over everything (xterm, black, as large as the screen) does not count.
    const xterm = new Deno.Command("xterm", {
      args: ["-geometry", "200x80+0+0", "-bg", "black", "-fg", "black"],
      env,
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      await until("xterm", () => rgbAt(desktop.grab(), 50, 300) === 0);
      await until("the stroke over xterm", () => rgbAt(desktop.grab(), 200, 150) === RED);
    } finally {
      xterm.kill("SIGKILL");
      await xterm.status;
    }

    // The screen locks: a white override-redirect window over the whole screen.
    lock = new Deno.Command("i3lock", {
      args: ["--nofork", "--color", "ffffff"],
      env,
      stdout: "null",
      stderr: "null",
    }).spawn();
    await until("the lock screen, the drawings gone", () => {
      const frame = desktop.grab();
      return rgbAt(frame, 200, 150) === 0xffffff && rgbAt(frame, 500, 300) === 0xffffff &&
        rgbAt(frame, 50, 50) === 0xffffff;
    });
    // Drawn while locked: kept, not shown; nor does the laser come up over it.
    overlay.stroke([100, 400, 300, 400], RED, 8);
    overlay.laser({ x: 520, y: 320 });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(rgbAt(desktop.grab(), 200, 400), 0xffffff, "nothing over the lock screen");
    assert.equal(rgbAt(desktop.grab(), 520, 320), 0xffffff);

    // Unlocked (the locker goes): both strokes and the laser show again.
    lock.kill("SIGTERM");
    await lock.status;
    lock = null;
    await until("the drawings back", () => {
      const frame = screen.grab();
      return rgbAt(frame, 200, 150) === RED && rgbAt(frame, 200, 400) === RED &&
        rgbAt(frame, 520, 320) === LASER;
    });
    assert.equal(dots(desktop.grab(), 520, 320), 0, "the laser back, not in the picture");
    assert.equal(rgbAt(desktop.grab(), 520, 320), ROOT);

    // A compositor started now (picom maps its own full-screen overlay window): the drawings
    // stay visible, and a stroke drawn after it shows.
    compositor = new Deno.Command("picom", {
      args: ["--backend", "xrender", "--config", "/dev/null"],
      env,
      stdout: "null",
      stderr: "null",
    }).spawn();
    await until(
      "picom",
      async () => /"picom"/.test(await runX(xvfb.display, "xwininfo", ["-root", "-children"])),
    );
    await new Promise((r) => setTimeout(r, 500));
    overlay.stroke([100, 250, 300, 250], RED, 8);
    await until("strokes under picom", () => {
      const frame = desktop.grab();
      return rgbAt(frame, 200, 150) === RED && rgbAt(frame, 200, 250) === RED;
    });
    // The laser under picom: on the screen, not in the picture, moved a few pixels at a time.
    for (const [x, y] of [[400, 350], [404, 352], [409, 351]]) {
      overlay.laser({ x, y });
      await until(`the laser at ${x},${y} under picom`, () => dots(screen.grab(), x, y) > 100);
      assert.equal(dots(desktop.grab(), x, y), 0, `not in the picture at ${x},${y}`);
    }
  } finally {
    for (const child of [lock, compositor]) {
      try {
        child?.kill("SIGKILL");
      } catch { /* already gone */ }
      await child?.status;
    }
    overlay.close();
    screen.close();
    desktop.close();
    await xvfb.stop();
  }
});
