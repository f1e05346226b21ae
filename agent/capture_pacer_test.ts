// The capture loop's pacing (capture_pacer.ts), on a virtual clock: a jittery 60 Hz page gets
// every frame grabbed, a faster source is held to 60 a second on average, two grabs are never
// closer than the minimum gap.
import assert from "node:assert/strict";
import { CapturePacer, MAX_RATE } from "./capture_pacer.ts";

/**
 * The damage loop on a virtual clock: paints at `paints` (ms), each grab takes `workMs`; a
 * grab takes every paint up to its time. Returns the grab times.
 */
function run(paints: number[], workMs: number): number[] {
  const pacer = new CapturePacer();
  const grabs: number[] = [];
  let now = 0, next = 0;
  while (next < paints.length) {
    now = Math.max(now, paints[next]); // wait for damage
    now += pacer.waitMs(now); // paced
    pacer.grabbed(now);
    grabs.push(now);
    while (next < paints.length && paints[next] <= now) next++; // this grab shows them all
    now += workMs;
  }
  return grabs;
}

/** A 60 Hz page whose paints come early and late by up to `jitter` ms (deterministic). */
function jittery60(seconds: number, jitter: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < 60 * seconds; i++) {
    out.push(1000 + i * 1000 / 60 + jitter * Math.sin(i * 2.1) * (i % 3 === 0 ? 1 : -0.6));
  }
  return out.sort((a, b) => a - b);
}

Deno.test("a jittery 60 Hz page gets every paint grabbed on its own", () => {
  const paints = jittery60(5, 6);
  const grabs = run(paints, 12);
  // Every paint has its own grab (none merged into the next one).
  assert.equal(grabs.length, paints.length, `${grabs.length} grabs of ${paints.length} paints`);
});

Deno.test("a source faster than 60 Hz is grabbed at most 60 times a second on average", () => {
  const paints = Array.from({ length: 5_000 }, (_, i) => 1000 + i); // 1,000 paints a second
  const grabs = run(paints, 2);
  const seconds = (grabs.at(-1)! - grabs[0]) / 1000;
  const rate = (grabs.length - 1) / seconds;
  assert.ok(rate <= MAX_RATE + 0.5 && rate > MAX_RATE - 2, `${rate.toFixed(1)} grabs a second`);
});

Deno.test("two grabs are never closer than the minimum gap, even with credit", () => {
  const paints = Array.from({ length: 200 }, (_, i) => 1000 + i * 3);
  const grabs = run(paints, 0);
  const gaps = grabs.slice(1).map((t, i) => t - grabs[i]);
  assert.ok(Math.min(...gaps) >= 8, `smallest gap ${Math.min(...gaps)} ms`);
});

Deno.test("a still screen's first change is grabbed at once", () => {
  const pacer = new CapturePacer();
  pacer.grabbed(0);
  assert.equal(pacer.waitMs(5_000), 0);
  pacer.grabbed(5_000);
  assert.equal(pacer.waitMs(5_020), 0, "credit left for a second frame 20 ms later");
});
