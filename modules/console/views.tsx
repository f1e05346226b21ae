/**
 * The console page (SPEC Q1–Q5): toolbar, queue tabs, the session list, the technician's
 * session tabs and the panel a tab opens. static/console.js makes it live.
 */
import { raw } from "hono/html";
import type { Context } from "hono";
import type { AuthedEnv } from "../http/mod.ts";
import { can } from "../permissions/mod.ts";
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
  },
) {
  const { c, ctx } = props;
  const t = c.get("t");
  const user = c.get("user");
  const isAdmin = user.role === "admin" || user.role === "master_admin";
  const tabs = isAdmin ? [...QUEUE_TABS, "monitored" as const] : QUEUE_TABS;
  const alert = (key: Parameters<typeof t>[0]) => t(key, { name: "{name}" });
  return (
    <Layout c={c} title={t("console.title")}>
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
        <div class="row console-head">
          <h1 id="console-home">{t("console.title")}</h1>
          <span class="muted">{t("console.welcome", { name: user.name })}</span>
        </div>
        <Toolbar c={c} ctx={ctx} />
        <div id="new-session"></div>
        <div id="dialog"></div>
        <section class="card queue" aria-label={t("console.queueLabel")}>
          <div class="row queue-bar">
            <div class="queue-tabs" role="tablist" aria-label={t("console.queueLabel")}>
              {tabs.map((tab, i) => (
                <button
                  type="button"
                  role="tab"
                  class="tab"
                  data-tab={tab}
                  aria-selected={i === 0 ? "true" : "false"}
                >
                  {t(`console.tab_${tab}`)}
                </button>
              ))}
            </div>
            <ColumnChooser c={c} ctx={ctx} />
          </div>
          <div class="table-scroll">
            <table id="queue" class="queue-table">
              <QueueHead ctx={ctx} />
              <tbody>{raw(props.rowsHtml.join(""))}</tbody>
            </table>
          </div>
          <p id="queue-empty" class="muted" hidden={props.rows.length > 0}>
            {t("console.empty")}
          </p>
        </section>
        <SessionTabs rows={props.rows} ctx={ctx} />
        <section id="session-panel" class="session-panel" aria-live="polite">
          <p class="muted">{t("console.panelHint")}</p>
        </section>
      </div>
      <form method="post" action="/status" class="card row">
        <CsrfField c={c} />
        <span>{t("nav.status")}</span>
        <button type="submit" name="status" value="online" class="secondary">
          {t("nav.setOnline")}
        </button>
        <button type="submit" name="status" value="away" class="secondary">
          {t("nav.setAway")}
        </button>
      </form>
      <script type="module" src="/static/console.js"></script>
    </Layout>
  );
}

function Toolbar(props: { c: C; ctx: RowContext }) {
  const { c, ctx } = props;
  const t = c.get("t");
  const user = c.get("user");
  const mayStart = can(user, "startPrivate");
  const granted = { start: true, end: true, hold: ctx.may.hold, transfer: ctx.may.transfer };
  return (
    <div class="toolbar card" role="toolbar" aria-label={t("console.toolbar")}>
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
      <span class="toolbar-gap"></span>
      <a href="/console/replies">{t("console.replies")}</a>
      <a href="/console/options">{t("console.options")}</a>
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
      <summary>{t("console.columns")}</summary>
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
