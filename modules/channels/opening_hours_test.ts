import assert from "node:assert/strict";
import {
  canonicalTimeZone,
  isOpen,
  isTimeZone,
  localWeekdayAndMinute,
  minuteOfDay,
  timeZoneChoices,
} from "./opening_hours.ts";
import type { OpeningHours } from "./schema.ts";

const officeHours = (timeZone: string): OpeningHours => ({
  enabled: true,
  timeZone,
  days: {
    "1": [["09:00", "12:00"], ["13:00", "17:30"]],
    "2": [["09:00", "17:30"]],
    "3": [["09:00", "17:30"]],
    "4": [["09:00", "17:30"]],
    "5": [["09:00", "17:30"]],
    "6": [],
  },
});

const at = (iso: string) => new Date(iso);

Deno.test("isOpen() is always true when opening hours are disabled", () => {
  const hours: OpeningHours = { enabled: false, timeZone: "Europe/Amsterdam", days: {} };
  for (const iso of ["2026-11-22T03:00:00Z", "2026-11-24T12:00:00Z", "2026-12-31T23:59:59Z"]) {
    assert.equal(isOpen(hours, at(iso)), true, iso);
  }
});

Deno.test("isOpen() includes the start minute and excludes the end minute", () => {
  const hours = officeHours("UTC"); // 2026-11-24 is a Tuesday
  assert.equal(isOpen(hours, at("2026-11-24T08:59:59Z")), false);
  assert.equal(isOpen(hours, at("2026-11-24T09:00:00Z")), true);
  assert.equal(isOpen(hours, at("2026-11-24T17:29:59Z")), true);
  assert.equal(isOpen(hours, at("2026-11-24T17:30:00Z")), false);
});

Deno.test("isOpen() honours a lunch break between two ranges on one day", () => {
  const hours = officeHours("UTC"); // 2026-11-23 is a Monday
  assert.equal(isOpen(hours, at("2026-11-23T11:59:00Z")), true);
  assert.equal(isOpen(hours, at("2026-11-23T12:30:00Z")), false);
  assert.equal(isOpen(hours, at("2026-11-23T13:00:00Z")), true);
});

Deno.test("isOpen() is closed on a day with no ranges and on a day that is missing", () => {
  const hours = officeHours("UTC");
  assert.equal(isOpen(hours, at("2026-11-28T10:00:00Z")), false, "Saturday: empty list");
  assert.equal(isOpen(hours, at("2026-11-29T10:00:00Z")), false, "Sunday: no key");
});

Deno.test("isOpen() evaluates the wall clock of the channel's time zone", () => {
  const amsterdam = officeHours("Europe/Amsterdam"); // UTC+1 in November
  assert.equal(isOpen(amsterdam, at("2026-11-24T08:00:00Z")), true, "09:00 local");
  assert.equal(isOpen(amsterdam, at("2026-11-24T16:29:00Z")), true, "17:29 local");
  assert.equal(isOpen(amsterdam, at("2026-11-24T16:30:00Z")), false, "17:30 local");
  const newYork = officeHours("America/New_York"); // UTC-5 in November
  assert.equal(isOpen(newYork, at("2026-11-24T13:59:00Z")), false, "08:59 local");
  assert.equal(isOpen(newYork, at("2026-11-24T14:00:00Z")), true, "09:00 local");
  const kolkata = officeHours("Asia/Kolkata"); // UTC+5:30
  assert.equal(isOpen(kolkata, at("2026-11-24T03:29:00Z")), false, "08:59 local");
  assert.equal(isOpen(kolkata, at("2026-11-24T03:30:00Z")), true, "09:00 local");
});

Deno.test("isOpen() uses the local weekday when it differs from the UTC weekday", () => {
  // Friday 2026-11-27 23:30 UTC is already Saturday 08:30 in Tokyo (UTC+9).
  const tokyo: OpeningHours = {
    enabled: true,
    timeZone: "Asia/Tokyo",
    days: { "6": [["08:00", "09:00"]] },
  };
  assert.equal(isOpen(tokyo, at("2026-11-27T23:30:00Z")), true);
  assert.equal(isOpen(tokyo, at("2026-11-28T23:30:00Z")), false, "Sunday in Tokyo");
  // Sunday 2026-11-29 22:00 in Los Angeles (UTC-8) is Monday 06:00 UTC.
  const la: OpeningHours = {
    enabled: true,
    timeZone: "America/Los_Angeles",
    days: { "7": [["21:00", "23:00"]] },
  };
  assert.equal(isOpen(la, at("2026-11-30T06:00:00Z")), true);
});

