import { and, count, desc, eq, inArray, isNull, or, type SQL } from "drizzle-orm";
import type { Database } from "../db/mod.ts";
import { normalisePhoneNumber } from "./phone.ts";
import { smsOutbox } from "./schema.ts";

export type SmsStatus = typeof smsOutbox.$inferSelect["status"];
export type SmsRow = typeof smsOutbox.$inferSelect;

/** Every status a text message can have, in the order the admin filter lists them. */
export const SMS_STATUSES: readonly SmsStatus[] = ["pending", "held", "sent", "failed"];

export interface OutgoingSms {
  /** Whose admins see it in the outbox; null for a message that belongs to no organisation. */
  orgId: string | null;
  /** The number as typed; it is normalised (spaces and dashes removed) before storing. */
  to: string;
  body: string;
  now: Date;
  /** Whether an SMS gateway is configured: `pending` (due now) if so, else `held`. */
  gatewayConfigured: boolean;
}

/**
 * Validates the number and writes the message to the outbox; `db` may be a transaction so
 * the message exists only if the change that caused it commits. A bad number throws
 * `InvalidPhoneNumberError` before anything is written. Returns the row's id.
 */
export async function enqueueSms(db: Database, sms: OutgoingSms): Promise<string> {
  const toNumber = normalisePhoneNumber(sms.to);
  if (sms.body.trim() === "") throw new RangeError("An SMS needs a body");
  const [row] = await db.insert(smsOutbox).values({
    orgId: sms.orgId,
    toNumber,
    body: sms.body,
    status: sms.gatewayConfigured ? "pending" : "held",
    createdAt: sms.now,
    nextAttemptAt: sms.gatewayConfigured ? sms.now : null,
  }).returning({ id: smsOutbox.id });
  return row.id;
}

/**
 * Which messages an admin may see: a master admin also sees messages that belong to no
 * organisation; an admin sees only their organisation's.
 */
export interface SmsScope {
  orgId: string;
  includeUnowned: boolean;
}

function _inScope(scope: SmsScope): SQL {
  const own = eq(smsOutbox.orgId, scope.orgId);
  return scope.includeUnowned ? or(own, isNull(smsOutbox.orgId))! : own;
}

export interface SmsQuery {
  status?: SmsStatus;
  page?: number;
  pageSize?: number;
}

/** One page of messages, newest first, plus the total for the pager. */
export async function listSms(db: Database, scope: SmsScope, query: SmsQuery = {}) {
  const pageSize = Math.min(Math.max(query.pageSize ?? 50, 1), 200);
  const page = Math.max(query.page ?? 1, 1);
  const filters = [_inScope(scope)];
  if (query.status) filters.push(eq(smsOutbox.status, query.status));
  const where = and(...filters);
  const [rows, [{ total }]] = await Promise.all([
    db.select().from(smsOutbox).where(where)
      .orderBy(desc(smsOutbox.createdAt), desc(smsOutbox.id))
      .limit(pageSize).offset((page - 1) * pageSize),
    db.select({ total: count() }).from(smsOutbox).where(where),
  ]);
  return { rows, total: Number(total), page, pageSize };
}

/** The message with `id` if the scope may see it. */
export async function findSms(
  db: Database,
  scope: SmsScope,
  id: string,
): Promise<SmsRow | undefined> {
  const [row] = await db.select().from(smsOutbox)
    .where(and(eq(smsOutbox.id, id), _inScope(scope)));
  return row;
}

/**
 * Makes messages deliverable again from scratch: pending, no attempts, due now. Either the
 * listed ids, or (`ids` omitted) every held or failed message in scope. Returns the rows
 * as they were before the reset, for the audit trail.
 */
export async function resetSmsForResend(
  db: Database,
  scope: SmsScope,
  options: { now: Date; ids?: string[] },
): Promise<SmsRow[]> {
  const which = options.ids
    ? inArray(smsOutbox.id, options.ids)
    : inArray(smsOutbox.status, ["held", "failed"]);
  const before = await db.select().from(smsOutbox).where(and(which, _inScope(scope)))
    .for("update");
  if (before.length === 0) return [];
  await db.update(smsOutbox).set({
    status: "pending",
    attempts: 0,
    lastError: null,
    nextAttemptAt: options.now,
  }).where(inArray(smsOutbox.id, before.map((r) => r.id)));
  return before;
}
