import type { Context } from "hono";
import { NewPasswordFields } from "../auth/mod.ts";
import type { AppEnv } from "../http/mod.ts";
import { CsrfField, Flash, Layout } from "../../views/layout.tsx";
import { RESET_CODE_TRIES, type ResetLink } from "./password_reset.ts";

type C = Context<AppEnv>;

/**
 * "Forgot your password?": the e-mail form, or — once sent — the same words whatever the
 * address was. `passwordOff` names the identity provider when only the master admin may
 * still sign in with a password.
 */
export function ForgotPasswordPage(
  props: { c: C; passwordOff?: string; sentTo?: string; error?: string },
) {
  const { c } = props;
  const t = c.get("t");
  return (
    <Layout c={c} title={t("reset.requestTitle")}>
      <section class="card narrow">
        <h1>{t("reset.requestTitle")}</h1>
        {props.passwordOff && (
          <Flash kind="info" message={t("reset.passwordOff", { name: props.passwordOff })} />
        )}
        <Flash kind="error" message={props.error} />
        {props.sentTo !== undefined
          ? <p class="flash info" role="status">{t("reset.requested", { email: props.sentTo })}</p>
          : (
            <form method="post" action="/signin/forgot">
              <CsrfField c={c} />
              <p>{t("reset.requestIntro")}</p>
              <label for="email">{t("signin.email")}</label>
              <input id="email" type="email" name="email" autocomplete="username" required />
              <button type="submit">{t("reset.requestSubmit")}</button>
            </form>
          )}
        <p>
          <a href="/signin">{t("reset.backToSignIn")}</a>
        </p>
      </section>
    </Layout>
  );
}

/**
 * The link's page: the new password twice, and the second factor when the account has one.
 * After a wrong code, `triesLeft` says how many more this link takes.
 */
export function ChoosePasswordPage(
  props: {
    c: C;
    token: string;
    email: string;
    needsCode: boolean;
    error?: string;
    triesLeft?: number;
  },
) {
  const { c } = props;
  const t = c.get("t");
  return (
    <Layout c={c} title={t("reset.chooseTitle")}>
      <section class="card narrow">
        <h1>{t("reset.chooseTitle")}</h1>
        <p>{t("reset.chooseIntro", { email: props.email })}</p>
        <Flash kind="error" message={props.error} />
        {props.triesLeft !== undefined && (
          <p class="flash info" role="status" id="code-tries">
            {t("reset.triesLeft", { count: props.triesLeft })}
          </p>
        )}
        <form method="post" action={`/reset/${props.token}`}>
          <CsrfField c={c} />
          {/* For password managers: the account the new password belongs to. */}
          <input type="hidden" name="username" autocomplete="username" value={props.email} />
          <NewPasswordFields
            t={t}
            label={t("account.newPassword")}
            id="pw"
            name="password"
            confirmId="pw2"
          />
          {props.needsCode && (
            <>
              <label for="code">{t("reset.codeLabel")}</label>
              <input
                id="code"
                type="text"
                name="code"
                inputmode="text"
                autocomplete="one-time-code"
                required
                aria-describedby="code-help"
              />
              <p class="muted" id="code-help">{t("reset.codeHelp")}</p>
            </>
          )}
          <button type="submit">{t("reset.submit")}</button>
        </form>
      </section>
    </Layout>
  );
}

/** After the reset: what happened, and the way to sign in. */
export function PasswordResetDonePage(props: { c: C }) {
  const t = props.c.get("t");
  return (
    <Layout c={props.c} title={t("reset.doneTitle")}>
      <section class="card narrow">
        <h1>{t("reset.doneTitle")}</h1>
        <p class="flash info" role="status">{t("reset.done")}</p>
        <p>
          <a class="button" href="/signin">{t("reset.signIn")}</a>
        </p>
      </section>
    </Layout>
  );
}

/** An expired, used, used-up (wrong codes) or unknown link: why, and a way to ask again. */
export function ResetLinkProblemPage(
  props: { c: C; state: Exclude<ResetLink["state"], "valid"> },
) {
  const t = props.c.get("t");
  return (
    <Layout c={props.c} title={t("reset.linkTitle")}>
      <section class="card narrow">
        <h1>{t("reset.linkTitle")}</h1>
        <p class="flash error" role="alert">
          {t(`reset.link.${props.state}`, { count: RESET_CODE_TRIES })}
        </p>
        <p>
          <a class="button" href="/signin/forgot">{t("reset.askAgain")}</a>
        </p>
      </section>
    </Layout>
  );
}
