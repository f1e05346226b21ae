import { Hono } from "hono";
import type { Context } from "hono";
import type { Database } from "../db/mod.ts";
import { type AppEnv, type AuthedEnv, type CurrentUser, requireRole } from "../http/mod.ts";
import type { TranslationKey } from "../i18n/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { chatLogCsv } from "./chat_log.ts";
import { csvDisposition, toCsv } from "./csv.ts";
import {
  MAX_RANGE_DAYS,
  PeriodError,
  REPORT_KINDS,
  type ReportKind,
  ReportParams,
  type ReportParamsValue,
  type ReportQuery,
  resolvePeriod,
} from "./query.ts";
import { checkFilters, filterChoices, scopeOf } from "./scope.ts";
import { runReport } from "./service.ts";
import { cellWords, columnLabel, ReportPage } from "./views.tsx";

/** How many sessions one CSV of the session list holds at most (newest first). */
export const SESSIONS_CSV_LIMIT = 100_000;

function _kind(raw: string): ReportKind {
  if (!(REPORT_KINDS as readonly string[]).includes(raw)) {
    throw new Refusal(404, "errors.notFound");
  }
  return raw as ReportKind;
}

/** Reads the query string into a resolved request; bad input is a 400 naming the field. */
export function readReportQuery(
  raw: Record<string, string>,
  now: Date,
): { params: ReportParamsValue; query: ReportQuery } {
  const parsed = ReportParams.safeParse(raw);
  if (!parsed.success) {
    const field = String(parsed.error.issues[0]?.path[0] ?? "query");
    throw new Refusal(400, "reports.badQuery", { params: { field } });
  }
  try {
    return { params: parsed.data, query: resolvePeriod(parsed.data, now) };
  } catch (error) {
    if (error instanceof PeriodError) {
      throw new Refusal(400, "reports.badQuery", { params: { field: error.field } });
    }
    throw error;
  }
}

/** Runs one report for the signed-in admin, filters checked against its scope. */
export async function reportFor(
  c: Context<AuthedEnv>,
  kind: ReportKind,
  options: { limit?: number } = {},
) {
  const { clock } = c.get("deps");
  const { params, query } = readReportQuery(c.req.query(), clock.now());
  return {
    params,
    ...(await reportForUser(c.get("deps").db, c.get("user"), kind, query, options)),
  };
}

/**
 * One report for `user` (an admin: its scope; anyone else is refused), after checking that
 * the filters name only groups, technicians and channels of that scope.
 */
export async function reportForUser(
  db: Database,
  user: CurrentUser,
  kind: ReportKind,
  query: ReportQuery,
  options: { limit?: number } = {},
) {
  const scope = scopeOf(user);
  // The report runs beside the filter lists (a connection each): it reads only `scope` whatever
  // the filters name, and its result is thrown away when they name something outside it.
  const [choices, result] = await Promise.all([
    filterChoices(db, scope),
    runReport(db, kind, scope, query, options),
  ]);
  checkFilters(query, choices);
  return { scope, query, choices, result };
}

const PERIOD_PROBLEMS: Record<string, TranslationKey> = {
  "from required": "reports.periodProblems.fromRequired",
  "to required": "reports.periodProblems.toRequired",
  "to beforeFrom": "reports.periodProblems.beforeFrom",
  "to tooLong": "reports.periodProblems.tooLong",
};

/**
 * A period the filters cannot make (a custom range without both ends, backwards or too
 * long), worded for the reader, with the parameters as chosen; anything else is undefined
 * (`readReportQuery` refuses a malformed query string as before).
 */
function _periodProblem(c: Context<AuthedEnv>) {
  const parsed = ReportParams.safeParse(c.req.query());
  if (!parsed.success) return undefined;
  try {
    resolvePeriod(parsed.data, c.get("deps").clock.now());
    return undefined;
  } catch (error) {
    if (!(error instanceof PeriodError)) throw error;
    const key = PERIOD_PROBLEMS[`${error.field} ${error.code}`] ?? "reports.badQuery";
    const message = c.get("t")(key, { field: error.field, max: MAX_RANGE_DAYS });
    return { params: parsed.data, message };
  }
}

/** The query string to carry from one report to another (only what was asked). */
function _search(c: Context<AuthedEnv>): string {
  const kept = Object.entries(c.req.query()).filter(([, v]) => v !== "");
  return new URLSearchParams(kept).toString();
}

/**
 * `/admin/reports`: the report pages (chart and table), their CSV exports and a session's
 * log as CSV, for admins over the sessions of the groups they manage.
 */
export const reportRoutes = new Hono<AppEnv>()
  .use("*", requireRole("master_admin", "admin"))
  .get("/", (c) => {
    const search = new URL(c.req.url).search;
    return c.redirect(`/admin/reports/outcomes${search}`, 302);
  })
  .get("/sessions/:id/log.csv", async (c) => {
    const tz = c.req.query("tz");
    const { query } = readReportQuery(tz ? { tz } : {}, c.get("deps").clock.now());
    const { number, csv } = await chatLogCsv(c.get("deps").db, {
      scope: scopeOf(c.get("user")),
      sessionId: c.req.param("id"),
      t: c.get("t"),
      tz: query.tz,
    });
    return c.body(csv, 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": csvDisposition(`session-${number}-log.csv`),
    });
  })
  .get("/:kind/export.csv", async (c) => {
    const kind = _kind(c.req.param("kind"));
    const { query, result } = await reportFor(c, kind, { limit: SESSIONS_CSV_LIMIT });
    const t = c.get("t");
    const columns = result.columns;
    const csv = toCsv(
      columns.map((col) =>
        col.kind === "seconds" ? `${columnLabel(t, col)} (s)` : columnLabel(t, col)
      ),
      result.rows.map((row) =>
        columns.map((col) => cellWords(t, col, row[col.key]) ?? row[col.key])
      ),
    );
    const name = `${kind}-${query.fromDay}-${query.toDay}.csv`;
    return c.body(csv, 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": csvDisposition(name),
    });
  })
  .get("/:kind", async (c) => {
    const kind = _kind(c.req.param("kind"));
    const problem = _periodProblem(c);
    if (problem) {
      // The filters again as chosen, with what is wrong with the period: corrected in place.
      const choices = await filterChoices(c.get("deps").db, scopeOf(c.get("user")));
      return c.html(
        <ReportPage
          c={c}
          kind={kind}
          params={problem.params}
          choices={choices}
          problem={problem.message}
          search={_search(c)}
          tzDefaulted={!c.req.query("tz")}
        />,
        400,
      );
    }
    const report = await reportFor(c, kind);
    return c.html(
      <ReportPage
        c={c}
        kind={kind}
        {...report}
        search={_search(c)}
        tzDefaulted={!c.req.query("tz")}
      />,
    );
  });
