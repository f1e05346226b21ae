// The damage loop with a watcher that reports the pointer (DamageWatcher.pointer, X11: XInput 2
// raw motion and XFixes cursor notification): a still screen under a still pointer sleeps until
// the refinement and the keep-alive, looking at the pointer 4 times a second (a warp sends no
// event) instead of 30; a move
// is sent at once; a viewer's keyframe request ends the long sleep; pointer wake-ups that find
// nothing new (a mouse pushed against the screen's edge) are held to 30 a second; a watcher
// without pointer events keeps the 30 looks a second.
import assert from "node:assert/strict";
import type { Desktop, Frame } from "./platform/types.ts";
import { ScreenSender } from "./screen.ts";
import { scriptedDamage } from "./screen_test_damage.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SLOW_MS = 33; // screen.ts

function setup(options: { pointer: boolean }) {
  const W = 64, H = 48;
  const frame: Frame = { width: W, height: H, stride: W * 4, data: new Uint8Array(W * H * 4) };
  const scripted = scriptedDamage(options);
  const start = performance.now();
  const since = () => performance.now() - start;
  const sent: { what: string; at: number }[] = [];
  let looks = 0;
  const pointer = { x: 10, y: 10 };
  const desktop = {
    width: W,
    height: H,
    grab: () => frame,
    cursor: () => {
      looks++;
      const pixels = new Uint32Array(4);
      return { ...pointer, width: 2, height: 2, hotX: 0, hotY: 0, pixels, serial: 1 };
    },
    damage: () => scripted.watcher,
  };
  const note = (what: string, keyframe = false) => {
    sent.push({ what, at: since() });
    return { data: new Uint8Array(10), keyframe };
  };
  const sender = new ScreenSender({
    desktop: desktop as unknown as Desktop,
    encoder: () => ({
      encode: (_b, _s, o) => note(o?.keyframe ? "key" : "delta", Boolean(o?.keyframe)),
      refine: () => note("refine"),
      empty: () => note("empty"),
      setPreset: () => {},
      close: () => {},
    }),
  }, {
    link: () => ({ send: () => {}, sendMedia: () => {}, buffered: () => 0 }),
    allowed: () => true,
  });
  sender.setPreset("normal", true);
  return {
    sender,
    scripted,
    sent,
    pointer,
    since,
    looks: () => looks,
    what: () => sent.map((s) => `${s.what}@${Math.round(s.at)}`).join(", "),
  };
}

/** A sender running over `setup(options)` for `fn`, stopped after it. */
async function running(
  options: { pointer: boolean },
  fn: (s: ReturnType<typeof setup>) => Promise<void>,
) {
  const s = setup(options);
  s.sender.resume();
  try {
    await fn(s);
  } finally {
    s.sender.stop();
  }
}

/** Does `act`, then waits until one more frame was sent (or 5 s passed); how long that took. */
async function next(s: ReturnType<typeof setup>, act: () => void): Promise<number> {
  const n = s.sent.length;
  act();
  const t0 = performance.now();
  while (s.sent.length <= n && performance.now() - t0 < 5_000) await sleep(1);
  return performance.now() - t0;
}

const median = (values: number[]) => values.toSorted((a, b) => a - b)[values.length >> 1];

Deno.test("ScreenSender with pointer events: a still screen under a still pointer is not looked at 30 times a second", () =>
  running({ pointer: true }, async (s) => {
    await sleep(2_600);
    const what = s.what();
    assert.deepEqual(s.sent.map((e) => e.what), ["key", "refine", "empty"], what);
    const [, refine, empty] = s.sent.map((e) => e.at);
    assert.ok(empty - refine >= 2_000 && empty - refine < 2_900, what); // the keep-alive's 2 s
    // Woken for the keyframe, the refinement, the keep-alive and a look every 250 ms (a warp
    // sends no event; a loaded machine: a few more), not the ≈ 78 of a look every 33 ms.
    assert.ok(s.looks() >= 8 && s.looks() <= 18, `${s.looks()} looks at the pointer`);
    assert.ok(s.scripted.waits.some((w) => w.ms >= 200), JSON.stringify(s.scripted.waits));
  }));

