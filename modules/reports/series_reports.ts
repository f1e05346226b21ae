/**
 * The reports over time and hours: outcomes, waiting time, duration, transfers (one row per
 * day, week or month of the period) and the hours of the day. Each is one statement; the
 * percentiles are PostgreSQL's `percentile_cont`, median and p90 from one sort.
 */
import { sql } from "drizzle-orm";
import type { Database } from "../db/mod.ts";
import { SESSION_OUTCOMES } from "../sessions/mod.ts";
import type { ReportQuery } from "./query.ts";
import {
  BASE,
  col,
  counted,
  DURATION,
  HANDLING,
  percentiles,
  type ReportResult,
  reportRows,
  type ReportScope,
  series,
  sessionsOf,
  WAIT,
} from "./sql_parts.ts";

/** The outcome of a session not ended yet. */
export const OPEN = "open";
const OUTCOME_KEYS = [...SESSION_OUTCOMES, OPEN];
const name = (key: string) => sql.raw(`"${key}"`);
const zero = (key: string) => sql`coalesce(a.${name(key)}, 0) as ${name(key)}`;

export async function outcomesReport(
  db: Database,
  scope: ReportScope,
  q: ReportQuery,
): Promise<ReportResult> {
  const aggregates = sql.join([
    sql`count(*)::int as sessions`,
    ...OUTCOME_KEYS.map((o) =>
      sql`${counted(o === OPEN ? sql`ended_at is null` : sql`outcome = ${o}`)} as ${name(o)}`
    ),
  ], sql`, `);
  const outputs = sql.join(["sessions", ...OUTCOME_KEYS].map(zero), sql`, `);
  return {
    kind: "outcomes",
    columns: [
      col("day", "day"),
      col("sessions", "count"),
      ...OUTCOME_KEYS.map((k) => col(k, "outcome")),
    ],
    rows: await reportRows(db, series(scope, q, { aggregates, outputs })),
    chart: { type: "bars", x: "day", series: OUTCOME_KEYS, stacked: true },
  };
}

export async function waitingReport(
  db: Database,
  scope: ReportScope,
  q: ReportQuery,
): Promise<ReportResult> {
  const rows = await reportRows(
    db,
    series(scope, q, {
      aggregates: sql`${counted(sql`connected_at is not null`)} as queued,
        count(picked_up_at)::int as picked_up, ${percentiles(WAIT)} as wait, avg(${WAIT}) as mean`,
      outputs: sql`${zero("queued")}, ${zero("picked_up")},
        round(a.wait[1])::int as median_wait, round(a.wait[2])::int as p90_wait,
        round(a.mean)::int as mean_wait`,
    }),
  );
  return {
    kind: "waiting",
    columns: [
      col("day", "day"),
      col("queued", "count"),
      col("picked_up", "count"),
      col("median_wait", "seconds"),
      col("p90_wait", "seconds"),
      col("mean_wait", "seconds"),
    ],
    rows,
    chart: { type: "line", x: "day", series: ["median_wait", "p90_wait"] },
  };
}

export async function durationReport(
  db: Database,
  scope: ReportScope,
  q: ReportQuery,
): Promise<ReportResult> {
  const rows = await reportRows(
    db,
    series(scope, q, {
      aggregates: sql`count(ended_at)::int as ended, ${percentiles(DURATION)} as duration,
        avg(${DURATION}) as mean_d, ${
        percentiles(HANDLING)
      } as handling, avg(${HANDLING}) as mean_h`,
      outputs: sql`${zero("ended")}, round(a.duration[1])::int as median_duration,
        round(a.duration[2])::int as p90_duration, round(a.mean_d)::int as mean_duration,
        round(a.handling[1])::int as median_handling, round(a.mean_h)::int as mean_handling`,
    }),
  );
  return {
    kind: "duration",
    columns: [
      col("day", "day"),
      col("ended", "count"),
      col("median_duration", "seconds"),
      col("p90_duration", "seconds"),
      col("mean_duration", "seconds"),
      col("median_handling", "seconds"),
      col("mean_handling", "seconds"),
    ],
    rows,
    chart: { type: "line", x: "day", series: ["median_duration", "p90_duration"] },
  };
}

export async function transfersReport(
  db: Database,
  scope: ReportScope,
  q: ReportQuery,
): Promise<ReportResult> {
  const rows = await reportRows(
    db,
    series(scope, q, {
      aggregates: sql`count(*)::int as sessions, ${counted(sql`transfers > 0`)} as transferred,
        sum(transfers)::int as transfers`,
      outputs: sql`${zero("sessions")}, ${zero("transferred")}, ${zero("transfers")},
        round(100.0 * a.transferred / nullif(a.sessions, 0), 1)::float8 as transferred_share`,
    }),
  );
  return {
    kind: "transfers",
    columns: [
      col("day", "day"),
      col("sessions", "count"),
      col("transferred", "count"),
      col("transfers", "count"),
      col("transferred_share", "percent"),
    ],
    rows,
    chart: { type: "bars", x: "day", series: ["transfers", "transferred"] },
  };
}

export async function hoursReport(
  db: Database,
  scope: ReportScope,
  q: ReportQuery,
): Promise<ReportResult> {
  const hour = sql`extract(hour from created_at at time zone ${q.tz})::int`;
  const rows = await reportRows(
    db,
    sql`with s as (${sessionsOf(scope, q, sql`${BASE}, ${hour} as hour`)}),
      a as (select hour, count(*)::int as sessions, count(picked_up_at)::int as picked_up,
        percentile_cont(0.5) within group (order by ${WAIT}) as wait from s group by hour)
      select h.hour, coalesce(a.sessions, 0) as sessions, coalesce(a.picked_up, 0) as picked_up,
        round(a.wait)::int as median_wait
      from generate_series(0, 23) as h(hour) left join a using (hour) order by h.hour`,
  );
  return {
    kind: "hours",
    columns: [
      col("hour", "hour"),
      col("sessions", "count"),
      col("picked_up", "count"),
      col("median_wait", "seconds"),
    ],
    rows,
    chart: { type: "bars", x: "hour", series: ["sessions", "picked_up"] },
  };
}
