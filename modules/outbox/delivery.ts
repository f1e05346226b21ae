import type { AppDeps } from "../http/mod.ts";
import type { OutboxRow, OutboxStore } from "./store.ts";

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

/** How one outbox hands its messages on: its rows, the carrier, and what its logs say. */
export interface Courier<Row extends OutboxRow> {
  /** Begins the log lines: "mail sent", "sms delivery failed". */
  name: string;
  store: OutboxStore<Row>;
  /** Hands one message over; rejects with an Error whose message admins may read. */
  send(row: Row): Promise<void>;
  /** What the log lines say about a row (never a body: it may carry a PIN or a link). */
  logFields(row: Row): Record<string, unknown>;
}

/**
 * Delivers the given rows (pending and due, or held — a caller naming a held row asks for
 * it to go out now), or every due pending row when `ids` is omitted, batch after batch.
 * Failures are written to the row, never thrown; database errors are.
 */
export async function deliverOutbox<Row extends OutboxRow>(
  deps: AppDeps,
  courier: Courier<Row>,
  options: { ids?: string[] } = {},
): Promise<void> {
  const { ids } = options;
  if (ids && ids.length === 0) return;
  for (;;) {
    const now = deps.clock.now();
    const claimed = await courier.store.claim(deps.db, {
      now,
      until: new Date(now.getTime() + CLAIM_MS),
      batch: BATCH,
      ids,
    });
    for (const row of claimed) await _deliverOne(deps, courier, row);
    if (ids || claimed.length < BATCH) return;
  }
}

async function _deliverOne<Row extends OutboxRow>(
  deps: AppDeps,
  courier: Courier<Row>,
  row: Row,
): Promise<void> {
  try {
    await courier.send(row);
  } catch (error) {
    const attempts = row.attempts + 1;
    const failed = attempts >= MAX_ATTEMPTS;
    const now = deps.clock.now();
    const message = error instanceof Error ? error.message : String(error);
    await courier.store.record(deps.db, row.id, {
      attempts,
      lastError: message.slice(0, 1000),
      status: failed ? "failed" : "pending",
      nextAttemptAt: failed ? null : new Date(now.getTime() + retryDelayMs(attempts)),
    });
    deps.log.warn(`${courier.name} delivery failed`, {
      ...courier.logFields(row),
      attempts,
      failed,
    });
    return;
  }
  await courier.store.record(deps.db, row.id, {
    status: "sent",
    sentAt: deps.clock.now(),
    nextAttemptAt: null,
    lastError: null,
  });
  deps.log.info(`${courier.name} sent`, courier.logFields(row));
}

/**
 * Runs `deliver` every 30 seconds (`intervalMs`, for tests; a run never overlaps the
 * previous one) and returns a function that stops the loop. Errors (say, a database
 * hiccup) are logged as "<name> worker failed" and the next tick tries again.
 */
export function startOutboxWorker(
  deps: Pick<AppDeps, "log">,
  options: { name: string; deliver: () => Promise<void>; intervalMs?: number },
): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await options.deliver();
    } catch (error) {
      deps.log.error(`${options.name} worker failed`, {
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
    } finally {
      running = false;
    }
  };
  const timer = setInterval(tick, options.intervalMs ?? WORKER_INTERVAL_MS);
  return () => clearInterval(timer);
}
