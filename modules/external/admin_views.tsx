/** `/admin/external`: the approved external technicians, with add, change and remove. */
import type { PageContext } from "../http/mod.ts";
import { CsrfField, Flash, Layout } from "../../views/layout.tsx";
import type { ApprovedProblems, ApprovedTechnician } from "./approved.ts";

export interface ApprovedDraft {
  name: string;
  email: string;
  organisation: string;
}

export function ApprovedPage(props: {
  c: PageContext;
  rows: ApprovedTechnician[];
  editing?: ApprovedTechnician;
  draft?: ApprovedDraft;
  problems?: ApprovedProblems;
  error?: string;
  done?: string;
}) {
  const { c, rows, editing } = props;
  const t = c.get("t");
  return (
    <Layout c={c} title={t("external.admin.title")}>
      <h1>{t("external.admin.title")}</h1>
      <p class="muted">{t("external.admin.intro")}</p>
      <Flash kind="info" message={props.done} />
      <Flash kind="error" message={props.error} />
      <table class="external-list">
        <thead>
          <tr>
            <th>{t("external.admin.name")}</th>
            <th>{t("external.admin.email")}</th>
            <th>{t("external.admin.organisation")}</th>
            <th>{t("external.admin.actions")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colspan={4} class="muted">{t("external.admin.empty")}</td>
            </tr>
          )}
          {rows.map((row) => (
            <tr data-external={row.id}>
              <td>{row.name}</td>
              <td>{row.email}</td>
              <td>{row.organisation}</td>
              <td class="row tight">
                <a href={`/admin/external?edit=${row.id}`}>{t("external.admin.edit")}</a>
                <form method="post" action={`/admin/external/${row.id}/delete`} class="inline">
                  <CsrfField c={c} />
                  <button type="submit" class="link danger">{t("external.admin.remove")}</button>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ApprovedForm c={c} editing={editing} draft={props.draft} problems={props.problems} />
    </Layout>
  );
}

function ApprovedForm(props: {
  c: PageContext;
  editing?: ApprovedTechnician;
  draft?: ApprovedDraft;
  problems?: ApprovedProblems;
}) {
  const { c, editing } = props;
  const t = c.get("t");
  const v = props.draft ?? editing ?? { name: "", email: "", organisation: "" };
  const problems = props.problems ?? {};
  const field = (name: keyof ApprovedDraft, type = "text") => (
    <div>
      <label for={`x-${name}`}>{t(`external.admin.${name}`)}</label>
      <input
        id={`x-${name}`}
        name={name}
        type={type}
        value={v[name]}
        maxlength={name === "email" ? 254 : 100}
        required={name !== "organisation"}
        aria-invalid={problems[name] ? "true" : undefined}
      />
      {problems[name] && (
        <p class="field-error" role="alert">{t(`external.errors.${problems[name]}`)}</p>
      )}
    </div>
  );
  return (
    <form
      method="post"
      action={editing ? `/admin/external/${editing.id}` : "/admin/external"}
      class="card"
    >
      <CsrfField c={c} />
      <h2>
        {editing
          ? t("external.admin.editTitle", { name: editing.name })
          : t("external.admin.addTitle")}
      </h2>
      {field("name")}
      {field("email", "email")}
      {field("organisation")}
      <div class="row">
        <button type="submit">
          {editing ? t("external.admin.save") : t("external.admin.add")}
        </button>
        {editing && <a href="/admin/external">{t("external.admin.cancel")}</a>}
      </div>
    </form>
  );
}
