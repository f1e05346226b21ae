/**
 * Halves a captured frame for the agent's motion mode (see agent.ts): libyuv's ARGBScale with a
 * box filter (each output pixel the average of 2×2) over FFI, into a buffer reused between
 * calls. ≈ 1 ms for 1920×1080 → 960×540 here, against the 15–25 ms that VP8 spends on a
 * full-screen-motion frame at full size (a quarter of the pixels costs about a quarter).
 */
import type { Frame } from "../platform/types.ts";
import { openFirst } from "./vpx_ffi.ts";
import { YUV_NAMES } from "./yuv.ts";

/** What the halver calls (also exported by the Windows yuv.dll: tools/build_windows_codecs.ts). */
export const SCALE_SYMBOLS = {
  // (src_argb, src_stride, src_width, src_height, dst_argb, dst_stride, dst_width, dst_height,
  //  filtering)
  ARGBScale: {
    parameters: ["buffer", "i32", "i32", "i32", "buffer", "i32", "i32", "i32", "i32"],
    result: "i32",
  },
} as const;
/** libyuv FilterMode kFilterBox. */
const FILTER_BOX = 3;

export class FrameHalver {
  #out = new Uint8Array(0);

  private constructor(
    private lib: Deno.DynamicLibrary<typeof SCALE_SYMBOLS>["symbols"],
  ) {}

  /** A halver, or null when libyuv is not installed (the agent then stays at full size). */
  static open(): FrameHalver | null {
    try {
      return new FrameHalver(openFirst(YUV_NAMES, SCALE_SYMBOLS).symbols);
    } catch {
      return null;
    }
  }

  /** Half the width and height (each rounded down to even); valid until the next call. */
  halve(frame: Frame): Frame {
    const width = Math.max(2, (frame.width >> 1) & ~1);
    const height = Math.max(2, (frame.height >> 1) & ~1);
    const stride = width * 4;
    if (this.#out.byteLength !== stride * height) this.#out = new Uint8Array(stride * height);
    const rc = this.lib.ARGBScale(
      frame.data,
      frame.stride,
      frame.width,
      frame.height,
      this.#out,
      stride,
      width,
      height,
      FILTER_BOX,
    );
    if (rc !== 0) throw new Error(`libyuv ARGBScale failed (${rc})`);
    return { width, height, stride, data: this.#out };
  }
}
