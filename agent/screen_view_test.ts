import assert from "node:assert/strict";
import { clipRects, ScreenView } from "./screen_view.ts";
import { FrameDiffer } from "./platform/tiles.ts";
import type { DamageWatcher, Desktop, Frame, Rect, ScreenInfo } from "./platform/types.ts";
import { scriptedDamage } from "./screen_test_damage.ts";

/** A 300×100 desktop: screen A (0,0 200×100, primary) and B (200,0 100×80); pixel = x + 1000y. */
function fakeDesktop(screens: ScreenInfo[]) {
  const width = 300, height = 100, stride = width * 4;
  const data = new Uint8Array(stride * height);
  const words = new Uint32Array(data.buffer);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) words[y * width + x] = x + 1000 * y;
  }
  const moves: [number, number][] = [];
  const pending: Rect[][] = [];
  const desktop = {
    width,
    height,
    grab: (): Frame => ({ width, height, stride, data }),
    cursor: () => ({
      x: 250,
      y: 10,
      width: 1,
      height: 1,
      hotX: 0,
      hotY: 0,
      pixels: new Uint32Array(1),
      serial: 1,
    }),
    pointer: (x: number, y: number) => void moves.push([x, y]),
    button: (_b: unknown, _d: boolean, x: number, y: number) => void moves.push([x, y]),
    screens: () => screens,
    damage: (): DamageWatcher => ({
      wait: (ms: number) =>
        new Promise((r) => pending.length ? r(true) : setTimeout(() => r(pending.length > 0), ms)),
      take: () => pending.shift() ?? [],
      close: () => {},
    }),
  } as unknown as Desktop;
  return { desktop, moves, pending, words };
}

const A: ScreenInfo = { id: "A", x: 0, y: 0, width: 200, height: 100, primary: true };
const B: ScreenInfo = { id: "B", x: 200, y: 0, width: 100, height: 80, primary: false };

Deno.test("screen view: one screen's pixels, size, cursor and pointer, on the desktop's stride", () => {
  const { desktop, moves } = fakeDesktop([A, B]);
  const view = new ScreenView(desktop);
  assert.deepEqual(view.screens().map((s) => s.id), ["A", "B"]);
  assert.equal(view.select("B"), true);
  assert.equal(view.current, "B");
  assert.deepEqual([view.width, view.height], [100, 80]);
  const frame = view.grab();
  assert.deepEqual([frame.width, frame.height, frame.stride], [100, 80, 1200]);
  const px = (f: Frame, x: number, y: number) =>
    new DataView(f.data.buffer, f.data.byteOffset).getUint32(y * f.stride + x * 4, true);
  assert.equal(px(frame, 0, 0), 200); // the desktop's (200, 0)
  assert.equal(px(frame, 99, 79), 299 + 79_000);
  assert.deepEqual([view.cursor()!.x, view.cursor()!.y], [50, 10]);
  view.pointer(10, 20);
  view.pointer(5_000, 5_000); // kept on the screen
  view.button("left", true, 0, 0);
  assert.deepEqual(moves, [[210, 20], [299, 79], [200, 0]]);
});

Deno.test("screen view: a screen that ends before the stride does still diffs (last row short)", () => {
  const { desktop, words } = fakeDesktop([A, { ...B, height: 100 }]);
  const view = new ScreenView(desktop);
  view.select("B");
  const differ = new FrameDiffer({ tile: 32 });
  assert.equal(differ.update(view.grab()).changed, true);
  assert.equal(differ.update(view.grab()).changed, false);
  words[99 * 300 + 299] = 1; // the very last pixel of the desktop, on B
  const diff = differ.update(view.grab());
  assert.equal(diff.changed, true);
  assert.deepEqual(diff.rects.map((r) => [r.x, r.y]), [[96, 96]]);
});

Deno.test("screen view: all screens by default and after a screen went away; one screen is no choice", () => {
  const { desktop } = fakeDesktop([A, B]);
  const view = new ScreenView(desktop);
  assert.equal(view.current, null);
  assert.equal(view.grab().width, 300);
  assert.equal(view.select("C"), false);
  assert.equal(view.current, null);
  view.select("B");
  view.select("B", [A]); // re-read: B is gone
  assert.equal(view.current, null);
  assert.deepEqual(new ScreenView(fakeDesktop([A]).desktop).screens(), []);
});

Deno.test("screen view: changes off the chosen screen are no changes; on it, relative to it", async () => {
  const { desktop, pending } = fakeDesktop([A, B]);
  const view = new ScreenView(desktop);
  view.select("B");
  const watcher = view.damage()!;
  pending.push([{ x: 10, y: 10, width: 20, height: 20 }]); // on A only
  assert.equal(await watcher.wait(30), false);
  pending.push([{ x: 190, y: 5, width: 20, height: 10 }]); // across the edge
  assert.equal(await watcher.wait(30), true);
  assert.deepEqual(watcher.take(), [{ x: 0, y: 5, width: 10, height: 10 }]);
  assert.deepEqual(clipRects([{ x: 1, y: 2, width: 3, height: 4 }], null), [
    { x: 1, y: 2, width: 3, height: 4 },
  ]);
});

Deno.test("screen view: the pointer's events pass through, also past changes off the screen", async () => {
  const { desktop } = fakeDesktop([A, B]);
  const scripted = scriptedDamage({ pointer: true });
  const view = new ScreenView({ ...desktop, damage: () => scripted.watcher } as Desktop);
  view.select("B");
  const watcher = view.damage()!;
  assert.equal(watcher.pointer, true, "the view's watcher reports the pointer too");
  scripted.move();
  assert.equal(await watcher.wait(30), true);
  assert.equal(watcher.moved, true);
  assert.deepEqual(watcher.take(), []);
  assert.equal(watcher.moved, false);
  // Not for this wait: the move is kept while a change off the screen is taken and dropped…
  scripted.move();
  scripted.damage({ x: 10, y: 10, width: 20, height: 20 }); // on A only
  assert.equal(await watcher.wait(30, { pointer: false }), false);
  // …and ends the next wait that wants it.
  assert.equal(await watcher.wait(30), true);
  assert.deepEqual(watcher.take(), []);
  // A watcher without pointer events: neither does the view's.
  assert.equal(new ScreenView(desktop).damage()!.pointer, undefined);
});
