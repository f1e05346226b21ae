// The OpenH264 encoder (h264.ts) through OpenH264's own decoder: round trips, keyframes on
// demand, the near-lossless refinement, keep-alives, rate control by capture time and bad
// input. Ignored (with a warning) where OpenH264 2.3 or libyuv cannot be loaded.
import assert from "node:assert/strict";
import { H264Encoder } from "./h264.ts";
import { H264Decoder } from "./h264_decoder_test_support.ts";
import { luma, panning, psnr, rateShare, textPage } from "./frames_test_support.ts";

const ignore = !H264Encoder.available();
if (ignore) console.warn("h264_test: libopenh264.so.7 (2.3) / libyuv.so.0 not loadable — ignored");

const W = 1280, H = 720, STRIDE = W * 4;

/** The NAL unit types of an Annex B access unit, in order. */
function nalTypes(au: Uint8Array): number[] {
  const types: number[] = [];
  for (let i = 0; i + 3 < au.length; i++) {
    if (au[i] === 0 && au[i + 1] === 0 && au[i + 2] === 1) {
      types.push(au[i + 3] & 0x1f);
      i += 3;
    }
  }
  return types;
}

/** The SPS's profile_idc, constraint flags and level_idc bytes. */
function spsProfile(au: Uint8Array): [number, number, number] | null {
  for (let i = 0; i + 6 < au.length; i++) {
    if (au[i] === 0 && au[i + 1] === 0 && au[i + 2] === 1 && (au[i + 3] & 0x1f) === 7) {
      return [au[i + 4], au[i + 5], au[i + 6]];
    }
  }
  return null;
}

Deno.test({
  name: "H264Encoder: a panning picture round-trips through OpenH264's decoder at full size",
  ignore,
  fn() {
    const enc = new H264Encoder({ width: W, height: H });
    const dec = new H264Decoder();
    try {
      const dbs: number[] = [];
      for (let i = 0; i < 20; i++) {
        const page = panning(W, H, i);
        const out = enc.encode(page, STRIDE, { at: 1_000 + i * 33 });
        assert.ok(out, `frame ${i} encoded`);
        assert.equal(out.keyframe, i === 0, `frame ${i}: keyframe only first`);
        const pic = dec.decode(out.data);
        assert.ok(pic, `frame ${i} decoded`);
        assert.equal(`${pic.width}x${pic.height}`, `${W}x${H}`);
        dbs.push(psnr(luma(page, W, H), pic.y));
      }
      const deltas = dbs.slice(1), worst = Math.min(...deltas);
      const average = deltas.reduce((a, b) => a + b, 0) / deltas.length;
      console.log(
        `  panning 1280x720: delta frames ${average.toFixed(1)} dB on average, worst ` +
          `${worst.toFixed(1)} dB`,
      );
      // A wrong plane, stride or crop decodes to noise (< 15 dB).
      assert.ok(average >= 28, `delta frames ${average.toFixed(1)} dB on average`);
      assert.ok(worst >= 25, `worst delta frame ${worst.toFixed(1)} dB`);
    } finally {
      enc.close();
      dec.close();
    }
  },
});

Deno.test({
  name:
    "H264Encoder: keyframe on demand is an IDR with SPS/PPS (constrained baseline) a new decoder starts from",
  ignore,
  fn() {
    const enc = new H264Encoder({ width: W, height: H });
    try {
      const first = enc.encode(panning(W, H, 0), STRIDE, { at: 0 })!;
      assert.deepEqual(nalTypes(first.data).slice(0, 2), [7, 8]);
      const [profile, flags] = spsProfile(first.data)!;
      assert.equal(profile, 66, "profile_idc baseline");
      assert.ok(
        flags & 0x40,
        `constraint_set1 (constrained baseline), flags 0x${flags.toString(16)}`,
      );
      const delta = enc.encode(panning(W, H, 1), STRIDE, { at: 33 })!;
      assert.equal(delta.keyframe, false);
      assert.ok(!nalTypes(delta.data).includes(5), "a delta frame has no IDR slice");
      const page = panning(W, H, 2);
      const key = enc.encode(page, STRIDE, { at: 66, keyframe: true })!;
      assert.ok(key.keyframe);
      assert.deepEqual(nalTypes(key.data), [7, 8, 5]);
      const fresh = new H264Decoder(); // joins here: nothing before the keyframe
      try {
        const db = psnr(luma(page, W, H), fresh.decode(key.data)!.y);
        assert.ok(db >= 25, `keyframe alone ${db.toFixed(1)} dB`);
      } finally {
        fresh.close();
      }
    } finally {
      enc.close();
    }
  },
});

