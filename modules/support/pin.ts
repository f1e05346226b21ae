/**
 * PINs (SPEC C1): six digits from the CSPRNG, unique among codes that can still be entered,
 * valid until the connecting timeout. Guessing is throttled per client address and across
 * the whole server, and a live code locks after `CODE_STRIKES` wrong tries against it (a
 * wrong guess one digit away from a live code counts against that code: that is what both a
 * sweep around it and a customer's typo look like — see DECISIONS.md).
 */
import { and, eq, gt, isNotNull, sql } from "drizzle-orm";
import type { Database } from "../db/mod.ts";
import { pinThrottle, supportSessions } from "./schema.ts";

export const PIN_POLICY = {
  /** Wrong guesses from one address per window before it is locked out. */
  addressFailures: 10,
  /** Wrong guesses from everyone per window before PIN entry pauses for all. */
  globalFailures: 300,
  windowMs: 15 * 60_000,
  globalWindowMs: 60_000,
  lockMs: 15 * 60_000,
  codeStrikes: 10,
} as const;

const GLOBAL_KEY = "*";

export function randomPin(): string {
  // Rejection sampling keeps the six digits uniform.
  const buffer = new Uint32Array(1);
  for (;;) {
    crypto.getRandomValues(buffer);
    if (buffer[0] < 4_294_000_000) return String(buffer[0] % 1_000_000).padStart(6, "0");
  }
}

/**
 * A PIN no session holds (retries on the rare collision). A code stays held until it is used,
 * expires (the connecting deadline clears it) or is locked; the unique index on the column
 * settles two creations racing for the same draw.
 */
export async function uniquePin(tx: Database): Promise<string> {
  for (let i = 0; i < 20; i++) {
    const pin = randomPin();
    const [taken] = await tx.select({ id: supportSessions.id }).from(supportSessions)
      .where(eq(supportSessions.pin, pin));
    if (!taken) return pin;
  }
  throw new Error("Could not find a free PIN");
}

export type PinVerdict =
  | { kind: "ok"; sessionId: string; token: string }
  | { kind: "wrong" }
  | { kind: "throttled"; scope: "address" | "global"; retryAfterSeconds: number };

/**
 * Checks a guess. Throttle first (a throttled guess is not even compared), then the code;
 * a wrong guess counts against the address, the global window and near codes.
 */
export async function checkPin(
  db: Database,
  guess: string,
  address: string,
  now: Date,
): Promise<PinVerdict & { lockedSessionIds?: string[] }> {
  for (const [key, scope] of [[`a:${address}`, "address"], [GLOBAL_KEY, "global"]] as const) {
    const [row] = await db.select().from(pinThrottle).where(eq(pinThrottle.key, key));
    if (row?.lockedUntil && row.lockedUntil > now) {
      return {
        kind: "throttled",
        scope,
        retryAfterSeconds: Math.ceil((row.lockedUntil.getTime() - now.getTime()) / 1000),
      };
    }
  }
  if (/^\d{6}$/.test(guess)) {
    const [hit] = await db.select({ id: supportSessions.id, token: supportSessions.token })
      .from(supportSessions).where(and(
        eq(supportSessions.pin, guess),
        gt(supportSessions.pinExpiresAt, now),
      ));
    if (hit) return { kind: "ok", sessionId: hit.id, token: hit.token };
  }
  await _countFailure(db, `a:${address}`, PIN_POLICY.addressFailures, PIN_POLICY.windowMs, now);
  await _countFailure(
    db,
    GLOBAL_KEY,
    PIN_POLICY.globalFailures,
    PIN_POLICY.globalWindowMs,
    now,
  );
  const lockedSessionIds = /^\d{6}$/.test(guess) ? await _strikeNearCodes(db, guess, now) : [];
  return { kind: "wrong", lockedSessionIds };
}

async function _countFailure(
  db: Database,
  key: string,
  limit: number,
  windowMs: number,
  now: Date,
): Promise<void> {
  const [row] = await db.select().from(pinThrottle).where(eq(pinThrottle.key, key));
  const fresh = !row || now.getTime() - row.windowStart.getTime() > windowMs;
  const failures = fresh ? 1 : row.failures + 1;
  const lockedUntil = failures >= limit ? new Date(now.getTime() + PIN_POLICY.lockMs) : null;
  await db.insert(pinThrottle).values({
    key,
    failures,
    windowStart: fresh ? now : row.windowStart,
    lockedUntil,
  }).onConflictDoUpdate({
    target: pinThrottle.key,
    set: { failures, windowStart: fresh ? now : row!.windowStart, lockedUntil },
  });
}

/** Adds a strike to live codes one digit away from `guess`; returns the codes now locked. */
async function _strikeNearCodes(db: Database, guess: string, now: Date): Promise<string[]> {
  const live = await db.select({ id: supportSessions.id, pin: supportSessions.pin })
    .from(supportSessions).where(and(
      isNotNull(supportSessions.pin),
      gt(supportSessions.pinExpiresAt, now),
    ));
  const locked: string[] = [];
  for (const code of live) {
    if (!code.pin || _distance(code.pin, guess) !== 1) continue;
    const [row] = await db.update(supportSessions).set({
      pinStrikes: sql`${supportSessions.pinStrikes} + 1`,
    }).where(eq(supportSessions.id, code.id)).returning({ strikes: supportSessions.pinStrikes });
    if (row.strikes >= PIN_POLICY.codeStrikes) {
      await db.update(supportSessions).set({ pin: null, pinExpiresAt: null })
        .where(eq(supportSessions.id, code.id));
      locked.push(code.id);
    }
  }
  return locked;
}

function _distance(a: string, b: string): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) d++;
  return d;
}

/** Public forms that create rows (channel sessions, callback requests), per client address. */
export const FORM_POLICY = { perAddress: 10, windowMs: 15 * 60_000 } as const;

/**
 * Counts one submission from `address` and says whether it may go ahead: at most
 * `FORM_POLICY.perAddress` per window, then a wait until the window is over. Returns the
 * seconds to wait, or null when allowed. Shares the PIN throttle's table (key "f:<address>").
 */
export async function formSubmissionWait(
  db: Database,
  address: string,
  now: Date,
): Promise<number | null> {
  const key = `f:${address}`;
  const [row] = await db.select().from(pinThrottle).where(eq(pinThrottle.key, key));
  const fresh = !row || now.getTime() - row.windowStart.getTime() > FORM_POLICY.windowMs;
  const windowStart = fresh ? now : row.windowStart;
  if (!fresh && row.failures >= FORM_POLICY.perAddress) {
    const end = windowStart.getTime() + FORM_POLICY.windowMs;
    return Math.max(1, Math.ceil((end - now.getTime()) / 1000));
  }
  const failures = fresh ? 1 : row.failures + 1;
  await db.insert(pinThrottle).values({ key, failures, windowStart, lockedUntil: null })
    .onConflictDoUpdate({ target: pinThrottle.key, set: { failures, windowStart } });
  return null;
}
