/**
 * The console page (SPEC Q1–Q5), one screen like a support console: the toolbar, the queue
 * pane (queue tabs, the session list), the technician's open sessions as tabs over
 * #workspaces, and the technician's own status in the header. The grid and its contract with
 * the workspace are described at the top of static/console.css; static/console.js makes it
 * live.
 */
import { raw } from "hono/html";
import type { Context } from "hono";
import type { AuthedEnv } from "../http/mod.ts";
import { can } from "../permissions/mod.ts";
import type { Presence } from "../org/mod.ts";
import type { QueueRow } from "../support/mod.ts";
import { CsrfField, Layout } from "../../views/layout.tsx";
import { CONNECTION_METHODS, type ConnectionMethod } from "./methods.ts";
import type { ConsoleOptions } from "./options.ts";
import { ConsoleOptionsData } from "./options_routes.tsx";
import type { RowContext } from "./queue_context.ts";
import { QueueHead, SessionTabs } from "./queue_views.tsx";

type C = Context<AuthedEnv>;

const QUEUE_TABS = ["all", "private", "channel", "active"] as const;
const TOOLBAR_ACTIONS = ["start", "end", "hold", "transfer"] as const;

export function ConsoleHome(
  props: {
    c: C;
    rows: QueueRow[];
    rowsHtml: string[];
    ctx: RowContext;
    options: ConsoleOptions;
    now: Date;
    /** The technician's own presence (SPEC A5); undefined outside a technician group. */
    presence?: Presence;
    /**
     * Whether the group tells its technicians about monitoring (a notice, or asking first):
     * only then does the console listen for it. Silent monitoring needs no stream here.
     */
    monitoringShown?: boolean;
  },
) {
  const { c, ctx } = props;
  const t = c.get("t");
  const user = c.get("user");
  const isAdmin = user.role === "admin" || user.role === "master_admin";
  const tabs = isAdmin ? [...QUEUE_TABS, "monitored" as const] : QUEUE_TABS;
  const alert = (key: Parameters<typeof t>[0]) => t(key, { name: "{name}" });
  return (
    <Layout
      c={c}
      title={t("console.title")}
      stylesheets={["/static/console.css"]}
      status={<StatusControl c={c} presence={props.presence} />}
    >
      <ConsoleOptionsData options={props.options} />
      <div
        id="console-root"
        data-console
        data-server-now={props.now.toISOString()}
        data-msg-new-session={alert("console.alertNewSession")}
        data-msg-urgent={alert("console.alertUrgent")}
        data-msg-disconnected={alert("console.alertDisconnected")}
        data-msg-network-lost={alert("console.alertNetworkLost")}
        data-msg-chat={alert("console.alertChat")}
        data-msg-copied={t("console.copied")}
      >
        <h1 id="console-home" class="visually-hidden">{t("console.title")}</h1>
        {/* Monitoring (modules/monitoring): the notice while watched, and asks to allow it. */}
        {props.monitoringShown && (
          <div
            id="monitoring-notice"
            class="monitoring-notice"
            data-view="/monitoring/me"
            data-labels={JSON.stringify({
              asks: t("monitoring.asksYou", { name: "{name}" }),
              help: t("monitoring.asksYouHelp"),
              allow: t("monitoring.allow"),
              refuse: t("monitoring.refuse"),
            })}
            aria-live="polite"
          >
          </div>
        )}
        <Toolbar c={c} ctx={ctx} />
        <aside id="queue-pane" class="card queue-pane" aria-label={t("console.queueLabel")}>
          <div class="row queue-bar">
            <button
              type="button"
              class="secondary queue-collapse"
              data-queue-collapse
              aria-expanded="true"
              aria-controls="queue-body"
              title={t("console.queueHide")}
              data-label-hide={t("console.queueHide")}
              data-label-show={t("console.queueShow")}
            >
              <span aria-hidden="true" data-when="open">«</span>
              <span aria-hidden="true" data-when="closed">»</span>
              <span class="visually-hidden" data-collapse-label>{t("console.queueHide")}</span>
            </button>
            <div class="queue-tabs" role="tablist" aria-label={t("console.queueLabel")}>
              {tabs.map((tab, i) => (
                <button
                  type="button"
                  role="tab"
                  class="tab"
                  data-tab={tab}
                  aria-selected={i === 0 ? "true" : "false"}
                  tabindex={i === 0 ? 0 : -1}
                >
                  {t(`console.tab_${tab}`)}
                </button>
              ))}
            </div>
            <ColumnChooser c={c} ctx={ctx} />
          </div>
          <div id="queue-body" class="queue-body">
            {/* The Monitored tab: whom this admin monitors now (modules/monitoring). */}
            {isAdmin && (
              <div
                id="monitored-panel"
                class="monitored-panel"
                hidden
                hx-get="/monitoring/mine"
                hx-trigger="load, every 15s"
              >
              </div>
            )}
            <table id="queue" class="queue-table">
              <QueueHead ctx={ctx} />
              <tbody>{raw(props.rowsHtml.join(""))}</tbody>
            </table>
            <p id="queue-empty" class="muted" hidden={props.rows.length > 0}>
              {t("console.empty")}
            </p>
          </div>
        </aside>
        <div
          class="queue-resize"
          role="separator"
          tabindex={0}
          aria-orientation="vertical"
          aria-controls="queue-pane"
          aria-label={t("console.queueResize")}
          data-queue-resize
        >
        </div>
        <section class="sessions" aria-label={t("console.sessionTabs")}>
          <SessionTabs rows={props.rows} ctx={ctx} />
          <div id="workspaces" class="workspaces">
            <p class="muted workspaces-hint" data-workspaces-hint>{t("console.panelHint")}</p>
          </div>
        </section>
        <div id="new-session"></div>
        <div id="dialog"></div>
        <ShortcutHelp c={c} />
      </div>
      <script type="module" src="/static/console.js"></script>
      {props.monitoringShown && <script type="module" src="/static/monitoring_notice.js"></script>}
    </Layout>
  );
}

