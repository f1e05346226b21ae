import type { AppDeps } from "../http/mod.ts";
import { type Courier, deliverOutbox, startOutboxWorker } from "../outbox/mod.ts";
import { type MailRow, mailStore } from "./outbox.ts";
import { sendOverSmtp } from "./transport.ts";

/**
 * Delivers the given rows (pending and due, or held — a caller naming a held row asks for
 * it to go out now), or every due pending row when `ids` is omitted, over SMTP. Failures
 * are written to the row, never thrown; database errors are. Without SMTP it does nothing.
 */
export async function deliverMail(deps: AppDeps, ids?: string[]): Promise<void> {
  if (!deps.config.smtpUrl) return;
  await deliverOutbox(deps, _courier(deps), { ids });
}

function _courier(deps: AppDeps): Courier<MailRow> {
  return {
    name: "mail",
    store: mailStore,
    send: (row) => sendOverSmtp(deps.config, row),
    logFields: (row) => ({ mailId: row.id, kind: row.kind }),
  };
}

/**
 * Retries due pending mail every 30 seconds (`intervalMs`, for tests) and returns a
 * function that stops the loop.
 */
export function startMailWorker(
  deps: AppDeps,
  options: { intervalMs?: number } = {},
): () => void {
  return startOutboxWorker(deps, {
    name: "mail",
    deliver: () => deliverMail(deps),
    intervalMs: options.intervalMs,
  });
}
