/**
 * The unattended-access request's faces: the technician's dialog in the workspace, the terms
 * in words (the same sentences for the technician, the customer page and the audit reader),
 * and the customer's page with Approve and Decline. Dates and times are written in the
 * terms' own time zone, named beside them, so both sides read the same moments.
 */
import type { Context } from "hono";
import type { AuthedEnv, PageContext } from "../http/mod.ts";
import type { TranslationKey, Translator } from "../i18n/mod.ts";
import {
  APPROVAL_TOOLS,
  type ApprovalTool,
  type ResolvedTerms,
} from "../../protocol/unattended_request.ts";
import { CsrfField } from "../../views/layout.tsx";
import type { UnattendedRequest } from "./request_service.ts";

type C = Context<AuthedEnv>;

const WEEKDAYS = [0, 1, 2, 3, 4, 5, 6] as const;

/**
 * The terms as sentences, in `lang`, times in the terms' zone. `os` is the computer's, from
 * its agent's hello: a Windows computer's service does not sign in and keeps no credentials,
 * so its terms say what it does instead; unknown (no agent heard), the sentence is one true
 * for both (credentials with the customer's credentials are refused for Windows, so only
 * `ask_each_time` can be either).
 */
export function describeTerms(
  t: Translator,
  lang: string,
  terms: ResolvedTerms,
  options: { os: string | null },
): string[] {
  const at = (iso: string) =>
    new Intl.DateTimeFormat(lang, {
      dateStyle: "full",
      timeStyle: "short",
      timeZone: terms.timeZone,
    }).format(new Date(iso));
  const lines = [
    t(_authKey(terms.authMode, options.os)),
    terms.untilAt
      ? t("unattendedRequest.terms.fromUntil", { from: at(terms.fromAt), until: at(terms.untilAt) })
      : t("unattendedRequest.terms.fromNoEnd", { from: at(terms.fromAt) }),
  ];
  if (terms.kind === "daily") {
    const day = new Intl.DateTimeFormat(lang, { weekday: "long", timeZone: "UTC" });
    // 2023-01-01 was a Sunday: weekday d is that date plus d days.
    const names = terms.weekdays.map((d) => day.format(Date.UTC(2023, 0, 1 + d)));
    lines.push(t("unattendedRequest.terms.daily", {
      days: new Intl.ListFormat(lang, { type: "conjunction" }).format(names),
      start: _clock(terms.dailyStart ?? 0),
      end: _clock(terms.dailyEnd ?? 0),
    }));
  }
  lines.push(t(`unattendedRequest.terms.zone.${terms.zoneOf}`, { zone: terms.timeZone }));
  return lines;
}

function _authKey(authMode: ResolvedTerms["authMode"], os: string | null): TranslationKey {
  if (os === "windows") return "unattendedRequest.terms.auth.windows";
  if (os === null && authMode === "ask_each_time") return "unattendedRequest.terms.auth.notKept";
  return `unattendedRequest.terms.auth.${authMode}`;
}

