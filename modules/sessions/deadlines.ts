/**
 * The timers of SPEC Q8 as data. Entering a status starts its deadlines; leaving it cancels
 * them. A deadline's `kind` is the event type a scheduler fires when it passes, so the
 * state machine alone decides whether the event still applies (an inactivity timeout is
 * refused while remote control is open, for one).
 */
import type { SessionEventType, SessionStatus } from "./status.ts";

/** The group settings the deadlines read (A8): timeouts in minutes, the hold limit in days. */
export interface DeadlineSettings {
  readonly connectingTimeout: number;
  readonly waitingTimeout: number;
  readonly inactivityTimeout: number;
  readonly holdMaxDays: number;
}

export type DeadlineKind = Extract<
  SessionEventType,
  | "connecting_timeout"
  | "waiting_timeout"
  | "inactivity_timeout"
  | "hold_limit_reached"
  | "offline_after_5_min"
  | "system_timeout"
>;

export interface DeadlineRule {
  readonly kind: DeadlineKind;
  /** How long after entering the status: a group setting, or a fixed number of minutes. */
  readonly after: { readonly setting: keyof DeadlineSettings } | { readonly minutes: number };
  /**
   * Minutes of that wait already spent before the status was entered. Offline always
   * follows 5 minutes of Reconnecting or Rebooting, and the inactivity clock has been
   * running since the connection went (the manual's example: an 8-minute inactivity
   * timeout turns Offline into Timed out 3 minutes after it went Offline).
   */
  readonly alreadyElapsedMinutes?: number;
}

export interface Deadline {
  readonly kind: DeadlineKind;
  readonly at: Date;
}

/** SPEC Q6 / A8: a hold lasts at most 14 days, whatever the group says. */
export const HOLD_MAX_DAYS = 14;
/** Reconnecting (and Rebooting) become Offline after this long. */
export const OFFLINE_AFTER_MINUTES = 5;
/** The two-week system timeout, counted from the last status change. */
export const SYSTEM_TIMEOUT_MINUTES = 14 * 24 * 60;

const SYSTEM_TIMEOUT: DeadlineRule = {
  kind: "system_timeout",
  after: { minutes: SYSTEM_TIMEOUT_MINUTES },
};
const INACTIVITY: DeadlineRule = {
  kind: "inactivity_timeout",
  after: { setting: "inactivityTimeout" },
};
const GOES_OFFLINE: DeadlineRule = {
  kind: "offline_after_5_min",
  after: { minutes: OFFLINE_AFTER_MINUTES },
};

export const DEADLINES: { readonly [S in SessionStatus]: readonly DeadlineRule[] } = {
  connecting: [{ kind: "connecting_timeout", after: { setting: "connectingTimeout" } }],
  waiting: [{ kind: "waiting_timeout", after: { setting: "waitingTimeout" } }],
  active: [INACTIVITY, SYSTEM_TIMEOUT],
  on_hold: [{ kind: "hold_limit_reached", after: { setting: "holdMaxDays" } }, SYSTEM_TIMEOUT],
  reconnecting: [GOES_OFFLINE, INACTIVITY, SYSTEM_TIMEOUT],
  offline: [
    { ...INACTIVITY, alreadyElapsedMinutes: OFFLINE_AFTER_MINUTES },
    { ...SYSTEM_TIMEOUT, alreadyElapsedMinutes: OFFLINE_AFTER_MINUTES },
  ],
  collaborating: [INACTIVITY],
  rebooting: [GOES_OFFLINE],
  // Transfers and invitations wait for a person; closed rows wait to be cleared.
  incoming: [],
  outgoing: [],
  invitation: [],
  timed_out: [],
  closed: [],
  closed_by_waiting_customer: [],
  removed: [],
};

const MINUTE_MS = 60_000;
const DAY_MINUTES = 24 * 60;

/** The deadlines that start when a session enters `status` at `enteredAt`, soonest first. */
export function deadlinesFor(
  status: SessionStatus,
  settings: DeadlineSettings,
  enteredAt: Date,
): Deadline[] {
  if (Number.isNaN(enteredAt.getTime())) throw new RangeError("enteredAt is not a valid date");
  return DEADLINES[status]
    .map((rule) => {
      const minutes = _minutesOf(rule, settings) - (rule.alreadyElapsedMinutes ?? 0);
      return {
        kind: rule.kind,
        at: new Date(enteredAt.getTime() + Math.max(0, minutes) * MINUTE_MS),
      };
    })
    .sort((a, b) => a.at.getTime() - b.at.getTime());
}

function _minutesOf(rule: DeadlineRule, settings: DeadlineSettings): number {
  if ("minutes" in rule.after) return rule.after.minutes;
  const { setting } = rule.after;
  const value = settings[setting];
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`Setting ${setting} must be a positive number (got ${value})`);
  }
  return setting === "holdMaxDays" ? Math.min(value, HOLD_MAX_DAYS) * DAY_MINUTES : value;
}
