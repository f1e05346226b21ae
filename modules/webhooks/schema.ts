import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { organisations, users } from "../auth/schema.ts";

const at = (name: string) => timestamp(name, { withTimezone: true });

/**
 * A receiver an admin registered: where to POST, which event types it wants, and its
 * signing secret (`whsec_…`, sealed with the server's key: a copy of the database does not
 * let anyone forge deliveries).
 */
export const webhookEndpoints = pgTable("webhook_endpoints", {
  id: uuid("id").primaryKey().defaultRandom(),
  orgId: uuid("org_id").notNull().references(() => organisations.id),
  url: text("url").notNull(),
  description: text("description").notNull().default(""),
  eventTypes: jsonb("event_types").$type<string[]>().notNull(),
  secretSealed: text("secret_sealed").notNull(),
  enabled: boolean("enabled").notNull().default(true),
  createdBy: uuid("created_by").references(() => users.id),
  createdAt: at("created_at").notNull(),
}, (t) => [index("webhook_endpoints_org_idx").on(t.orgId)]);

/**
 * One event for one endpoint, written in the transaction of the change it reports and
 * delivered by the outbox machinery. Its `id` is the `webhook-id` header: the same on every
 * retry and resend, so receivers deduplicate by it. `eventKey` names the event itself
 * (`session.ended:<session>`): an event is queued once per endpoint, however often the
 * code path that reports it runs. The last response is kept for the admin list.
 */
export const webhookDeliveries = pgTable("webhook_deliveries", {
  id: uuid("id").primaryKey().defaultRandom(),
  orgId: uuid("org_id").notNull(),
  endpointId: uuid("endpoint_id").notNull().references(() => webhookEndpoints.id, {
    onDelete: "cascade",
  }),
  eventType: text("event_type").notNull(),
  eventKey: text("event_key").notNull(),
  /** The body as sent: `{ type, timestamp, data }` (Standard Webhooks). */
  payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
  status: text("status").$type<"held" | "pending" | "sent" | "failed">().notNull(),
  attempts: integer("attempts").notNull().default(0),
  lastError: text("last_error"),
  createdAt: at("created_at").notNull(),
  nextAttemptAt: at("next_attempt_at"),
  sentAt: at("sent_at"),
  lastAttemptAt: at("last_attempt_at"),
  responseStatus: integer("response_status"),
  responseMs: integer("response_ms"),
  responseBody: text("response_body"),
}, (t) => [
  index("webhook_deliveries_status_idx").on(t.status, t.nextAttemptAt),
  index("webhook_deliveries_endpoint_idx").on(t.endpointId, t.createdAt),
  uniqueIndex("webhook_deliveries_event_idx").on(t.endpointId, t.eventKey),
]);

/**
 * How far each organisation's audit chain has been turned into `audit.recorded` deliveries:
 * the last `seq` handed on. Entries of a chain commit in `seq` order (the chain head's row
 * lock), so following it by `seq` misses none and repeats none.
 */
export const webhookAuditCursors = pgTable("webhook_audit_cursors", {
  orgId: uuid("org_id").primaryKey().references(() => organisations.id),
  seq: bigint("seq", { mode: "number" }).notNull(),
});
