// Issue 11 item 10: instances started together on an empty PostgreSQL database raced through
// the migrations and one died (`duplicate key … pg_type_typname_nsp_index`). Needs the
// PostgreSQL at 127.0.0.1:5432 (user postgres); makes its own database and drops it.
import assert from "node:assert/strict";
import { openPostgres } from "./open.ts";

const SERVER = Deno.env.get("RESCUE_TEST_PG_SERVER") ?? "postgres://postgres@127.0.0.1:5432";

async function postgresAnswers(): Promise<boolean> {
  try {
    const url = new URL(SERVER);
    const conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port || 5432) });
    conn.close();
    return true;
  } catch {
    return false;
  }
}

const available = await postgresAnswers();
if (!available) console.warn(`open_test.ts: no PostgreSQL answers at ${SERVER}; skipped`);

Deno.test({
  name: "openPostgres() started 4 times at once on an empty database: all migrate and open",
  ignore: !available,
  async fn() {
    const { default: postgres } = await import("postgres");
    const admin = postgres(`${SERVER}/postgres`, { max: 1, onnotice: () => {} });
    const name = `rescue_migrate_race_${crypto.randomUUID().slice(0, 8)}`;
    await admin.unsafe(`create database ${name}`);
    try {
      const url = `${SERVER}/${name}`;
      const opened = await Promise.allSettled([1, 2, 3, 4].map(() => openPostgres(url)));
      const failures = opened.flatMap((r) => r.status === "rejected" ? [String(r.reason)] : []);
      for (const r of opened) if (r.status === "fulfilled") await r.value.close();
      assert.deepEqual(failures, []);
      const check = postgres(url, { max: 1, onnotice: () => {} });
      const [{ count }] =
        await check`select count(*)::int as count from drizzle.__drizzle_migrations`;
      await check.end();
      const files = [...Deno.readDirSync(new URL("../../migrations", import.meta.url))]
        .filter((f) => f.name.endsWith(".sql"));
      assert.equal(count, files.length, "each migration applied exactly once");
    } finally {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  },
});
