/**
 * Sending a Lens session's link to the customer by e-mail or text message, through the same
 * outboxes, permissions and rules as a support session's invitation (modules/support
 * create.ts): the group's `methodEmail` / `methodSms`, a budget per technician
 * (`lensInvite`), the address or number checked before anything is written, the message in
 * the technician's language. Without SMTP or an SMS gateway the message is held in Messages,
 * and the answer says so — never "sent" for a message that is not.
 */
import { eq } from "drizzle-orm";
import type { AppDeps, CurrentUser } from "../http/mod.ts";
import type { Language, TranslationKey } from "../i18n/mod.ts";
import { enforce } from "../limits/mod.ts";
import { deliverMail, enqueueMail, mailOutbox } from "../mail/mod.ts";
import { can, type Permission } from "../permissions/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import {
  deliverSms,
  enqueueSms,
  normalisePhoneNumber,
  type SmsDeps,
  smsOutbox,
} from "../sms/mod.ts";
import type { LensSession } from "./lens_session.ts";

export type LensInviteVia = "email" | "sms";

/** How a Lens invitation went: delivered, held (no SMTP / gateway) or waiting for a retry. */
export type LensInviteOutcome = "sent" | "held" | "retrying";

const NEEDS: Record<LensInviteVia, Permission> = { email: "methodEmail", sms: "methodSms" };
const EMAIL = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/;
const MAX_NAME = 100;

export interface LensInviteInput {
  via: string | undefined;
  contact: string | undefined;
  /** The customer's name as the technician typed it (optional), kept with the session. */
  customerName?: string;
}

/** The form's problem with the address, number or name, as a message key; null when fine. */
export function lensInviteProblem(input: LensInviteInput): TranslationKey | null {
  const contact = (input.contact ?? "").trim();
  if ((input.customerName ?? "").trim().length > MAX_NAME) return "console.valueTooLong";
  if (input.via === "email") {
    if (!EMAIL.test(contact)) return "console.emailInvalid";
    if (contact.length > 200) return "console.valueTooLong";
    return null;
  }
  try {
    normalisePhoneNumber(contact);
    return null;
  } catch {
    return "sms.invalidNumber";
  }
}

/** The permission the way needs, or a 403 / 400 refusal (checked before the form is read). */
export function lensInviteVia(user: CurrentUser, via: string | undefined): LensInviteVia {
  if (via !== "email" && via !== "sms") throw new Refusal(400, "lens.invite.unknownWay");
  if (!can(user, NEEDS[via])) {
    throw new Refusal(403, "errors.permissionMissing", { params: { permission: NEEDS[via] } });
  }
  return via;
}

/**
 * Writes the invitation to the outbox and tries to deliver it at once. The input must have
 * passed `lensInviteProblem`. Throws `RateLimited` past the technician's budget.
 */
export async function sendLensInvite(
  deps: SmsDeps,
  user: CurrentUser,
  session: LensSession,
  input: { via: LensInviteVia; contact: string; language: Language; texts: LensInviteTexts },
): Promise<LensInviteOutcome> {
  const now = deps.clock.now();
  const refund = await enforce(deps.db, { action: "lensInvite", key: user.id, now });
  try {
    return input.via === "email"
      ? await _mail(deps, user, input.contact.trim(), input.texts, now)
      : await _sms(deps, user, input.contact.trim(), input.texts, now);
  } catch (error) {
    await refund();
    throw error;
  } finally {
    deps.log.info("lens invitation", { lens: session.id, via: input.via });
  }
}

/** The invitation's words in the technician's language (lensPhone.inviteSubject/Body). */
export interface LensInviteTexts {
  subject: string;
  body: string;
}

async function _mail(
  deps: AppDeps,
  user: CurrentUser,
  to: string,
  texts: LensInviteTexts,
  now: Date,
): Promise<LensInviteOutcome> {
  const id = await enqueueMail(deps.db, {
    orgId: user.orgId,
    kind: "lens_invitation",
    to,
    subject: texts.subject,
    text: texts.body,
  }, { now, smtpConfigured: Boolean(deps.config.smtpUrl) });
  await deliverMail(deps, [id]);
  const [row] = await deps.db.select({ status: mailOutbox.status }).from(mailOutbox)
    .where(eq(mailOutbox.id, id));
  return _outcome(row?.status);
}

async function _sms(
  deps: SmsDeps,
  user: CurrentUser,
  to: string,
  texts: LensInviteTexts,
  now: Date,
): Promise<LensInviteOutcome> {
  const gatewayConfigured = Boolean(deps.smsGateway ?? deps.config.smsGatewayUrl);
  const id = await enqueueSms(deps.db, {
    orgId: user.orgId,
    to,
    body: texts.body,
    now,
    gatewayConfigured,
  });
  await deliverSms(deps, [id]);
  const [row] = await deps.db.select({ status: smsOutbox.status }).from(smsOutbox)
    .where(eq(smsOutbox.id, id));
  return _outcome(row?.status);
}

function _outcome(status: string | undefined): LensInviteOutcome {
  return status === "sent" ? "sent" : status === "held" ? "held" : "retrying";
}
