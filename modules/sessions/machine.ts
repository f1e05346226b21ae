/**
 * The machine: applies one event to one technician's view of a session by the table in
 * `transitions.ts`, and refuses every move the table does not list with a reason that
 * names the status and the event.
 */
import {
  INACTIVITY_BLOCKERS,
  isSessionStatus,
  type SessionEvent,
  type SessionEventType,
  type SessionState,
  type SessionStatus,
  type TransitionResult,
} from "./status.ts";
import { RETURNS_TO, TRANSITIONS } from "./transitions.ts";

const CLEARABLE: ReadonlySet<SessionStatus> = new Set([
  "closed",
  "timed_out",
  "closed_by_waiting_customer",
]);

export function transition(state: SessionState, event: SessionEvent): TransitionResult {
  const from = state.status;
  if (!isSessionStatus(from)) return _refuse(`Unknown session status "${String(from)}"`);
  const target = TRANSITIONS[from][event.type];
  if (target === undefined) return _refuse(_notAccepted(from, event.type));

  if (event.type === "inactivity_timeout") {
    const open = INACTIVITY_BLOCKERS.filter((blocker) => event.open[blocker]);
    if (open.length > 0) {
      return _refuse(
        `A session that is ${from} does not take inactivity_timeout while ${
          open.join(", ")
        } is open or pending`,
      );
    }
  }

  // Reconnecting, Rebooting and Offline must know where to return before anything moves.
  const returnsTo = RETURNS_TO[from];
  if (returnsTo && (state.previous === null || !returnsTo.includes(state.previous))) {
    return _refuse(
      `A session that is ${from} needs a previous status among ${returnsTo.join(", ")} (got ${
        state.previous ?? "none"
      }), so ${event.type} cannot be applied`,
    );
  }

  if (target === "previous") return _accept(state.previous!, null);
  if (target === "offline") return _accept("offline", state.previous);
  if (target === "reconnecting" || target === "rebooting") return _accept(target, from);
  // An ended row remembers what it was when it ended: one closed while Outgoing was no longer
  // its technician's to work (no console tab for it, ENDED_TAB_STATUSES).
  if (target === "closed" || target === "timed_out") {
    return _accept(target, returnsTo ? state.previous : from);
  }
  return _accept(target, null);
}

function _accept(status: SessionStatus, previous: SessionStatus | null): TransitionResult {
  return { ok: true, state: { status, previous } };
}

function _refuse(reason: string): TransitionResult {
  return { ok: false, reason };
}

function _notAccepted(from: SessionStatus, type: SessionEventType): string {
  const accepted = Object.keys(TRANSITIONS[from]);
  if (accepted.length === 0) return `A session that is ${from} accepts no events (got ${type})`;
  if (CLEARABLE.has(from)) {
    return `A session that is ${from} only accepts end, which clears the row (got ${type})`;
  }
  return `A session that is ${from} does not accept ${type} (it accepts ${accepted.join(", ")})`;
}
