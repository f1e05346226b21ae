/**
 * The pieces every report's SQL is made of: the sessions of a period and scope (read from
 * `support_sessions_report_idx` alone), the survey answers of the same period and scope
 * (`survey_answers` carries its session's group, channel and technician, so it is read
 * alone too), the time series frame (every bucket present, an empty day a zero), and the
 * measures in seconds. Tables are named in plain SQL: they belong to other modules (support,
 * surveys, auth, org, channels) and reports only read them.
 */
import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/mod.ts";
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
  | "label"
  | "text";

export interface ReportColumn {
  key: string;
  kind: ColumnKind;
  /** A `label` column's words: its value `v` is shown as `<labels>.<v>` (a translation key). */
  labels?: string;
  /** The heading's translation key when it is not `reports.columns.<key>`. */
  heading?: string;
}

export type ReportValue = string | number | null;
export type ReportRow = Record<string, ReportValue>;

export interface ReportResult {
  kind: ReportKind;
  columns: ReportColumn[];
  rows: ReportRow[];
  /** What the page draws: the x column and the series beside it (absent: table only). */
  chart?: { type: "line" | "bars"; x: string; series: string[]; stacked?: boolean };
  /**
   * Its medians and p90s come from the histograms (histograms.ts): within 0.5 s of the exact
   * ones below a minute, within 1 % above. Absent: exact, or none.
   */
  binned?: boolean;
  /** Figures over the whole period and scope (not only the rows listed), shown above them. */
  totals?: { columns: ReportColumn[]; row: ReportRow };
}

/** Whose sessions a report may read: the whole organisation, or these groups' sessions. */
export interface ReportScope {
  orgId: string;
  groupIds: readonly string[] | "all";
}

export const col = (key: string, kind: ColumnKind): ReportColumn => ({ key, kind });

/** Seconds between two timestamps (double precision, what percentile_cont takes). */
const secs = (to: string, from: string) => sql.raw(`extract(epoch from ${to} - ${from})::float8`);
export const WAIT = secs("picked_up_at", "connected_at");
export const DURATION = secs("ended_at", "coalesce(connected_at, created_at)");
export const HANDLING = secs("ended_at", "picked_up_at");

/** Median and 90th percentile in one sort: `[p50, p90]`. */
export const percentiles = (x: SQL) =>
  sql`percentile_cont(array[0.5, 0.9]::float8[]) within group (order by ${x})`;
export const counted = (where: SQL) => sql`(count(*) filter (where ${where}))::int`;

export function scoped(scope: ReportScope, q: ReportQuery, technicianColumn: string): SQL[] {
  const where: SQL[] = [sql`org_id = ${scope.orgId}`];
  if (scope.groupIds !== "all") {
    where.push(
      scope.groupIds.length === 0
        ? sql`false`
        : sql`group_id in (${sql.join(scope.groupIds.map((g) => sql`${g}::uuid`), sql`, `)})`,
    );
  }
  if (q.group) where.push(sql`group_id = ${q.group}::uuid`);
  if (q.technician) where.push(sql`${sql.raw(technicianColumn)} = ${q.technician}::uuid`);
  if (q.channel) where.push(sql`channel_id = ${q.channel}::uuid`);
  return where;
}

export const inPeriod = (column: string, q: ReportQuery) => [
  sql`${sql.raw(column)} >= (${q.fromDay}::timestamp at time zone ${q.tz})`,
  sql`${sql.raw(column)} < (${q.toDay}::timestamp at time zone ${q.tz})`,
];

/** The columns of `support_sessions_report_idx`: what a report may read without the table. */
export const BASE = sql.raw(
  "org_id, created_at, group_id, lead_user_id, channel_id, outcome, connected_at, " +
    "picked_up_at, ended_at, transfers",
);

/** `select <columns> from support_sessions` for the sessions that started in the period. */
export function sessionsOf(scope: ReportScope, q: ReportQuery, columns: SQL): SQL {
  const where = [...scoped(scope, q, "lead_user_id"), ...inPeriod("created_at", q)];
  return sql`select ${columns} from support_sessions where ${sql.join(where, sql` and `)}`;
}

/** The local bucket (day, week or month) of a timestamp column. */
export const bucketOf = (column: string, q: ReportQuery) =>
  sql`date_trunc(${q.step}, ${sql.raw(column)} at time zone ${q.tz})`;

/**
 * Runs a report's statement in a transaction of its own with JIT off (compiling a plan costs
 * PostgreSQL ≈ 100 ms, more than these queries take) and room to sort in memory.
 */
export async function reportRows(db: Database, query: SQL): Promise<ReportRow[]> {
  return await db.transaction(async (tx) => {
    await tx.execute(
      sql`select set_config('jit', 'off', true), set_config('work_mem', '64MB', true)`,
    );
    const result = await tx.execute(query);
    return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as ReportRow[];
  });
}
