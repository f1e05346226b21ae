import type { Child } from "hono/jsx";
import type { AppEnv, PageContext } from "../http/mod.ts";
import { CsrfField, Flash, Layout } from "../../views/layout.tsx";
import { Moment } from "../../views/moment.tsx";
import { OUTBOX_STATUSES, type OutboxPage, type OutboxStatus } from "./store.ts";

type Ctx = PageContext;
type TranslationKey = Parameters<AppEnv["Variables"]["t"]>[0];

/**
 * The locale namespace of an outbox's admin pages. Each has the same keys: `title`, `intro`,
 * `secretsHidden`, `status`, `anyStatus`, `statusPending`/`Held`/`Sent`/`Failed`, `filter`,
 * `resendHeld`,
 * `resend`, `empty`, `pages`, `newer`, `older`, `pageOf` (the compiler checks them).
 */
export type OutboxNamespace = "mail" | "sms";

const STATUS_KEY = {
  pending: "statusPending",
  held: "statusHeld",
  sent: "statusSent",
  failed: "statusFailed",
} as const;

export interface Notice {
  kind: "error" | "info";
  message: string;
}

/** What sets one outbox's admin list apart: where it lives, its words and its columns. */
export interface OutboxListView<Row> {
  ns: OutboxNamespace;
  /** Where the list is mounted ("/admin/outbox"); filter, pager and resend-held use it. */
  path: string;
  /** The id of the element htmx swaps on filter, paging and resend-held. */
  tableId: string;
  /** The warning shown while nothing is configured to send with. */
  missingHint: TranslationKey;
  /** The column headings, the last one over the resend buttons. */
  headings: TranslationKey[];
  /** One message as a `<tr>`; `ResendCell` gives its last cell. */
  Row(props: { c: Ctx; row: Row }): Child;
}

export interface OutboxListProps<Row> {
  c: Ctx;
  result: OutboxPage<Row>;
  status?: OutboxStatus;
  notice?: Notice;
}

/** A moment in the page's language (`Moment`), or a muted dash. */
export function outboxTime(c: Ctx, d: Date | null) {
  if (!d) return <span class="muted">—</span>;
  return <Moment lang={c.get("lang")} at={d} style="dateTime" />;
}

/** The status as the outbox's locale words it. */
export function outboxStatusLabel(c: Ctx, ns: OutboxNamespace, status: OutboxStatus): string {
  return c.get("t")(`${ns}.${STATUS_KEY[status]}`);
}

/** The page, or for htmx just the table it is built from (`Vary: HX-Request`). */
export function renderOutboxList<Row>(
  c: Ctx,
  options: { view: OutboxListView<Row>; props: OutboxListProps<Row>; configured(): boolean },
) {
  const { view, props } = options;
  c.header("Vary", "HX-Request");
  if (c.req.header("hx-request") === "true") {
    return c.html(<OutboxListTable {...props} view={view} />);
  }
  return c.html(<OutboxListPage {...props} view={view} configured={options.configured()} />);
}

/** An outbox: whether it can send, a status filter, the table, and "send all held". */
export function OutboxListPage<Row>(
  props: OutboxListProps<Row> & { view: OutboxListView<Row>; configured: boolean },
) {
  const { c, view } = props;
  const { ns, path } = view;
  const t = c.get("t");
  return (
    <Layout c={c} title={t(`${ns}.title`)}>
      <h1>{t(`${ns}.title`)}</h1>
      <p class="muted">{t(`${ns}.intro`)}</p>
      <p class="muted">{t(`${ns}.secretsHidden`)}</p>
      {!props.configured && <Flash kind="error" message={t(view.missingHint)} />}
      <div class="row">
        <form
          class="card row"
          method="get"
          action={path}
          hx-get={path}
          hx-target={`#${view.tableId}`}
          hx-push-url="true"
        >
          <div>
            <label for="f-status">{t(`${ns}.status`)}</label>
            <select id="f-status" name="status">
              <option value="">{t(`${ns}.anyStatus`)}</option>
              {OUTBOX_STATUSES.map((s) => (
                <option value={s} selected={props.status === s}>
                  {outboxStatusLabel(c, ns, s)}
                </option>
              ))}
            </select>
          </div>
          <button type="submit">{t(`${ns}.filter`)}</button>
        </form>
        <form
          method="post"
          action={`${path}/resend-held`}
          hx-post={`${path}/resend-held`}
          hx-target={`#${view.tableId}`}
        >
          <CsrfField c={c} />
          <button type="submit" class="secondary">{t(`${ns}.resendHeld`)}</button>
        </form>
      </div>
      <div id={view.tableId}>
        <OutboxListTable {...props} />
      </div>
    </Layout>
  );
}

/** The table with its pager; the page embeds it and htmx swaps it on filter and paging. */
export function OutboxListTable<Row>(
  { c, view, result, status, notice }: OutboxListProps<Row> & { view: OutboxListView<Row> },
) {
  const { ns } = view;
  const t = c.get("t");
  const pages = Math.max(1, Math.ceil(result.total / result.pageSize));
  const link = (page: number) => {
    const params = new URLSearchParams({ ...(status ? { status } : {}), page: String(page) });
    return `${view.path}?${params}`;
  };
  return (
    <div>
      <Flash kind={notice?.kind ?? "info"} message={notice?.message} />
      <table>
        <thead>
          <tr>
            {view.headings.map((key) => <th>{t(key)}</th>)}
          </tr>
        </thead>
        <tbody>
          {result.rows.length === 0 && (
            <tr>
              <td colspan={view.headings.length} class="muted">{t(`${ns}.empty`)}</td>
            </tr>
          )}
          {result.rows.map((row) => <view.Row c={c} row={row} />)}
        </tbody>
      </table>
      <nav class="pager" aria-label={t(`${ns}.pages`)}>
        {result.page > 1 && <a href={link(result.page - 1)}>{t(`${ns}.newer`)}</a>}
        <span>{t(`${ns}.pageOf`, { page: result.page, pages, count: result.total })}</span>
        {result.page < pages && <a href={link(result.page + 1)}>{t(`${ns}.older`)}</a>}
      </nav>
    </div>
  );
}

/** A row's last cell: "Resend", which posts to `action` and swaps the row for htmx. */
export function ResendCell({ c, ns, action }: { c: Ctx; ns: OutboxNamespace; action: string }) {
  return (
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
        <button type="submit" class="link">{c.get("t")(`${ns}.resend`)}</button>
      </form>
    </td>
  );
}
