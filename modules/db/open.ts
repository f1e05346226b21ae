import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type { PGliteOptions } from "@electric-sql/pglite";
import { type DatabaseNotifications, postgresNotifications } from "./notifications.ts";

export type { DatabaseNotifications };

/** The drizzle handle every module queries through, whichever engine is underneath. */
// deno-lint-ignore no-explicit-any
export type Database = PgDatabase<PgQueryResultHKT, any>;

export interface DatabaseHandle {
  db: Database;
  kind: "pglite" | "postgres";
  /** PostgreSQL's LISTEN/NOTIFY, to tell other instances on the same database; PGlite: none. */
  notifications?: DatabaseNotifications;
  close(): Promise<void>;
}

export const MIGRATIONS_DIR = fileURLToPath(new URL("../../migrations", import.meta.url));

/** Opens (creating if needed) and migrates the configured database. */
export async function openDatabase(
  options: { databaseUrl?: string; dataDir: string },
): Promise<DatabaseHandle> {
  if (options.databaseUrl) return await openPostgres(options.databaseUrl);
  const dir = join(options.dataDir, "pglite");
  await Deno.mkdir(options.dataDir, { recursive: true });
  return await openPglite({ dataDir: dir });
}

/** The advisory lock every instance takes around migrations ("rescue" + 1). */
export const MIGRATION_LOCK = "8243121563980070913";

/** Opens and migrates PostgreSQL at `url`; `migrate: false` (tests, once migrated) skips it. */
export async function openPostgres(
  url: string,
  options: { migrate?: boolean } = {},
): Promise<DatabaseHandle> {
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const { migrate } = await import("drizzle-orm/postgres-js/migrator");
  // Instances started together would each create the same schema and tables and all but
  // one fail (duplicate key in pg_type): one at a time, on one connection holding the lock;
  // the later ones find everything applied.
  if (options.migrate !== false) {
    const migrator = postgres(url, { max: 1, onnotice: () => {} });
    try {
      await migrator`select pg_advisory_lock(${MIGRATION_LOCK}::bigint)`;
      await migrate(drizzle(migrator), { migrationsFolder: MIGRATIONS_DIR });
      await migrator`select pg_advisory_unlock(${MIGRATION_LOCK}::bigint)`;
    } finally {
      // Ending the session releases the lock even when a migration failed.
      await migrator.end();
    }
  }
  const client = postgres(url, { max: 10, onnotice: () => {} });
  const notifications = postgresNotifications(url, postgres);
  return {
    db: drizzle(client),
    kind: "postgres",
    notifications,
    close: async () => {
      await Promise.all([client.end(), notifications.close()]);
    },
  };
}

export async function openPglite(
  options: {
    dataDir?: string;
    loadDataDir?: Blob;
    /** A filesystem of its own (the tests' template, modules/db/testing.ts). */
    fs?: PGliteOptions["fs"];
    /** PostgreSQL settings beside PGlite's own (`-c name=value`). */
    settings?: Record<string, string>;
    migrate?: boolean;
  },
): Promise<DatabaseHandle> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  const client = await PGlite.create({
    dataDir: options.dataDir,
    loadDataDir: options.loadDataDir,
    fs: options.fs,
    startParams: [
      ...PGlite.defaultStartParams,
      ...Object.entries(options.settings ?? {}).flatMap(([name, value]) => [
        "-c",
        `${name}=${value}`,
      ]),
    ],
  });
  const db = drizzle(client);
  if (options.migrate !== false) await migrate(db, { migrationsFolder: MIGRATIONS_DIR });
  return { db, kind: "pglite", close: () => client.close() };
}
