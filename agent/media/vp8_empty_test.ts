// Vp8Encoder.empty(): the keep-alive frame of a still screen (agent/screen.ts KEEPALIVE_MS) —
// small at 1080p, never a keyframe, and it changes nothing a viewer could see: VP8's loop filter
// still runs over macroblock edges, so a pixel may move by a level (≈ 62–67 dB against the
// picture before), but repeats do not add up (measured over 60, i.e. two idle minutes).
import assert from "node:assert/strict";
import { Vp8Encoder } from "./vp8.ts";
import { Vp8Decoder } from "./vp8_decoder_test_support.ts";

const W = 1920, H = 1080, STRIDE = W * 4;

/** A desktop-like 1080p frame: a gradient with rows of dark "text" strokes. */
function page(): Uint8Array {
  const f = new Uint8Array(STRIDE * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const o = y * STRIDE + x * 4;
      const ink = y % 19 < 12 && (x * 7 + (y >> 4) * 13) % 11 < 3;
      f[o] = ink ? 30 : 200 + ((x * 50) / W | 0);
      f[o + 1] = ink ? 30 : 220;
      f[o + 2] = ink ? 30 : 230 - ((y * 40) / H | 0);
    }
  }
  return f;
}

/** PSNR of b against a, in dB (Infinity when equal). */
function psnr(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return sum === 0 ? Infinity : 10 * Math.log10(255 * 255 / (sum / a.length));
}

Deno.test({
  name:
    "Vp8Encoder.empty(): < 1 KB at 1080p after motion and a refinement, the picture as it was (≥ 55 dB, no drift)",
  ignore: !Vp8Encoder.available(),
  fn() {
    const enc = new Vp8Encoder({ width: W, height: H, preset: "high" });
    const dec = new Vp8Decoder();
    try {
      assert.equal(enc.empty(), null, "nothing to repeat before the first frame");
      const frame = page();
      let at = 0;
      dec.decode(enc.encode(frame, STRIDE, { keyframe: true, at })!.data);
      // A change the encoder keeps active for a while (it sharpens recently changed blocks).
      frame.fill(90, 400 * STRIDE, 600 * STRIDE);
      dec.decode(enc.encode(frame, STRIDE, { at: at += 33 })!.data);
      const shown = dec.decode(enc.refine({ at: at += 150 })!.data)!;
      for (let i = 1; i <= 30; i++) {
        const empty = enc.empty({ at: at += 2_000 })!;
        assert.equal(empty.keyframe, false);
        assert.ok(empty.data.byteLength < 1024, `${empty.data.byteLength} B`);
        const after = dec.decode(empty.data)!;
        for (const plane of ["y", "u", "v"] as const) {
          const db = psnr(shown[plane], after[plane]);
          assert.ok(db >= 55, `after ${i} empty frames, ${plane}: ${db.toFixed(1)} dB`);
        }
      }
      // The next real frame codes its change as before.
      frame.fill(20, 100 * STRIDE, 140 * STRIDE);
      const next = enc.encode(frame, STRIDE, { at: at += 33 })!;
      assert.ok(next.data.byteLength > 1024, `${next.data.byteLength} B`);
    } finally {
      enc.close();
      dec.close();
    }
  },
});

Deno.test({
  name:
    "Vp8Encoder.empty() and refine() after a preset change: the still picture kept, still no keyframe",
  ignore: !Vp8Encoder.available(),
  fn() {
    // Automatic switches Normal ↔ High on a still screen (its probe): before, both returned null
    // until the screen changed — no keep-alive went out and Chromium asked for a keyframe.
    const enc = new Vp8Encoder({ width: W, height: H, preset: "normal" });
    const dec = new Vp8Decoder();
    try {
      let at = 0;
      dec.decode(enc.encode(page(), STRIDE, { keyframe: true, at })!.data);
      const sharp = dec.decode(enc.refine({ at: at += 150 })!.data)!;
      let shown = sharp;
      for (const preset of ["high", "normal", "low"] as const) {
        enc.setPreset(preset);
        const empty = enc.empty({ at: at += 2_000 });
        assert.ok(empty, `an empty frame after the switch to ${preset}`);
        assert.equal(empty.keyframe, false);
        assert.ok(empty.data.byteLength < 1024, `${empty.data.byteLength} B`);
        const after = dec.decode(empty.data)!;
        assert.ok(psnr(shown.y, after.y) >= 55, `${preset}: the picture as it was`);
        const refined = enc.refine({ at: at += 150 });
        assert.ok(refined && !refined.keyframe, `a refinement at ${preset}`);
        shown = dec.decode(refined.data)!;
        assert.ok(psnr(sharp.y, shown.y) >= 45, `${preset}: still sharp`);
      }
      // Colour planes are not "refined" into a greyscale picture: that takes a real frame.
      enc.setPreset("greyscale");
      assert.equal(enc.refine({ at: at += 150 }), null);
      assert.ok(enc.empty({ at: at += 2_000 }), "the keep-alive still goes out");
    } finally {
      enc.close();
      dec.close();
    }
  },
});
