/**
 * What the product tells other systems: the event types an endpoint can subscribe to, and
 * `publishWebhookEvent`, which queues one event for every endpoint of the organisation
 * that wants it — in the caller's transaction, so the event exists exactly when the change
 * it reports commits (the outbox pattern). The worker delivers it afterwards.
 */
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../db/mod.ts";
import { webhookDeliveries, webhookEndpoints } from "./schema.ts";

/** Every event type, in the order the admin form lists them. */
export const WEBHOOK_EVENT_TYPES = [
  "session.created",
  "session.picked_up",
  "session.transferred",
  "session.ended",
  "survey.answered",
  "audit.recorded",
] as const;
export type WebhookEventType = typeof WEBHOOK_EVENT_TYPES[number];

export function isWebhookEventType(value: string): value is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}

export interface WebhookEvent {
  orgId: string;
  type: WebhookEventType;
  /**
   * Names this occurrence (`session.ended:<session id>`): queued at most once per endpoint
   * whatever calls it again. Omitted: every call is a new event.
   */
  key?: string;
  /** The event's `data` (JSON): what the receiver needs without calling back. */
  data: Record<string, unknown>;
  at: Date;
}

/**
 * Queues `event` for each enabled endpoint of its organisation subscribed to its type.
 * Pass the transaction of the change: the deliveries commit (or vanish) with it. Returns
 * the ids of the deliveries written (each is that delivery's `webhook-id`).
 */
export async function publishWebhookEvent(db: Database, event: WebhookEvent): Promise<string[]> {
  const endpoints = await db.select({ id: webhookEndpoints.id }).from(webhookEndpoints).where(
    and(
      eq(webhookEndpoints.orgId, event.orgId),
      eq(webhookEndpoints.enabled, true),
      sql`${webhookEndpoints.eventTypes} @> ${JSON.stringify([event.type])}::jsonb`,
    ),
  );
  if (endpoints.length === 0) return [];
  const key = event.key ?? `${event.type}:${crypto.randomUUID()}`;
  const payload = { type: event.type, timestamp: event.at.toISOString(), data: event.data };
  const rows = await db.insert(webhookDeliveries).values(endpoints.map((e) => ({
    orgId: event.orgId,
    endpointId: e.id,
    eventType: event.type,
    eventKey: key,
    payload,
    status: "pending" as const,
    createdAt: event.at,
    nextAttemptAt: event.at,
  }))).onConflictDoNothing().returning({ id: webhookDeliveries.id });
  return rows.map((r) => r.id);
}
