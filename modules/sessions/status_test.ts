import assert from "node:assert/strict";
import {
  INACTIVITY_BLOCKERS,
  type InactivityBlocker,
  SESSION_EVENT_TYPES,
  SESSION_STATUSES,
  type SessionEvent,
  type SessionEventType,
  type SessionState,
  type SessionStatus,
  transition,
} from "./mod.ts";

interface Row {
  from: SessionStatus;
  event: SessionEventType;
  to: SessionStatus | "previous";
  spec: string;
}

// One row per move in SPEC.md "Transitions" (Q8), written out independently of
// transitions.ts so that the two have to agree. `spec` quotes the SPEC line it comes from.
// deno-fmt-ignore
const TABLE: Row[] = [
  { from: "connecting", event: "customer_connected", to: "waiting", spec: "Connecting → Waiting: customer connects" },
  { from: "connecting", event: "connecting_timeout", to: "removed", spec: "Connecting → Removed: connecting timeout" },
  { from: "connecting", event: "terms_declined", to: "removed", spec: "Connecting → Removed: customer never accepts the terms" },

  { from: "waiting", event: "start", to: "active", spec: "Waiting → Active: Start" },
  { from: "waiting", event: "transfer", to: "outgoing", spec: "Waiting → Outgoing: transfer" },
  { from: "waiting", event: "waiting_timeout", to: "removed", spec: "Waiting → Removed: waiting timeout" },
  { from: "waiting", event: "network_lost", to: "reconnecting", spec: "Waiting → Reconnecting: network lost" },
  { from: "waiting", event: "reboot_started", to: "rebooting", spec: "Waiting → Rebooting: reboot" },
  { from: "waiting", event: "customer_left", to: "closed_by_waiting_customer", spec: "Waiting → Closed by waiting customer: customer leaves" },

  { from: "active", event: "customer_closed", to: "closed", spec: "Active → Closed: customer closes" },
  { from: "active", event: "inactivity_timeout", to: "timed_out", spec: "Active → Timed out: inactivity timeout" },
  { from: "active", event: "system_timeout", to: "timed_out", spec: "Timed out: … or the 2-week system timeout" },
  { from: "active", event: "end", to: "removed", spec: "Active → Removed: End" },
  { from: "active", event: "reboot_started", to: "rebooting", spec: "Active → Rebooting" },
  { from: "active", event: "network_lost", to: "reconnecting", spec: "Active → Reconnecting" },
  { from: "active", event: "hold", to: "on_hold", spec: "Active → On hold" },
  { from: "active", event: "transfer", to: "outgoing", spec: "Active → Outgoing" },
  { from: "active", event: "lead_handed_over", to: "collaborating", spec: "Active → Collaborating: hands the lead to a collaborator" },

  { from: "on_hold", event: "start", to: "active", spec: "On hold → Active (Start)" },
  { from: "on_hold", event: "transfer", to: "outgoing", spec: "On hold → Outgoing (transfer)" },
  { from: "on_hold", event: "reboot_started", to: "rebooting", spec: "On hold → Rebooting" },
  { from: "on_hold", event: "collaborator_resumed", to: "collaborating", spec: "On hold → Collaborating (a collaborator resumes)" },
  { from: "on_hold", event: "customer_closed", to: "closed", spec: "On hold → Closed" },
  { from: "on_hold", event: "network_lost", to: "reconnecting", spec: "On hold → Reconnecting" },
  { from: "on_hold", event: "hold_limit_reached", to: "timed_out", spec: "On hold → Timed out (hold max 14 days)" },
  { from: "on_hold", event: "system_timeout", to: "timed_out", spec: "On hold → Timed out (2-week system timeout)" },
  { from: "on_hold", event: "collaborator_left", to: "removed", spec: "K3: a collaborator may leave (DECISIONS 17)" },
  { from: "on_hold", event: "collaborator_removed", to: "removed", spec: "K3: the lead removes a held collaborator (DECISIONS 17)" },
  { from: "on_hold", event: "closed_by_lead", to: "closed", spec: "K3: the lead ends for everyone (DECISIONS 17)" },

  { from: "reconnecting", event: "network_restored", to: "previous", spec: "Reconnecting → previous status on reconnect" },
  { from: "reconnecting", event: "offline_after_5_min", to: "offline", spec: "Reconnecting → Offline after 5 min" },
  { from: "reconnecting", event: "inactivity_timeout", to: "timed_out", spec: "Reconnecting → Timed out (inactivity)" },
  { from: "reconnecting", event: "system_timeout", to: "timed_out", spec: "Reconnecting → Timed out (2-week system timeout)" },
  { from: "reconnecting", event: "end", to: "removed", spec: "Reconnecting → Removed (End)" },

  { from: "offline", event: "network_restored", to: "previous", spec: "Offline → previous status on reconnect" },
  { from: "offline", event: "agent_back", to: "previous", spec: "Offline → previous status on reconnect (after a reboot)" },
  { from: "offline", event: "inactivity_timeout", to: "timed_out", spec: "Offline → Timed out (inactivity timeout elapses)" },
  { from: "offline", event: "system_timeout", to: "timed_out", spec: "Offline → Timed out (2-week system timeout)" },
  { from: "offline", event: "end", to: "removed", spec: "Offline → Removed (End)" },

  { from: "incoming", event: "start", to: "active", spec: "Incoming → Active (accept with Start)" },
  { from: "incoming", event: "transfer", to: "outgoing", spec: "Incoming → Outgoing (recipient transfers it on)" },
  { from: "incoming", event: "network_lost", to: "reconnecting", spec: "Incoming → Reconnecting" },
  { from: "incoming", event: "reboot_started", to: "rebooting", spec: "Incoming → Rebooting" },
  { from: "incoming", event: "transfer_cancelled_by_sender", to: "removed", spec: "Incoming → Removed (sender cancels by Start)" },
  { from: "incoming", event: "customer_closed", to: "removed", spec: "Incoming → Removed (customer closes)" },

  { from: "outgoing", event: "start", to: "active", spec: "Outgoing → Active (sender cancels with Start)" },
  { from: "outgoing", event: "transfer_cancelled_by_sender", to: "active", spec: "Outgoing → Active (sender cancels with Start)" },
  { from: "outgoing", event: "transfer_returned", to: "incoming", spec: "Outgoing → Incoming (recipient returns it)" },
  { from: "outgoing", event: "reboot_started", to: "rebooting", spec: "Outgoing → Rebooting" },
  { from: "outgoing", event: "customer_closed", to: "closed", spec: "Outgoing → Closed" },
  { from: "outgoing", event: "transfer_accepted", to: "removed", spec: "Outgoing → Removed (recipient accepted)" },
  { from: "outgoing", event: "network_lost", to: "reconnecting", spec: "Reconnecting → back to … Incoming/Outgoing" },

  { from: "invitation", event: "start", to: "collaborating", spec: "Invitation → Collaborating (invitee Start)" },
  { from: "invitation", event: "invitation_withdrawn", to: "removed", spec: "Invitation → Removed (inviter withdraws)" },
  { from: "invitation", event: "closed_by_lead", to: "removed", spec: "K3: an open invitation ends with the session (DECISIONS 17)" },
  { from: "invitation", event: "customer_closed", to: "removed", spec: "K3: an open invitation ends with the session (DECISIONS 17)" },

  { from: "collaborating", event: "lead_accepted", to: "active", spec: "Collaborating → Active (lead handed over and accepted)" },
  { from: "collaborating", event: "hold", to: "on_hold", spec: "Collaborating → On hold" },
  { from: "collaborating", event: "reboot_started", to: "rebooting", spec: "Collaborating → Rebooting" },
  { from: "collaborating", event: "customer_closed", to: "closed", spec: "Collaborating → Closed (customer closes)" },
  { from: "collaborating", event: "closed_by_lead", to: "closed", spec: "Collaborating → Closed (lead closes)" },
  { from: "collaborating", event: "collaborator_removed", to: "removed", spec: "Collaborating → Removed (removed by lead)" },
  { from: "collaborating", event: "inactivity_timeout", to: "removed", spec: "Collaborating → Removed (inactivity timeout)" },
  { from: "collaborating", event: "collaborator_left", to: "removed", spec: "K3: a collaborator may leave (DECISIONS 17)" },
  { from: "collaborating", event: "handover_cancelled", to: "active", spec: "K3: the lead cancels its hand-over (DECISIONS 17)" },

  { from: "rebooting", event: "agent_back", to: "previous", spec: "Rebooting → previous status when the agent is back" },
  { from: "rebooting", event: "closed_by_lead", to: "closed", spec: "Rebooting → Closed (lead closes meanwhile)" },
  { from: "rebooting", event: "end", to: "removed", spec: "Rebooting → Removed (End)" },
  { from: "rebooting", event: "collaborator_removed", to: "removed", spec: "Rebooting → Removed (lead removes a collaborator)" },
  { from: "rebooting", event: "offline_after_5_min", to: "offline", spec: "Rebooting → Offline after 5 min" },

  { from: "closed", event: "end", to: "removed", spec: "Closed → Removed (End)" },
  { from: "timed_out", event: "end", to: "removed", spec: "Timed out → Removed (End)" },
  { from: "closed_by_waiting_customer", event: "end", to: "removed", spec: "Removed: … cleared a closed row" },
];

