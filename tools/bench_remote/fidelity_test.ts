import assert from "node:assert/strict";
import { compare } from "./fidelity.ts";

const W = 192, H = 48;
const layout = { top: { x: 1000, y: 1000 }, bottom: { x: 1000, y: 1000 } }; // stamps off the frame

/** A light page with dark strokes (text-like blocks), as BGRX and as RGBA. */
function page(): { bgrx: Uint8Array; rgba: Uint8Array } {
  const bgrx = new Uint8Array(W * H * 4), rgba = new Uint8Array(W * H * 4);
  for (let i = 0; i < W * H; i++) {
    const x = i % W, y = Math.floor(i / W);
    const ink = y % 12 < 8 && x % 5 === 1;
    const [r, g, b] = ink ? [20, 20, 90] : [240, 235, 220];
    bgrx.set([b, g, r, 0], i * 4);
    rgba.set([r, g, b, 255], i * 4);
  }
  return { bgrx, rgba };
}

Deno.test("compare(): identical frames are perfect, and the stamps are left out", () => {
  const { bgrx, rgba } = page();
  const same = compare(bgrx, rgba, W, H, layout);
  assert.deepEqual([same.psnrY, same.psnrChroma, same.psnrText], [99, 99, 99]);
  assert.ok(Math.abs(same.ssim - 1) < 1e-9);
  // A difference only inside a stamp (128 × 128 px from its corner) does not count.
  rgba[0] = 0;
  assert.ok(compare(bgrx, rgba, W, H, layout).psnrY < 99);
  assert.equal(compare(bgrx, rgba, W, H, { ...layout, top: { x: 0, y: 0 } }).psnrY, 99);
});

Deno.test("compare(): a uniform error of 4 luma levels is ≈ 36 dB; blur hurts text most", () => {
  const { bgrx, rgba } = page();
  const off = Uint8Array.from(rgba, (v, i) => i % 4 === 3 ? v : Math.min(255, v + 4));
  const shifted = compare(bgrx, off, W, H, layout);
  assert.ok(Math.abs(shifted.psnrY - 20 * Math.log10(255 / 3.5)) < 1.5, `${shifted.psnrY}`);
  const blurred = rgba.slice();
  for (let i = 4; i < blurred.length - 4; i++) {
    if (i % 4 !== 3) blurred[i] = (rgba[i - 4] + 2 * rgba[i] + rgba[i + 4]) >> 2;
  }
  const blur = compare(bgrx, blurred, W, H, layout);
  assert.ok(blur.psnrText < 30 && Number.isFinite(blur.psnrText), `${blur.psnrText}`);
  assert.ok(blur.ssim < 0.99, `${blur.ssim}`);
});
