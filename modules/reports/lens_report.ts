/**
 * The Lens sessions report (SPEC M1 in the reports): each Lens session created in the period —
 * who ran it, their group then, the customer, how the link went, how long the picture was
 * live, how it ended, whether it was recorded — newest first, and the period's totals.
 *
 * Read straight from `lens_sessions` (modules/lens owns it; named here in plain SQL like the
 * other modules' tables) through `lens_sessions_org_created_idx`, not from rollups: the rollups
 * exist so a chart over a million support sessions adds up a few hundred rows, while this
 * report is a list capped at the page's 200 rows (the CSV's `SESSIONS_CSV_LIMIT`) beside one
 * aggregate over the period's Lens sessions, which are few beside support sessions (a Lens
 * session is a technician's own, one at a time). Lens sessions belong to no channel: the
 * channel filter does not apply (the page says so when one is given).
 */
import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/mod.ts";
import type { ReportQuery } from "./query.ts";
import { col, inPeriod, type ReportResult, reportRows, type ReportScope } from "./sql_parts.ts";

/** Why a Lens session ended, in the words of `lens.endedHow.*`; `running`: not yet. */
export const LENS_ENDS = [
  "technician",
  "customer",
  "lost",
  "expired",
  "abandoned",
  "instanceGone",
  "running",
] as const;

/** Seconds the picture was live: from the first picture to the end (none if never live). */
const LIVE = sql.raw("extract(epoch from ended_at - live_at)::float8");

/** The period's Lens sessions of `scope`, filtered by group and technician. */
function _lensSessionsOf(scope: ReportScope, q: ReportQuery, columns: SQL): SQL {
  const where: SQL[] = [sql`org_id = ${scope.orgId}`, ...inPeriod("created_at", q)];
  if (scope.groupIds !== "all") {
    where.push(
      scope.groupIds.length === 0
        ? sql`false`
        : sql`group_id in (${sql.join(scope.groupIds.map((g) => sql`${g}::uuid`), sql`, `)})`,
    );
  }
  if (q.group) where.push(sql`group_id = ${q.group}::uuid`);
  if (q.technician) where.push(sql`technician_id = ${q.technician}::uuid`);
  return sql`select ${columns} from lens_sessions where ${sql.join(where, sql` and `)}`;
}

export async function lensReport(
  db: Database,
  scope: ReportScope,
  q: ReportQuery,
  limit: number,
): Promise<ReportResult> {
  const rows = await reportRows(
    db,
    sql`with l as (${_lensSessionsOf(scope, q, sql`*`)})
      select l.id::text as id, to_char(l.created_at at time zone ${q.tz},
          'YYYY-MM-DD HH24:MI') as created, u.name as technician, g.name as "group",
        l.customer_name as customer, l.sent_via, round(${LIVE})::int as live,
        coalesce(l.end_reason, 'running') as end_reason,
        case when l.recorded then 'yes' else 'no' end as recorded
      from l left join users u on u.id = l.technician_id
        left join technician_groups g on g.id = l.group_id
      order by l.created_at desc, l.id limit ${limit}`,
  );
  const [totals] = await reportRows(
    db,
    sql`with l as (${_lensSessionsOf(scope, q, sql`*`)})
      select count(*)::int as lens_sessions, count(live_at)::int as went_live,
        coalesce(round(sum(${LIVE})), 0)::int as live_total,
        round(percentile_cont(0.5) within group (order by ${LIVE}))::int as median_live,
        (count(*) filter (where recorded))::int as recorded,
        ${
      sql.join(
        LENS_ENDS.map((end) =>
          sql`(count(*) filter (where coalesce(end_reason, 'running') = ${end}))::int as ${
            sql.identifier(`ended_${end}`)
          }`
        ),
        sql`, `,
      )
    }
      from l`,
  );
  return {
    kind: "lens",
    columns: [
      col("created", "text"),
      col("technician", "name"),
      col("group", "name"),
      col("customer", "text"),
      { key: "sent_via", kind: "label", labels: "reports.lensSent" },
      col("live", "seconds"),
      { key: "end_reason", kind: "label", labels: "lens.endedHow" },
      { key: "recorded", kind: "label", labels: "reports.yesNo" },
    ],
    rows,
    totals: {
      columns: [
        col("lens_sessions", "count"),
        col("went_live", "count"),
        col("live_total", "seconds"),
        col("median_live", "seconds"),
        col("recorded", "count"),
        ...LENS_ENDS.map((end) => ({
          key: `ended_${end}`,
          kind: "count" as const,
          heading: `lens.endedHow.${end}`,
        })),
      ],
      row: totals,
    },
  };
}