const SUSPENDED = new Set<SessionStatus>(["reconnecting", "rebooting", "offline"]);
const NO_BLOCKERS = Object.fromEntries(INACTIVITY_BLOCKERS.map((b) => [b, false])) as Record<
  InactivityBlocker,
  boolean
>;

function eventOf(type: SessionEventType): SessionEvent {
  return type === "inactivity_timeout" ? { type, open: NO_BLOCKERS } : { type } as SessionEvent;
}

/** A valid state in `status`; the suspended ones remember Active unless told otherwise. */
function stateOf(status: SessionStatus, previous: SessionStatus = "active"): SessionState {
  return { status, previous: SUSPENDED.has(status) ? previous : null };
}

function apply(state: SessionState, type: SessionEventType): SessionState {
  const result = transition(state, eventOf(type));
  assert.ok(result.ok, `${state.status} + ${type} was refused: ${!result.ok && result.reason}`);
  return result.state;
}

for (const row of TABLE) {
  Deno.test(`transition() ${row.from} + ${row.event} → ${row.to} (SPEC: ${row.spec})`, () => {
    const next = apply(stateOf(row.from), row.event);
    const expected = row.to === "previous" ? "active" : row.to;
    assert.equal(next.status, expected);
    const remembers = SUSPENDED.has(expected) || expected === "closed" || expected === "timed_out"
      ? (SUSPENDED.has(row.from) ? "active" : row.from)
      : null;
    assert.equal(next.previous, remembers);
  });
}