/**
 * The technician's own status in the header: Online or Away to choose (SPEC A5), and what the
 * others see when that differs — Busy at the group's session limit.
 */
function StatusControl(props: { c: C; presence?: Presence }) {
  const t = props.c.get("t");
  const presence = props.presence;
  const chosen = presence === "away" ? "away" : "online";
  return (
    <form method="post" action="/status" class="status-control" hx-post="/status" hx-swap="none">
      <CsrfField c={props.c} />
      <label for="my-status">{t("nav.status")}</label>
      <select id="my-status" name="status" data-autosubmit data-presence={chosen}>
        <option value="online" selected={chosen === "online"}>{t("presence.online")}</option>
        <option value="away" selected={chosen === "away"}>{t("presence.away")}</option>
      </select>
      {(presence === "busy" || presence === "offline") && (
        <span class={`presence ${presence}`} id="my-presence">{t(`presence.${presence}`)}</span>
      )}
      <noscript>
        <button type="submit" class="secondary small">{t("common.save")}</button>
      </noscript>
    </form>
  );
}

/** Alt+letter: reachable on every layout, and none is a browser shortcut Chromium keeps. */
const SHORTCUTS = [
  ["Alt+N", "console.shortcutNext"],
  ["Alt+S", "console.shortcutStart"],
  ["Alt+E", "console.shortcutEnd"],
  ["Alt+C", "console.shortcutChat"],
  ["Alt+T", "console.shortcutTab"],
  ["Alt+Q", "console.shortcutQueue"],
  ["?", "console.shortcutHelp"],
] as const;