function _clock(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${
    String(minutes % 60).padStart(2, "0")
  }`;
}

/** The technician's dialog: the form, or why it cannot be used now, and the last request. */
export function RequestDialog(props: {
  c: C;
  sessionId: string;
  customerZone: string | null;
  /** A Windows computer: its service does not sign in, so no credentials are offered. */
  windows: boolean;
  unavailable: "agentAbsent" | "cannotInstall" | "notElevated" | "notRoot" | null;
  latest: UnattendedRequest | null;
  /** The computer's OS from its agent's hello, null when unknown: the latest terms' words. */
  os: string | null;
}) {
  const { c, sessionId, customerZone, windows, unavailable, latest } = props;
  const t = c.get("t");
  const weekday = new Intl.DateTimeFormat(c.get("lang"), { weekday: "short", timeZone: "UTC" });
  return (
    <div class="card dialog" id="unattended-dialog" role="dialog" aria-labelledby="ua-title">
      <h2 id="ua-title">{t("unattendedRequest.title")}</h2>
      {latest && <LatestRequest c={c} request={latest} os={props.os} />}
      {unavailable
        ? (
          <p role="status">
            {unavailable === "notElevated" || unavailable === "notRoot"
              ? t(`unattended.${unavailable}`)
              : t(`unattendedRequest.${unavailable}`)}
          </p>
        )
        : (
          <form
            id="unattended-form"
            class="unattended-form"
            hx-post={`/console/sessions/${sessionId}/unattended`}
            hx-target="#dialog"
          >
            <input type="hidden" name="technicianZone" data-browser-zone="" value="" />
            <fieldset>
              <legend>{t("unattendedRequest.authLegend")}</legend>
              {windows
                ? (
                  <>
                    <input type="hidden" name="authMode" value="ask_each_time" />
                    <p data-windows-auth="">{t("unattended.windowsAuth")}</p>
                  </>
                )
                : (
                  <div class="choices">
                    <_Radio name="authMode" value="ask_each_time" checked t={t} />
                    <_Radio name="authMode" value="customer_credentials" t={t} />
                  </div>
                )}
            </fieldset>
            <fieldset>
              <legend>{t("unattendedRequest.kindLegend")}</legend>
              <div class="choices">
                <_Radio name="kind" value="days" checked t={t} />
                <_Radio name="kind" value="range" t={t} />
                <_Radio name="kind" value="unlimited" t={t} />
                <_Radio name="kind" value="daily" t={t} />
              </div>
              <div class="ua-days">
                <label>
                  {t("unattendedRequest.days")}{" "}
                  <input type="number" name="days" min="1" max="3650" value="7" size={5} />
                </label>
              </div>
              <div class="ua-range">
                <label>
                  {t("unattendedRequest.from")} <input type="date" name="from" />
                </label>
                <label>
                  {t("unattendedRequest.until")} <input type="date" name="until" />
                </label>
              </div>
              <div class="ua-daily">
                <label>
                  {t("unattendedRequest.start")} <input type="time" name="start" value="09:00" />
                </label>
                <label>
                  {t("unattendedRequest.end")} <input type="time" name="end" value="17:00" />
                </label>
                <div class="choices" role="group" aria-label={t("unattendedRequest.weekdays")}>
                  {WEEKDAYS.map((d) => (
                    <label>
                      <input type="checkbox" name={`wd${d}`} value="1" checked={d >= 1 && d <= 5} />
                      {" "}
                      {weekday.format(Date.UTC(2023, 0, 1 + d))}
                    </label>
                  ))}
                </div>
              </div>
              <p class="muted">{t("unattendedRequest.kindHelp")}</p>
            </fieldset>
            <fieldset>
              <legend>{t("unattendedRequest.zoneLegend")}</legend>
              <div class="choices">
                <label>
                  <input type="radio" name="zoneOf" value="technician" checked />{" "}
                  {t("unattendedRequest.zoneOf.technician")} (<span data-browser-zone=""></span>)
                </label>
                <label>
                  <input type="radio" name="zoneOf" value="customer" />{" "}
                  {t("unattendedRequest.zoneOf.customer")} ({customerZone ?? "?"})
                </label>
              </div>
            </fieldset>
            {!windows && <p class="muted">{t("unattendedRequest.twoWeeks")}</p>}
            <button type="submit">{t("unattendedRequest.send")}</button>
          </form>
        )}
      {!unavailable && (
        <section class="unattended-service" aria-labelledby="ua-service">
          <h3 id="ua-service">{t("unattendedRequest.service.title")}</h3>
          {windows ? <p class="muted">{t("unattended.serviceModeWindows")}</p> : (
            <>
              <p class="muted">{t("unattendedRequest.service.help")}</p>
              <button
                type="button"
                class="secondary"
                hx-post={`/console/sessions/${sessionId}/service-mode`}
                hx-target="#dialog"
                data-service-mode=""
              >
                {t("unattendedRequest.service.button")}
              </button>
            </>
          )}
        </section>
      )}
      <div class="row">
        <button type="button" class="secondary" data-close-dialog="dialog">
          {t("console.close")}
        </button>
      </div>
    </div>
  );
}

function _Radio(props: { name: string; value: string; checked?: boolean; t: Translator }) {
  const key = props.name === "authMode"
    ? `unattendedRequest.auth.${props.value}` as const
    : `unattendedRequest.kinds.${props.value}` as const;
  return (
    <label>
      <input type="radio" name={props.name} value={props.value} checked={props.checked} />{" "}
      {props.t(key as Parameters<Translator>[0])}
    </label>
  );
}

/** The newest request of the session and where it stands. */
export function LatestRequest(
  props: { c: PageContext; request: UnattendedRequest; os: string | null },
) {
  const t = props.c.get("t");
  const { request } = props;
  return (
    <div class="unattended-latest" data-request-state={request.state} role="status">
      <p>
        <strong>{t(`unattendedRequest.state.${request.state}`)}</strong>
        {request.reason ? ` — ${request.reason}` : ""}
      </p>
      <ul>
        {describeTerms(t, props.c.get("lang"), request.terms as ResolvedTerms, {
          os: props.os,
        }).map((line) => <li>{line}</li>)}
        {request.tools && (
          <li data-approved-tools={request.tools.join(" ")}>
            {t("unattendedRequest.toolsAllowed", {
              tools: toolList(t, props.c.get("lang"), request.tools),
            })}
          </li>
        )}
      </ul>
    </div>
  );
}

/** The tools in words, as a list ("Files, Scripts and Restarting the computer"). */
export function toolList(t: Translator, lang: string, tools: readonly ApprovalTool[]): string {
  return new Intl.ListFormat(lang, { type: "conjunction" })
    .format(tools.map((tool) => t(`unattendedRequest.tools.${tool}`)));
}

/**
 * The customer's page: exactly the terms, the tools asked for (each one a checkbox the
 * customer may untick), and the two answers — or the answer given.
 */
export function CustomerRequest(props: {
  c: PageContext;
  token: string;
  request: UnattendedRequest & { resolved: ResolvedTerms };
  technician: string;
  /** The computer's OS from its agent's hello, null when unknown (computerOs). */
  os: string | null;
  error?: string;
  /** The customer's ticks when the page comes back with an error (else all ticked). */
  ticked?: readonly string[];
}) {
  const { c, token, request } = props;
  const t = c.get("t");
  return (
    <section class="card narrow unattended-customer">
      <h1>{t("unattendedRequest.customer.title")}</h1>
      <p>{t("unattendedRequest.customer.intro", { name: props.technician })}</p>
      <ul class="unattended-terms">
        {describeTerms(t, c.get("lang"), request.resolved, { os: props.os }).map((line) => (
          <li>{line}</li>
        ))}
      </ul>
      {props.error && <p class="flash error" role="alert">{props.error}</p>}
      {request.state === "pending"
        ? (
          <form method="post" action={`/s/${token}/unattended/${request.id}`}>
            <CsrfField c={c} />
            <input type="hidden" name="nonce" value={request.nonce} />
            <input type="hidden" name="digest" value={request.digest} />
            <fieldset class="unattended-tools">
              <legend>{t("unattendedRequest.customer.toolsLegend")}</legend>
              <p class="muted">{t("unattendedRequest.customer.toolsHelp")}</p>
              {APPROVAL_TOOLS.map((tool) => (
                <label class="check">
                  <input
                    type="checkbox"
                    name={`tool_${tool}`}
                    value="1"
                    checked={props.ticked?.includes(tool) ?? true}
                  />{" "}
                  {t(`unattendedRequest.tools.${tool}`)}
                </label>
              ))}
            </fieldset>
            <p class="muted">{t("unattendedRequest.customer.atAgent")}</p>
            <div class="row">
              <button type="submit" name="decision" value="approve">
                {t("unattendedRequest.customer.approve")}
              </button>
              <button type="submit" name="decision" value="decline" class="secondary">
                {t("unattendedRequest.customer.decline")}
              </button>
            </div>
          </form>
        )
        : (
          <p role="status" data-request-state={request.state}>
            {t(`unattendedRequest.customer.state.${request.state}`)}
          </p>
        )}
      <p>
        <a href={`/s/${token}`}>{t("unattendedRequest.customer.back")}</a>
      </p>
    </section>
  );
}
