/**
 * Where the reports' counts and sums come from: the rollups kept by triggers (schema.ts) —
 * `report_month_rollups` for a span's whole UTC months, `report_rollups` (one row per UTC hour
 * and group, technician and channel) for the hours around them (rollups.ts) — or the same
 * columns computed per session and per answer straight from `support_sessions` and
 * `survey_answers` (the direct path: the baseline of `deno task bench:reports`, the check in
 * tests/reports_test.ts, and what a zone whose offset is not a whole hour reads, since its
 * days do not start on a UTC hour). Both give rows with a group, technician and channel and
 * the measures below, so every report adds them up with the same SQL (`aggregated`). The
 * per-session expressions mirror the triggers in migrations/0021_report_rollups_triggers.sql.
 */
import { type SQL, sql } from "drizzle-orm";
import { SESSION_OUTCOMES } from "../sessions/mod.ts";
import { addDays, type ReportQuery } from "./query.ts";
import { rolledFacts } from "./rollups.ts";
import { bucketSpans, offsetSpans, periodSpan } from "./spans.ts";
import {
  BASE,
  bucketOf,
  inPeriod,
  percentiles,
  type ReportScope,
  scoped,
  sessionsOf,
} from "./sql_parts.ts";

/** `rollups`: report_rollups; `direct`: the sessions and answers themselves. */
export type FactSource = "rollups" | "direct";

const SESSION_MEASURES: [string, string][] = [
  ["sessions", "1"],
  ["open", "(ended_at is null)::int"],
  ...SESSION_OUTCOMES.map((
    o,
  ): [string, string] => [o, `(outcome is not distinct from '${o}')::int`]),
  ["queued", "(connected_at is not null)::int"],
  ["picked_up", "(picked_up_at is not null)::int"],
  ["waited", "(picked_up_at is not null and connected_at is not null)::int"],
  ["wait_sum", "coalesce(extract(epoch from picked_up_at - connected_at)::float8, 0)"],
  ["ended", "(ended_at is not null)::int"],
  [
    "duration_sum",
    "coalesce(extract(epoch from ended_at - coalesce(connected_at, created_at))::float8, 0)",
  ],
  ["handled", "(ended_at is not null and picked_up_at is not null)::int"],
  ["handling_sum", "coalesce(extract(epoch from ended_at - picked_up_at)::float8, 0)"],
  ["transferred", "(transfers > 0)::int"],
  ["transfers", "transfers"],
];

const ANSWER_MEASURES: [string, string][] = [
  ["answered", "1"],
  ["scored", "(score is not null)::int"],
  ["score_sum", "coalesce(score, 0)::float8"],
  ["low_scores", "(score is not null and score < 3)::int"],
  ["high_scores", "(score is not null and score >= 4)::int"],
];

/** Every measure column of a fact row, in order. */
export const MEASURES = [...SESSION_MEASURES, ...ANSWER_MEASURES].map(([name]) => name);

function _columns(measures: [string, string][]): SQL {
  const own = new Map(measures);
  const zero = (m: string) => m.endsWith("_sum") ? "0::float8" : "0";
  return sql.raw(MEASURES.map((m) => `${own.get(m) ?? zero(m)} as "${m}"`).join(", "));
}

const _where = (parts: SQL[]) => sql.join(parts, sql` and `);

/** The fact rows of a period and scope, straight from the sessions and answers. */
export function directFacts(scope: ReportScope, q: ReportQuery): SQL {
  return sql`select created_at as at, group_id, lead_user_id as technician_id, channel_id,
      ${_columns(SESSION_MEASURES)} from support_sessions
      where ${_where([...scoped(scope, q, "lead_user_id"), ...inPeriod("created_at", q)])}
    union all
    select answered_at as at, group_id, technician_id, channel_id, ${_columns(ANSWER_MEASURES)}
      from survey_answers
      where ${_where([...scoped(scope, q, "technician_id"), ...inPeriod("answered_at", q)])}`;
}

/**
 * `select <key> as "<as>", <aggregates> from <facts> group by 1 [having …]`: the period's
 * fact rows from `source` aggregated per bucket of the series (`"bucket"`), per local hour of
 * the day (`"hour"`, 0–23) or per value of a fact column (a breakdown). From the rollups, the
 * buckets, hours or the whole period are spans (spans.ts) read by `rolledFacts`.
 */
