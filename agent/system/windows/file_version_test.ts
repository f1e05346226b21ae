import assert from "node:assert/strict";
import { fixedFileVersion, versionString } from "./file_version.ts";

Deno.test("versionString(): dwFileVersionMS/LS as four parts", () => {
  assert.equal(versionString(0x000A0000, 0x4A610001), "10.0.19041.1");
  assert.equal(versionString(0xFFFF0001, 0x00020003), "65535.1.2.3");
});

Deno.test("fixedFileVersion(): a VS_FIXEDFILEINFO by its signature, else nothing", () => {
  const block = new Uint8Array(8 + 52);
  const view = new DataView(block.buffer);
  view.setUint32(8, 0xFEEF04BD, true);
  view.setUint32(16, 0x00060001, true); // 6.1
  view.setUint32(20, 0x1DB10000, true); // 7601.0
  assert.equal(fixedFileVersion(block, 8), "6.1.7601.0");
  assert.equal(fixedFileVersion(block, 4), "", "no signature there");
  assert.equal(fixedFileVersion(block, 12), "", "past the end");
  assert.equal(fixedFileVersion(block, -1), "");
});
