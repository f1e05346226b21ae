/**
 * The reports, each one SQL statement over `support_sessions` (and `survey_answers` for
 * scores): PostgreSQL counts, buckets and takes percentiles (`percentile_cont`) where the
 * rows are, so a report over a million sessions sends back a few dozen rows. The columns it
 * reads were written as the sessions happened (modules/support) and sit in one covering
 * index (`support_sessions_report_idx`). Tables are named in plain SQL: they belong to
 * other modules (support, surveys, auth, org, channels) and this module only reads them.
 */
import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/mod.ts";
import { SESSION_OUTCOMES } from "../sessions/mod.ts";
import type { ReportKind, ReportQuery } from "./query.ts";

export type ColumnKind =
  | "day"
  | "hour"
  | "name"
  | "count"
  | "seconds"
  | "score"
  | "percent"
  | "outcome"
  | "text";

export interface ReportColumn {
  key: string;
  kind: ColumnKind;
}

export type ReportValue = string | number | null;
export type ReportRow = Record<string, ReportValue>;

export interface ReportResult {
  kind: ReportKind;
  columns: ReportColumn[];
  rows: ReportRow[];
  /** What the page draws: the x column and the series beside it (absent: table only). */
  chart?: { type: "line" | "bars"; x: string; series: string[]; stacked?: boolean };
}

/** Whose sessions a report may read: the whole organisation, or these groups' sessions. */
export interface ReportScope {
  orgId: string;
  groupIds: readonly string[] | "all";
}

const c = (key: string, kind: ColumnKind): ReportColumn => ({ key, kind });
const OPEN = "open";

/** Seconds between two timestamps (double precision, what percentile_cont takes). */
const secs = (to: string, from: string) => sql.raw(`extract(epoch from ${to} - ${from})::float8`);
const WAIT = secs("s.picked_up_at", "s.connected_at");
const DURATION = secs("s.ended_at", "coalesce(s.connected_at, s.created_at)");
const HANDLING = secs("s.ended_at", "s.picked_up_at");

const median = (x: SQL) => sql`round(percentile_cont(0.5) within group (order by ${x}))::int`;
const p90 = (x: SQL) => sql`round(percentile_cont(0.9) within group (order by ${x}))::int`;
const mean = (x: SQL) => sql`round(avg(${x}))::int`;
const count = (where = sql`true`) =>
  sql`(count(*) filter (where s.org_id is not null and ${where}))::int`;

/** The sessions of the period and scope, with the local bucket each falls in. */
function _sessions(scope: ReportScope, q: ReportQuery, columns: SQL): SQL {
  const where = [
    sql`org_id = ${scope.orgId}`,
    sql`created_at >= (${q.fromDay}::timestamp at time zone ${q.tz})`,
    sql`created_at < (${q.toDay}::timestamp at time zone ${q.tz})`,
  ];
  if (scope.groupIds !== "all") {
    where.push(
      scope.groupIds.length === 0
        ? sql`false`
        : sql`group_id in (${sql.join(scope.groupIds.map((g) => sql`${g}::uuid`), sql`, `)})`,
    );
  }
  if (q.group) where.push(sql`group_id = ${q.group}::uuid`);
  if (q.technician) where.push(sql`lead_user_id = ${q.technician}::uuid`);
  if (q.channel) where.push(sql`channel_id = ${q.channel}::uuid`);
  return sql`select ${columns} from support_sessions where ${sql.join(where, sql` and `)}`;
}

const BASE = sql.raw(
  "org_id, created_at, group_id, lead_user_id, channel_id, outcome, connected_at, " +
    "picked_up_at, ended_at, transfers",
);

/** Every bucket of the period (so a quiet day is a zero, not a gap), with its sessions. */
function _series(scope: ReportScope, q: ReportQuery, select: SQL): SQL {
  const bucket = sql`date_trunc(${q.step}, created_at at time zone ${q.tz})`;
  return sql`
    with s as (${_sessions(scope, q, sql`${BASE}, ${bucket} as bucket`)}),
    b as (
      select generate_series(
        date_trunc(${q.step}, ${q.fromDay}::timestamp),
        ${q.toDay}::timestamp - interval '1 day',
        ('1 ' || ${q.step})::interval
      ) as bucket
    )
    select to_char(b.bucket, 'YYYY-MM-DD') as day, ${select}
    from b left join s on s.bucket = b.bucket
    group by b.bucket order by b.bucket`;
}

async function _rows(db: Database, query: SQL): Promise<ReportRow[]> {
  const result = await db.execute(query);
  return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as ReportRow[];
}

