import type { Context } from "hono";
import type { AppEnv } from "../http/mod.ts";
import { CsrfField, Flash, Layout } from "../../views/layout.tsx";
import { type listSms, SMS_STATUSES, type SmsRow, type SmsStatus } from "./outbox.ts";

type Ctx = Context<AppEnv>;
type TranslationKey = Parameters<AppEnv["Variables"]["t"]>[0];

const STATUS_LABEL: Record<SmsStatus, TranslationKey> = {
  pending: "sms.statusPending",
  held: "sms.statusHeld",
  sent: "sms.statusSent",
  failed: "sms.statusFailed",
};

export interface Notice {
  kind: "error" | "info";
  message: string;
}

export interface ListProps {
  c: Ctx;
  result: Awaited<ReturnType<typeof listSms>>;
  status?: SmsStatus;
  notice?: Notice;
}

function _time(d: Date | null) {
  if (!d) return <span class="muted">—</span>;
  return <time datetime={d.toISOString()}>{d.toISOString().replace("T", " ").slice(0, 19)}</time>;
}

/** The SMS outbox: whether a gateway is set, a status filter, the table, "send all held". */
export function SmsPage(props: ListProps & { gatewayConfigured: boolean }) {
  const { c } = props;
  const t = c.get("t");
  return (
    <Layout c={c} title={t("sms.title")}>
      <h1>{t("sms.title")}</h1>
      <p class="muted">{t("sms.intro")}</p>
      {!props.gatewayConfigured && <Flash kind="error" message={t("sms.gatewayMissingHint")} />}
      <div class="row">
        <form
          class="card row"
          method="get"
          action="/admin/sms"
          hx-get="/admin/sms"
          hx-target="#sms-table"
          hx-push-url="true"
        >
          <div>
            <label for="f-status">{t("sms.status")}</label>
            <select id="f-status" name="status">
              <option value="">{t("sms.anyStatus")}</option>
              {SMS_STATUSES.map((s) => (
                <option value={s} selected={props.status === s}>{t(STATUS_LABEL[s])}</option>
              ))}
            </select>
          </div>
          <button type="submit">{t("sms.filter")}</button>
        </form>
        <form
          method="post"
          action="/admin/sms/resend-held"
          hx-post="/admin/sms/resend-held"
          hx-target="#sms-table"
        >
          <CsrfField c={c} />
          <button type="submit" class="secondary">{t("sms.resendHeld")}</button>
        </form>
      </div>
      <div id="sms-table">
        <SmsTable {...props} />
      </div>
    </Layout>
  );
}

/** The table with its pager; the page embeds it and htmx swaps it on filter and paging. */
export function SmsTable({ c, result, status, notice }: ListProps) {
  const t = c.get("t");
  const pages = Math.max(1, Math.ceil(result.total / result.pageSize));
  const link = (page: number) => {
    const params = new URLSearchParams({ ...(status ? { status } : {}), page: String(page) });
    return `/admin/sms?${params}`;
  };
  return (
    <div>
      <Flash kind={notice?.kind ?? "info"} message={notice?.message} />
      <table>
        <thead>
          <tr>
            <th>{t("sms.created")}</th>
            <th>{t("sms.to")}</th>
            <th>{t("sms.body")}</th>
            <th>{t("sms.status")}</th>
            <th>{t("sms.attempts")}</th>
            <th>{t("sms.lastError")}</th>
            <th>{t("sms.nextAttempt")}</th>
            <th>{t("sms.sent")}</th>
            <th>{t("sms.actions")}</th>
          </tr>
        </thead>
        <tbody>
          {result.rows.length === 0 && (
            <tr>
              <td colspan={9} class="muted">{t("sms.empty")}</td>
            </tr>
          )}
          {result.rows.map((row) => <SmsRowView c={c} row={row} />)}
        </tbody>
      </table>
      <nav class="pager" aria-label={t("sms.pages")}>
        {result.page > 1 && <a href={link(result.page - 1)}>{t("sms.newer")}</a>}
        <span>{t("sms.pageOf", { page: result.page, pages, total: result.total })}</span>
        {result.page < pages && <a href={link(result.page + 1)}>{t("sms.older")}</a>}
      </nav>
    </div>
  );
}

/**
 * One message as a table row, the text in full so an admin can copy a held message to
 * the customer by hand; resending swaps just this row.
 */
export function SmsRowView({ c, row }: { c: Ctx; row: SmsRow }) {
  const t = c.get("t");
  const action = `/admin/sms/${row.id}/resend`;
  return (
    <tr id={`sms-${row.id}`}>
      <td>{_time(row.createdAt)}</td>
      <td>
        <code>{row.toNumber}</code>
      </td>
      <td>
        <code>{row.body}</code>
      </td>
      <td>{t(STATUS_LABEL[row.status])}</td>
      <td>{row.attempts}</td>
      <td class="muted">{row.lastError ?? ""}</td>
      <td>{_time(row.nextAttemptAt)}</td>
      <td>{_time(row.sentAt)}</td>
      <td>
        <form
          class="inline"
          method="post"
          action={action}
          hx-post={action}
          hx-target="closest tr"
          hx-swap="outerHTML"
        >
          <CsrfField c={c} />
          <button type="submit" class="link">{t("sms.resend")}</button>
        </form>
      </td>
    </tr>
  );
}
