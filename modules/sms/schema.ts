import { index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

const at = (name: string) => timestamp(name, { withTimezone: true });

/**
 * Every SMS, written before any delivery attempt (like the mail outbox): `held` while no
 * gateway is configured, `pending` until sent or retried out, `sent`, or `failed`.
 */
export const smsOutbox = pgTable("sms_outbox", {
  id: uuid("id").primaryKey().defaultRandom(),
  orgId: uuid("org_id"),
  toNumber: text("to_number").notNull(),
  body: text("body").notNull(),
  status: text("status").$type<"held" | "pending" | "sent" | "failed">().notNull(),
  attempts: integer("attempts").notNull().default(0),
  lastError: text("last_error"),
  createdAt: at("created_at").notNull(),
  nextAttemptAt: at("next_attempt_at"),
  sentAt: at("sent_at"),
}, (t) => [index("sms_outbox_status_idx").on(t.status, t.nextAttemptAt)]);
