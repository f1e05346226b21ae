// The X11 damage watcher on a private Xvfb, with the screen changed by independent X clients
// (xsetroot, xterm). Needs xvfb, x11-utils, x11-xserver-utils, xterm, xdotool and libXdamage
// (libxdamage1).
import assert from "node:assert/strict";
import { type Desktop, openDesktop } from "./mod.ts";
import type { DamageWatcher, Rect } from "./types.ts";
import { clipRects, openX11Damage } from "./x11_damage.ts";
import { runX, startXvfb } from "./xvfb_test_support.ts";

const W = 800, H = 600;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function area(rects: readonly Rect[]): number {
  return rects.reduce((sum, r) => sum + r.width * r.height, 0);
}

function bounds(rects: readonly Rect[]): Rect {
  const left = Math.min(...rects.map((r) => r.x)), top = Math.min(...rects.map((r) => r.y));
  const right = Math.max(...rects.map((r) => r.x + r.width));
  const bottom = Math.max(...rects.map((r) => r.y + r.height));
  return { x: left, y: top, width: right - left, height: bottom - top };
}

/** Waits for damage and collects every rectangle reported until `quietMs` pass without any. */
async function collect(watcher: DamageWatcher, quietMs = 300): Promise<Rect[]> {
  assert.equal(await watcher.wait(5000), true, "a change was reported");
  const rects = watcher.take();
  while (await watcher.wait(quietMs)) rects.push(...watcher.take());
  return rects;
}

Deno.test("clipRects() clips to the screen, drops empty rectangles, caps at 64", () => {
  assert.deepEqual(
    clipRects(
      [
        { x: -10, y: -5, width: 30, height: 20 },
        { x: 790, y: 590, width: 50, height: 50 },
        { x: 900, y: 10, width: 10, height: 10 }, // off screen
        { x: 5, y: 5, width: 0, height: 10 },
      ],
      W,
      H,
    ),
    [{ x: 0, y: 0, width: 20, height: 15 }, { x: 790, y: 590, width: 10, height: 10 }],
  );
  const grid = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ x: 10 + i * 10, y: 20 + i, width: 5, height: 5 }));
  assert.deepEqual(clipRects(grid(64), W, H), grid(64));
  assert.deepEqual(clipRects(grid(65), W, H), [{ x: 10, y: 20, width: 645, height: 69 }]);
});

