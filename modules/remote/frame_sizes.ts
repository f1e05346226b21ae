/**
 * The picture size a browser's encoded frame carries, read from the codec's own headers (the
 * technicians' viewers show the customer's screen at that size): a VP8 or VP9 keyframe's
 * header, an H.264 access unit's sequence parameter set. Pure functions over bytes; anything
 * they cannot read gives null, never a throw.
 */

/** Width and height from a VP8 keyframe's header (RFC 6386 §9.1), or null when not one. */
export function vp8KeyframeSize(data: Uint8Array): { width: number; height: number } | null {
  if (data.byteLength < 10 || (data[0] & 1) !== 0) return null;
  if (data[3] !== 0x9d || data[4] !== 0x01 || data[5] !== 0x2a) return null;
  const width = (data[6] | (data[7] << 8)) & 0x3fff;
  const height = (data[8] | (data[9] << 8)) & 0x3fff;
  return width && height ? { width, height } : null;
}

/** Reads bits most-significant first; past the end it reads zeros and says so. */
class _Bits {
  #bit = 0;
  overrun = false;
  constructor(private bytes: Uint8Array) {}
  u(n: number): number {
    let value = 0;
    for (let i = 0; i < n; i++) {
      const byte = this.bytes[this.#bit >> 3];
      if (byte === undefined) this.overrun = true;
      value = value * 2 + (((byte ?? 0) >> (7 - (this.#bit & 7))) & 1);
      this.#bit++;
    }
    return value;
  }
  /** Exp-Golomb, unsigned (H.264 §9.1). */
  ue(): number {
    let zeros = 0;
    while (this.u(1) === 0 && !this.overrun && zeros < 32) zeros++;
    return 2 ** zeros - 1 + this.u(zeros);
  }
  se(): number {
    const k = this.ue();
    return k % 2 ? (k + 1) / 2 : -k / 2;
  }
}

/**
 * Width and height from a VP9 keyframe's uncompressed header (VP9 bitstream specification
 * §6.2: frame marker, profile, frame type, sync code 0x49 0x83 0x42, colour config, then
 * frame_width_minus_1 and frame_height_minus_1 in 16 bits each), or null when not a keyframe.
 */
export function vp9KeyframeSize(data: Uint8Array): { width: number; height: number } | null {
  const bits = new _Bits(data);
  if (bits.u(2) !== 2) return null;
  const profile = bits.u(1) + 2 * bits.u(1);
  if (profile === 3) bits.u(1);
  if (bits.u(1) === 1) return null; // show_existing_frame
  if (bits.u(1) !== 0) return null; // not a keyframe
  bits.u(2); // show_frame, error_resilient_mode
  if (bits.u(8) !== 0x49 || bits.u(8) !== 0x83 || bits.u(8) !== 0x42) return null;
  if (profile >= 2) bits.u(1); // ten_or_twelve_bit
  const colorSpace = bits.u(3);
  if (colorSpace !== 7) {
    bits.u(1); // color_range
    if (profile === 1 || profile === 3) bits.u(3); // subsampling_x, subsampling_y, reserved
  } else if (profile === 1 || profile === 3) bits.u(1);
  const width = bits.u(16) + 1, height = bits.u(16) + 1;
  return bits.overrun ? null : { width, height };
}

/** The NAL units of an Annex B access unit (each after a 00 00 01 start code). */
function _nalUnits(data: Uint8Array): Uint8Array[] {
  const units: Uint8Array[] = [];
  let start = -1;
  for (let i = 0; i + 2 < data.length; i++) {
    if (data[i] !== 0 || data[i + 1] !== 0 || data[i + 2] !== 1) continue;
    if (start >= 0) units.push(data.subarray(start, data[i - 1] === 0 ? i - 1 : i));
    start = i + 3;
    i += 2;
  }
  if (start >= 0 && start < data.length) units.push(data.subarray(start));
  return units;
}

/** A NAL unit's payload without its emulation prevention bytes (00 00 03 → 00 00). */
function _unescape(nal: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < nal.length; i++) {
    if (i >= 2 && nal[i] === 3 && nal[i - 1] === 0 && nal[i - 2] === 0 && out.length >= 2) {
      if (out[out.length - 1] === 0 && out[out.length - 2] === 0) continue;
    }
    out.push(nal[i]);
  }
  return new Uint8Array(out);
}

const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/** Width and height from an H.264 sequence parameter set (ITU-T H.264 §7.3.2.1.1). */
export function h264SpsSize(nal: Uint8Array): { width: number; height: number } | null {
  const bits = new _Bits(_unescape(nal));
  if ((bits.u(8) & 0x1f) !== 7) return null;
  const profile = bits.u(8);
  bits.u(16); // constraint flags, level
  bits.ue(); // seq_parameter_set_id
  let chroma = 1;
  if (HIGH_PROFILES.has(profile)) {
    chroma = bits.ue();
    if (chroma === 3) bits.u(1);
    bits.ue(); // bit_depth_luma_minus8
    bits.ue(); // bit_depth_chroma_minus8
    bits.u(1); // qpprime_y_zero_transform_bypass_flag
    if (bits.u(1)) {
      for (let i = 0; i < (chroma === 3 ? 12 : 8); i++) {
        if (!bits.u(1)) continue;
        let last = 8, next = 8;
        for (let j = 0; j < (i < 6 ? 16 : 64) && next !== 0; j++) {
          next = (last + bits.se() + 256) % 256;
          last = next === 0 ? last : next;
        }
      }
    }
  }
  bits.ue(); // log2_max_frame_num_minus4
  const pocType = bits.ue();
  if (pocType === 0) bits.ue();
  else if (pocType === 1) {
    bits.u(1);
    bits.se();
    bits.se();
    const cycle = bits.ue();
    for (let i = 0; i < cycle && !bits.overrun; i++) bits.se();
  }
  bits.ue(); // max_num_ref_frames
  bits.u(1); // gaps_in_frame_num_value_allowed_flag
  const widthMbs = bits.ue() + 1, heightMapUnits = bits.ue() + 1;
  const frameMbsOnly = bits.u(1);
  if (!frameMbsOnly) bits.u(1);
  bits.u(1); // direct_8x8_inference_flag
  let crop = [0, 0, 0, 0];
  if (bits.u(1)) crop = [bits.ue(), bits.ue(), bits.ue(), bits.ue()];
  if (bits.overrun) return null;
  const cropX = chroma === 0 || chroma === 3 ? 1 : 2;
  const cropY = (chroma === 1 ? 2 : 1) * (2 - frameMbsOnly);
  const width = widthMbs * 16 - (crop[0] + crop[1]) * cropX;
  const height = (2 - frameMbsOnly) * heightMapUnits * 16 - (crop[2] + crop[3]) * cropY;
  return width > 0 && height > 0 ? { width, height } : null;
}

/** Whether an H.264 access unit holds an IDR picture, and its size when it carries an SPS. */
export function h264FrameSize(
  data: Uint8Array,
): { idr: boolean; size: { width: number; height: number } | null } {
  let idr = false, size: { width: number; height: number } | null = null;
  for (const nal of _nalUnits(data)) {
    const type = nal[0] & 0x1f;
    if (type === 5) idr = true;
    if (type === 7) size = h264SpsSize(nal) ?? size;
  }
  return { idr, size };
}
