// `deno task bench:reports [--sizes 100000,1000000] [--engines pglite,postgres] [--runs 5]`:
// the time of each report page (GET /admin/reports/<kind>, signed in as the master admin,
// the whole request: filters, SQL, chart data, HTML) over seeded sessions, on embedded PGlite
// and on PostgreSQL (DATABASE_URL's server, in a database of its own made and dropped here;
// default postgres://postgres@127.0.0.1:5432). Baseline in the same run: the same pages with
// the reports' covering index dropped (PostgreSQL then reads the rows through the older
// (org_id, created_at) index and the table). Two periods each: the last full month (per day)
// and the whole year (custom range, per month). Prints one table; medians of `--runs`.
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { createApp } from "../modules/app/mod.ts";
import { loadConfig } from "../modules/config/mod.ts";
import { type DatabaseHandle, openDatabase } from "../modules/db/mod.ts";
import { REPORT_KINDS } from "../modules/reports/mod.ts";
import { ADMIN, TestClient } from "../tests/support/app.ts";
import { seedingDeps } from "./bench_bootstrap.ts";
import { seedSessions } from "./seed_sessions_lib.ts";

const { values } = parseArgs({
  // `deno task x -- --count 5` hands the script the `--` too.
  args: Deno.args[0] === "--" ? Deno.args.slice(1) : Deno.args,
  options: {
    sizes: { type: "string", default: "100000,1000000" },
    engines: { type: "string", default: "pglite,postgres" },
    runs: { type: "string", default: "5" },
  },
});
const sizes = values.sizes.split(",").map(Number).sort((a, b) => a - b);
const engines = values.engines.split(",");
const runs = Math.max(1, Number(values.runs));
const server = Deno.env.get("BENCH_POSTGRES") ?? "postgres://postgres@127.0.0.1:5432";
const END = new Date();
const INDEX = "support_sessions_report_idx";

interface Row {
  engine: string;
  sessions: number;
  report: string;
  period: string;
  indexed: number;
  baseline: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function periods(): { name: string; query: string }[] {
  const lastMonth = new Date(Date.UTC(END.getUTCFullYear(), END.getUTCMonth() - 1, 15));
  const from = new Date(END.getTime() - 365 * 86_400_000).toISOString().slice(0, 10);
  const to = new Date(END.getTime() - 86_400_000).toISOString().slice(0, 10);
  return [
    { name: "month", query: `period=month&date=${lastMonth.toISOString().slice(0, 10)}&tz=UTC` },
    { name: "year", query: `period=custom&from=${from}&to=${to}&step=month&tz=UTC` },
  ];
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
        indexed: floorMs,
        baseline: NaN,
      });
      console.error(`${engine} ${size} empty-period page ${floorMs.toFixed(0)} ms`);
      for (const mode of ["indexed", "baseline"] as const) {
        if (mode === "baseline") await handle.db.execute(sql.raw(`drop index ${INDEX}`));
        for (const period of periods()) {
          for (const kind of REPORT_KINDS) {
            const path = `/admin/reports/${kind}?${period.query}`;
            await timePage(client, path); // warm: plans, caches, the template
            const times = [];
            for (let i = 0; i < runs; i++) times.push(await timePage(client, path));
            const ms = median(times);
            console.error(`${engine} ${size} ${period.name} ${kind} ${mode} ${ms.toFixed(0)} ms`);
            if (mode === "indexed") {
              out.push({
                engine,
                sessions: size,
                report: kind,
                period: period.name,
                indexed: ms,
                baseline: NaN,
              });
            } else {
              out.find((r) =>
                r.engine === engine && r.sessions === size && r.report === kind &&
                r.period === period.name
              )!.baseline = ms;
            }
          }
        }
        if (mode === "baseline") {
          await handle.db.execute(sql.raw(
            `create index ${INDEX} on support_sessions (org_id, created_at, group_id, ` +
              `lead_user_id, channel_id, outcome, connected_at, picked_up_at, ended_at, transfers)`,
          ));
          await handle.db.execute(sql`vacuum analyze support_sessions`);
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

const load = async () =>
  (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
const loadBefore = await load();
const all: Row[] = [];
for (const engine of engines) all.push(...await bench(engine));
const loadAfter = await load();

const ms = (x: number) => (Number.isNaN(x) ? "–" : x.toFixed(x < 10 ? 1 : 0)).padStart(8);
console.log(
  `\nReport pages (median of ${runs}, ms): with the reports' index vs without it (baseline)`,
);
console.log(
  `${navigator.hardwareConcurrency} CPUs; load average before ${loadBefore}, after ${loadAfter}\n`,
);
console.log("| engine   |  sessions | period | report      |  indexed | baseline |");
console.log("| -------- | --------: | ------ | ----------- | -------: | -------: |");
for (const r of all) {
  console.log(
    `| ${r.engine.padEnd(8)} | ${r.sessions.toLocaleString("en").padStart(9)} | ${
      r.period.padEnd(6)
    } | ${r.report.padEnd(11)} | ${ms(r.indexed)} | ${ms(r.baseline)} |`,
  );
}
const target = all.filter((r) =>
  r.engine === "postgres" && r.sessions >= 1_000_000 && r.period !== "empty"
);
if (target.length > 0) {
  const worst = target.reduce((a, b) => (b.indexed > a.indexed ? b : a));
  console.log(
    `\nPostgreSQL at ${
      worst.sessions.toLocaleString("en")
    }: slowest page ${worst.report} (${worst.period}) ${
      worst.indexed.toFixed(0)
    } ms — target < 500 ms: ${worst.indexed < 500 ? "met" : "NOT met"}`,
  );
}
