/**
 * How a support session ended (SPEC S1's "status outcomes"): one value per session, written
 * with `endedAt` by whatever ended it, read by the reports. The statuses of Q8 are per
 * technician row; a session's outcome is the one thing a manager asks about all of them —
 * who or what closed it, and whether anyone picked it up before.
 */
import type { DeadlineKind } from "./deadlines.ts";

export const SESSION_OUTCOMES = [
  "closed_by_technician", // the lead pressed End while the session was live
  "closed_by_customer", // the customer ended a session that had been picked up
  "closed_by_waiting_customer", // the customer left before anyone picked it up
  "timed_out", // inactivity, the hold limit or the two-week system timeout
  "connecting_timeout", // the customer never connected
  "waiting_timeout", // nobody picked it up in time
  "terms_declined", // the customer did not accept the group's terms
] as const;

export type SessionOutcome = typeof SESSION_OUTCOMES[number];

export function isSessionOutcome(value: unknown): value is SessionOutcome {
  return typeof value === "string" && (SESSION_OUTCOMES as readonly string[]).includes(value);
}

/** The outcome of a session whose last live row a fired deadline removed or timed out. */
export function outcomeOfDeadline(kind: DeadlineKind | string): SessionOutcome {
  if (kind === "connecting_timeout") return "connecting_timeout";
  if (kind === "waiting_timeout") return "waiting_timeout";
  return "timed_out";
}

/** The outcome when the customer ends the session: before or after a technician took it. */
export function outcomeOfCustomerLeaving(pickedUp: boolean): SessionOutcome {
  return pickedUp ? "closed_by_customer" : "closed_by_waiting_customer";
}
