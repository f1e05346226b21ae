/**
 * The transitions of SPEC Q8 as data: for each status, the events it accepts and where each
 * leads. An event missing here is refused. `"previous"` means "back to the status the
 * session had before Reconnecting, Rebooting or Offline" (kept in `SessionState.previous`).
 */
import type { SessionEventType, SessionStatus } from "./status.ts";

export type TransitionTarget = SessionStatus | "previous";

type Moves = Readonly<Partial<Record<SessionEventType, TransitionTarget>>>;

export const TRANSITIONS: { readonly [S in SessionStatus]: Moves } = {
  connecting: {
    customer_connected: "waiting",
    connecting_timeout: "removed",
    terms_declined: "removed",
  },
  waiting: {
    start: "active",
    transfer: "outgoing",
    waiting_timeout: "removed",
    network_lost: "reconnecting",
    reboot_started: "rebooting",
    customer_left: "closed_by_waiting_customer",
  },
  active: {
    customer_closed: "closed",
    inactivity_timeout: "timed_out",
    // The two-week system timeout is the other way into Timed out (the statuses table);
    // it is taken wherever SPEC lists an edge to Timed out.
    system_timeout: "timed_out",
    end: "removed",
    reboot_started: "rebooting",
    network_lost: "reconnecting",
    hold: "on_hold",
    transfer: "outgoing",
    lead_handed_over: "collaborating",
  },
  on_hold: {
    start: "active",
    transfer: "outgoing",
    reboot_started: "rebooting",
    collaborator_resumed: "collaborating",
    customer_closed: "closed",
    network_lost: "reconnecting",
    hold_limit_reached: "timed_out",
    system_timeout: "timed_out",
    // A collaborator holding only for itself can still leave, be removed, or see the end.
    collaborator_left: "removed",
    collaborator_removed: "removed",
    closed_by_lead: "closed",
  },
  reconnecting: {
    network_restored: "previous",
    offline_after_5_min: "offline",
    inactivity_timeout: "timed_out",
    system_timeout: "timed_out",
    end: "removed",
  },
  offline: {
    network_restored: "previous",
    // Offline is also where a reboot that took over 5 minutes waits for the agent.
    agent_back: "previous",
    inactivity_timeout: "timed_out",
    system_timeout: "timed_out",
    end: "removed",
  },
  incoming: {
    start: "active",
    transfer: "outgoing",
    network_lost: "reconnecting",
    reboot_started: "rebooting",
    transfer_cancelled_by_sender: "removed",
    customer_closed: "removed",
  },
  outgoing: {
    start: "active",
    transfer_cancelled_by_sender: "active",
    transfer_returned: "incoming",
    reboot_started: "rebooting",
    customer_closed: "closed",
    transfer_accepted: "removed",
    // Not on the Outgoing line, but Reconnecting returns to "Incoming/Outgoing".
    network_lost: "reconnecting",
  },
  invitation: {
    start: "collaborating",
    invitation_withdrawn: "removed",
    // An invitation nobody accepted goes with the session.
    closed_by_lead: "removed",
    customer_closed: "removed",
  },
  collaborating: {
    lead_accepted: "active",
    hold: "on_hold",
    reboot_started: "rebooting",
    customer_closed: "closed",
    closed_by_lead: "closed",
    collaborator_removed: "removed",
    inactivity_timeout: "removed",
    collaborator_left: "removed",
    handover_cancelled: "active",
  },
  rebooting: {
    agent_back: "previous",
    closed_by_lead: "closed",
    end: "removed",
    collaborator_removed: "removed",
    offline_after_5_min: "offline",
  },
  closed: { end: "removed" },
  timed_out: { end: "removed" },
  closed_by_waiting_customer: { end: "removed" },
  removed: {},
};

const RECONNECT_ORIGINS: readonly SessionStatus[] = [
  "active",
  "on_hold",
  "waiting",
  "incoming",
  "outgoing",
];
const REBOOT_ORIGINS: readonly SessionStatus[] = [...RECONNECT_ORIGINS, "collaborating"];

/** The statuses that remember where they came from, and what that may be. */
export const RETURNS_TO: Readonly<Partial<Record<SessionStatus, readonly SessionStatus[]>>> = {
  reconnecting: RECONNECT_ORIGINS,
  rebooting: REBOOT_ORIGINS,
  offline: REBOOT_ORIGINS,
};
