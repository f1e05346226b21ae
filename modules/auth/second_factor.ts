import { and, desc, eq, gt, isNull, lt, or } from "drizzle-orm";
import type { Database } from "../db/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { randomToken, sha256Hex } from "../tokens/mod.ts";
import { matchTotp, newTotpSecret } from "./totp.ts";
import { openSeed, sealSeed } from "./totp_seal.ts";
import { recoveryCodes, rememberedDevices, users } from "./schema.ts";
import type { UserRow } from "./service.ts";

const RECOVERY_CODE_COUNT = 10;
const RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

/**
 * Starts (or restarts) enrolment: a new pending secret, not yet in force, stored sealed
 * under `key` (Config.totpKey). Returns the secret in clear, to show once.
 */
export async function beginEnrolment(
  db: Database,
  userId: string,
  key: string | undefined,
): Promise<string> {
  const secret = newTotpSecret();
  const sealed = await sealSeed(key, userId, secret);
  await db.update(users).set({ totpPendingSecret: sealed }).where(eq(users.id, userId));
  return secret;
}

/** The pending secret in clear (to show the enrolment page again), or undefined. */
export async function pendingSecret(user: UserRow, key: string | undefined) {
  return user.totpPendingSecret ? await openSeed(key, user.id, user.totpPendingSecret) : undefined;
}

/**
 * Confirms enrolment with a first code from the app; turns 2FA on and returns a fresh
 * set of recovery codes (shown once, stored only as hashes).
 */
export async function confirmEnrolment(
  db: Database,
  options: { user: UserRow; code: string; now: Date; key: string | undefined },
): Promise<string[]> {
  const secret = await pendingSecret(options.user, options.key);
  if (!secret) throw new Refusal(409, "twofa.noPendingEnrolment");
  const step = matchTotp(secret, options.code, options.now);
  if (step === undefined) throw new Refusal(400, "twofa.wrongCode");
  const sealed = await sealSeed(options.key, options.user.id, secret);
  return await db.transaction(async (tx) => {
    await tx.update(users).set({
      totpSecret: sealed,
      totpPendingSecret: null,
      totpEnabledAt: options.now,
      totpLastStep: step,
    }).where(eq(users.id, options.user.id));
    return await replaceRecoveryCodes(tx, options.user.id);
  });
}

export async function disableTwoFactor(db: Database, userId: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.update(users).set({
      totpSecret: null,
      totpPendingSecret: null,
      totpEnabledAt: null,
      totpLastStep: null,
    }).where(eq(users.id, userId));
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
    await tx.delete(rememberedDevices).where(eq(rememberedDevices.userId, userId));
  });
}

export async function replaceRecoveryCodes(db: Database, userId: string): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => newRecoveryCode());
  await db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
  await db.insert(recoveryCodes).values(
    await Promise.all(codes.map(async (code) => ({ userId, codeHash: await sha256Hex(code) }))),
  );
  return codes;
}

export async function unusedRecoveryCodeCount(db: Database, userId: string): Promise<number> {
  const rows = await db.select({ id: recoveryCodes.id }).from(recoveryCodes).where(
    and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)),
  );
  return rows.length;
}

function newRecoveryCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(10));
  const chars = Array.from(bytes, (b) => RECOVERY_ALPHABET[b % RECOVERY_ALPHABET.length]);
  return `${chars.slice(0, 5).join("")}-${chars.slice(5).join("")}`;
}

/**
 * What a second-factor check found: the method that matched, or why the code was refused —
 * `twofa.codeUsed` is a right TOTP code whose time step was already accepted (at enrolment
 * or a sign-in a moment ago), so the person waits for the app's next code.
 */
export type SecondFactorCheck =
  | { ok: true; method: "totp" | "recovery" }
  | { ok: false; reason: "twofa.wrongCode" | "twofa.codeUsed" };

/**
 * Checks a second factor: a TOTP code (each time step accepted once — a replayed code is
 * refused) or an unused recovery code (consumed).
 */
export async function verifySecondFactor(
  db: Database,
  options: { user: UserRow; code: string; now: Date; key: string | undefined },
): Promise<SecondFactorCheck> {
  const { user, now } = options;
  const code = options.code.trim();
  const wrong = { ok: false, reason: "twofa.wrongCode" } as const;
  if (user.totpSecret && /^\d{3}\s?\d{3}$/.test(code)) {
    const step = matchTotp(await openSeed(options.key, user.id, user.totpSecret), code, now);
    if (step === undefined) return wrong;
    const updated = await db.update(users).set({ totpLastStep: step }).where(
      and(eq(users.id, user.id), or(isNull(users.totpLastStep), lt(users.totpLastStep, step))),
    ).returning({ id: users.id });
    return updated.length === 1
      ? { ok: true, method: "totp" }
      : { ok: false, reason: "twofa.codeUsed" };
  }
  const normalised = code.toLowerCase().replace(/\s+/g, "");
  if (!/^[a-z0-9]{5}-[a-z0-9]{5}$/.test(normalised)) return wrong;
  const used = await db.update(recoveryCodes).set({ usedAt: now }).where(and(
    eq(recoveryCodes.userId, user.id),
    eq(recoveryCodes.codeHash, await sha256Hex(normalised)),
    isNull(recoveryCodes.usedAt),
  )).returning({ id: recoveryCodes.id });
  return used.length === 1 ? { ok: true, method: "recovery" } : wrong;
}

/** Remembers this browser for `days`; returns the cookie value. */
export async function rememberDevice(
  db: Database,
  options: { userId: string; label: string; ip: string; days: number; now: Date },
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomToken();
  const expiresAt = new Date(options.now.getTime() + options.days * 86_400_000);
  await db.insert(rememberedDevices).values({
    userId: options.userId,
    tokenHash: await sha256Hex(token),
    label: options.label.slice(0, 200) || "?",
    ip: options.ip,
    createdAt: options.now,
    lastUsedAt: options.now,
    expiresAt,
  });
  return { token, expiresAt };
}

/** Whether `token` is a live remembered device of `userId` (and marks it used). */
export async function isRememberedDevice(
  db: Database,
  options: { userId: string; token: string | undefined; now: Date },
): Promise<boolean> {
  if (!options.token || options.token.length > 100) return false;
  const updated = await db.update(rememberedDevices).set({ lastUsedAt: options.now }).where(and(
    eq(rememberedDevices.tokenHash, await sha256Hex(options.token)),
    eq(rememberedDevices.userId, options.userId),
    gt(rememberedDevices.expiresAt, options.now),
  )).returning({ id: rememberedDevices.id });
  return updated.length === 1;
}

export async function listDevices(db: Database, userId: string, now: Date) {
  return await db.select().from(rememberedDevices).where(
    and(eq(rememberedDevices.userId, userId), gt(rememberedDevices.expiresAt, now)),
  ).orderBy(desc(rememberedDevices.lastUsedAt));
}

/** Revokes one of the user's devices; false when it is not theirs or already gone. */
export async function revokeDevice(db: Database, userId: string, deviceId: string) {
  if (!/^[0-9a-f-]{36}$/.test(deviceId)) return false;
  const gone = await db.delete(rememberedDevices).where(
    and(eq(rememberedDevices.id, deviceId), eq(rememberedDevices.userId, userId)),
  ).returning({ id: rememberedDevices.id });
  return gone.length === 1;
}
