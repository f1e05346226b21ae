/**
 * The session list (SPEC Q3–Q5): one `<tr>` per queue row (the page and the live stream
 * send the same HTML) and the technician's session tabs. Rows carry their times as ISO
 * data attributes; static/console.js ticks them, so a rendered row stays valid and can be
 * shared between consoles (see `renderRows` in row_cache.tsx).
 */
import { noDesktopWords, type QueueRow } from "../support/mod.ts";
import { translateStored } from "./workspace_views.tsx";
import { actionsFor, type RowAction, type RowContext, URGENT_STATUSES } from "./queue_context.ts";
import { keepsEndedTab, TAB_STATUSES, WORKING_STATUSES } from "../sessions/mod.ts";

/**
 * An own row with a session tab (SPEC Q5): worked now, or closed by the customer or timed out
 * while worked — that tab stays, read-only, until End clears the row.
 */
const hasTab = (row: QueueRow) =>
  row.visibility === "own" && (TAB_STATUSES.has(row.entry.status) || keepsEndedTab(row.entry));
const sessionUrl = (id: string) => `/console/sessions/${id}`;

export function QueueHead(props: { ctx: RowContext }) {
  const { t, fields } = props.ctx;
  return (
    <thead>
      <tr>
        <th class="c-name" data-col="name">{t("console.col_name")}</th>
        <th class="c-number" data-col="number">{t("console.col_number")}</th>
        <th class="c-status" data-col="status">{t("console.col_status")}</th>
        <th class="c-time" data-col="time">{t("console.col_time")}</th>
        <th class="c-total" data-col="total">{t("console.col_total")}</th>
        <th class="c-channel" data-col="channel">{t("console.col_channel")}</th>
        {fields.map((f) => <th class="c-field" data-col={`field-${f.id}`}>{f.label}</th>)}
        <th class="c-note" data-col="note">{t("console.col_note")}</th>
        <th class="c-actions">
          <span class="visually-hidden">{t("console.col_actions")}</span>
        </th>
      </tr>
    </thead>
  );
}

export function QueueRowView(props: { row: QueueRow; ctx: RowContext }) {
  const { row, ctx } = props;
  const { session, entry } = row;
  const t = ctx.t;
  const since = entry.statusSince.toISOString();
  const urgentAt = URGENT_STATUSES.has(entry.status)
    ? new Date(entry.statusSince.getTime() + ctx.urgentAfterMinutes * 60_000).toISOString()
    : undefined;
  const editable = row.visibility === "own" && ctx.may.inlineEdit &&
    WORKING_STATUSES.has(entry.status);
  const from = entry.fromUserId ? row.names.get(entry.fromUserId) : undefined;
  const owner = row.visibility === "monitored" && entry.userId
    ? row.names.get(entry.userId)
    : undefined;
  return (
    <tr
      data-session={session.id}
      data-entry={entry.id}
      data-status={entry.status}
      data-kind={session.kind}
      data-visibility={row.visibility}
      data-owner={row.visibility === "monitored" ? entry.userId ?? undefined : undefined}
      data-number={String(session.number)}
      data-status-since={since}
      data-created-at={session.createdAt.toISOString()}
      data-urgent-at={urgentAt}
      data-has-tab={hasTab(row) ? "1" : undefined}
      data-working={WORKING_STATUSES.has(entry.status) ? "1" : undefined}
      class={entry.status === "connecting" ? "pending" : undefined}
      tabindex={0}
    >
      <EditableCell
        col="name"
        class="c-name"
        sessionId={session.id}
        name="customerName"
        value={session.customerName}
        maxLength={100}
        editable={editable}
        ctx={ctx}
      />
      <td class="c-number mono" data-col="number">{String(session.number)}</td>
      <td class="c-status" data-col="status">{translateStored(t, `status.${entry.status}`)}</td>
      <td class="c-time" data-col="time">
        <time class="ticker" data-since={since} datetime={since}></time>
      </td>
      <td class="c-total" data-col="total">
        <time class="ticker" data-since={session.createdAt.toISOString()}></time>
      </td>
      <td class="c-channel" data-col="channel">{row.channelName ?? ""}</td>
      {ctx.fields.map((f) => (
        <EditableCell
          col={`field-${f.id}`}
          class="c-field"
          sessionId={session.id}
          name={`f_${f.id}`}
          value={session.fields[f.id] ?? ""}
          maxLength={500}
          editable={editable}
          ctx={ctx}
        />
      ))}
      <td class="c-note" data-col="note">
        {from && <span class="from">{t("console.fromName", { name: from })}</span>}
        {entry.note && <span class="note">{entry.note}</span>}
        {owner && <span class="owner">{t("console.ownedBy", { name: owner })}</span>}
        {session.noDesktop && (
          <span
            class="no-desktop"
            data-no-desktop={session.noDesktop.reason}
            title={noDesktopWords(t, session.noDesktop)}
          >
            {t("console.noDesktop")}
          </span>
        )}
      </td>
      <td class="c-actions">
        <div class="row-actions">
          {actionsFor(row, ctx).map((action) => (
            <ActionButton action={action} sessionId={session.id} ctx={ctx} />
          ))}
          <button
            type="button"
            class="link small"
            data-copy-row
            title={t("console.copyRow")}
          >
            {t("console.copyRowShort")}
          </button>
        </div>
      </td>
    </tr>
  );
}

