import type { PageContext } from "../http/mod.ts";
import type { TranslationKey, Translator } from "../i18n/mod.ts";
import { Flash, Layout } from "../../views/layout.tsx";
import {
  BREAKDOWNS,
  PERIODS,
  REPORT_KINDS,
  type ReportKind,
  type ReportParamsValue,
  type ReportQuery,
  STEPS,
  timeZones,
} from "./query.ts";
import type { FilterChoices } from "./scope.ts";
import type { ReportColumn, ReportResult, ReportValue } from "./service.ts";

interface Props {
  c: PageContext;
  kind: ReportKind;
  params: ReportParamsValue;
  /** The period read and its report; absent when the period could not be (`problem`). */
  query?: ReportQuery;
  result?: ReportResult;
  /** Why there is no report: what is wrong with the chosen period. */
  problem?: string;
  choices: FilterChoices;
  /** The query string of this report (for the CSV link and the report tabs). */
  search: string;
  /** The time zone was not asked for: the page may switch to the browser's. */
  tzDefaulted: boolean;
}

/** A column's heading, with its unit where the number needs one. */
export function columnLabel(t: Translator, column: ReportColumn): string {
  if (column.heading) return _capitalised(t(column.heading as TranslationKey));
  // An outcome's count is headed by the outcome; the session list's one column of outcomes
  // (key "outcome") is headed as a column.
  if (column.kind === "outcome" && column.key !== "outcome") {
    return t(`reports.outcomes.${column.key}` as TranslationKey);
  }
  return t(`reports.columns.${column.key}` as TranslationKey);
}

/**
 * A word-valued cell (an outcome, a `label` column) in the reader's words — the table and the
 * CSV both; null when the column holds no words (the CSV keeps the raw value).
 */
export function cellWords(t: Translator, column: ReportColumn, value: ReportValue): string | null {
  if (value === null || value === undefined) return null;
  if (column.kind === "outcome" && column.key === "outcome") {
    return t(`reports.outcomes.${value}` as TranslationKey);
  }
  if (column.kind === "label" && column.labels) {
    return _capitalised(t(`${column.labels}.${value}` as TranslationKey));
  }
  return null;
}

/** Words used in the middle of a sentence (`lens.endedHow.*`) made to start a cell. */
function _capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Seconds as `m:ss`, or `h:mm:ss` past an hour. */
export function formatSeconds(value: number): string {
  const s = Math.round(value);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

const numberFormats = new Map<string, Intl.NumberFormat>();
const scoreFormats = new Map<string, Intl.NumberFormat>();
const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** One formatter per language: making one costs more than formatting a page's cells with it. */
function _formatter<T>(cache: Map<string, T>, lang: string, make: () => T): T {
  let format = cache.get(lang);
  if (!format) {
    format = make();
    if (cache.size > 100) cache.clear();
    cache.set(lang, format);
  }
  return format;
}

/** A cell as the table shows it (the CSV keeps the raw value). */
export function formatCell(
  t: Translator,
  column: ReportColumn,
  value: ReportValue,
  lang: string,
): string {
  if (value === null || value === undefined) {
    return column.kind === "name" ? t("reports.none") : "–";
  }
  const words = cellWords(t, column, value);
  if (words !== null) return words;
  const number = _formatter(
    numberFormats,
    lang,
    () => new Intl.NumberFormat(lang, { maximumFractionDigits: 2 }),
  );
  switch (column.kind) {
    case "seconds":
      return formatSeconds(Number(value));
    case "percent":
      return `${number.format(Number(value))} %`;
    case "score": // a mean of 1–5 ratings, always to two places (4.00 beside 3.89, not 4)
      return _formatter(
        scoreFormats,
        lang,
        () => new Intl.NumberFormat(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
      ).format(Number(value));
    case "count":
      return number.format(Number(value));
    case "hour":
      return `${String(value).padStart(2, "0")}:00`;
    case "day":
      return _formatter(
        dayFormats,
        lang,
        () => new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeZone: "UTC" }),
      ).format(new Date(`${value}T00:00:00Z`));
    case "outcome":
      return number.format(Number(value));
    default:
      return String(value);
  }
}

