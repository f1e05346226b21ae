import assert from "node:assert/strict";
import { translator } from "../i18n/mod.ts";
import { isCustomerVisible, renderLogLine } from "./customer_log_view.tsx";
import type { LogLine } from "./session_log.ts";

function status(from: string, to: string): LogLine {
  return {
    id: 3,
    sessionId: "11111111-2222-4333-8444-555555555555",
    at: new Date("2026-11-24T10:05:00Z"),
    kind: "status",
    author: "technician",
    userId: null,
    authorName: "Ann",
    body: "",
    data: { from, to },
    seq: 3,
    clientKey: null,
  };
}

const said = (line: LogLine) => renderLogLine(line, { t: translator("en"), token: "tok" });

Deno.test("renderLogLine() tells the customer who joined, held and came back", async () => {
  assert.match(await said(status("waiting", "active")), /Ann joined the session\./);
  assert.match(await said(status("incoming", "active")), /Ann joined the session\./);
  assert.match(await said(status("active", "on_hold")), /Ann put the session on hold\./);
  assert.match(await said(status("on_hold", "active")), /Ann is back\./);
});

Deno.test("renderLogLine() says the technician is back when they take a transfer back", async () => {
  // The customer read "Ann transferred the session."; Start on Outgoing cancels it.
  assert.equal(isCustomerVisible(status("outgoing", "active")), true);
  assert.match(await said(status("outgoing", "active")), /Ann is back\./);
});

Deno.test("renderLogLine() keeps the queue's own moves from the customer", async () => {
  for (const [from, to] of [["connecting", "waiting"], ["active", "outgoing"]]) {
    assert.equal(isCustomerVisible(status(from, to)), false, `${from} → ${to}`);
    assert.equal(await said(status(from, to)), "");
  }
});