export function aggregated(
  scope: ReportScope,
  q: ReportQuery,
  source: FactSource,
  parts: { by: "bucket" | "hour" | { fact: string }; as: string; aggregates: SQL; having?: SQL },
): SQL {
  const { by } = parts;
  const name = sql.raw(`"${parts.as}"`);
  const having = parts.having ? sql`having ${parts.having}` : sql``;
  if (source === "direct") {
    const key = by === "bucket"
      ? bucketOf("at", q)
      : by === "hour"
      ? sql`extract(hour from at at time zone ${q.tz})::int`
      : sql.raw(by.fact);
    return sql`select ${key} as ${name}, ${parts.aggregates}
      from (${directFacts(scope, q)}) f group by 1 ${having}`;
  }
  const spans = by === "bucket" ? bucketSpans(q) : by === "hour" ? offsetSpans(q) : periodSpan(q);
  const facts = rolledFacts(scope, q, {
    spans,
    key: by === "hour" ? "hour" : "span",
    measures: MEASURES,
  });
  const key = typeof by === "string" ? sql`k` : sql.raw(by.fact);
  return sql`select ${key} as ${name}, ${parts.aggregates} from (${facts}) f group by 1 ${having}`;
}

const offsets = new Map<string, boolean>();

/**
 * Whether every offset `tz` has from a day before the period to its end is a whole number of
 * hours, so its days and hours start on UTC hours and the hourly rollups fit them exactly.
 * Zones at :30 or :45 (India, Nepal, Newfoundland, parts of Australia) read the direct path.
 */
export function rollupsFit(q: Pick<ReportQuery, "tz" | "fromDay" | "toDay">): boolean {
  if (q.tz === "UTC") return true;
  const format = new Intl.DateTimeFormat("en-US", { timeZone: q.tz, timeZoneName: "longOffset" });
  const days = [addDays(q.toDay, 1)];
  for (let day = addDays(q.fromDay, -1); day < q.toDay; day = addDays(day, 7)) days.push(day);
  for (const day of days) {
    const key = `${q.tz} ${day}`;
    let whole = offsets.get(key);
    if (whole === undefined) {
      const name = format.formatToParts(new Date(`${day}T12:00:00Z`))
        .find((p) => p.type === "timeZoneName")?.value ?? "";
      whole = !/:(?!00)\d\d$/.test(name);
      if (offsets.size > 10_000) offsets.clear();
      offsets.set(key, whole);
    }
    if (!whole) return false;
  }
  return true;
}

/**
 * A time series: `aggregates` (over `f`, the period's fact rows from `source` — see facts.ts
 * — grouped by bucket, as `a`) put on every bucket of the period by `outputs` (reading `a.*`;
 * an empty bucket has nulls, so counts take `coalesce`). Aggregating first and joining the 31
 * (or 13) buckets after keeps the join small; `more` adds CTEs the outputs may join
 * (`using (bucket)`), such as `percentilesBy` over the sessions.
 */
export function series(
  scope: ReportScope,
  q: ReportQuery,
  source: FactSource,
  parts: { aggregates: SQL; outputs: SQL; more?: SQL; join?: SQL },
): SQL {
  return sql`
    with a as (${
    aggregated(scope, q, source, { by: "bucket", as: "bucket", aggregates: parts.aggregates })
  }),
    b as (
      select generate_series(
        date_trunc(${q.step}, ${q.fromDay}::timestamp),
        ${q.toDay}::timestamp - interval '1 day',
        ('1 ' || ${q.step})::interval
      ) as bucket
    ) ${parts.more ?? sql``}
    select to_char(b.bucket, 'YYYY-MM-DD') as day, ${parts.outputs}
    from b left join a using (bucket) ${parts.join ?? sql``}
    order by b.bucket`;
}

/**
 * `, <name> as (…)`: per `key` (an expression over the sessions' columns), the percentiles
 * `values` (name → SQL), taken exactly (`percentile_cont`) over the period's sessions: sums
 * add up across rollups, a median does not.
 */
export function percentilesBy(
  scope: ReportScope,
  q: ReportQuery,
  name: string,
  key: SQL,
  values: Record<string, SQL>,
): SQL {
  const columns = Object.entries(values).map(([k, v]) =>
    sql`${percentiles(v)} as ${sql.raw(`"${k}"`)}`
  );
  return sql`, ${sql.raw(name)} as (select k as bucket, ${sql.join(columns, sql`, `)}
    from (${sessionsOf(scope, q, sql`${BASE}, ${key} as k`)}) s group by k)`;
}

/** `sum(<measure>)` as an int (counts) — `sum(x)::int as x`. */
export const total = (...measures: string[]) =>
  sql.raw(measures.map((m) => `sum("${m}")::int as "${m}"`).join(", "));