Deno.test({
  name: "X11 damage watcher on a private Xvfb",
  ignore: Deno.build.os !== "linux",
  async fn(t) {
    const xvfb = await startXvfb({ width: W, height: H });
    const { display } = xvfb;
    let desktop: Desktop | null = null;
    try {
      const d = desktop = openDesktop({ display });
      const watcher = d.damage?.();
      assert.ok(watcher, "Xvfb has DAMAGE and XFIXES");
      const w = watcher;

      await t.step("a new watcher reports the whole screen once", async () => {
        assert.equal(await w.wait(2000), true);
        assert.equal(area(w.take()), W * H);
      });

      await t.step("an untouched screen: wait() resolves false after its timeout", async () => {
        const start = performance.now();
        assert.equal(await w.wait(100), false);
        const ms = performance.now() - start;
        // Its timeout, not a change and not forever (a loaded machine may answer late).
        assert.ok(ms >= 95 && ms < 5_000, `${ms} ms`);
        assert.deepEqual(w.take(), []);
      });

      await t.step("xsetroot: wait() resolves true at once, take() covers the screen", async () => {
        await runX(display, "xsetroot", ["-solid", "#ff0000"]);
        // Woken by the change well before a timeout no stall of a loaded machine reaches.
        const start = performance.now();
        assert.equal(await w.wait(30_000), true);
        const ms = performance.now() - start;
        assert.ok(ms < 5_000, `${ms} ms`);
        const rects = w.take();
        assert.ok(rects.length >= 1 && rects.length <= 64, `${rects.length} rects`);
        assert.deepEqual(bounds(rects), { x: 0, y: 0, width: W, height: H });
        assert.equal(area(rects), W * H, "the whole screen, no overlaps");
        // Taken: nothing is left to report.
        assert.equal(await w.wait(100), false);
        assert.deepEqual(w.take(), []);
      });

      await t.step(
        "a change before wait() is reported at once; one take() per change",
        async () => {
          await runX(display, "xsetroot", ["-solid", "#00ff00"]);
          await sleep(200);
          // No timeout to wait out: true says the change was already there.
          assert.equal(await w.wait(0), true);
          // wait() again without take(): the change is still untaken, so still true.
          assert.equal(await w.wait(0), true);
          assert.equal(area(w.take()), W * H);
          assert.equal(await w.wait(0), false);
        },
      );

      await t.step("take() without wait() also consumes the notification", async () => {
        await runX(display, "xsetroot", ["-solid", "#ffff00"]);
        await sleep(200); // the notification is on the socket, not yet read
        assert.equal(area(w.take()), W * H);
        assert.equal(await w.wait(100), false, "no wake-up for a change already taken");
      });

      await t.step("a small window gives rectangles around it, not the screen", async () => {
        const xterm = new Deno.Command("xterm", {
          args: ["-name", "damagetest", "-geometry", "20x5+100+100", "-e", "sleep", "60"],
          env: { DISPLAY: display },
          stdout: "null",
          stderr: "null",
        }).spawn();
        try {
          const rects = await collect(w);
          const id = await runX(display, "xdotool", ["search", "--classname", "damagetest"]);
          const geometry = Object.fromEntries(
            (await runX(display, "xdotool", ["getwindowgeometry", "--shell", id.trim()]))
              .trim().split("\n").map((line) => line.split("=")).map(([k, v]) => [k, Number(v)]),
          );
          const b = bounds(rects);
          const border = 4; // xterm's window border lies outside its geometry
          assert.ok(b.x >= geometry.X - border && b.y >= geometry.Y - border, JSON.stringify(b));
          assert.ok(b.x + b.width <= geometry.X + geometry.WIDTH + border, JSON.stringify(b));
          assert.ok(b.y + b.height <= geometry.Y + geometry.HEIGHT + border, JSON.stringify(b));
          assert.ok(area(rects) >= geometry.WIDTH * geometry.HEIGHT / 2, "most of the window");
          assert.ok(area(rects) < (W * H) / 4, `${area(rects)} px`);
        } finally {
          xterm.kill("SIGKILL");
          await xterm.status;
        }
        // The window is gone: what it covered is exposed again, and only that.
        const b = bounds(await collect(w));
        assert.ok(b.x >= 90 && b.y >= 90 && b.width < W / 2 && b.height < H / 2, JSON.stringify(b));
      });

      await t.step("wait() never blocks the event loop", async () => {
        let timerAt = 0;
        const start = performance.now();
        const timer = sleep(10).then(() => (timerAt = performance.now() - start));
        const result = await w.wait(300);
        const waited = performance.now() - start;
        await timer;
        assert.equal(result, false);
        assert.ok(waited >= 295, `waited ${waited} ms`);
        assert.ok(timerAt > 0 && timerAt < 150, `the 10 ms timer fired at ${timerAt} ms`);
      });

      await t.step("one wait() at a time", async () => {
        const first = w.wait(100);
        await assert.rejects(w.wait(100), /already pending/);
        assert.equal(await first, false);
      });

      await t.step("close() ends a pending wait with false; later calls are harmless", async () => {
        const other = d.damage?.();
        assert.ok(other);
        assert.equal(area(other.take()), W * H);
        // A timeout far beyond any stall of a loaded machine: resolved well before it, the
        // wait was ended by close().
        const start = performance.now();
        const pending = other.wait(60_000);
        await sleep(20);
        other.close();
        assert.equal(await pending, false);
        assert.ok(performance.now() - start < 30_000, "resolved by close(), not its timeout");
        other.close();
        assert.equal(await other.wait(10), false);
        assert.deepEqual(other.take(), []);
        // The desktop's own watcher still works.
        await runX(display, "xsetroot", ["-solid", "#0000ff"]);
        assert.equal(await w.wait(2000), true);
        assert.equal(area(w.take()), W * H);
      });

      await t.step("the desktop's close() closes its watchers", async () => {
        const other = openDesktop({ display });
        const watched = other.damage?.();
        assert.ok(watched);
        other.close();
        assert.equal(await watched.wait(50), false);
        assert.throws(() => other.damage?.(), /closed/);
        assert.equal(openX11Damage(":4242"), null, "no such display");
      });
    } finally {
      desktop?.close();
      await xvfb.stop();
    }
  },
});
