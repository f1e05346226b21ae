/**
 * Password reset links: "Forgot your password?" on the sign-in page and an admin's "Send a
 * password reset link" on a person's page. The link carries a random token of which only the
 * SHA-256 is stored; it works once, for an hour, and a newer link for the same person makes
 * the older one used. Using it needs the person's second factor when they have one (a reset
 * must not be a way around it; five wrong codes use the link up, whatever the account's
 * sign-in lock says), then does what a password change does and more: every
 * sign-in ends, remembered devices are forgotten, API tokens are revoked and a sign-in
 * lockout is lifted.
 */
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import {
  checkThrottle,
  clearAccountFailures,
  endAllSessions,
  type ExternalSignIn,
  normaliseEmail,
  passwordProblem,
  recordFailure,
  replacePassword,
  revokeAllApiTokens,
  throttleError,
  throttleKeys,
  type UserRow,
  users,
  verifySecondFactor,
} from "../auth/mod.ts";
import { type ChangeContext, recordAudit, recordChange } from "../audit/mod.ts";
import type { Database } from "../db/mod.ts";
import type { AppDeps } from "../http/mod.ts";
import { isLanguage, type Language, translator } from "../i18n/mod.ts";
import { addressKey, consume, enforce } from "../limits/mod.ts";
import { deliverMail, enqueueMail } from "../mail/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { randomToken, sha256Hex } from "../tokens/mod.ts";
import { afterAnswer } from "./after_answer.ts";
import { passwordResets } from "./schema.ts";
import { changeablePerson } from "./technicians.ts";

/** How long a link works: "one hour" in the e-mail and on the pages (locales `reset.*`). */
export const RESET_TTL_MS = 3_600_000;

/** Wrong second-factor codes one link takes; the last uses it up (locales `reset.link.usedUp`). */
export const RESET_CODE_TRIES = 5;

/** What a link is when someone opens it; `usedUp`: used up by wrong codes. */
export type ResetLink =
  | { state: "valid"; resetId: string; user: UserRow }
  | { state: "expired" | "used" | "usedUp" | "unknown" };

/**
 * "Forgot your password?": sends the link to `email` if it names an active account that may
 * sign in with a password (`external` says who may while single sign-on has password sign-in
 * off), and says nothing either way — the caller shows the same words whatever happened.
 * Asking is limited per address (a 429 the caller shows: it tells nothing about the account)
 * and per account (silently: past its budget no more mail goes to that inbox). Only the
 * address's limit is checked before this returns; the look-up and all that follows run after
 * the answer, for every address alike (after_answer.ts): how long the answer takes, or what it
 * did, cannot say whether the account exists.
 */
export async function requestPasswordReset(
  deps: AppDeps,
  request: { email: string; ip: string; language: Language; external?: ExternalSignIn },
): Promise<void> {
  const now = deps.clock.now();
  await enforce(deps.db, { action: "passwordResetAddress", key: addressKey(request.ip), now });
  afterAnswer(deps, "passwordReset", () => _sendResetLink(deps, { ...request, now }));
}

/** The work of a reset request, after its answer: the account, its budget, the link, the mail. */
async function _sendResetLink(
  deps: AppDeps,
  request: { email: string; ip: string; language: Language; external?: ExternalSignIn; now: Date },
): Promise<void> {
  const { now } = request;
  const email = normaliseEmail(request.email);
  if (!email || email.length > 254) return;
  const [user] = await deps.db.select().from(users).where(eq(users.email, email));
  if (!user || !user.active) return;
  if (request.external && !await request.external.passwordAllowed(deps.db, user)) return;
  const budget = await consume(deps.db, { action: "passwordResetAccount", key: user.id, now });
  if (!budget.ok) return;
  const mailId = await deps.db.transaction(async (tx) => {
    const mailId = await _issueLink(tx, deps, user, { now, language: request.language });
    await recordAudit(tx, {
      orgId: user.orgId,
      actorId: user.id,
      actorEmail: user.email,
      action: "auth.password_reset_requested",
      ip: request.ip,
      details: {},
      at: now,
    });
    return mailId;
  });
  // Not awaited: the mail server's pace is the outbox's business (it retries).
  deliverMail(deps, [mailId]).catch(() => {});
}

