/**
 * The workspace's Device tab (SPEC M2, the part a browser carries): what the customer allows,
 * Ask / Refresh, and the dashboard of what the customer's browser reports — each value the
 * browser does not expose said as "not available in this browser", never guessed. The board is
 * one fragment, read again by static/device_info.js while the tab is in sight.
 */
import type { Child } from "hono/jsx";
import type { PageContext } from "../http/mod.ts";
import type { Translator } from "../i18n/mod.ts";
import { formatSize } from "../../protocol/size.ts";
import { CsrfField } from "../../views/layout.tsx";
import { Moment } from "../../views/moment.tsx";
import type { DeviceEntry } from "./board.ts";
import type { DeviceReport } from "./report.ts";
import { parseUserAgent } from "./user_agent.ts";

type C = PageContext;

export const devicePath = (sessionId: string) => `/console/sessions/${sessionId}/device`;

/** The tab's frame: the note about the support app, the board, and its script's hook. */
export function DevicePanel(
  props: { c: C; sessionId: string; entry: DeviceEntry; agentPresent: boolean },
) {
  const { c, sessionId } = props;
  const t = c.get("t");
  return (
    <div class="device-info" data-device-info={sessionId}>
      <link rel="stylesheet" href="/static/device_info.css" />
      {props.agentPresent && <p class="muted device-agent-note">{t("deviceInfo.agentNote")}</p>}
      <DeviceBoardView c={c} sessionId={sessionId} entry={props.entry} />
    </div>
  );
}

function _Action(props: { c: C; sessionId: string; path: string; label: string; main?: boolean }) {
  const action = `${devicePath(props.sessionId)}/${props.path}`;
  return (
    <form
      method="post"
      action={action}
      hx-post={action}
      hx-target="closest .device-board"
      hx-swap="outerHTML"
      class="inline"
    >
      <CsrfField c={props.c} />
      {/* An id, so the keyboard's focus stays on it when the board is swapped. */}
      <button
        type="submit"
        id={`device-${props.path}-${props.sessionId}`}
        class={props.main ? "small" : "secondary small"}
        data-device-action={props.path}
      >
        {props.label}
      </button>
    </form>
  );
}

/** The consent, its one action, and the values once there are some. */
export function DeviceBoardView(props: { c: C; sessionId: string; entry: DeviceEntry }) {
  const { c, sessionId, entry } = props;
  const t = c.get("t");
  const waiting = entry.consent === "granted" && !entry.report;
  const state = waiting ? "waitingValues" : entry.consent;
  return (
    <div
      class="device-board"
      data-consent={entry.consent}
      data-version={String(entry.version)}
      data-board-url={`${devicePath(sessionId)}/board`}
    >
      <div class="row tight device-consent">
        <p class="device-state" role="status">{t(`deviceInfo.state.${state}`)}</p>
        {entry.consent === "off" && (
          <_Action c={c} sessionId={sessionId} path="ask" label={t("deviceInfo.ask")} main />
        )}
        {(entry.consent === "denied" || entry.consent === "stopped" ||
          entry.consent === "lost") && (
          <_Action c={c} sessionId={sessionId} path="ask" label={t("deviceInfo.askAgain")} main />
        )}
        {entry.consent === "granted" && (
          <_Action c={c} sessionId={sessionId} path="refresh" label={t("deviceInfo.refresh")} />
        )}
      </div>
      {entry.report && entry.reportedAt && (
        <Dashboard
          t={t}
          report={entry.report}
          userAgent={entry.userAgent}
          at={entry.reportedAt}
        />
      )}
    </div>
  );
}

function _Facts(props: { t: Translator; rows: [string, string, Child | null][] }) {
  const na = <span class="device-na">{props.t("deviceInfo.notAvailable")}</span>;
  return (
    <dl class="device-facts">
      {props.rows.map(([field, label, value]) => (
        <div data-field={field} data-available={value === null ? "0" : "1"}>
          <dt>{label}</dt>
          <dd>{value ?? na}</dd>
        </div>
      ))}
    </dl>
  );
}

function _Card(props: { name: string; title: string; children: Child }) {
  return (
    <section class="device-card" data-card={props.name}>
      <h4>{props.title}</h4>
      {props.children}
    </section>
  );
}

/** "1 h 20 min" / "12 min" in the reader's language. */
function _duration(lang: string, seconds: number): string {
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.round((seconds % 3600) / 60);
  const unit = (value: number, u: "hour" | "minute") =>
    new Intl.NumberFormat(lang, { style: "unit", unit: u, unitDisplay: "short" }).format(value);
  return hours > 0 ? `${unit(hours, "hour")} ${unit(minutes, "minute")}` : unit(minutes, "minute");
}

/** Client hints' brands without the deliberate noise ("Not A(Brand"). */
function _brands(report: DeviceReport): string | null {
  const real = (report.hints?.brands ?? []).filter((b) => !/not.?a.?brand/i.test(b.brand));
  // "Chromium" stands beside the product's own name; show it only when it is all there is.
  const named = real.filter((b) => b.brand !== "Chromium");
  const shown = named.length > 0 ? named : real;
  return shown.length > 0 ? shown.map((b) => `${b.brand} ${b.version}`).join(", ") : null;
}

