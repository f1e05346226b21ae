/**
 * One run of the cluster bench at one instance count: a fresh database, seeded; N real
 * instances (tools/cluster/harness.ts); every technician's console open on instance
 * `i % N`, so each group of consoles spans every instance; then four phases of status
 * changes, each made on the instances in turn — Start of a seeded Waiting session (seen by
 * the 50 consoles of its group: the starter's row turns Active, the others' row goes),
 * Hold and Resume of those sessions (seen by the starter's console), and new customers
 * coming through their channel's form and opening their page (their row reaching Waiting,
 * seen by the group). Returns the deliveries, losses, the generator's lag and each
 * instance's CPU time. The database is dropped and the instances stopped at the end.
 */
import postgres from "postgres";
import type { RelayFigures } from "../bench_relay/measure.ts";
import { startCluster } from "../cluster/harness.ts";
import {
  Browser,
  type Change,
  type ChangeOutcome,
  EventLog,
  outcomes,
  paced,
  wallNow,
} from "./changes.ts";
import { ConsoleFleet, type GeneratorLag } from "./consoles.ts";
import { freshDatabase, seedDatabase } from "./seed.ts";

export interface RunOptions {
  instances: number;
  consoles: number;
  groupSize: number;
  sessions: number;
  /** Starts; Holds and Resumes are each half as many; new arrivals as many as Starts / 2. */
  starts: number;
  /** Changes per second within a phase. */
  rate: number;
  /** A console that has not seen a change this long after it counts it lost. */
  windowMs: number;
  /** Load-generator workers holding the console streams. */
  workers: number;
  /** PostgreSQL URL of a database to create the run's database from (e.g. …/postgres). */
  adminUrl: string;
  /** Optional: measures relayed vs same-instance remote view on the running cluster. */
  relay?: (urls: string[], databaseUrl: string) => Promise<RelayFigures | undefined>;
  progress: (message: string) => void;
}

export interface RunResult {
  instances: number;
  consoles: number;
  sessions: number;
  groupSize: number;
  /** Seconds until every console had its first queue. */
  openSeconds: number;
  outcomes: ChangeOutcome[];
  failed: { kind: string; reason: string }[];
  lag: GeneratorLag & { mainMax: number };
  /** CPU seconds (user + system) each instance used during the whole run, and while measured. */
  cpu: { total: number; measured: number }[];
  relay?: RelayFigures;
}

const TICKS = 100; // Linux USER_HZ, what /proc/<pid>/stat counts in

async function cpuSeconds(pid: number): Promise<number> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return NaN;
  }
}

