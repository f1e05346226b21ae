import { type AuditAction, recordAudit } from "../audit/mod.ts";
import type { AppDeps } from "../http/mod.ts";
import type { OutboxRow, OutboxScope, OutboxStore } from "./store.ts";

/** The admin asking for a resend, as the audit trail records them. */
export interface ResendActor {
  id: string;
  email: string;
  ip: string;
}

export interface ResendOptions<Row extends OutboxRow> {
  store: OutboxStore<Row>;
  scope: OutboxScope;
  actor: ResendActor;
  /** The rows to resend; omitted: every held and failed one in scope. */
  ids?: string[];
  /** The audit action written once per row ("mail.resent"). */
  action: AuditAction;
  /** What the audit entry says about a row besides its status before. */
  details(row: Row): Record<string, unknown>;
  /** Sends the reset rows now (the outbox's own deliverer). */
  deliver(ids: string[]): Promise<void>;
}

/**
 * An admin's "send it again": resets the messages to pending with a clean attempt count,
 * audits each one in the same transaction, then delivers them now. The caller refuses
 * first when there is nothing to send with. Returns the rows as they were before; empty
 * when none matched.
 */
export async function resendOutbox<Row extends OutboxRow>(
  deps: AppDeps,
  options: ResendOptions<Row>,
): Promise<Row[]> {
  const { scope, actor } = options;
  const now = deps.clock.now();
  const before = await deps.db.transaction(async (tx) => {
    const rows = await options.store.resetForResend(tx, scope, { now, ids: options.ids });
    for (const row of rows) {
      await recordAudit(tx, {
        orgId: row.orgId ?? scope.orgId,
        actorId: actor.id,
        actorEmail: actor.email,
        action: options.action,
        target: row.id,
        ip: actor.ip,
        details: { ...options.details(row), statusBefore: row.status },
        at: now,
      });
    }
    return rows;
  });
  await options.deliver(before.map((r) => r.id));
  return before;
}
