/**
 * What a report is asked for, the same for the Admin Center pages and the API: which report,
 * which period (a day, an ISO week or a month around `date`, or a custom range of days), in
 * which time zone the days and hours are counted, how the time series is bucketed, and the
 * optional technician / group / channel filters (Lens sessions have no channel: that report
 * takes no channel filter). One zod schema reads both query strings.
 */
import { z } from "zod";

export const REPORT_KINDS = [
  "outcomes",
  "waiting",
  "duration",
  "hours",
  "transfers",
  "survey",
  "performance",
  "sessions",
  "lens",
] as const;

export type ReportKind = typeof REPORT_KINDS[number];

export const PERIODS = ["day", "week", "month", "custom"] as const;
export const STEPS = ["day", "week", "month"] as const;
export const BREAKDOWNS = ["technician", "group", "channel"] as const;

/** The longest custom range, in days: about three years of daily buckets at most. */
export const MAX_RANGE_DAYS = 1100;

let zones: Set<string> | undefined;

/** An IANA time zone name the server (and PostgreSQL) knows, or UTC. */
export function isTimeZone(value: string): boolean {
  zones ??= new Set(["UTC", ...Intl.supportedValuesOf("timeZone")]);
  return zones.has(value);
}

let offered: readonly string[] | undefined;

/** The time zones offered in the select, UTC first. */
export function timeZones(): readonly string[] {
  offered ??= ["UTC", ...Intl.supportedValuesOf("timeZone").filter((z) => z !== "UTC")];
  return offered;
}

const blankIsAbsent = (value: unknown) => value === "" ? undefined : value;
const day = z.preprocess(
  blankIsAbsent,
  z.string().regex(/^\d{4}-\d{2}-\d{2}$/).refine((d) => !Number.isNaN(Date.parse(d)), {
    message: "Not a calendar day",
  }).optional(),
);
const id = z.preprocess(blankIsAbsent, z.uuid().optional());

/** The query string of a report page or API call. */
export const ReportParams = z.object({
  period: z.preprocess(blankIsAbsent, z.enum(PERIODS).default("month")),
  date: day,
  from: day,
  to: day,
  step: z.preprocess(blankIsAbsent, z.enum(STEPS).default("day")),
  tz: z.preprocess(
    blankIsAbsent,
    z.string().max(64).refine(isTimeZone, { message: "Unknown time zone" }).default("UTC"),
  ),
  group: id,
  technician: id,
  channel: id,
  by: z.preprocess(blankIsAbsent, z.enum(BREAKDOWNS).default("technician")),
});

export type ReportParamsInput = z.input<typeof ReportParams>;
export type ReportParamsValue = z.output<typeof ReportParams>;

/** A resolved request: local days `[fromDay, toDay)` in `tz`, plus everything else. */
export interface ReportQuery {
  fromDay: string;
  /** The first day after the period (exclusive). */
  toDay: string;
  step: typeof STEPS[number];
  tz: string;
  group?: string;
  technician?: string;
  channel?: string;
  by: typeof BREAKDOWNS[number];
}

/** Why a period cannot be resolved: the field and a stable code. */
export class PeriodError extends Error {
  constructor(readonly field: "from" | "to" | "date", readonly code: string) {
    super(`${field}: ${code}`);
  }
}

/** Today's date in `tz`, as YYYY-MM-DD. */
export function todayIn(tz: string, now: Date): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: tz }).format(now);
}

/** Days arithmetic on calendar dates (no time zone involved: UTC noon never shifts a day). */
export function addDays(dayText: string, days: number): string {
  const d = new Date(`${dayText}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function _weekStart(dayText: string): string {
  const weekday = (new Date(`${dayText}T12:00:00Z`).getUTCDay() + 6) % 7; // Monday = 0
  return addDays(dayText, -weekday);
}

function _nextMonth(dayText: string): string {
  const [y, m] = dayText.split("-").map(Number);
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, "0")}-01`;
}

/** Turns parsed parameters into the local days to read; throws `PeriodError` if it can't. */
export function resolvePeriod(params: ReportParamsValue, now: Date): ReportQuery {
  const anchor = params.date ?? todayIn(params.tz, now);
  let fromDay: string;
  let toDay: string;
  if (params.period === "custom") {
    if (!params.from) throw new PeriodError("from", "required");
    if (!params.to) throw new PeriodError("to", "required");
    if (params.to < params.from) throw new PeriodError("to", "beforeFrom");
    fromDay = params.from;
    toDay = addDays(params.to, 1);
    const days = (Date.parse(toDay) - Date.parse(fromDay)) / 86_400_000;
    if (days > MAX_RANGE_DAYS) throw new PeriodError("to", "tooLong");
  } else if (params.period === "day") {
    fromDay = anchor;
    toDay = addDays(anchor, 1);
  } else if (params.period === "week") {
    fromDay = _weekStart(anchor);
    toDay = addDays(fromDay, 7);
  } else {
    fromDay = `${anchor.slice(0, 7)}-01`;
    toDay = _nextMonth(fromDay);
  }
  return {
    fromDay,
    toDay,
    step: params.step,
    tz: params.tz,
    group: params.group,
    technician: params.technician,
    channel: params.channel,
    by: params.by,
  };
}
