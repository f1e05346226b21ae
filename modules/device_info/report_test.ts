import assert from "node:assert/strict";
import { parseDeviceReport } from "./report.ts";

const GOOD = {
  hints: null,
  battery: { level: 0.42, charging: false, chargingTime: null, dischargingTime: 5400 },
  network: null,
  online: true,
  screen: {
    width: 390,
    height: 844,
    pixelRatio: 3,
    orientation: null,
    angle: null,
    touchPoints: 5,
    viewportWidth: 390,
    viewportHeight: 700,
  },
  languages: [],
  timeZone: null,
  memoryGb: null,
  cores: null,
  storage: null,
  serverRttMs: null,
};

Deno.test("parseDeviceReport() takes nulls for what a browser does not expose", () => {
  const parsed = parseDeviceReport(GOOD);
  assert.ok(parsed.ok);
  assert.equal(parsed.report.battery?.dischargingTime, 5400);
});

Deno.test("parseDeviceReport() names the first wrong field", () => {
  const wrong = (patch: Record<string, unknown>) => parseDeviceReport({ ...GOOD, ...patch });
  assert.deepEqual(wrong({ timeZone: "Europe/\u0007Bell" }), { ok: false, field: "timeZone" });
  assert.deepEqual(wrong({ serverRttMs: Infinity }), { ok: false, field: "serverRttMs" });
  assert.deepEqual(wrong({ memoryGb: "8" }), { ok: false, field: "memoryGb" });
  assert.deepEqual(wrong({ languages: Array(21).fill("en") }), { ok: false, field: "languages" });
  assert.deepEqual(wrong({ extra: 1 }), { ok: false, field: "extra" });
  assert.deepEqual(parseDeviceReport({ ...GOOD, screen: undefined }), {
    ok: false,
    field: "screen",
  });
  assert.deepEqual(parseDeviceReport("nonsense"), { ok: false, field: "body" });
});
