/**
 * Reports for admins (SPEC S1, S2): sessions by outcome, waiting time to pick-up (median,
 * p90), duration and handling time, sessions per hour of day, transfers, survey scores and
 * technician / group / channel performance — per period (a day, week, month or custom
 * range, bucketed by day, week or month) in the viewer's time zone, over the sessions of
 * the groups the admin manages. Each is one SQL aggregation (`runReport`) — over hourly and
 * monthly rollups and monthly histograms kept equal to the sessions by database triggers —
 * shown as a uPlot chart beside a table at `/admin/reports/<kind>` (`reportRoutes`), exported as
 * CSV, and served to the API (modules/api) through the same `readReportQuery` → `scopeOf` →
 * `filterChoices`/`checkFilters` → `runReport` path. A session's log exports as CSV too.
 */
export { readReportQuery, reportForUser, reportRoutes, SESSIONS_CSV_LIMIT } from "./routes.tsx";
export {
  PeriodError,
  REPORT_KINDS,
  type ReportKind,
  ReportParams,
  type ReportQuery,
  resolvePeriod,
} from "./query.ts";
/** The viewer's time zone as the reports take it (history's search takes the same). */
export { isTimeZone, timeZones } from "./query.ts";
export { checkFilters, filterChoices, scopeOf } from "./scope.ts";
export {
  type ColumnKind,
  type FactSource,
  type ReportColumn,
  type ReportResult,
  type ReportScope,
  runReport,
} from "./service.ts";
export { chatLogCsv } from "./chat_log.ts";
/**
 * How far a median or p90 from the histograms (a report whose result says `binned`) may be
 * from the exact one, in seconds, before rounding: 0.5 s below a minute, 1 % above.
 */
export { percentileBound } from "./histograms.ts";
