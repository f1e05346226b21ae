/**
 * Session statuses and the events that move them (SPEC Q8). A status is one technician's
 * view of a session: the same session is Outgoing for the sender and Incoming for the
 * recipient, so every event below means "what happened, as seen from this technician's row".
 * The allowed moves are data in `transitions.ts`; `machine.ts` checks and applies them.
 */

export const SESSION_STATUSES = [
  "connecting",
  "waiting",
  "active",
  "on_hold",
  "outgoing",
  "incoming",
  "invitation",
  "collaborating",
  "rebooting",
  "reconnecting",
  "offline",
  "timed_out",
  "closed",
  "closed_by_waiting_customer",
  "removed",
] as const;

export type SessionStatus = typeof SESSION_STATUSES[number];

export function isSessionStatus(value: unknown): value is SessionStatus {
  return typeof value === "string" && (SESSION_STATUSES as readonly string[]).includes(value);
}

export const SESSION_EVENT_TYPES = [
  // The customer's side.
  "customer_connected", // the agent or page connected to a Connecting session
  "terms_declined", // the customer did not accept the group's terms
  "customer_left", // the customer left before anyone picked the session up
  "customer_closed", // the customer closed a session that had been picked up
  // This technician's buttons.
  "start", // pick up, accept a transfer or invitation, resume a hold, cancel an own transfer
  "transfer", // hand the session to a technician, group or channel
  "hold",
  "end", // end the session, or clear a closed / timed-out row
  "lead_handed_over", // this lead made a collaborator the lead
  "lead_accepted", // this collaborator accepted the lead
  "collaborator_resumed", // this collaborator resumed its own hold
  "collaborator_left", // this collaborator left the session (it goes on without it)
  "handover_cancelled", // this lead took back a hand-over nobody has accepted yet
  // Other technicians.
  "transfer_accepted", // the recipient accepted this technician's transfer
  "transfer_cancelled_by_sender", // the sender pressed Start on its Outgoing row
  "transfer_returned", // the recipient gave this technician's transfer back
  "invitation_withdrawn", // the inviter removed this technician before it accepted
  "collaborator_removed", // the lead removed this collaborating technician
  "closed_by_lead", // the lead ended the session while this technician collaborates
  // The connection and the device.
  "network_lost",
  "network_restored",
  "reboot_started",
  "agent_back", // the agent is connected again after a reboot
  // Deadlines (see `DEADLINES`): the scheduler fires the event named by the deadline kind.
  "connecting_timeout",
  "waiting_timeout",
  "inactivity_timeout",
  "hold_limit_reached",
  "offline_after_5_min",
  "system_timeout", // the two-week system timeout
] as const;

export type SessionEventType = typeof SESSION_EVENT_TYPES[number];

/** What keeps a session from timing out for inactivity while it is open or pending. */
export const INACTIVITY_BLOCKERS = [
  "remoteControl",
  "screenSharing",
  "fileManager",
  "fileTransfer",
  "saveDialog",
  "callingCardDeploy",
] as const;

export type InactivityBlocker = typeof INACTIVITY_BLOCKERS[number];

type PlainEventType = Exclude<SessionEventType, "inactivity_timeout">;

export type SessionEvent =
  | { [T in PlainEventType]: { readonly type: T } }[PlainEventType]
  | {
    readonly type: "inactivity_timeout";
    /** Which blockers are open or pending right now; any `true` refuses the timeout. */
    readonly open: Readonly<Record<InactivityBlocker, boolean>>;
  };

/**
 * `previous` is the status to go back to from Reconnecting, Rebooting and Offline; in Closed
 * and Timed out, the status the row ended in (behind a Rebooting, the one before it); `null` in
 * every other status.
 */
export interface SessionState {
  readonly status: SessionStatus;
  readonly previous: SessionStatus | null;
}

export type TransitionResult =
  | { readonly ok: true; readonly state: SessionState }
  | { readonly ok: false; readonly reason: string };
