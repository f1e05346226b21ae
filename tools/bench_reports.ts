// `deno task bench:reports [--sizes 100000,1000000] [--engines pglite,postgres] [--runs 3]`:
// the time of each report page (GET /admin/reports/<kind>, signed in as the master admin,
// the whole request: filters, SQL over the hourly rollups, chart data, HTML) over seeded
// sessions, on embedded PGlite and on PostgreSQL (BENCH_POSTGRES's server, in a database of
// its own made and dropped here; default postgres://postgres@127.0.0.1:5432). Baseline in the
// same run, right after each page: the report's SQL alone (`runReport`) over the rollups and
// over the sessions directly (the path before the rollups, still what :30/:45 zones read),
// so the ratio holds even on a loaded machine; the 1-minute load average is printed beside
// each figure. Two periods: the last full month (per day) and the whole year (custom range,
// per month). Prints one table; medians of `--runs`.
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { createApp } from "../modules/app/mod.ts";
import { loadConfig } from "../modules/config/mod.ts";
import { type DatabaseHandle, openDatabase } from "../modules/db/mod.ts";
import {
  type FactSource,
  REPORT_KINDS,
  type ReportQuery,
  runReport,
} from "../modules/reports/mod.ts";
import { ADMIN, TestClient } from "../tests/support/app.ts";
import { seedingDeps } from "./bench_bootstrap.ts";
import { seedSessions } from "./seed_sessions_lib.ts";

