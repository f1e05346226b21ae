// libyuv and libc as both encoders use them (vp8.ts over vpx_ffi.ts, h264.ts over
// openh264_ffi.ts): the symbols, and the conversion of a BGRX frame's changed areas into the
// encoder's I420 planes (I400 with neutral chroma for greyscale).
import type { Area } from "./macroblocks.ts";

export const YUV_SYMBOLS = {
  // (src_argb, src_stride, dst_y, stride_y, dst_u, stride_u, dst_v, stride_v, width, height)
  ARGBToI420: {
    parameters: [
      "buffer",
      "i32",
      "pointer",
      "i32",
      "pointer",
      "i32",
      "pointer",
      "i32",
      "i32",
      "i32",
    ],
    result: "i32",
  },
  // (src_argb, src_stride, dst_y, stride_y, width, height) — same BT.601 luma as ARGBToI420.
  ARGBToI400: {
    parameters: ["buffer", "i32", "pointer", "i32", "i32", "i32"],
    result: "i32",
  },
  // (dst, stride, width, height, value)
  SetPlane: { parameters: ["pointer", "i32", "i32", "i32", "u32"], result: "void" },
} as const satisfies Deno.ForeignLibraryInterface;

/** libyuv's file names: Debian's sonames, or the DLL tools/build_windows_codecs.ts builds. */
export const YUV_NAMES: string[] = Deno.build.os === "windows"
  ? ["yuv.dll"]
  : ["libyuv.so.0", "libyuv.so"];

/**
 * The C library: calloc and free only ever pair with each other here (the agent frees what it
 * allocated; libvpx frees its own image with vpx_img_free), so any C runtime does. On Windows
 * msvcrt.dll, which every Windows has and the mingw-built DLLs use too.
 */
export const LIBC_NAMES: string[] = Deno.build.os === "windows" ? ["msvcrt.dll"] : ["libc.so.6"];

export const LIBC_SYMBOLS = {
  calloc: { parameters: ["usize", "usize"], result: "pointer" },
  free: { parameters: ["pointer"], result: "void" },
} as const satisfies Deno.ForeignLibraryInterface;

export type Yuv = Deno.DynamicLibrary<typeof YUV_SYMBOLS>["symbols"];
export type Libc = Deno.DynamicLibrary<typeof LIBC_SYMBOLS>["symbols"];

/** An encoder's three planes (Y, U, V) and their strides. */
export interface Planes {
  pointers: readonly Deno.PointerObject[];
  strides: readonly number[];
}

/**
 * Converts `areas` of the BGRX frame (`stride` bytes a row; areas on even coordinates, whole
 * macroblocks) into the planes; `areas` undefined is the whole `width`×`height` frame. In
 * greyscale only luma is converted, and a whole-frame pass sets chroma to neutral.
 */
export function bgrxToPlanes(
  yuv: Yuv,
  bgrx: Uint8Array,
  stride: number,
  planes: Planes,
  size: { width: number; height: number },
  areas: readonly Area[] | undefined,
  grey: boolean,
): void {
  const [y, u, v] = planes.pointers, [sy, su, sv] = planes.strides;
  for (const a of areas ?? [{ x: 0, y: 0, width: size.width, height: size.height }]) {
    const src = a.x || a.y ? bgrx.subarray(a.y * stride + a.x * 4) : bgrx;
    const py = Deno.UnsafePointer.offset(y, a.y * sy + a.x)!;
    const cy = a.y >> 1, cx = a.x >> 1;
    const rc = grey ? yuv.ARGBToI400(src, stride, py, sy, a.width, a.height) : yuv.ARGBToI420(
      src,
      stride,
      py,
      sy,
      Deno.UnsafePointer.offset(u, cy * su + cx)!,
      su,
      Deno.UnsafePointer.offset(v, cy * sv + cx)!,
      sv,
      a.width,
      a.height,
    );
    if (rc !== 0) throw new Error(`libyuv conversion failed (${rc})`);
  }
  if (grey && !areas) {
    const cw = (size.width + 1) >> 1, ch = (size.height + 1) >> 1;
    yuv.SetPlane(u, su, cw, ch, 128);
    yuv.SetPlane(v, sv, cw, ch, 128);
  }
}
