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

/**
 * `deliverWebhooks(deps, ids?)` sends the given (or every due) delivery now: a POST of the
 * `{ type, timestamp, data }` body with `webhook-id`, `webhook-timestamp` and
 * `webhook-signature` (HMAC-SHA256 by the endpoint's secret, the `standardwebhooks`
 * library); a 2xx is delivered, anything else is retried 1, 2, 4 … minutes later (the
 * outbox's back-off) and `failed` after 8 attempts. `followAuditChains(deps)` turns new
 * audit entries into `audit.recorded` events. `startWebhookWorker(deps)` does both every
 * 5 seconds until the returned function is called; main.ts starts it.
 */
export { deliverWebhooks, followAuditChains, startWebhookWorker } from "./delivery.ts";

/**
 * The master admin's pages at `/admin/webhooks`: endpoints (add — the `whsec_` secret is
 * shown once and stored sealed —, change, switch off, delete), each endpoint's deliveries
 * with status, attempts and the last answer (status, time, body excerpt), and resend.
 * Master admin only: an endpoint hears every group's sessions, and the permission table
 * (technician-group permissions) has none that would give a limited admin that reach.
 * An endpoint at a loopback, private or link-local address is refused, when saved and
 * (its name resolved again) at each delivery, unless WEBHOOK_ALLOW_PRIVATE allows it
 * (destination.ts).
 */
export { webhookAdminRoutes } from "./routes.tsx";

/** The tables: endpoints, deliveries, and the audit-follow cursor per organisation. */
export { webhookAuditCursors, webhookDeliveries, webhookEndpoints } from "./schema.ts";
