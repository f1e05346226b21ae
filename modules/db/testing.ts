import { sql } from "drizzle-orm";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { sha256Hex } from "../tokens/mod.ts";
import {
  type Database,
  type DatabaseHandle,
  MIGRATIONS_DIR,
  openPglite,
  openPostgres,
} from "./open.ts";
import { tarEntries, type TarEntry, templateFs } from "./template_fs.ts";

/**
 * A test's database holds kilobytes: 16 MB of shared buffers, not PGlite's 128, start in half
 * the time (0.69 s against 0.99–1.07 for the template's start on this machine; 0.5 CPU-s less
 * for every test file with a database).
 */
const TEST_SETTINGS = { shared_buffers: "16MB" };

/** The migrated template, as PGlite dumped it, and its entries when we can read them. */
interface Template {
  tar: Uint8Array<ArrayBuffer>;
  entries: TarEntry[] | undefined;
}
let template: Promise<Template> | undefined;
/** The PGlite this test file reuses while no other test holds it (see `openTestDatabase`). */
let kept: { client: unknown; busy: boolean } | undefined;
let keeping = false;
/** PostgreSQL URLs already migrated by this test file. */
const migrated = new Set<string>();

/**
 * An isolated, migrated database for one test, emptied of every row.
 *
 * On PGlite (the default) the first call of a test file restores a dumped, already-migrated
 * template (`templateFs`; a second on a loaded machine); the file's later calls get that same PGlite back,
 * emptied (tens of milliseconds), while no earlier handle is still open — a second database
 * open at once is a restored template of its own, as before. A handle of the kept PGlite
 * refuses queries once closed, like a closed PGlite, so a straggler cannot write into the
 * next test's data.
 *
 * With `DATABASE_URL` set, tests share one PostgreSQL database (CI makes a fresh one per
 * run), migrated once per test file, and every call empties all tables first; tests run
 * one at a time, so this isolates them just as well.
 */
export async function openTestDatabase(): Promise<DatabaseHandle> {
  const url = Deno.env.get("DATABASE_URL");
  if (url) {
    const handle = await openPostgres(url, { migrate: !migrated.has(url) });
    migrated.add(url);
    await emptyAll(handle.db);
    return handle;
  }
  template ??= makeTemplate();
  if (kept && !kept.busy) {
    const reuse = kept;
    reuse.busy = true;
    const handle = await lease(reuse);
    try {
      await emptyAll(handle.db);
      return handle;
    } catch {
      // in an unusable state: start over from the template
      kept = undefined;
      await handle.close();
      await (reuse.client as { close(): Promise<void> }).close().catch(() => {});
    }
  }
  const keep = !kept && !keeping;
  if (keep) keeping = true;
  try {
    const { tar, entries } = await template;
    const handle = await openPglite({
      ...entries ? { fs: templateFs(tar, entries) } : { loadDataDir: new Blob([tar]) },
      settings: TEST_SETTINGS,
      migrate: false,
    });
    if (!keep) return handle;
    kept = { client: (handle.db as unknown as { $client: unknown }).$client, busy: true };
    return await lease(kept);
  } finally {
    if (keep) keeping = false;
  }
}

/** A handle on the kept PGlite: queries through it fail once it is closed; closing frees it. */
async function lease(entry: { client: unknown; busy: boolean }): Promise<DatabaseHandle> {
  const { drizzle } = await import("drizzle-orm/pglite");
  let closed = false;
  const target = entry.client as Record<PropertyKey, unknown>;
  const client = new Proxy(target, {
    get(_, key) {
      const value = target[key];
      if (typeof value !== "function") return value;
      if (closed) return () => Promise.reject(new Error("PGlite is closed"));
      return value.bind(target);
    },
  });
  // deno-lint-ignore no-explicit-any
  const db = drizzle({ client: client as any }) as unknown as Database;
  return {
    db,
    kind: "pglite",
    close: () => {
      if (!closed) {
        closed = true;
        entry.busy = false;
      }
      return Promise.resolve();
    },
  };
}

/**
 * The migrated template, cached on disk by a hash of the migrations: `deno test` runs each
 * test file in its own isolate, and a fresh PGlite costs seconds per file otherwise.
 */
async function makeTemplate(): Promise<Template> {
  const cacheFile = join(tmpdir(), `rescue-pglite-template-${await migrationsHash()}.tar`);
  let tar: Uint8Array<ArrayBuffer>;
  try {
    tar = await Deno.readFile(cacheFile);
  } catch {
    // not cached yet
    tar = new Uint8Array(await (await dumpFreshTemplate()).arrayBuffer());
    const partial = `${cacheFile}.${crypto.randomUUID()}`;
    await Deno.writeFile(partial, tar);
    await Deno.rename(partial, cacheFile);
  }
  return { tar, entries: tarEntries(tar) };
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

/**
 * Deletes every row of every table in `public` and restarts the sequences, in one round
 * trip. DELETE costs what the rows cost; TRUNCATE makes new files for every table and
 * index (≈ 2 s per test for ~50 tables on a loaded machine). Foreign keys and triggers
 * are set aside for the transaction (`session_replication_role`, which needs a superuser,
 * as CI's and PGlite's are); without the right, the tables are truncated as before.
 */
async function emptyAll(db: Database): Promise<void> {
  try {
    await db.execute(sql.raw(`do $$
      declare r record;
      begin
        set local session_replication_role = replica;
        for r in select tablename from pg_tables where schemaname = 'public' loop
          execute format('delete from public.%I', r.tablename);
        end loop;
        for r in select sequencename, start_value from pg_sequences
            where schemaname = 'public' and last_value is not null loop
          perform setval(format('public.%I', r.sequencename), r.start_value, false);
        end loop;
      end $$`));
  } catch {
    await truncateAll(db);
  }
}

async function truncateAll(db: Database): Promise<void> {
  const result = await db.execute(sql`
    select tablename from pg_tables where schemaname = 'public'`);
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as {
    tablename: string;
  }[];
  if (rows.length === 0) return;
  const list = rows.map((r) => `"${r.tablename}"`).join(", ");
  await db.execute(sql.raw(`truncate ${list} restart identity cascade`));
}
