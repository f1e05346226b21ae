import assert from "node:assert/strict";
import { drawPiece } from "./windows_overlay.ts";

const W = 20, H = 10;
const at = (pixels: Uint32Array, x: number, y: number) => pixels[y * W + x];

Deno.test("drawPiece() paints a line of its width with round ends, opaque, clipped to the board", () => {
  const pixels = new Uint32Array(W * H);
  drawPiece(pixels, W, H, { points: [2, 5, 17, 5], rgb: 0x123456, width: 4 });
  assert.equal(at(pixels, 10, 5), 0xff123456);
  assert.equal(at(pixels, 10, 3), 0xff123456); // within 2 pixels of the line
  assert.equal(at(pixels, 10, 7), 0); // centre 7.5: 2.5 away
  assert.equal(at(pixels, 0, 5), 0xff123456); // the round end reaches x = 0 (centre 0.5)
  assert.equal(at(pixels, 0, 3), 0); // but not its corner
  // Off the board: nothing is written out of bounds.
  drawPiece(pixels, W, H, { points: [-30, -30, 100, 100], rgb: 0xffffff, width: 3 });
  assert.equal(pixels.length, W * H);
  assert.equal(at(pixels, 4, 4), 0xffffffff);
});

Deno.test("drawPiece() paints a single point as a dot of the width", () => {
  const pixels = new Uint32Array(W * H);
  drawPiece(pixels, W, H, { points: [10, 5], rgb: 0xff0000, width: 6 });
  const painted = [...pixels].filter((p) => p === 0xffff0000).length;
  assert.ok(painted >= 24 && painted <= 32, `${painted} pixels for a dot 6 across`);
  assert.equal(at(pixels, 10, 5), 0xffff0000);
  assert.equal(at(pixels, 14, 5), 0);
});
