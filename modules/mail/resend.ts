import { recordAudit } from "../audit/mod.ts";
import type { Database } from "../db/mod.ts";
import { type AppDeps, HttpError } from "../http/mod.ts";
import { deliverMail } from "./delivery.ts";
import { type OutboxRow, type OutboxScope, resetForResend } from "./outbox.ts";

export interface ResendActor {
  id: string;
  email: string;
  ip: string;
}

/**
 * An admin's "send it again": resets the messages (the listed ids, or every held and
 * failed one in scope) to pending with a clean attempt count, audits each one in the same
 * transaction, then delivers them now. Without SMTP there is nothing to send with, so
 * this is a 409 rather than a reset that would sit pending for ever. Returns the rows as
 * they were before; empty when none matched.
 */
export async function resendMail(
  deps: AppDeps,
  scope: OutboxScope,
  options: { actor: ResendActor; ids?: string[] },
): Promise<OutboxRow[]> {
  if (!deps.config.smtpUrl) throw new HttpError(409, "mail.smtpMissing");
  const now = deps.clock.now();
  const before = await deps.db.transaction(async (tx) => {
    const t = tx as unknown as Database;
    const rows = await resetForResend(t, scope, { now, ids: options.ids });
    for (const row of rows) {
      await recordAudit(t, {
        orgId: row.orgId ?? scope.orgId,
        actorId: options.actor.id,
        actorEmail: options.actor.email,
        action: "mail.resent",
        target: row.id,
        ip: options.actor.ip,
        details: { kind: row.kind, to: row.toAddress, statusBefore: row.status },
        at: now,
      });
    }
    return rows;
  });
  await deliverMail(deps, before.map((r) => r.id));
  return before;
}
