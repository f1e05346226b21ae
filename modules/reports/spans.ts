/**
 * Spans of time a report adds up, and how a span is read from tables kept per UTC month with
 * only its ends read at a finer grain. A span `select k, ahead, a, b` is a key (a series'
 * bucket, or none), the hours to add to a UTC hour for the viewer's hour of the day, and a range
 * of instants [a, b). `monthlySpans` cuts each into the UTC months [ma, mb) — ma and mb the month
 * starts nearest to a and b — and the edges [a, ma) and [mb, b), each with a sign (an edge
 * "backwards" is taken away), when that reads less than the span itself: a local day or week
 * reads its hours, a local month its UTC month and the hour or two between, a year twelve
 * months. What is added up must add: counts and sums (rollups.ts), histogram bins (histograms.ts).
 */
import { type SQL, sql } from "drizzle-orm";
import type { ReportQuery } from "./query.ts";

/** The spans of a series: each bucket of the period (clipped to it) as a range of instants. */
export function bucketSpans(q: ReportQuery): SQL {
  return sql`select bucket as k, 0 as ahead,
      greatest(bucket, ${q.fromDay}::timestamp) at time zone ${q.tz} as a,
      least(bucket + ('1 ' || ${q.step})::interval, ${q.toDay}::timestamp) at time zone ${q.tz} as b
    from generate_series(
      date_trunc(${q.step}, ${q.fromDay}::timestamp),
      ${q.toDay}::timestamp - interval '1 day',
      ('1 ' || ${q.step})::interval
    ) as bucket`;
}

/** The whole period as one span (a breakdown's values, keyed by its column). */
export function periodSpan(q: ReportQuery): SQL {
  return sql`select null::int as k, 0 as ahead, ${q.fromDay}::timestamp at time zone ${q.tz} as a,
    ${q.toDay}::timestamp at time zone ${q.tz} as b`;
}

/**
 * The runs of UTC hours of the period in which the zone's offset stays the same (summer and
 * winter time), each a span with that offset in hours (0–23, added to a UTC hour).
 */
export function offsetSpans(q: ReportQuery): SQL {
  return sql`select null::int as k, ahead, min(t) as a, max(t) + interval '1 hour' as b
    from (
      select t, ahead, sum(changed) over (order by t) as run from (
        select t, ahead, (ahead is distinct from lag(ahead) over (order by t))::int as changed
        from (
          select t, (extract(epoch from (t at time zone ${q.tz}) - (t at time zone 'UTC'))::int
            / 3600 % 24 + 24) % 24 as ahead
          from generate_series(${q.fromDay}::timestamp at time zone ${q.tz},
            ${q.toDay}::timestamp at time zone ${q.tz} - interval '1 hour', interval '1 hour') t
        ) h
      ) c
    ) r group by run, ahead`;
}

/**
 * `<prefix>_s as (…), <prefix>_e as (…)`: the spans with the months each reads (`ma`, `mb`;
 * equal when it reads none), and their edges (`k, ahead, lo, hi, weight`: a range read at the
 * finer grain, added with `weight` 1 or taken away with -1).
 */
export function monthlySpans(prefix: string, spans: SQL): SQL {
  const s = sql.raw(`"${prefix}_s"`);
  const e = sql.raw(`"${prefix}_e"`);
  const nearestMonth = (t: string) =>
    sql.raw(
      `date_trunc('month', (${t} at time zone 'UTC') + interval '15 days') at time zone 'UTC'`,
    );
  // A span reads the months only when their ends are closer to the span's than its length
  // (a day, or a week within a month, reads its own hours: ma = mb = a).
  return sql`${s} as (
      select k, ahead, a, b, case when monthly then ma else a end as ma,
        case when monthly then mb else a end as mb
      from (
        select *, ma < mb and abs(extract(epoch from a - ma)) + abs(extract(epoch from b - mb))
          < extract(epoch from b - a) as monthly
        from (select k, ahead, a, b, ${nearestMonth("a")} as ma, ${nearestMonth("b")} as mb
          from (${spans}) x) y
      ) z
    ),
    ${e} as (
      select k, ahead, least(a, ma) as lo, greatest(a, ma) as hi,
        case when a < ma then 1 else -1 end as weight from ${s} where a <> ma
      union all
      select k, ahead, least(b, mb), greatest(b, mb), case when mb < b then 1 else -1 end
        from ${s} where b <> mb
    )`;
}

/**
 * Each month of a span `s` as `mo.first` (its first instant), to read a table month by month
 * in a lateral subquery, by index (joined on a range, or even on the month, PostgreSQL
 * misjudged the spans' rows and read every month of the organisation; `offset 0` in the
 * subquery keeps it from being flattened into that join).
 */
export const MONTHS_OF_SPAN = sql`cross join lateral (
    select m at time zone 'UTC' as first from generate_series(s.ma at time zone 'UTC',
      (s.mb at time zone 'UTC') - interval '1 month', interval '1 month') as m
  ) mo`;
