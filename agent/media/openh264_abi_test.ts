// The OpenH264 layout table: the version check refuses other releases by name, every field lies
// inside its struct, and the load-time check against the library catches a wrong table.
import assert from "node:assert/strict";
import { OPENH264_ABIS, openh264AbiFor } from "./openh264_abi.ts";
import { checkOpenH264Layout, loadH264Libs } from "./openh264_ffi.ts";

let loadable = true;
try {
  loadH264Libs();
} catch (e) {
  loadable = false;
  console.warn(`openh264_abi_test: library tests ignored — ${e instanceof Error ? e.message : e}`);
}

Deno.test("openh264AbiFor() picks the 2.3 table for libopenh264.so.7 2.3.x on x86_64", () => {
  const abi = openh264AbiFor(
    { major: 2, minor: 3, revision: 1, soname: "libopenh264.so.7" },
    "x86_64",
  );
  assert.equal(abi.name, "OpenH264 2.3 (x86_64)");
  // A developer's unversioned symlink is fine for a known version.
  assert.equal(
    openh264AbiFor({ major: 2, minor: 3, revision: 0, soname: "libopenh264.so" }, "x86_64"),
    abi,
  );
});

Deno.test("openh264AbiFor() refuses another release, soname or architecture by name", () => {
  const cases = [
    [{ major: 2, minor: 4, revision: 1, soname: "libopenh264.so.7" }, "x86_64", "OpenH264 2.4.1"],
    [{ major: 2, minor: 2, revision: 0, soname: "libopenh264.so.6" }, "x86_64", "2.2.0"],
    [{ major: 2, minor: 3, revision: 1, soname: "libopenh264.so.6" }, "x86_64", "libopenh264.so.6"],
    [{ major: 2, minor: 3, revision: 1, soname: "libopenh264.so.7" }, "aarch64", "on aarch64"],
  ] as const;
  for (const [loaded, arch, words] of cases) {
    assert.throws(
      () => openh264AbiFor(loaded, arch),
      (e: Error) =>
        e.message.startsWith("H.264 encoding is off") && e.message.includes(words) &&
        e.message.includes("it supports OpenH264 2.3 (x86_64)"),
      `${loaded.soname} ${loaded.major}.${loaded.minor} ${arch}`,
    );
  }
});

Deno.test("every OpenH264 table's fields lie inside their structs, 4-byte fields aligned", () => {
  for (const abi of OPENH264_ABIS) {
    const inside = (group: Record<string, number>, size: number, what: string) => {
      for (const [name, at] of Object.entries(group)) {
        assert.ok(at >= 0 && at + 1 <= size, `${abi.name} ${what}.${name} @${at} of ${size}`);
      }
    };
    inside(abi.param, abi.sizes.encParamExt, "SEncParamExt");
    inside(abi.layer, abi.sizes.spatialLayer, "SSpatialLayerConfig");
    inside(abi.source, abi.sizes.sourcePicture, "SSourcePicture");
    inside(abi.frame, abi.sizes.frameBsInfo, "SFrameBSInfo");
    inside(abi.bsLayer, abi.sizes.layerBsInfo, "SLayerBSInfo");
    inside(abi.decodingParam, abi.sizes.decodingParam, "SDecodingParam");
    inside(abi.bufferInfo, abi.sizes.bufferInfo, "SBufferInfo");
    // Four spatial layers fit between sSpatialLayers and the field after them.
    assert.equal(abi.param.sSpatialLayers + 4 * abi.sizes.spatialLayer, abi.param.iComplexityMode);
    // SLayerBSInfo[128] fills SFrameBSInfo up to eFrameType.
    assert.equal(abi.frame.sLayerInfo + 128 * abi.sizes.layerBsInfo, abi.frame.eFrameType);
    for (const p of [abi.source.pData, abi.bsLayer.pBsBuf, abi.bufferInfo.pDst]) {
      assert.equal(p % 8, 0, `pointer field @${p} aligned`);
    }
  }
});

Deno.test({
  name:
    "the load-time check accepts the installed OpenH264 and names a field a wrong table misplaces",
  ignore: !loadable,
  fn() {
    const libs = loadH264Libs();
    assert.match(libs.version, /^2\.3\.\d+$/);
    checkOpenH264Layout(libs); // the real table: no error
    const moved = { ...libs.abi, param: { ...libs.abi.param, iMaxQp: libs.abi.param.iMaxQp + 4 } };
    assert.throws(
      () => checkOpenH264Layout({ ...libs, abi: moved }),
      /iMaxQp default 0, expected 51/,
    );
    const small = { ...libs.abi, sizes: { ...libs.abi.sizes, encParamExt: 900 } };
    assert.throws(
      () => checkOpenH264Layout({ ...libs, abi: small }),
      /SEncParamExt is larger than OpenH264 2.3 \(x86_64\)'s 900 bytes/,
    );
  },
});
