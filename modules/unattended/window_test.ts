import assert from "node:assert/strict";

const assertEquals = (actual: unknown, expected: unknown) => assert.deepEqual(actual, expected);
import { accessWindowAllows, wallClock, type WindowedGrant, zonedInstant } from "./window.ts";

const AMS = "Europe/Amsterdam";
// Summer time starts in Amsterdam on Sunday 29 March 2026 (02:00 CET → 03:00 CEST) and ends
// on Sunday 25 October 2026 (03:00 CEST → 02:00 CET).
const daily = (start: number, end: number, weekdays = [0, 1, 2, 3, 4, 5, 6]): WindowedGrant => ({
  window: { kind: "daily", startMinute: start, endMinute: end, weekdays },
  timeZone: AMS,
});
const at = (iso: string) => new Date(iso);

Deno.test("accessWindowAllows() keeps a daily 09:00–17:00 window on the wall clock across the spring DST change", () => {
  const grant = daily(9 * 60, 17 * 60);
  // Saturday 28 March: CET (UTC+1). 09:00 local = 08:00 UTC.
  assertEquals(accessWindowAllows(grant, at("2026-03-28T07:59:00Z")), {
    ok: false,
    reason: "outside_hours",
  });
  assertEquals(accessWindowAllows(grant, at("2026-03-28T08:00:00Z")), { ok: true });
  assertEquals(accessWindowAllows(grant, at("2026-03-28T15:59:00Z")), { ok: true });
  assertEquals(accessWindowAllows(grant, at("2026-03-28T16:00:00Z")).ok, false);
  // Monday 30 March: CEST (UTC+2). 09:00 local = 07:00 UTC; 08:00 UTC is 10:00 there.
  assertEquals(accessWindowAllows(grant, at("2026-03-30T07:00:00Z")), { ok: true });
  assertEquals(accessWindowAllows(grant, at("2026-03-30T06:59:00Z")).ok, false);
  // The end moved with the clock: 15:00 UTC is 17:00 there.
  assertEquals(accessWindowAllows(grant, at("2026-03-30T14:59:00Z")), { ok: true });
  assertEquals(accessWindowAllows(grant, at("2026-03-30T15:00:00Z")), {
    ok: false,
    reason: "outside_hours",
  });
});

Deno.test("accessWindowAllows() follows the autumn DST change too", () => {
  const grant = daily(8 * 60, 9 * 60);
  // Saturday 24 October (CEST): 08:00 local = 06:00 UTC; Monday 26 October (CET): 07:00 UTC.
  assertEquals(accessWindowAllows(grant, at("2026-10-24T06:30:00Z")), { ok: true });
  assertEquals(accessWindowAllows(grant, at("2026-10-26T06:30:00Z")).ok, false);
  assertEquals(accessWindowAllows(grant, at("2026-10-26T07:30:00Z")), { ok: true });
});

Deno.test("accessWindowAllows() refuses a weekday the window does not list, in the zone's day", () => {
  const weekdays = daily(0, 24 * 60, [1, 2, 3, 4, 5]); // Monday to Friday, all day
  // Sunday 29 March 23:30 UTC is already Monday 01:30 in Amsterdam.
  assertEquals(accessWindowAllows(weekdays, at("2026-03-29T23:30:00Z")), { ok: true });
  assertEquals(accessWindowAllows(weekdays, at("2026-03-29T21:30:00Z")), {
    ok: false,
    reason: "not_today",
  });
});

Deno.test("accessWindowAllows() gives a window past midnight to the day it started", () => {
  const night = daily(22 * 60, 6 * 60, [5]); // Friday night until Saturday 06:00
  assertEquals(accessWindowAllows(night, at("2026-04-03T21:00:00Z")), { ok: true }); // Fri 23:00
  assertEquals(accessWindowAllows(night, at("2026-04-04T03:00:00Z")), { ok: true }); // Sat 05:00
  assertEquals(accessWindowAllows(night, at("2026-04-04T21:00:00Z")).ok, false); // Sat 23:00
  assertEquals(accessWindowAllows(night, at("2026-04-03T12:00:00Z")), {
    ok: false,
    reason: "outside_hours",
  });
});

Deno.test("accessWindowAllows() says not yet, expired, revoked and unlimited", () => {
  const range: WindowedGrant = {
    window: { kind: "range", fromAt: "2026-03-01T00:00:00Z", untilAt: "2026-03-15T00:00:00Z" },
    timeZone: AMS,
  };
  assertEquals(accessWindowAllows(range, at("2026-02-28T23:59:59Z")), {
    ok: false,
    reason: "not_yet",
  });
  assertEquals(accessWindowAllows(range, at("2026-03-10T00:00:00Z")), { ok: true });
  assertEquals(accessWindowAllows(range, at("2026-03-15T00:00:00Z")), {
    ok: false,
    reason: "expired",
  });
  assertEquals(
    accessWindowAllows(
      { ...range, revokedAt: at("2026-03-02T00:00:00Z") },
      at("2026-03-10T00:00:00Z"),
    ),
    { ok: false, reason: "revoked" },
  );
  const forever: WindowedGrant = { window: { kind: "unlimited" }, timeZone: AMS };
  assertEquals(accessWindowAllows(forever, at("2099-01-01T00:00:00Z")), { ok: true });
});

Deno.test("accessWindowAllows() refuses a window that means nothing", () => {
  const bad = (grant: WindowedGrant) => accessWindowAllows(grant, at("2026-03-10T00:00:00Z"));
  assertEquals(bad({ window: { kind: "unlimited" }, timeZone: "Mars/Olympus" }).ok, false);
  assertEquals(bad({ window: { kind: "range", fromAt: "2026-03-01T00:00:00Z" }, timeZone: AMS }), {
    ok: false,
    reason: "bad_window",
  });
  assertEquals(bad(daily(600, 600)), { ok: false, reason: "bad_window" });
  assertEquals(bad(daily(60, 600, [])), { ok: false, reason: "bad_window" });
  assertEquals(bad(daily(60, 600, [7])), { ok: false, reason: "bad_window" });
  assertEquals(
    bad({ window: { kind: "range", fromAt: "x", untilAt: "2026-03-15T00:00:00Z" }, timeZone: AMS }),
    { ok: false, reason: "bad_window" },
  );
});

Deno.test("zonedInstant() turns a local time into the instant on both sides of a DST change", () => {
  const local = (day: number, month: number, minute: number) => ({
    year: 2026,
    month,
    day,
    minute,
  });
  assertEquals(zonedInstant(AMS, local(28, 3, 9 * 60)).toISOString(), "2026-03-28T08:00:00.000Z");
  assertEquals(zonedInstant(AMS, local(30, 3, 9 * 60)).toISOString(), "2026-03-30T07:00:00.000Z");
  // 02:30 on 29 March does not exist in Amsterdam: the instant just after the gap.
  assertEquals(wallClock(zonedInstant(AMS, local(29, 3, 150)), AMS).minute, 3 * 60 + 30);
});
