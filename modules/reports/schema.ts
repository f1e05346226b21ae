/**
 * The reports' rollups: per organisation, UTC hour and (group, technician, channel), the
 * counts and sums every report adds up — sessions by outcome, queued, picked up, waits,
 * durations, handling times, transfers — and the survey answers given in that hour. A
 * session counts in the hour it was created, an answer in the hour it was given, like the
 * direct queries. Database triggers (migrations/0020_report_rollups_triggers.sql) keep the
 * rows equal to the sessions and answers in the same transaction as every change, so no
 * service has to remember to; the same migration filled them from the existing data.
 */
import {
  doublePrecision,
  integer,
  pgTable,
  smallint,
  timestamp,
  unique,
  uuid,
} from "drizzle-orm/pg-core";

const count = (name: string) => integer(name).notNull().default(0);
const seconds = (name: string) => doublePrecision(name).notNull().default(0);

/** The counts and sums of a rollup row (a fresh set of column builders per table). */
const _measures = () => ({
  sessions: count("sessions"),
  /** Not ended yet. */
  open: count("open"),
  // One count per `SESSION_OUTCOMES` entry (a new outcome needs a column and the triggers).
  closedByTechnician: count("closed_by_technician"),
  closedByCustomer: count("closed_by_customer"),
  closedByWaitingCustomer: count("closed_by_waiting_customer"),
  timedOut: count("timed_out"),
  connectingTimeout: count("connecting_timeout"),
  waitingTimeout: count("waiting_timeout"),
  termsDeclined: count("terms_declined"),
  /** The customer connected (entered the queue). */
  queued: count("queued"),
  pickedUp: count("picked_up"),
  /** Sessions with a wait (connected and picked up) and the sum of those waits. */
  waited: count("waited"),
  waitSum: seconds("wait_sum"),
  ended: count("ended"),
  durationSum: seconds("duration_sum"),
  /** Ended sessions that had been picked up, and the sum of their handling times. */
  handled: count("handled"),
  handlingSum: seconds("handling_sum"),
  /** Sessions transferred at least once, and all their transfers. */
  transferred: count("transferred"),
  transfers: count("transfers"),
  answered: count("answered"),
  /** Answers with a score, and the sum of those scores. */
  scored: count("scored"),
  scoreSum: seconds("score_sum"),
  lowScores: count("low_scores"),
  highScores: count("high_scores"),
});

export const reportRollups = pgTable("report_rollups", {
  orgId: uuid("org_id").notNull(),
  /** The UTC hour (its first instant) the sessions were created / the answers given in. */
  hour: timestamp("hour", { withTimezone: true }).notNull(),
  groupId: uuid("group_id"),
  /** The session's lead technician (the answer's technician). */
  technicianId: uuid("technician_id"),
  channelId: uuid("channel_id"),
  ..._measures(),
}, (t) => [
  unique("report_rollups_key").on(t.orgId, t.hour, t.groupId, t.technicianId, t.channelId)
    .nullsNotDistinct(),
]);

/**
 * `report_rollups` added up per UTC month and UTC hour of the day (0–23), so a long period
 * reads a month's row per hour of the day and (group, technician, channel) — 1,000,000
 * sessions over a year: ~14,000 rows instead of ~270,000 — and the hours-of-the-day report
 * still knows each row's hour. Kept by statement-level triggers on `report_rollups` itself
 * (migration 0026: the rollups' changes, added up by month), in the same transaction.
 */
export const reportMonthRollups = pgTable("report_month_rollups", {
  orgId: uuid("org_id").notNull(),
  /** The UTC month (its first instant). */
  month: timestamp("month", { withTimezone: true }).notNull(),
  /** The UTC hour of the day, 0–23. */
  hour: smallint("hour").notNull(),
  groupId: uuid("group_id"),
  technicianId: uuid("technician_id"),
  channelId: uuid("channel_id"),
  ..._measures(),
}, (t) => [
  unique("report_month_rollups_key").on(
    t.orgId,
    t.month,
    t.hour,
    t.groupId,
    t.technicianId,
    t.channelId,
  ).nullsNotDistinct(),
]);

/**
 * The reports' histograms, for medians and p90s without sorting a period's sessions: per
 * organisation, UTC month and (group, technician, channel), how many sessions created in that
 * month had a wait (`metric` 1), a duration (2) or a handling time (3) in each bin (`bin`,
 * `report_bin(seconds)` in migrations/0023: one bin per whole second below 60 s, then bins 2 %
 * wide, so a bin's middle is within 0.5 s, or 1 %, of every value in it). Kept by the same kind
 * of statement-level triggers as `report_rollups`, in the same transaction; filled by that
 * migration. A month, not an hour: at an hour's grain each row holds a session or two and the
 * table would be as large as the sessions; a month of one technician holds thousands. The
 * reports read it by `report_histograms_read_idx` alone (org, metric, month, the rest included:
 * an index-only scan; migration 0025, SQL only, as drizzle declares no INCLUDE columns).
 */
export const reportHistograms = pgTable("report_histograms", {
  orgId: uuid("org_id").notNull(),
  /** The UTC month (its first instant) the sessions were created in. */
  month: timestamp("month", { withTimezone: true }).notNull(),
  groupId: uuid("group_id"),
  technicianId: uuid("technician_id"),
  channelId: uuid("channel_id"),
  metric: smallint("metric").notNull(),
  bin: integer("bin").notNull(),
  /** Sessions in the bin (0 once its sessions changed or left: rows are not deleted). */
  n: count("n"),
}, (t) => [
  unique("report_histograms_key").on(
    t.orgId,
    t.month,
    t.groupId,
    t.technicianId,
    t.channelId,
    t.metric,
    t.bin,
  ).nullsNotDistinct(),
]);

/**
 * The waits of `report_histograms` again, per UTC hour of the day (`hour`, 0–23) instead of
 * per technician, for the hours-of-the-day report: per organisation, UTC month, hour, group
 * and channel, how many waits in each bin. Without the technician a month's row still holds
 * hundreds of sessions; a technician filter reads the sessions instead. Read by
 * `report_hour_histograms_read_idx` alone (migration 0025).
 */
export const reportHourHistograms = pgTable("report_hour_histograms", {
  orgId: uuid("org_id").notNull(),
  month: timestamp("month", { withTimezone: true }).notNull(),
  hour: smallint("hour").notNull(),
  groupId: uuid("group_id"),
  channelId: uuid("channel_id"),
  bin: integer("bin").notNull(),
  n: count("n"),
}, (t) => [
  unique("report_hour_histograms_key").on(t.orgId, t.month, t.hour, t.groupId, t.channelId, t.bin)
    .nullsNotDistinct(),
]);
