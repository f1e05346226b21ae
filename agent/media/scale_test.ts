import assert from "node:assert/strict";
import { FrameHalver } from "./scale.ts";

Deno.test("FrameHalver: 2×2 box averages, even sizes, stride respected", () => {
  const halver = FrameHalver.open();
  if (!halver) {
    console.warn("  libyuv not available: skipped");
    return;
  }
  // 8×4 pixels with a padded stride; each 2×2 block has its own values.
  const width = 8, height = 4, stride = width * 4 + 8;
  const data = new Uint8Array(stride * height).fill(0xee); // padding must not leak in
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const block = (y >> 1) * 4 + (x >> 1);
      const at = y * stride + x * 4;
      // B varies inside the block (average is block*20 + 10), G and R are constant per block.
      data[at] = block * 20 + ((x & 1) + (y & 1) * 2) * 20 / 3;
      data[at + 1] = block * 30;
      data[at + 2] = 255 - block * 30;
      data[at + 3] = 0;
    }
  }
  const half = halver.halve({ width, height, stride, data });
  assert.deepEqual([half.width, half.height, half.stride], [4, 2, 16]);
  for (let block = 0; block < 8; block++) {
    const at = (block >> 2) * half.stride + (block & 3) * 4;
    assert.ok(Math.abs(half.data[at] - (block * 20 + 10)) <= 1, `B of block ${block}`);
    assert.equal(half.data[at + 1], block * 30, `G of block ${block}`);
    assert.equal(half.data[at + 2], 255 - block * 30, `R of block ${block}`);
  }
  // Odd halves round down to even; 1920×1080 → 960×540.
  const odd = halver.halve({ width: 14, height: 6, stride: 56, data: new Uint8Array(56 * 6) });
  assert.deepEqual([odd.width, odd.height], [6, 2]);
  const big = halver.halve({
    width: 1920,
    height: 1080,
    stride: 7680,
    data: new Uint8Array(7680 * 1080).fill(100),
  });
  assert.deepEqual([big.width, big.height], [960, 540]);
  assert.equal(big.data[big.data.length - 2], 100);
});
