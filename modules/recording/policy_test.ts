import assert from "node:assert/strict";
import { decideRecording, offersRecordButton, RECORDING_POLICIES } from "./policy.ts";

const TABLE = [
  // policy, action, permitted → refusal
  ["off", "start", true, "off"],
  ["off", "stop", true, "off"],
  ["off", "start", false, "off"],
  ["optional", "start", true, null],
  ["optional", "stop", true, null],
  ["optional", "start", false, "permission"],
  ["optional", "stop", false, "permission"],
  ["always", "start", true, "always"],
  ["always", "stop", true, "always"],
  ["always", "stop", false, "always"],
] as const;

Deno.test("decideRecording() follows the policy table row by row", () => {
  for (const [policy, action, permitted, refusal] of TABLE) {
    assert.equal(decideRecording(policy, action, permitted), refusal, `${policy} ${action}`);
  }
  for (const policy of RECORDING_POLICIES) {
    assert.ok(TABLE.some(([p]) => p === policy), `${policy} is in the table`);
  }
});

Deno.test("offersRecordButton() only for optional with the permission", () => {
  assert.equal(offersRecordButton("optional", true), true);
  assert.equal(offersRecordButton("optional", false), false);
  assert.equal(offersRecordButton("always", true), false);
  assert.equal(offersRecordButton("off", true), false);
});
