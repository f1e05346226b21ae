import type { PageContext } from "../http/mod.ts";
import type { organisations } from "../auth/mod.ts";
import { CsrfField, Flash, Layout } from "../../views/layout.tsx";

/** The organisation's name and logo, as customers see them on their pages. */
export function OrganisationPage(
  props: {
    c: PageContext;
    org: typeof organisations.$inferSelect;
    /** Why the last change was refused, and the name as typed when it was the name. */
    error?: string;
    name?: string;
  },
) {
  const { c, org } = props;
  const t = c.get("t");
  return (
    <Layout c={c} title={t("admin.organisationTitle")}>
      <h1>{t("admin.organisationTitle")}</h1>
      {c.req.query("saved") && <Flash kind="info" message={t("common.saved")} />}
      <Flash kind="error" message={props.error} />
      <form method="post" action="/admin/organisation" class="card">
        <CsrfField c={c} />
        <label for="org-name">{t("admin.orgName")}</label>
        <input
          id="org-name"
          type="text"
          name="name"
          required
          maxlength={100}
          value={props.name ?? org.name}
        />
        <p class="muted">{t("admin.orgNameHelp")}</p>
        <button type="submit">{t("common.save")}</button>
      </form>
      <section class="card">
        <h2>{t("admin.logo")}</h2>
        {org.logoSha256
          ? (
            <p>
              <img
                class="org-logo-preview"
                src={`/branding/logo/${org.logoSha256}`}
                alt={t("admin.logoAlt", { name: org.name })}
              />
            </p>
          )
          : <p class="muted">{t("admin.noLogo")}</p>}
        <form
          method="post"
          action="/admin/organisation/logo"
          enctype="multipart/form-data"
        >
          <CsrfField c={c} />
          <label for="org-logo">{t("admin.logoUpload")}</label>
          <input
            id="org-logo"
            type="file"
            name="logo"
            accept="image/png,image/jpeg,image/webp"
            required
          />
          <p class="muted">{t("admin.logoHelp", { kb: 256 })}</p>
          <button type="submit">{t("admin.logoSave")}</button>
        </form>
        {org.logoSha256 && (
          <form method="post" action="/admin/organisation/logo/remove">
            <CsrfField c={c} />
            <button type="submit" class="secondary">{t("admin.logoRemove")}</button>
          </form>
        )}
      </section>
    </Layout>
  );
}