function ActionButton(props: { action: RowAction; sessionId: string; ctx: RowContext }) {
  const { action, sessionId, ctx } = props;
  const label = ctx.t(`console.action_${action}`);
  if (action === "transfer") {
    return (
      <button
        type="button"
        class="secondary small"
        data-action="transfer"
        hx-get={`${sessionUrl(sessionId)}/transfer`}
        hx-target="#dialog"
      >
        {label}
      </button>
    );
  }
  return (
    <button
      type="button"
      class={action === "end" || action === "leave"
        ? "danger small"
        : action === "start" || action === "accept_lead"
        ? "small"
        : "secondary small"}
      data-action={action}
      hx-post={`${sessionUrl(sessionId)}/${action}`}
      hx-swap="none"
      data-confirm-end={action === "end" ? ctx.t("console.confirmEnd") : undefined}
    >
      {label}
    </button>
  );
}

/** A cell whose value the technician may change in place (SPEC Q3); static/console.js opens it. */
function EditableCell(
  props: {
    col: string;
    class: string;
    sessionId: string;
    name: string;
    value: string;
    maxLength: number;
    editable: boolean;
    ctx: RowContext;
  },
) {
  const { t } = props.ctx;
  // The whole value in a title: the narrow pane's card shows a long one on two lines at most.
  const title = props.value || undefined;
  if (!props.editable) {
    return <td class={props.class} data-col={props.col} title={title}>{props.value}</td>;
  }
  return (
    <td class={`${props.class} editable`} data-col={props.col} title={title}>
      <span class="value">{props.value}</span>
      <button type="button" class="link small" data-edit-cell aria-label={t("console.edit")}>
        ✎
      </button>
      <form
        class="edit-cell"
        hidden
        hx-post={`${sessionUrl(props.sessionId)}/fields`}
        hx-swap="none"
      >
        <input
          type="text"
          name={props.name}
          value={props.value}
          maxlength={props.maxLength}
          aria-label={t("console.edit")}
        />
        <button type="submit" class="small">{t("common.save")}</button>
      </form>
    </td>
  );
}

/**
 * The technician's own working sessions as tabs (SPEC Q5) over #workspaces; console.js keeps
 * them in step with the rows and loads each one's workspace into its own slot once.
 */
export function SessionTabs(props: { rows: QueueRow[]; ctx: RowContext }) {
  const t = props.ctx.t;
  const own = props.rows.filter(hasTab);
  return (
    <div
      id="session-tabs"
      class="session-tabs"
      role="tablist"
      aria-label={t("console.sessionTabs")}
    >
      {own.map((r) => (
        <SessionTab
          id={r.session.id}
          name={r.session.customerName}
          since={r.session.createdAt.toISOString()}
          held={r.entry.status === "on_hold"}
          ended={keepsEndedTab(r.entry)
            ? translateStored(t, `status.${r.entry.status}`)
            : undefined}
        />
      ))}
    </div>
  );
}

/**
 * One tab; static/console_tabs.js builds the same element for a tab that appears live. A tab
 * whose session ended says so (`ended`: the status in words) and is no active session.
 */
function SessionTab(
  props: { id: string; name: string; since: string; held: boolean; ended?: string },
) {
  return (
    <button
      type="button"
      role="tab"
      id={`tab-${props.id}`}
      aria-selected="false"
      aria-controls={`ws-${props.id}`}
      tabindex={-1}
      class={`session-tab${props.held ? " held" : ""}${props.ended ? " ended" : ""}`}
      title={props.name}
      data-tab-session={props.id}
      data-active-session={props.held || props.ended ? undefined : props.id}
    >
      <span class="tab-name">{props.name}</span>{" "}
      <span class="tab-ended" hidden={!props.ended}>{props.ended ?? ""}</span>{" "}
      <time class="ticker" data-since={props.since}></time>
    </button>
  );
}
