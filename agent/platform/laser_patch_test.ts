import assert from "node:assert/strict";
import { hideDot, LaserTrail, mergeUnder, type Patch } from "./laser_patch.ts";

const DOT = 0xff1a1a;

/** A width × height patch at (x, y) whose pixel (i, j) is `colour(x + i, y + j)`. */
function patch(
  x: number,
  y: number,
  w: number,
  h: number,
  colour: (x: number, y: number) => number,
) {
  const data = new Uint8Array(w * h * 4);
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      const rgb = colour(x + i, y + j), k = (j * w + i) * 4;
      data.set([rgb & 0xff, (rgb >> 8) & 0xff, (rgb >> 16) & 0xff, 0], k);
    }
  }
  return { x, y, width: w, height: h, data } satisfies Patch;
}

const at = (p: { x: number; y: number; width: number; data: Uint8Array }, x: number, y: number) => {
  const k = ((y - p.y) * p.width + (x - p.x)) * 4;
  return (p.data[k + 2] << 16) | (p.data[k + 1] << 8) | p.data[k];
};

/** The screen's own picture: a different colour at each pixel. */
const desk = (x: number, y: number) => 0x100000 + y * 64 + x;
/** A disc of radius 3 around (cx, cy): the dot. */
const disc = (cx: number, cy: number) => (x: number, y: number) =>
  (x - cx) ** 2 + (y - cy) ** 2 <= 9 ? DOT : desk(x, y);

Deno.test("mergeUnder: where the old dot still covers the new place, the old patch's pixels", () => {
  const old = patch(10, 10, 8, 8, desk); // read before the dot came to (10, 10)
  // Read at (13, 12) with the old dot (centred at 14, 14) still on the screen.
  const fresh = patch(13, 12, 8, 8, disc(14, 14));
  assert.ok([...Array(64).keys()].some((k) => at(fresh, 13 + (k % 8), 12 + (k >> 3)) === DOT));
  const merged = mergeUnder(fresh, old, DOT);
  for (let y = 12; y < 20; y++) {
    for (let x = 13; x < 21; x++) assert.equal(at(merged, x, y), desk(x, y), `${x},${y}`);
  }
  // Without an old patch (the dot was hidden), the read is taken as it is.
  const alone = patch(0, 0, 4, 4, desk);
  assert.equal(mergeUnder(alone, null, DOT), alone);
});

Deno.test("hideDot: the dot's pixels inside its square put back, the rest of the frame live", () => {
  const width = 40, height = 30, stride = width * 4 + 16;
  const data = new Uint8Array(stride * height);
  const put = (x: number, y: number, rgb: number) =>
    data.set([rgb & 0xff, (rgb >> 8) & 0xff, (rgb >> 16) & 0xff, 0], y * stride + x * 4);
  const live = (x: number, y: number) => (x === 21 && y === 21 ? 0x00ff00 : desk(x, y));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) put(x, y, disc(20, 20)(x, y) === DOT ? DOT : live(x, y));
  }
  // A dot-coloured pixel outside the square is the screen's own: it stays.
  put(2, 2, DOT);
  const under = patch(16, 16, 9, 9, (x, y) => desk(x, y) ^ 0x1);
  hideDot({ width, height, stride, data }, under, DOT);
  const rgb = (x: number, y: number) => {
    const k = y * stride + x * 4;
    return (data[k + 2] << 16) | (data[k + 1] << 8) | data[k];
  };
  for (let y = 16; y < 25; y++) {
    for (let x = 16; x < 25; x++) {
      const dot = (x - 20) ** 2 + (y - 20) ** 2 <= 9;
      assert.equal(rgb(x, y), dot ? desk(x, y) ^ 0x1 : live(x, y), `${x},${y}`);
    }
  }
  assert.equal(rgb(2, 2), DOT);
  // A square partly off the frame is clipped, not written past it.
  hideDot({ width, height, stride, data }, patch(36, 26, 9, 9, desk), DOT);
});

Deno.test("LaserTrail: a compositor two moves late still shows no dot; squares left long ago are let go", () => {
  const [width, height, stride] = [48, 32, 48 * 4];
  const trail = new LaserTrail(DOT, 500);
  // The dot goes to (10, 10), then (14, 12), then (19, 11): each square read before it moved.
  trail.moveTo(patch(6, 6, 9, 9, desk), 0);
  trail.moveTo(patch(10, 8, 9, 9, disc(10, 10)), 100);
  trail.moveTo(patch(15, 7, 9, 9, disc(14, 12)), 200);
  // The grab: the compositor has not painted the last two moves, the dot is still at (10, 10)
  // — its left edge lies in neither the new square nor the one just left.
  const stale = patch(0, 0, width, height, disc(10, 10));
  const frame = { width, height, stride, data: stale.data };
  trail.hide(frame, 250);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) assert.equal(at(stale, x, y), desk(x, y), `${x},${y}`);
  }
  // Half a second after it was left, (10, 10)'s square is no longer touched.
  const both = (x: number, y: number) => disc(10, 10)(x, y) === DOT ? DOT : disc(19, 11)(x, y);
  const later = patch(0, 0, width, height, both);
  trail.hide({ width, height, stride, data: later.data }, 800);
  assert.equal(at(later, 7, 10), DOT, "left long ago: not patched");
  assert.equal(at(later, 19, 11), desk(19, 11), "where it rests: patched");
  // Cleared (the dot hidden): nothing is patched.
  trail.clear();
  const after = patch(0, 0, width, height, disc(20, 12));
  trail.hide({ width, height, stride, data: after.data }, 900);
  assert.equal(at(after, 20, 12), DOT);
});
