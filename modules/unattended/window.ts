/**
 * When a grant may be used: its access window, evaluated in the grant's IANA time zone.
 * Pure — the caller passes `now` (the server's clock, injected in tests) — and DST-correct:
 * a daily window of 09:00–17:00 in Europe/Amsterdam means 09:00 on the wall clock there,
 * whatever the UTC offset that day. Local wall time comes from `Intl.DateTimeFormat` with
 * the zone, never from a fixed offset.
 */
import type { AccessWindow } from "./schema.ts";

export type WindowRefusal =
  | "revoked"
  | "not_yet"
  | "expired"
  | "not_today"
  | "outside_hours"
  | "bad_window";

export type WindowVerdict = { ok: true } | { ok: false; reason: WindowRefusal };

/** What `accessWindowAllows` reads of a grant. */
export interface WindowedGrant {
  window: AccessWindow;
  timeZone: string;
  revokedAt?: Date | null;
}

/** Whether `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return zone.length > 0 && zone.length <= 64;
  } catch {
    return false;
  }
}

/** The wall clock in `zone` at `at`: weekday (0 = Sunday), minute of the day, and the date. */
export function wallClock(at: Date, zone: string): {
  year: number;
  month: number;
  day: number;
  weekday: number;
  minute: number;
} {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    weekday: "short",
    hour: "numeric",
    minute: "numeric",
  }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  const weekday = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(get("weekday"));
  return {
    year: Number(get("year")),
    month: Number(get("month")),
    day: Number(get("day")),
    weekday,
    minute: Number(get("hour")) * 60 + Number(get("minute")),
  };
}

/**
 * The instant at which the wall clock in `zone` shows the given local date and minute — how
 * a date range entered "in the customer's time zone" becomes instants. A time skipped by a
 * DST change (02:30 on the spring-forward night) gives the instant just after the gap.
 */
export function zonedInstant(
  zone: string,
  local: { year: number; month: number; day: number; minute: number },
): Date {
  const wanted = Date.UTC(local.year, local.month - 1, local.day, 0, local.minute);
  const shown = (t: number) => {
    const c = wallClock(new Date(t), zone);
    return Date.UTC(c.year, c.month - 1, c.day, 0, c.minute);
  };
  // The zone's offsets half a day before and after: one of them is the offset at the answer.
  const candidates = [wanted - 12 * 3600_000, wanted + 12 * 3600_000]
    .map((probe) => wanted - (shown(probe) - probe));
  const valid = candidates.filter((t) => shown(t) === wanted);
  // Twice on the autumn night: the first. Never (the spring gap): the later instant.
  return new Date(valid.length ? Math.min(...valid) : Math.max(...candidates));
}

const instant = (text: string | undefined): number | null => {
  if (text === undefined) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : NaN;
};

/**
 * Whether `grant` may be used at `now`, or the reason it may not (`revoked`, `not_yet`,
 * `expired`, `not_today`, `outside_hours`, `bad_window` for a window that means nothing).
 */
export function accessWindowAllows(grant: WindowedGrant, now: Date): WindowVerdict {
  if (grant.revokedAt) return { ok: false, reason: "revoked" };
  const window = grant.window;
  if (!isTimeZone(grant.timeZone)) return { ok: false, reason: "bad_window" };
  const from = instant(window.fromAt);
  const until = instant(window.untilAt);
  if (Number.isNaN(from) || Number.isNaN(until)) return { ok: false, reason: "bad_window" };
  const ms = now.getTime();
  switch (window.kind) {
    case "unlimited":
      break;
    case "days":
    case "range":
      if (from === null || until === null || until <= from) {
        return { ok: false, reason: "bad_window" };
      }
      break;
    case "daily": {
      const { startMinute, endMinute, weekdays } = window;
      if (!_minuteOk(startMinute) || !_minuteOk(endMinute) || startMinute === endMinute) {
        return { ok: false, reason: "bad_window" };
      }
      if (!weekdays?.length || weekdays.some((d) => !Number.isInteger(d) || d < 0 || d > 6)) {
        return { ok: false, reason: "bad_window" };
      }
      break;
    }
    default:
      return { ok: false, reason: "bad_window" };
  }
  if (from !== null && ms < from) return { ok: false, reason: "not_yet" };
  if (until !== null && ms >= until) return { ok: false, reason: "expired" };
  if (window.kind === "daily") return _daily(window, grant.timeZone, now);
  return { ok: true };
}

function _minuteOk(minute: number | undefined): minute is number {
  return Number.isInteger(minute) && minute! >= 0 && minute! <= 24 * 60;
}

function _daily(window: AccessWindow, zone: string, now: Date): WindowVerdict {
  const start = window.startMinute!;
  const end = window.endMinute!;
  const days = new Set(window.weekdays);
  const clock = wallClock(now, zone);
  if (start < end) {
    if (!days.has(clock.weekday)) return { ok: false, reason: "not_today" };
    return clock.minute >= start && clock.minute < end
      ? { ok: true }
      : { ok: false, reason: "outside_hours" };
  }
  // Past midnight (22:00–06:00): the evening belongs to today, the early hours to the
  // weekday the window started on, yesterday.
  if (clock.minute >= start) {
    return days.has(clock.weekday) ? { ok: true } : { ok: false, reason: "not_today" };
  }
  if (clock.minute < end) {
    return days.has((clock.weekday + 6) % 7) ? { ok: true } : { ok: false, reason: "not_today" };
  }
  return { ok: false, reason: "outside_hours" };
}
