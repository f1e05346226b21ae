import { and, count, desc, eq, getTableColumns, gte, lt, or, type SQL, sql } from "drizzle-orm";
import { clampPage, type Database } from "../db/mod.ts";
import { appendToChain } from "./chain.ts";
import { auditLog } from "./schema.ts";

/** The audit actions this codebase writes; one list so reports and filters agree. */
export const AUDIT_ACTIONS = [
  "setup.completed",
  "auth.signin",
  "auth.signin_failed",
  "auth.signin_sso",
  "auth.sso_failed",
  "auth.sso_provisioned",
  "auth.lockout",
  "auth.signout",
  "auth.signout_everywhere",
  "auth.totp_failed",
  "auth.recovery_code_used",
  "auth.password_changed",
  "auth.password_reset_requested",
  "auth.password_reset",
  "auth.2fa_enabled",
  "auth.2fa_disabled",
  "auth.recovery_codes_regenerated",
  "auth.device_remembered",
  "auth.device_revoked",
  "auth.token_created",
  "auth.token_revoked",
  "auth.token_issued_api",
  "org.require_2fa_changed",
  "org.sso_changed",
  "org.renamed",
  "org.logo_changed",
  "account.language_changed",
  "group.created",
  "group.updated",
  "group.deleted",
  "group.permissions_changed",
  "group.settings_changed",
  "group.admins_changed",
  "technician.invited",
  "technician.invitation_accepted",
  "technician.invitation_link_created",
  "technician.deactivated",
  "technician.reactivated",
  "technician.moved",
  "technician.renamed",
  "technician.2fa_reset",
  "technician.unlocked",
  "technician.password_reset_sent",
  "technician.status_changed",
  "channel.created",
  "channel.updated",
  "channel.deleted",
  "field.created",
  "field.updated",
  "field.deactivated",
  "field.reactivated",
  "callback.handled",
  "survey.saved",
  "mail.resent",
  "replies.imported",
  "script.created",
  "script.updated",
  "script.deleted",
  "scripts.imported",
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
  "session.remote_requested",
  "session.remote_granted",
  "session.remote_denied",
  "session.remote_revoked",
  "session.remote_ended",
  "session.screenshot_taken",
  "session.device_info_shared",
  "session.present_started",
  "session.present_ended",
  "session.recording_started",
  "session.recording_stopped",
  "session.recording_failed",
  "session.recording_downloaded",
  "session.recording_deleted",
  "session.url_pushed",
  "session.fields_edited",
  "session.note_saved",
  "session.script_run",
  "session.process_ended",
  "session.service_action",
  "webhook.endpoint_created",
  "webhook.endpoint_updated",
  "webhook.endpoint_deleted",
  "webhook.resent",
  "audit.exported",
  "session.reboot_requested",
  "session.rebooted",
  "session.files_read",
  "session.files_changed",
  "session.files_downloaded",
  "session.files_uploaded",
  // Internal collaboration (modules/collaboration, issue 20).
  "session.collaborator_invited",
  "session.invitation_withdrawn",
  "session.collaborator_joined",
  "session.collaborator_removed",
  "session.collaborator_permissions",
  "session.lead_offered",
  "session.lead_offer_cancelled",
  "session.lead_accepted",
  // Monitoring (modules/monitoring, issue 20).
  "monitoring.asked",
  "monitoring.started",
  "monitoring.allowed",
  "monitoring.refused",
  "monitoring.ended",
  "monitoring.closed",
  "monitoring.revoked",
  // External technicians (modules/external, issue 20).
  "external.approved_added",
  "external.approved_updated",
  "external.approved_removed",
  "external.invited",
  "external.joined",
  "external.removed",
  "external.expired",
  "external.refused",
  // Unattended access (modules/unattended, issue 19).
  "unattended.device_registered",
  "unattended.device_refused",
  "unattended.grant_created",
  "unattended.connected",
  "unattended.refused",
  "unattended.access_removed",
  "unattended.revoked_by_customer",
  "unattended.approval_requested",
  "unattended.approval_decided",
  // The request during a session, service mode, calling cards (issue 19, request owner).
  "unattended.requested",
  "unattended.customer_decided",
  "unattended.decision_refused",
  "unattended.installed",
  "unattended.install_failed",
  "unattended.service_mode",
  "unattended.lan_scan",
  "unattended.lan_pushed",
  "unattended.lan_push_failed",
  "unattended.lan_key_accepted",
  "unattended.lan_key_forgotten",
  "calling_card.saved",
  "calling_card.deleted",
  "calling_card.deployed",
  // Lens: a customer's phone camera (modules/lens, SPEC M1).
  "lens.started",
  "lens.ended",
  "lens.recording_started",
  "lens.recording_stopped",
  "lens.recording_failed",
  "lens.recording_downloaded",
  "lens.recording_deleted",
] as const;
export type AuditAction = typeof AUDIT_ACTIONS[number];