const SURVEYS = sql.raw("left join survey_answers a on a.session_id = s.id");

/** Runs report `kind` for `scope` over `q`. `limit` caps the session list (page vs CSV). */
export async function runReport(
  db: Database,
  kind: ReportKind,
  scope: ReportScope,
  q: ReportQuery,
  options: { limit?: number } = {},
): Promise<ReportResult> {
  switch (kind) {
    case "outcomes": {
      const keys = [...SESSION_OUTCOMES, OPEN];
      const counts = keys.map((o) =>
        sql`${count(o === OPEN ? sql`s.ended_at is null` : sql`s.outcome = ${o}`)} as ${
          sql.raw(`"${o}"`)
        }`
      );
      const rows = await _rows(
        db,
        _series(scope, q, sql`${count()} as sessions, ${sql.join(counts, sql`, `)}`),
      );
      return {
        kind,
        columns: [c("day", "day"), c("sessions", "count"), ...keys.map((k) => c(k, "outcome"))],
        rows,
        chart: { type: "bars", x: "day", series: keys, stacked: true },
      };
    }
    case "waiting": {
      const picked = sql`s.picked_up_at is not null`;
      const rows = await _rows(
        db,
        _series(
          scope,
          q,
          sql`${count(sql`s.connected_at is not null`)} as queued, ${count(picked)} as picked_up,
            ${median(WAIT)} as median_wait, ${p90(WAIT)} as p90_wait, ${mean(WAIT)} as mean_wait`,
        ),
      );
      return {
        kind,
        columns: [
          c("day", "day"),
          c("queued", "count"),
          c("picked_up", "count"),
          c("median_wait", "seconds"),
          c("p90_wait", "seconds"),
          c("mean_wait", "seconds"),
        ],
        rows,
        chart: { type: "line", x: "day", series: ["median_wait", "p90_wait"] },
      };
    }
    case "duration": {
      const rows = await _rows(
        db,
        _series(
          scope,
          q,
          sql`${count(sql`s.ended_at is not null`)} as ended,
            ${median(DURATION)} as median_duration, ${p90(DURATION)} as p90_duration,
            ${mean(DURATION)} as mean_duration, ${median(HANDLING)} as median_handling,
            ${mean(HANDLING)} as mean_handling`,
        ),
      );
      return {
        kind,
        columns: [
          c("day", "day"),
          c("ended", "count"),
          c("median_duration", "seconds"),
          c("p90_duration", "seconds"),
          c("mean_duration", "seconds"),
          c("median_handling", "seconds"),
          c("mean_handling", "seconds"),
        ],
        rows,
        chart: { type: "line", x: "day", series: ["median_duration", "p90_duration"] },
      };
    }
    case "hours": {
      const hour = sql`extract(hour from created_at at time zone ${q.tz})::int`;
      const rows = await _rows(
        db,
        sql`with s as (${_sessions(scope, q, sql`${BASE}, ${hour} as hour`)}),
          h as (select generate_series(0, 23) as hour)
          select h.hour, ${count()} as sessions,
            ${count(sql`s.picked_up_at is not null`)} as picked_up,
            ${median(WAIT)} as median_wait
          from h left join s on s.hour = h.hour group by h.hour order by h.hour`,
      );
      return {
        kind,
        columns: [
          c("hour", "hour"),
          c("sessions", "count"),
          c("picked_up", "count"),
          c("median_wait", "seconds"),
        ],
        rows,
        chart: { type: "bars", x: "hour", series: ["sessions", "picked_up"] },
      };
    }
    case "transfers": {
      const rows = await _rows(
        db,
        _series(
          scope,
          q,
          sql`${count()} as sessions, ${count(sql`s.transfers > 0`)} as transferred,
            coalesce(sum(s.transfers), 0)::int as transfers,
            round(100.0 * count(*) filter (where s.transfers > 0)
              / nullif(count(s.org_id), 0), 1)::float8 as transferred_share`,
        ),
      );
      return {
        kind,
        columns: [
          c("day", "day"),
          c("sessions", "count"),
          c("transferred", "count"),
          c("transfers", "count"),
          c("transferred_share", "percent"),
        ],
        rows,
        chart: { type: "bars", x: "day", series: ["transfers", "transferred"] },
      };
    }
    case "survey":
      return await _survey(db, scope, q);
    case "performance":
      return await _performance(db, scope, q);
    case "sessions":
      return await _sessionList(db, scope, q, options.limit ?? 200);
  }
}

