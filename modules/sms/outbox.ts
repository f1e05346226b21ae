import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/mod.ts";
import { OutboxStore } from "../outbox/mod.ts";
import { normalisePhoneNumber } from "./phone.ts";
import { smsOutbox } from "./schema.ts";

export type SmsRow = typeof smsOutbox.$inferSelect;

/** The SMS outbox's queries: the admin list, resend and delivery. */
export const smsStore = new OutboxStore(smsOutbox, { aboutGroups: smsAboutGroups });

/**
 * Which text messages are about one of `groupIds`: a session's PIN and link sent for a
 * session of those groups (its link token is in the body). Any other message is about
 * nobody's group: the master admin's alone.
 *
 * Plain SQL over `support_sessions` because the support module sends through this one
 * (importing it would be a cycle); the outbox has no group column of its own.
 */
function smsAboutGroups(groupIds: readonly string[]): SQL {
  const ids = sql.join(groupIds.map((id) => sql`${id}`), sql`, `);
  return sql`exists (
    select 1 from support_sessions s
    where s.org_id = ${smsOutbox.orgId} and s.created_at = ${smsOutbox.createdAt}
      and strpos(${smsOutbox.body}, '/s/' || s.token) > 0 and s.group_id in (${ids}))`;
}

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
