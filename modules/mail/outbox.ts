import { and, count, desc, eq, inArray, isNull, or, type SQL } from "drizzle-orm";
import type { Database } from "../db/mod.ts";
import { mailOutbox } from "./schema.ts";

export type MailStatus = typeof mailOutbox.$inferSelect["status"];
export type OutboxRow = typeof mailOutbox.$inferSelect;

/** Every status a message can have, in the order the admin filter lists them. */
export const MAIL_STATUSES: readonly MailStatus[] = ["pending", "held", "sent", "failed"];

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

/**
 * Which messages an admin may see: a master admin also sees mail that belongs to no
 * organisation (system mail); an admin sees only their organisation's.
 */
export interface OutboxScope {
  orgId: string;
  includeUnowned: boolean;
}

function _inScope(scope: OutboxScope): SQL {
  const own = eq(mailOutbox.orgId, scope.orgId);
  return scope.includeUnowned ? or(own, isNull(mailOutbox.orgId))! : own;
}

export interface OutboxQuery {
  status?: MailStatus;
  page?: number;
  pageSize?: number;
}

/** One page of messages, newest first, plus the total for the pager. */
export async function listOutbox(db: Database, scope: OutboxScope, query: OutboxQuery = {}) {
  const pageSize = Math.min(Math.max(query.pageSize ?? 50, 1), 200);
  const page = Math.max(query.page ?? 1, 1);
  const filters = [_inScope(scope)];
  if (query.status) filters.push(eq(mailOutbox.status, query.status));
  const where = and(...filters);
  const [rows, [{ total }]] = await Promise.all([
    db.select().from(mailOutbox).where(where)
      .orderBy(desc(mailOutbox.createdAt), desc(mailOutbox.id))
      .limit(pageSize).offset((page - 1) * pageSize),
    db.select({ total: count() }).from(mailOutbox).where(where),
  ]);
  return { rows, total: Number(total), page, pageSize };
}

/** The message with `id` if the scope may see it. */
export async function findOutboxRow(
  db: Database,
  scope: OutboxScope,
  id: string,
): Promise<OutboxRow | undefined> {
  const [row] = await db.select().from(mailOutbox)
    .where(and(eq(mailOutbox.id, id), _inScope(scope)));
  return row;
}

/**
 * Makes messages deliverable again from scratch: pending, no attempts, due now. Either the
 * listed ids, or (`ids` omitted) every held or failed message in scope. Returns the rows
 * as they were before the reset, for the audit trail.
 */
export async function resetForResend(
  db: Database,
  scope: OutboxScope,
  options: { now: Date; ids?: string[] },
): Promise<OutboxRow[]> {
  const which = options.ids
    ? inArray(mailOutbox.id, options.ids)
    : inArray(mailOutbox.status, ["held", "failed"]);
  const before = await db.select().from(mailOutbox).where(and(which, _inScope(scope)))
    .for("update");
  if (before.length === 0) return [];
  await db.update(mailOutbox).set({
    status: "pending",
    attempts: 0,
    lastError: null,
    nextAttemptAt: options.now,
  }).where(inArray(mailOutbox.id, before.map((r) => r.id)));
  return before;
}
