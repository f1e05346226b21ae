import assert from "node:assert/strict";
import { autoPreset } from "./quality.ts";

Deno.test("autoPreset() is normal while nothing is measured", () => {
  assert.equal(autoPreset([]), "normal");
  assert.equal(autoPreset([null, {}]), "normal");
});

Deno.test("autoPreset() steps down with the best viewer's bitrate", () => {
  assert.equal(autoPreset([{ estimatedBitrate: 8_000_000, roundTripMs: 20 }]), "high");
  assert.equal(autoPreset([{ estimatedBitrate: 2_000_000, roundTripMs: 20 }]), "normal");
  assert.equal(autoPreset([{ estimatedBitrate: 600_000 }]), "low");
  assert.equal(autoPreset([{ estimatedBitrate: 100_000 }]), "greyscale");
});

Deno.test("autoPreset() keeps high for a short round trip only", () => {
  assert.equal(autoPreset([{ estimatedBitrate: 8_000_000, roundTripMs: 120 }]), "normal");
});

Deno.test("autoPreset() follows the best-connected viewer, not the slowest", () => {
  const slow = { estimatedBitrate: 100_000, roundTripMs: 300 };
  const fast = { estimatedBitrate: 7_000_000, roundTripMs: 30 };
  assert.equal(autoPreset([slow, null, fast]), "high");
});
