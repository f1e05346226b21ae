// libvpx's struct layouts and constants, one table per ABI the encoder supports, and the
// check that picks the table for the libvpx actually loaded (or refuses it).
//
// No headers or compiler are needed at run time, so the layouts are data. How a table is
// made: unpack the matching `libvpx-dev` (`apt-get download libvpx-dev && dpkg -x …`), compile
// a throwaway C program against its headers and the installed library that prints `sizeof` /
// `offsetof` for vpx_codec_enc_cfg_t, vpx_codec_ctx_t, vpx_image_t, vpx_codec_cx_pkt_t and
// vpx_active_map_t, the enum/#define values below, VPX_ENCODER_ABI_VERSION and
// vpx_codec_version(); add the table to VPX_ABIS and run agent/media/vpx_abi_test.ts (every
// field must lie inside its struct) and vp8_test.ts.
//
// libvpx also checks the ABI itself: vpx_codec_enc_init_ver refuses a different
// VPX_ENCODER_ABI_VERSION with VPX_CODEC_ABI_MISMATCH. That check comes after
// vpx_codec_enc_config_default has written a whole vpx_codec_enc_cfg_t into memory sized
// from the table, hence the version check before any call that writes.

/** One libvpx ABI: where the encoder's fields are, and how big each struct is. */
export interface VpxAbi {
  /** Shown in messages, e.g. "libvpx 1.12 (x86_64)". */
  name: string;
  /** The shared library's file name (its soname). */
  soname: string;
  /** vpx_codec_version() major and minor this table was taken from (patch releases keep it). */
  major: number;
  minor: number;
  /** Deno.build.arch values whose C layout was measured. */
  arch: readonly string[];
  /** Deno.build.os this table is for: its C data model (Linux LP64, Windows LLP64). */
  os: "linux" | "windows";
  /** VPX_ENCODER_ABI_VERSION, passed to vpx_codec_enc_init_ver. */
  encoderAbiVersion: number;
  /** sizeof each struct the agent allocates or reads, in bytes. */
  sizes: { encCfg: number; codecCtx: number; image: number; packet: number; activeMap: number };
  /** offsetof(vpx_codec_enc_cfg_t, …); every field is 32 bits (unsigned int or enum). */
  encCfg: Record<EncCfgField, number>;
  /** offsetof(vpx_image_t, planes) (4 pointers) and stride (4 ints). */
  image: { planes: number; stride: number };
  /** vpx_codec_cx_pkt_t: kind (enum), data.frame.buf (pointer), sz (size_t), flags (u32). */
  packet: { kind: number; buf: number; sz: number; flags: number };
  /** vpx_active_map_t: active_map (pointer), rows, cols (unsigned int). */
  activeMap: { map: number; rows: number; cols: number };
  /** enum vp8e_enc_control_id values. */
  controls: {
    activeMap: number;
    cpuUsed: number;
    noiseSensitivity: number;
    staticThreshold: number;
    tokenPartitions: number;
    maxIntraBitratePct: number;
    screenContentMode: number;
  };
  constants: {
    imgFmtI420: number;
    cxFramePkt: number;
    deadlineRealtime: number;
    eflagForceKf: number;
    frameIsKey: number;
    errorResilientDefault: number;
    rcOnePass: number;
    cbr: number;
    kfDisabled: number;
  };
}

export type EncCfgField =
  | "g_usage"
  | "g_threads"
  | "g_profile"
  | "g_w"
  | "g_h"
  | "g_timebase_num"
  | "g_timebase_den"
  | "g_error_resilient"
  | "g_pass"
  | "g_lag_in_frames"
  | "rc_dropframe_thresh"
  | "rc_resize_allowed"
  | "rc_end_usage"
  | "rc_target_bitrate"
  | "rc_min_quantizer"
  | "rc_max_quantizer"
  | "rc_undershoot_pct"
  | "rc_overshoot_pct"
  | "rc_buf_sz"
  | "rc_buf_initial_sz"
  | "rc_buf_optimal_sz"
  | "kf_mode"
  | "kf_min_dist"
  | "kf_max_dist";

