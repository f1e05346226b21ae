// `deno task bench:bus [events] [burst]`: what the live hub's bus over PostgreSQL
// LISTEN/NOTIFY costs. Two LiveHubs, each on its own database client (as two instances
// are), connected to the bus on one PostgreSQL database (DATABASE_URL, or a fresh database
// on postgres://postgres@127.0.0.1:5432 that is dropped at the end). Measures, against the
// in-process hub in the same run:
// - latency: `events` events published on A one at a time, each timed until B's listener
//   has it (median / p95 / p99);
// - throughput: `burst` events published on A at once, until B's listener has them all;
// - recovery: the LISTEN backends terminated, time until B listens again (its resync);
// - for scale, one `select 1` round trip on the same client (the floor under any bus).
import { sql } from "drizzle-orm";
import { openDatabase } from "../modules/db/mod.ts";
import { type LiveEvent, LiveHub } from "../modules/live/mod.ts";

const [events = 2_000, burst = 20_000] = Deno.args.map(Number);
const SERVER = Deno.env.get("RESCUE_TEST_PG_SERVER") ?? "postgres://postgres@127.0.0.1:5432";
const ORG = "bench-org";

function progress(message: string) {
  console.error(`[bench:bus] ${message}`);
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** A receiving listener that resolves the waiter of event number `sessionId`. */
function receiver(hub: LiveHub) {
  const waiting = new Map<string, () => void>();
  let count = 0;
  let onCount: (() => void) | undefined;
  let target = 0;
  hub.subscribe(ORG, (event: LiveEvent) => {
    if (event.kind !== "session") return;
    count++;
    waiting.get(event.sessionId)?.();
    waiting.delete(event.sessionId);
    if (onCount && count >= target) onCount();
  });
  return {
    next: (id: string) => new Promise<void>((resolve) => waiting.set(id, resolve)),
    reach: (n: number) =>
      new Promise<void>((resolve) => {
        count = 0;
        target = n;
        onCount = resolve;
      }),
  };
}

async function measure(from: LiveHub, to: LiveHub, label: string) {
  const rx = receiver(to);
  const publish = (i: number) =>
    from.publish({ kind: "session", orgId: ORG, sessionId: `${label}-${i}` });
  // Warm-up: connections, JIT.
  for (let i = 0; i < 200; i++) {
    const got = rx.next(`${label}-w${i}`);
    from.publish({ kind: "session", orgId: ORG, sessionId: `${label}-w${i}` });
    await got;
  }
  const latencies: number[] = [];
  for (let i = 0; i < events; i++) {
    const got = rx.next(`${label}-${i}`);
    const start = performance.now();
    publish(i);
    await got;
    latencies.push(performance.now() - start);
  }
  latencies.sort((a, b) => a - b);
  const all = rx.reach(burst);
  const start = performance.now();
  for (let i = 0; i < burst; i++) publish(events + i);
  await all;
  const seconds = (performance.now() - start) / 1000;
  return {
    p50: quantile(latencies, 0.5),
    p95: quantile(latencies, 0.95),
    p99: quantile(latencies, 0.99),
    perSecond: burst / seconds,
  };
}

async function main() {
  let databaseUrl = Deno.env.get("DATABASE_URL");
  let drop: (() => Promise<void>) | undefined;
  const { default: postgres } = await import("postgres");
  if (!databaseUrl) {
    const name = `rescue_bench_bus_${crypto.randomUUID().slice(0, 8)}`;
    const admin = postgres(`${SERVER}/postgres`, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    databaseUrl = `${SERVER}/${name}`;
    drop = async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    };
  }
  const dataDir = await Deno.makeTempDir({ prefix: "rescue-bench-bus-" });
  try {
    progress(`database ${new URL(databaseUrl).pathname.slice(1)}; ${events} timed, burst ${burst}`);
    const [dbA, dbB] = [
      await openDatabase({ databaseUrl, dataDir }),
      await openDatabase({ databaseUrl, dataDir }),
    ];
    const a = new LiveHub();
    const b = new LiveHub();
    const warnings: string[] = [];
    const warn = (message: string) => void warnings.push(message);
    const stopA = await a.connectBus(dbA.notifications!, { instanceId: "A", warn });
    const stopB = await b.connectBus(dbB.notifications!, { instanceId: "B", warn });

    const local = new LiveHub();
    progress("in-process hub");
    const inProcess = await measure(local, local, "local");
    progress("bus A → B");
    const bus = await measure(a, b, "bus");
    progress("select 1");
    const trips: number[] = [];
    for (let i = 0; i < events; i++) {
      const start = performance.now();
      await dbA.db.execute(sql`select 1`);
      trips.push(performance.now() - start);
    }
    trips.sort((x, y) => x - y);
    const roundTrip = {
      p50: quantile(trips, 0.5),
      p95: quantile(trips, 0.95),
      p99: quantile(trips, 0.99),
      perSecond: NaN,
    };

    // Recovery: the LISTEN backends die; B's resync says it listens again.
    const resynced = new Promise<void>((resolve) =>
      b.subscribe(ORG, (e) => e.kind === "resync" && resolve())
    );
    const killer = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    const killedAt = performance.now();
    await killer`select pg_terminate_backend(pid) from pg_stat_activity
      where datname = current_database() and query ilike 'listen%'`;
    await resynced;
    const recoveryMs = performance.now() - killedAt;
    await killer.end();

    await stopA();
    await stopB();
    await dbA.close();
    await dbB.close();

    const row = (name: string, r: typeof bus) =>
      `${name.padEnd(22)} ${r.p50.toFixed(3).padStart(9)} ${r.p95.toFixed(3).padStart(9)} ${
        r.p99.toFixed(3).padStart(9)
      } ${Math.round(r.perSecond).toLocaleString("en").padStart(12)}`;
    console.log(`\nLive hub: publish → delivery (${events} timed one at a time, burst ${burst})`);
    console.log(
      `${"".padEnd(22)} ${"p50 ms".padStart(9)} ${"p95 ms".padStart(9)} ${"p99 ms".padStart(9)} ${
        "events/s".padStart(12)
      }`,
    );
    console.log(row("in-process hub", inProcess));
    console.log(row("bus A → B (NOTIFY)", bus));
    console.log(row("select 1 round trip", roundTrip).replace(/NaN$/, "   —"));
    console.log(`LISTEN backends terminated → B listening again: ${recoveryMs.toFixed(0)} ms`);
    console.log(`bus warnings: ${warnings.length} (expected 4: A and B lost, A and B back)`);
    const load = Deno.loadavg()[0].toFixed(1);
    console.log(`load average ${load} on ${navigator.hardwareConcurrency} CPUs`);
    console.log(JSON.stringify({ inProcess, bus, roundTrip, recoveryMs, load: Number(load) }));
  } finally {
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    await drop?.();
  }
}

await main();
