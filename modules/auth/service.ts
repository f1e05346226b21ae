import { count, eq, lt } from "drizzle-orm";
import type { Database } from "../db/mod.ts";
import { recordAudit } from "../audit/mod.ts";
import type { AppDeps, CurrentUser } from "../http/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { isLanguage, matchLanguage, STAFF_LANGUAGES, translator } from "../i18n/mod.ts";
import { randomToken, sha256Hex } from "../tokens/mod.ts";
import { burnPasswordCheck, hashPassword, passwordProblem, verifyPassword } from "./password.ts";
import { organisations, rememberedDevices, setupTokens, users, webSessions } from "./schema.ts";
import { sealLegacySeeds } from "./totp_seal.ts";
import {
  checkThrottle,
  clearAccountFailures,
  registerFailure,
  type ThrottleKey,
  type ThrottleVerdict,
} from "./throttle.ts";

export type UserRow = typeof users.$inferSelect;
const SETUP_TTL_MS = 24 * 3_600_000;

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function isEmail(email: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) && email.length <= 254;
}

export function toCurrentUser(user: UserRow, sessionId?: string): CurrentUser {
  return {
    id: user.id,
    orgId: user.orgId,
    email: user.email,
    name: user.name,
    role: user.role,
    language: isLanguage(user.language) ? user.language : null,
    totpEnabled: user.totpEnabledAt !== null,
    sessionId,
    // Filled per request by the organisation module from the user's technician group.
    permissions: new Set(),
    groupId: null,
  };
}

export async function findUserById(db: Database, id: string): Promise<UserRow | undefined> {
  const [user] = await db.select().from(users).where(eq(users.id, id));
  return user;
}

export async function getOrganisation(db: Database, orgId: string) {
  const [org] = await db.select().from(organisations).where(eq(organisations.id, orgId));
  return org;
}

/**
 * Every start seals TOTP seeds still stored in clear (rows from before sealing).
 * First start: with RESCUE_ADMIN_EMAIL/PASSWORD, create the organisation and its master
 * admin; without them, print a one-time setup link. Once an organisation exists, any
 * setup token left over is deleted and the setup page answers 404 for good.
 * `options.passwordHash` is the admin's password already hashed: the tests' fixture hash
 * (tests/support/app.ts), so a test app's start does not pay the production cost.
 */
export async function bootstrap(
  deps: AppDeps,
  options: { passwordHash?: string } = {},
): Promise<{ setupToken?: string }> {
  const { db, clock, config, log } = deps;
  const sealed = await sealLegacySeeds(db, config.totpKey);
  if (sealed > 0) log.info("TOTP seeds stored in clear are now sealed", { users: sealed });
  const [{ n }] = await db.select({ n: count() }).from(organisations);
  if (Number(n) > 0) {
    await db.delete(setupTokens);
    return {};
  }
  if (config.bootstrapAdmin) {
    const { email, password, orgName, language } = config.bootstrapAdmin;
    const t = translator(matchLanguage(language ?? "", STAFF_LANGUAGES) ?? "en");
    await createOrganisation(db, {
      orgName: orgName ?? t("admin.defaultOrgName"),
      name: "Administrator",
      email,
      password,
      passwordHash: options.passwordHash,
      now: clock.now(),
      via: "environment",
    });
    log.info("bootstrap admin created", { email: normaliseEmail(email) });
    return {};
  }
  const token = randomToken(24);
  const now = clock.now();
  await db.delete(setupTokens);
  await db.insert(setupTokens).values({
    tokenHash: await sha256Hex(token),
    createdAt: now,
    expiresAt: new Date(now.getTime() + SETUP_TTL_MS),
  });
  log.warn("no organisation yet: open the one-time setup link within 24 hours", {
    setupUrl: `${config.publicUrl}/setup?token=${token}`,
  });
  return { setupToken: token };
}

export async function setupIsOpen(db: Database): Promise<boolean> {
  const [{ n }] = await db.select({ n: count() }).from(organisations);
  return Number(n) === 0;
}

/** Whether `token` is a live setup token (without consuming it). */
export async function checkSetupToken(db: Database, token: string, now: Date) {
  const [row] = await db.select().from(setupTokens).where(
    eq(setupTokens.tokenHash, await sha256Hex(token)),
  );
  if (!row) return "unknown" as const;
  return row.expiresAt > now ? "valid" as const : "expired" as const;
}

export interface SetupInput {
  orgName: string;
  name: string;
  email: string;
  password: string;
}

/** Validates setup input; returns translation keys of the problems, empty when fine. */
export function setupProblems(input: SetupInput) {
  const problems: (
    | "setup.orgNameRequired"
    | "setup.nameRequired"
    | "setup.emailInvalid"
    | NonNullable<ReturnType<typeof passwordProblem>>
  )[] = [];
  if (!input.orgName.trim()) problems.push("setup.orgNameRequired");
  if (!input.name.trim()) problems.push("setup.nameRequired");
  if (!isEmail(normaliseEmail(input.email))) problems.push("setup.emailInvalid");
  const pw = passwordProblem(input.password, input.email);
  if (pw) problems.push(pw);
  return problems;
}

/** Consumes the setup token and creates the organisation in one transaction. */
export async function completeSetup(
  db: Database,
  options: { token: string; input: SetupInput; now: Date; ip: string },
): Promise<UserRow> {
  return await db.transaction(async (tx) => {
    // Deleting the row is the lock: of two racing requests only one gets it back.
    const [consumed] = await tx.delete(setupTokens).where(
      eq(setupTokens.tokenHash, await sha256Hex(options.token)),
    ).returning();
    if (!consumed) throw new Refusal(404, "setup.unknownToken");
    if (consumed.expiresAt <= options.now) throw new Refusal(410, "setup.expiredToken");
    const [{ n }] = await tx.select({ n: count() }).from(organisations);
    if (Number(n) > 0) throw new Refusal(404, "setup.closed");
    return await createOrganisation(tx, {
      ...options.input,
      now: options.now,
      via: "setup page",
      ip: options.ip,
    });
  });
}

