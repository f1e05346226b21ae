/**
 * The database layer. `openDatabase` returns a drizzle handle over embedded PGlite (on
 * disk under DATA_DIR, the zero-setup default) or over PostgreSQL through the `postgres`
 * driver when `DATABASE_URL` is set, and applies the SQL migrations in `migrations/` to
 * either. Every module declares its own tables in `modules/<m>/schema.ts` and queries them
 * through the same `Database` type, so one code path serves both engines.
 * On PostgreSQL the handle also carries `notifications` (LISTEN/NOTIFY), which the live hub
 * uses to tell the other instances on the same database.
 * `openTestDatabase` gives tests an isolated, migrated database cheaply.
 */
export {
  type Database,
  type DatabaseHandle,
  type DatabaseNotifications,
  openDatabase,
} from "./open.ts";
export { openTestDatabase } from "./testing.ts";

/**
 * `clampPage({ page, pageSize }, total)` makes a list's page request safe for SQL: the
 * size 1–200 (50 by default), the page 1 to the last one, whatever the query string said.
 */
export { clampPage } from "./paging.ts";
