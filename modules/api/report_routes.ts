import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { type AppEnv, requireRole } from "../http/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import {
  chatLogCsv,
  PeriodError,
  REPORT_KINDS,
  reportForUser,
  ReportParams,
  resolvePeriod,
  scopeOf,
  SESSIONS_CSV_LIMIT,
} from "../reports/mod.ts";
import { INVALID, tokenProblems, validationHook } from "./schemas.ts";

const Column = z.object({
  key: z.string(),
  kind: z.enum([
    "day",
    "hour",
    "name",
    "count",
    "seconds",
    "score",
    "percent",
    "outcome",
    "label",
    "text",
  ]),
  labels: z.string().optional().openapi({
    description: "A `label` column's values are keys under this prefix in the locales",
  }),
  heading: z.string().optional(),
}).openapi("ReportColumn");

const Row = z.record(z.string(), z.union([z.string(), z.number(), z.null()]));

const Report = z.object({
  report: z.enum(REPORT_KINDS),
  from: z.string().openapi({ description: "First day of the period (local, YYYY-MM-DD)" }),
  to: z.string().openapi({ description: "Last day of the period, inclusive" }),
  timeZone: z.string(),
  step: z.enum(["day", "week", "month"]),
  columns: z.array(Column).openapi({
    description: "The rows' keys in order; `seconds` are whole seconds, `score` a mean of 1–5 " +
      "ratings, `percent` 0–100, `outcome` columns count sessions with that outcome",
  }),
  rows: z.array(Row),
  totals: z.object({ columns: z.array(Column), row: Row }).optional().openapi({
    description: "Figures over the whole period (lens: sessions, went live, live seconds, " +
      "recorded, and how many ended each way)",
  }),
}).openapi("Report");

const KindParam = z.object({ kind: z.enum(REPORT_KINDS) });
const common = {
  tags: ["reports"],
  security: [{ bearer: [] }],
  middleware: requireRole("master_admin", "admin"),
};
const NOT_ADMIN = "The token's user is not an admin";

/**
 * The Admin Center's reports for integrations (the reference's session-report API): the
 * same queries, scope and filters as `/admin/reports`, as JSON; a session's log as CSV.
 */
export const reportApi = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

reportApi.openapi(
  createRoute({
    ...common,
    method: "get",
    path: "/reports/{kind}",
    operationId: "getReport",
    summary: "One report over the sessions of the groups you manage",
    description: "outcomes, waiting (pick-up time: median, p90), duration, hours (per hour of " +
      "day), transfers, survey (scores), performance (by technician, group or channel: `by`) " +
      "sessions (the newest 1,000) and lens (Lens sessions, the newest 1,000, with totals; no " +
      "channel filter). Periods: a day, an ISO week or a month around `date` " +
      "(default today), or `custom` from `from` to `to`; days and hours counted in `tz`.",
    request: { params: KindParam, query: ReportParams },
    responses: {
      200: { description: "The report", content: { "application/json": { schema: Report } } },
      ...tokenProblems(NOT_ADMIN, {
        422: `${INVALID}; also a custom range without both ends, backwards or over 1,100 ` +
          "days, or a group, technician or channel filter outside the groups you manage",
      }),
    },
  }),
  async (c) => {
    const { kind } = c.req.valid("param");
    const params = c.req.valid("query");
    const { db, clock } = c.get("deps");
    let query;
    try {
      query = resolvePeriod(params, clock.now());
    } catch (error) {
      if (!(error instanceof PeriodError)) throw error;
      throw new Refusal(422, "reports.badQuery", { params: { field: error.field } });
    }
    const { result } = await reportForUser(db, c.get("user"), kind, query, {
      limit: Math.min(1000, SESSIONS_CSV_LIMIT),
    });
    const last = new Date(`${query.toDay}T12:00:00Z`);
    last.setUTCDate(last.getUTCDate() - 1);
    return c.json({
      report: kind,
      from: query.fromDay,
      to: last.toISOString().slice(0, 10),
      timeZone: query.tz,
      step: query.step,
      columns: result.columns,
      rows: result.rows,
      ...(result.totals ? { totals: result.totals } : {}),
    }, 200);
  },
);

reportApi.openapi(
  createRoute({
    ...common,
    method: "get",
    path: "/reports/sessions/{id}/log",
    operationId: "getSessionLogCsv",
    summary: "A session's whole log (chat, events, statuses) as CSV",
    request: {
      params: z.object({ id: z.uuid() }),
      query: z.object({ tz: ReportParams.shape.tz }),
    },
    responses: {
      200: {
        description: "CSV (UTF-8 with a byte order mark): time, author, name, kind, text",
        content: { "text/csv": { schema: z.string() } },
      },
      ...tokenProblems(NOT_ADMIN, {
        404: "No such session, or not one of the groups you manage",
        422: INVALID,
      }),
    },
  }),
  async (c) => {
    const { csv } = await chatLogCsv(c.get("deps").db, {
      scope: scopeOf(c.get("user")),
      sessionId: c.req.valid("param").id,
      t: c.get("t"),
      tz: c.req.valid("query").tz,
    });
    return c.body(csv, 200, { "content-type": "text/csv; charset=utf-8" });
  },
);