/**
 * An admin's "Send a password reset link" for someone on the person page: the page's rule
 * (`changeablePerson`: never oneself, another admin only for the master admin), an active
 * account that may sign in with a password; audited as the admin's change.
 */
export async function sendPasswordResetLink(
  deps: AppDeps,
  userId: string,
  ctx: ChangeContext & { language: Language; external?: ExternalSignIn },
): Promise<UserRow> {
  const { user, mailId } = await deps.db.transaction(async (tx) => {
    const person = await changeablePerson(tx, ctx, userId);
    const refused = await whyNoResetLink(tx, person, ctx.external);
    if (refused) throw refused;
    const mailId = await _issueLink(tx, deps, person, {
      now: ctx.now,
      language: ctx.language,
      requestedBy: ctx.actor.id,
    });
    await recordChange(tx, ctx, "technician.password_reset_sent", person.id, {});
    return { user: person, mailId };
  });
  await deliverMail(deps, [mailId]);
  return user;
}

/**
 * Why `person` cannot be sent a reset link (a 409 saying so), or undefined: a deactivated
 * account, or one whose password sign-in single sign-on has turned off (a password would not
 * let them in). The person page shows it in place of the button.
 */
export async function whyNoResetLink(
  db: Database,
  person: UserRow,
  external?: ExternalSignIn,
): Promise<Refusal | undefined> {
  if (!person.active) return new Refusal(409, "reset.inactivePerson");
  if (external && !await external.passwordAllowed(db, person)) {
    return new Refusal(409, "reset.passwordOffPerson", { params: { name: person.name } });
  }
  return undefined;
}

/** What the link `token` is now (without using it). */
export async function findResetLink(db: Database, token: string, now: Date): Promise<ResetLink> {
  if (!token || token.length > 100) return { state: "unknown" };
  const [row] = await db.select({ reset: passwordResets, user: users }).from(passwordResets)
    .innerJoin(users, eq(users.id, passwordResets.userId))
    .where(eq(passwordResets.tokenHash, await sha256Hex(token)));
  if (!row || !row.user.active) return { state: "unknown" };
  if (row.reset.usedAt) {
    return { state: row.reset.failedCodes >= RESET_CODE_TRIES ? "usedUp" : "used" };
  }
  if (row.reset.expiresAt <= now) return { state: "expired" };
  return { state: "valid", resetId: row.reset.id, user: row.user };
}

/**
 * Uses the link: the new password (twice, under the password rules — a 422 naming the
 * problem), the second factor when the person has one, then in one transaction the link is
 * used up, the password replaced (remembered devices forgotten), every sign-in ended, the API
 * tokens revoked, the lockout lifted and the reset audited. A link that is no longer valid is
 * a 410 whose key says why.
 *
 * The link proves the mailbox, so its code step is limited by the link, not by the account's
 * sign-in lock (often the very reason for the reset): each link takes `RESET_CODE_TRIES` wrong
 * codes, the last of which uses it up (`reset.link.usedUp`). The client address's throttle
 * still applies (one address guessing across many links), and a wrong code still counts and
 * is audited as a failed sign-in. The link's row is locked while its code is checked, so
 * requests at once take their turns: never more tries than the link allows, and one use.
 */
