import { and, asc, eq, gt, isNull } from "drizzle-orm";
import {
  accountLockedUntil,
  clearAccountFailures,
  disableTwoFactor,
  endAllSessions,
  hashPassword,
  normaliseEmail,
  passwordProblem,
  revokeAllApiTokens,
  toCurrentUser,
  users,
} from "../auth/mod.ts";
import type { Database } from "../db/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import type { AppDeps } from "../http/mod.ts";
import type { Translator } from "../i18n/mod.ts";
import { deliverMail, enqueueMail } from "../mail/mod.ts";
import { randomToken, sha256Hex } from "../tokens/mod.ts";
import { type ChangeContext, recordChange } from "../audit/mod.ts";
import { managedGroup, managedGroupIds } from "./groups.ts";
import { groupMembers, invitations, technicianStatus } from "./schema.ts";

const INVITATION_TTL_MS = 7 * 86_400_000;

export interface InviteInput {
  email: string;
  name: string;
  role: "technician" | "admin";
  groupId: string;
}

/** People the actor manages: everyone for the master admin, else members of its groups. */
export async function listPeople(db: Database, actor: ChangeContext["actor"]) {
  const managed = await managedGroupIds(db, actor);
  const rows = await db.select({
    user: users,
    groupId: groupMembers.groupId,
    status: technicianStatus,
  }).from(users)
    .leftJoin(groupMembers, eq(groupMembers.userId, users.id))
    .leftJoin(technicianStatus, eq(technicianStatus.userId, users.id))
    .where(eq(users.orgId, actor.orgId))
    .orderBy(asc(users.name));
  return rows.filter((r) =>
    actor.role === "master_admin" || (r.groupId !== null && managed.has(r.groupId))
  );
}

/**
 * Creates the account (no password yet), puts it in its group and sends the set-password
 * link through the outbox — in one transaction, so a failure leaves no half-made user.
 */
export async function inviteUser(
  deps: AppDeps,
  input: InviteInput,
  ctx: ChangeContext & { t: Translator },
) {
  const email = normaliseEmail(input.email);
  const name = input.name.trim();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254) {
    throw new Refusal(422, "org.emailInvalid");
  }
  if (!name || name.length > 100) throw new Refusal(422, "org.nameInvalid");
  if (input.role !== "technician" && input.role !== "admin") {
    throw new Refusal(422, "org.roleInvalid");
  }
  if (input.role === "admin" && ctx.actor.role !== "master_admin") {
    throw new Refusal(403, "errors.forbidden");
  }
  const token = randomToken();
  const link = `${deps.config.publicUrl}/invite/${token}`;
  const { user, mailId } = await deps.db.transaction(async (tx) => {
    await managedGroup(tx, ctx.actor, input.groupId);
    const [taken] = await tx.select({ id: users.id }).from(users).where(eq(users.email, email));
    if (taken) throw new Refusal(409, "org.emailTaken", { params: { email } });
    const [user] = await tx.insert(users).values({
      orgId: ctx.actor.orgId,
      email,
      name,
      role: input.role,
      passwordHash: null,
      createdAt: ctx.now,
    }).returning();
    await tx.insert(groupMembers).values({ userId: user.id, groupId: input.groupId });
    await tx.insert(invitations).values({
      userId: user.id,
      tokenHash: await sha256Hex(token),
      invitedBy: ctx.actor.id,
      createdAt: ctx.now,
      expiresAt: new Date(ctx.now.getTime() + INVITATION_TTL_MS),
    });
    const values = { name, inviter: ctx.actor.name, link, count: 7 };
    const mailId = await enqueueMail(tx, {
      orgId: ctx.actor.orgId,
      kind: "invitation",
      to: email,
      subject: ctx.t("org.inviteMailSubject", values),
      text: ctx.t("org.inviteMailBody", values),
    }, { now: ctx.now, smtpConfigured: Boolean(deps.config.smtpUrl) });
    await recordChange(tx, ctx, "technician.invited", user.id, {
      after: { email, name, role: input.role, groupId: input.groupId },
    });
    return { user, mailId };
  });
  await deliverMail(deps, [mailId]);
  return { user, mailId };
}

/**
 * A further set-password link for someone invited who has not set a password yet, for the admin
 * to hand over themselves — no outgoing mail (the invitation e-mail waits in Messages), or the
 * e-mail went astray. It works once, for 7 days, beside the links sent before (the first one
 * used ends them all, `acceptInvitation`); only its hash is kept, the admin sees it once.
 */
