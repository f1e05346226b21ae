/**
 * The reports about people and answers: survey scores over time, performance per technician,
 * group or channel, and the list of sessions. Scores come from `survey_answers`, read alone
 * (each answer carries its session's group, channel and technician): the answers given in
 * the period, next to the sessions that started in it.
 */
import { sql } from "drizzle-orm";
import type { Database } from "../db/mod.ts";
import type { ReportQuery } from "./query.ts";
import {
  answersOf,
  BASE,
  bucketOf,
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
import { OPEN } from "./series_reports.ts";

export async function surveyReport(
  db: Database,
  scope: ReportScope,
  q: ReportQuery,
): Promise<ReportResult> {
  const answers = answersOf(scope, q, sql`score, ${bucketOf("answered_at", q)} as bucket`);
  const rows = await reportRows(
    db,
    series(scope, q, {
      aggregates: sql`count(picked_up_at)::int as picked_up`,
      more: sql`, v as (select bucket, count(*)::int as answered, avg(score) as score,
          ${counted(sql`score < 3`)} as low, ${counted(sql`score >= 4`)} as high
        from (${answers}) x group by bucket)`,
      join: sql`left join v using (bucket)`,
      outputs: sql`coalesce(a.picked_up, 0) as picked_up, coalesce(v.answered, 0) as answered,
        round(v.score::numeric, 2)::float8 as score,
        round(100.0 * v.answered / nullif(a.picked_up, 0), 1)::float8 as response_rate,
        coalesce(v.low, 0) as low_scores, coalesce(v.high, 0) as high_scores`,
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

/** Per breakdown: the session column, the answer column and the table naming them. */
const BREAKDOWN = {
  technician: { session: "lead_user_id", answer: "technician_id", names: "users" },
  group: { session: "group_id", answer: "group_id", names: "technician_groups" },
  channel: { session: "channel_id", answer: "channel_id", names: "channels" },
} as const;

export async function performanceReport(
  db: Database,
  scope: ReportScope,
  q: ReportQuery,
): Promise<ReportResult> {
  const by = BREAKDOWN[q.by];
  const answers = answersOf(scope, q, sql`score, ${sql.raw(by.answer)} as k`);
  const rows = await reportRows(
    db,
    sql`with s as (${sessionsOf(scope, q, sql`${BASE}, ${sql.raw(by.session)} as k`)}),
      a as (select k, count(*)::int as sessions, count(picked_up_at)::int as handled,
        avg(${HANDLING}) as handling, ${percentiles(WAIT)} as wait,
        sum(transfers)::int as transfers from s group by k),
      v as (select k, count(*)::int as answered, avg(score) as score
        from (${answers}) x group by k)
      select a.k::text as id, n.name, a.sessions, a.handled,
        round(a.handling)::int as mean_handling, round(a.wait[1])::int as median_wait,
        round(a.wait[2])::int as p90_wait, a.transfers, coalesce(v.answered, 0) as answered,
        round(v.score::numeric, 2)::float8 as score
      from a left join v on v.k is not distinct from a.k
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
