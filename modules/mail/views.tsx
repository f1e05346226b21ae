import type { Context } from "hono";
import type { AppEnv } from "../http/mod.ts";
import { CsrfField, Flash, Layout } from "../../views/layout.tsx";
import { type listOutbox, MAIL_STATUSES, type MailStatus, type OutboxRow } from "./outbox.ts";

type Ctx = Context<AppEnv>;
type TranslationKey = Parameters<AppEnv["Variables"]["t"]>[0];

const STATUS_LABEL: Record<MailStatus, TranslationKey> = {
  pending: "mail.statusPending",
  held: "mail.statusHeld",
  sent: "mail.statusSent",
  failed: "mail.statusFailed",
};

export interface Notice {
  kind: "error" | "info";
  message: string;
}

interface ListProps {
  c: Ctx;
  result: Awaited<ReturnType<typeof listOutbox>>;
  status?: MailStatus;
  notice?: Notice;
}

function _time(d: Date | null) {
  if (!d) return <span class="muted">—</span>;
  return <time datetime={d.toISOString()}>{d.toISOString().replace("T", " ").slice(0, 19)}</time>;
}

/** The outbox: what SMTP is doing, a status filter, the table, and "send all held". */
export function OutboxPage(props: ListProps & { smtpConfigured: boolean }) {
  const { c } = props;
  const t = c.get("t");
  return (
    <Layout c={c} title={t("mail.title")}>
      <h1>{t("mail.title")}</h1>
      <p class="muted">{t("mail.intro")}</p>
      {!props.smtpConfigured && <Flash kind="error" message={t("mail.smtpMissingHint")} />}
      <div class="row">
        <form
          class="card row"
          method="get"
          action="/admin/outbox"
          hx-get="/admin/outbox"
          hx-target="#outbox-table"
          hx-push-url="true"
        >
          <div>
            <label for="f-status">{t("mail.status")}</label>
            <select id="f-status" name="status">
              <option value="">{t("mail.anyStatus")}</option>
              {MAIL_STATUSES.map((s) => (
                <option value={s} selected={props.status === s}>{t(STATUS_LABEL[s])}</option>
              ))}
            </select>
          </div>
          <button type="submit">{t("mail.filter")}</button>
        </form>
        <form
          method="post"
          action="/admin/outbox/resend-held"
          hx-post="/admin/outbox/resend-held"
          hx-target="#outbox-table"
        >
          <CsrfField c={c} />
          <button type="submit" class="secondary">{t("mail.resendHeld")}</button>
        </form>
      </div>
      <div id="outbox-table">
        <OutboxTable {...props} />
      </div>
    </Layout>
  );
}

/** The table with its pager; the page embeds it and htmx swaps it on filter and paging. */
export function OutboxTable({ c, result, status, notice }: ListProps) {
  const t = c.get("t");
  const pages = Math.max(1, Math.ceil(result.total / result.pageSize));
  const link = (page: number) => {
    const params = new URLSearchParams({ ...(status ? { status } : {}), page: String(page) });
    return `/admin/outbox?${params}`;
  };
  return (
    <div>
      <Flash kind={notice?.kind ?? "info"} message={notice?.message} />
      <table>
        <thead>
          <tr>
            <th>{t("mail.created")}</th>
            <th>{t("mail.kind")}</th>
            <th>{t("mail.to")}</th>
            <th>{t("mail.subject")}</th>
            <th>{t("mail.status")}</th>
            <th>{t("mail.attempts")}</th>
            <th>{t("mail.lastError")}</th>
            <th>{t("mail.sent")}</th>
            <th>{t("mail.actions")}</th>
          </tr>
        </thead>
        <tbody>
          {result.rows.length === 0 && (
            <tr>
              <td colspan={9} class="muted">{t("mail.empty")}</td>
            </tr>
          )}
          {result.rows.map((row) => <OutboxRowView c={c} row={row} />)}
        </tbody>
      </table>
      <nav class="pager" aria-label={t("mail.pages")}>
        {result.page > 1 && <a href={link(result.page - 1)}>{t("mail.newer")}</a>}
        <span>{t("mail.pageOf", { page: result.page, pages, total: result.total })}</span>
        {result.page < pages && <a href={link(result.page + 1)}>{t("mail.older")}</a>}
      </nav>
    </div>
  );
}

/** One message as a table row; resending swaps just this row. */
export function OutboxRowView({ c, row }: { c: Ctx; row: OutboxRow }) {
  const t = c.get("t");
  const href = `/admin/outbox/${row.id}`;
  return (
    <tr id={`mail-${row.id}`}>
      <td>{_time(row.createdAt)}</td>
      <td>{row.kind}</td>
      <td>{row.toAddress}</td>
      <td>
        <a href={href}>{row.subject}</a>
      </td>
      <td>{t(STATUS_LABEL[row.status])}</td>
      <td>{row.attempts}</td>
      <td class="muted">{row.lastError ?? ""}</td>
      <td>{_time(row.sentAt)}</td>
      <td>
        <form
          class="inline"
          method="post"
          action={`${href}/resend`}
          hx-post={`${href}/resend`}
          hx-target="closest tr"
          hx-swap="outerHTML"
        >
          <CsrfField c={c} />
          <button type="submit" class="link">{t("mail.resend")}</button>
        </form>
      </td>
    </tr>
  );
}

/** One message in full. The HTML body is shown as escaped source, never rendered. */
export function MessagePage({ c, row, notice }: { c: Ctx; row: OutboxRow; notice?: Notice }) {
  const t = c.get("t");
  return (
    <Layout c={c} title={`${t("mail.message")} · ${row.subject}`}>
      <p>
        <a href="/admin/outbox">{t("mail.back")}</a>
      </p>
      <Flash kind={notice?.kind ?? "info"} message={notice?.message} />
      <h1>{row.subject}</h1>
      <table>
        <tbody>
          <tr>
            <th>{t("mail.to")}</th>
            <td>{row.toAddress}</td>
          </tr>
          <tr>
            <th>{t("mail.kind")}</th>
            <td>{row.kind}</td>
          </tr>
          <tr>
            <th>{t("mail.status")}</th>
            <td>{t(STATUS_LABEL[row.status])}</td>
          </tr>
          <tr>
            <th>{t("mail.attempts")}</th>
            <td>{row.attempts}</td>
          </tr>
          <tr>
            <th>{t("mail.lastError")}</th>
            <td>{row.lastError ?? ""}</td>
          </tr>
          <tr>
            <th>{t("mail.created")}</th>
            <td>{_time(row.createdAt)}</td>
          </tr>
          <tr>
            <th>{t("mail.nextAttempt")}</th>
            <td>{_time(row.nextAttemptAt)}</td>
          </tr>
          <tr>
            <th>{t("mail.sent")}</th>
            <td>{_time(row.sentAt)}</td>
          </tr>
        </tbody>
      </table>
      <form method="post" action={`/admin/outbox/${row.id}/resend`}>
        <CsrfField c={c} />
        <button type="submit">{t("mail.resend")}</button>
      </form>
      <h2>{t("mail.textBody")}</h2>
      <pre class="card">{row.textBody}</pre>
      {row.htmlBody !== null && (
        <details>
          <summary>{t("mail.htmlBody")}</summary>
          <pre class="card">{row.htmlBody}</pre>
        </details>
      )}
    </Layout>
  );
}
