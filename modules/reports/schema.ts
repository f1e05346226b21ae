/**
 * The reports' rollups: per organisation, UTC hour and (group, technician, channel), the
 * counts and sums every report adds up — sessions by outcome, queued, picked up, waits,
 * durations, handling times, transfers — and the survey answers given in that hour. A
 * session counts in the hour it was created, an answer in the hour it was given, like the
 * direct queries. Database triggers (migrations/0020_report_rollups_triggers.sql) keep the
 * rows equal to the sessions and answers in the same transaction as every change, so no
 * service has to remember to; the same migration filled them from the existing data.
 */
import { doublePrecision, integer, pgTable, timestamp, unique, uuid } from "drizzle-orm/pg-core";

const count = (name: string) => integer(name).notNull().default(0);
const seconds = (name: string) => doublePrecision(name).notNull().default(0);

export const reportRollups = pgTable("report_rollups", {
  orgId: uuid("org_id").notNull(),
  /** The UTC hour (its first instant) the sessions were created / the answers given in. */
  hour: timestamp("hour", { withTimezone: true }).notNull(),
  groupId: uuid("group_id"),
  /** The session's lead technician (the answer's technician). */
  technicianId: uuid("technician_id"),
  channelId: uuid("channel_id"),
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
}, (t) => [
  unique("report_rollups_key").on(t.orgId, t.hour, t.groupId, t.technicianId, t.channelId)
    .nullsNotDistinct(),
]);
