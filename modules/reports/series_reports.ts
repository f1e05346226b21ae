/**
 * The reports over time and hours: outcomes, waiting time, duration, transfers (one row per
 * day, week or month of the period) and the hours of the day. Each is one statement: counts,
 * sums and means added up from the fact rows (facts.ts: the hourly rollups, or the sessions
 * directly), medians and p90s from the histograms (histograms.ts) — or, with the direct
 * counts, from the sessions (`percentile_cont`, median and p90 from one sort).
 */
import { sql } from "drizzle-orm";
import type { Database } from "../db/mod.ts";
import { SESSION_OUTCOMES } from "../sessions/mod.ts";
import type { ReportQuery } from "./query.ts";
import { col, type ReportResult, reportRows, type ReportScope } from "./sql_parts.ts";
import { aggregated, type FactSource, series, total } from "./facts.ts";
import { hourPercentiles, hoursBinned, percentilesBinned, percentilesOf } from "./histograms.ts";

/** The outcome of a session not ended yet. */
export const OPEN = "open";
const OUTCOME_KEYS = [...SESSION_OUTCOMES, OPEN];
const name = (key: string) => sql.raw(`"${key}"`);
const zero = (key: string) => sql`coalesce(a.${name(key)}, 0) as ${name(key)}`;

export async function outcomesReport(
  db: Database,
  scope: ReportScope,
  q: ReportQuery,
  source: FactSource,
): Promise<ReportResult> {
  const aggregates = total("sessions", ...OUTCOME_KEYS);
  const outputs = sql.join(["sessions", ...OUTCOME_KEYS].map(zero), sql`, `);
  return {
    kind: "outcomes",
    columns: [
      col("day", "day"),
      col("sessions", "count"),
      ...OUTCOME_KEYS.map((k) => col(k, "outcome")),
    ],
    rows: await reportRows(db, series(scope, q, source, { aggregates, outputs })),
    chart: { type: "bars", x: "day", series: OUTCOME_KEYS, stacked: true },
  };
}

export async function waitingReport(
  db: Database,
  scope: ReportScope,
  q: ReportQuery,
  source: FactSource,
): Promise<ReportResult> {
  const rows = await reportRows(
    db,
    series(scope, q, source, {
      aggregates: sql`${total("queued", "picked_up")},
        sum(wait_sum) / nullif(sum(waited), 0) as mean`,
      more: percentilesOf(source, scope, q, "bucket", ["wait"]),
      join: sql`left join p using (bucket)`,
      outputs: sql`${zero("queued")}, ${zero("picked_up")},
        round(p.wait[1])::int as median_wait, round(p.wait[2])::int as p90_wait,
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
    binned: percentilesBinned(source, q),
  };
}

export async function durationReport(
  db: Database,
  scope: ReportScope,
  q: ReportQuery,
  source: FactSource,
): Promise<ReportResult> {
  const rows = await reportRows(
    db,
    series(scope, q, source, {
      aggregates: sql`${total("ended")},
        sum(duration_sum) / nullif(sum(ended), 0) as mean_d,
        sum(handling_sum) / nullif(sum(handled), 0) as mean_h`,
      more: percentilesOf(source, scope, q, "bucket", ["duration", "handling"]),
      join: sql`left join p using (bucket)`,
      outputs: sql`${zero("ended")}, round(p.duration[1])::int as median_duration,
        round(p.duration[2])::int as p90_duration, round(a.mean_d)::int as mean_duration,
        round(p.handling[1])::int as median_handling, round(a.mean_h)::int as mean_handling`,
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
    binned: percentilesBinned(source, q),
  };
}

export async function transfersReport(
  db: Database,
  scope: ReportScope,
  q: ReportQuery,
  source: FactSource,
): Promise<ReportResult> {
  const rows = await reportRows(
    db,
    series(scope, q, source, {
      aggregates: total("sessions", "transferred", "transfers"),
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
  source: FactSource,
): Promise<ReportResult> {
  const aggregates = total("sessions", "picked_up");
  const rows = await reportRows(
    db,
    sql`with a as (${aggregated(scope, q, source, { by: "hour", as: "hour", aggregates })})
      ${hourPercentiles(source, scope, q)}
      select h.hour, coalesce(a.sessions, 0) as sessions, coalesce(a.picked_up, 0) as picked_up,
        round(p.wait[1])::int as median_wait
      from generate_series(0, 23) as h(hour) left join a using (hour)
        left join p on p.bucket = h.hour order by h.hour`,
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
    binned: hoursBinned(source, q),
  };
}
