import type { PageContext } from "../http/mod.ts";
import { Layout } from "../../views/layout.tsx";
import { AUDIT_ACTIONS, type listAudit } from "./service.ts";

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
            {AUDIT_ACTIONS.map((a) => <option value={a} selected={q.action === a}>{a}</option>)}
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
            <th>{t("audit.actor")}</th>
            <th>{t("audit.action")}</th>
            <th>{t("audit.target")}</th>
            <th>{t("audit.ip")}</th>
            <th>{t("audit.details")}</th>
          </tr>
        </thead>
        <tbody>
          {result.rows.length === 0 && (
            <tr>
              <td colspan={6} class="muted">{t("audit.empty")}</td>
            </tr>
          )}
          {result.rows.map((row) => (
            <tr>
              <td>
                <time datetime={row.createdAt.toISOString()}>
                  {row.createdAt.toISOString().replace("T", " ").slice(0, 19)}
                </time>
              </td>
              <td>{row.actorEmail ?? "—"}</td>
              <td>{row.action}</td>
              <td>{row.target ?? ""}</td>
              <td>{row.ip ?? ""}</td>
              <td class="muted">{JSON.stringify(row.details)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <nav class="pager" aria-label={t("audit.pages")}>
        {result.page > 1 && <a href={link(result.page - 1)}>{t("audit.newer")}</a>}
        <span>{t("audit.pageOf", { page: result.page, pages, total: result.total })}</span>
        {result.page < pages && <a href={link(result.page + 1)}>{t("audit.older")}</a>}
      </nav>
    </div>
  );
}
