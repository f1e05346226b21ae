import assert from "node:assert/strict";
import { reserveCreation } from "./creation_limit.ts";

const limit = { max: 3, windowMs: 60_000 };
const at = (seconds: number) => new Date(Date.UTC(2026, 10, 24, 10, 0, seconds));

Deno.test("reserveCreation() refuses past the limit and names the seconds until a slot frees", () => {
  const owner = {};
  for (const s of [0, 10, 20]) assert.equal(reserveCreation(owner, "u", at(s), limit).ok, true);
  const refused = reserveCreation(owner, "u", at(30), limit);
  assert.deepEqual(refused, { ok: false, retryAfterSeconds: 30 });
  assert.equal(reserveCreation(owner, "other", at(30), limit).ok, true, "per user");
  assert.equal(reserveCreation(owner, "u", at(60), limit).ok, true, "the window slides");
});

Deno.test("reserveCreation() keeps separate windows per owner and gives released slots back", () => {
  const [a, b] = [{}, {}];
  const taken = [0, 1, 2].map((s) => reserveCreation(a, "u", at(s), limit));
  assert.equal(reserveCreation(a, "u", at(3), limit).ok, false);
  assert.equal(reserveCreation(b, "u", at(3), limit).ok, true, "another app's budget");
  const last = taken[2];
  if (last.ok) last.release();
  assert.equal(reserveCreation(a, "u", at(3), limit).ok, true, "released slot is free again");
});
