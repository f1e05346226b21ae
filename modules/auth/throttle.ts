import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../db/mod.ts";
import { loginThrottle } from "./schema.ts";

/**
 * Sign-in back-off: the first `free` failures cost nothing; after that each attempt must
 * wait 2^(n - free - 1) seconds (at most a minute) after the last failure; at `lockAt`
 * failures the key is locked for 15 minutes. Counters forget after 15 quiet minutes.
 * Accounts and client addresses are counted separately, so one attacker cannot lock
 * everyone out from one address without also being locked out himself.
 */
export const THROTTLE_POLICY = {
  account: { free: 4, lockAt: 10 },
  address: { free: 20, lockAt: 50 },
} as const;
const LOCK_MS = 15 * 60_000;
const FORGET_MS = 15 * 60_000;
const MAX_DELAY_MS = 60_000;

export type ThrottleScope = keyof typeof THROTTLE_POLICY;
export interface ThrottleKey {
  scope: ThrottleScope;
  key: string;
}

export type ThrottleVerdict =
  | { kind: "allowed" }
  | { kind: "wait"; retryAfterSeconds: number }
  | { kind: "locked"; retryAfterSeconds: number; scope: ThrottleScope };

/** Whether an attempt for these keys may go ahead now. */
export async function checkThrottle(
  db: Database,
  keys: ThrottleKey[],
  now: Date,
): Promise<ThrottleVerdict> {
  let verdict: ThrottleVerdict = { kind: "allowed" };
  for (const { scope, key } of keys) {
    const [row] = await db.select().from(loginThrottle).where(
      and(eq(loginThrottle.scope, scope), eq(loginThrottle.key, key)),
    );
    if (!row) continue;
    const since = now.getTime() - row.lastFailureAt.getTime();
    if (row.lockedUntil && row.lockedUntil > now) {
      const seconds = Math.ceil((row.lockedUntil.getTime() - now.getTime()) / 1000);
      return { kind: "locked", retryAfterSeconds: seconds, scope };
    }
    if (since > FORGET_MS) continue;
    const delay = delayFor(scope, row.failures);
    if (since < delay) {
      const seconds = Math.ceil((delay - since) / 1000);
      if (verdict.kind !== "wait" || seconds > verdict.retryAfterSeconds) {
        verdict = { kind: "wait", retryAfterSeconds: seconds };
      }
    }
  }
  return verdict;
}

function delayFor(scope: ThrottleScope, failures: number): number {
  const over = failures - THROTTLE_POLICY[scope].free;
  return over <= 0 ? 0 : Math.min(1000 * 2 ** (over - 1), MAX_DELAY_MS);
}

/**
 * Counts one failure against each key; returns the scopes that this failure locked, so
 * the caller can audit the lockout.
 */
export async function registerFailure(
  db: Database,
  keys: ThrottleKey[],
  now: Date,
): Promise<ThrottleScope[]> {
  const locked: ThrottleScope[] = [];
  // Raw SQL gets its dates bound through the column: postgres-js cannot send a bare Date.
  const at = (d: Date) => sql.param(d, loginThrottle.lastFailureAt);
  const forgetBefore = at(new Date(now.getTime() - FORGET_MS));
  const nowParam = at(now);
  for (const { scope, key } of keys) {
    const [row] = await db.insert(loginThrottle)
      .values({ scope, key, failures: 1, lastFailureAt: now })
      .onConflictDoUpdate({
        target: [loginThrottle.scope, loginThrottle.key],
        set: {
          // A counter that has been quiet (or whose lock has run out) starts over.
          failures: sql`case when ${loginThrottle.lastFailureAt} < ${forgetBefore}
            or (${loginThrottle.lockedUntil} is not null and ${loginThrottle.lockedUntil} <= ${nowParam})
            then 1 else ${loginThrottle.failures} + 1 end`,
          lockedUntil: sql`case when ${loginThrottle.lockedUntil} <= ${nowParam} then null
            else ${loginThrottle.lockedUntil} end`,
          lastFailureAt: now,
        },
      })
      .returning();
    if (row.failures >= THROTTLE_POLICY[scope].lockAt && !row.lockedUntil) {
      await db.update(loginThrottle)
        .set({ lockedUntil: new Date(now.getTime() + LOCK_MS) })
        .where(and(eq(loginThrottle.scope, scope), eq(loginThrottle.key, key)));
      locked.push(scope);
    }
  }
  return locked;
}

/** Until when the account is locked (null: it is not). */
export async function accountLockedUntil(
  db: Database,
  email: string,
  now: Date,
): Promise<Date | null> {
  const [row] = await db.select({ until: loginThrottle.lockedUntil }).from(loginThrottle).where(
    and(eq(loginThrottle.scope, "account"), eq(loginThrottle.key, email)),
  );
  return row?.until && row.until > now ? row.until : null;
}

/** A successful sign-in clears the account's counter (not the address's); so does an admin. */
export async function clearAccountFailures(db: Database, email: string): Promise<void> {
  await db.delete(loginThrottle).where(
    and(eq(loginThrottle.scope, "account"), eq(loginThrottle.key, email)),
  );
}
