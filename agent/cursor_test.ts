// The cursor image as a `cursor` message carries it: XFixes' premultiplied ARGB made straight
// R,G,B,A, and an image too large for the protocol halved with its hot spot.
import assert from "node:assert/strict";
import { CURSOR_MAX_SIDE, cursorPixels, cursorShapeProblem } from "../protocol/mod.ts";
import { cursorShape } from "./cursor.ts";
import type { CursorImage } from "./platform/types.ts";

function image(width: number, height: number, argb: number, hot = { x: 0, y: 0 }): CursorImage {
  return {
    x: 0,
    y: 0,
    width,
    height,
    hotX: hot.x,
    hotY: hot.y,
    pixels: new Uint32Array(width * height).fill(argb),
    serial: 1,
  };
}

Deno.test("cursorShape() makes premultiplied ARGB straight RGBA", () => {
  const cases: [string, number, number[]][] = [
    ["50 % white", 0x80808080, [255, 255, 255, 128]],
    ["25 % red", 0x40400000, [255, 0, 0, 64]],
    ["opaque blue", 0xff0000ff, [0, 0, 255, 255]],
    ["75 % grey", 0xc0606060, [128, 128, 128, 192]],
    ["transparent", 0x00000000, [0, 0, 0, 0]],
  ];
  for (const [name, argb, rgba] of cases) {
    const shape = cursorShape(image(1, 1, argb));
    assert.equal(cursorShapeProblem(shape), null, name);
    assert.deepEqual([...cursorPixels(shape)], rgba, name);
  }
});

Deno.test("cursorShape() keeps a small image as it is, hot spot included", () => {
  const cursor = image(24, 32, 0xff000000, { x: 3, y: 5 });
  cursor.pixels[1 * 24 + 2] = 0xffffffff;
  const shape = cursorShape(cursor);
  assert.equal(cursorShapeProblem(shape), null);
  assert.deepEqual([shape.width, shape.height, shape.hotX, shape.hotY], [24, 32, 3, 5]);
  const px = cursorPixels(shape);
  assert.deepEqual([...px.subarray((1 * 24 + 2) * 4, (1 * 24 + 3) * 4)], [255, 255, 255, 255]);
  assert.deepEqual([...px.subarray(0, 4)], [0, 0, 0, 255]);
});

Deno.test("cursorShape() halves an image over CURSOR_MAX_SIDE, hot spot with it, until it fits", () => {
  // 200 × 120 → 100 × 60 → 50 × 30; the hot spot (150, 101) → (75, 50) → (37, 25).
  const shape = cursorShape(image(200, 120, 0x80808080, { x: 150, y: 101 }));
  assert.equal(cursorShapeProblem(shape), null);
  assert.deepEqual([shape.width, shape.height, shape.hotX, shape.hotY], [50, 30, 37, 25]);
  const px = cursorPixels(shape);
  assert.deepEqual([...px.subarray(0, 4)], [255, 255, 255, 128], "50 % white stays so");
  // Just over the limit on one side: one halving, the odd side rounded up.
  const tall = cursorShape(image(10, CURSOR_MAX_SIDE + 1, 0xff00ff00, { x: 9, y: 96 }));
  assert.equal(cursorShapeProblem(tall), null);
  assert.deepEqual([tall.width, tall.height, tall.hotX, tall.hotY], [5, 49, 4, 48]);
});

Deno.test("cursorShape() averages a halved block in premultiplied colour", () => {
  // A 2 × 2 block of opaque white beside three transparent pixels over the limit's width:
  // a quarter-covered white pixel, straight white at alpha 64 — not a grey.
  const cursor = image(CURSOR_MAX_SIDE * 2, 2, 0);
  cursor.pixels[0] = 0xffffffff;
  const shape = cursorShape(cursor);
  assert.deepEqual([shape.width, shape.height], [CURSOR_MAX_SIDE, 1]);
  assert.deepEqual([...cursorPixels(shape).subarray(0, 4)], [255, 255, 255, 64]);
});

Deno.test("cursorShape() gives one transparent pixel for an empty image (a hidden pointer)", () => {
  const shape = cursorShape(image(0, 0, 0));
  assert.equal(cursorShapeProblem(shape), null);
  assert.deepEqual([...cursorPixels(shape)], [0, 0, 0, 0]);
});
