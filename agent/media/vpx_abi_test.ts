import assert from "node:assert/strict";
import { supportedSonames, VPX_ABIS, vpxAbiFor } from "./vpx_abi.ts";
import { loadLibs } from "./vpx_ffi.ts";
import { Vp8Encoder } from "./vp8.ts";

const V1_12_0 = (1 << 16) | (12 << 8);

Deno.test("vpxAbiFor() picks the libvpx 1.12 table for any 1.12 patch release on x86_64", () => {
  const abi = vpxAbiFor({ version: V1_12_0, soname: "libvpx.so.7" }, "x86_64");
  assert.equal(abi.name, "libvpx 1.12 (x86_64)");
  assert.equal(abi.encoderAbiVersion, 25);
  assert.equal(vpxAbiFor({ version: V1_12_0 + 3, soname: "libvpx.so.7" }, "x86_64"), abi);
});

Deno.test("vpxAbiFor() refuses an unknown libvpx, naming it and what is supported", () => {
  const refusals: [number, string, string, string][] = [
    [(1 << 16) | (13 << 8), "libvpx.so.7", "x86_64", "libvpx v1.13.0 on x86_64"],
    [(1 << 16) | (14 << 8), "libvpx.so.8", "x86_64", "libvpx v1.14.0 on x86_64"],
    [(1 << 16) | (16 << 8), "libvpx.so.9", "x86_64", "libvpx v1.16.0 on x86_64"],
    [(1 << 16) | (11 << 8) | 2, "libvpx.so.7", "x86_64", "libvpx v1.11.2 on x86_64"],
    [V1_12_0, "libvpx.so.8", "x86_64", "libvpx v1.12.0 on x86_64"],
    [V1_12_0, "libvpx.so.7", "aarch64", "libvpx v1.12.0 on aarch64"],
    [(1 << 16) | (15 << 8) | 1, "libvpx.so.10", "x86_64", "libvpx v1.15.1 on x86_64"],
    [(1 << 16) | (16 << 8), "libvpx.so.12", "x86_64", "libvpx v1.16.0 on x86_64"],
  ];
  for (const [version, soname, arch, what] of refusals) {
    assert.throws(
      () => vpxAbiFor({ version, soname }, arch),
      (error: Error) => {
        assert.equal(
          error.message,
          `VP8 encoding is off: ${soname} is ${what}, whose struct layouts this agent does ` +
            "not know (it supports libvpx 1.12 (x86_64), libvpx 1.13 (x86_64), " +
            "libvpx 1.14 (x86_64), libvpx 1.15 (x86_64), libvpx 1.15.1+ (x86_64))",
        );
        return true;
      },
    );
  }
  assert.throws(
    () => vpxAbiFor({ version: 0x020000, soname: "libvpx.so.7", versionText: "v2.0.0-rc1" }),
    /is libvpx v2\.0\.0-rc1 on /,
  );
});

Deno.test("the agent tries libvpx.so.7, .8, .9 and .11, one table per soname and version", () => {
  assert.deepEqual(supportedSonames(), [
    "libvpx.so.7",
    "libvpx.so.8",
    "libvpx.so.9",
    "libvpx.so.11",
  ]);
  const keys = VPX_ABIS.map((a) => `${a.soname} ${a.major}.${a.minor}`);
  assert.equal(new Set(keys).size, keys.length, keys.join(", "));
  assert.equal(new Set(VPX_ABIS.map((a) => a.name)).size, VPX_ABIS.length);
});

