import type { OpeningHours } from "./schema.ts";

/** ISO weekdays, Monday first, as the keys of `OpeningHours.days`. */
export const WEEKDAYS = ["1", "2", "3", "4", "5", "6", "7"] as const;
export type Weekday = typeof WEEKDAYS[number];

/** "HH:MM" from 00:00 to 23:59, or "24:00" (only sensible as the end of a range). */
export const TIME_PATTERN = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/;

const WEEKDAY_NUMBER: Record<string, Weekday> = {
  Mon: "1",
  Tue: "2",
  Wed: "3",
  Thu: "4",
  Fri: "5",
  Sat: "6",
  Sun: "7",
};

// Building an Intl.DateTimeFormat is costly; the public page asks on every request.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      weekday: "short",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The ISO weekday and minute of the day that `now` is on the wall clocks of `timeZone`. */
export function localWeekdayAndMinute(
  timeZone: string,
  now: Date,
): { weekday: Weekday; minute: number } {
  const parts = formatterFor(timeZone).formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  const weekday = WEEKDAY_NUMBER[part("weekday")];
  const minute = Number(part("hour")) * 60 + Number(part("minute"));
  return { weekday, minute };
}

/** "09:30" → 570; "24:00" → 1440. */
export function minuteOfDay(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

/**
 * Whether a channel with these hours takes customers at `now`. Disabled hours mean open
 * around the clock. Otherwise the wall-clock time in the channel's time zone must fall in
 * one of that weekday's ranges, start included and end excluded; a day without ranges is
 * closed. Ranges never cross midnight (validation insists on start < end), so a night
 * shift is two ranges on two days. On a DST change day a range that the clock skips is
 * simply never open, and one the clock repeats is open both times.
 */
export function isOpen(hours: OpeningHours, now: Date): boolean {
  if (!hours.enabled) return true;
  const { weekday, minute } = localWeekdayAndMinute(hours.timeZone, now);
  const ranges = hours.days[weekday] ?? [];
  return ranges.some(([start, end]) => minuteOfDay(start) <= minute && minute < minuteOfDay(end));
}

/**
 * Whether `name` is an IANA time zone this runtime knows. Intl also takes UTC offsets
 * such as "+01:00", which are not zones (they ignore DST), so those are refused.
 */
export function isTimeZone(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/.test(name) || name.length > 64) {
    return false;
  }
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The runtime's spelling of a valid zone ("europe/amsterdam" → "Europe/Amsterdam"). */
export function canonicalTimeZone(name: string): string {
  return new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
}

/**
 * The zones the admin form offers: UTC first, then every IANA zone the runtime lists,
 * plus `current` when it is valid but unlisted (an alias such as "Etc/GMT+1").
 */
export function timeZoneChoices(current?: string): string[] {
  const zones = ["UTC", ...Intl.supportedValuesOf("timeZone").filter((z) => z !== "UTC")];
  if (current && !zones.includes(current) && isTimeZone(current)) zones.push(current);
  return zones;
}
