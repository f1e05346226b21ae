/**
 * Session statuses (SPEC Q8): the one source of truth for what status a support session can
 * have in a technician's queue, which events move it where, and which timers each status
 * starts. Pure: no database, no HTTP, no clock — callers pass the time in.
 */

/**
 * `SESSION_STATUSES` lists every status a session row can show, in the order the SPEC
 * table gives them; `SessionStatus` is its union type and `isSessionStatus` narrows a value
 * read from storage or a request. A status belongs to one technician's view: the same
 * session is Outgoing for the sender and Incoming for the recipient.
 */
export { isSessionStatus, SESSION_STATUSES, type SessionStatus } from "./status.ts";

/**
 * `SessionEvent` is what can happen to a session, as seen from one technician's row: a
 * tagged union on `type`, whose names `SESSION_EVENT_TYPES` lists (the customer's side,
 * this technician's buttons, other technicians, the connection, and fired deadlines).
 * Only `inactivity_timeout` carries data: which `INACTIVITY_BLOCKERS` (remote control,
 * screen sharing, file manager, file transfer, save dialog, calling-card deploy) are open
 * or pending, because any of them keeps the session from timing out.
 */
export {
  INACTIVITY_BLOCKERS,
  type InactivityBlocker,
  SESSION_EVENT_TYPES,
  type SessionEvent,
  type SessionEventType,
} from "./status.ts";

/**
 * `transition(state, event)` applies one event to one technician's view of a session and
 * returns the new `SessionState`, or `{ ok: false, reason }` naming the status and the event
 * when SPEC Q8 does not list that move. Removed accepts nothing; Closed, Timed out and
 * Closed by waiting customer accept only `end` (clearing the row). Reconnecting, Rebooting
 * and Offline keep the status to go back to in `state.previous`, Closed and Timed out the status
 * the row ended in; every other status has `previous: null`.
 */
export { type SessionState, type TransitionResult } from "./status.ts";
export { transition } from "./machine.ts";

/**
 * `DEADLINES` says, per status, which persisted deadlines entering it starts (connecting,
 * waiting and inactivity timeouts, the hold limit of at most 14 days, Offline after 5
 * minutes, the two-week system timeout); leaving the status cancels them. A deadline's
 * `kind` is the event to fire when it passes. `deadlinesFor(status, settings, enteredAt)`
 * turns the rules into dates from a group's `DeadlineSettings` (minutes; days for the hold).
 */
export {
  type Deadline,
  type DeadlineKind,
  type DeadlineRule,
  DEADLINES,
  type DeadlineSettings,
  deadlinesFor,
} from "./deadlines.ts";

/**
 * Status groups several places ask about: `WORKING_STATUSES` (the technician works the
 * session), `TAB_STATUSES` (it has a console tab), `ENDED_TAB_STATUSES` (an own row that ended
 * keeps its tab, read-only, until End clears it — `keepsEndedTab` says whether a row does: not one
 * that ended while Outgoing, handed on) and `LIMITED_STATUSES` (counts against the
 * group's active-session limit; held sessions don't).
 */
export {
  ENDED_TAB_STATUSES,
  keepsEndedTab,
  LIMITED_STATUSES,
  TAB_STATUSES,
  WORKING_STATUSES,
} from "./groupings.ts";

/**
 * `SESSION_OUTCOMES`: how a session ended (closed by the technician, by the customer, by a
 * customer still waiting, timed out, never connected, never picked up, terms declined),
 * stored on the session with its end and read by the reports. `outcomeOfDeadline` and
 * `outcomeOfCustomerLeaving` say which one each way of ending gives.
 */
export {
  isSessionOutcome,
  outcomeOfCustomerLeaving,
  outcomeOfDeadline,
  SESSION_OUTCOMES,
  type SessionOutcome,
} from "./outcomes.ts";
