import type { PageContext } from "../modules/http/mod.ts";
import { Layout } from "./layout.tsx";

export function ErrorPage(props: { c: PageContext; status: number; message: string }) {
  const t = props.c.get("t");
  return (
    <Layout c={props.c} title={t("errors.title", { status: props.status })}>
      <section class="card narrow">
        <h1>{t("errors.title", { status: props.status })}</h1>
        <p role="alert">{props.message}</p>
        <p>
          <a href="/">{t("errors.home")}</a>
        </p>
      </section>
    </Layout>
  );
}