function ShortcutHelp(props: { c: C }) {
  const t = props.c.get("t");
  return (
    <div id="shortcut-help" class="shortcut-help" popover="auto" aria-labelledby="shortcut-title">
      <h2 id="shortcut-title">{t("console.shortcuts")}</h2>
      <dl>
        {SHORTCUTS.map(([keys, label]) => (
          <>
            <dt>
              {keys.split("+").map((key, i) => (
                <>
                  {i > 0 && "+"}
                  <kbd>{key}</kbd>
                </>
              ))}
            </dt>
            <dd>{t(label)}</dd>
          </>
        ))}
      </dl>
      <button type="button" class="secondary" popovertarget="shortcut-help">
        {t("console.close")}
      </button>
    </div>
  );
}

function Toolbar(props: { c: C; ctx: RowContext }) {
  const { c, ctx } = props;
  const t = c.get("t");
  const user = c.get("user");
  const mayStart = can(user, "startPrivate");
  const granted = { start: true, end: true, hold: ctx.may.hold, transfer: ctx.may.transfer };
  return (
    <div class="toolbar card console-toolbar" role="toolbar" aria-label={t("console.toolbar")}>
      <span class="toolbar-label">{t("console.newSession")}</span>
      {(Object.keys(CONNECTION_METHODS) as ConnectionMethod[]).map((method) => {
        const allowed = mayStart && can(user, CONNECTION_METHODS[method]);
        return (
          <button
            type="button"
            data-method={method}
            disabled={!allowed}
            title={allowed ? undefined : t("console.notAllowed")}
            hx-get={allowed ? `/console/new-session?method=${method}` : undefined}
            hx-target="#new-session"
          >
            {t(`console.method_${method}`)}
          </button>
        );
      })}
      <span class="toolbar-gap"></span>
      {TOOLBAR_ACTIONS.map((action) => (
        <button
          type="button"
          class="secondary"
          data-toolbar-action={action}
          data-granted={granted[action] ? "1" : undefined}
          disabled
          title={granted[action] ? t("console.selectFirst") : t("console.notAllowed")}
        >
          {t(`console.action_${action}`)}
        </button>
      ))}
      <span class="toolbar-end">
        {can(user, "unattendedAccess") && <a href="/console/computers">{t("unattended.toolbar")}
        </a>}
        {(user.role === "admin" || user.role === "master_admin") && (
          <a href="/monitoring" data-monitoring-link>{t("monitoring.toolbar")}</a>
        )}
        {
          /* Pages to set things up, not to work a session: one menu keeps the toolbar one row
          (in Dutch at 1366 px their two links wrapped it onto a second). */
        }
        <details class="menu toolbar-menu" data-menu>
          <summary>{t("console.settingsMenu")}</summary>
          <div class="menu-list">
            <a href="/console/replies">{t("console.replies")}</a>
            <a href="/console/options">{t("console.options")}</a>
          </div>
        </details>
        <button
          type="button"
          class="secondary shortcut-button"
          popovertarget="shortcut-help"
          aria-keyshortcuts="?"
          title={t("console.shortcuts")}
        >
          <span aria-hidden="true">?</span>
          <span class="visually-hidden">{t("console.shortcuts")}</span>
        </button>
      </span>
    </div>
  );
}

function ColumnChooser(props: { c: C; ctx: RowContext }) {
  const t = props.c.get("t");
  const columns: [string, string][] = [
    ["name", t("console.col_name")],
    ["number", t("console.col_number")],
    ["status", t("console.col_status")],
    ["time", t("console.col_time")],
    ["total", t("console.col_total")],
    ["channel", t("console.col_channel")],
    ...props.ctx.fields.map((f): [string, string] => [`field-${f.id}`, f.label]),
    ["note", t("console.col_note")],
  ];
  return (
    <details class="column-chooser">
      <summary title={t("console.columns")}>
        <span class="cc-icon" aria-hidden="true">☰</span>
        <span class="cc-label">{t("console.columns")}</span>
      </summary>
      <div class="column-list">
        {columns.map(([col, label]) => (
          <label class="check">
            <input type="checkbox" data-column-toggle={col} checked />
            {label}
          </label>
        ))}
      </div>
    </details>
  );
}
