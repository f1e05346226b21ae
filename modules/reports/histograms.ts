/**
 * Medians and p90s without sorting a period's sessions: from `report_histograms` (per UTC
 * month, group, technician, channel, metric and bin: how many sessions — schema.ts), with the
 * ends of each span that do not fall on a UTC month read from the sessions themselves and put
 * in the same bins. A span [a, b) (a report bucket in the viewer's zone, or the whole period)
 * is the months [ma, mb) — ma and mb the month starts nearest to a and b — plus [a, ma) and
 * [mb, b), each counted with a sign (a range "backwards" is taken away): a local day reads only
 * its sessions, a local month the histogram of its UTC month and the hour or two between, a
 * year twelve histograms. Every count is exact; only a value inside its bin is not known, so a
 * percentile is taken as `percentile_cont` would (between the two closest ranks) over the
 * middles of the ranks' bins: within 0.5 s of the exact one below a minute, within 1 % above
 * (`percentileBound`; strictly, within the larger of the two ranks' bounds when they lie on
 * either side of a minute — half a second and 1 % of a value just over a minute).
 */
import { type SQL, sql } from "drizzle-orm";
import type { ReportQuery } from "./query.ts";
import { bucketOf, DURATION, HANDLING, type ReportScope, scoped, WAIT } from "./sql_parts.ts";
import { type FactSource, percentilesBy } from "./facts.ts";
import { bucketSpans, monthlySpans, MONTHS_OF_SPAN, offsetSpans, periodSpan } from "./spans.ts";

/** The metrics of `report_histograms.metric`, with the per-session seconds each counts. */
export const METRICS = {
  wait: [1, WAIT],
  duration: [2, DURATION],
  handling: [3, HANDLING],
} as const;
export type Metric = keyof typeof METRICS;

/**
 * How far a percentile from the histograms may be from the exact one, in seconds: half a bin
 * — 0.5 s below 60 s, 1 % of the value above (bins 2 % wide, see `report_bin` in the migration).
 */
export function percentileBound(seconds: number): number {
  return Math.abs(seconds) < 60 ? 0.5 : 0.01 * Math.abs(seconds);
}

/** The middle of bin `bin` (the inverse of `report_bin`, half a bin up). */
const middle = (bin: SQL) =>
  sql`(case when ${bin} < 60 then ${bin} + 0.5
    else 60 * power(1.02::float8, ${bin} - 60) * 1.01 end)`;

/** `percentile_cont(p)` of `metric` over the cumulated bins (`cum`, `total` per metric). */
function _percentile(metric: number, p: number): SQL {
  const m = sql.raw(String(metric));
  const rank = sql.raw(`${p} * (total - 1)`);
  const binAt = (r: SQL) => sql`min(bin) filter (where metric = ${m} and cum > ${r})`;
  const lo = middle(binAt(sql`floor(${rank})`));
  const hi = middle(binAt(sql`ceil(${rank})`));
  const frac = sql`max(${rank} - floor(${rank})) filter (where metric = ${m})`;
  return sql`(${lo} + ${frac} * (${hi} - ${lo}))::float8`;
}

/**
 * What a percentile CTE reads: `report_histograms` keyed by the span (a series' bucket) or by
 * a breakdown column, or `report_hour_histograms` keyed by the local hour of the day.
 */
type Source =
  | { table: "report_histograms"; key: "span" | { fact: string; session: string } }
  | { table: "report_hour_histograms" };

/** The histogram rows of the months [s.ma, s.mb) of each span `s`: `k, metric, bin, n`. */
function _fromHistograms(
  scope: ReportScope,
  q: ReportQuery,
  parts: { spans: SQL; source: Source; ids: SQL },
): SQL {
  const { spans, source, ids } = parts;
  if (source.table === "report_hour_histograms") {
    return sql`select (h.hour + s.ahead) % 24 as k, 1::smallint as metric, h.bin, h.n
      from ${spans} s ${MONTHS_OF_SPAN} cross join lateral (
        select hour, bin, n from report_hour_histograms
        where month = mo.first and ${_where(scoped(scope, q, "technician_id"))} offset 0
      ) h`;
  }
  const key = source.key === "span" ? sql`s.k` : sql`h.k`;
  const column = source.key === "span" ? sql`null::int` : sql.raw(source.key.fact);
  return sql`select ${key} as k, h.metric, h.bin, h.n from ${spans} s ${MONTHS_OF_SPAN}
    cross join lateral (
      select ${column} as k, metric, bin, n from report_histograms
      where month = mo.first and ${_where(scoped(scope, q, "technician_id"))}
        and metric in (${ids}) offset 0
    ) h`;
}

/** The key of a session of an edge `e` (`ss`), the same as `_fromHistograms` gives. */
function _sessionKey(source: Source): SQL {
  if (source.table === "report_hour_histograms") {
    return sql`(extract(hour from ss.created_at at time zone 'UTC')::int + e.ahead) % 24`;
  }
  return source.key === "span" ? sql`e.k` : sql.raw(`ss.${source.key.session}`);
}

