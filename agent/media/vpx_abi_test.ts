import assert from "node:assert/strict";
import { VPX_ABIS, vpxAbiFor } from "./vpx_abi.ts";
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
    [(1 << 16) | (11 << 8) | 2, "libvpx.so.7", "x86_64", "libvpx v1.11.2 on x86_64"],
    [V1_12_0, "libvpx.so.8", "x86_64", "libvpx v1.12.0 on x86_64"],
    [V1_12_0, "libvpx.so.7", "aarch64", "libvpx v1.12.0 on aarch64"],
  ];
  for (const [version, soname, arch, what] of refusals) {
    assert.throws(
      () => vpxAbiFor({ version, soname }, arch),
      (error: Error) => {
        assert.equal(
          error.message,
          `VP8 encoding is off: ${soname} is ${what}, whose struct layouts this agent does ` +
            "not know (it supports libvpx 1.12 (x86_64))",
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
