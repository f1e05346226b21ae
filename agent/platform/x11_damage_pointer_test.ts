// The X11 damage watcher's pointer events on a private Xvfb (XInput 2 raw motion, XFixes
// cursor notification): a still screen under a still pointer sleeps to its timeout; a move by
// the agent's own input (XTest) or another client's (xdotool's relative move, also XTest), and
// a new cursor shape set by another client, end the wait at once — with no damage to take.
// Needs xvfb, x11-xserver-utils, xdotool, libXdamage (libxdamage1) and libXi (libxi6).
import assert from "node:assert/strict";
import { type Desktop, openDesktop } from "./mod.ts";
import type { DamageWatcher } from "./types.ts";
import { runX, startXvfb } from "./xvfb_test_support.ts";

const W = 800, H = 600;
/** The damage loop's look at the pointer without pointer events (screen.ts). */
const SLOW_MS = 33;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: number[]) => values.toSorted((a, b) => a - b)[values.length >> 1];

/** How long `w.wait()` took to resolve true after `act()`, each of `times` (it must). */
async function wakeTimes(
  w: DamageWatcher,
  times: number,
  act: (i: number) => Promise<void> | void,
): Promise<number[]> {
  const took: number[] = [];
  for (let i = 0; i < times; i++) {
    await act(i);
    const start = performance.now();
    // A timeout far beyond any stall of a loaded machine: true is the event, not the clock.
    assert.equal(await w.wait(30_000), true, `woken (${i})`);
    took.push(performance.now() - start);
    assert.deepEqual(w.take(), [], "the pointer alone: no damage");
  }
  return took;
}

Deno.test({
  name: "X11 damage watcher: the pointer's moves and shapes end a wait",
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
      assert.equal(w.pointer, true, "Xvfb has XInput 2 (and libXi is installed)");
      assert.equal(await w.wait(2000), true);
      w.take(); // the whole screen, once

      await t.step("a still screen under a still pointer: wait() runs to its timeout", async () => {
        const start = performance.now();
        assert.equal(await w.wait(300), false);
        const ms = performance.now() - start;
        assert.ok(ms >= 295 && ms < 5_000, `${ms} ms`);
      });

      await t.step("the agent's own move (XTest) ends it at once", async () => {
        const took = await wakeTimes(w, 5, (i) => d.pointer(100 + 10 * i, 100));
        // The event is on its way before wait() starts: well under SLOW_MS, whatever a single
        // stall of a loaded machine adds to one of them.
        assert.ok(median(took) < SLOW_MS / 2, `${took.map((ms) => ms.toFixed(1))} ms`);
        assert.equal(d.cursor()?.x, 140);
      });

      await t.step("another client's move (xdotool mousemove_relative) ends it", async () => {
        const took = await wakeTimes(w, 3, async () => {
          await runX(display, "xdotool", ["mousemove_relative", "--", "7", "3"]);
        });
        assert.ok(median(took) < SLOW_MS / 2, `${took.map((ms) => ms.toFixed(1))} ms`);
        assert.equal(d.cursor()?.x, 140 + 3 * 7);
      });

      await t.step("a new cursor shape from another client ends it", async () => {
        // The root window's cursor, under the pointer: the shape changes, nothing moves and
        // nothing is drawn. (Not "watch": the Adwaita theme animates it.)
        const took = await wakeTimes(w, 2, async (i) => {
          await runX(display, "xsetroot", ["-cursor_name", ["crosshair", "X_cursor"][i]]);
        });
        assert.ok(median(took) < SLOW_MS / 2, `${took.map((ms) => ms.toFixed(1))} ms`);
      });

      await t.step("then still again: no wake-up before the timeout", async () => {
        await sleep(100);
        w.take(); // anything a step's client left behind
        const start = performance.now();
        assert.equal(await w.wait(300), false);
        assert.ok(performance.now() - start >= 295);
      });

      await t.step("{ pointer: false }: only damage ends the wait; the move waits", async () => {
        d.pointer(300, 300);
        await sleep(100);
        assert.equal(await w.wait(200, { pointer: false }), false, "the move does not end it");
        assert.equal(await w.wait(0), true, "the move is still there for the next wait");
        w.take();
        d.pointer(310, 300);
        await runX(display, "xsetroot", ["-solid", "#336699"]);
        assert.equal(await w.wait(30_000, { pointer: false }), true, "damage ends it");
        assert.equal(w.take().length > 0, true);
      });

      await t.step("an aborted signal ends a wait at once with false", async () => {
        w.take();
        const controller = new AbortController();
        const start = performance.now();
        const pending = w.wait(30_000, { signal: controller.signal });
        await sleep(20);
        controller.abort();
        assert.equal(await pending, false);
        assert.ok(performance.now() - start < 5_000, "ended by the signal, not its timeout");
        assert.equal(await w.wait(10_000, { signal: controller.signal }), false);
        // The watcher goes on as before.
        d.pointer(320, 300);
        assert.equal(await w.wait(30_000), true);
        w.take();
      });
    } finally {
      desktop?.close();
      await xvfb.stop();
    }
  },
});
