import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/mod.ts";
import { OutboxStore } from "../outbox/mod.ts";
import { mailOutbox } from "./schema.ts";

export type MailRow = typeof mailOutbox.$inferSelect;

/** The mail outbox's queries: the admin list, resend and delivery. */
export const mailStore = new OutboxStore(mailOutbox, { aboutGroups: mailAboutGroups });

/**
 * Which mail is about one of `groupIds`: an invitation or a password reset link to a person
 * of those groups (the recipient's account), or a session link sent for a session of those groups (the session
 * written in the same transaction: same organisation, same moment, same address). Other
 * mail is about nobody's group: the master admin's alone.
 *
 * Plain SQL over the `users`, `group_members` and `support_sessions` tables because those
 * modules send mail through this one (importing them would be a cycle); the outbox has no
 * group column of its own.
 */
function mailAboutGroups(groupIds: readonly string[]): SQL {
  const ids = sql.join(groupIds.map((id) => sql`${id}`), sql`, `);
  return sql`((${mailOutbox.kind} in ('invitation', 'password_reset') and exists (
      select 1 from users u join group_members gm on gm.user_id = u.id
      where u.org_id = ${mailOutbox.orgId} and u.email = ${mailOutbox.toAddress}
        and gm.group_id in (${ids})))
    or (${mailOutbox.kind} = 'session_invitation' and exists (
      select 1 from support_sessions s
      where s.org_id = ${mailOutbox.orgId} and s.created_at = ${mailOutbox.createdAt}
        and s.customer_contact = ${mailOutbox.toAddress} and s.group_id in (${ids}))))`;
}

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
