/**
 * `GET /admin/support-app` (master admin): what customers download — for each system, whether
 * this server has Deno's runtime for it, whether its app can share the screen (Windows: with
 * the codecs beside its runtime), and the built package's version, size and SHA-256, so an
 * admin can verify what customers get. `POST /admin/support-app/build` builds every package
 * that has a runtime (they are otherwise built on the first download).
 */
import { Hono } from "hono";
import { type AppEnv, type PageContext, requireRole } from "../http/mod.ts";
import {
  type AgentPackage,
  builtPackages,
  codecsFor,
  packageFor,
  type Platform,
  PLATFORMS,
  runtimeFor,
  sharesScreen,
} from "../agent_packages/mod.ts";
import { CsrfField, Flash, Layout } from "../../views/layout.tsx";

interface Row {
  platform: Platform;
  runtime: "own" | "fetched" | "missing";
  /** Whether the app of the next download shares the screen, or why not. */
  screen: "screenYes" | "screenNoCodecs" | "screenNo";
  built: AgentPackage | null;
}

async function _rows(dataDir: string): Promise<Row[]> {
  const built = await builtPackages(dataDir);
  const rows: Row[] = [];
  for (const platform of Object.keys(PLATFORMS) as Platform[]) {
    const runtime = await runtimeFor(dataDir, platform);
    rows.push({
      platform,
      runtime: !runtime ? "missing" : runtime === Deno.execPath() ? "own" : "fetched",
      screen: sharesScreen(platform, await codecsFor(dataDir, platform))
        ? "screenYes"
        : PLATFORMS[platform].os === "windows"
        ? "screenNoCodecs"
        : "screenNo",
      // The newest build of this platform (older versions stay until removed).
      built: built.filter((p) => p.platform === platform).at(-1) ?? null,
    });
  }
  return rows;
}

export const supportAppRoutes = new Hono<AppEnv>()
  .use("/support-app", requireRole("master_admin"))
  .use("/support-app/*", requireRole("master_admin"))
  .get("/support-app", async (c) => {
    const rows = await _rows(c.get("deps").config.dataDir);
    return c.html(<SupportAppPage c={c} rows={rows} built={c.req.query("built") === "1"} />);
  })
  .post("/support-app/build", async (c) => {
    const dataDir = c.get("deps").config.dataDir;
    for (const platform of Object.keys(PLATFORMS) as Platform[]) {
      await packageFor(dataDir, platform);
    }
    return c.redirect("/admin/support-app?built=1", 303);
  });

function SupportAppPage(props: { c: PageContext; rows: Row[]; built: boolean }) {
  const { c, rows } = props;
  const t = c.get("t");
  return (
    <Layout c={c} title={t("supportApp.title")}>
      <h1>{t("supportApp.title")}</h1>
      <p class="muted">{t("supportApp.intro")}</p>
      {props.built && <Flash kind="info" message={t("supportApp.builtNow")} />}
      <table class="card" id="support-app-packages">
        <thead>
          <tr>
            <th scope="col">{t("supportApp.platform")}</th>
            <th scope="col">{t("supportApp.runtime")}</th>
            <th scope="col">{t("supportApp.screen")}</th>
            <th scope="col">{t("supportApp.version")}</th>
            <th scope="col">{t("supportApp.size")}</th>
            <th scope="col">SHA-256</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr data-platform={row.platform}>
              <th scope="row" class="nowrap">{row.platform}</th>
              <td>{t(`supportApp.runtimes.${row.runtime}`)}</td>
              <td class="screen">{t(`supportApp.${row.screen}`)}</td>
              <td class="mono">{row.built?.version ?? "—"}</td>
              <td>{row.built ? `${(row.built.size / 1_048_576).toFixed(1)} MB` : "—"}</td>
              <td class={row.built ? "mono sha" : "muted"}>
                {row.built?.sha256 ??
                  t(row.runtime === "missing" ? "supportApp.noRuntime" : "supportApp.notBuilt")}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="muted">{t("supportApp.fetchHint")}</p>
      <form method="post" action="/admin/support-app/build">
        <CsrfField c={c} />
        <button type="submit">{t("supportApp.build")}</button>
      </form>
    </Layout>
  );
}
