/**
 * The reports about people and answers: survey scores over time, performance per technician,
 * group or channel, and the list of sessions. Counts, sums and scores come from the fact rows
 * (facts.ts: rollups or the rows themselves) — the answers given in the period next to the
 * sessions that started in it, each answer under its session's group, channel and
 * technician; the waits' median and p90 from the histograms (histograms.ts, or exact from the
 * sessions with the direct counts); the session list from the sessions.
 */
import { sql } from "drizzle-orm";
import type { Database } from "../db/mod.ts";
import type { ReportQuery } from "./query.ts";
import {
  BASE,
  col,
  DURATION,
  type ReportResult,
  reportRows,
  type ReportScope,
  sessionsOf,
  WAIT,
} from "./sql_parts.ts";
import { aggregated, type FactSource, series, total } from "./facts.ts";
import { percentilesBinned, percentilesOf } from "./histograms.ts";
import { OPEN } from "./series_reports.ts";

export async function surveyReport(
  db: Database,
  scope: ReportScope,
  q: ReportQuery,
  source: FactSource,
): Promise<ReportResult> {
  const rows = await reportRows(
    db,
    series(scope, q, source, {
      aggregates: sql`${total("picked_up", "answered", "low_scores", "high_scores")},
        sum(score_sum) / nullif(sum(scored), 0) as score`,
      outputs: sql`coalesce(a.picked_up, 0) as picked_up, coalesce(a.answered, 0) as answered,
        round(a.score::numeric, 2)::float8 as score,
        round(100.0 * a.answered / nullif(a.picked_up, 0), 1)::float8 as response_rate,
        coalesce(a.low_scores, 0) as low_scores, coalesce(a.high_scores, 0) as high_scores`,
    }),
  );
  return {
    kind: "survey",
    columns: [
      col("day", "day"),
      col("picked_up", "count"),
      col("answered", "count"),
      col("score", "score"),
      col("response_rate", "percent"),
      col("low_scores", "count"),
      col("high_scores", "count"),
    ],
    rows,
    chart: { type: "line", x: "day", series: ["score"] },
  };
}

/** Per breakdown: the session column, the fact column and the table naming them. */
const BREAKDOWN = {
  technician: { session: "lead_user_id", fact: "technician_id", names: "users" },
  group: { session: "group_id", fact: "group_id", names: "technician_groups" },
  channel: { session: "channel_id", fact: "channel_id", names: "channels" },
} as const;

export async function performanceReport(
  db: Database,
  scope: ReportScope,
  q: ReportQuery,
  source: FactSource,
): Promise<ReportResult> {
  const by = BREAKDOWN[q.by];
  const rows = await reportRows(
    db,
    sql`with a as (${
      aggregated(scope, q, source, {
        by,
        as: "k",
        aggregates: sql`${total("sessions", "picked_up", "transfers", "answered")},
          sum(handling_sum) / nullif(sum(handled), 0) as handling,
          sum(score_sum) / nullif(sum(scored), 0) as score`,
        having: sql`sum(sessions) > 0`,
      })
    })
      ${percentilesOf(source, scope, q, by, ["wait"])}
      select a.k::text as id, n.name, a.sessions, a.picked_up as handled,
        round(a.handling)::int as mean_handling, round(p.wait[1])::int as median_wait,
        round(p.wait[2])::int as p90_wait, a.transfers, a.answered,
        round(a.score::numeric, 2)::float8 as score
      from a left join p on p.bucket is not distinct from a.k
        left join ${sql.raw(by.names)} n on n.id = a.k
      order by a.sessions desc, n.name limit 500`,
  );
  return {
    kind: "performance",
    columns: [
      col("name", "name"),
      col("sessions", "count"),
      col("handled", "count"),
      col("mean_handling", "seconds"),
      col("median_wait", "seconds"),
      col("p90_wait", "seconds"),
      col("transfers", "count"),
      col("answered", "count"),
      col("score", "score"),
    ],
    rows,
    chart: { type: "bars", x: "name", series: ["sessions", "handled"] },
    binned: percentilesBinned(source, q),
  };
}

export async function sessionsReport(
  db: Database,
  scope: ReportScope,
  q: ReportQuery,
  limit: number,
): Promise<ReportResult> {
  const rows = await reportRows(
    db,
    sql`with s as (${
      sessionsOf(
        scope,
        q,
        sql`id, number, customer_name, ${BASE}, ${WAIT} as wait, ${DURATION} as duration`,
      )
    })
      select s.id::text as id, s.number, to_char(s.created_at at time zone ${q.tz},
          'YYYY-MM-DD HH24:MI') as created, s.customer_name as customer,
        u.name as technician, g.name as "group", ch.name as channel,
        coalesce(s.outcome, ${OPEN}) as outcome, round(s.wait)::int as wait,
        round(s.duration)::int as duration, s.transfers, sa.score::float8 as score
      from s left join survey_answers sa on sa.session_id = s.id
        left join users u on u.id = s.lead_user_id
        left join technician_groups g on g.id = s.group_id
        left join channels ch on ch.id = s.channel_id
      order by s.created_at desc, s.number desc limit ${limit}`,
  );
  return {
    kind: "sessions",
    columns: [
      col("number", "text"),
      col("created", "text"),
      col("customer", "text"),
      col("technician", "name"),
      col("group", "name"),
      col("channel", "name"),
      col("outcome", "outcome"),
      col("wait", "seconds"),
      col("duration", "seconds"),
      col("transfers", "count"),
      col("score", "score"),
    ],
    rows,
  };
}
