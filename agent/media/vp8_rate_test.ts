// The VP8 encoder's rate control by capture time, and its refinement of a still picture: both
// measured through a real libvpx decoder. Ignored (with a warning) without libvpx / libyuv.
import assert from "node:assert/strict";
import { Vp8Encoder } from "./vp8.ts";
import { type DecodedFrame, Vp8Decoder } from "./vp8_decoder_test_support.ts";
import { luma as lumaOf, psnr, rateShare, textPage as page } from "./frames_test_support.ts";

const ignore = !Vp8Encoder.available();
if (ignore) console.warn("vp8_rate_test: libvpx.so.7 / libyuv.so.0 not loadable — ignored");

const W = 1280, H = 720, STRIDE = W * 4;

const textPage = (shift: number) => page(W, H, shift);
const luma = (bgrx: Uint8Array) => lumaOf(bgrx, W, H);

Deno.test({
  name: "rate control by capture time: 10 frames/s still get the target's bytes per second",
  ignore,
  fn() {
    const make = (kbps: number) => new Vp8Encoder({ width: W, height: H, bitrateKbps: kbps });
    const rate = (withTimes: boolean) =>
      rateShare(make, { width: W, height: H }, { kbps: 1_000, fps: 10, seconds: 4, withTimes });
    const timed = rate(true), untimed = rate(false);
    console.log(
      `  bytes/s ÷ target: by capture time ${timed.toFixed(2)}, 1/30 s apart ${untimed.toFixed(2)}`,
    );
    assert.ok(timed > 0.75 && timed < 1.4, `by capture time: ${timed.toFixed(2)} of the target`);
    assert.ok(untimed < 0.5, `assumed 30 frames/s: ${untimed.toFixed(2)} (the defect)`);
  },
});

Deno.test({
  name: "refine(): a still page after scrolling decodes to ≥ 45 dB luma",
  ignore,
  fn() {
    const enc = new Vp8Encoder({ width: W, height: H, preset: "normal" });
    const dec = new Vp8Decoder();
    try {
      let pic: DecodedFrame | null = null;
      let page = textPage(0);
      for (let i = 0; i < 15; i++) {
        page = textPage(i * 24);
        pic = dec.decode(enc.encode(page, STRIDE, { at: i * 33 })!.data);
      }
      const moving = psnr(luma(page), pic!.y);
      const t0 = performance.now();
      const refined = enc.refine({ at: 15 * 33 + 300 });
      const ms = performance.now() - t0;
      assert.ok(refined && !refined.keyframe);
      pic = dec.decode(refined.data);
      const still = psnr(luma(page), pic!.y);
      console.log(
        `  last scrolled frame ${moving.toFixed(1)} dB → refined ${still.toFixed(1)} dB ` +
          `(${(refined.data.byteLength / 1024).toFixed(0)} KiB, ${ms.toFixed(0)} ms)`,
      );
      assert.ok(still >= 45, `refined: ${still.toFixed(1)} dB`);
      // The preset's settings are back: the next unchanged frame costs almost nothing.
      const next = enc.encode(page, STRIDE, { at: 15 * 33 + 400 });
      assert.ok((next?.data.byteLength ?? 0) < 2_000, `${next?.data.byteLength} bytes`);
    } finally {
      enc.close();
      dec.close();
    }
  },
});

Deno.test({
  name: "tuning options (threads, static threshold, screen content) are range-checked and apply",
  ignore,
  fn() {
    const bad = [{ threads: 0 }, { threads: 5 }, { staticThreshold: -1 }, {
      screenContentMode: 2 as 0,
    }];
    for (const o of bad) {
      assert.throws(() => new Vp8Encoder({ width: 64, height: 48, ...o }), RangeError);
    }
    const enc = new Vp8Encoder({
      width: 64,
      height: 48,
      threads: 2,
      staticThreshold: 0,
      screenContentMode: 0,
    });
    try {
      const f = new Uint8Array(64 * 48 * 4).fill(0x80);
      assert.ok(enc.encode(f, 256, { keyframe: true })?.keyframe);
      assert.ok(enc.refine());
    } finally {
      enc.close();
    }
  },
});

Deno.test({
  name: "encode(…, { keyframe, refine }): one sharp keyframe (≥ 45 dB) for a new encoder",
  ignore,
  fn() {
    const enc = new Vp8Encoder({ width: W, height: H, preset: "normal" });
    const dec = new Vp8Decoder();
    try {
      const page = textPage(40);
      const coarse = enc.encode(page, STRIDE, { keyframe: true, at: 0 })!;
      const coarseDb = psnr(luma(page), dec.decode(coarse.data)!.y);
      const sharp = enc.encode(page, STRIDE, { keyframe: true, refine: true, at: 300 })!;
      assert.ok(sharp.keyframe);
      const fresh = new Vp8Decoder(); // a keyframe needs nothing before it
      try {
        const sharpDb = psnr(luma(page), fresh.decode(sharp.data)!.y);
        console.log(
          `  keyframe ${coarseDb.toFixed(1)} dB (${(coarse.data.byteLength / 1024).toFixed(0)} ` +
            `KiB), refined keyframe ${sharpDb.toFixed(1)} dB ` +
            `(${(sharp.data.byteLength / 1024).toFixed(0)} KiB)`,
        );
        assert.ok(sharpDb >= 45, `refined keyframe ${sharpDb.toFixed(1)} dB`);
        assert.ok(coarseDb < sharpDb - 5, `coarse ${coarseDb.toFixed(1)} dB`);
      } finally {
        fresh.close();
      }
      // The preset's settings are back: an unchanged frame costs almost nothing.
      const next = enc.encode(page, STRIDE, { at: 400 });
      assert.ok((next?.data.byteLength ?? 0) < 2_000, `${next?.data.byteLength} bytes`);
    } finally {
      enc.close();
      dec.close();
    }
  },
});