const { values } = parseArgs({
  // `deno task x -- --count 5` hands the script the `--` too.
  args: Deno.args[0] === "--" ? Deno.args.slice(1) : Deno.args,
  options: {
    sizes: { type: "string", default: "100000,1000000" },
    engines: { type: "string", default: "pglite,postgres" },
    runs: { type: "string", default: "3" },
  },
});
const sizes = values.sizes.split(",").map(Number).sort((a, b) => a - b);
const engines = values.engines.split(",");
const runs = Math.max(1, Number(values.runs));
const server = Deno.env.get("BENCH_POSTGRES") ?? "postgres://postgres@127.0.0.1:5432";
const END = new Date();
interface Row {
  engine: string;
  sessions: number;
  report: string;
  period: string;
  /** The page, over the rollups. */
  page: number;
  /** The report's SQL alone over the rollups, and over the sessions directly (baseline). */
  rollups: number;
  direct: number;
  load: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function periods(): { name: string; query: string; q: ReportQuery }[] {
  const lastMonth = new Date(Date.UTC(END.getUTCFullYear(), END.getUTCMonth() - 1, 1));
  const nextMonth = new Date(Date.UTC(END.getUTCFullYear(), END.getUTCMonth(), 1));
  const from = new Date(END.getTime() - 365 * 86_400_000).toISOString().slice(0, 10);
  const to = new Date(END.getTime() - 86_400_000).toISOString().slice(0, 10);
  const toDay = new Date(END.getTime()).toISOString().slice(0, 10);
  const base = { tz: "UTC", by: "technician" } as const;
  return [
    {
      name: "month",
      query: `period=month&date=${lastMonth.toISOString().slice(0, 10)}&tz=UTC`,
      q: {
        ...base,
        step: "day",
        fromDay: lastMonth.toISOString().slice(0, 10),
        toDay: nextMonth.toISOString().slice(0, 10),
      },
    },
    {
      name: "year",
      query: `period=custom&from=${from}&to=${to}&step=month&tz=UTC`,
      q: { ...base, step: "month", fromDay: from, toDay },
    },
  ];
}

const load = async () =>
  (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");

async function medianOf(runs: number, once: () => Promise<number>): Promise<number> {
  await once(); // warm: plans, caches, the template
  const times = [];
  for (let i = 0; i < runs; i++) times.push(await once());
  return median(times);
}

async function timePage(client: TestClient, path: string): Promise<number> {
  const started = performance.now();
  const res = await client.get(path);
  const body = await res.text();
  const ms = performance.now() - started;
  if (res.status !== 200 || !body.includes("report-table")) {
    throw new Error(`${path}: ${res.status} ${body.slice(0, 200)}`);
  }
  return ms;
}

async function open(engine: string): Promise<{ handle: DatabaseHandle; drop(): Promise<void> }> {
  if (engine === "pglite") {
    const dir = await Deno.makeTempDir({ prefix: "bench-reports-pglite-" });
    const handle = await openDatabase({ dataDir: dir });
    return { handle, drop: () => Deno.remove(dir, { recursive: true }) };
  }
  const name = `bench_reports_${Date.now()}`;
  const { default: postgres } = await import("postgres");
  const admin = postgres(`${server}/postgres`, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const handle = await openDatabase({ databaseUrl: `${server}/${name}`, dataDir: "" });
  return {
    handle,
    drop: async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

async function bench(engine: string): Promise<Row[]> {
  const out: Row[] = [];
  const { handle, drop } = await open(engine);
  const dataDir = await Deno.makeTempDir({ prefix: "bench-reports-data-" });
  try {
    const config = await loadConfig({
      env: {
        DATA_DIR: dataDir,
        RESCUE_ADMIN_EMAIL: ADMIN.email,
        RESCUE_ADMIN_PASSWORD: ADMIN.password,
        RESCUE_LOG: "off",
      },
    });
    const deps = await seedingDeps(config, handle, dataDir);
    const app = createApp(deps);
    const client = new TestClient(app);
    const signedIn = await client.signIn(ADMIN.email, ADMIN.password);
    if (signedIn.status !== 303) throw new Error(`sign-in: ${signedIn.status}`);
    const [{ id: orgId }] = await _rows<{ id: string }>(handle, sql`select id from organisations`);
    let seeded = 0;
    for (const size of sizes) {
      const started = performance.now();
      await seedSessions(handle.db, { orgId, count: size - seeded, end: END, seed: seeded / 1e7 });
      seeded = size;
      console.error(
        `${engine}: ${size.toLocaleString("en")} sessions seeded (+${
          ((performance.now() - started) / 1000).toFixed(1)
        } s)`,
      );
      // The floor: the same page over a period without sessions (sign-in, filters, HTML).
      const empty = "period=month&date=2000-01-15&tz=UTC";
      await timePage(client, `/admin/reports/outcomes?${empty}`);
      const floor = [];
      for (let i = 0; i < runs; i++) {
        floor.push(await timePage(client, `/admin/reports/outcomes?${empty}`));
      }
      const floorMs = median(floor);
      out.push({
        engine,
        sessions: size,
        report: "(no rows)",
        period: "empty",
        page: floorMs,
        rollups: NaN,
        direct: NaN,
        load: (await load()).split(" ")[0],
      });
      console.error(`${engine} ${size} empty-period page ${floorMs.toFixed(0)} ms`);
      const scope = { orgId, groupIds: "all" as const };
      for (const period of periods()) {
        for (const kind of REPORT_KINDS) {
          const path = `/admin/reports/${kind}?${period.query}`;
          const page = await medianOf(runs, () => timePage(client, path));
          const query = (source: FactSource) => async () => {
            const started = performance.now();
            await runReport(handle.db, kind, scope, period.q, { source, limit: 200 });
            return performance.now() - started;
          };
          const rollups = await medianOf(runs, query("rollups"));
          const direct = await medianOf(runs, query("direct"));
          const row = {
            engine,
            sessions: size,
            report: kind,
            period: period.name,
            page,
            rollups,
            direct,
            load: (await load()).split(" ")[0],
          };
          out.push(row);
          console.error(JSON.stringify(row));
        }
      }
      console.error(`${engine}: ${size.toLocaleString("en")} measured`);
    }
  } finally {
    await handle.close();
    await drop();
    await Deno.remove(dataDir, { recursive: true });
  }
  return out;
}

async function _rows<T>(handle: DatabaseHandle, query: ReturnType<typeof sql>): Promise<T[]> {
  const result = await handle.db.execute(query);
  return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as T[];
}

const loadBefore = await load();
const all: Row[] = [];
for (const engine of engines) all.push(...await bench(engine));
const loadAfter = await load();

const ms = (x: number) => (Number.isNaN(x) ? "–" : x.toFixed(x < 10 ? 1 : 0)).padStart(8);
console.log(
  `\nReport pages (median of ${runs}, ms): the page over the rollups; the report's SQL alone over` +
    ` the rollups and over the sessions directly (baseline, same run); 1-minute load average`,
);
console.log(
  `${navigator.hardwareConcurrency} CPUs; load average before ${loadBefore}, after ${loadAfter}\n`,
);
console.log(
  "| engine   |  sessions | period | report      |     page |  rollups |   direct | ×faster |  load |",
);
console.log(
  "| -------- | --------: | ------ | ----------- | -------: | -------: | -------: | ------: | ----: |",
);
for (const r of all) {
  const ratio = Number.isNaN(r.direct) ? "–" : (r.direct / r.rollups).toFixed(1);
  console.log(
    `| ${r.engine.padEnd(8)} | ${r.sessions.toLocaleString("en").padStart(9)} | ${
      r.period.padEnd(6)
    } | ${r.report.padEnd(11)} | ${ms(r.page)} | ${ms(r.rollups)} | ${ms(r.direct)} | ${
      ratio.padStart(7)
    } | ${r.load.padStart(5)} |`,
  );
}
const target = all.filter((r) =>
  r.engine === "postgres" && r.sessions >= 1_000_000 && r.period !== "empty"
);
if (target.length > 0) {
  const worst = target.reduce((a, b) => (b.page > a.page ? b : a));
  console.log(
    `\nPostgreSQL at ${
      worst.sessions.toLocaleString("en")
    }: slowest page ${worst.report} (${worst.period}) ${
      worst.page.toFixed(0)
    } ms at load ${worst.load} — target < 500 ms: ${worst.page < 500 ? "met" : "NOT met"}`,
  );
}
