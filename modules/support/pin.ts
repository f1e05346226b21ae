/**
 * PINs (SPEC C1): six digits from the CSPRNG, unique among codes that can still be entered,
 * valid until the connecting timeout. Guessing is limited per client address, slowed across
 * the whole server without ever locking everyone out, and a live code locks after
 * `codeStrikes` wrong tries against it (a wrong guess one digit away from a live code counts
 * against that code: that is what both a sweep around it and a customer's typo look like).
 * The budgets are in modules/limits (`pinAddress`, `pinGlobal`, `pinFirstTries`); the
 * reasoning and the numbers are in modules/sessions/DECISIONS.md (item 16).
 *
 * A code is not used up when the customer joins: it stays with its session while that session
 * waits or works, so the support app can join with the PIN the customer already typed on the
 * page, and the same browser (its cookie names the session) gets back in. Any other client
 * entering a code that was used is told it is wrong, like any wrong guess (item 17).
 */
import { and, eq, gt, isNotNull, isNull, ne, or, sql } from "drizzle-orm";
import type { Database } from "../db/mod.ts";
import { addressKey, consume, LIMITS, type LimitVerdict, record } from "../limits/mod.ts";
import { supportSessions } from "./schema.ts";

export const PIN_POLICY = {
  /** Wrong guesses from one address (IPv6: one /64) per window; then that address waits. */
  addressFailures: LIMITS.pinAddress.max,
  windowMs: LIMITS.pinAddress.windowMs,
  /**
   * Wrong guesses per minute across the server before an address past its first tries
   * must wait for room; an address's first tries (`firstTries` wrong guesses an hour: a
   * customer's first PIN and one typo) are always checked, so nobody can keep a customer
   * with the right PIN out.
   */
  globalFailuresPerMinute: LIMITS.pinGlobal.max,
  firstTries: LIMITS.pinFirstTries.max,
  codeStrikes: 10,
} as const;

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

/**
 * Who enters a code: the customer's browser (with the session token its PIN cookie names, if
 * any) or the support app (`agentAttached` says whether a session already has its app, which a
 * second join would replace).
 */
export type PinEntry =
  | { by: "browser"; knownToken: string | null }
  | { by: "agent"; agentAttached: (sessionId: string) => boolean | Promise<boolean> };

/**
 * Whether `entry` may have the session behind a code: a code nobody used yet while it lives;
 * a used one (the customer joined, the session waits or works) only for the browser that used
 * it and for the support app while the session has none.
 */
export async function pinAdmits(
  code: { id: string; token: string; customerState: string; pinExpiresAt: Date | null },
  entry: PinEntry,
  now: Date,
): Promise<boolean> {
  if (code.customerState === "pending") {
    return code.pinExpiresAt !== null && code.pinExpiresAt > now;
  }
  if (code.customerState !== "connected" && code.customerState !== "lost") return false;
  return entry.by === "browser"
    ? entry.knownToken === code.token
    : !(await entry.agentAttached(code.id));
}

export type PinVerdict =
  | { kind: "ok"; sessionId: string; token: string }
  | { kind: "wrong" }
  | { kind: "throttled"; scope: "address" | "global"; retryAfterSeconds: number };

/**
 * Checks a guess. A guess is compared only within the address's budget and — once the
 * address has used its first tries — within the server's budget of wrong guesses per
 * minute; a refused guess is not compared and costs nothing. A right guess gives its uses
 * back; a wrong one counts against the address, the server and near codes.
 */
export async function checkPin(
  db: Database,
  guess: string,
  address: string,
  now: Date,
  entry: PinEntry = { by: "browser", knownToken: null },
): Promise<PinVerdict & { lockedSessionIds?: string[] }> {
  const key = addressKey(address);
  const own = await consume(db, { action: "pinAddress", key, now });
  if (!own.ok) {
    return { kind: "throttled", scope: "address", retryAfterSeconds: own.retryAfterSeconds };
  }
  // First tries are counted per IPv6 /48: a /64 per attempt would make every guess a first.
  // Taken atomically, so ten guesses at once from one address are not ten first tries.
  const first = await consume(db, {
    action: "pinFirstTries",
    key: addressKey(address, { v6Bits: 48 }),
    now,
  });
  let server: LimitVerdict | null = null;
  if (!first.ok) {
    server = await consume(db, { action: "pinGlobal", key: "*", now });
    if (!server.ok) {
      await own.refund();
      return { kind: "throttled", scope: "global", retryAfterSeconds: server.retryAfterSeconds };
    }
  }
  if (/^\d{6}$/.test(guess)) {
    const [hit] = await db.select({
      id: supportSessions.id,
      token: supportSessions.token,
      customerState: supportSessions.customerState,
      pinExpiresAt: supportSessions.pinExpiresAt,
    }).from(supportSessions).where(and(
      eq(supportSessions.pin, guess),
      isNull(supportSessions.endedAt),
    ));
    if (hit && await pinAdmits(hit, entry, now)) {
      for (const use of [own, first, server]) if (use?.ok) await use.refund();
      return { kind: "ok", sessionId: hit.id, token: hit.token };
    }
  }
  // A first try was not asked for room, but it still fills the server's minute.
  if (first.ok) await record(db, { action: "pinGlobal", key: "*", now });
  const lockedSessionIds = /^\d{6}$/.test(guess) ? await _strikeNearCodes(db, guess, now) : [];
  return { kind: "wrong", lockedSessionIds };
}

/**
 * Adds a strike to held codes one digit away from `guess` (a used one too: the support app can
 * still join with it); returns the codes now locked.
 */
async function _strikeNearCodes(db: Database, guess: string, now: Date): Promise<string[]> {
  const live = await db.select({ id: supportSessions.id, pin: supportSessions.pin })
    .from(supportSessions).where(and(
      isNotNull(supportSessions.pin),
      isNull(supportSessions.endedAt),
      or(ne(supportSessions.customerState, "pending"), gt(supportSessions.pinExpiresAt, now)),
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

/**
 * Counts one public form submission (channel session, callback request) from `address` and
 * says whether it may go ahead: the `channelForm` budget of modules/limits, shared by every
 * instance. Returns the seconds to wait, or null when allowed.
 */
export async function formSubmissionWait(
  db: Database,
  address: string,
  now: Date,
): Promise<number | null> {
  const verdict = await consume(db, { action: "channelForm", key: addressKey(address), now });
  return verdict.ok ? null : verdict.retryAfterSeconds;
}
