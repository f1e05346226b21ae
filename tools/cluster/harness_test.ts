// The harness itself, on PostgreSQL: two real instances behind HAProxy answer in turn, and a
// SIGKILLed one is taken out by the health checks (about a second; checked against 30 s).
import assert from "node:assert/strict";
import { type Cluster, freshDatabase, startCluster } from "./harness.ts";

const DATABASE_URL = Deno.env.get("DATABASE_URL");

Deno.test({
  name: "harness: two instances behind HAProxy, round-robin; a killed one is taken out",
  ignore: !DATABASE_URL,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const db = await freshDatabase(DATABASE_URL!);
    const started: { cluster?: Cluster } = {};
    try {
      const cluster = started.cluster = await startCluster({
        instances: 2,
        databaseUrl: db.url,
        lb: true,
      });
      const [a, b] = cluster.instances;
      assert.notEqual(a.id, b.id);
      const answered = async (n: number) => {
        const ids: string[] = [];
        for (let i = 0; i < n; i++) {
          const res = await fetch(`${cluster.lbUrl}/healthz`);
          assert.equal(res.status, 200);
          ids.push((await res.json()).instance);
        }
        return ids;
      };
      const ids = await answered(4);
      assert.equal(new Set(ids).size, 2, "round-robin: both instances answer");
      assert.notEqual(ids[0], ids[1], "no stickiness: turns alternate");

      const killedAt = performance.now();
      b.kill("SIGKILL");
      await b.exited;
      // Every request through the balancer is answered (retried elsewhere) meanwhile…
      for (const id of await answered(10)) assert.equal(id, a.id);
      // …and the health checks take the dead one out: two failed checks 500 ms apart, about a
      // second, where without them it would stay in for good. The bound sits far from both,
      // so a loaded machine's stall (3 s was the bound before) cannot read as a miss; the
      // log line says a failed health check did it.
      let log = "";
      while (!(log = await Deno.readTextFile(cluster.lbLogFile!)).includes("app2 is DOWN")) {
        assert.ok(performance.now() - killedAt < 30_000, "HAProxy took the dead instance out");
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.match(log, /app2 is DOWN, reason: Layer4 connection problem/, "by a health check");
      console.log(
        `  out of the balancer ${Math.round(performance.now() - killedAt)} ms after the kill`,
      );
    } finally {
      await started.cluster?.stop();
      await db.drop();
    }
  },
});