Deno.test("transition() refuses every (status, event) pair that SPEC Q8 does not list", () => {
  const listed = new Set(TABLE.map((row) => `${row.from}/${row.event}`));
  assert.equal(listed.size, TABLE.length, "the table has a duplicate row");
  let refused = 0;
  for (const status of SESSION_STATUSES) {
    for (const type of SESSION_EVENT_TYPES) {
      if (listed.has(`${status}/${type}`)) continue;
      const result = transition(stateOf(status), eventOf(type));
      assert.ok(!result.ok, `${status} + ${type} should be refused`);
      assert.match(result.reason, new RegExp(`\\b${status}\\b`));
      assert.match(result.reason, new RegExp(`\\b${type}\\b`));
      refused++;
    }
  }
  assert.equal(refused, SESSION_STATUSES.length * SESSION_EVENT_TYPES.length - TABLE.length);
});

Deno.test("transition() accepts nothing in removed and only end in closed rows", () => {
  const removed = transition(stateOf("removed"), { type: "end" });
  assert.ok(!removed.ok);
  assert.match(removed.reason, /removed accepts no events/);
  for (const status of ["closed", "timed_out", "closed_by_waiting_customer"] as const) {
    const result = transition(stateOf(status), { type: "start" });
    assert.ok(!result.ok);
    assert.match(result.reason, new RegExp(`${status} only accepts end`));
  }
});