Deno.test({
  name: "loadLibs() refuses, in words, a libvpx whose soname and version have no table",
  ignore: !Vp8Encoder.available(),
  async fn() {
    // The installed libvpx (1.12 here) under another soname, as if libvpx.so.8 were 1.12.
    const dir = await Deno.makeTempDir();
    try {
      const installed = loadLibs();
      const real = ["/usr/lib/x86_64-linux-gnu/", "/usr/lib/aarch64-linux-gnu/", "/usr/lib64/"]
        .map((d) => d + installed.abi.soname).find((f) => {
          try {
            return Deno.statSync(f).isFile;
          } catch {
            return false;
          }
        });
      const other = installed.abi.soname === "libvpx.so.8" ? "libvpx.so.9" : "libvpx.so.8";
      await Deno.symlink(real!, `${dir}/${other}`);
      const code = `import { useLibvpxFile, loadLibs } from ${
        JSON.stringify(new URL("./vpx_ffi.ts", import.meta.url).href)
      };
        useLibvpxFile(${JSON.stringify(`${dir}/${other}`)});
        try { loadLibs(); console.log("loaded"); } catch (e) { console.log(e.message); }`;
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["eval", "--no-check", code],
        stderr: "inherit",
      }).output();
      const text = new TextDecoder().decode(out.stdout);
      const version = `${installed.abi.major}.${installed.abi.minor}`;
      assert.match(
        text,
        new RegExp(
          `^VP8 encoding is off: ${other.replaceAll(".", "\\.")} is libvpx v${
            version.replace(".", "\\.")
          }\\.\\d+ on ${Deno.build.arch}, whose struct layouts this agent does not know \\(it supports libvpx 1\\.12`,
        ),
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("every table keeps each field inside its struct", () => {
  for (const abi of VPX_ABIS) {
    const inside = (struct: string, size: number, fields: Record<string, number>, width = 4) => {
      for (const [field, offset] of Object.entries(fields)) {
        assert.ok(
          Number.isInteger(offset) && offset >= 0 && offset + width <= size,
          `${abi.name}: ${struct}.${field} at ${offset} (+${width}) past ${size} bytes`,
        );
      }
    };
    inside("vpx_codec_enc_cfg_t", abi.sizes.encCfg, abi.encCfg);
    inside("vpx_image_t.planes", abi.sizes.image, { planes: abi.image.planes }, 4 * 8);
    inside("vpx_image_t.stride", abi.sizes.image, { stride: abi.image.stride }, 4 * 4);
    inside("vpx_codec_cx_pkt_t", abi.sizes.packet, {
      kind: abi.packet.kind,
      flags: abi.packet.flags,
    });
    inside("vpx_codec_cx_pkt_t", abi.sizes.packet, { buf: abi.packet.buf, sz: abi.packet.sz }, 8);
    inside("vpx_active_map_t", abi.sizes.activeMap, { map: abi.activeMap.map }, 8);
    inside("vpx_active_map_t", abi.sizes.activeMap, {
      rows: abi.activeMap.rows,
      cols: abi.activeMap.cols,
    });
    const offsets = Object.values(abi.encCfg);
    assert.equal(new Set(offsets).size, offsets.length, `${abi.name}: two fields share an offset`);
  }
});

Deno.test({
  name: "loadLibs() checks the installed libvpx against the tables",
  ignore: !Vp8Encoder.available(),
  fn() {
    const { abi, vpx } = loadLibs();
    const version = vpx.vpx_codec_version();
    assert.equal(abi.major, (version >> 16) & 0xff);
    assert.equal(abi.minor, (version >> 8) & 0xff);
    assert.ok(abi.arch.includes(Deno.build.arch));
  },
});

/**
 * The x86_64 layout derived from the public libvpx headers (C rules for LP64: unsigned int
 * and enums 4 bytes, pointers and size_t 8, each member at its alignment). For
 * vpx_codec_enc_cfg_t: g_usage … g_h at 0–16, g_bit_depth 20, g_input_bit_depth 24,
 * g_timebase {num, den} 28/32, g_error_resilient 36, g_pass 40, g_lag_in_frames 44,
 * rc_dropframe_thresh 48, rc_resize_allowed 52, rc_scaled_width/height 56/60, rc_resize_up/down
 * 64/68, rc_end_usage 72, then two vpx_fixed_buf_t {void *buf; size_t sz} at 80 and 96,
 * rc_target_bitrate 112 … rc_buf_optimal_sz 140, rc_2pass_* 144–156, kf_mode 160. The struct
 * bodies are the same declarations in every version below (comments aside), at these lines:
 *
 * | tag     | vpx_encoder.h enc_cfg / cx_pkt | vpx_image.h vpx_image | vpx_codec.h ctx | vp8cx.h active_map / control enum |
 * | v1.12.0 | 270–841 / 161–200              | 72–116                | 200–214         | 830–835 / 142 (ACTIVEMAP l.153, SCREEN_CONTENT_MODE l.329) |
 * | v1.13.0 | 271–842 / 162–201              | 72–116                | 200–214         | 840–845 / 142 (l.153, l.329) |
 * | v1.14.0 | 272–843 / 163–202              | 72–116                | 200–214         | 841–846 / 142 (l.153, l.330) |
 * | v1.15.0 | 276–849 / 167–206              | 76–120                | 200–214         | 849–854 / 142 (l.153, l.330) |
 *
 * VPX_ENCODER_ABI_VERSION: v1.12.0 vpx_encoder.h l.60 (15 + VPX_CODEC_ABI_VERSION 9, vpx_codec.h
 * l.90 with VPX_IMAGE_ABI_VERSION 5, vpx_image.h l.30, + VPX_EXT_RATECTRL_ABI_VERSION 1,
 * vpx_ext_ratectrl.h l.28); v1.13.0 l.60 (15 + 9 + 6, vpx_ext_ratectrl.h l.28); v1.14.0 l.61
 * (16 + 9 + 7 + VPX_TPL_ABI_VERSION 2, vpx_ext_ratectrl.h l.29, vpx_tpl.h l.35); v1.15.0 l.65
 * (18 + 9 + (5 + VPX_TPL_ABI_VERSION 4), vpx_ext_ratectrl.h l.33, vpx_tpl.h l.33).
 */
const DERIVED = {
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
  // vpx_image_t: fmt, cs, range (enums) 0/4/8, w h bit_depth d_w d_h r_w r_h x_chroma_shift
  // y_chroma_shift (unsigned int) 12–44, planes[4] at 48, stride[4] at 80.
  image: { planes: 48, stride: 80 },
  // vpx_codec_cx_pkt_t: kind (enum) 0, union at 8: frame.buf 8, sz 16, pts 24, duration 32,
  // flags 40; the union's pad[128 - sizeof(kind)] makes 8 + 128 = 136.
  packet: { kind: 0, buf: 8, sz: 16, flags: 40 },
  activeMap: { map: 0, rows: 8, cols: 12 },
  // enum vp8e_enc_control_id, VP8E_SET_ROI_MAP = 8 counted on (same in every version).
  controls: {
    activeMap: 9,
    cpuUsed: 13,
    noiseSensitivity: 15,
    staticThreshold: 17,
    tokenPartitions: 18,
    maxIntraBitratePct: 26,
    screenContentMode: 31,
  },
};

// tools/vpx_abi_probe.ts measures the same from each release tag's headers with gcc (v1.12.0 …
// v1.15.2 all match) and exits 1 on a difference; this keeps the tables from drifting unseen.
Deno.test("VPX_ABIS has libvpx 1.12–1.15 with the layout derived from their headers", () => {
  const expected: [string, string, number][] = [
    ["1.12", "libvpx.so.7", 25],
    ["1.13", "libvpx.so.8", 30],
    ["1.14", "libvpx.so.9", 34],
    ["1.15", "libvpx.so.9", 36],
    ["1.15.1+", "libvpx.so.11", 37],
  ];
  assert.equal(VPX_ABIS.filter((a) => a.os === "linux").length, expected.length);
  for (const [version, soname, encoderAbiVersion] of expected) {
    const minor = Number(version.split(".")[1]);
    const abi = vpxAbiFor({ version: (1 << 16) | (minor << 8) | 2, soname }, "x86_64");
    assert.equal(abi.name, `libvpx ${version} (x86_64)`);
    assert.equal(abi.encoderAbiVersion, encoderAbiVersion, version);
    assert.deepEqual(abi.sizes, DERIVED.sizes, version);
    assert.deepEqual(abi.encCfg, DERIVED.encCfg, version);
    assert.deepEqual(abi.image, DERIVED.image, version);
    assert.deepEqual(abi.packet, DERIVED.packet, version);
    assert.deepEqual(abi.activeMap, DERIVED.activeMap, version);
    assert.deepEqual(abi.controls, DERIVED.controls, version);
  }
});

// Measured by vp8_windows_test.ts under Wine (mingw-w64's offsetof of the same headers).
Deno.test("the Windows table is the Linux layout but for the packet's flags (LLP64), for vpx.dll", () => {
  const win = vpxAbiFor({ version: V1_12_0 + 0, soname: "vpx.dll" }, "x86_64", "windows");
  const linux = vpxAbiFor({ version: V1_12_0, soname: "libvpx.so.7" }, "x86_64", "linux");
  assert.equal(win.name, "libvpx 1.12 (Windows x86_64)");
  const { name: _n, soname: _s, os: _o, packet, ...rest } = win;
  const { name: _n2, soname: _s2, os: _o2, packet: linuxPacket, ...linuxRest } = linux;
  assert.deepEqual(rest, linuxRest);
  assert.deepEqual(packet, { ...linuxPacket, flags: 36 });
  assert.deepEqual(supportedSonames("windows"), ["vpx.dll"]);
  assert.ok(!supportedSonames("linux").includes("vpx.dll"));
  // Each system only its own tables: a vpx.dll on Linux, a libvpx.so.7 on Windows are refused.
  assert.throws(() => vpxAbiFor({ version: V1_12_0, soname: "vpx.dll" }, "x86_64", "linux"));
  assert.throws(
    () => vpxAbiFor({ version: V1_12_0, soname: "libvpx.so.7" }, "x86_64", "windows"),
    /it supports libvpx 1\.12 \(Windows x86_64\)\)$/,
  );
});
