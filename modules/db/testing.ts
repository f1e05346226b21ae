import { sql } from "drizzle-orm";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { sha256Hex } from "../tokens/mod.ts";
import { type DatabaseHandle, MIGRATIONS_DIR, openPglite, openPostgres } from "./open.ts";

let template: Promise<Blob> | undefined;

/**
 * An isolated, migrated database for one test. On PGlite (the default) each call restores
 * a dumped, already-migrated template (≈ 0.4 s instead of a multi-second fresh start).
 * With `DATABASE_URL` set, tests share one PostgreSQL database (CI makes a fresh one per
 * run) and every call empties all tables first; tests run one at a time, so this isolates
 * them just as well.
 */
export async function openTestDatabase(): Promise<DatabaseHandle> {
  const url = Deno.env.get("DATABASE_URL");
  if (url) {
    const handle = await openPostgres(url);
    await truncateAll(handle);
    return handle;
  }
  template ??= makeTemplate();
  return await openPglite({ loadDataDir: await template, migrate: false });
}

/**
 * The migrated template, cached on disk by a hash of the migrations: `deno test` runs each
 * test file in its own isolate, and a fresh PGlite costs seconds per file otherwise.
 */
async function makeTemplate(): Promise<Blob> {
  const cacheFile = join(tmpdir(), `rescue-pglite-template-${await migrationsHash()}.tgz`);
  try {
    return new Blob([await Deno.readFile(cacheFile)]);
  } catch {
    // not cached yet
  }
  const dump = await dumpFreshTemplate();
  const partial = `${cacheFile}.${crypto.randomUUID()}`;
  await Deno.writeFile(partial, new Uint8Array(await dump.arrayBuffer()));
  await Deno.rename(partial, cacheFile);
  return dump;
}

async function migrationsHash(): Promise<string> {
  const parts: string[] = [];
  const walk = async (dir: string) => {
    const entries = [];
    for await (const entry of Deno.readDir(dir)) entries.push(entry);
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory) await walk(path);
      else parts.push(entry.name, await Deno.readTextFile(path));
    }
  };
  await walk(MIGRATIONS_DIR);
  return (await sha256Hex(parts.join("\n"))).slice(0, 16);
}

async function dumpFreshTemplate(): Promise<Blob> {
  const handle = await openPglite({});
  // deno-lint-ignore no-explicit-any
  const client = (handle.db as any).$client;
  const dump = await client.dumpDataDir("none");
  await handle.close();
  return dump;
}

async function truncateAll(handle: DatabaseHandle): Promise<void> {
  const result = await handle.db.execute(sql`
    select tablename from pg_tables where schemaname = 'public'`);
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as {
    tablename: string;
  }[];
  if (rows.length === 0) return;
  const list = rows.map((r) => `"${r.tablename}"`).join(", ");
  await handle.db.execute(sql.raw(`truncate ${list} restart identity cascade`));
}
