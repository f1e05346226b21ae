/**
 * Webhooks: other systems hear what happens here. Admins register endpoints per event type
 * (sessions created, picked up, transferred, ended; surveys answered; audit entries);
 * each event is queued in the transaction of the change it reports and delivered through
 * the outbox machinery (back-off retries, admin list, resend), signed by the Standard
 * Webhooks scheme. A delivery's id is its `webhook-id`: the same on every retry and resend.
 */

/**
 * `publishWebhookEvent(tx, { orgId, type, key?, data, at })` queues the event for every
 * enabled endpoint of the organisation subscribed to `type`; pass the transaction of the
 * change so the event commits with it. `key` (say `survey.answered:<session id>`) makes a
 * repeated call queue nothing new. Returns the delivery ids. `WEBHOOK_EVENT_TYPES` lists
 * the types.
 */
export {
  isWebhookEventType,
  publishWebhookEvent,
  WEBHOOK_EVENT_TYPES,
  type WebhookEvent,
  type WebhookEventType,
} from "./events.ts";

/** The tables: endpoints, deliveries, and the audit-follow cursor per organisation. */
export { webhookAuditCursors, webhookDeliveries, webhookEndpoints } from "./schema.ts";