/** What static/reports.js draws: labels on x, one numeric series per column. */
function _chartData(t: Translator, result: ReportResult, lang: string): string | null {
  const chart = result.chart;
  if (!chart || result.rows.length === 0) return null;
  const xColumn = result.columns.find((col) => col.key === chart.x)!;
  return JSON.stringify({
    type: chart.type,
    stacked: chart.stacked ?? false,
    unit: result.columns.find((col) => col.key === chart.series[0])?.kind,
    xLabel: columnLabel(t, xColumn),
    labels: result.rows.map((row) => formatCell(t, xColumn, row[chart.x], lang)),
    series: chart.series.map((key) => ({
      label: columnLabel(t, result.columns.find((col) => col.key === key)!),
      values: result.rows.map((row) => row[key] === null ? null : Number(row[key])),
    })),
  });
}

export function ReportPage(props: Props) {
  const { c, kind } = props;
  const t = c.get("t");
  return (
    <Layout
      c={c}
      title={t(`reports.kinds.${kind}`)}
      stylesheets={["/vendor/uPlot.min.css", "/static/reports.css"]}
    >
      <h1>{t("reports.title")}</h1>
      <nav class="tabs report-tabs" aria-label={t("reports.title")}>
        {REPORT_KINDS.map((k) => (
          <a
            href={`/admin/reports/${k}?${props.search}`}
            class={k === kind ? "active" : ""}
            aria-current={k === kind ? "page" : undefined}
          >
            {t(`reports.kinds.${k}`)}
          </a>
        ))}
      </nav>
      <Filters {...props} />
      <Flash kind="error" message={props.problem} />
      {props.query && props.result && (
        <Report {...props} query={props.query} result={props.result} />
      )}
      <script src="/vendor/uPlot.iife.min.js" defer></script>
      <script type="module" src="/static/reports.js"></script>
    </Layout>
  );
}

/** The report itself: its period, CSV link, chart and table. */
function Report(props: Props & { query: ReportQuery; result: ReportResult }) {
  const { c, kind, result } = props;
  const t = c.get("t");
  const lang = c.get("lang");
  const chart = _chartData(t, result, lang);
  return (
    <>
      <section class="report" aria-labelledby="report-title">
        <div class="row report-head">
          <h2 id="report-title">{t(`reports.kinds.${kind}`)}</h2>
          <span class="muted">
            {t("reports.range", {
              from: formatCell(t, { key: "day", kind: "day" }, props.query.fromDay, lang),
              to: formatCell(
                t,
                { key: "day", kind: "day" },
                _dayBefore(props.query.toDay),
                lang,
              ),
              tz: props.query.tz,
            })}
          </span>
          <a class="button" href={`/admin/reports/${kind}/export.csv?${props.search}`} download>
            {t("reports.csv")}
          </a>
        </div>
        <p class="muted">{t(`reports.about.${kind}`)}</p>
        {result.binned && <p class="muted report-binned">{t("reports.binned")}</p>}
        {kind === "lens" && props.query.channel && (
          <p class="muted report-no-channel">{t("reports.lensNoChannel")}</p>
        )}
        {result.totals && <ReportTotals c={c} totals={result.totals} />}
        <div class={result.columns.length <= 7 && chart ? "report-body side" : "report-body"}>
          {chart && (
            <div
              id="report-chart"
              class="report-chart"
              data-chart={chart}
              role="img"
              aria-label={t("reports.chartLabel", { report: t(`reports.kinds.${kind}`) })}
            >
            </div>
          )}
          <ReportTable c={c} result={result} />
        </div>
      </section>
    </>
  );
}

