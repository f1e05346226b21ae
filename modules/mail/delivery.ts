import { and, asc, eq, inArray, isNull, lte, or, type SQL } from "drizzle-orm";
import type { AppDeps } from "../http/mod.ts";
import { type OutboxRow } from "./outbox.ts";
import { mailOutbox } from "./schema.ts";
import { sendOverSmtp } from "./transport.ts";

/** After this many failed attempts a message is `failed` and waits for an admin. */
export const MAX_ATTEMPTS = 8;
/** How long a claimed row is reserved for the claimer, so two deliverers never both send. */
const CLAIM_MS = 5 * 60_000;
const BATCH = 50;
const WORKER_INTERVAL_MS = 30_000;

/** The wait after the `attempts`-th failure: 1 min, 2, 4, … capped at one hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(60_000 * 2 ** Math.max(attempts - 1, 0), 3_600_000);
}

/**
 * Delivers the given rows (pending and due, or held — a caller naming a held row asks for
 * it to go out now), or every due pending row when `ids` is omitted. Failures are written
 * to the row, never thrown; database errors are.
 */
export async function deliverMail(deps: AppDeps, ids?: string[]): Promise<void> {
  if (!deps.config.smtpUrl) return;
  if (ids && ids.length === 0) return;
  for (;;) {
    const claimed = await _claim(deps, ids);
    for (const row of claimed) await _deliverOne(deps, row);
    if (ids || claimed.length < BATCH) return;
  }
}

/**
 * Marks rows as being delivered by pushing `nextAttemptAt` past the claim window in one
 * UPDATE; a concurrent deliverer's UPDATE re-checks "due" on the new row version and skips
 * them. If the process dies mid-send the claim simply expires and the row is retried.
 */
async function _claim(deps: AppDeps, ids?: string[]): Promise<OutboxRow[]> {
  const now = deps.clock.now();
  const due = and(
    eq(mailOutbox.status, "pending"),
    or(isNull(mailOutbox.nextAttemptAt), lte(mailOutbox.nextAttemptAt, now)),
  )!;
  let where: SQL;
  if (ids) {
    where = and(inArray(mailOutbox.id, ids), or(due, eq(mailOutbox.status, "held")))!;
  } else {
    const batch = deps.db.select({ id: mailOutbox.id }).from(mailOutbox).where(due)
      .orderBy(asc(mailOutbox.nextAttemptAt)).limit(BATCH);
    where = and(inArray(mailOutbox.id, batch), due)!;
  }
  return await deps.db.update(mailOutbox)
    .set({ status: "pending", nextAttemptAt: new Date(now.getTime() + CLAIM_MS) })
    .where(where)
    .returning();
}

async function _deliverOne(deps: AppDeps, row: OutboxRow): Promise<void> {
  try {
    await sendOverSmtp(deps.config, row);
  } catch (error) {
    const attempts = row.attempts + 1;
    const failed = attempts >= MAX_ATTEMPTS;
    const now = deps.clock.now();
    const message = error instanceof Error ? error.message : String(error);
    await deps.db.update(mailOutbox).set({
      attempts,
      lastError: message.slice(0, 1000),
      status: failed ? "failed" : "pending",
      nextAttemptAt: failed ? null : new Date(now.getTime() + retryDelayMs(attempts)),
    }).where(eq(mailOutbox.id, row.id));
    deps.log.warn("mail delivery failed", { mailId: row.id, kind: row.kind, attempts, failed });
    return;
  }
  await deps.db.update(mailOutbox)
    .set({ status: "sent", sentAt: deps.clock.now(), nextAttemptAt: null, lastError: null })
    .where(eq(mailOutbox.id, row.id));
  deps.log.info("mail sent", { mailId: row.id, kind: row.kind });
}

/**
 * Retries due pending mail every 30 seconds (`intervalMs`, for tests; a run never overlaps
 * the previous one) and returns a function that stops the loop. Errors (say, a database hiccup) are logged and
 * the next tick tries again.
 */
export function startMailWorker(
  deps: AppDeps,
  options: { intervalMs?: number } = {},
): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await deliverMail(deps);
    } catch (error) {
      deps.log.error("mail worker failed", {
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
    } finally {
      running = false;
    }
  };
  const timer = setInterval(tick, options.intervalMs ?? WORKER_INTERVAL_MS);
  return () => clearInterval(timer);
}
