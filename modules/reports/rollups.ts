/**
 * The rollups' counts and sums over spans (spans.ts): each span's whole UTC months from
 * `report_month_rollups` (per month and UTC hour of the day), its edges from `report_rollups`
 * (per UTC hour), an edge taken away multiplied by -1 — every measure is a count or a sum, so
 * they add up exactly. A year per month reads ~14,000 month rows at 1,000,000 sessions instead of
 * ~270,000 hourly ones; a month per day reads its hours, as before.
 */
import { type SQL, sql } from "drizzle-orm";
import type { ReportQuery } from "./query.ts";
import { type ReportScope, scoped } from "./sql_parts.ts";
import { monthlySpans, MONTHS_OF_SPAN } from "./spans.ts";

/**
 * The fact rows of `spans`: `k, group_id, technician_id, channel_id` and every measure of
 * `measures` (facts.ts's `MEASURES`). `k` is the span's key (`"span"`) or the viewer's hour of
 * the day (`"hour"`: the UTC hour plus the span's `ahead`, modulo 24).
 */
export function rolledFacts(
  scope: ReportScope,
  q: ReportQuery,
  parts: { spans: SQL; key: "span" | "hour"; measures: readonly string[] },
): SQL {
  const where = sql.join(scoped(scope, q, "technician_id"), sql` and `);
  const plain = sql.raw(parts.measures.map((m) => `r."${m}"`).join(", "));
  const signed = sql.raw(parts.measures.map((m) => `r."${m}" * e.weight as "${m}"`).join(", "));
  const monthKey = parts.key === "span" ? sql`s.k` : sql`(r.hour + s.ahead) % 24`;
  const hourKey = parts.key === "span"
    ? sql`e.k`
    : sql`(extract(hour from r.hour at time zone 'UTC')::int + e.ahead) % 24`;
  return sql`with ${monthlySpans("f", parts.spans)}
    select ${monthKey} as k, r.group_id, r.technician_id, r.channel_id, ${plain}
    from "f_s" s ${MONTHS_OF_SPAN} cross join lateral (
      select * from report_month_rollups where month = mo.first and ${where} offset 0
    ) r
    union all
    select ${hourKey} as k, r.group_id, r.technician_id, r.channel_id, ${signed}
    from "f_e" e join report_rollups r on r.hour >= e.lo and r.hour < e.hi and ${where}`;
}
