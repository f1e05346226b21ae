/**
 * The customer's consent to remote view and control, as the server knows it: rules as data.
 * For each capability's state, the events it accepts and where each leads; an event missing
 * from the table is refused with a reason, and a refused event changes nothing (the hub then
 * sends nothing and logs nothing). Pure: the hub (`hub.ts`) keeps the sockets and peers and
 * turns each accepted move into messages, log lines and WebRTC peers.
 *
 * Only the agent grants: it reports the customer's answer, given in the agent's own window,
 * as `agent_grants` / `agent_withholds`. Nothing a technician or the customer's web page does
 * moves a capability to "granted".
 */

export const REMOTE_CAPABILITIES = ["view", "control"] as const;
/** What the remote view asks the customer for; clipboard sync rides on control. */
export type RemoteCapability = typeof REMOTE_CAPABILITIES[number];

// The states travel to the technician's viewer too: one list, in protocol/viewer.ts.
export { CONSENT_STATES, type ConsentState } from "../../protocol/mod.ts";
import type { ConsentState } from "../../protocol/mod.ts";

export const CONSENT_EVENTS = [
  "request", // a technician asks (the hub passes the request on to the agent)
  "agent_asks", // the agent put the question in front of the customer
  "agent_grants", // the agent allows it now: the customer said yes in its window
  "agent_withholds", // the agent does not allow it: the customer said no, or took it back there
  "customer_revokes", // the customer took it back on the web page
  "technician_ends", // a technician switched it off, or the session is no longer worked
] as const;
export type ConsentEvent = typeof CONSENT_EVENTS[number];

type Moves = Readonly<Partial<Record<ConsentEvent, ConsentState>>>;

export const CONSENT_MOVES: { readonly [S in ConsentState]: Moves } = {
  off: { request: "asked", agent_asks: "asked", agent_grants: "granted" },
  asked: {
    // Asking again resends the request (the agent replaces its open question).
    request: "asked",
    agent_asks: "asked",
    agent_grants: "granted",
    agent_withholds: "denied",
    customer_revokes: "revoked",
    technician_ends: "off",
  },
  granted: {
    // Granted stays granted until the agent says otherwise; the question is shown meanwhile.
    agent_asks: "granted",
    agent_withholds: "revoked",
    customer_revokes: "revoked",
    technician_ends: "off",
  },
  denied: { request: "asked", agent_asks: "asked", agent_grants: "granted" },
  revoked: { request: "asked", agent_asks: "asked", agent_grants: "granted" },
};

/** Each capability's state, and the questions the agent shows the customer right now. */
export interface Consent {
  readonly view: ConsentState;
  readonly control: ConsentState;
  /** Control first: its answer covers view. */
  readonly asking: readonly RemoteCapability[];
}

export const NO_CONSENT: Consent = { view: "off", control: "off", asking: [] };

/** One capability that moved, for the hub to act on. */
export interface ConsentChange {
  readonly capability: RemoteCapability;
  readonly from: ConsentState;
  readonly to: ConsentState;
}

export type ConsentDecision =
  | { readonly ok: true; readonly consent: Consent; readonly changes: readonly ConsentChange[] }
  | { readonly ok: false; readonly reason: string };

/**
 * Applies `event` to `capability`. Besides the table, the rules that tie the two together
 * (control includes view):
 * - while a control question is open, view is neither requested nor asked: the control
 *   answer brings view, and the customer would otherwise answer twice;
 * - requesting control closes an open view question, for the same reason;
 * - the customer revoking view revokes control first.
 */
export function decideConsent(
  consent: Consent,
  capability: RemoteCapability,
  event: ConsentEvent,
): ConsentDecision {
  if (capability === "view" && consent.control === "asked") {
    if (event === "request" || event === "agent_asks") {
      return _refuse(`view is not ${_verb(event)} while a control question is open`);
    }
  }
  if (event === "customer_revokes" && capability === "view") {
    let next = consent;
    const changes: ConsentChange[] = [];
    for (const target of ["control", "view"] as const) {
      const step = _move(next, target, event);
      if (!step.ok) continue;
      next = step.consent;
      changes.push(...step.changes);
    }
    if (changes.length > 0) return { ok: true, consent: next, changes };
  }
  const step = _move(consent, capability, event);
  if (!step.ok || event !== "request" || capability !== "control") return step;
  return { ...step, consent: _closeQuestion(step.consent, "view") };
}

/** The agent left: the questions it showed are gone with it (an agent that still shows one
 * says so again when it reconnects); what was granted stays until the agent says otherwise. */
export function agentGone(consent: Consent): Consent {
  return { ...consent, asking: [] };
}

/** Whether the picture may flow (view) or input and the clipboard pass (control). */
export function allows(consent: Consent, capability: RemoteCapability): boolean {
  return consent[capability] === "granted";
}

function _move(
  consent: Consent,
  capability: RemoteCapability,
  event: ConsentEvent,
): ConsentDecision {
  const from = consent[capability];
  const to = CONSENT_MOVES[from][event];
  if (to === undefined) return _refuse(_notAccepted(capability, from, event));
  let next: Consent = { ...consent, [capability]: to };
  // A question opens when the agent shows it and closes with any answer, revoke or end.
  if (event === "agent_asks") next = _openQuestion(next, capability);
  else if (event !== "request") next = _closeQuestion(next, capability);
  return { ok: true, consent: next, changes: from === to ? [] : [{ capability, from, to }] };
}

function _openQuestion(consent: Consent, capability: RemoteCapability): Consent {
  const asking = new Set([...consent.asking, capability]);
  return { ...consent, asking: REMOTE_CAPABILITIES.filter((c) => asking.has(c)).reverse() };
}

function _closeQuestion(consent: Consent, capability: RemoteCapability): Consent {
  return { ...consent, asking: consent.asking.filter((c) => c !== capability) };
}

function _refuse(reason: string): ConsentDecision {
  return { ok: false, reason };
}

function _verb(event: "request" | "agent_asks"): string {
  return event === "request" ? "requested" : "asked";
}

function _notAccepted(capability: RemoteCapability, from: ConsentState, event: ConsentEvent) {
  const accepted = Object.keys(CONSENT_MOVES[from]).join(", ");
  return `${capability} that is ${from} does not accept ${event} (it accepts ${accepted})`;
}