/** Whether a stored action is one this codebase writes (and so has a sentence). */
export function isAuditAction(value: string): value is AuditAction {
  return (AUDIT_ACTIONS as readonly string[]).includes(value);
}

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

/**
 * Appends one entry to its organisation's hash chain (chain.ts); `db` may be a transaction
 * so the entry commits with the change. The chain's head stays locked until that
 * transaction ends: record the entry last, once the change's own work is done.
 */
export async function recordAudit(db: Database, entry: AuditEntry): Promise<void> {
  await appendToChain(db, {
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

/**
 * Whose entries an admin may read: the master admin (`all`) the organisation's whole log;
 * an admin its own actions and the entries about the groups it manages (`groupIds`).
 */
export interface AuditScope {
  orgId: string;
  userId: string;
  all: boolean;
  groupIds: readonly string[];
}

/** The scope of a signed-in admin (the page and the API read the same). */
export function auditScopeOf(
  user: { orgId: string; id: string; role: string; managedGroupIds?: Iterable<string> },
): AuditScope {
  return {
    orgId: user.orgId,
    userId: user.id,
    all: user.role === "master_admin",
    groupIds: [...(user.managedGroupIds ?? [])],
  };
}

export interface AuditQuery {
  scope: AuditScope;
  action?: string;
  actorEmail?: string;
  from?: Date;
  to?: Date;
  page?: number;
  pageSize?: number;
}

/**
 * One page of entries in scope, newest first, plus the total for the pager. The page is
 * clamped to the ones that exist (`clampPage`), whatever number was asked for.
 */
export async function listAudit(db: Database, query: AuditQuery) {
  const filters: SQL[] = [eq(auditLog.orgId, query.scope.orgId)];
  if (!query.scope.all) filters.push(_aboutScope(query.scope));
  if (query.action) filters.push(eq(auditLog.action, query.action));
  if (query.actorEmail) filters.push(eq(auditLog.actorEmail, query.actorEmail.toLowerCase()));
  if (query.from) filters.push(gte(auditLog.createdAt, query.from));
  if (query.to) filters.push(lt(auditLog.createdAt, query.to));
  const where = and(...filters);
  const [{ total }] = await db.select({ total: count() }).from(auditLog).where(where);
  const { page, pageSize } = clampPage(query, Number(total));
  const rows = await db.select({ ...getTableColumns(auditLog), ..._names(query.scope.orgId) })
    .from(auditLog).where(where)
    .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
    .limit(pageSize).offset((page - 1) * pageSize);
  return { rows, total: Number(total), page, pageSize };
}

/** One row of `listAudit`: the entry plus the names its actor and target have now. */
export type AuditRow = Awaited<ReturnType<typeof listAudit>>["rows"][number];

/**
 * Names for the ids an entry keeps, looked up in the row's query so the page reads "Anna
 * changed the group Helpdesk", not two UUIDs: the actor's name, and the target's if it is a
 * person, group, channel, form field or session of the organisation (null when it is gone).
 * Plain SQL over those modules' tables for the reason `_aboutScope` gives.
 */
function _names(orgId: string) {
  const target = sql`${auditLog.target}`;
  const id =
    sql`(case when ${target} ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then ${target}::uuid end)`;
  return {
    actorName: sql<string | null>`(select u.name from users u where u.id = ${auditLog.actorId})`,
    targetName: sql<string | null>`coalesce(
      (select u.name from users u where u.id = ${id} and u.org_id = ${orgId}),
      (select g.name from technician_groups g where g.id = ${id} and g.org_id = ${orgId}),
      (select ch.name from channels ch where ch.id = ${id} and ch.org_id = ${orgId}),
      (select f.label from custom_fields f where f.id = ${id} and f.org_id = ${orgId}))`,
    targetSession: sql<
      { number: number; customer: string } | null
    >`(select json_build_object('number', s.number, 'customer', s.customer_name)
        from support_sessions s where s.id = ${id} and s.org_id = ${orgId})`,
  };
}

/**
 * The entries a limited admin may read: its own actions; actions of the people of its
 * groups; and entries whose target is one of its groups, a person of them, a session of
 * them or a channel serving one of them. Plain SQL over those modules' tables, because they
 * all write to the audit log (importing them here would be a cycle).
 */
function _aboutScope(scope: AuditScope): SQL {
  const mine = eq(auditLog.actorId, scope.userId);
  if (scope.groupIds.length === 0) return mine;
  const ids = sql.join(scope.groupIds.map((id) => sql`${id}`), sql`, `);
  const members = sql`select gm.user_id from group_members gm where gm.group_id in (${ids})`;
  return or(
    mine,
    sql`${auditLog.actorId} in (${members})`,
    sql`${auditLog.target} in (
      select g.id::text from technician_groups g where g.id in (${ids})
      union all select m.user_id::text from (${members}) m
      union all select s.id::text from support_sessions s where s.group_id in (${ids})
      union all select cg.channel_id::text from channel_groups cg where cg.group_id in (${ids}))`,
  )!;
}
