import assert from "node:assert/strict";
import { translator } from "../i18n/mod.ts";
import { formatSize, isCustomerVisible, renderLogLine } from "./customer_log_view.tsx";
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

Deno.test("formatSize() says the unit in the reader's language, not English letters", () => {
  assert.equal(formatSize(25 * 1024 * 1024, "en"), "25 MB");
  assert.equal(formatSize(1434, "en"), "1.4 kB");
  assert.equal(formatSize(25 * 1024 * 1024, "ru"), "25 МБ");
  assert.equal(formatSize(1434, "ru"), "1,4 кБ");
  assert.equal(formatSize(5, "ru"), "5 Б");
  assert.equal(formatSize(3 * 1024 ** 3, "ar"), "3 غ.ب");
  assert.equal(formatSize(5, "he"), "5 בייט");
});
