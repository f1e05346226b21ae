import assert from "node:assert/strict";
import { h264FrameSize, h264SpsSize, vp8KeyframeSize, vp9KeyframeSize } from "./frame_sizes.ts";

/** A VP8 keyframe header for `width`×`height` followed by `extra` bytes of body. */
export function vp8Keyframe(width: number, height: number, extra: number): Uint8Array {
  const data = new Uint8Array(10 + extra).fill(7);
  data.set([
    0x10,
    0x02,
    0x00,
    0x9d,
    0x01,
    0x2a,
    width & 0xff,
    width >> 8,
    height & 0xff,
    height >> 8,
  ]);
  return data;
}

/** Writes bits most-significant first, with H.264's Exp-Golomb codes. */
class BitWriter {
  bits: number[] = [];
  u(n: number, value: number) {
    for (let i = n - 1; i >= 0; i--) this.bits.push(Math.floor(value / 2 ** i) % 2);
    return this;
  }
  ue(value: number) {
    const code = value + 1;
    const length = Math.floor(Math.log2(code));
    return this.u(length, 0).u(length + 1, code);
  }
  bytes(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.bits.length; i += 8) {
      let byte = 0;
      for (let j = 0; j < 8; j++) byte = byte * 2 + (this.bits[i + j] ?? 0);
      out.push(byte);
    }
    return out;
  }
}

/**
 * A VP9 profile 0 keyframe (VP9 bitstream §6.2): frame marker 2, profile 0, show_existing 0,
 * frame_type 0, show_frame 1, error_resilient 0, sync code, color_space 1 (BT.601), range 0,
 * then the size minus one in 16 bits each; `extra` body bytes after it.
 */
export function vp9Keyframe(width: number, height: number, extra: number): Uint8Array {
  const w = new BitWriter().u(2, 2).u(1, 0).u(1, 0).u(1, 0).u(1, 0).u(1, 1).u(1, 0)
    .u(8, 0x49).u(8, 0x83).u(8, 0x42).u(3, 1).u(1, 0).u(16, width - 1).u(16, height - 1);
  return new Uint8Array([...w.bytes(), ...new Array(extra).fill(0x55)]);
}

/**
 * An H.264 SPS (§7.3.2.1.1) for `width`×`height` in 16-pixel macroblocks cropped to size, in
 * `profile` (66 baseline, 100 high with its chroma and bit-depth fields), emulation prevention
 * inserted as an encoder does.
 */
function sps(width: number, height: number, profile: number): Uint8Array {
  const mbsW = Math.ceil(width / 16), mbsH = Math.ceil(height / 16);
  const w = new BitWriter().u(8, 0x67).u(8, profile).u(8, 0).u(8, 31).ue(0);
  if (profile === 100) w.ue(1).ue(0).ue(0).u(1, 0).u(1, 0);
  w.ue(0).ue(0).ue(4).ue(1).u(1, 0).ue(mbsW - 1).ue(mbsH - 1).u(1, 1).u(1, 1);
  const cropRight = (mbsW * 16 - width) / 2, cropBottom = (mbsH * 16 - height) / 2;
  if (cropRight || cropBottom) w.u(1, 1).ue(0).ue(cropRight).ue(0).ue(cropBottom);
  else w.u(1, 0);
  w.u(1, 0).u(1, 1); // vui_parameters_present_flag 0, stop bit
  const raw = w.bytes(), out: number[] = [];
  for (const byte of raw) {
    if (out.length >= 2 && out.at(-1) === 0 && out.at(-2) === 0 && byte <= 3) out.push(3);
    out.push(byte);
  }
  return new Uint8Array(out);
}

Deno.test("vp8KeyframeSize() reads the size of a keyframe and refuses a delta frame", () => {
  assert.deepEqual(vp8KeyframeSize(vp8Keyframe(1366, 768, 5)), { width: 1366, height: 768 });
  assert.equal(vp8KeyframeSize(new Uint8Array(20).fill(0x31)), null);
  assert.equal(vp8KeyframeSize(new Uint8Array(4)), null);
});

Deno.test("vp9KeyframeSize() reads a keyframe's size and refuses delta frames and garbage", () => {
  assert.deepEqual(vp9KeyframeSize(vp9Keyframe(1366, 768, 10)), { width: 1366, height: 768 });
  assert.deepEqual(vp9KeyframeSize(vp9Keyframe(1, 65536, 0)), { width: 1, height: 65536 });
  assert.equal(vp9KeyframeSize(new Uint8Array([0x86, 0, 0, 0])), null, "a delta frame");
  assert.equal(vp9KeyframeSize(vp9Keyframe(640, 480, 0).subarray(0, 6)), null, "cut short");
  assert.equal(vp9KeyframeSize(new Uint8Array([0x12, 0x49, 0x83, 0x42])), null);
});

Deno.test("h264SpsSize() reads cropped sizes from baseline and high profile SPSs", () => {
  for (const profile of [66, 100]) {
    assert.deepEqual(h264SpsSize(sps(1366, 768, profile)), { width: 1366, height: 768 });
    assert.deepEqual(h264SpsSize(sps(1280, 720, profile)), { width: 1280, height: 720 });
    assert.deepEqual(h264SpsSize(sps(1920, 1080, profile)), { width: 1920, height: 1080 });
  }
  assert.equal(h264SpsSize(new Uint8Array([0x68, 0xce])), null, "a PPS");
  assert.equal(h264SpsSize(sps(1366, 768, 66).subarray(0, 5)), null, "cut short");
});

Deno.test("h264FrameSize() finds the IDR and the SPS in an Annex B access unit", () => {
  const start = [0, 0, 0, 1];
  const unit = new Uint8Array([
    ...start,
    ...sps(800, 600, 66),
    0,
    0,
    1,
    0x68,
    0xce,
    ...start,
    0x65,
    1,
  ]);
  assert.deepEqual(h264FrameSize(unit), { idr: true, size: { width: 800, height: 600 } });
  assert.deepEqual(h264FrameSize(new Uint8Array([...start, 0x41, 7, 7])), {
    idr: false,
    size: null,
  });
});