/**
 * The x86_64 layout of every struct, enum and #define the agent uses, measured for libvpx 1.12
 * (Debian 12 `libvpx7` 1.12.0-1+deb12u5) with gcc against that package's headers.
 *
 * libvpx 1.13, 1.14 and 1.15 keep it: tools/vpx_abi_probe.ts compiles a program against the
 * public headers of each release tag (v1.12.0, v1.13.0, v1.13.1, v1.14.0, v1.14.1, v1.15.0,
 * v1.15.1, v1.15.2) that prints every size, offset, control id, constant and ABI version below,
 * and each matches its table (rerun: see that tool). Only VPX_ENCODER_ABI_VERSION moves.
 * libvpx 1.15.0 (Debian 13 `libvpx9` 1.15.0-2.1+deb13u1) was also loaded from its .deb and
 * encoded and decoded a frame (vpx_deb_test.ts).
 */
const LAYOUT_X86_64: Omit<VpxAbi, "name" | "soname" | "major" | "minor" | "encoderAbiVersion"> = {
  arch: ["x86_64"],
  os: "linux",
  sizes: { encCfg: 504, codecCtx: 56, image: 136, packet: 136, activeMap: 16 },
  encCfg: {
    g_usage: 0,
    g_threads: 4,
    g_profile: 8,
    g_w: 12,
    g_h: 16,
    g_timebase_num: 28,
    g_timebase_den: 32,
    g_error_resilient: 36,
    g_pass: 40,
    g_lag_in_frames: 44,
    rc_dropframe_thresh: 48,
    rc_resize_allowed: 52,
    rc_end_usage: 72,
    rc_target_bitrate: 112,
    rc_min_quantizer: 116,
    rc_max_quantizer: 120,
    rc_undershoot_pct: 124,
    rc_overshoot_pct: 128,
    rc_buf_sz: 132,
    rc_buf_initial_sz: 136,
    rc_buf_optimal_sz: 140,
    kf_mode: 160,
    kf_min_dist: 164,
    kf_max_dist: 168,
  },
  image: { planes: 48, stride: 80 },
  packet: { kind: 0, buf: 8, sz: 16, flags: 40 },
  activeMap: { map: 0, rows: 8, cols: 12 },
  controls: {
    activeMap: 9,
    cpuUsed: 13,
    noiseSensitivity: 15,
    staticThreshold: 17,
    tokenPartitions: 18,
    maxIntraBitratePct: 26,
    screenContentMode: 31,
  },
  constants: {
    imgFmtI420: 0x102, // VPX_IMG_FMT_PLANAR | 2
    cxFramePkt: 0,
    deadlineRealtime: 1,
    eflagForceKf: 1,
    frameIsKey: 1,
    errorResilientDefault: 1,
    rcOnePass: 0,
    cbr: 1,
    kfDisabled: 0,
  },
};

/**
 * VPX_ENCODER_ABI_VERSION is a sum (vpx_encoder.h), VPX_CODEC_ABI_VERSION = 4 +
 * VPX_IMAGE_ABI_VERSION 5 = 9 throughout:
 * - 1.12: 15 + 9 + VPX_EXT_RATECTRL_ABI_VERSION 1 = 25 (Debian 12, Ubuntu 22.04: libvpx7);
 * - 1.13: 15 + 9 + VPX_EXT_RATECTRL_ABI_VERSION 6 = 30 (libvpx.so.8, e.g. Fedora 39);
 * - 1.14: 16 + 9 + VPX_EXT_RATECTRL_ABI_VERSION 7 + VPX_TPL_ABI_VERSION 2 = 34 (libvpx.so.9,
 *   Ubuntu 24.04);
 * - 1.15.0: 18 + 9 + VPX_EXT_RATECTRL_ABI_VERSION (5 + VPX_TPL_ABI_VERSION 4) = 36
 *   (libvpx.so.9, Debian 13);
 * - 1.15.1 and 1.15.2: 18 + 9 + (6 + 4) = 37 under a new soname, libvpx.so.11 (libvpx's
 *   CHANGELOG: 1.15.0 should have been one; its libs.mk SO_VERSION_MAJOR 9 → 11).
 */
