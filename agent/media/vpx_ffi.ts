// libvpx, libyuv and libc over `Deno.dlopen` for the VP8 encoder (vp8.ts): the symbols, the
// loading (libraries opened by absolute path first, so a scoped `--allow-ffi=<path>` works)
// and the libvpx version check that picks its struct layouts (vpx_abi.ts).
import { supportedSonames, type VpxAbi, vpxAbiFor } from "./vpx_abi.ts";
import { type Libc, LIBC_SYMBOLS, type Yuv, YUV_SYMBOLS } from "./yuv.ts";

const VPX_SYMBOLS = {
  // (major << 16 | minor << 8 | patch) and e.g. "v1.12.0": which table applies (vpx_abi.ts).
  vpx_codec_version: { parameters: [], result: "i32" },
  vpx_codec_version_str: { parameters: [], result: "pointer" },
  vpx_codec_vp8_cx: { parameters: [], result: "pointer" },
  vpx_codec_enc_config_default: { parameters: ["pointer", "pointer", "u32"], result: "i32" },
  // (ctx, iface, cfg, vpx_codec_flags_t flags (long), int ver)
  vpx_codec_enc_init_ver: {
    parameters: ["pointer", "pointer", "pointer", "i64", "i32"],
    result: "i32",
  },
  vpx_codec_enc_config_set: { parameters: ["pointer", "pointer"], result: "i32" },
  // (ctx, img, vpx_codec_pts_t pts, unsigned long duration, vpx_enc_frame_flags_t flags (long),
  //  unsigned long deadline)
  vpx_codec_encode: {
    parameters: ["pointer", "pointer", "i64", "u64", "i64", "u64"],
    result: "i32",
  },
  vpx_codec_get_cx_data: { parameters: ["pointer", "pointer"], result: "pointer" },
  // vpx_codec_control_(ctx, int ctrl_id, ...) is variadic. On x86_64 SysV and AArch64 (Linux)
  // an int variadic argument travels exactly like a fixed int third parameter, so declaring it
  // as (pointer, i32, i32) works. Verified in vp8_test.ts through libvpx's own range checks:
  // VP8E_SET_SCREEN_CONTENT_MODE 2 → OK, 3 → VPX_CODEC_INVALID_PARAM; TOKEN_PARTITIONS 3 → OK,
  // 4 or -1 → VPX_CODEC_INVALID_PARAM. (VP8E_SET_CPUUSED itself clamps to -16…16 silently.)
  vpx_codec_control_: { parameters: ["pointer", "i32", "i32"], result: "i32" },
  // The same function for pointer-valued controls (VP8E_SET_ACTIVEMAP).
  vpx_codec_control_ptr: {
    name: "vpx_codec_control_",
    parameters: ["pointer", "i32", "pointer"],
    result: "i32",
  },
  vpx_codec_destroy: { parameters: ["pointer"], result: "i32" },
  vpx_codec_err_to_string: { parameters: ["i32"], result: "pointer" },
  vpx_codec_error_detail: { parameters: ["pointer"], result: "pointer" },
  // (img, fmt, d_w, d_h, align) — with img NULL libvpx allocates the struct too.
  vpx_img_alloc: { parameters: ["pointer", "i32", "u32", "u32", "u32"], result: "pointer" },
  vpx_img_free: { parameters: ["pointer"], result: "void" },
} as const satisfies Deno.ForeignLibraryInterface;

const LIB_DIRS = ["/usr/lib/x86_64-linux-gnu/", "/usr/lib/aarch64-linux-gnu/", "/usr/lib64/", ""];

/** The first of `names` that opens, tried in the usual library folders, or all the errors. */
export function openFirst<S extends Deno.ForeignLibraryInterface>(
  names: string[],
  symbols: S,
): Deno.DynamicLibrary<S> {
  const errors: string[] = [];
  for (const name of names) {
    for (const dir of name.includes("/") ? [""] : LIB_DIRS) {
      try {
        return Deno.dlopen(dir + name, symbols);
      } catch (e) {
        errors.push(`${dir + name}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
  throw new Error(`could not load ${names.join(" / ")}:\n  ${errors.join("\n  ")}`);
}

export interface Libs {
  /** The struct layouts of the libvpx that was loaded. */
  abi: VpxAbi;
  vpx: Deno.DynamicLibrary<typeof VPX_SYMBOLS>["symbols"];
  yuv: Yuv;
  libc: Libc;
}

let libs: Libs | undefined;
let libsError: Error | undefined;
let libvpxFile: string | undefined;

/**
 * Tests: open libvpx from `file` (an absolute path; its base name is taken as the soname that
 * picks the table) instead of trying the supported sonames. Only before the first loadLibs().
 */
export function useLibvpxFile(file: string): void {
  if (libs || libsError) throw new Error("useLibvpxFile() after libvpx was loaded");
  libvpxFile = file;
}

/**
 * libvpx (a soname some table in vpx_abi.ts is for, its version checked against the tables
 * before anything writes a struct), libyuv and libc. Loaded once; a failure is kept.
 */
export function loadLibs(): Libs {
  if (libs) return libs;
  if (libsError) throw libsError;
  try {
    const errors: string[] = [];
    let abi: VpxAbi | undefined, vpx: Libs["vpx"] | undefined;
    for (const file of libvpxFile ? [libvpxFile] : supportedSonames()) {
      const soname = file.slice(file.lastIndexOf("/") + 1);
      let opened: Deno.DynamicLibrary<typeof VPX_SYMBOLS>;
      try {
        opened = openFirst([file], VPX_SYMBOLS);
      } catch (e) {
        errors.push(e instanceof Error ? e.message : String(e));
        continue;
      }
      const version = opened.symbols.vpx_codec_version();
      const versionText = cString(opened.symbols.vpx_codec_version_str());
      try {
        abi = vpxAbiFor({ version, soname, versionText });
      } finally {
        if (!abi) opened.close(); // refused: nothing of it is called
      }
      vpx = opened.symbols;
      break;
    }
    if (!abi || !vpx) throw new Error(errors.join("\n"));
    const yuv = openFirst(["libyuv.so.0", "libyuv.so"], YUV_SYMBOLS).symbols;
    const libc = openFirst(["libc.so.6"], LIBC_SYMBOLS).symbols;
    libs = { abi, vpx, yuv, libc };
    return libs;
  } catch (e) {
    libsError = e instanceof Error ? e : new Error(String(e));
    throw libsError;
  }
}

function cString(p: Deno.PointerValue): string {
  return p ? Deno.UnsafePointerView.getCString(p) : "";
}

/** libvpx's own words for a failed call. */
export function vpxError(l: Libs, what: string, code: number, ctx?: Deno.PointerValue): Error {
  const detail = ctx ? cString(l.vpx.vpx_codec_error_detail(ctx)) : "";
  const msg = cString(l.vpx.vpx_codec_err_to_string(code));
  return new Error(`${what} failed: ${msg} (${code})${detail ? `: ${detail}` : ""}`);
}

/** A writable DataView over native memory. */
export function nativeView(p: Deno.PointerObject, size: number): DataView {
  return new DataView(Deno.UnsafePointerView.getArrayBuffer(p, size));
}
