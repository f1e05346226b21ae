import { and, asc, eq, inArray, isNull, lte, or, type SQL } from "drizzle-orm";
import type { AppDeps } from "../http/mod.ts";
import { configuredSmsGateway, type SmsGateway } from "./gateway.ts";
import type { SmsRow } from "./outbox.ts";
import { smsOutbox } from "./schema.ts";

/** After this many failed attempts a message is `failed` and waits for an admin. */
export const MAX_ATTEMPTS = 8;
/** How long a claimed row is reserved for the claimer, so two deliverers never both send. */
const CLAIM_MS = 5 * 60_000;
const BATCH = 50;
const WORKER_INTERVAL_MS = 30_000;

/**
 * What delivery needs: the app's dependencies, and optionally a gateway that replaces the
 * one SMS_GATEWAY_* describes (another provider, or a test double).
 */
export type SmsDeps = AppDeps & { smsGateway?: SmsGateway };

/** The gateway in use: `deps.smsGateway`, else the configured HTTP one, else none. */
export function smsGatewayOf(deps: SmsDeps): SmsGateway | undefined {
  return deps.smsGateway ?? configuredSmsGateway(deps.config);
}

/** The wait after the `attempts`-th failure: 1 min, 2, 4, … capped at one hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(60_000 * 2 ** Math.max(attempts - 1, 0), 3_600_000);
}

/**
 * Delivers the given rows (pending and due, or held — a caller naming a held row asks for
 * it to go out now), or every due pending row when `ids` is omitted. Failures are written
 * to the row, never thrown; database errors are. Without a gateway it does nothing.
 */
export async function deliverSms(deps: SmsDeps, ids?: string[]): Promise<void> {
  const gateway = smsGatewayOf(deps);
  if (!gateway) return;
  if (ids && ids.length === 0) return;
  for (;;) {
    const claimed = await _claim(deps, ids);
    for (const row of claimed) await _deliverOne(deps, gateway, row);
    if (ids || claimed.length < BATCH) return;
  }
}

/**
 * Marks rows as being delivered by pushing `nextAttemptAt` past the claim window in one
 * UPDATE; a concurrent deliverer's UPDATE re-checks "due" on the new row version and skips
 * them. If the process dies mid-send the claim simply expires and the row is retried.
 */
async function _claim(deps: SmsDeps, ids?: string[]): Promise<SmsRow[]> {
  const now = deps.clock.now();
  const due = and(
    eq(smsOutbox.status, "pending"),
    or(isNull(smsOutbox.nextAttemptAt), lte(smsOutbox.nextAttemptAt, now)),
  )!;
  let where: SQL;
  if (ids) {
    where = and(inArray(smsOutbox.id, ids), or(due, eq(smsOutbox.status, "held")))!;
  } else {
    const batch = deps.db.select({ id: smsOutbox.id }).from(smsOutbox).where(due)
      .orderBy(asc(smsOutbox.nextAttemptAt)).limit(BATCH);
    where = and(inArray(smsOutbox.id, batch), due)!;
  }
  return await deps.db.update(smsOutbox)
    .set({ status: "pending", nextAttemptAt: new Date(now.getTime() + CLAIM_MS) })
    .where(where)
    .returning();
}

/** Sends one row and records the outcome. The body (a PIN or link) is never logged. */
async function _deliverOne(deps: SmsDeps, gateway: SmsGateway, row: SmsRow): Promise<void> {
  try {
    await gateway.send({ to: row.toNumber, body: row.body });
  } catch (error) {
    const attempts = row.attempts + 1;
    const failed = attempts >= MAX_ATTEMPTS;
    const now = deps.clock.now();
    const message = error instanceof Error ? error.message : String(error);
    await deps.db.update(smsOutbox).set({
      attempts,
      lastError: message.slice(0, 1000),
      status: failed ? "failed" : "pending",
      nextAttemptAt: failed ? null : new Date(now.getTime() + retryDelayMs(attempts)),
    }).where(eq(smsOutbox.id, row.id));
    deps.log.warn("sms delivery failed", { smsId: row.id, attempts, failed });
    return;
  }
  await deps.db.update(smsOutbox)
    .set({ status: "sent", sentAt: deps.clock.now(), nextAttemptAt: null, lastError: null })
    .where(eq(smsOutbox.id, row.id));
  deps.log.info("sms sent", { smsId: row.id });
}

/**
 * Retries due pending messages every 30 seconds (`intervalMs`, for tests; a run never
 * overlaps the previous one) and returns a function that stops the loop. Errors (say, a
 * database hiccup) are logged and the next tick tries again.
 */
export function startSmsWorker(
  deps: SmsDeps,
  options: { intervalMs?: number } = {},
): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await deliverSms(deps);
    } catch (error) {
      deps.log.error("sms worker failed", {
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
    } finally {
      running = false;
    }
  };
  const timer = setInterval(tick, options.intervalMs ?? WORKER_INTERVAL_MS);
  return () => clearInterval(timer);
}