async function createOrganisation(
  db: Database,
  options: SetupInput & { passwordHash?: string; now: Date; via: string; ip?: string },
): Promise<UserRow> {
  const [org] = await db.insert(organisations).values({
    name: options.orgName.trim(),
    createdAt: options.now,
  }).returning();
  const email = normaliseEmail(options.email);
  const [user] = await db.insert(users).values({
    orgId: org.id,
    email,
    name: options.name.trim(),
    role: "master_admin",
    passwordHash: options.passwordHash ?? await hashPassword(options.password),
    createdAt: options.now,
    passwordChangedAt: options.now,
  }).returning();
  await recordAudit(db, {
    orgId: org.id,
    actorId: user.id,
    actorEmail: email,
    action: "setup.completed",
    ip: options.ip,
    details: { via: options.via },
    at: options.now,
  });
  return user;
}

/** Turns a throttle verdict into the error the client sees (429 slow down, 423 locked). */
export function throttleError(verdict: ThrottleVerdict): Refusal | undefined {
  if (verdict.kind === "allowed") return undefined;
  const headers = { "Retry-After": String(verdict.retryAfterSeconds) };
  if (verdict.kind === "wait") {
    return new Refusal(429, "signin.slowDown", {
      params: { count: verdict.retryAfterSeconds },
      headers,
    });
  }
  const minutes = Math.ceil(verdict.retryAfterSeconds / 60);
  // An account's lock an admin can lift (the person's page); a network's only time lifts.
  const key = verdict.scope === "account" ? "signin.locked" : "signin.lockedAddress";
  return new Refusal(423, key, { params: { count: minutes }, headers });
}

export function throttleKeys(email: string, ip: string): ThrottleKey[] {
  return [{ scope: "account", key: email }, { scope: "address", key: ip }];
}

/**
 * Checks e-mail + password under the sign-in throttle. Every failure is counted and
 * audited, and a lockout is audited once. Throws an Refusal the client can show.
 */
export async function authenticatePassword(
  db: Database,
  options: { email: string; password: string; ip: string; now: Date },
): Promise<UserRow> {
  const email = normaliseEmail(options.email);
  const keys = throttleKeys(email, options.ip);
  const blocked = throttleError(await checkThrottle(db, keys, options.now));
  if (blocked) throw blocked;
  const [user] = await db.select().from(users).where(eq(users.email, email));
  const ok = user?.passwordHash && user.active
    ? await verifyPassword(options.password, user.passwordHash)
    : (await burnPasswordCheck(options.password), false);
  if (ok) {
    // With a second factor the count goes on until the code is right too (the sign-in's
    // end clears it): a known password must not reset the count of guessed codes.
    if (!user!.totpEnabledAt) await clearAccountFailures(db, email);
    return user!;
  }
  await recordFailure(db, { email, user, ip: options.ip, now: options.now, reason: "password" });
  throw new Refusal(401, "signin.invalid");
}

/** Counts a failed password or code and audits it (and a lockout it causes). */
export async function recordFailure(
  db: Database,
  options: { email: string; user?: UserRow; ip: string; now: Date; reason: string },
): Promise<void> {
  const locked = await registerFailure(db, throttleKeys(options.email, options.ip), options.now);
  const base = {
    orgId: options.user?.orgId,
    actorId: options.user?.id,
    actorEmail: options.email,
    ip: options.ip,
    at: options.now,
  };
  await recordAudit(db, {
    ...base,
    action: options.reason === "password" ? "auth.signin_failed" : "auth.totp_failed",
    details: { reason: options.reason },
  });
  for (const scope of locked) {
    await recordAudit(db, { ...base, action: "auth.lockout", details: { scope } });
  }
}

export async function changePassword(
  db: Database,
  options: { user: UserRow; current: string; next: string; now: Date },
): Promise<void> {
  if (
    !options.user.passwordHash || !await verifyPassword(options.current, options.user.passwordHash)
  ) {
    throw new Refusal(400, "account.currentPasswordWrong");
  }
  await replacePassword(db, { user: options.user, next: options.next, now: options.now });
}

/**
 * Sets a new password under the password rules (a 400 naming the broken rule) and forgets
 * the user's remembered devices: what a change on My account and a reset link share. A
 * remembered device skips the second factor; a new password means anyone who had the old
 * one is to be shut out, so every device is asked for a code again. Pass a transaction to
 * make it part of a larger change.
 */
export async function replacePassword(
  db: Database,
  options: { user: UserRow; next: string; now: Date },
): Promise<void> {
  const problem = passwordProblem(options.next, options.user.email);
  if (problem) throw new Refusal(400, problem);
  const passwordHash = await hashPassword(options.next);
  await db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash, passwordChangedAt: options.now })
      .where(eq(users.id, options.user.id));
    await tx.delete(rememberedDevices).where(eq(rememberedDevices.userId, options.user.id));
  });
}

/** Removes expired partial sessions, devices and throttle rows; run periodically. */
export async function pruneExpired(db: Database, now: Date) {
  await db.delete(webSessions).where(lt(webSessions.expiresAt, now));
  await db.delete(rememberedDevices).where(lt(rememberedDevices.expiresAt, now));
}
