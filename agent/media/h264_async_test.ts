// H264Encoder.encodeAsync (h264.ts, plane_pair.ts): frames coded on another thread while the
// next is converted. The same frames through encode() and encodeAsync() give the same bytes;
// changes reported only as dirty areas, handed over while the frame before is still coded,
// all reach the picture; a third frame is refused; setPreset and close wait for the coding.
// Ignored (with a warning) where OpenH264 2.3 or libyuv cannot be loaded.
import assert from "node:assert/strict";
import { H264Encoder } from "./h264.ts";
import { H264Decoder } from "./h264_decoder_test_support.ts";
import { luma, psnr, textPage } from "./frames_test_support.ts";

const ignore = !H264Encoder.available();
if (ignore) console.warn("h264_async_test: OpenH264 2.3 / libyuv not loadable — ignored");

const W = 640, H = 360, STRIDE = W * 4;

/** Paints a w×h box of `value` at (x, y) into a BGRX frame. */
function paint(frame: Uint8Array, x: number, y: number, w: number, h: number, value: number) {
  for (let r = y; r < y + h; r++) frame.fill(value, (r * W + x) * 4, (r * W + x + w) * 4);
}

/**
 * A text page, then small boxes painted one per frame at different places (each frame's dirty
 * area is only its own box), with a keyframe and a refinement among them.
 */
function script(): {
  frame: Uint8Array;
  dirty?: { x: number; y: number; width: number; height: number }[];
  keyframe?: boolean;
  refine?: boolean;
}[] {
  const frame = textPage(W, H, 0);
  const steps = [];
  steps.push({ frame: frame.slice(), keyframe: true });
  for (let i = 0; i < 12; i++) {
    const x = 16 + (i * 48) % (W - 64), y = 16 + ((i * 80) % (H - 64));
    paint(frame, x, y, 24, 20, (i * 53) & 255);
    steps.push({
      frame: frame.slice(),
      dirty: [{ x, y, width: 24, height: 20 }],
      keyframe: i === 6,
      refine: i === 9,
    });
  }
  return steps;
}

Deno.test({
  name: "H264Encoder.encodeAsync: the same bytes as encode(), every changed area in the picture",
  ignore,
  async fn() {
    const steps = script();
    // A high bitrate: every frame decodes close to its source, so a box left out shows.
    const sync = new H264Encoder({ width: W, height: H, bitrateKbps: 8000 });
    const syncOut = steps.map((s, i) =>
      sync.encode(s.frame, STRIDE, {
        dirty: s.dirty,
        keyframe: s.keyframe,
        refine: s.refine,
        at: i * 33,
      })
    );
    sync.close();

    const enc = new H264Encoder({ width: W, height: H, bitrateKbps: 8000 });
    const dec = new H264Decoder();
    try {
      // Two at a time: frame i+1 is converted while frame i is coded.
      const pending: ReturnType<H264Encoder["encodeAsync"]>[] = [];
      const out: Awaited<ReturnType<H264Encoder["encodeAsync"]>>[] = [];
      for (let i = 0; i < steps.length; i++) {
        const s = steps[i];
        if (pending.length === 2) out.push(await pending.shift()!);
        // The caller's buffer is free once encodeAsync returns: scribble over a copy's source.
        const buffer = s.frame.slice();
        pending.push(
          enc.encodeAsync(buffer, STRIDE, {
            dirty: s.dirty,
            keyframe: s.keyframe,
            refine: s.refine,
            at: i * 33,
          }),
        );
        buffer.fill(0x55);
      }
      out.push(...await Promise.all(pending));
      assert.equal(out.length, steps.length);
      for (let i = 0; i < steps.length; i++) {
        const a = out[i], b = syncOut[i];
        assert.ok(a && b, `frame ${i} coded both ways`);
        assert.equal(a.keyframe, b.keyframe, `frame ${i}: keyframe`);
        assert.deepEqual(a.data, b.data, `frame ${i}: the same bytes`);
        assert.ok(a.spent.wallMs >= 0 && a.spent.cpuMs >= 0, `frame ${i}: costs reported`);
        const pic = dec.decode(a.data);
        assert.ok(pic, `frame ${i} decodes`);
        const db = psnr(luma(steps[i].frame, W, H), pic.y);
        assert.ok(db > 30, `frame ${i}: ${db.toFixed(1)} dB — a box missing from the planes`);
      }
    } finally {
      enc.close();
      dec.close();
    }
  },
});

Deno.test({
  name:
    "H264Encoder.encodeAsync: one frame may wait, a third is refused; sync calls throw meanwhile",
  ignore,
  async fn() {
    const enc = new H264Encoder({ width: W, height: H });
    try {
      const page = textPage(W, H, 0);
      const a = enc.encodeAsync(page, STRIDE, { keyframe: true, at: 0 });
      const b = enc.encodeAsync(page, STRIDE, { at: 33 });
      assert.throws(() => enc.encodeAsync(page, STRIDE, { at: 66 }), /already waiting/);
      assert.throws(() => enc.encode(page, STRIDE, { at: 66 }), /coding a frame/);
      assert.throws(() => enc.refine(), /coding a frame/);
      assert.throws(() => enc.empty(), /coding a frame/);
      enc.setPreset("high"); // waits its turn
      const [fa, fb] = await Promise.all([a, b]);
      assert.equal(fa?.keyframe, true);
      assert.ok(fb, "the waiting frame was coded");
      await Promise.resolve();
      assert.ok(enc.encode(page, STRIDE, { at: 99 }) !== undefined, "idle again");
    } finally {
      enc.close();
    }
  },
});

Deno.test({
  name: "H264Encoder.encodeAsync: close() while coding frees the encoder after the frame",
  ignore,
  async fn() {
    const enc = new H264Encoder({ width: W, height: H });
    const page = textPage(W, H, 0);
    const a = enc.encodeAsync(page, STRIDE, { keyframe: true, at: 0 });
    const b = enc.encodeAsync(page, STRIDE, { at: 33 });
    enc.close();
    assert.throws(() => enc.encodeAsync(page, STRIDE, { at: 66 }), /closed/);
    const fa = await a;
    assert.ok(fa?.keyframe, "the frame being coded still comes out");
    assert.equal(await b, null, "the waiting one is dropped");
    enc.close(); // idempotent
  },
});
