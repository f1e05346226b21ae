/**
 * The reports, each one SQL statement: PostgreSQL adds up the monthly and hourly rollups
 * (facts.ts, rollups.ts, schema.ts) and takes medians and p90s from the monthly histograms
 * (histograms.ts) — or, for a zone whose offset is not a whole hour, adds up the sessions and
 * answers themselves and takes exact percentiles (`percentile_cont`) over the sessions' covering
 * index (`support_sessions_report_idx`) — so a report over a million sessions sends back a few
 * dozen rows. The Lens sessions report reads `lens_sessions` directly (lens_report.ts says why).
 */
import type { Database } from "../db/mod.ts";
import type { ReportKind, ReportQuery } from "./query.ts";
import type { ReportResult, ReportScope } from "./sql_parts.ts";
import {
  durationReport,
  hoursReport,
  outcomesReport,
  transfersReport,
  waitingReport,
} from "./series_reports.ts";
import { performanceReport, sessionsReport, surveyReport } from "./breakdown_reports.ts";
import { type FactSource, rollupsFit } from "./facts.ts";
import { lensReport } from "./lens_report.ts";

export type { FactSource } from "./facts.ts";

export type {
  ColumnKind,
  ReportColumn,
  ReportResult,
  ReportRow,
  ReportScope,
  ReportValue,
} from "./sql_parts.ts";

/**
 * Runs report `kind` for `scope` over `q`. `limit` caps the session and Lens lists (page vs CSV);
 * `source` picks where counts and sums come from (default: the rollups when `q`'s zone fits
 * them; the benchmark and the tests ask for `direct` to compare).
 */
export async function runReport(
  db: Database,
  kind: ReportKind,
  scope: ReportScope,
  q: ReportQuery,
  options: { limit?: number; source?: FactSource } = {},
): Promise<ReportResult> {
  const source = options.source ?? (rollupsFit(q) ? "rollups" : "direct");
  switch (kind) {
    case "outcomes":
      return await outcomesReport(db, scope, q, source);
    case "waiting":
      return await waitingReport(db, scope, q, source);
    case "duration":
      return await durationReport(db, scope, q, source);
    case "hours":
      return await hoursReport(db, scope, q, source);
    case "transfers":
      return await transfersReport(db, scope, q, source);
    case "survey":
      return await surveyReport(db, scope, q, source);
    case "performance":
      return await performanceReport(db, scope, q, source);
    case "sessions":
      return await sessionsReport(db, scope, q, options.limit ?? 200);
    case "lens":
      return await lensReport(db, scope, q, options.limit ?? 200);
  }
}
