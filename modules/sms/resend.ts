import { Refusal } from "../refusal/mod.ts";
import { type OutboxScope, type ResendActor, resendOutbox } from "../outbox/mod.ts";
import { deliverSms, type SmsDeps, smsGatewayOf } from "./delivery.ts";
import { type SmsRow, smsStore } from "./outbox.ts";

/**
 * An admin's "send it again": resets the messages (the listed ids, or every held and
 * failed one in scope) to pending with a clean attempt count, audits each one as
 * `sms.resent` in the same transaction, then delivers them now. Without a gateway there is
 * nothing to send with, so this is a 409 rather than a reset that would sit pending for
 * ever. Returns the rows as they were before; empty when none matched. The audit names the
 * number, not the text (it carries a PIN or a session link).
 */
export async function resendSms(
  deps: SmsDeps,
  scope: OutboxScope,
  options: { actor: ResendActor; ids?: string[] },
): Promise<SmsRow[]> {
  if (!smsGatewayOf(deps)) throw new Refusal(409, "sms.gatewayMissing");
  return await resendOutbox(deps, {
    store: smsStore,
    scope,
    actor: options.actor,
    ids: options.ids,
    action: "sms.resent",
    details: (row) => ({ to: row.toNumber }),
    deliver: (ids) => deliverSms(deps, ids),
  });
}
