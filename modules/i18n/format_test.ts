import assert from "node:assert/strict";
import { formatMoment } from "./format.ts";

const at = new Date("2026-11-24T00:28:00Z");

Deno.test("formatMoment() shows a Dutch clock in 24 hours, never AM/PM", () => {
  assert.equal(formatMoment("nl", at), "00:28");
  assert.doesNotMatch(formatMoment("nl", at, "dateTime"), /AM|PM/);
  assert.match(formatMoment("nl", at, "dateTime"), /24 nov 2026.*00:28/);
});

Deno.test("formatMoment() follows English conventions in English", () => {
  assert.match(formatMoment("en", at), /12:28\sAM/);
  assert.match(formatMoment("en", at, "date"), /Nov 24, 2026/);
});
