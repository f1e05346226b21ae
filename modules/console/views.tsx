import type { Context } from "hono";
import type { AppEnv } from "../http/mod.ts";
import { Layout } from "../../views/layout.tsx";

export function ConsoleHome(props: { c: Context<AppEnv> }) {
  const t = props.c.get("t");
  const user = props.c.get("user")!;
  return (
    <Layout c={props.c} title={t("console.title")}>
      <h1 id="console-home">{t("console.title")}</h1>
      <section class="card">
        <p>{t("console.welcome", { name: user.name })}</p>
        <p class="muted">{t("console.empty")}</p>
      </section>
    </Layout>
  );
}