for (const origin of ["active", "on_hold", "waiting", "incoming", "outgoing"] as const) {
  Deno.test(`transition() returns ${origin} → reconnecting → ${origin} and via offline`, () => {
    const reconnecting = apply(stateOf(origin), "network_lost");
    assert.deepEqual(reconnecting, { status: "reconnecting", previous: origin });
    assert.deepEqual(apply(reconnecting, "network_restored"), { status: origin, previous: null });
    const offline = apply(reconnecting, "offline_after_5_min");
    assert.deepEqual(offline, { status: "offline", previous: origin });
    assert.deepEqual(apply(offline, "network_restored"), { status: origin, previous: null });
  });
}

for (
  const origin of ["active", "on_hold", "waiting", "incoming", "outgoing", "collaborating"] as const
) {
  Deno.test(`transition() returns ${origin} → rebooting → ${origin} and via offline`, () => {
    const rebooting = apply(stateOf(origin), "reboot_started");
    assert.deepEqual(rebooting, { status: "rebooting", previous: origin });
    assert.deepEqual(apply(rebooting, "agent_back"), { status: origin, previous: null });
    const offline = apply(rebooting, "offline_after_5_min");
    assert.deepEqual(offline, { status: "offline", previous: origin });
    assert.deepEqual(apply(offline, "agent_back"), { status: origin, previous: null });
  });
}

Deno.test("transition() refuses a suspended state without a valid previous status", () => {
  const cases: SessionState[] = [
    { status: "reconnecting", previous: null },
    { status: "reconnecting", previous: "collaborating" }, // SPEC: no Collaborating → Reconnecting
    { status: "rebooting", previous: "removed" },
    { status: "offline", previous: "offline" },
  ];
  for (const state of cases) {
    const result = transition(state, { type: "end" });
    assert.ok(!result.ok, `${state.status} with previous ${state.previous} should be refused`);
    assert.match(result.reason, new RegExp(`${state.status} needs a previous status`));
  }
});

Deno.test("transition() times out Active only when no blocker is open", () => {
  for (const blocker of INACTIVITY_BLOCKERS) {
    for (const status of ["active", "collaborating"] as const) {
      const result = transition(stateOf(status), {
        type: "inactivity_timeout",
        open: { ...NO_BLOCKERS, [blocker]: true },
      });
      assert.ok(!result.ok, `${status} timed out with ${blocker} open`);
      assert.match(result.reason, new RegExp(`${status}.*inactivity_timeout.*${blocker}`));
    }
  }
  const two = transition(stateOf("active"), {
    type: "inactivity_timeout",
    open: { ...NO_BLOCKERS, fileTransfer: true, saveDialog: true },
  });
  assert.ok(!two.ok);
  assert.match(two.reason, /fileTransfer, saveDialog/);
  assert.deepEqual(apply(stateOf("active"), "inactivity_timeout"), {
    status: "timed_out",
    previous: "active",
  });
});

Deno.test("transition() refuses a status it does not know", () => {
  const result = transition({ status: "paused" as SessionStatus, previous: null }, {
    type: "start",
  });
  assert.ok(!result.ok);
  assert.match(result.reason, /Unknown session status "paused"/);
});
