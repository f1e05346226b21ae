/**
 * The Computers page (`/console/computers`): the devices this technician may reach with
 * nobody present, filtered by name and status, each with Connect and Remove access; the
 * approval requests this technician may decide. The list (`ComputerList`) is also the
 * fragment the page refreshes every few seconds (online/offline changes).
 */
import type { PageContext } from "../http/mod.ts";
import type { Translator } from "../i18n/mod.ts";
import { can } from "../permissions/mod.ts";
import { CsrfField, Flash, Layout } from "../../views/layout.tsx";
import { Moment } from "../../views/moment.tsx";
import type { Approval } from "./approvals.ts";
import { mayForgetHostKeys } from "./lan_keys.ts";
import type { ComputerFilter, ComputerRow } from "./computers.ts";
import { clockText } from "./describe.ts";
import type { AccessWindow } from "./schema.ts";
import { TICKET_MAX } from "./connect.ts";
import { toolList } from "./request_views.tsx";

type C = PageContext;
export type ApprovalMode = "none" | "approval" | "ticket";

export interface ComputersProps {
  c: C;
  rows: ComputerRow[];
  filter: ComputerFilter;
  mode: ApprovalMode;
  mine: Map<string, Approval>;
  pending: { approval: Approval; requester: string; device: string }[];
  flash?: { kind: "error" | "info"; message: string };
}

/** The window in words in the page's language (weekday names from Intl). */
export function windowText(t: Translator, lang: string, window: AccessWindow, zone: string) {
  const day = (d: number) =>
    new Intl.DateTimeFormat(lang, { weekday: "short", timeZone: "UTC" })
      .format(new Date(Date.UTC(2026, 0, 4 + d)));
  const date = (iso?: string) =>
    iso
      ? new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short", timeZone: zone })
        .format(new Date(iso))
      : "";
  switch (window.kind) {
    case "unlimited":
      return t("unattended.window.unlimited");
    case "days":
    case "range":
      return t("unattended.window.range", {
        from: date(window.fromAt),
        until: date(window.untilAt),
        zone,
      });
    case "daily":
      return t("unattended.window.daily", {
        days: (window.weekdays ?? []).map(day).join(", "),
        from: clockText(window.startMinute ?? 0),
        until: clockText(window.endMinute ?? 0),
        zone,
      });
  }
}

