// libvpx, libyuv and libc over `Deno.dlopen` for the VP8 encoder (vp8.ts): the symbols, the
// loading (libraries opened by absolute path first, so a scoped `--allow-ffi=<path>` works)
// and the libvpx version check that picks its struct layouts (vpx_abi.ts).
//
// On Windows the libraries are the DLLs tools/build_windows_codecs.ts builds (vpx.dll, yuv.dll),
// looked for beside the agent's script and beside deno.exe (the portable package puts them
// there), then by the system's DLL search; libc is msvcrt.dll (see LIBC_NAMES in yuv.ts).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { supportedSonames, type VpxAbi, vpxAbiFor } from "./vpx_abi.ts";
import { type Libc, LIBC_NAMES, LIBC_SYMBOLS, type Yuv, YUV_NAMES, YUV_SYMBOLS } from "./yuv.ts";
import { CodecsMissingError } from "./codecs_missing.ts";

/** libvpx's functions as declared on LP64 systems (Linux): `long` is 64 bits. */
export const VPX_SYMBOLS = {
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

/**
 * The same on Win64, which is LLP64: `long` and `unsigned long` are 32 bits, so
 * vpx_codec_enc_init_ver's flags and vpx_codec_encode's duration, flags and deadline are too.
 * (Each argument still takes a whole 8-byte register or stack slot, so the 64-bit declaration
 * happened to work for small values; the callee reads only the low half.)
 */
const VPX_SYMBOLS_LLP64 = {
  ...VPX_SYMBOLS,
  vpx_codec_enc_init_ver: {
    parameters: ["pointer", "pointer", "pointer", "i32", "i32"],
    result: "i32",
  },
  vpx_codec_encode: {
    parameters: ["pointer", "pointer", "i64", "u32", "i32", "u32"],
    result: "i32",
  },
} as const satisfies Deno.ForeignLibraryInterface;

type VpxSymbols = Deno.DynamicLibrary<typeof VPX_SYMBOLS>["symbols"];

/** The LLP64 functions behind the LP64 signatures vp8.ts calls (numbers narrowed to 32 bits). */
function fromLlp64(s: Deno.DynamicLibrary<typeof VPX_SYMBOLS_LLP64>["symbols"]): VpxSymbols {
  return {
    ...s,
    vpx_codec_enc_init_ver: (ctx, iface, cfg, flags, ver) =>
      s.vpx_codec_enc_init_ver(ctx, iface, cfg, Number(flags), ver),
    vpx_codec_encode: (ctx, img, pts, duration, flags, deadline) =>
      s.vpx_codec_encode(ctx, img, pts, Number(duration), Number(flags), Number(deadline)),
  };
}

const LINUX_LIB_DIRS = [
  "/usr/lib/x86_64-linux-gnu/",
  "/usr/lib/aarch64-linux-gnu/",
  "/usr/lib64/",
  "",
];

/**
 * Where a library is looked for: Linux's library folders; on Windows the folder of the agent's
 * script and of deno.exe, then "" (the system's own DLL search).
 */
export function libraryDirs(os: string = Deno.build.os): string[] {
  if (os !== "windows") return LINUX_LIB_DIRS;
  const dirs: string[] = [];
  try {
    if (Deno.mainModule.startsWith("file:")) dirs.push(dirname(fileURLToPath(Deno.mainModule)));
  } catch { /* no main module (a worker): skip */ }
  try {
    dirs.push(dirname(Deno.execPath()));
  } catch { /* not allowed to read the runtime's path: skip */ }
  return [...new Set(dirs), ""];
}

function isPath(name: string): boolean {
  return /[\\/]/.test(name);
}

/** The first of `names` that opens, tried in the usual library folders, or all the errors. */
export function openFirst<S extends Deno.ForeignLibraryInterface>(
  names: string[],
  symbols: S,
): Deno.DynamicLibrary<S> {
  const errors: string[] = [];
  for (const name of names) {
    for (const dir of isPath(name) ? [""] : libraryDirs()) {
      const file = dir ? join(dir, name) : name;
      try {
        return Deno.dlopen(file, symbols);
      } catch (e) {
        errors.push(`${file}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
  throw new Error(`could not load ${names.join(" / ")}:\n  ${errors.join("\n  ")}`);
}

export interface Libs {
  /** The struct layouts of the libvpx that was loaded. */
  abi: VpxAbi;
  vpx: VpxSymbols;
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
    const windows = Deno.build.os === "windows";
    for (const file of libvpxFile ? [libvpxFile] : supportedSonames()) {
      const soname = file.slice(Math.max(file.lastIndexOf("/"), file.lastIndexOf("\\")) + 1);
      let opened: Deno.DynamicLibrary<typeof VPX_SYMBOLS | typeof VPX_SYMBOLS_LLP64>;
      try {
        opened = openFirst([file], windows ? VPX_SYMBOLS_LLP64 : VPX_SYMBOLS);
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
      vpx = windows
        ? fromLlp64(opened.symbols as Deno.DynamicLibrary<typeof VPX_SYMBOLS_LLP64>["symbols"])
        : opened.symbols as VpxSymbols;
      break;
    }
    if (!abi || !vpx) {
      if (!windows) throw new Error(errors.join("\n"));
      // Which of the package's two DLLs are absent: yuv.dll is tried too (and let go).
      const files = ["vpx.dll"];
      try {
        openFirst(YUV_NAMES, YUV_SYMBOLS).close();
      } catch {
        files.push(...YUV_NAMES);
      }
      throw new CodecsMissingError(files, [WINDOWS_MISSING, ...errors].join("\n"));
    }
    let yuv: Yuv;
    try {
      yuv = openFirst(YUV_NAMES, YUV_SYMBOLS).symbols;
    } catch (e) {
      if (!windows) throw e;
      const message = e instanceof Error ? e.message : String(e);
      throw new CodecsMissingError(YUV_NAMES, `${WINDOWS_MISSING}\n${message}`);
    }
    const libc = openFirst(LIBC_NAMES, LIBC_SYMBOLS).symbols;
    libs = { abi, vpx, yuv, libc };
    return libs;
  } catch (e) {
    libsError = e instanceof Error ? e : new Error(String(e));
    throw libsError;
  }
}

/** The first line of a failed load on Windows: which DLLs, and where they belong. */
const WINDOWS_MISSING = "VP8 encoding is off: vpx.dll (libvpx) and yuv.dll (libyuv) belong " +
  "beside deno.exe in the support app's folder (built by `deno task build:windows-codecs`)";

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