export async function completePasswordReset(
  deps: AppDeps,
  input: { token: string; password: string; confirm: string; code: string; ip: string },
): Promise<UserRow> {
  const { db, clock, config } = deps;
  const now = clock.now();
  const link = await findResetLink(db, input.token, now);
  if (link.state !== "valid") throw _linkRefusal(link.state);
  const { user } = link;
  if (input.password !== input.confirm) throw new Refusal(422, "account.passwordsDiffer");
  const problem = passwordProblem(input.password, user.email);
  if (problem) throw new Refusal(422, problem);
  if (user.totpEnabledAt) {
    const addressOnly = throttleKeys(user.email, input.ip).filter((k) => k.scope === "address");
    const blocked = throttleError(await checkThrottle(db, addressOnly, now));
    if (blocked) throw blocked;
    if (!input.code.trim()) throw new Refusal(422, "reset.codeNeeded");
  }
  const outcome = await db.transaction(async (tx) => {
    const [live] = await tx.select({ id: passwordResets.id }).from(passwordResets).where(and(
      eq(passwordResets.id, link.resetId),
      isNull(passwordResets.usedAt),
      gt(passwordResets.expiresAt, now),
    )).for("update");
    if (!live) return { kind: "gone" } as const;
    let secondFactor: string | null = null;
    if (user.totpEnabledAt) {
      const check = await verifySecondFactor(tx, {
        user,
        code: input.code,
        now,
        key: config.totpKey,
      });
      if (!check.ok) {
        // One update counts the try and, at the last, uses the link up. (Raw SQL binds the
        // date through the column, and the CASE needs its type.)
        const last = sql`${passwordResets.failedCodes} + 1 >= ${RESET_CODE_TRIES}`;
        const nowAt = sql`${sql.param(now, passwordResets.usedAt)}::timestamptz`;
        const [counted] = await tx.update(passwordResets).set({
          failedCodes: sql`${passwordResets.failedCodes} + 1`,
          usedAt: sql`case when ${last} then ${nowAt} end`,
        }).where(eq(passwordResets.id, live.id)).returning({ failed: passwordResets.failedCodes });
        return {
          kind: "wrong",
          reason: check.reason,
          left: RESET_CODE_TRIES - counted.failed,
        } as const;
      }
      secondFactor = check.method;
    }
    await tx.update(passwordResets).set({ usedAt: now }).where(eq(passwordResets.id, live.id));
    await replacePassword(tx, { user, next: input.password, now });
    const sessionsEnded = await endAllSessions(tx, user.id);
    const apiTokensRevoked = await revokeAllApiTokens(tx, user.id);
    await clearAccountFailures(tx, user.email);
    await recordAudit(tx, {
      orgId: user.orgId,
      actorId: user.id,
      actorEmail: user.email,
      action: "auth.password_reset",
      ip: input.ip,
      details: { secondFactor, sessionsEnded, apiTokensRevoked },
      at: now,
    });
    return { kind: "done" } as const;
  });
  if (outcome.kind === "gone") {
    // Used, used up or expired by another request while this one waited for the row.
    const state = (await findResetLink(db, input.token, now)).state;
    throw _linkRefusal(state === "valid" ? "used" : state);
  }
  if (outcome.kind === "wrong") {
    await recordFailure(db, { email: user.email, user, ip: input.ip, now, reason: "totp" });
    if (outcome.left <= 0) throw _linkRefusal("usedUp");
    throw new Refusal(422, outcome.reason, { params: { triesLeft: outcome.left } });
  }
  return user;
}

/** The 410 of a link that no longer works; its key says why. */
function _linkRefusal(state: Exclude<ResetLink["state"], "valid">): Refusal {
  return new Refusal(410, `reset.link.${state}`, { params: { count: RESET_CODE_TRIES } });
}

/** Makes the link (older live ones of the person become used) and queues its e-mail. */
async function _issueLink(
  tx: Database,
  deps: AppDeps,
  user: UserRow,
  options: { now: Date; language: Language; requestedBy?: string },
): Promise<string> {
  const token = randomToken();
  await tx.update(passwordResets).set({ usedAt: options.now }).where(and(
    eq(passwordResets.userId, user.id),
    isNull(passwordResets.usedAt),
  ));
  await tx.insert(passwordResets).values({
    userId: user.id,
    tokenHash: await sha256Hex(token),
    requestedBy: options.requestedBy ?? null,
    createdAt: options.now,
    expiresAt: new Date(options.now.getTime() + RESET_TTL_MS),
  });
  // The person's own language; the asker's when they never chose one.
  const t = translator(isLanguage(user.language) ? user.language : options.language);
  const values = {
    name: user.name,
    link: `${deps.config.publicUrl}/reset/${token}`,
  };
  return await enqueueMail(tx, {
    orgId: user.orgId,
    kind: "password_reset",
    to: user.email,
    subject: t("reset.mailSubject"),
    text: t(options.requestedBy ? "reset.mailBodyAdmin" : "reset.mailBody", values),
  }, { now: options.now, smtpConfigured: Boolean(deps.config.smtpUrl) });
}
