// `deno task bench:relay [--messages=N] [--block=N]`: what relaying a viewer to the agent's home
// instance adds (issue 15). Two real instances (tools/cluster/harness.ts) on a fresh
// PostgreSQL database (created on DATABASE_URL's server, or postgres://postgres@127.0.0.1:5432,
// and dropped after); a fake support app on instance A; the same technician's viewer on A
// (local) and on B (relayed to A) send pointer moves in alternating blocks; the time from the
// viewer's send to the agent receiving the move is measured for each. Prints p50/p95/p99 of
// both paths and what the relay adds (target: ≤ 5 ms at the median). The measuring itself is
// `measureRelay` (tools/bench_relay/measure.ts), which bench:cluster calls as well.
import { freshDatabase, startCluster } from "./cluster/harness.ts";
import { measureRelay, quantile, type RelayFigures } from "./bench_relay/measure.ts";

export { measureRelay, quantile, type RelayFigures };

/** The lines that report `figures`. */
export function relayReport(figures: RelayFigures): string[] {
  const ms = (n: number) => `${n.toFixed(2)} ms`;
  const row = (name: string, values: number[]) =>
    `${name.padEnd(28)} p50 ${ms(quantile(values, 0.5))}  p95 ${ms(quantile(values, 0.95))}  ` +
    `p99 ${ms(quantile(values, 0.99))}  (${values.length} moves)`;
  const added = (q: number) => quantile(figures.relayed, q) - quantile(figures.local, q);
  return [
    row("same instance as the agent", figures.local),
    row("relayed to the agent's home", figures.relayed),
    `added by the relay: p50 ${ms(added(0.5))}, p95 ${ms(added(0.95))} ` +
    `(target ≤ 5 ms at the median: ${added(0.5) <= 5 ? "met" : "NOT met"})`,
  ];
}

if (import.meta.main) {
  const flags = new Map(
    Deno.args.map((a) => a.replace(/^--/, "").split("=") as [string, string | undefined]),
  );
  const server = new URL(Deno.env.get("DATABASE_URL") || "postgres://postgres@127.0.0.1:5432");
  server.pathname = "/postgres";
  const database = await freshDatabase(server.href, "rescue_bench_relay");
  try {
    const cluster = await startCluster({ instances: 2, databaseUrl: database.url });
    try {
      const figures = await measureRelay(
        cluster.instances.map((i) => i.url),
        database.url,
        {
          messages: Number(flags.get("messages") ?? 500),
          block: Number(flags.get("block") ?? 50),
        },
      );
      console.log("bench:relay — viewer input → the support app, one move at a time");
      for (const line of relayReport(figures)) console.log(line);
    } finally {
      await cluster.stop();
    }
  } finally {
    await database.drop();
  }
}
