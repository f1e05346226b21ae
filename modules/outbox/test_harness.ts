// For the outbox tests of mail and SMS: AppDeps over an isolated test database, with a
// test config and a settable clock, and the current state of a row. No app, no server.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { openTestDatabase } from "../db/mod.ts";
import { type AppDeps, createLogger } from "../http/mod.ts";
import { LiveHub } from "../live/mod.ts";
import type { OutboxRow, OutboxTable } from "./store.ts";

export interface OutboxHarness<Row> {
  deps: AppDeps;
  clock: { now(): Date; advance(ms: number): void };
  /** The row with `id` as the database has it now. */
  row(id: string): Promise<Row>;
}

/** Runs `run` against a fresh database (closed afterwards); `config` overrides the test's. */
export async function withOutboxDeps<Row extends OutboxRow>(
  options: { table: OutboxTable<Row>; config: Partial<AppDeps["config"]> },
  run: (h: OutboxHarness<Row>) => Promise<void>,
): Promise<void> {
  const handle = await openTestDatabase();
  let now = new Date("2026-11-24T10:00:00Z");
  const clock = {
    now: () => new Date(now),
    advance: (ms: number) => void (now = new Date(now.getTime() + ms)),
  };
  const deps: AppDeps = {
    config: {
      port: 0,
      publicUrl: "https://rescue.example.test",
      dataDir: "./data",
      databaseUrl: undefined,
      smtpUrl: undefined,
      bootstrapAdmin: undefined,
      cookieSecret: "x".repeat(32),
      secureCookies: true,
      version: "test",
      ...options.config,
    },
    db: handle.db,
    dbKind: handle.kind,
    clock,
    log: createLogger({}, () => {}),
    live: new LiveHub(),
    instance: { id: crypto.randomUUID(), internalUrl: "http://127.0.0.1:0" },
    // Outbox tests send no session files.
    files: {
      put: () => Promise.reject(new Error("no file store in outbox tests")),
      open: () => Promise.resolve(undefined),
    },
  };
  const { table } = options;
  const row = async (id: string) =>
    (await handle.db.select().from(table).where(eq(table.id, id)))[0] as Row;
  try {
    await run({ deps, clock, row });
  } finally {
    await handle.close();
  }
}

/**
 * Enqueues with `enqueueIn` inside a transaction that then fails; the outbox `table` must
 * hold no row afterwards (the message goes with the change it belongs to).
 */
export async function assertRollbackLeavesNoRow<Row extends OutboxRow>(
  deps: AppDeps,
  table: OutboxTable<Row>,
  enqueueIn: (tx: AppDeps["db"]) => Promise<unknown>,
): Promise<void> {
  await assert.rejects(
    deps.db.transaction(async (tx) => {
      await enqueueIn(tx);
      throw new Error("the change failed");
    }),
    /the change failed/,
  );
  assert.equal((await deps.db.select().from(table)).length, 0);
}

/** Runs the worker `start` starts until the row `id` is sent (or 4 s pass), then stops it. */
export async function workUntilSent<Row extends OutboxRow>(
  h: OutboxHarness<Row>,
  id: string,
  start: () => () => void,
): Promise<void> {
  const stop = start();
  try {
    for (let i = 0; i < 200 && (await h.row(id)).status !== "sent"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    stop();
  }
  assert.equal((await h.row(id)).status, "sent");
}
