import { index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

const at = (name: string) => timestamp(name, { withTimezone: true });

/**
 * Every outgoing message, written before any delivery attempt, so nothing is ever
 * silently dropped: `held` while no SMTP is configured, `pending` until sent or
 * retried out, `sent`, or `failed` (after the last retry; an admin can resend).
 */
export const mailOutbox = pgTable("mail_outbox", {
  id: uuid("id").primaryKey().defaultRandom(),
  orgId: uuid("org_id"),
  kind: text("kind").notNull(),
  toAddress: text("to_address").notNull(),
  subject: text("subject").notNull(),
  textBody: text("text_body").notNull(),
  htmlBody: text("html_body"),
  status: text("status").$type<"held" | "pending" | "sent" | "failed">().notNull(),
  attempts: integer("attempts").notNull().default(0),
  lastError: text("last_error"),
  createdAt: at("created_at").notNull(),
  nextAttemptAt: at("next_attempt_at"),
  sentAt: at("sent_at"),
}, (t) => [index("mail_outbox_status_idx").on(t.status, t.nextAttemptAt)]);
