import type { PageContext } from "../http/mod.ts";
import { Layout } from "../../views/layout.tsx";
import { Moment } from "../../views/moment.tsx";
import type { ChainReport } from "./chain.ts";

/**
 * Whether the organisation's audit chain holds: how many entries were checked and, when it
 * breaks, the first entry that does not hold and what is wrong with it.
 */
export function IntegrityPage(
  { c, report, ms }: { c: PageContext; report: ChainReport | undefined; ms: number },
) {
  const t = c.get("t");
  const entries = report?.entries ?? 0;
  const breaks = report?.breaks;
  return (
    <Layout c={c} title={t("audit.integrity.title")}>
      <h1>{t("audit.integrity.title")}</h1>
      <p class="muted">{t("audit.integrity.intro")}</p>
      {breaks
        ? (
          <section class="card" id="chain-result" data-intact="false">
            <p class="flash error" role="alert">{t("audit.integrity.broken")}</p>
            <table>
              <tbody>
                <tr>
                  <th scope="row">{t("audit.integrity.where")}</th>
                  <td>
                    {breaks.id === null
                      ? t("audit.integrity.afterLast", { seq: breaks.seq })
                      : t("audit.integrity.entry", { seq: breaks.seq, id: breaks.id })}
                    {breaks.at && (
                      <>
                        {" · "}
                        <Moment lang={t.lang} at={breaks.at} style="dateTime" />
                      </>
                    )}
                  </td>
                </tr>
                <tr>
                  <th scope="row">{t("audit.integrity.why")}</th>
                  <td>{t(`audit.integrity.reasons.${breaks.reason}`)}</td>
                </tr>
                <tr>
                  <th scope="row">{t("audit.integrity.checkedBefore")}</th>
                  <td>{t("audit.integrity.entries", { count: entries })}</td>
                </tr>
              </tbody>
            </table>
          </section>
        )
        : (
          <section class="card" id="chain-result" data-intact="true">
            <p class="flash info" role="status">
              {t("audit.integrity.intact", { count: entries })}
            </p>
          </section>
        )}
      <p class="muted">{t("audit.integrity.checkedIn", { ms })}</p>
      <p>
        <a href="/admin/audit">{t("audit.integrity.back")}</a>
      </p>
    </Layout>
  );
}
