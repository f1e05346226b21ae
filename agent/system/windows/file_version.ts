/**
 * A file's version as Explorer's Details tab shows it ("File version"): the fixed part of its
 * version resource (version.dll: GetFileVersionInfoSizeW, GetFileVersionInfoW, VerQueryValueW
 * for "\", a VS_FIXEDFILEINFO) — what a driver's .sys or a program's .exe was built as.
 */
import { addressOf, u32, wide } from "./ffi.ts";

const VERSION = {
  /** (file name, handle* (ignored)) → the resource's size, 0 without one */
  GetFileVersionInfoSizeW: { parameters: ["buffer", "buffer"], result: "u32" },
  /** (file name, handle (ignored), size, data*) */
  GetFileVersionInfoW: { parameters: ["buffer", "u32", "u32", "buffer"], result: "i32" },
  /** (block, sub-block, value** out, length* out): the value points into the block */
  VerQueryValueW: { parameters: ["buffer", "buffer", "buffer", "buffer"], result: "i32" },
} as const;

/** VS_FIXEDFILEINFO's signature (dwSignature). */
const FIXED_SIGNATURE = 0xFEEF04BD;

let _version: Deno.DynamicLibrary<typeof VERSION>["symbols"] | null | undefined;

function _lib() {
  if (_version === undefined) {
    try {
      _version = Deno.dlopen("version.dll", VERSION).symbols;
    } catch {
      _version = null; // no version.dll: every version unknown
    }
  }
  return _version;
}

/** dwFileVersionMS/LS → "10.0.19041.1" (four 16-bit parts). */
export function versionString(ms: number, ls: number): string {
  return [ms >>> 16, ms & 0xFFFF, ls >>> 16, ls & 0xFFFF].join(".");
}

/** The VS_FIXEDFILEINFO at `at` of `block` as a version, or "" when it is not one. */
export function fixedFileVersion(block: Uint8Array, at: number): string {
  if (at < 0 || at + 52 > block.length || u32(block, at) !== FIXED_SIGNATURE) return "";
  return versionString(u32(block, at + 8), u32(block, at + 12));
}

/** `path`'s file version, or "" when it has no version resource (or cannot be read). */
export function fileVersion(path: string): string {
  const lib = _lib();
  if (!lib || !path) return "";
  const name = wide(path);
  const size = lib.GetFileVersionInfoSizeW(name, null);
  if (size === 0 || size > 16 * 1024 * 1024) return "";
  const block = new Uint8Array(size);
  if (!lib.GetFileVersionInfoW(name, 0, size, block)) return "";
  const value = new BigUint64Array(1);
  const length = new Uint32Array(1);
  const root = wide("\\");
  if (
    !lib.VerQueryValueW(
      block,
      root,
      new Uint8Array(value.buffer),
      new Uint8Array(length.buffer),
    ) || length[0] < 52
  ) return "";
  return fixedFileVersion(block, Number(value[0] - addressOf(block)));
}
