import type { Context } from "hono";
import type { AppEnv } from "../http/mod.ts";
import { can } from "../permissions/mod.ts";
import { CsrfField, Layout } from "../../views/layout.tsx";
import { CONNECTION_METHODS, type ConnectionMethod } from "./methods.ts";

type C = Context<AppEnv>;

export function ConsoleHome(props: { c: C }) {
  const { c } = props;
  const t = c.get("t");
  const user = c.get("user")!;
  const mayStart = can(user, "startPrivate");
  return (
    <Layout c={c} title={t("console.title")}>
      <h1 id="console-home">{t("console.title")}</h1>
      <section class="card">
        <p>{t("console.welcome", { name: user.name })}</p>
        <div class="toolbar" role="toolbar" aria-label={t("console.newSession")}>
          {(Object.keys(CONNECTION_METHODS) as ConnectionMethod[]).map((method) => {
            const allowed = mayStart && can(user, CONNECTION_METHODS[method]);
            return (
              <button
                type="button"
                data-method={method}
                disabled={!allowed}
                title={allowed ? undefined : t("console.notAllowed")}
                hx-get={allowed ? `/console/new-session?method=${method}` : undefined}
                hx-target="#new-session"
              >
                {t(`console.method_${method}`)}
              </button>
            );
          })}
        </div>
        <div id="new-session"></div>
        <p class="muted">{t("console.empty")}</p>
      </section>
      <form method="post" action="/status" class="card row">
        <CsrfField c={c} />
        <span>{t("nav.status")}</span>
        <button type="submit" name="status" value="online" class="secondary">
          {t("nav.setOnline")}
        </button>
        <button type="submit" name="status" value="away" class="secondary">
          {t("nav.setAway")}
        </button>
      </form>
    </Layout>
  );
}

/** The New session form for one method; the sessions issue makes it create sessions. */
export function NewSessionDialog(props: { c: C; method: ConnectionMethod }) {
  const t = props.c.get("t");
  return (
    <div class="card" id="new-session-dialog" data-method={props.method}>
      <h2>{t(`console.method_${props.method}`)}</h2>
      <label for="ns-name">{t("console.customerName")}</label>
      <input id="ns-name" type="text" name="name" maxlength={100} />
      <p class="muted">{t("console.sessionsComing")}</p>
    </div>
  );
}
