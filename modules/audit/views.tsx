import type { PageContext } from "../http/mod.ts";
import { Layout } from "../../views/layout.tsx";
import { Moment } from "../../views/moment.tsx";
import { AUDIT_ACTIONS, type AuditRow, isAuditAction, type listAudit } from "./service.ts";

interface Props {
  c: PageContext;
  result: Awaited<ReturnType<typeof listAudit>>;
  query: Record<string, string>;
}

export function AuditPage(props: Props) {
  const t = props.c.get("t");
  const q = props.query;
  return (
    <Layout c={props.c} title={t("audit.title")}>
      <h1>{t("audit.title")}</h1>
      {props.c.get("user")?.role === "master_admin" && (
        <p class="row">
          <a href="/admin/audit/integrity">{t("audit.integrity.check")}</a>
          <a href={`/admin/audit/export.jsonl?${_filterQuery(q)}`} download>
            {t("audit.exportJsonl")}
          </a>
        </p>
      )}
      <form
        class="card row"
        method="get"
        action="/admin/audit"
        hx-get="/admin/audit"
        hx-target="#audit-table"
        hx-push-url="true"
      >
        <div>
          <label for="f-action">{t("audit.action")}</label>
          <select id="f-action" name="action">
            <option value="">{t("audit.anyAction")}</option>
            {AUDIT_ACTIONS.map((a) => (
              <option value={a} selected={q.action === a}>
                {_capitalised(t(`audit.actions.${a}`))}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="f-actor">{t("audit.actor")}</label>
          <input id="f-actor" type="text" name="actor" value={q.actor ?? ""} />
        </div>
        <div>
          <label for="f-from">{t("audit.from")}</label>
          <input id="f-from" type="date" name="from" value={q.from ?? ""} />
        </div>
        <div>
          <label for="f-to">{t("audit.to")}</label>
          <input id="f-to" type="date" name="to" value={q.to ?? ""} />
        </div>
        <button type="submit">{t("audit.filter")}</button>
      </form>
      <div id="audit-table">
        <AuditTable {...props} />
      </div>
    </Layout>
  );
}

export function AuditTable({ c, result, query }: Props) {
  const t = c.get("t");
  const pages = Math.max(1, Math.ceil(result.total / result.pageSize));
  const link = (page: number) => {
    const params = new URLSearchParams({ ...query, page: String(page) });
    return `/admin/audit?${params}`;
  };
  return (
    <div>
      <table>
        <thead>
          <tr>
            <th>{t("audit.when")}</th>
            <th>{t("audit.action")}</th>
            <th>{t("audit.ip")}</th>
            <th>{t("audit.details")}</th>
          </tr>
        </thead>
        <tbody>
          {result.rows.length === 0 && (
            <tr>
              <td colspan={4} class="muted">{t("audit.empty")}</td>
            </tr>
          )}
          {result.rows.map((row) => <AuditRowView c={c} row={row} />)}
        </tbody>
      </table>
      <nav class="pager" aria-label={t("audit.pages")}>
        {result.page > 1 && <a href={link(result.page - 1)}>{t("audit.newer")}</a>}
        <span>{t("audit.pageOf", { page: result.page, pages, count: result.total })}</span>
        {result.page < pages && <a href={link(result.page + 1)}>{t("audit.older")}</a>}
      </nav>
    </div>
  );
}

/**
 * One entry as a sentence — who did what to which named thing ("Anna created a group:
 * Helpdesk") — with the stored ids and details folded under "Raw data".
 */
function AuditRowView({ c, row }: { c: PageContext; row: AuditRow }) {
  const t = c.get("t");
  // An external technician is no user: its entries name it in their details (`external`).
  const external = (row.details as { external?: { name?: unknown } } | null)?.external?.name;
  const who = row.actorName ?? row.actorEmail ??
    (typeof external === "string"
      ? t("audit.external", { name: external })
      : row.actorId
      ? t("audit.someone")
      : t("audit.system"));
  const what = isAuditAction(row.action) ? t(`audit.actions.${row.action}`) : row.action;
  const session = row.targetSession;
  const target = row.targetName ??
    (session ? t("audit.session", { number: session.number, customer: session.customer }) : null);
  const raw = {
    action: row.action,
    actor: row.actorEmail ?? row.actorId,
    target: row.target,
    ...row.details,
  };
  const lensEnded = row.action === "lens.ended" ? _lensEnded(t, row.details) : null;
  return (
    <tr>
      <td>
        <Moment lang={t.lang} at={row.createdAt} style="dateTime" />
      </td>
      <td>
        {lensEnded ?? (
          <>
            <strong>{who}</strong> {what}
            {target && (
              <>
                : <em>{target}</em>
              </>
            )}
          </>
        )}
      </td>
      <td>{row.ip ?? ""}</td>
      <td>
        <details class="audit-raw">
          <summary>{t("audit.rawData")}</summary>
          <pre>{JSON.stringify(raw, null, 2)}</pre>
        </details>
      </td>
    </tr>
  );
}

const LENS_REASONS = ["technician", "customer", "lost", "expired", "abandoned"] as const;

/**
 * A Lens session's end as a sentence: whose session, how it ended and how long it ran, and the
 * customer's name if the technician gave one (modules/lens writes these details). The actor
 * alone would mislead: a session the customer ended has none ("System ended…").
 */
function _lensEnded(t: PageContext["var"]["t"], details: unknown) {
  const d = (details ?? {}) as Record<string, unknown>;
  const reason = LENS_REASONS.find((r) => r === d.reason);
  if (!reason || typeof d.technician !== "string" || typeof d.seconds !== "number") return null;
  const seconds = Math.max(0, Math.round(d.seconds));
  const duration = t("lens.duration", {
    minutes: Math.floor(seconds / 60),
    seconds: String(seconds % 60).padStart(2, "0"),
  });
  return (
    <span data-audit-lens={reason}>
      {t("audit.lensEnded", {
        technician: d.technician,
        how: t(`lens.endedHow.${reason}`),
        duration,
      })}
      {typeof d.customer === "string" && d.customer && (
        <>{" "}{t("audit.lensCustomer", { name: d.customer })}</>
      )}
    </span>
  );
}

/** The list's filters as a query string, for the export link. */
function _filterQuery(q: Record<string, string>): string {
  const keep = ["action", "actor", "from", "to"].filter((k) => q[k]);
  return new URLSearchParams(keep.map((k) => [k, q[k]])).toString();
}

function _capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
