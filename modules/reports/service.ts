/**
 * The reports, each one SQL statement: PostgreSQL counts, buckets and takes percentiles
 * (`percentile_cont`) where the rows are, so a report over a million sessions sends back a
 * few dozen rows. The session columns it reads were written as the sessions happened
 * (modules/support) and sit in one covering index (`support_sessions_report_idx`); survey
 * scores come from `survey_answers` alone.
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

export type {
  ColumnKind,
  ReportColumn,
  ReportResult,
  ReportRow,
  ReportScope,
  ReportValue,
} from "./sql_parts.ts";

/** Runs report `kind` for `scope` over `q`. `limit` caps the session list (page vs CSV). */
export async function runReport(
  db: Database,
  kind: ReportKind,
  scope: ReportScope,
  q: ReportQuery,
  options: { limit?: number } = {},
): Promise<ReportResult> {
  switch (kind) {
    case "outcomes":
      return await outcomesReport(db, scope, q);
    case "waiting":
      return await waitingReport(db, scope, q);
    case "duration":
      return await durationReport(db, scope, q);
    case "hours":
      return await hoursReport(db, scope, q);
    case "transfers":
      return await transfersReport(db, scope, q);
    case "survey":
      return await surveyReport(db, scope, q);
    case "performance":
      return await performanceReport(db, scope, q);
    case "sessions":
      return await sessionsReport(db, scope, q, options.limit ?? 200);
  }
}
