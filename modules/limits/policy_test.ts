import assert from "node:assert/strict";
import { slidingVerdict } from "./policy.ts";

const minute = { windowMs: 60_000, max: 30 };

Deno.test("slidingVerdict() allows up to max in one window and names the wait past it", () => {
  assert.deepEqual(slidingVerdict({ prev: 0, current: 29 }, { ...minute, elapsedMs: 30_000 }), {
    ok: true,
  });
  // 30 used by 0:30: the next window starts in 30 s, where 30 × (1 − 2/60) + 1 = 30 fits.
  assert.deepEqual(slidingVerdict({ prev: 0, current: 30 }, { ...minute, elapsedMs: 30_000 }), {
    ok: false,
    retryAfterSeconds: 32,
  });
});

Deno.test("slidingVerdict() weighs the previous window by how much of it still overlaps", () => {
  // 30 in the previous minute, 1 s into this one: 30 × 59/60 + 1 = 30.5 > 30.
  const early = slidingVerdict({ prev: 30, current: 0 }, { ...minute, elapsedMs: 1_000 });
  assert.deepEqual(early, { ok: false, retryAfterSeconds: 1 });
  assert.equal(slidingVerdict({ prev: 30, current: 0 }, { ...minute, elapsedMs: 2_000 }).ok, true);
  // Half-way through, half of the previous window still counts.
  assert.equal(slidingVerdict({ prev: 40, current: 9 }, { ...minute, elapsedMs: 30_000 }).ok, true);
  assert.deepEqual(slidingVerdict({ prev: 40, current: 10 }, { ...minute, elapsedMs: 30_000 }), {
    ok: false,
    retryAfterSeconds: 2, // 40 × (1 − t/60) ≤ 19 → t ≥ 31.5 s
  });
});

Deno.test("slidingVerdict() with a budget of one: free only after a whole quiet window", () => {
  const hour = { windowMs: 3_600_000, max: 1 };
  assert.equal(slidingVerdict({ prev: 0, current: 0 }, { ...hour, elapsedMs: 10 }).ok, true);
  assert.equal(slidingVerdict({ prev: 0, current: 1 }, { ...hour, elapsedMs: 10 }).ok, false);
  assert.equal(
    slidingVerdict({ prev: 1, current: 0 }, { ...hour, elapsedMs: 3_599_000 }).ok,
    false,
  );
});
