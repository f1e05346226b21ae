// The colours' meaning the H.264 stream carries (h264.ts): its SPS's VUI says BT.601 at studio
// range, what libyuv's ARGBToI420 made the planes with. Without it a browser shows an HD stream
// as BT.709 and every saturated colour is off (bench:remote, the video still 35.7 → 47.3 dB).
// Ignored (with a warning) where OpenH264 2.3 or libyuv cannot be loaded.
import assert from "node:assert/strict";
import { H264Encoder } from "./h264.ts";

const ignore = !H264Encoder.available();
if (ignore) {
  console.warn("h264_vui_test: libopenh264.so.7 (2.3) / libyuv.so.0 not loadable — ignored");
}

/** The first SPS's RBSP (emulation-prevention bytes removed) of an Annex B access unit. */
function spsRbsp(au: Uint8Array): Uint8Array {
  for (let i = 0; i + 4 < au.length; i++) {
    if (au[i] === 0 && au[i + 1] === 0 && au[i + 2] === 1 && (au[i + 3] & 0x1f) === 7) {
      const out: number[] = [];
      for (let j = i + 4, zeros = 0; j < au.length; j++) {
        if (zeros >= 2 && au[j] === 1) break; // the next start code
        if (zeros >= 2 && au[j] === 3) {
          zeros = 0;
          continue;
        }
        zeros = au[j] === 0 ? zeros + 1 : 0;
        out.push(au[j]);
      }
      return Uint8Array.from(out);
    }
  }
  throw new Error("no SPS in the access unit");
}

/** The SPS fields up to the VUI's colour description (H.264 §7.3.2.1.1, §E.1.1). */
function spsColour(au: Uint8Array) {
  const b = spsRbsp(au);
  let pos = 0;
  const bit = () => (b[pos >> 3] >> (7 - (pos++ & 7))) & 1;
  const bits = (n: number) => {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 2 + bit();
    return v;
  };
  const ue = () => {
    let zeros = 0;
    while (bit() === 0) zeros++;
    return 2 ** zeros - 1 + bits(zeros);
  };
  const profile = bits(8);
  bits(16); // constraint flags, level_idc
  ue(); // seq_parameter_set_id
  assert.ok([66, 77, 88].includes(profile), `profile ${profile}: no chroma_format fields parsed`);
  ue(); // log2_max_frame_num_minus4
  const pocType = ue();
  if (pocType === 0) ue();
  assert.notEqual(pocType, 1, "pic_order_cnt_type 1 is not parsed here");
  ue(); // max_num_ref_frames
  bit(); // gaps_in_frame_num_value_allowed_flag
  ue(), ue(); // picture size in macroblocks
  if (!bit()) bit(); // frame_mbs_only_flag, mb_adaptive_frame_field_flag
  bit(); // direct_8x8_inference_flag
  if (bit()) ue(), ue(), ue(), ue(); // frame cropping
  if (!bit()) return { vui: false };
  if (bit() && bits(8) === 255) bits(32); // aspect ratio (extended)
  if (bit()) bit(); // overscan
  if (!bit()) return { vui: true, signalType: false };
  const format = bits(3), fullRange = bit() === 1;
  if (!bit()) return { vui: true, signalType: true, format, fullRange, colour: false };
  return {
    vui: true,
    signalType: true,
    format,
    fullRange,
    colour: true,
    primaries: bits(8),
    transfer: bits(8),
    matrix: bits(8),
  };
}

Deno.test({
  name: "H264Encoder: the SPS says BT.601 at studio range (the VUI), at every size",
  ignore,
  fn() {
    for (const [width, height] of [[1920, 1080], [640, 360]]) {
      const enc = new H264Encoder({ width, height });
      try {
        const frame = new Uint8Array(width * height * 4).fill(0x80);
        const out = enc.encode(frame, width * 4, { keyframe: true, at: 0 });
        assert.ok(out?.keyframe, "a keyframe");
        // SMPTE 170M (6) primaries, transfer and matrix = BT.601; video_format 5 (unspecified).
        assert.deepEqual(spsColour(out.data), {
          vui: true,
          signalType: true,
          format: 5,
          fullRange: false,
          colour: true,
          primaries: 6,
          transfer: 6,
          matrix: 6,
        }, `${width}x${height}`);
        const refined = enc.refine({ at: 100 });
        assert.equal(spsColour(refined!.data).matrix, 6, "the refinement's IDR too");
      } finally {
        enc.close();
      }
    }
  },
});