Deno.test("ScreenSender with pointer events: a move is sent at once, not at the next look", () =>
  running({ pointer: true }, async (s) => {
    await sleep(400); // the keyframe and its refinement: now a long sleep
    const took: number[] = [];
    for (let i = 0; i < 5; i++) {
      took.push(
        await next(s, () => {
          s.pointer.x += 5;
          s.scripted.move();
        }),
      );
      assert.equal(s.sent.at(-1)?.what, "delta", s.what());
      await sleep(50);
    }
    // At once (the pacer's 60 a second allows it): well under SLOW_MS, whatever one slow
    // wake-up of a loaded machine adds.
    assert.ok(median(took) < SLOW_MS / 2, `${took.map(Math.round)} ms`);
  }));

Deno.test("ScreenSender with pointer events: a pointer moved without an event (a warp) is sent within a look", () =>
  running({ pointer: true }, async (s) => {
    await sleep(400);
    const took: number[] = [];
    for (let i = 0; i < 3; i++) {
      // No s.scripted.move(): XWarpPointer reports nothing.
      took.push(await next(s, () => s.pointer.y += 7));
      assert.equal(s.sent.at(-1)?.what, "delta", s.what());
    }
    // Within the 250 ms look (and what a loaded machine adds), not at the 2 s keep-alive.
    assert.ok(Math.max(...took) < 600, `${took.map(Math.round)} ms`);
  }));

Deno.test("ScreenSender with pointer events: a viewer's keyframe request ends the long sleep", () =>
  running({ pointer: true }, async (s) => {
    await sleep(400);
    const took: number[] = [];
    for (let i = 0; i < 3; i++) {
      took.push(await next(s, () => s.sender.resume()));
      assert.equal(s.sent.at(-1)?.what, "key", s.what());
      await sleep(300);
    }
    assert.ok(median(took) < SLOW_MS, `${took.map(Math.round)} ms (the sleep lasts 250 ms)`);
    assert.ok(s.scripted.waits.some((w) => w.ended === "aborted"), "ended by the request");
  }));

Deno.test("ScreenSender with pointer events: wake-ups that find nothing new are held to 30 a second, damage is not", () =>
  running({ pointer: true }, async (s) => {
    await sleep(400);
    const looks = s.looks();
    // Raw motion without a move (the pointer pushed against the screen's edge), every ms.
    const t0 = performance.now();
    while (performance.now() - t0 < 500) {
      s.scripted.move();
      await sleep(1);
    }
    const fruitless = s.looks() - looks;
    assert.ok(fruitless <= 500 / SLOW_MS + 5, `${fruitless} looks in 500 ms`);
    assert.ok(fruitless >= 3, `${fruitless} looks: the pointer is still watched`);
    // Damage still wakes the loop at once while pointer events are held back.
    const took: number[] = [];
    for (let i = 0; i < 5; i++) {
      s.scripted.move();
      await sleep(2);
      took.push(await next(s, () => s.scripted.damage({ x: 0, y: 0, width: 8, height: 8 })));
    }
    assert.ok(median(took) < SLOW_MS / 2, `${took.map(Math.round)} ms`);
  }));

Deno.test("ScreenSender without pointer events looks at the pointer 30 times a second", () =>
  running({ pointer: false }, async (s) => {
    await sleep(400);
    const looks = s.looks();
    await sleep(500);
    // ≈ 15 on a quiet machine; a loaded one stretches the waits.
    assert.ok(s.looks() - looks >= 6, `${s.looks() - looks} looks in 500 ms`);
    assert.ok(s.scripted.waits.every((w) => w.ms <= SLOW_MS), "never a long sleep");
    // A move is still seen, at the next look.
    const took = await next(s, () => {
      s.pointer.x += 5;
      s.scripted.move(); // not reported: this watcher has no pointer events
    });
    assert.ok(took < 1_000);
    assert.equal(s.sent.at(-1)?.what, "delta");
  }));
