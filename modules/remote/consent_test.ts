import assert from "node:assert/strict";
import {
  agentGone,
  allows,
  CONSENT_EVENTS,
  CONSENT_STATES,
  type ConsentEvent,
  type ConsentState,
  decideConsent,
  NO_CONSENT,
  REMOTE_CAPABILITIES,
  type RemoteCapability,
} from "./consent.ts";

interface Row {
  from: ConsentState;
  event: ConsentEvent;
  to: ConsentState;
  why: string;
}

// One row per accepted move, written out independently of consent.ts so that the two have
// to agree; every (state, event) pair not listed here must be refused. The same rows hold
// for view and control (what ties the two together is tested below).
// deno-fmt-ignore
const TABLE: Row[] = [
  { from: "off", event: "request", to: "asked", why: "a technician asks for the first time" },
  { from: "off", event: "agent_asks", to: "asked", why: "the agent shows a question it still had open" },
  { from: "off", event: "agent_grants", to: "granted", why: "a reconnecting agent says what it allows" },

  { from: "asked", event: "request", to: "asked", why: "asking again resends the request" },
  { from: "asked", event: "agent_asks", to: "asked", why: "the agent shows the question" },
  { from: "asked", event: "agent_grants", to: "granted", why: "the customer said yes" },
  { from: "asked", event: "agent_withholds", to: "denied", why: "the customer said no" },
  { from: "asked", event: "customer_revokes", to: "revoked", why: "the customer withdrew it on the web page" },
  { from: "asked", event: "technician_ends", to: "off", why: "the technician withdrew the request" },

  { from: "granted", event: "agent_asks", to: "granted", why: "granted until the agent says otherwise" },
  { from: "granted", event: "agent_withholds", to: "revoked", why: "the customer took it back in the agent's window" },
  { from: "granted", event: "customer_revokes", to: "revoked", why: "the customer took it back on the web page" },
  { from: "granted", event: "technician_ends", to: "off", why: "the technician switched it off, or hold, transfer, end" },

  { from: "denied", event: "request", to: "asked", why: "a technician asks again after a no" },
  { from: "denied", event: "agent_asks", to: "asked", why: "the agent shows a new question" },
  { from: "denied", event: "agent_grants", to: "granted", why: "the customer said yes later" },

  { from: "revoked", event: "request", to: "asked", why: "a technician asks again after a revoke" },
  { from: "revoked", event: "agent_asks", to: "asked", why: "the agent shows a new question" },
  { from: "revoked", event: "agent_grants", to: "granted", why: "the customer granted it again" },
];

/** `capability` in `state`, the other one off, no question open. */
function consentWith(capability: RemoteCapability, state: ConsentState) {
  return { ...NO_CONSENT, [capability]: state };
}

for (const capability of REMOTE_CAPABILITIES) {
  for (const row of TABLE) {
    Deno.test(`decideConsent() ${capability}: ${row.from} + ${row.event} → ${row.to} (${row.why})`, () => {
      const before = consentWith(capability, row.from);
      const result = decideConsent(before, capability, row.event);
      assert.ok(result.ok, !result.ok ? result.reason : "");
      assert.equal(result.consent[capability], row.to);
      const other = capability === "view" ? "control" : "view";
      assert.equal(result.consent[other], "off", "the other capability stays as it was");
      assert.deepEqual(
        result.changes,
        row.from === row.to ? [] : [{ capability, from: row.from, to: row.to }],
      );
    });
  }
}

