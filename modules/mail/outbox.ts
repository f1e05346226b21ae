import type { Database } from "../db/mod.ts";
import { OutboxStore } from "../outbox/mod.ts";
import { mailOutbox } from "./schema.ts";

export type MailRow = typeof mailOutbox.$inferSelect;

/** The mail outbox's queries: the admin list, resend and delivery. */
export const mailStore = new OutboxStore(mailOutbox);

export interface OutgoingMail {
  orgId?: string | null;
  kind: string;
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/**
 * Writes the message to the outbox; `db` may be a transaction so the message exists only
 * if the change that caused it commits. Without SMTP the row is `held`, so nothing is lost
 * and an admin can send it once SMTP is configured.
 */
export async function enqueueMail(
  db: Database,
  mail: OutgoingMail,
  options: { now: Date; smtpConfigured: boolean },
): Promise<string> {
  const [row] = await db.insert(mailOutbox).values({
    orgId: mail.orgId ?? null,
    kind: mail.kind,
    toAddress: mail.to,
    subject: mail.subject,
    textBody: mail.text,
    htmlBody: mail.html ?? null,
    status: options.smtpConfigured ? "pending" : "held",
    createdAt: options.now,
    nextAttemptAt: options.smtpConfigured ? options.now : null,
  }).returning({ id: mailOutbox.id });
  return row.id;
}
