import assert from "node:assert/strict";
import { threadCpuClock } from "./thread_cpu.ts";

Deno.test("the thread's CPU clock counts work, not sleep", async () => {
  const clock = threadCpuClock();
  if (Deno.build.os !== "linux") return assert.equal(clock, null);
  assert.ok(clock, "Linux has CLOCK_THREAD_CPUTIME_ID");
  const a = clock();
  await new Promise((r) => setTimeout(r, 200));
  const slept = clock() - a;
  // Work until the clock says 50 ms (a loaded machine gives this thread less of each wall
  // millisecond, so a fixed wall time proves nothing); it must get there, and never run ahead
  // of the wall clock.
  const b = clock();
  const wallStart = performance.now();
  let x = 0;
  while (clock() - b < 50 && performance.now() - wallStart < 10_000) {
    for (let i = 0; i < 10_000; i++) x += Math.sqrt(x + 1);
  }
  const worked = clock() - b;
  const wall = performance.now() - wallStart;
  assert.ok(slept < 50, `sleeping 200 ms used ${slept} ms of CPU`);
  assert.ok(worked >= 50, `work counted ${worked} ms in ${wall} ms of wall time (${x > 0})`);
  assert.ok(worked <= wall + 5, `${worked} ms of CPU in ${wall} ms of wall time`);
});
