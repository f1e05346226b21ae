import assert from "node:assert/strict";
import { createLogger } from "../http/mod.ts";
import { MAX_ATTEMPTS, retryDelayMs, startOutboxWorker } from "./delivery.ts";

Deno.test("retryDelayMs() doubles from one minute and stops at an hour", () => {
  const minutes = [1, 2, 3, 4, 5, 6, 7, 8, 20].map((n) => retryDelayMs(n) / 60_000);
  assert.deepEqual(minutes, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
  assert.equal(retryDelayMs(0), 60_000);
  assert.equal(MAX_ATTEMPTS, 8);
});

Deno.test("startOutboxWorker() logs a failed run under its name, never overlaps, and stops", async () => {
  const lines: string[] = [];
  const log = createLogger({}, (line) => lines.push(line));
  let runs = 0;
  let active = 0;
  let overlapped = false;
  const { promise: thirdRun, resolve: reachedThird } = Promise.withResolvers<void>();
  const stop = startOutboxWorker({ log }, {
    name: "pigeon",
    intervalMs: 5,
    deliver: async () => {
      runs++;
      if (++active > 1) overlapped = true;
      try {
        if (runs === 1) throw new RangeError("the loft is closed");
        if (runs === 3) reachedThird();
        await new Promise((resolve) => setTimeout(resolve, 20));
      } finally {
        active--;
      }
    },
  });
  try {
    await thirdRun;
  } finally {
    stop();
  }
  await new Promise((resolve) => setTimeout(resolve, 30));
  const after = runs;
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.equal(runs, after, "no run after stop()");
  assert.equal(overlapped, false);
  const failures = lines.map((l) => JSON.parse(l)).filter((l) => l.level === "error");
  assert.equal(failures.length, 1);
  assert.equal(failures[0].msg, "pigeon worker failed");
  assert.equal(failures[0].error, "RangeError: the loft is closed");
});