export async function runInstances(o: RunOptions): Promise<RunResult> {
  const database = await freshDatabase(o.adminUrl, "bench_cluster");
  const cleanups: (() => Promise<void> | void)[] = [database.drop];
  try {
    o.progress(`${o.instances}: seeding ${o.consoles} technicians, ${o.sessions} sessions`);
    const seeded = await seedDatabase(database.url, {
      technicians: o.consoles,
      groupSize: o.groupSize,
      sessions: o.sessions,
    });
    const cluster = await startCluster({
      instances: o.instances,
      databaseUrl: database.url,
      env: { RESCUE_TRUST_PROXY: "1" },
    });
    cleanups.unshift(cluster.stop);
    const urls = cluster.instances.map((i) => i.url);
    const at = (k: number) => urls[k % urls.length];
    o.progress(`${o.instances}: instances up; opening ${o.consoles} consoles`);

    const fleet = new ConsoleFleet(o.workers);
    cleanups.unshift(() => fleet.close());
    const log = new EventLog();
    fleet.onEvent(log.add);
    const opening = performance.now();
    await fleet.open(
      seeded.technicians.map((t) => ({ index: t.index, url: at(t.index), token: t.sessionToken })),
      4,
    );
    const openSeconds = (performance.now() - opening) / 1000;
    o.progress(`${o.instances}: consoles open in ${openSeconds.toFixed(1)} s`);
    await fleet.lag(); // forget the lag of the opening
    let mainMax = 0;
    let expected = performance.now() + 20;
    const lagTimer = setInterval(() => {
      const t = performance.now();
      mainMax = Math.max(mainMax, t - expected);
      expected = t + 20;
    }, 20);
    cleanups.unshift(() => clearInterval(lagTimer));
    const cpuBefore = await Promise.all(cluster.instances.map((i) => cpuSeconds(i.pid)));

    const groups = seeded.channels.length;
    const members = (g: number) =>
      seeded.technicians.filter((t) => t.group === g).map((t) => t.index);
    // Two actors per group (its first two technicians), each under the 10-session limit.
    const actors = new Map<number, Browser>();
    const actorOf = (g: number, k: number) => members(g)[Math.floor(k / groups) % 2];
    for (let g = 0; g < groups; g++) {
      for (const index of members(g).slice(0, 2)) {
        const browser = new Browser({ sessionToken: seeded.technicians[index].sessionToken });
        await browser.page(urls[0], "/account");
        actors.set(index, browser);
      }
    }
    const starts = Math.min(o.starts, groups * 2 * 10, o.sessions);
    const started: { sessionId: string; actor: number }[] = [];
    const act = async (
      kind: Change["kind"],
      k: number,
      sessionId: string,
      actor: number,
      expected: number[],
      seen: Change["seen"],
      path: string,
    ): Promise<Change> => {
      const change: Change = { kind, sessionId, expected, seen, at: wallNow() };
      try {
        const { status } = await actors.get(actor)!.post(at(k), path);
        if (status >= 400) change.failed = `HTTP ${status}`;
      } catch (error) {
        change.failed = String(error);
      }
      return change;
    };

    o.progress(`${o.instances}: ${starts} Starts`);
    const all: Change[] = [];
    all.push(
      ...await paced(starts, o.rate, 16, log, o.windowMs, (k) => {
        const g = k % groups;
        const sessionId = seeded.waiting[g][Math.floor(k / groups)];
        const actor = actorOf(g, k);
        started.push({ sessionId, actor });
        return act(
          "start",
          k,
          sessionId,
          actor,
          members(g),
          (statuses, c) => c === actor ? statuses.split(",").includes("active") : statuses === "",
          `/console/sessions/${sessionId}/start`,
        );
      }),
    );
    const held = started.slice(0, Math.ceil(starts / 2));
    o.progress(`${o.instances}: ${held.length} Holds, then Resumes`);
    all.push(
      ...await paced(held.length, o.rate, 16, log, o.windowMs, (k) => {
        const { sessionId, actor } = held[k];
        return act(
          "hold",
          k + 1,
          sessionId,
          actor,
          [actor],
          (s) => s.split(",").includes("on_hold"),
          `/console/sessions/${sessionId}/hold`,
        );
      }),
    );
    all.push(
      ...await paced(held.length, o.rate, 16, log, o.windowMs, (k) => {
        const { sessionId, actor } = held[k];
        return act(
          "resume",
          k,
          sessionId,
          actor,
          [actor],
          (s) => s.split(",").includes("active"),
          `/console/sessions/${sessionId}/start`,
        );
      }),
    );

    const arrivals = Math.ceil(starts / 2);
    o.progress(`${o.instances}: ${arrivals} new customers`);
    const sql = postgres(database.url, { max: 2, onnotice: () => {} });
    cleanups.unshift(() => sql.end());
    const customerStreams = new AbortController();
    cleanups.unshift(() => customerStreams.abort());
    all.push(
      ...await paced(arrivals, o.rate, 16, log, o.windowMs, async (k) => {
        const g = k % groups;
        const slug = seeded.channels[g].slug;
        const customer = new Browser({ address: `10.9.${k >> 8 & 255}.${k & 255}` });
        const base = at(k);
        const fail = (failed: string): Change => ({
          kind: "waiting",
          sessionId: "",
          expected: [],
          seen: () => false,
          at: wallNow(),
          failed,
        });
        await customer.page(base, `/c/${slug}`);
        const sent = await customer.post(base, `/c/${slug}`, { name: `Arrival ${k}` });
        const token = /\/s\/([A-Za-z0-9_-]+)/.exec(sent.location)?.[1];
        if (!token) return fail(`channel form: HTTP ${sent.status}`);
        const [row] = await sql`select id from support_sessions where token = ${token}`;
        const change: Change = {
          kind: "waiting",
          sessionId: row.id,
          expected: members(g),
          seen: (s) => s.split(",").includes("waiting"),
          at: wallNow(),
        };
        // Opening the page's stream is what connects the customer: Connecting → Waiting.
        const res = await fetch(`${base}/s/${token}/events`, {
          headers: { accept: "text/event-stream", "x-forwarded-for": customer.address! },
          signal: customerStreams.signal,
        });
        if (!res.ok || !res.body) return { ...change, failed: `customer stream: ${res.status}` };
        res.body.pipeTo(new WritableStream()).catch(() => {});
        return change;
      }),
    );

    const cpuAfter = await Promise.all(cluster.instances.map((i) => cpuSeconds(i.pid)));
    const lag = { ...(await fleet.lag()), mainMax };
    // While the consoles are still open: the relay is measured on a loaded cluster.
    const relay = o.relay && o.instances > 1
      ? await o.relay(urls, database.url).catch((error): RelayFigures => {
        return { local: [], relayed: [], note: `failed: ${error}` };
      })
      : undefined;
    const cpuEnd = await Promise.all(cluster.instances.map((i) => cpuSeconds(i.pid)));
    return {
      instances: o.instances,
      consoles: o.consoles,
      sessions: o.sessions,
      groupSize: o.groupSize,
      openSeconds,
      outcomes: outcomes(all, log, o.windowMs),
      failed: all.filter((c) => c.failed).map((c) => ({ kind: c.kind, reason: c.failed! })),
      lag,
      cpu: cpuEnd.map((total, i) => ({ total, measured: cpuAfter[i] - cpuBefore[i] })),
      relay,
    };
  } finally {
    for (const cleanup of cleanups) await Promise.resolve(cleanup()).catch(() => {});
  }
}
