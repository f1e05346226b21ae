import assert from "node:assert/strict";
import { threadCpuClock } from "./thread_cpu.ts";

Deno.test("the thread's CPU clock counts work, not sleep", async () => {
  const clock = threadCpuClock();
  if (Deno.build.os !== "linux") return assert.equal(clock, null);
  assert.ok(clock, "Linux has CLOCK_THREAD_CPUTIME_ID");
  const a = clock();
  await new Promise((r) => setTimeout(r, 200));
  const slept = clock() - a;
  const b = clock();
  let x = 0;
  const until = performance.now() + 100;
  while (performance.now() < until) x += Math.sqrt(x + 1);
  const worked = clock() - b;
  assert.ok(slept < 50, `sleeping 200 ms used ${slept} ms of CPU`);
  assert.ok(worked > 50, `100 ms of work counted ${worked} ms (${x > 0})`);
});
