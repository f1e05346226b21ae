/**
 * The System tab's frame (SPEC R7): what the customer allows (as the agent reports it, kept
 * live by static/system_info.js from the consent stream), the views as sub-tabs, Refresh and
 * the exports, and the body each view is loaded into. A section the customer's computer has
 * no source for reads "Not available" with the reason, never an error.
 */
import { type PageContext, sessionRoot } from "../http/mod.ts";
import type { Translator } from "../i18n/mod.ts";
import type { ToolState } from "../remote/mod.ts";
import type { Section, UnavailableDetail, UnavailableWhy } from "../../protocol/system.ts";
import { unavailableDetail } from "./format.ts";
import { CsrfField } from "../../views/layout.tsx";
import { Moment } from "../../views/moment.tsx";

type C = PageContext;

export const VIEWS = [
  "dashboard",
  "processes",
  "services",
  "applications",
  "user",
  "drivers",
  "startup",
  "events",
] as const;
export type SystemView = typeof VIEWS[number];

/** The tab's routes for this caller: a guest's are the same under `/x` (its cookie's path). */
export const systemPath = (c: C, sessionId: string) =>
  `${sessionRoot(c)}/console/sessions/${sessionId}/system`;

/** Which consent sentence fits the agent's state. */
export function consentKey(state: ToolState) {
  if (!state.present) return "absent" as const;
  if (state.offered && !state.offered.includes("systemInfo")) return "notOffered" as const;
  return state.consent.systemInfo;
}

export function SystemPanel(props: { c: C; sessionId: string; state: ToolState }) {
  const { c, sessionId: id, state } = props;
  const t = c.get("t");
  const base = systemPath(c, id);
  const agent = `${sessionRoot(c)}/console/sessions/${id}/agent`;
  const key = consentKey(state);
  return (
    <div
      class="sysinfo"
      id={`sysinfo-${id}`}
      data-sysinfo={id}
      data-consent={key}
      data-view-url={`${base}/view/`}
      data-agent-url={agent}
    >
      <link rel="stylesheet" href="/static/system_info.css" />
      <div class="sysinfo-consent row tight">
        <p
          class="sysinfo-consent-text"
          aria-live="polite"
          data-text-off={t("sysinfo.consent.off")}
          data-text-asked={t("sysinfo.consent.asked")}
          data-text-granted={t("sysinfo.consent.granted")}
          data-text-denied={t("sysinfo.consent.denied")}
          data-text-revoked={t("sysinfo.consent.revoked")}
          data-text-absent={t("sysinfo.consent.absent")}
          data-text-not-offered={t("sysinfo.consent.notOffered")}
        >
          {t(`sysinfo.consent.${key}`)}
        </p>
        <form
          method="post"
          action={`${agent}/request`}
          hx-post={`${agent}/request`}
          hx-swap="none"
          class="inline sysinfo-ask"
          hidden={!(key === "off" || key === "denied" || key === "revoked")}
        >
          <CsrfField c={c} />
          <input type="hidden" name="capability" value="systemInfo" />
          <button
            type="submit"
            class="small"
            data-label-ask={t("sysinfo.ask")}
            data-label-again={t("sysinfo.askAgain")}
          >
            {key === "off" ? t("sysinfo.ask") : t("sysinfo.askAgain")}
          </button>
        </form>
        <form
          method="post"
          action={`${agent}/revoke`}
          hx-post={`${agent}/revoke`}
          hx-swap="none"
          class="inline sysinfo-stop"
          hidden={!(key === "granted" || key === "asked")}
        >
          <CsrfField c={c} />
          <input type="hidden" name="capability" value="systemInfo" />
          <button type="submit" class="secondary small">{t("sysinfo.stop")}</button>
        </form>
      </div>
      <div class="sysinfo-bar" hidden={key !== "granted"}>
        <div class="sysinfo-views" role="tablist" aria-label={t("sysinfo.tabsLabel")}>
          {VIEWS.map((view, i) => (
            <button
              type="button"
              role="tab"
              class="sysinfo-view"
              aria-selected={i === 0 ? "true" : "false"}
              aria-controls={`sysinfo-body-${id}`}
              tabindex={i === 0 ? 0 : -1}
              data-view={view}
            >
              {t(`sysinfo.tab.${view}`)}
            </button>
          ))}
        </div>
        <div class="row tight sysinfo-actions">
          <button type="button" class="secondary small" data-sysinfo-refresh="">
            {t("sysinfo.refresh")}
          </button>
          {/* The session's files are the organisation's: a guest saves nothing there. */}
          {!c.get("guest") && (
            <form
              method="post"
              action={`${base}/export`}
              hx-post={`${base}/export`}
              hx-target={`#sysinfo-status-${id}`}
              class="inline"
            >
              <CsrfField c={c} />
              <button type="submit" name="format" value="json" class="secondary small">
                {t("sysinfo.exportJson")}
              </button>
              <button type="submit" name="format" value="text" class="secondary small">
                {t("sysinfo.exportText")}
              </button>
            </form>
          )}
        </div>
      </div>
      <p class="sysinfo-status muted" id={`sysinfo-status-${id}`} aria-live="polite"></p>
      <div
        class="sysinfo-body"
        id={`sysinfo-body-${id}`}
        role="tabpanel"
        data-loading={t("sysinfo.reading")}
      >
      </div>
    </div>
  );
}

/** A section without a value: why, and where the agent looked. */
export function Unavailable(
  props: {
    t: Translator;
    why: UnavailableWhy;
    about?: UnavailableDetail;
    detail: string;
    inline?: boolean;
  },
) {
  const { t } = props;
  const words = (
    <>
      {t("sysinfo.notAvailable", { why: t(`sysinfo.why.${props.why}`) })}{" "}
      <span class="sysinfo-detail">{unavailableDetail(t, props)}</span>
    </>
  );
  return props.inline
    ? <span class="sysinfo-unavailable muted">{words}</span>
    : <p class="sysinfo-unavailable muted">{words}</p>;
}

/** A view's heading line: when it was read and how many rows. */
export function ViewHead(
  props: { t: Translator; title: string; count?: number; truncated?: number },
) {
  const { t } = props;
  return (
    <div class="sysinfo-head row tight">
      <h3>{props.title}</h3>
      {props.count !== undefined && (
        <span class="muted">{t("sysinfo.rows", { count: props.count })} ·</span>
      )}
      <span class="muted">
        {t("sysinfo.takenAt")} <Moment lang={t.lang} at={new Date()} style="clock" />
      </span>
      {props.truncated !== undefined && (
        <span class="muted">{t("sysinfo.truncated", { count: props.truncated })}</span>
      )}
    </div>
  );
}

/** What the agent answered instead of the view (not connected, no consent, failure). */
export function ViewFailure(props: { t: Translator; code: string; reason: string }) {
  const { t } = props;
  return (
    <p class="sysinfo-failure" role="status" data-failure={props.code}>
      {t(`sysinfo.failure.${props.code}` as "sysinfo.failure.failed", { reason: props.reason })}
    </p>
  );
}

/** Which logs were read, and why one was not. */
export function Sources(
  props: {
    t: Translator;
    sources: { name: string; status: Section<{ where: string; entries: number }> }[];
  },
) {
  const { t } = props;
  return (
    <ul class="plain sysinfo-sources">
      {props.sources.map((source) => (
        <li data-source={source.name}>
          <strong>{source.name}</strong>: {source.status.available
            ? <span class="mono">{source.status.value.where}</span>
            : <Unavailable t={t} {...source.status} inline />}
        </li>
      ))}
    </ul>
  );
}