Deno.test("isOpen() follows the shift to summer time (Europe/Amsterdam, 2026-03-29)", () => {
  const hours = officeHours("Europe/Amsterdam"); // 2026-03-27 Friday, 2026-03-30 Monday
  assert.equal(isOpen(hours, at("2026-03-27T08:00:00Z")), true, "Friday 09:00 CET");
  assert.equal(isOpen(hours, at("2026-03-27T07:30:00Z")), false, "Friday 08:30 CET");
  assert.equal(isOpen(hours, at("2026-03-30T07:00:00Z")), true, "Monday 09:00 CEST");
  assert.equal(isOpen(hours, at("2026-03-30T06:59:00Z")), false, "Monday 08:59 CEST");
  // On the change day itself 02:00–03:00 does not exist; a range inside it never opens.
  const skipped: OpeningHours = {
    enabled: true,
    timeZone: "Europe/Amsterdam",
    days: { "7": [["02:00", "03:00"]] },
  };
  for (let m = 0; m < 180; m += 5) {
    const instant = new Date(Date.parse("2026-03-28T23:00:00Z") + m * 60_000);
    assert.equal(isOpen(skipped, instant), false, instant.toISOString());
  }
  const around: OpeningHours = { ...skipped, days: { "7": [["01:00", "04:00"]] } };
  assert.equal(isOpen(around, at("2026-03-29T00:59:00Z")), true, "01:59 CET");
  assert.equal(isOpen(around, at("2026-03-29T01:00:00Z")), true, "03:00 CEST");
  assert.equal(isOpen(around, at("2026-03-29T02:00:00Z")), false, "04:00 CEST");
});

Deno.test("isOpen() is open twice in the repeated hour at the end of summer time", () => {
  // 2026-10-25, Europe/Amsterdam: 03:00 CEST becomes 02:00 CET, so 02:00–03:00 happens twice.
  const hours: OpeningHours = {
    enabled: true,
    timeZone: "Europe/Amsterdam",
    days: { "7": [["02:00", "03:00"]] },
  };
  assert.equal(isOpen(hours, at("2026-10-25T00:30:00Z")), true, "02:30 CEST");
  assert.equal(isOpen(hours, at("2026-10-25T01:30:00Z")), true, "02:30 CET");
  assert.equal(isOpen(hours, at("2026-10-25T02:00:00Z")), false, "03:00 CET");
  assert.equal(isOpen(hours, at("2026-10-24T23:59:00Z")), false, "01:59 CEST");
});

Deno.test("isOpen() follows US daylight saving time (America/New_York, 2026-03-08)", () => {
  const hours = officeHours("America/New_York"); // 2026-03-06 Friday, 2026-03-09 Monday
  assert.equal(isOpen(hours, at("2026-03-06T14:00:00Z")), true, "Friday 09:00 EST");
  assert.equal(isOpen(hours, at("2026-03-09T13:00:00Z")), true, "Monday 09:00 EDT");
  assert.equal(isOpen(hours, at("2026-03-09T12:59:00Z")), false, "Monday 08:59 EDT");
});

Deno.test("isOpen() treats 24:00 as the end of the day", () => {
  const hours: OpeningHours = {
    enabled: true,
    timeZone: "UTC",
    days: { "2": [["18:00", "24:00"]] },
  };
  assert.equal(isOpen(hours, at("2026-11-24T23:59:59Z")), true, "Tuesday 23:59");
  assert.equal(isOpen(hours, at("2026-11-25T00:00:00Z")), false, "Wednesday 00:00");
});

Deno.test("localWeekdayAndMinute() and minuteOfDay() agree on wall-clock minutes", () => {
  assert.deepEqual(localWeekdayAndMinute("UTC", at("2026-11-23T00:00:00Z")), {
    weekday: "1",
    minute: 0,
  });
  assert.deepEqual(localWeekdayAndMinute("Asia/Kathmandu", at("2026-11-29T18:15:00Z")), {
    weekday: "1",
    minute: 0,
  });
  assert.equal(minuteOfDay("09:30"), 570);
  assert.equal(minuteOfDay("24:00"), 1440);
});

Deno.test("isTimeZone() accepts IANA zones and refuses offsets, garbage and unknown names", () => {
  for (const zone of ["UTC", "Europe/Amsterdam", "America/Argentina/Buenos_Aires", "Etc/GMT+1"]) {
    assert.equal(isTimeZone(zone), true, zone);
  }
  for (
    const zone of ["", "Mars/Olympus", "+01:00", "UTC+1", "Europe/", "../etc", "Europe Amsterdam"]
  ) {
    assert.equal(isTimeZone(zone), false, zone);
  }
  assert.equal(canonicalTimeZone("europe/amsterdam"), "Europe/Amsterdam");
});

Deno.test("timeZoneChoices() starts with UTC and keeps an unusual current zone", () => {
  const zones = timeZoneChoices();
  assert.equal(zones[0], "UTC");
  assert.ok(zones.includes("Europe/Amsterdam"));
  assert.equal(zones.filter((z) => z === "UTC").length, 1);
  assert.ok(timeZoneChoices("Etc/GMT+1").includes("Etc/GMT+1"));
  assert.ok(!timeZoneChoices("Mars/Olympus_Mons").includes("Mars/Olympus_Mons"));
});