const _where = (conditions: SQL[]) => sql.join(conditions, sql` and `);

/**
 * `, <name> as (select bucket, "<metric>" …)`: per key, `[p50, p90]` of each metric (as
 * `percentilesBy` in facts.ts gives them exactly), over `spans` (`select k, ahead, a, b`: a key,
 * the hours to add to a UTC hour for the local one, and a range of instants).
 */
export function histogramPercentiles(
  scope: ReportScope,
  q: ReportQuery,
  parts: { name: string; spans: SQL; source: Source; metrics: Metric[] },
): SQL {
  const n = (suffix: string) => sql.raw(`"${parts.name}_${suffix}"`);
  const ids = sql.raw(parts.metrics.map((m) => METRICS[m][0]).join(", "));
  const values = sql.join(
    parts.metrics.map((m) => sql`(${sql.raw(String(METRICS[m][0]))}::smallint, ${METRICS[m][1]})`),
    sql`, `,
  );
  const columns = parts.metrics.map((m) =>
    sql`array[${_percentile(METRICS[m][0], 0.5)}, ${_percentile(METRICS[m][0], 0.9)}]
      as ${sql.raw(`"${m}"`)}`
  );
  const histograms = _fromHistograms(scope, q, { spans: n("s"), source: parts.source, ids });
  return sql`, ${monthlySpans(parts.name, parts.spans)},
    ${n("c")} as (
      ${histograms}
      union all
      select ${_sessionKey(parts.source)} as k, m.metric, report_bin(m.seconds) as bin,
        e.weight as n
      from ${n("e")} e join support_sessions ss on ss.created_at >= e.lo and ss.created_at < e.hi
        and ${_where(scoped(scope, q, "lead_user_id"))}
        cross join lateral (values ${values}) as m(metric, seconds)
      where m.seconds is not null
    ),
    ${n("r")} as (
      select k, metric, bin, sum(sum(n)) over (partition by k, metric order by bin) as cum,
        sum(sum(n)) over (partition by k, metric) as total
      from ${n("c")} group by k, metric, bin having sum(n) <> 0
    ),
    ${sql.raw(parts.name)} as (
      select k as bucket, ${sql.join(columns, sql`, `)} from ${n("r")} group by k
    )`;
}

/**
 * The longest period whose medians and p90s are taken exactly from its sessions though the
 * counts come from the rollups: a month's sessions sort as fast as their bins add up (a day
 * reads its sessions either way; at 100,000 sessions a month's page was 2–6× faster exact).
 */
export const EXACT_MAX_DAYS = 31;

/** Whether a report's medians and p90s come from the histograms (`binned` on the result). */
export function percentilesBinned(source: FactSource, q: ReportQuery): boolean {
  const days = (Date.parse(q.toDay) - Date.parse(q.fromDay)) / 86_400_000;
  return source === "rollups" && days > EXACT_MAX_DAYS;
}

/**
 * `, p as (select bucket, "<metric>" …)`: `[p50, p90]` of each metric per bucket of the series
 * (`"bucket"`) or per value of a breakdown column over the period — from the histograms when
 * `percentilesBinned`, else exact (`percentile_cont` over the sessions).
 */
export function percentilesOf(
  source: FactSource,
  scope: ReportScope,
  q: ReportQuery,
  key: "bucket" | { fact: string; session: string },
  metrics: Metric[],
): SQL {
  if (!percentilesBinned(source, q)) {
    const values = Object.fromEntries(metrics.map((m) => [m, METRICS[m][1]]));
    const by = key === "bucket" ? bucketOf("created_at", q) : sql.raw(key.session);
    return percentilesBy(scope, q, "p", by, values);
  }
  const table = "report_histograms";
  return key === "bucket"
    ? histogramPercentiles(scope, q, {
      name: "p",
      spans: bucketSpans(q),
      source: { table, key: "span" },
      metrics,
    })
    : histogramPercentiles(scope, q, {
      name: "p",
      spans: periodSpan(q),
      source: { table, key },
      metrics,
    });
}

/**
 * `, p as (select bucket, wait …)`: the waits' `[p50, p90]` per local hour of the day (the
 * bucket, 0–23) — from `report_hour_histograms` when `percentilesBinned` and no technician
 * filter (that table has no technician), else exact over the sessions. Needs a zone whose
 * offsets are whole hours (`rollupsFit`), as the rollups do.
 */
export function hourPercentiles(source: FactSource, scope: ReportScope, q: ReportQuery): SQL {
  if (!hoursBinned(source, q)) {
    const hour = sql`extract(hour from created_at at time zone ${q.tz})::int`;
    return percentilesBy(scope, q, "p", hour, { wait: WAIT });
  }
  return histogramPercentiles(scope, q, {
    name: "p",
    spans: offsetSpans(q),
    source: { table: "report_hour_histograms" },
    metrics: ["wait"],
  });
}

/** Whether the hours report's percentiles come from the histograms. */
export const hoursBinned = (source: FactSource, q: ReportQuery) =>
  percentilesBinned(source, q) && !q.technician;