function _dayBefore(day: string): string {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

/** The period's figures above the list (the Lens report's totals). */
function ReportTotals(
  props: { c: PageContext; totals: NonNullable<ReportResult["totals"]> },
) {
  const t = props.c.get("t");
  const lang = props.c.get("lang");
  return (
    <dl class="report-totals" aria-label={t("reports.totals")}>
      {props.totals.columns.map((col) => (
        <div data-total={col.key}>
          <dt>{columnLabel(t, col)}</dt>
          <dd>{formatCell(t, col, props.totals.row[col.key] ?? null, lang)}</dd>
        </div>
      ))}
    </dl>
  );
}

function ReportTable(props: { c: PageContext; result: ReportResult }) {
  const t = props.c.get("t");
  const lang = props.c.get("lang");
  const { columns, rows, kind } = props.result;
  return (
    <div class="report-table">
      <table>
        <thead>
          <tr>
            {columns.map((col) => <th scope="col">{columnLabel(t, col)}</th>)}
            {kind === "sessions" && <th scope="col">{t("reports.columns.log")}</th>}
            {kind === "lens" && <th scope="col">{t("lens.history.recording")}</th>}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colspan={columns.length + 1} class="muted">
                {t(kind === "lens" ? "reports.emptyLens" : "reports.empty")}
              </td>
            </tr>
          )}
          {rows.map((row) => (
            <tr>
              {columns.map((col) => (
                <td class={["name", "text", "label"].includes(col.kind) ? "" : "num"}>
                  {formatCell(t, col, row[col.key], lang)}
                </td>
              ))}
              {kind === "sessions" && (
                <td>
                  <a href={`/admin/reports/sessions/${row.id}/log.csv`} download>
                    {t("reports.logCsv")}
                  </a>
                </td>
              )}
              {kind === "lens" && (
                <td>
                  {/* The recording's page (modules/recording): its parts, played there. */}
                  {row.recorded === "yes" && (
                    <a href={`/console/recordings/lens/${row.id}`} data-lens-recording-link>
                      {t("lens.history.play")}
                    </a>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {(kind === "sessions" || kind === "lens") && rows.length >= 200 && (
        <p class="muted">
          {t(kind === "lens" ? "reports.lensCapped" : "reports.sessionsCapped", {
            count: rows.length,
          })}
        </p>
      )}
    </div>
  );
}

function Filters(props: Props) {
  const { c, kind, params, choices } = props;
  const t = c.get("t");
  const select = (
    name: "group" | "technician" | "channel",
    list: { id: string; name: string }[],
  ) => (
    <div>
      <label for={`r-${name}`}>{t(`reports.filters.${name}`)}</label>
      <select id={`r-${name}`} name={name}>
        <option value="">{t(`reports.filters.all_${name}`)}</option>
        {list.map((o) => <option value={o.id} selected={params[name] === o.id}>{o.name}</option>)}
      </select>
    </div>
  );
  return (
    <form class="card row report-filters" method="get" action={`/admin/reports/${kind}`}>
      <div>
        <label for="r-period">{t("reports.filters.period")}</label>
        <select id="r-period" name="period">
          {PERIODS.map((p) => (
            <option value={p} selected={params.period === p}>{t(`reports.periods.${p}`)}</option>
          ))}
        </select>
      </div>
      <div data-period="day week month">
        <label for="r-date">{t("reports.filters.date")}</label>
        <input id="r-date" type="date" name="date" value={params.date ?? props.query?.fromDay} />
      </div>
      <div data-period="custom">
        <label for="r-from">{t("reports.filters.from")}</label>
        <input id="r-from" type="date" name="from" value={params.from ?? ""} />
      </div>
      <div data-period="custom">
        <label for="r-to">{t("reports.filters.to")}</label>
        <input id="r-to" type="date" name="to" value={params.to ?? ""} />
      </div>
      {kind === "performance"
        ? (
          <div>
            <label for="r-by">{t("reports.filters.by")}</label>
            <select id="r-by" name="by">
              {BREAKDOWNS.map((b) => (
                <option value={b} selected={params.by === b}>{t(`reports.breakdowns.${b}`)}</option>
              ))}
            </select>
          </div>
        )
        : kind !== "hours" && kind !== "sessions" && kind !== "lens" && (
          <div>
            <label for="r-step">{t("reports.filters.step")}</label>
            <select id="r-step" name="step">
              {STEPS.map((s) => (
                <option value={s} selected={params.step === s}>{t(`reports.steps.${s}`)}</option>
              ))}
            </select>
          </div>
        )}
      <div>
        <label for="r-tz">{t("reports.filters.tz")}</label>
        <select id="r-tz" name="tz" data-defaulted={props.tzDefaulted ? "1" : undefined}>
          {timeZones().map((z) => <option value={z} selected={params.tz === z}>{z}</option>)}
        </select>
      </div>
      {select("group", choices.groups)}
      {select("technician", choices.technicians)}
      {kind !== "lens" && select("channel", choices.channels)}
      <button type="submit">{t("reports.show")}</button>
    </form>
  );
}
