import assert from "node:assert/strict";
import type { ServiceRow } from "../../protocol/system.ts";
import { serviceOffers, serviceRefusal } from "./service_offers.ts";

function row(active: string, more: Partial<ServiceRow> = {}): ServiceRow {
  return {
    name: "x",
    description: "",
    load: "loaded",
    active,
    sub: "",
    enabled: "manual",
    ...more,
  };
}

Deno.test("serviceOffers(): a running service Stop and Restart, a stopped one Start, pending none", () => {
  const offered = (r: ServiceRow) => serviceOffers(r).map((o) => [o.action, o.refusal]);
  assert.deepEqual(offered(row("active", { canStop: true })), [["stop", null], ["restart", null]]);
  assert.deepEqual(offered(row("inactive", { canStart: true })), [["start", null]]);
  assert.deepEqual(offered(row("failed")), [["start", null]]);
  assert.deepEqual(offered(row("activating")), []);
  assert.deepEqual(offered(row("deactivating")), []);
  // Not accepting a stop request: Stop and Restart stay, refused with the reason.
  assert.deepEqual(offered(row("active", { canStop: false })), [
    ["stop", "cannotStop"],
    ["restart", "cannotStop"],
  ]);
  // A Disabled Windows service, a masked unit, a unit refusing a manual start.
  assert.deepEqual(offered(row("inactive", { canStart: false, enabled: "disabled" })), [
    ["start", "disabled"],
  ]);
  assert.deepEqual(offered(row("inactive", { canStart: false, enabled: "masked" })), [
    ["start", "masked"],
  ]);
  assert.deepEqual(offered(row("inactive", { canStart: false, enabled: "static" })), [
    ["start", "cannotStart"],
  ]);
  // An older agent says neither: the state alone decides.
  assert.deepEqual(offered(row("active")), [["stop", null], ["restart", null]]);
});

Deno.test("serviceRefusal(): every action the state does not allow, with its reason", () => {
  const table: [ServiceRow, "start" | "stop" | "restart", string | null][] = [
    [row("active"), "start", "running"],
    [row("inactive"), "stop", "stopped"],
    [row("inactive"), "restart", "stopped"],
    [row("failed"), "stop", "stopped"],
    [row("activating"), "start", "pending"],
    [row("deactivating"), "stop", "pending"],
    [row("active", { canStop: false }), "stop", "cannotStop"],
    [row("active", { canStop: false }), "restart", "cannotStop"],
    [row("active", { canStop: true, canStart: false, enabled: "disabled" }), "restart", "disabled"],
    [row("active", { canStop: true, canStart: false, enabled: "disabled" }), "stop", null],
    [row("inactive", { canStart: false, enabled: "disabled" }), "start", "disabled"],
    [row("inactive", { canStart: true, enabled: "disabled" }), "start", null],
    [row("active", { canStop: true }), "restart", null],
  ];
  for (const [r, action, want] of table) {
    assert.equal(serviceRefusal(r, action), want, `${action} ${JSON.stringify(r)}`);
  }
});