export function ComputersPage(props: ComputersProps) {
  const { c, filter } = props;
  const t = c.get("t");
  return (
    <Layout c={c} title={t("unattended.title")}>
      <h1>{t("unattended.title")}</h1>
      <p class="muted">{t("unattended.intro")}</p>
      <Flash kind={props.flash?.kind ?? "info"} message={props.flash?.message} />
      <form method="get" action="/console/computers" class="card row" role="search">
        <div>
          <label for="cf-name">{t("unattended.filterName")}</label>
          <input id="cf-name" type="search" name="name" maxlength={120} value={filter.name ?? ""} />
        </div>
        <div>
          <label for="cf-status">{t("unattended.filterStatus")}</label>
          <select id="cf-status" name="status">
            {(["all", "online", "offline"] as const).map((s) => (
              <option value={s} selected={(filter.status ?? "all") === s}>
                {t(`unattended.status.${s}`)}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">{t("unattended.filter")}</button>
      </form>
      <div
        id="computer-list"
        hx-get={`/console/computers?${new URLSearchParams({
          name: filter.name ?? "",
          status: filter.status ?? "all",
        })}`}
        hx-trigger="every 5s"
        hx-swap="outerHTML"
      >
        <ComputerList {...props} />
      </div>
      {props.pending.length > 0 && <Approvals c={c} pending={props.pending} />}
    </Layout>
  );
}

export function ComputerList(props: ComputersProps) {
  const { c, rows } = props;
  const t = c.get("t");
  const lang = c.get("lang");
  if (rows.length === 0) {
    return <p class="muted card" data-computers-empty>{t("unattended.none")}</p>;
  }
  return (
    <table class="card computers">
      <thead>
        <tr>
          <th scope="col">{t("unattended.name")}</th>
          <th scope="col">{t("unattended.os")}</th>
          <th scope="col">{t("unattended.state")}</th>
          <th scope="col">{t("unattended.lastSeen")}</th>
          <th scope="col">{t("unattended.window.title")}</th>
          <th scope="col">{t("unattended.actions")}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr data-computer={row.device.id} data-online={row.online ? "1" : "0"}>
            <th scope="row">{row.device.name}</th>
            <td>
              {row.device.os}
              {/* Said rather than left out: what an unattended connection cannot reach. */}
              <div
                class="muted"
                data-login-screen
                title={row.device.os === "linux"
                  ? t("unattended.loginScreen.linuxWhy")
                  : row.device.os === "windows"
                  ? t("unattended.loginScreen.windowsWhy")
                  : undefined}
              >
                {t(
                  row.device.os === "linux"
                    ? "unattended.loginScreen.linux"
                    : row.device.os === "windows"
                    ? "unattended.loginScreen.windows"
                    : "unattended.loginScreen.other",
                )}
              </div>
            </td>
            <td>
              <span class={`badge ${row.online ? "online" : "offline"}`}>
                {t(`unattended.status.${row.online ? "online" : "offline"}`)}
              </span>
            </td>
            <td>
              {row.online
                ? t("unattended.now")
                : row.device.lastSeenAt
                ? <Moment lang={lang} at={row.device.lastSeenAt} style="dateTime" />
                : t("unattended.never")}
            </td>
            <td>
              {windowText(t, lang, row.grant.window, row.grant.timeZone)}
              {/* What the customer left ticked at approval: the rest is refused. */}
              <div class="muted" data-grant-tools={row.grant.tools.join(" ")}>
                {t("unattendedRequest.toolsAllowed", { tools: toolList(t, lang, row.grant.tools) })}
              </div>
              {!row.verdict.ok && (
                <div class="muted">{t(`unattended.refused.${row.verdict.reason}`)}</div>
              )}
            </td>
            <td class="computer-actions">
              <ConnectForm {...props} row={row} />
              {/* LAN connect works through this computer: online and usable now. */}
              {can(c.get("user"), "lanConnect") && row.online && row.verdict.ok && (
                <div>
                  <a href={`/console/computers/${row.device.id}/lan`} data-lan-link>
                    {t("lan.link")}
                  </a>
                </div>
              )}
              {/* The SSH host keys LAN connect remembered through it (lan_keys.ts). */}
              {c.get("user") && mayForgetHostKeys(c.get("user")!) && (
                <div>
                  <a href={`/console/computers/${row.device.id}/host-keys`} data-host-keys-link>
                    {t("lan.keys.title")}
                  </a>
                </div>
              )}
              <RemoveForms c={c} row={row} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ConnectForm(props: ComputersProps & { row: ComputerRow }) {
  const { c, row, mode } = props;
  const t = c.get("t");
  const id = row.device.id;
  const mine = props.mine.get(id);
  if (mode === "approval" && mine?.state !== "approved") {
    return mine?.state === "pending"
      ? <p class="muted">{t("unattended.approvalWaiting")}</p>
      : (
        <form method="post" action={`/console/computers/${id}/approval`}>
          <CsrfField c={c} />
          {mine?.state === "declined" && <p class="muted">{t("unattended.approvalDeclined")}</p>}
          <label for={`ar-${id}`}>{t("unattended.approvalReason")}</label>
          <input id={`ar-${id}`} type="text" name="reason" maxlength={200} />
          <button type="submit">{t("unattended.askApproval")}</button>
        </form>
      );
  }
  return (
    <form method="post" action={`/console/computers/${id}/connect`}>
      <CsrfField c={c} />
      {mode === "ticket" && (
        <>
          <label for={`tk-${id}`}>{t("unattended.ticket")}</label>
          <input id={`tk-${id}`} type="text" name="ticket" required maxlength={TICKET_MAX} />
        </>
      )}
      {/* Only the Linux service types credentials into a login screen (login_screen.ts). */}
      {row.grant.authMode === "ask_each_time" && row.device.os === "linux" && (
        <SignInFields c={c} id={id} />
      )}
      {/* Offline or outside its window: the server would refuse; say so before the click. */}
      <button
        type="submit"
        data-connect={id}
        disabled={!row.online || !row.verdict.ok}
        title={!row.online
          ? t("unattended.refused.offline")
          : !row.verdict.ok
          ? t(`unattended.refused.${row.verdict.reason}`)
          : undefined}
      >
        {t("unattended.connect")}
      </button>
    </form>
  );
}

/**
 * "Credentials asked at every connection": the customer's OS credentials for its login screen,
 * optional (without them the technician signs in by controlling the screen), folded away
 * until asked for. Sent to the computer with the connection, typed there once, kept nowhere.
 */
function SignInFields(props: { c: C; id: string }) {
  const t = props.c.get("t");
  const { id } = props;
  return (
    <details class="sign-in" data-sign-in={id}>
      <summary>{t("unattended.signIn.legend")}</summary>
      <label for={`su-${id}`}>{t("unattended.signIn.user")}</label>
      <input id={`su-${id}`} type="text" name="osUser" maxlength={64} autocomplete="off" />
      <label for={`sp-${id}`}>{t("unattended.signIn.password")}</label>
      <input
        id={`sp-${id}`}
        type="password"
        name="osPassword"
        maxlength={512}
        autocomplete="off"
      />
      <p class="muted">{t("unattended.signIn.help")}</p>
    </details>
  );
}

function RemoveForms(props: { c: C; row: ComputerRow }) {
  const { c, row } = props;
  const t = c.get("t");
  const action = `/console/computers/${row.device.id}/remove`;
  const user = c.get("user");
  const mayAll = row.owner || user?.role === "admin" || user?.role === "master_admin";
  return (
    <details class="remove-access">
      <summary>{t("unattended.remove")}</summary>
      {mayAll && (
        <form method="post" action={action}>
          <CsrfField c={c} />
          <input type="hidden" name="scope" value="everyone" />
          <button type="submit" class="danger" data-remove="everyone">
            {t("unattended.removeEveryone")}
          </button>
        </form>
      )}
      {row.shared && (
        <form method="post" action={action}>
          <CsrfField c={c} />
          <input type="hidden" name="scope" value="me" />
          <button type="submit" data-remove="me">{t("unattended.removeMe")}</button>
        </form>
      )}
    </details>
  );
}

function Approvals(props: { c: C; pending: ComputersProps["pending"] }) {
  const t = props.c.get("t");
  return (
    <section class="card">
      <h2>{t("unattended.approvals")}</h2>
      <ul>
        {props.pending.map(({ approval, requester, device }) => (
          <li>
            {t("unattended.approvalAsked", { requester, device })}
            {approval.reason && <q>{approval.reason}</q>}
            <form method="post" action={`/console/computers/approvals/${approval.id}`}>
              <CsrfField c={props.c} />
              <button type="submit" name="decision" value="approve">
                {t("unattended.approve")}
              </button>
              <button type="submit" name="decision" value="decline">
                {t("unattended.decline")}
              </button>
            </form>
          </li>
        ))}
      </ul>
    </section>
  );
}
