import { and, desc, eq, gt, isNull, or } from "drizzle-orm";
import type { Database } from "../db/mod.ts";
import { randomToken, sha256Hex } from "../tokens/mod.ts";
import { apiTokens, organisations, users } from "./schema.ts";
import type { UserRow } from "./service.ts";

export const API_TOKEN_PREFIX = "rsk_";

/** Creates a personal API token; the clear text is returned once and never stored. */
export async function createApiToken(
  db: Database,
  options: { userId: string; name: string; days?: number; now: Date },
): Promise<{ id: string; token: string; expiresAt: Date | null }> {
  const token = API_TOKEN_PREFIX + randomToken(32);
  const expiresAt = options.days
    ? new Date(options.now.getTime() + options.days * 86_400_000)
    : null;
  const [row] = await db.insert(apiTokens).values({
    userId: options.userId,
    name: options.name.trim().slice(0, 100),
    tokenHash: await sha256Hex(token),
    prefix: token.slice(0, API_TOKEN_PREFIX.length + 6),
    createdAt: options.now,
    expiresAt,
  }).returning({ id: apiTokens.id });
  return { id: row.id, token, expiresAt };
}

export async function listApiTokens(db: Database, userId: string) {
  return await db.select({
    id: apiTokens.id,
    name: apiTokens.name,
    prefix: apiTokens.prefix,
    createdAt: apiTokens.createdAt,
    lastUsedAt: apiTokens.lastUsedAt,
    expiresAt: apiTokens.expiresAt,
  }).from(apiTokens).where(eq(apiTokens.userId, userId)).orderBy(desc(apiTokens.createdAt));
}

/** Deletes one of the user's tokens; returns its name, or undefined when not theirs. */
export async function revokeApiToken(db: Database, userId: string, tokenId: string) {
  if (!/^[0-9a-f-]{36}$/.test(tokenId)) return undefined;
  const [gone] = await db.delete(apiTokens).where(
    and(eq(apiTokens.id, tokenId), eq(apiTokens.userId, userId)),
  ).returning({ name: apiTokens.name });
  return gone?.name;
}

/** Deletes every API token of the user (password change, sign out everywhere, deactivation). */
export async function revokeAllApiTokens(db: Database, userId: string): Promise<number> {
  const gone = await db.delete(apiTokens).where(eq(apiTokens.userId, userId))
    .returning({ id: apiTokens.id });
  return gone.length;
}

/**
 * Whether the organisation's "require 2FA" shuts this user out of the API: a token is a
 * second way in, so it is no stronger than the browser's way (which sends such a user to
 * enrolment first).
 */
export function needsEnrolment(user: UserRow, org: { require2fa: boolean } | undefined): boolean {
  return !user.totpEnabledAt && org?.require2fa === true;
}

export type ApiTokenCheck =
  | { ok: true; user: UserRow }
  | { ok: false; reason: "invalid" | "enrolment_required" };

/**
 * The user a bearer token acts for — always as that user is now (role, active, 2FA), never
 * as when the token was made: unknown, expired or an inactive user's token is `invalid`;
 * a user who has not enrolled while the organisation requires 2FA gets `enrolment_required`.
 */
export async function authenticateApiToken(
  db: Database,
  token: string,
  now: Date,
): Promise<ApiTokenCheck> {
  if (!token.startsWith(API_TOKEN_PREFIX) || token.length > 100) {
    return { ok: false, reason: "invalid" };
  }
  const hash = await sha256Hex(token);
  const [row] = await db.select({
    user: users,
    tokenId: apiTokens.id,
    require2fa: organisations.require2fa,
  }).from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .innerJoin(organisations, eq(organisations.id, users.orgId))
    .where(and(
      eq(apiTokens.tokenHash, hash),
      eq(users.active, true),
      or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, now)),
    ));
  if (!row) return { ok: false, reason: "invalid" };
  if (needsEnrolment(row.user, { require2fa: row.require2fa })) {
    return { ok: false, reason: "enrolment_required" };
  }
  await db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.tokenId));
  return { ok: true, user: row.user };
}
