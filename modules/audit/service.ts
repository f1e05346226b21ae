import { and, count, desc, eq, gte, lt, type SQL } from "drizzle-orm";
import type { Database } from "../db/mod.ts";
import { auditLog } from "./schema.ts";

/** The audit actions this codebase writes; one list so reports and filters agree. */
export const AUDIT_ACTIONS = [
  "setup.completed",
  "auth.signin",
  "auth.signin_failed",
  "auth.lockout",
  "auth.signout",
  "auth.signout_everywhere",
  "auth.totp_failed",
  "auth.recovery_code_used",
  "auth.password_changed",
  "auth.2fa_enabled",
  "auth.2fa_disabled",
  "auth.recovery_codes_regenerated",
  "auth.device_remembered",
  "auth.device_revoked",
  "auth.token_created",
  "auth.token_revoked",
  "auth.token_issued_api",
  "org.require_2fa_changed",
  "account.language_changed",
  "group.created",
  "group.updated",
  "group.deleted",
  "group.permissions_changed",
  "group.settings_changed",
  "group.admins_changed",
  "technician.invited",
  "technician.invitation_accepted",
  "technician.deactivated",
  "technician.reactivated",
  "technician.moved",
  "technician.status_changed",
  "channel.created",
  "channel.updated",
  "channel.deleted",
  "field.created",
  "field.updated",
  "field.deactivated",
  "field.reactivated",
  "callback.handled",
  "mail.resent",
  "replies.imported",
  "sms.resent",
  "session.created",
  "session.started",
  "session.held",
  "session.ended",
  "session.transferred",
  "session.transfer_returned",
  "session.chat_toggled",
  "session.file_sent",
  "session.pin_refused",
  "session.pin_locked",
] as const;
export type AuditAction = typeof AUDIT_ACTIONS[number];

export interface AuditEntry {
  orgId?: string | null;
  actorId?: string | null;
  actorEmail?: string | null;
  action: AuditAction;
  target?: string | null;
  ip?: string | null;
  details?: Record<string, unknown>;
  at: Date;
}

/** Appends one entry; `db` may be a transaction so the entry commits with the change. */
export async function recordAudit(db: Database, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({
    orgId: entry.orgId ?? null,
    actorId: entry.actorId ?? null,
    actorEmail: entry.actorEmail ?? null,
    action: entry.action,
    target: entry.target ?? null,
    ip: entry.ip ?? null,
    details: entry.details ?? {},
    createdAt: entry.at,
  });
}

export interface AuditQuery {
  orgId: string;
  action?: string;
  actorEmail?: string;
  from?: Date;
  to?: Date;
  page?: number;
  pageSize?: number;
}

/** One page of entries, newest first, plus the total for the pager. */
export async function listAudit(db: Database, query: AuditQuery) {
  const pageSize = Math.min(Math.max(query.pageSize ?? 50, 1), 200);
  const page = Math.max(query.page ?? 1, 1);
  const filters: SQL[] = [eq(auditLog.orgId, query.orgId)];
  if (query.action) filters.push(eq(auditLog.action, query.action));
  if (query.actorEmail) filters.push(eq(auditLog.actorEmail, query.actorEmail.toLowerCase()));
  if (query.from) filters.push(gte(auditLog.createdAt, query.from));
  if (query.to) filters.push(lt(auditLog.createdAt, query.to));
  const where = and(...filters);
  const [rows, [{ total }]] = await Promise.all([
    db.select().from(auditLog).where(where).orderBy(desc(auditLog.createdAt), desc(auditLog.id))
      .limit(pageSize).offset((page - 1) * pageSize),
    db.select({ total: count() }).from(auditLog).where(where),
  ]);
  return { rows, total: Number(total), page, pageSize };
}
