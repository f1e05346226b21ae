import assert from "node:assert/strict";
import {
  isSessionOutcome,
  outcomeOfCustomerLeaving,
  outcomeOfDeadline,
  SESSION_OUTCOMES,
} from "./outcomes.ts";
import { DEADLINES } from "./deadlines.ts";

Deno.test("outcomeOfDeadline() names the two never-started cases and times out the rest", () => {
  const kinds = new Set(Object.values(DEADLINES).flat().map((rule) => rule.kind));
  for (const kind of kinds) {
    const outcome = outcomeOfDeadline(kind);
    assert.equal(isSessionOutcome(outcome), true, kind);
    const expected = kind === "connecting_timeout" || kind === "waiting_timeout"
      ? kind
      : "timed_out";
    assert.equal(outcome, expected, kind);
  }
});

Deno.test("outcomeOfCustomerLeaving() tells a waiting customer from one who was helped", () => {
  assert.equal(outcomeOfCustomerLeaving(false), "closed_by_waiting_customer");
  assert.equal(outcomeOfCustomerLeaving(true), "closed_by_customer");
  assert.equal(isSessionOutcome("open"), false);
  assert.equal(new Set(SESSION_OUTCOMES).size, SESSION_OUTCOMES.length);
});
