/**
 * The cluster bench's core, shared by `deno task bench:cluster` and its test: one run per
 * instance count (run.ts), one after another on a fresh database each, then the report.
 */
import { measureRelay } from "../bench_relay/measure.ts";
import { report } from "./report.ts";
import { runInstances, type RunResult } from "./run.ts";

export interface BenchOptions {
  instances: number[];
  consoles: number;
  sessions: number;
  starts: number;
  rate: number;
  groupSize?: number;
  workers?: number;
  windowMs?: number;
  /** The PostgreSQL server to create the runs' databases on (any database URL on it). */
  databaseUrl?: string;
  /** Viewer moves per path for the relayed-remote-view figure (helper of bench:relay). */
  relayMessages?: number;
  progress?: (message: string) => void;
}

/** DATABASE_URL's server (its `postgres` database), or the local server's. */
export function adminUrl(databaseUrl = Deno.env.get("DATABASE_URL")): string {
  const url = new URL(databaseUrl || "postgres://postgres@127.0.0.1:5432/postgres");
  url.pathname = "/postgres";
  return url.toString();
}

async function loadAverage(): Promise<string> {
  try {
    return (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
  } catch {
    return "?";
  }
}

export async function runBench(o: BenchOptions): Promise<{
  results: RunResult[];
  header: string;
  tables: Record<string, unknown>[][];
  text: string[];
}> {
  const groupSize = o.groupSize ?? 50;
  const loadBefore = await loadAverage();
  const results: RunResult[] = [];
  const started = performance.now();
  for (const instances of o.instances) {
    results.push(
      await runInstances({
        instances,
        consoles: o.consoles,
        groupSize,
        sessions: o.sessions,
        starts: o.starts,
        rate: o.rate,
        windowMs: o.windowMs ?? 5_000,
        workers: o.workers ?? 2,
        adminUrl: adminUrl(o.databaseUrl),
        relay: (urls, databaseUrl) =>
          measureRelay(urls, databaseUrl, { messages: o.relayMessages ?? 500 }),
        progress: o.progress ?? (() => {}),
      }),
    );
  }
  const groups = Math.ceil(o.consoles / groupSize);
  const header = [
    `bench:cluster — ${o.consoles} consoles = ${o.consoles} technicians (one browser session ` +
    `each) in ${groups} groups of ${groupSize}, each group serving its own channel; ` +
    `${o.sessions} Waiting sessions spread over the channels.`,
    `Console i is on instance i mod N, so every group spans every instance; changes are ` +
    `made on the instances in turn, ${o.rate}/s: Starts (seen by the group's ${groupSize} ` +
    `consoles), Holds and Resumes (seen by the technician's own console), new customers ` +
    `through the channel form whose page's stream opens (→ Waiting, seen by the group). ` +
    `Times from just before the change's request to the console's stream; lost = not seen ` +
    `within ${(o.windowMs ?? 5_000) / 1000} s. Generator lag: how late the bench's own 20 ms ` +
    `timers fired (worker threads p99/max, main thread max) — large values mean the figures ` +
    `include the bench waiting for CPU.`,
    `Machine: ${navigator.hardwareConcurrency} CPUs, load average ${loadBefore} before and ` +
    `${await loadAverage()} after; instances, PostgreSQL and the load generator share it. ` +
    `Took ${((performance.now() - started) / 1000).toFixed(0)} s.`,
  ].join("\n");
  return { results, header, ...report(results) };
}