async function _survey(db: Database, scope: ReportScope, q: ReportQuery): Promise<ReportResult> {
  const bucket = sql`date_trunc(${q.step}, created_at at time zone ${q.tz})`;
  const rows = await _rows(
    db,
    sql`with s as (${_sessions(scope, q, sql`id, ${BASE}, ${bucket} as bucket`)}),
      b as (select generate_series(date_trunc(${q.step}, ${q.fromDay}::timestamp),
        ${q.toDay}::timestamp - interval '1 day', ('1 ' || ${q.step})::interval) as bucket)
      select to_char(b.bucket, 'YYYY-MM-DD') as day,
        ${count(sql`s.picked_up_at is not null`)} as picked_up,
        count(a.id)::int as answered,
        round(avg(a.score)::numeric, 2)::float8 as score,
        round(100.0 * count(a.id) / nullif(count(*) filter (where s.picked_up_at is not null), 0),
          1)::float8 as response_rate,
        (count(*) filter (where a.score < 3))::int as low_scores,
        (count(*) filter (where a.score >= 4))::int as high_scores
      from b left join s on s.bucket = b.bucket ${SURVEYS}
      group by b.bucket order by b.bucket`,
  );
  return {
    kind: "survey",
    columns: [
      c("day", "day"),
      c("picked_up", "count"),
      c("answered", "count"),
      c("score", "score"),
      c("response_rate", "percent"),
      c("low_scores", "count"),
      c("high_scores", "count"),
    ],
    rows,
    chart: { type: "line", x: "day", series: ["score"] },
  };
}

const BREAKDOWN = {
  technician: { column: "lead_user_id", names: "users" },
  group: { column: "group_id", names: "technician_groups" },
  channel: { column: "channel_id", names: "channels" },
} as const;

async function _performance(
  db: Database,
  scope: ReportScope,
  q: ReportQuery,
): Promise<ReportResult> {
  const by = BREAKDOWN[q.by];
  const key = sql.raw(`s.${by.column}`);
  const rows = await _rows(
    db,
    sql`with s as (${_sessions(scope, q, sql`id, ${BASE}`)})
      select ${key}::text as id, n.name as name, ${count()} as sessions,
        ${count(sql`s.picked_up_at is not null`)} as handled,
        ${mean(HANDLING)} as mean_handling, ${median(WAIT)} as median_wait,
        ${p90(WAIT)} as p90_wait, coalesce(sum(s.transfers), 0)::int as transfers,
        count(a.id)::int as answered, round(avg(a.score)::numeric, 2)::float8 as score
      from s ${SURVEYS} left join ${sql.raw(by.names)} n on n.id = ${key}
      group by ${key}, n.name order by count(*) desc, n.name limit 500`,
  );
  return {
    kind: "performance",
    columns: [
      c("name", "name"),
      c("sessions", "count"),
      c("handled", "count"),
      c("mean_handling", "seconds"),
      c("median_wait", "seconds"),
      c("p90_wait", "seconds"),
      c("transfers", "count"),
      c("answered", "count"),
      c("score", "score"),
    ],
    rows,
    chart: { type: "bars", x: "name", series: ["sessions", "handled"] },
  };
}

async function _sessionList(
  db: Database,
  scope: ReportScope,
  q: ReportQuery,
  limit: number,
): Promise<ReportResult> {
  const rows = await _rows(
    db,
    sql`with s as (${_sessions(scope, q, sql`id, number, customer_name, ${BASE}`)})
      select s.id::text as id, s.number, to_char(s.created_at at time zone ${q.tz},
          'YYYY-MM-DD HH24:MI') as created, s.customer_name as customer,
        u.name as technician, g.name as "group", ch.name as channel,
        coalesce(s.outcome, ${OPEN}) as outcome, round(${WAIT})::int as wait,
        round(${DURATION})::int as duration, s.transfers, a.score::float8 as score
      from s ${SURVEYS}
        left join users u on u.id = s.lead_user_id
        left join technician_groups g on g.id = s.group_id
        left join channels ch on ch.id = s.channel_id
      order by s.created_at desc, s.number desc limit ${limit}`,
  );
  return {
    kind: "sessions",
    columns: [
      c("number", "text"),
      c("created", "text"),
      c("customer", "text"),
      c("technician", "name"),
      c("group", "name"),
      c("channel", "name"),
      c("outcome", "outcome"),
      c("wait", "seconds"),
      c("duration", "seconds"),
      c("transfers", "count"),
      c("score", "score"),
    ],
    rows,
  };
}
