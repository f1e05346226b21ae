import assert from "node:assert/strict";
import { shouldSkip } from "./relay.ts";

Deno.test("a viewer skips a frame only when over its REMB budget and its link is congested", () => {
  const frame = { keyframe: false, overBudget: true };
  // Over budget on a clean, quick link: REMB lags behind a burst, the frame still goes.
  assert.equal(shouldSkip({ ...frame, fractionLost: 0, rttMs: 3 }), false);
  assert.equal(shouldSkip(frame), false, "no reports yet");
  // Over budget with loss or a long round trip: skip to the next keyframe.
  assert.equal(shouldSkip({ ...frame, fractionLost: 0.1, rttMs: 3 }), true);
  assert.equal(shouldSkip({ ...frame, fractionLost: 0, rttMs: 400 }), true);
  // Within budget, or a keyframe: always sent.
  assert.equal(shouldSkip({ ...frame, overBudget: false, fractionLost: 0.5, rttMs: 900 }), false);
  assert.equal(shouldSkip({ ...frame, keyframe: true, fractionLost: 0.5, rttMs: 900 }), false);
});
