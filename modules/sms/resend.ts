import { recordAudit } from "../audit/mod.ts";
import type { Database } from "../db/mod.ts";
import { HttpError } from "../http/mod.ts";
import { deliverSms, type SmsDeps, smsGatewayOf } from "./delivery.ts";
import { resetSmsForResend, type SmsRow, type SmsScope } from "./outbox.ts";

export interface ResendActor {
  id: string;
  email: string;
  ip: string;
}

/**
 * An admin's "send it again": resets the messages (the listed ids, or every held and
 * failed one in scope) to pending with a clean attempt count, audits each one in the same
 * transaction, then delivers them now. Without a gateway there is nothing to send with,
 * so this is a 409 rather than a reset that would sit pending for ever. Returns the rows
 * as they were before; empty when none matched. The audit names the number, not the text
 * (it carries a PIN or a session link).
 */
export async function resendSms(
  deps: SmsDeps,
  scope: SmsScope,
  options: { actor: ResendActor; ids?: string[] },
): Promise<SmsRow[]> {
  if (!smsGatewayOf(deps)) throw new HttpError(409, "sms.gatewayMissing");
  const now = deps.clock.now();
  const before = await deps.db.transaction(async (tx) => {
    const t = tx as unknown as Database;
    const rows = await resetSmsForResend(t, scope, { now, ids: options.ids });
    for (const row of rows) {
      await recordAudit(t, {
        orgId: row.orgId ?? scope.orgId,
        actorId: options.actor.id,
        actorEmail: options.actor.email,
        action: "sms.resent",
        target: row.id,
        ip: options.actor.ip,
        details: { to: row.toNumber, statusBefore: row.status },
        at: now,
      });
    }
    return rows;
  });
  await deliverSms(deps, before.map((r) => r.id));
  return before;
}