Deno.test({
  name: "H264Encoder: refine() brings a still page after scrolling to ≥ 45 dB luma",
  ignore,
  fn() {
    const enc = new H264Encoder({ width: W, height: H, preset: "normal" });
    const dec = new H264Decoder();
    try {
      let page = textPage(W, H, 0), pic = null;
      for (let i = 0; i < 15; i++) {
        page = textPage(W, H, i * 24);
        pic = dec.decode(enc.encode(page, STRIDE, { at: i * 33 })!.data);
      }
      const moving = psnr(luma(page, W, H), pic!.y);
      const t0 = performance.now();
      const refined = enc.refine({ at: 15 * 33 + 300 })!;
      const ms = performance.now() - t0;
      const still = psnr(luma(page, W, H), dec.decode(refined.data)!.y);
      console.log(
        `  last scrolled frame ${moving.toFixed(1)} dB → refined ${still.toFixed(1)} dB ` +
          `(${(refined.data.byteLength / 1024).toFixed(0)} KiB, ${ms.toFixed(0)} ms)`,
      );
      assert.ok(still >= 45, `refined: ${still.toFixed(1)} dB`);
      // Rate control is back on: an unchanged frame costs almost nothing and stays sharp.
      const next = enc.empty({ at: 15 * 33 + 2_300 });
      const nextBytes = next?.data.byteLength ?? 0;
      assert.ok(nextBytes < 2_000, `keep-alive after refine: ${nextBytes} bytes`);
      if (next) {
        const kept = psnr(luma(page, W, H), dec.decode(next.data)!.y);
        assert.ok(kept >= still - 0.5, `keep-alive changed the picture: ${kept.toFixed(1)} dB`);
      }
    } finally {
      enc.close();
      dec.close();
    }
  },
});

Deno.test({
  name: "H264Encoder: empty() is null before the first frame and small after it",
  ignore,
  fn() {
    const enc = new H264Encoder({ width: W, height: H });
    const dec = new H264Decoder();
    try {
      assert.equal(enc.empty(), null);
      assert.equal(enc.refine(), null);
      const page = textPage(W, H, 5);
      dec.decode(enc.encode(page, STRIDE, { at: 0 })!.data);
      const keep = enc.empty({ at: 2_000 });
      assert.ok(keep, "a keep-alive frame");
      assert.ok(keep.data.byteLength < 2_000, `${keep.data.byteLength} bytes`);
      assert.equal(keep.keyframe, false);
    } finally {
      enc.close();
      dec.close();
    }
  },
});

Deno.test({
  name:
    "H264Encoder: rate control by capture time — 10 frames/s still get the target's bytes per second",
  ignore,
  fn() {
    const make = (kbps: number) => new H264Encoder({ width: W, height: H, bitrateKbps: kbps });
    const rate = (withTimes: boolean) =>
      rateShare(make, { width: W, height: H }, { kbps: 1_000, fps: 10, seconds: 4, withTimes });
    const timed = rate(true), untimed = rate(false);
    console.log(
      `  bytes/s ÷ target: by capture time ${timed.toFixed(2)}, 1/30 s apart ${untimed.toFixed(2)}`,
    );
    assert.ok(timed > 0.6 && timed < 1.5, `by capture time: ${timed.toFixed(2)} of the target`);
    assert.ok(untimed < timed * 0.6, `assumed 30 frames/s: ${untimed.toFixed(2)}`);
  },
});

Deno.test({
  name: "H264Encoder: bad sizes, strides and buffers are refused with a clear error",
  ignore,
  fn() {
    for (
      const [w, h, words] of [
        [0, 0, "at least 16x16"],
        [641, 480, "even sides"],
        [640, 481, "even sides"],
        [8, 8, "at least 16x16"],
        [8192, 4320, "level 5.2"],
        [1.5, 480, "at least 16x16"],
      ] as const
    ) {
      assert.throws(
        () => new H264Encoder({ width: w, height: h }),
        (e: Error) => e instanceof RangeError && e.message.includes(words),
        `${w}x${h}`,
      );
    }
    assert.throws(() => new H264Encoder({ width: 64, height: 64, fps: 0 }), /bad fps/);
    assert.throws(() => new H264Encoder({ width: 64, height: 64, bitrateKbps: 0 }), /bitrate/);
    assert.throws(
      () => new H264Encoder({ width: 64, height: 64, preset: "ultra" as "low" }),
      /unknown quality preset: ultra/,
    );
    const enc = new H264Encoder({ width: 64, height: 64 });
    try {
      const f = new Uint8Array(64 * 64 * 4);
      assert.throws(() => enc.encode(f, 100), /bad stride 100/);
      assert.throws(() => enc.encode(f.subarray(1), 256), /frame buffer too small/);
      assert.throws(() => enc.setBitrate(-5), /bitrate out of range/);
      assert.ok(enc.encode(f, 256)?.keyframe);
    } finally {
      enc.close();
    }
    assert.throws(() => enc.encode(new Uint8Array(64 * 64 * 4), 256), /closed/);
    enc.close(); // idempotent
  },
});
