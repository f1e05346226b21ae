import { Refusal } from "../refusal/mod.ts";
import type { AppDeps } from "../http/mod.ts";
import { type OutboxScope, type ResendActor, resendOutbox } from "../outbox/mod.ts";
import { deliverMail } from "./delivery.ts";
import { type MailRow, mailStore } from "./outbox.ts";

/**
 * An admin's "send it again": resets the messages (the listed ids, or every held and
 * failed one in scope) to pending with a clean attempt count, audits each one as
 * `mail.resent` in the same transaction, then delivers them now. Without SMTP there is
 * nothing to send with, so this is a 409 rather than a reset that would sit pending for
 * ever. Returns the rows as they were before; empty when none matched.
 */
export async function resendMail(
  deps: AppDeps,
  scope: OutboxScope,
  options: { actor: ResendActor; ids?: string[] },
): Promise<MailRow[]> {
  if (!deps.config.smtpUrl) throw new Refusal(409, "mail.smtpMissing");
  return await resendOutbox(deps, {
    store: mailStore,
    scope,
    actor: options.actor,
    ids: options.ids,
    action: "mail.resent",
    details: (row) => ({ kind: row.kind, to: row.toAddress }),
    deliver: (ids) => deliverMail(deps, ids),
  });
}
