// The cluster bench's core on tiny numbers, so `deno task bench:cluster` does not rot: one
// and two real instances on fresh PostgreSQL databases, 6 consoles in groups of 3, every
// kind of change measured, nothing lost on either — a change made on one instance reaches
// the consoles on the other (the live hub over LISTEN/NOTIFY); the relayed remote view is
// measured at two. PostgreSQL only (DATABASE_URL).
import assert from "node:assert/strict";
import { runBench } from "./bench_cluster/bench.ts";

Deno.test({
  name: "bench:cluster core: 1 and 2 instances, every change seen by its consoles, none lost",
  ignore: !Deno.env.get("DATABASE_URL"),
  // Worker threads, child processes and their streams end with the run, after the test's ops.
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const { results, tables, text } = await runBench({
      instances: [1, 2],
      consoles: 6,
      groupSize: 3,
      sessions: 12,
      starts: 4,
      rate: 20,
      workers: 1,
      relayMessages: 20,
    });
    assert.equal(results.length, 2);
    for (const r of results) {
      assert.deepEqual(r.failed, [], `${r.instances}: every change accepted`);
      const kinds = new Set(r.outcomes.map((o) => o.kind));
      assert.deepEqual([...kinds].sort(), ["hold", "resume", "start", "waiting"]);
      for (const o of r.outcomes) {
        assert.equal(o.expected, o.kind === "hold" || o.kind === "resume" ? 1 : 3, o.kind);
      }
      const lost = r.outcomes.reduce((n, o) => n + o.lost, 0);
      assert.equal(lost, 0, `${r.instances} instance(s): ${lost} deliveries lost`);
      assert.equal(r.cpu.length, r.instances);
      assert.ok(r.cpu.every((c) => c.total > 0), "CPU time read for every instance");
    }
    const relay = results[1].relay;
    assert.ok(relay && relay.local.length === 20 && relay.relayed.length === 20, relay?.note);
    assert.equal(results[0].relay, undefined, "no relay with one instance");
    assert.equal(tables[0].length, 2);
    assert.ok(text.some((line) => line.startsWith("target p95 < 200 ms")));
  },
});
