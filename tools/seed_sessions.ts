// `deno task seed:sessions -- --count 100000 [--days 365] [--seed 0.42]`: realistic support
// sessions (statuses, timings, transfers, technicians, groups, channels, survey answers) in
// the configured database (DATABASE_URL, else the embedded one under DATA_DIR), for the
// reports and their benchmark. The organisation must exist: start the product once first.
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { loadConfig } from "../modules/config/mod.ts";
import { openDatabase } from "../modules/db/mod.ts";
import { seedSessions } from "./seed_sessions_lib.ts";

const { values } = parseArgs({
  // `deno task x -- --count 5` hands the script the `--` too.
  args: Deno.args[0] === "--" ? Deno.args.slice(1) : Deno.args,
  options: {
    count: { type: "string", default: "100000" },
    days: { type: "string", default: "365" },
    seed: { type: "string", default: "0.42" },
  },
});
const count = Number(values.count);
const days = Number(values.days);
const seed = Number(values.seed);
if (!Number.isInteger(count) || count < 1 || count > 10_000_000) {
  console.error("--count must be a whole number from 1 to 10,000,000");
  Deno.exit(2);
}
if (!Number.isInteger(days) || days < 1 || days > 3650) {
  console.error("--days must be a whole number from 1 to 3,650");
  Deno.exit(2);
}
if (!(seed >= 0 && seed <= 1)) {
  console.error("--seed must be a number from 0 to 1");
  Deno.exit(2);
}

const config = await loadConfig();
const database = await openDatabase(config);
try {
  const result = await database.db.execute(
    sql`select id::text as id from organisations order by created_at limit 1`,
  );
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as {
    id: string;
  }[];
  if (rows.length === 0) {
    console.error("No organisation yet: start the product once (deno task start) first.");
    Deno.exit(1);
  }
  const started = performance.now();
  await seedSessions(database.db, {
    orgId: rows[0].id,
    count,
    days,
    seed,
    onProgress: (done) => console.log(`${done.toLocaleString("en")} sessions`),
  });
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `Seeded ${count.toLocaleString("en")} sessions into ${database.kind} in ${
      seconds.toFixed(1)
    } s (${Math.round(count / seconds).toLocaleString("en")}/s).`,
  );
} finally {
  await database.close();
}
