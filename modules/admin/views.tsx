import type { PageContext } from "../http/mod.ts";
import type { organisations } from "../auth/mod.ts";
import { CsrfField, Flash, Layout } from "../../views/layout.tsx";

export function SecurityPage(
  props: { c: PageContext; org: typeof organisations.$inferSelect },
) {
  const { c, org } = props;
  const t = c.get("t");
  return (
    <Layout c={c} title={t("admin.securityTitle")}>
      <h1>{t("admin.securityTitle")}</h1>
      {c.req.query("saved") && <Flash kind="info" message={t("common.saved")} />}
      <form method="post" action="/admin/security" class="card">
        <CsrfField c={c} />
        <label>
          <input type="checkbox" name="require2fa" value="1" checked={org.require2fa} />{" "}
          {t("admin.require2fa")}
        </label>
        <p class="muted">{t("admin.require2faHelp")}</p>
        <label for="remember-days">{t("admin.rememberDeviceDays")}</label>
        <input
          id="remember-days"
          type="number"
          name="rememberDeviceDays"
          min={0}
          max={365}
          value={String(org.rememberDeviceDays)}
        />
        <button type="submit">{t("common.save")}</button>
      </form>
    </Layout>
  );
}