export async function createInvitationLink(deps: AppDeps, userId: string, ctx: ChangeContext) {
  const token = randomToken();
  const expiresAt = new Date(ctx.now.getTime() + INVITATION_TTL_MS);
  const person = await deps.db.transaction(async (tx) => {
    const person = await changeablePerson(tx, ctx, userId);
    if (!person.active) throw new Refusal(409, "org.invitationLinkInactive");
    if (person.passwordHash !== null) {
      throw new Refusal(409, "org.invitationLinkAccepted", { params: { name: person.name } });
    }
    await tx.insert(invitations).values({
      userId: person.id,
      tokenHash: await sha256Hex(token),
      invitedBy: ctx.actor.id,
      createdAt: ctx.now,
      expiresAt,
    });
    await recordChange(tx, ctx, "technician.invitation_link_created", person.id, {
      after: { expiresAt: expiresAt.toISOString() },
    });
    return person;
  });
  return { person, link: `${deps.config.publicUrl}/invite/${token}`, expiresAt };
}

/** Until when the newest live invitation link of someone without a password works, if any. */
export async function invitationLiveUntil(
  db: Database,
  userId: string,
  now: Date,
): Promise<Date | null> {
  const rows = await db.select({ expiresAt: invitations.expiresAt }).from(invitations).where(
    and(eq(invitations.userId, userId), isNull(invitations.usedAt), gt(invitations.expiresAt, now)),
  );
  return rows.reduce<Date | null>((a, r) => (a && a > r.expiresAt ? a : r.expiresAt), null);
}

/** The invitation a set-password link names, if it is live. */
export async function findInvitation(db: Database, token: string, now: Date) {
  if (!token || token.length > 100) return undefined;
  const [row] = await db.select({ invitation: invitations, user: users }).from(invitations)
    .innerJoin(users, eq(users.id, invitations.userId))
    .where(and(
      eq(invitations.tokenHash, await sha256Hex(token)),
      isNull(invitations.usedAt),
      gt(invitations.expiresAt, now),
      eq(users.active, true),
    ));
  return row;
}

/** Sets the invited user's password and uses the invitation up. */
export async function acceptInvitation(
  db: Database,
  options: { token: string; password: string; now: Date; ip: string },
) {
  return await db.transaction(async (tx) => {
    const found = await findInvitation(tx, options.token, options.now);
    if (!found) throw new Refusal(410, "org.invitationInvalid");
    const problem = passwordProblem(options.password, found.user.email);
    if (problem) throw new Refusal(422, problem);
    const used = await tx.update(invitations).set({ usedAt: options.now }).where(and(
      eq(invitations.id, found.invitation.id),
      isNull(invitations.usedAt),
    )).returning({ id: invitations.id });
    if (used.length !== 1) throw new Refusal(410, "org.invitationInvalid");
    // The person's other links (an e-mail's, one handed over by an admin) end with it.
    await tx.update(invitations).set({ usedAt: options.now }).where(and(
      eq(invitations.userId, found.user.id),
      isNull(invitations.usedAt),
    ));
    await tx.update(users).set({
      passwordHash: await hashPassword(options.password),
      passwordChangedAt: options.now,
    }).where(eq(users.id, found.user.id));
    const actor = toCurrentUser(found.user);
    await recordChange(
      tx,
      { actor, ip: options.ip, now: options.now },
      "technician.invitation_accepted",
      actor.id,
      {},
    );
    return found.user;
  });
}

/** Deactivating signs the person out everywhere at once; reactivating lets them back. */
export async function setActive(
  db: Database,
  userId: string,
  active: boolean,
  ctx: ChangeContext,
) {
  await db.transaction(async (tx) => {
    const person = await managedPerson(tx, ctx, userId);
    if (person.id === ctx.actor.id) throw new Refusal(409, "org.cannotDeactivateSelf");
    await tx.update(users).set({ active }).where(eq(users.id, userId));
    if (!active) {
      await endAllSessions(tx, userId);
      // Its API tokens too: reactivating someone must not bring old tokens back to life.
      await revokeAllApiTokens(tx, userId);
    }
    await recordChange(
      tx,
      ctx,
      active ? "technician.reactivated" : "technician.deactivated",
      userId,
      {
        before: { active: person.active },
        after: { active },
      },
    );
  });
}

