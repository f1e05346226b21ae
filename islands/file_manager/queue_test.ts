import assert from "node:assert/strict";
import { type JobContext, TransferQueue } from "./queue.ts";
import { queueLimits } from "./actions.ts";

function controlled() {
  const started: { ctx: JobContext; done: PromiseWithResolvers<string> }[] = [];
  const run = (ctx: JobContext) => {
    const done = Promise.withResolvers<string>();
    ctx.signal.addEventListener("abort", () => done.reject(new Error("aborted")));
    started.push({ ctx, done });
    return done.promise;
  };
  return { started, run };
}

Deno.test("TransferQueue runs at most `concurrency` jobs, in order, and reports each ending", async () => {
  let changes = 0;
  const queue = new TransferQueue({ concurrency: 2, changed: () => changes++ });
  const { started, run } = controlled();
  const a = queue.add({ direction: "down", label: "a", size: 10 }, run);
  queue.add({ direction: "down", label: "b", size: 10 }, run);
  const c = queue.add({ direction: "up", label: "c", size: 10 }, run);
  assert.equal(started.length, 2);
  assert.deepEqual(queue.jobs.map((j) => j.state), ["running", "running", "queued"]);
  started[0].ctx.progress(4);
  assert.equal(queue.totals().bytesDone, 4);
  started[0].done.resolve("abc");
  const finished = await a;
  assert.equal(finished.state, "done");
  assert.equal(finished.sha256, "abc");
  assert.equal(started.length, 3, "the third starts when one ends");
  started[2].done.reject(new Error("disk full"));
  const failed = await c;
  assert.equal(failed.state, "failed");
  assert.equal(failed.error, "disk full");
  assert.ok(changes > 5);
  const totals = queue.totals();
  assert.deepEqual([totals.files, totals.filesDone, totals.failed], [3, 1, 1]);
});

Deno.test("TransferQueue cancels a waiting job at once and a running one through its signal", async () => {
  const queue = new TransferQueue({ concurrency: 1, changed: () => {} });
  const { started, run } = controlled();
  const first = queue.add({ direction: "down", label: "a", size: 10 }, run);
  const second = queue.add({ direction: "down", label: "b", size: 10 }, run);
  queue.cancel(2);
  assert.equal((await second).state, "cancelled");
  assert.ok(!started[0].ctx.signal.aborted);
  queue.cancel(1);
  assert.equal((await first).state, "cancelled");
  assert.equal(started.length, 1, "a cancelled job never starts");
  queue.clearFinished();
  assert.equal(queue.jobs.length, 0);
});

Deno.test("TransferQueue gives the rate over the last seconds and the time left", () => {
  let now = 0;
  const queue = new TransferQueue({ concurrency: 1, changed: () => {}, now: () => now });
  const { started, run } = controlled();
  queue.add({ direction: "up", label: "big", size: 1_000_000 }, run);
  for (let second = 1; second <= 5; second++) {
    now = second * 1000;
    started[0].ctx.progress(second * 100_000);
  }
  const totals = queue.totals();
  assert.equal(Math.round(totals.rate), 100_000);
  assert.equal(Math.round(totals.secondsLeft!), 5);
});

Deno.test("TransferQueue's rate falls to nothing and the time left goes once no bytes come", () => {
  let now = 0;
  const queue = new TransferQueue({ concurrency: 1, changed: () => {}, now: () => now });
  const { started, run } = controlled();
  queue.add({ direction: "down", label: "big", size: 1_000_000 }, run);
  for (let second = 1; second <= 3; second++) {
    now = second * 1000;
    started[0].ctx.progress(second * 100_000);
  }
  assert.equal(Math.round(queue.totals().rate), 100_000);
  // The customer's computer went away mid-file: the job still runs (the server waits for it to
  // come back), and the panel must not go on saying 100 kB/s and a few seconds left.
  now = 4_500;
  assert.ok(queue.totals().rate < 100_000, "slowing as the stall lasts");
  now = 7_000;
  const stalled = queue.totals();
  assert.equal(stalled.rate, 0);
  assert.equal(stalled.secondsLeft, null);
  // Bytes again: a rate again.
  now = 8_000;
  started[0].ctx.progress(400_000);
  now = 9_000;
  started[0].ctx.progress(500_000);
  assert.ok(queue.totals().rate > 0);
});

Deno.test("the file manager runs one download at a time over HTTP/1.1, uploads beside it", () => {
  // Each running download holds its data request: over HTTP/1.1 the browser has six
  // connections per server for every window, and three downloads left the console none.
  const limits = queueLimits("http/1.1");
  assert.deepEqual(limits, { concurrency: 3, downloads: 1 });
  assert.deepEqual(queueLimits("h2").downloads, 3, "HTTP/2 shares one connection");
  const queue = new TransferQueue({ ...limits, changed: () => {} });
  const { started, run } = controlled();
  queue.add({ direction: "down", label: "a", size: 10 }, run);
  queue.add({ direction: "down", label: "b", size: 10 }, run);
  queue.add({ direction: "up", label: "c", size: 10 }, run);
  queue.add({ direction: "down", label: "d", size: 10 }, run);
  assert.deepEqual(queue.jobs.map((j) => j.state), ["running", "queued", "running", "queued"]);
  started[0].done.resolve("abc");
  return Promise.resolve().then(async () => {
    await new Promise((r) => setTimeout(r, 0));
    assert.deepEqual(queue.jobs.map((j) => j.state), ["done", "running", "running", "queued"]);
  });
});
