import assert from "node:assert/strict";
import { parseTerms, resolveTerms } from "./request_terms.ts";

const ZONES = { technician: "America/New_York", customer: "Europe/Amsterdam" };

function resolved(form: Record<string, string>, now: Date) {
  const parsed = parseTerms(form, ZONES);
  if (!parsed.ok) throw new Error(parsed.problem);
  return resolveTerms(parsed.terms, now);
}

Deno.test("resolveTerms() counts days on the wall clock across a DST change", () => {
  // 2026-03-28 12:00 in Amsterdam (CET); the clocks go forward on the 29th.
  const now = new Date("2026-03-28T11:00:00Z");
  const r = resolved(
    { authMode: "ask_each_time", kind: "days", days: "2", zoneOf: "customer" },
    now,
  );
  assert.ok(r.ok);
  assert.equal(r.resolved.fromAt, "2026-03-28T11:00:00Z");
  // Two calendar days later at 12:00 CEST: 47 hours, not 48.
  assert.equal(r.resolved.untilAt, "2026-03-30T10:00:00Z");
});

Deno.test("resolveTerms() starts a range at local midnight and ends after its last day", () => {
  const now = new Date("2026-10-20T08:00:00Z");
  const r = resolved({
    authMode: "customer_credentials",
    kind: "range",
    from: "2026-10-24",
    until: "2026-10-25",
    zoneOf: "customer",
  }, now);
  assert.ok(r.ok);
  assert.equal(r.resolved.fromAt, "2026-10-23T22:00:00Z"); // CEST midnight
  assert.equal(r.resolved.untilAt, "2026-10-25T23:00:00Z"); // CET midnight after the change
});

Deno.test("resolveTerms() refuses the customer's credentials past two weeks or without an end", () => {
  const now = new Date("2026-06-01T10:00:00Z");
  const base = { authMode: "customer_credentials", zoneOf: "technician" };
  const long = resolved({ ...base, kind: "days", days: "15" }, now);
  assert.deepEqual(long, { ok: false, problem: "tooLong" });
  assert.ok(resolved({ ...base, kind: "days", days: "14" }, now).ok);
  assert.deepEqual(resolved({ ...base, kind: "unlimited" }, now), { ok: false, problem: "noEnd" });
  const farRange = resolved(
    { ...base, kind: "range", from: "2026-06-20", until: "2026-07-10" },
    now,
  );
  assert.deepEqual(farRange, { ok: false, problem: "tooLong" });
  const daily = resolved({ ...base, kind: "daily", start: "22:00", end: "06:00", wd1: "1" }, now);
  assert.deepEqual(daily, { ok: false, problem: "noEnd" });
  // Without the customer's credentials none of this is limited.
  assert.ok(resolved({ authMode: "ask_each_time", kind: "unlimited", zoneOf: "customer" }, now).ok);
});

Deno.test("parseTerms() refuses each bad field with its reason", () => {
  const ok = { authMode: "ask_each_time", kind: "days", days: "3", zoneOf: "customer" };
  const cases: [Record<string, string>, string][] = [
    [{ ...ok, authMode: "admin" }, "authMode"],
    [{ ...ok, kind: "forever" }, "kind"],
    [{ ...ok, days: "0" }, "days"],
    [{ ...ok, days: "2.5" }, "days"],
    [{ ...ok, kind: "range", from: "2026-02-30", until: "2026-03-02" }, "dates"],
    [{ ...ok, kind: "range", from: "2026-03-05", until: "2026-03-02" }, "dates"],
    [{ ...ok, kind: "daily", start: "25:00", end: "06:00", wd1: "1" }, "dailyTimes"],
    [{ ...ok, kind: "daily", start: "09:00", end: "17:00" }, "weekdays"],
  ];
  for (const [form, problem] of cases) {
    assert.deepEqual(parseTerms(form, ZONES), { ok: false, problem }, JSON.stringify(form));
  }
  assert.deepEqual(parseTerms(ok, { technician: null, customer: null }), {
    ok: false,
    problem: "zone",
  });
  const daily = parseTerms({
    ...ok,
    kind: "daily",
    start: "22:00",
    end: "06:00",
    wd0: "1",
    wd6: "1",
  }, ZONES);
  assert.ok(daily.ok);
  assert.deepEqual(daily.terms.weekdays, [0, 6]);
  assert.equal(daily.terms.dailyStart, 1320);
  assert.equal(daily.terms.dailyEnd, 360);
});
