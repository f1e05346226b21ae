/**
 * Delivering queued events (the outbox machinery: claim, back-off 1, 2, 4 … minutes,
 * `failed` after 8 attempts, resend): one signed POST per delivery, the response kept on
 * the row for the admin list. And following each organisation's audit chain into
 * `audit.recorded` events.
 */
import { and, asc, eq, gt } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { auditLog } from "../audit/mod.ts";
import type { AppDeps } from "../http/mod.ts";
import { deliverOutbox, OutboxStore, startOutboxWorker } from "../outbox/mod.ts";
import { publishWebhookEvent } from "./events.ts";
import { webhookAuditCursors, webhookDeliveries, webhookEndpoints } from "./schema.ts";
import { openWebhookSecret } from "./secret.ts";
import { refusedDestination } from "./destination.ts";

export type DeliveryRow = typeof webhookDeliveries.$inferSelect;

const TIMEOUT_MS = 10_000;
const EXCERPT = 500;
const WORKER_INTERVAL_MS = 5_000;

/** Admins' scope: webhooks are the organisation's, so only the master admin sees them. */
export const deliveryStore = new OutboxStore(webhookDeliveries);

/**
 * Sends the given deliveries (or every due pending one) now. A 2xx answer is delivered;
 * anything else — another status, no answer in 10 s, a refused connection — is a failed
 * attempt, retried later with back-off. Errors never throw; database errors do.
 */
export async function deliverWebhooks(deps: AppDeps, ids?: string[]): Promise<void> {
  await deliverOutbox(deps, {
    name: "webhook",
    store: deliveryStore,
    send: (row) => _send(deps, row),
    logFields: (row) => ({ deliveryId: row.id, endpointId: row.endpointId, type: row.eventType }),
  }, { ids });
}

async function _send(deps: AppDeps, row: DeliveryRow): Promise<void> {
  const [endpoint] = await deps.db.select().from(webhookEndpoints)
    .where(eq(webhookEndpoints.id, row.endpointId));
  if (!endpoint) throw new Error("The endpoint was deleted");
  if (!endpoint.enabled) throw new Error("The endpoint is switched off");
  const secret = await openWebhookSecret(deps.config, endpoint.id, endpoint.secretSealed);
  const body = JSON.stringify(row.payload);
  const sentAt = deps.clock.now();
  const signature = new Webhook(secret).sign(row.id, sentAt, body);
  const started = performance.now();
  const outcome: { status: number | null; body: string | null; error?: string } = {
    status: null,
    body: null,
  };
  // Where the name points now, not when it was saved (WEBHOOK_ALLOW_PRIVATE, destination.ts).
  const refused = await refusedDestination(
    new URL(endpoint.url),
    deps.config.webhookAllowPrivate ?? "none",
  );
  try {
    if (refused) throw new RefusedDestination(refused);
    const res = await fetch(endpoint.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "Rescue-Webhooks/1",
        "webhook-id": row.id,
        "webhook-timestamp": String(Math.floor(sentAt.getTime() / 1000)),
        "webhook-signature": signature,
      },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    outcome.status = res.status;
    outcome.body = (await res.text().catch(() => "")).slice(0, EXCERPT);
    if (!res.ok) outcome.error = `The endpoint answered ${res.status}`;
  } catch (error) {
    outcome.error = error instanceof RefusedDestination
      ? `Not sent: ${error.message} (see WEBHOOK_ALLOW_PRIVATE)`
      : error instanceof DOMException && error.name === "TimeoutError"
      ? `No answer within ${TIMEOUT_MS / 1000} s`
      : `Unreachable: ${_reason(error)}`;
  }
  // Counted here for deliveries that succeed too (the outbox counts only failures).
  await deps.db.update(webhookDeliveries).set({
    attempts: row.attempts + 1,
    lastAttemptAt: sentAt,
    responseStatus: outcome.status,
    responseMs: Math.round(performance.now() - started),
    responseBody: outcome.body,
  }).where(eq(webhookDeliveries.id, row.id));
  if (outcome.error) throw new Error(outcome.error);
}

class RefusedDestination extends Error {}

function _reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return cause ? `${error.message}: ${cause}` : error.message;
}

/**
 * Turns new entries of each followed audit chain into `audit.recorded` events, in one
 * transaction per organisation with its cursor row locked: an entry is queued once, and
 * none is skipped (a chain's entries commit in `seq` order). An organisation is followed
 * from the moment its first endpoint for audit events was registered.
 */
export async function followAuditChains(deps: AppDeps): Promise<number> {
  const cursors = await deps.db.select({ orgId: webhookAuditCursors.orgId })
    .from(webhookAuditCursors);
  let queued = 0;
  for (const { orgId } of cursors) {
    queued += await deps.db.transaction(async (tx) => {
      const [cursor] = await tx.select().from(webhookAuditCursors)
        .where(eq(webhookAuditCursors.orgId, orgId)).for("update");
      const entries = await tx.select().from(auditLog)
        .where(and(eq(auditLog.orgId, orgId), gt(auditLog.seq, cursor.seq)))
        .orderBy(asc(auditLog.seq)).limit(500);
      for (const entry of entries) {
        await publishWebhookEvent(tx, {
          orgId,
          type: "audit.recorded",
          key: `audit.recorded:${entry.seq}`,
          at: entry.createdAt,
          data: {
            seq: entry.seq,
            action: entry.action,
            actorId: entry.actorId,
            actorEmail: entry.actorEmail,
            target: entry.target,
            ip: entry.ip,
            details: entry.details,
            at: entry.createdAt.toISOString(),
            hash: entry.hash,
          },
        });
      }
      const last = entries.at(-1);
      if (last) {
        await tx.update(webhookAuditCursors).set({ seq: last.seq! })
          .where(eq(webhookAuditCursors.orgId, orgId));
      }
      return entries.length;
    });
  }
  return queued;
}

/**
 * Every 5 seconds (`intervalMs`, for tests): audit entries into events, then due
 * deliveries out. Returns the function that stops it.
 */
export function startWebhookWorker(
  deps: AppDeps,
  options: { intervalMs?: number } = {},
): () => void {
  return startOutboxWorker(deps, {
    name: "webhook",
    deliver: async () => {
      await followAuditChains(deps);
      await deliverWebhooks(deps);
    },
    intervalMs: options.intervalMs ?? WORKER_INTERVAL_MS,
  });
}
