/**
 * Every limited action and its budget, in one table: `max` uses per `windowMs`, per key (the
 * key says per what: a user, an address, a session, or `*` for the whole installation).
 * The limiter counts in fixed windows and weighs the previous one in, so a budget is a
 * sliding rate, not a reset at the top of the minute.
 */
export const LIMITS = {
  /** Sessions a technician creates, per user, at every door (console dialog, API). */
  sessionCreate: { max: 30, windowMs: 60_000 },
  /** Lens links a technician sends by e-mail or text message, per user (modules/lens). */
  lensInvite: { max: 10, windowMs: 60_000 },
  /** Public channel forms that store a row (session, callback request), per address. */
  channelForm: { max: 10, windowMs: 15 * 60_000 },
  /** Chat messages from whoever holds a customer link, per session (a burst of 60 is fine). */
  customerChat: { max: 60, windowMs: 60_000 },
  /** Wrong PINs per address (a right one is given back), then that address waits. */
  pinAddress: { max: 10, windowMs: 15 * 60_000 },
  /**
   * Wrong PINs across the installation per minute before guesses from addresses past their
   * first tries are asked to wait (pin.ts).
   */
  pinGlobal: { max: 20, windowMs: 60_000 },
  /**
   * Wrong PINs per address (IPv6: per /48) and hour that are checked even while the server
   * is busy: a customer's first try, and a second after one typo.
   */
  pinFirstTries: { max: 2, windowMs: 60 * 60_000 },
  /** Audit entries for guesses refused unchecked, per address (one row per request otherwise). */
  pinRefusalAudit: { max: 1, windowMs: 15 * 60_000 },
  /**
   * Refused unattended-device proofs, counted (never refused: every proof is checked) per
   * address, code and device; the first of a window and each tenfold are audited, with the
   * count (modules/unattended/device_proof.ts), so a flood writes a handful of rows.
   */
  deviceRefusalAudit: { max: 1, windowMs: 10 * 60_000 },
  /**
   * Single sign-on starts per address (each stores a login row for 10 minutes, modules/sso):
   * room for an office behind one address signing in at nine.
   */
  ssoStart: { max: 60, windowMs: 60_000 },
  /**
   * "Forgot your password?" requests per address (modules/org/password_reset.ts): a refusal
   * here says nothing about any account.
   */
  passwordResetAddress: { max: 10, windowMs: 15 * 60_000 },
  /**
   * Reset e-mails per account and hour: past it the request is answered as always and no
   * mail goes, so nobody floods an inbox and the answer still tells nothing.
   */
  passwordResetAccount: { max: 3, windowMs: 60 * 60_000 },
} as const satisfies Record<string, { max: number; windowMs: number }>;

export type LimitAction = keyof typeof LIMITS;

/**
 * How one more use fares given the previous window's count `prev`, the current window's
 * count `current` (others' uses, not this one) and the time into the current window: the
 * estimate is `prev × (1 − elapsed / window) + current + 1`. When refused, the seconds until
 * it would pass if nobody else used the budget meanwhile.
 */
export function slidingVerdict(
  counts: { prev: number; current: number },
  at: { elapsedMs: number; windowMs: number; max: number },
): { ok: true } | { ok: false; retryAfterSeconds: number } {
  const { prev, current } = counts;
  const { elapsedMs, windowMs, max } = at;
  const estimate = prev * (1 - elapsedMs / windowMs) + current + 1;
  if (estimate <= max + 1e-9) return { ok: true };
  let waitMs: number;
  if (current + 1 <= max) {
    // The current window has room; wait until the previous one weighs little enough.
    waitMs = windowMs * (1 - (max - current - 1) / prev) - elapsedMs;
  } else {
    // The current window is full: into the next one, where it becomes the previous.
    const intoNext = current <= max - 1 ? 0 : windowMs * (1 - (max - 1) / current);
    waitMs = windowMs - elapsedMs + intoNext;
  }
  return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(Math.round(waitMs) / 1000)) };
}