function _x86_64(minor: number, soname: string, encoderAbiVersion: number, name?: string): VpxAbi {
  return {
    name: `libvpx ${name ?? `1.${minor}`} (x86_64)`,
    soname,
    major: 1,
    minor,
    encoderAbiVersion,
    ...LAYOUT_X86_64,
  };
}

/**
 * Windows x64 (LLP64: `long` is 32 bits): libvpx 1.12 as tools/build_windows_codecs.ts builds it
 * (vpx.dll, from Debian 12's libvpx source), measured with tools/vpx_abi_probe.ts's program
 * compiled by mingw-w64 and run under Wine (vp8_windows_test.ts does it again and compares).
 * One field moves: vpx_codec_cx_pkt_t's data.frame.duration is an `unsigned long`, 4 bytes
 * here, so data.frame.flags is at 36, not 40. The functions with `long` parameters are declared
 * for it in vpx_ffi.ts.
 */
const WIN64_1_12: VpxAbi = {
  ...LAYOUT_X86_64,
  name: "libvpx 1.12 (Windows x86_64)",
  soname: "vpx.dll",
  os: "windows",
  major: 1,
  minor: 12,
  encoderAbiVersion: 25,
  packet: { ...LAYOUT_X86_64.packet, flags: 36 },
};

/** Every ABI the encoder supports; a libvpx matching none of them is refused. */
export const VPX_ABIS: readonly VpxAbi[] = [
  _x86_64(12, "libvpx.so.7", 25),
  _x86_64(13, "libvpx.so.8", 30),
  _x86_64(14, "libvpx.so.9", 34),
  _x86_64(15, "libvpx.so.9", 36),
  _x86_64(15, "libvpx.so.11", 37, "1.15.1+"),
  WIN64_1_12,
];

/** "1.12.0" from vpx_codec_version()'s (major << 16 | minor << 8 | patch). */
export function versionString(version: number): string {
  return `${(version >> 16) & 0xff}.${(version >> 8) & 0xff}.${version & 0xff}`;
}

/**
 * The table for the loaded libvpx (`version` from vpx_codec_version(), `soname` the file that
 * was opened) on this machine's `arch`; throws when none matches, naming what is supported.
 */
export function vpxAbiFor(
  loaded: { version: number; soname: string; versionText?: string },
  arch: string = Deno.build.arch,
  os: string = Deno.build.os,
): VpxAbi {
  const major = (loaded.version >> 16) & 0xff, minor = (loaded.version >> 8) & 0xff;
  const family = dataModelOs(os);
  const abi = VPX_ABIS.find((a) =>
    a.soname === loaded.soname && a.major === major && a.minor === minor &&
    a.arch.includes(arch) && a.os === family
  );
  if (abi) return abi;
  const found = loaded.versionText || `v${versionString(loaded.version)}`;
  const known = VPX_ABIS.filter((a) => a.os === family).map((a) => a.name).join(", ");
  throw new Error(
    `VP8 encoding is off: ${loaded.soname} is libvpx ${found} on ${arch}, whose struct ` +
      `layouts this agent does not know (it supports ${known})`,
  );
}

/** The soname of every supported ABI on `os`, in the order to try them. */
export function supportedSonames(os: string = Deno.build.os): string[] {
  const own = VPX_ABIS.filter((a) => a.os === dataModelOs(os));
  return [...new Set(own.map((a) => a.soname))];
}

/** Which tables an OS uses: Windows' (LLP64), or the Linux ones (LP64) everywhere else. */
function dataModelOs(os: string): VpxAbi["os"] {
  return os === "windows" ? "windows" : "linux";
}