function Dashboard(
  props: { t: Translator; report: DeviceReport; userAgent: string; at: Date },
) {
  const { t, report: r } = props;
  const lang = t.lang;
  const num = (value: number, digits = 0) =>
    new Intl.NumberFormat(lang, { maximumFractionDigits: digits }).format(value);
  const yesNo = (value: boolean) => t(value ? "deviceInfo.yes" : "deviceInfo.no");
  // Client hints where the browser sends them, else the User-Agent string read here: one
  // source for the whole card, said once under its title.
  const hints = r.hints;
  const ua = parseUserAgent(props.userAgent);
  const joined = (...parts: (string | null | undefined)[]) =>
    parts.filter(Boolean).join(" ") || null;
  const device = hints
    ? {
      model: hints.model || null,
      system: joined(hints.platform, hints.platformVersion),
      mobile: hints.mobile,
      browser: _brands(r),
    }
    : {
      model: ua.model,
      system: joined(ua.os, ua.osVersion),
      mobile: ua.mobile,
      browser: joined(ua.browser, ua.browserVersion),
    };
  const battery = r.battery;
  const net = r.network;
  const s = r.screen;
  const orientation = s.orientation
    ? t(
      `deviceInfo.orientation.${s.orientation.startsWith("portrait") ? "portrait" : "landscape"}`,
      {
        angle: s.angle ?? 0,
      },
    )
    : null;
  return (
    <div class="device-dashboard">
      <p class="muted device-updated">
        {t("deviceInfo.updated")} <Moment lang={lang} at={props.at} style="clock" />
      </p>
      <div class="device-cards">
        <_Card name="device" title={t("deviceInfo.card.device")}>
          <p class="muted device-source">
            {t(hints ? "deviceInfo.fromHints" : "deviceInfo.fromUserAgent")}
          </p>
          <_Facts
            t={t}
            rows={[
              ["model", t("deviceInfo.field.model"), device.model],
              ["system", t("deviceInfo.field.system"), device.system],
              [
                "kind",
                t("deviceInfo.field.kind"),
                device.mobile === null
                  ? null
                  : t(device.mobile ? "deviceInfo.kind.mobile" : "deviceInfo.kind.desktop"),
              ],
              ["browser", t("deviceInfo.field.browser"), device.browser],
            ]}
          />
        </_Card>
        <_Card name="battery" title={t("deviceInfo.card.battery")}>
          <_Facts
            t={t}
            rows={[
              [
                "level",
                t("deviceInfo.field.level"),
                battery && (
                  <>
                    <meter min={0} max={1} low={0.2} optimum={1} value={battery.level}></meter>{" "}
                    {new Intl.NumberFormat(lang, { style: "percent" }).format(battery.level)}
                  </>
                ),
              ],
              ["charging", t("deviceInfo.field.charging"), battery && yesNo(battery.charging)],
              // Full in while charging, empty in while not: the other does not apply.
              battery?.charging
                ? [
                  "timeToFull",
                  t("deviceInfo.field.timeToFull"),
                  battery.chargingTime === 0
                    ? t("deviceInfo.fullyCharged")
                    : battery.chargingTime === null
                    ? t("deviceInfo.unknownTime")
                    : _duration(lang, battery.chargingTime),
                ]
                : [
                  "timeToEmpty",
                  t("deviceInfo.field.timeToEmpty"),
                  battery && (battery.dischargingTime === null
                    ? t("deviceInfo.unknownTime")
                    : _duration(lang, battery.dischargingTime)),
                ],
            ]}
          />
        </_Card>
        <_Card name="network" title={t("deviceInfo.card.network")}>
          <_Facts
            t={t}
            rows={[
              ["online", t("deviceInfo.field.online"), yesNo(r.online)],
              ["effectiveType", t("deviceInfo.field.effectiveType"), net?.effectiveType ?? null],
              [
                "downlink",
                t("deviceInfo.field.downlink"),
                net?.downlinkMbps == null
                  ? null
                  : t("deviceInfo.mbps", { value: num(net.downlinkMbps, 2) }),
              ],
              [
                "rtt",
                t("deviceInfo.field.rtt"),
                net?.rttMs == null ? null : t("deviceInfo.ms", { value: num(net.rttMs) }),
              ],
              [
                "saveData",
                t("deviceInfo.field.saveData"),
                net?.saveData == null ? null : yesNo(net.saveData),
              ],
              [
                "serverRtt",
                t("deviceInfo.field.serverRtt"),
                r.serverRttMs === null ? null : t("deviceInfo.ms", { value: num(r.serverRttMs) }),
              ],
            ]}
          />
        </_Card>
        <_Card name="screen" title={t("deviceInfo.card.screen")}>
          <_Facts
            t={t}
            rows={[
              ["size", t("deviceInfo.field.size"), t("deviceInfo.pixels", s)],
              [
                "viewport",
                t("deviceInfo.field.viewport"),
                t("deviceInfo.pixels", { width: s.viewportWidth, height: s.viewportHeight }),
              ],
              ["pixelRatio", t("deviceInfo.field.pixelRatio"), num(s.pixelRatio, 2)],
              ["orientation", t("deviceInfo.field.orientation"), orientation],
              ["touchPoints", t("deviceInfo.field.touchPoints"), num(s.touchPoints)],
            ]}
          />
        </_Card>
        <_Card name="locale" title={t("deviceInfo.card.locale")}>
          <_Facts
            t={t}
            rows={[
              [
                "languages",
                t("deviceInfo.field.languages"),
                r.languages.length > 0 ? r.languages.join(", ") : null,
              ],
              ["timeZone", t("deviceInfo.field.timeZone"), r.timeZone],
              [
                "memory",
                t("deviceInfo.field.memory"),
                r.memoryGb === null
                  ? null
                  : t("deviceInfo.gigabytes", { value: num(r.memoryGb, 2) }),
              ],
              ["cores", t("deviceInfo.field.cores"), r.cores === null ? null : num(r.cores)],
              [
                "storage",
                t("deviceInfo.field.storage"),
                r.storage &&
                t("deviceInfo.storageOf", {
                  used: formatSize(r.storage.usageBytes, lang),
                  quota: formatSize(r.storage.quotaBytes, lang),
                }),
              ],
            ]}
          />
        </_Card>
      </div>
    </div>
  );
}
