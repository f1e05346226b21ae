/**
 * This instance among the others on the same database: its row in `instances`, kept fresh by
 * a heartbeat, and the rows of instances that stopped beating removed (with what they held).
 * On the embedded engine there is only ever one instance; the same code runs, so the tests
 * of the single process exercise it too.
 */
import { and, eq, gt, lt, ne } from "drizzle-orm";
import type { Database } from "../db/mod.ts";
import { instances } from "./schema.ts";

/** Who this instance is, for the others: carried on `AppDeps.instance`. */
export interface InstanceIdentity {
  readonly id: string;
  /** Where the other instances reach this one (INSTANCE_URL). */
  readonly internalUrl: string;
}

export interface HeartbeatOptions {
  /** How often this instance says it is alive. */
  everyMs: number;
  /** After how long without a heartbeat an instance counts as gone and is removed. */
  expiryMs: number;
}

export const HEARTBEAT: HeartbeatOptions = { everyMs: 1_000, expiryMs: 5_000 };

type Clock = { now(): Date };

/** A fresh identity: a random id (a restarted process is a new instance) and its URL. */
export function newInstance(internalUrl: string): InstanceIdentity {
  return { id: crypto.randomUUID(), internalUrl };
}

/** Writes (or refreshes) this instance's row. */
export async function registerInstance(
  db: Database,
  instance: InstanceIdentity,
  now: Date,
): Promise<void> {
  await db.insert(instances).values({
    id: instance.id,
    internalUrl: instance.internalUrl,
    startedAt: now,
    heartbeatAt: now,
  }).onConflictDoUpdate({
    target: instances.id,
    set: { heartbeatAt: now, internalUrl: instance.internalUrl },
  });
}

/**
 * One beat: refresh this instance's row (re-creating it if another instance removed it while
 * this one stalled) and remove the instances whose last beat is older than the expiry.
 * Returns the ids removed, so the caller can let the living take over what they held.
 */
export async function beat(
  db: Database,
  instance: InstanceIdentity,
  now: Date,
  expiryMs = HEARTBEAT.expiryMs,
): Promise<string[]> {
  await registerInstance(db, instance, now);
  const gone = await db.delete(instances)
    .where(and(
      lt(instances.heartbeatAt, new Date(now.getTime() - expiryMs)),
      ne(instances.id, instance.id),
    ))
    .returning({ id: instances.id });
  return gone.map((row) => row.id);
}

/** Where a live instance is reached, or null when it is gone (or has not beaten lately). */
export async function liveInstanceUrl(
  db: Database,
  id: string,
  now: Date,
  expiryMs = HEARTBEAT.expiryMs,
): Promise<string | null> {
  const [row] = await db.select({ url: instances.internalUrl }).from(instances)
    .where(
      and(eq(instances.id, id), gt(instances.heartbeatAt, new Date(now.getTime() - expiryMs))),
    );
  return row?.url ?? null;
}

/**
 * Beats every `everyMs` until stopped; `onGone` hears the instances removed. A failed beat
 * (database away) is logged by the caller's `onError` and retried at the next tick.
 */
export function startHeartbeat(
  deps: { db: Database; clock: Clock; instance: InstanceIdentity },
  options: {
    heartbeat?: HeartbeatOptions;
    onGone?: (ids: string[]) => void | Promise<void>;
    onError?: (error: unknown) => void;
  } = {},
): () => Promise<void> {
  const { everyMs, expiryMs } = options.heartbeat ?? HEARTBEAT;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const tick = () => {
    running = running.then(async () => {
      if (stopped) return;
      try {
        const gone = await beat(deps.db, deps.instance, deps.clock.now(), expiryMs);
        if (gone.length > 0) await options.onGone?.(gone);
      } catch (error) {
        options.onError?.(error);
      }
    });
  };
  const timer = setInterval(tick, everyMs);
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}

/** Removes this instance's row at a clean shutdown: what it held goes at once, not after expiry. */
export async function deregisterInstance(db: Database, instance: InstanceIdentity): Promise<void> {
  await db.delete(instances).where(eq(instances.id, instance.id));
}