export async function moveToGroup(
  db: Database,
  userId: string,
  groupId: string,
  ctx: ChangeContext,
) {
  await db.transaction(async (tx) => {
    const person = await managedPerson(tx, ctx, userId);
    await managedGroup(tx, ctx.actor, groupId);
    const [before] = await tx.select().from(groupMembers).where(eq(groupMembers.userId, userId));
    await tx.insert(groupMembers).values({ userId, groupId }).onConflictDoUpdate({
      target: groupMembers.userId,
      set: { groupId },
    });
    await recordChange(tx, ctx, "technician.moved", person.id, {
      before: { groupId: before?.groupId ?? null },
      after: { groupId },
    });
  });
}

/** A person's display name (console, chat, reports): 1–100 characters once trimmed. */
export async function renamePerson(
  db: Database,
  userId: string,
  name: string,
  ctx: ChangeContext,
) {
  const wanted = name.trim();
  if (!wanted) throw new Refusal(422, "org.nameEmpty");
  if (wanted.length > 100) {
    throw new Refusal(422, "org.nameTooLong", { params: { count: wanted.length } });
  }
  await db.transaction(async (tx) => {
    const person = await changeablePerson(tx, ctx, userId);
    if (person.name === wanted) return;
    await tx.update(users).set({ name: wanted }).where(eq(users.id, person.id));
    await recordChange(tx, ctx, "technician.renamed", person.id, {
      before: { name: person.name },
      after: { name: wanted },
    });
  });
}

/**
 * For a person who lost their phone and recovery codes: the TOTP secret, recovery codes and
 * remembered devices go, every sign-in of theirs ends and their API tokens are revoked (a
 * token is a way in that skips the second factor: whoever holds the lost phone may hold the
 * token too), so the next sign-in enrols afresh where 2FA is required. Never one's own (My
 * account is the way there, with a code).
 */
export async function resetTwoFactor(db: Database, userId: string, ctx: ChangeContext) {
  await db.transaction(async (tx) => {
    const person = await changeablePerson(tx, ctx, userId);
    // Nothing to reset: doing it anyway would only sign them out and revoke their tokens.
    if (person.totpEnabledAt === null) {
      throw new Refusal(409, "org.noTwoFactorToReset", { params: { name: person.name } });
    }
    await disableTwoFactor(tx, person.id);
    const sessionsEnded = await endAllSessions(tx, person.id);
    const tokensRevoked = await revokeAllApiTokens(tx, person.id);
    await recordChange(tx, ctx, "technician.2fa_reset", person.id, {
      before: { twoFactor: person.totpEnabledAt !== null },
      after: { twoFactor: false, sessionsEnded, tokensRevoked },
    });
  });
}

/** Lifts an account's sign-in lockout (the back-off's count goes with it); audited. */
export async function unlockSignIn(db: Database, userId: string, ctx: ChangeContext) {
  await db.transaction(async (tx) => {
    const person = await changeablePerson(tx, ctx, userId);
    const until = await accountLockedUntil(tx, person.email, ctx.now);
    await clearAccountFailures(tx, person.email);
    await recordChange(tx, ctx, "technician.unlocked", person.id, {
      before: { lockedUntil: until?.toISOString() ?? null },
      after: { lockedUntil: null },
    });
  });
}

/**
 * The person the page's changes (name, two-step sign-in) may touch: the People page's rule
 * (`managedPerson`), never oneself; someone of the organisation outside it is refused (403),
 * not hidden — the master admin, for one, is no secret to an admin.
 */
export async function changeablePerson(db: Database, ctx: ChangeContext, userId: string) {
  if (userId === ctx.actor.id) throw new Refusal(403, "errors.forbidden");
  try {
    return await managedPerson(db, ctx, userId);
  } catch (error) {
    if (!(error instanceof Refusal) || error.status !== 404) throw error;
    const [known] = /^[0-9a-f-]{36}$/.test(userId)
      ? await db.select({ id: users.id }).from(users).where(
        and(eq(users.id, userId), eq(users.orgId, ctx.actor.orgId)),
      )
      : [];
    throw known ? new Refusal(403, "errors.forbidden") : error;
  }
}

async function managedPerson(db: Database, ctx: ChangeContext, userId: string) {
  if (!/^[0-9a-f-]{36}$/.test(userId)) throw new Refusal(404, "org.personNotFound");
  const people = await listPeople(db, ctx.actor);
  const found = people.find((p) => p.user.id === userId);
  if (!found) throw new Refusal(404, "org.personNotFound");
  // An admin manages the technicians of its groups; admins (made by the master admin, and
  // perhaps managing groups this one does not) are the master admin's to manage.
  if (found.user.role !== "technician" && ctx.actor.role !== "master_admin") {
    throw new Refusal(403, "errors.forbidden");
  }
  return found.user;
}