Deno.test("decideConsent() refuses every (state, event) pair the table does not list, with a reason", () => {
  const listed = new Set(TABLE.map((row) => `${row.from}/${row.event}`));
  assert.equal(listed.size, TABLE.length, "the table has a duplicate row");
  let refused = 0;
  for (const capability of REMOTE_CAPABILITIES) {
    for (const state of CONSENT_STATES) {
      for (const event of CONSENT_EVENTS) {
        if (listed.has(`${state}/${event}`)) continue;
        const result = decideConsent(consentWith(capability, state), capability, event);
        assert.ok(!result.ok, `${capability} ${state} + ${event} should be refused`);
        assert.match(
          result.reason,
          new RegExp(`^${capability} that is ${state} does not accept ${event}`),
        );
        refused++;
      }
    }
  }
  const pairs = CONSENT_STATES.length * CONSENT_EVENTS.length;
  assert.equal(refused, REMOTE_CAPABILITIES.length * (pairs - TABLE.length));
});

Deno.test("decideConsent() grants nothing unless the agent says so", () => {
  for (const capability of REMOTE_CAPABILITIES) {
    for (const state of CONSENT_STATES) {
      for (const event of CONSENT_EVENTS) {
        if (event === "agent_grants") continue;
        const result = decideConsent(consentWith(capability, state), capability, event);
        if (result.ok && state !== "granted") {
          assert.notEqual(result.consent[capability], "granted");
        }
      }
    }
  }
});

Deno.test("decideConsent() asks nothing about view while a control question is open", () => {
  const controlAsked = { ...NO_CONSENT, control: "asked" as const, asking: ["control" as const] };
  for (const event of ["request", "agent_asks"] as const) {
    const result = decideConsent(controlAsked, "view", event);
    assert.ok(!result.ok);
    assert.match(result.reason, /while a control question is open/);
  }
  // The customer's yes to control comes with view, reported separately by the agent.
  const view = decideConsent(controlAsked, "view", "agent_grants");
  assert.ok(view.ok);
  assert.equal(view.consent.view, "granted");
});

Deno.test("decideConsent() keeps the open questions: opened by the agent, closed by answers", () => {
  let consent = NO_CONSENT;
  const step = (capability: RemoteCapability, event: ConsentEvent) => {
    const result = decideConsent(consent, capability, event);
    assert.ok(result.ok, !result.ok ? result.reason : "");
    consent = result.consent;
  };
  step("view", "request");
  assert.deepEqual(consent.asking, [], "a request alone shows the customer nothing");
  step("view", "agent_asks");
  assert.deepEqual(consent.asking, ["view"]);
  step("control", "agent_asks");
  assert.deepEqual(consent.asking, ["control", "view"], "control first");
  step("control", "request");
  assert.deepEqual(consent.asking, ["control"], "requesting control closes the view question");
  step("control", "agent_grants");
  assert.deepEqual(consent.asking, []);
  assert.ok(allows(consent, "control"));
  assert.ok(!allows(consent, "view"), "view is granted only when the agent says so");

  step("view", "request");
  step("view", "agent_asks");
  assert.deepEqual(agentGone(consent).asking, [], "the agent's questions leave with it");
  assert.equal(agentGone(consent).control, "granted", "what was granted stays");
});

Deno.test("decideConsent() revokes control first when the customer revokes view", () => {
  const both = { view: "granted", control: "granted", asking: [] } as const;
  const result = decideConsent(both, "view", "customer_revokes");
  assert.ok(result.ok);
  assert.deepEqual(result.changes, [
    { capability: "control", from: "granted", to: "revoked" },
    { capability: "view", from: "granted", to: "revoked" },
  ]);
  // Control asked, view not granted: still withdrawn with view.
  const asked = { view: "off", control: "asked", asking: ["control"] } as const;
  const withdrawn = decideConsent(asked, "view", "customer_revokes");
  assert.ok(withdrawn.ok);
  assert.deepEqual(withdrawn.changes, [{ capability: "control", from: "asked", to: "revoked" }]);
  assert.deepEqual(withdrawn.consent.asking, []);
  // Revoking control leaves view.
  const control = decideConsent(both, "control", "customer_revokes");
  assert.ok(control.ok);
  assert.equal(control.consent.view, "granted");
  // Nothing granted or asked: refused, nothing to tell the agent.
  assert.ok(!decideConsent(NO_CONSENT, "view", "customer_revokes").ok);
});
