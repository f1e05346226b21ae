// Which zones the hourly rollups fit: whole-hour offsets only, across the whole period.
import assert from "node:assert/strict";
import { rollupsFit } from "./facts.ts";

Deno.test("rollupsFit() takes the rollups for whole-hour zones and the direct path for :30 and :45", () => {
  const year = { fromDay: "2026-01-01", toDay: "2027-01-01" };
  assert.equal(rollupsFit({ ...year, tz: "UTC" }), true);
  assert.equal(rollupsFit({ ...year, tz: "Europe/Amsterdam" }), true);
  assert.equal(rollupsFit({ ...year, tz: "America/New_York" }), true);
  assert.equal(rollupsFit({ ...year, tz: "Asia/Kolkata" }), false);
  assert.equal(rollupsFit({ ...year, tz: "Asia/Kathmandu" }), false);
  // Lord Howe Island moves half an hour: +10:30 in winter, +11 in summer.
  assert.equal(
    rollupsFit({ fromDay: "2026-12-01", toDay: "2026-12-02", tz: "Australia/Lord_Howe" }),
    true,
  );
  assert.equal(rollupsFit({ ...year, tz: "Australia/Lord_Howe" }), false);
});
