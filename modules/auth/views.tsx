import { raw } from "hono/html";
import type { PageContext } from "../http/mod.ts";
import { type Language, languageName, STAFF_LANGUAGES } from "../i18n/mod.ts";
import { CsrfField, Flash, Layout } from "../../views/layout.tsx";
import type { ExternalOffer } from "./sign_in.ts";
import { NewPasswordFields } from "./new_password_fields.tsx";
import { CopyButton } from "../../views/copy_button.tsx";

type C = PageContext;

export function SignInPage(
  props: {
    c: C;
    email?: string;
    error?: string;
    next?: string;
    setupOpen?: boolean;
    /** Arrived from a set-password link: say so (the e-mail comes filled in). */
    passwordSet?: boolean;
    /** Single sign-on's button, when the organisation has it. */
    external?: ExternalOffer;
    /** Signed out of a single sign-on session whose provider offers no sign-out. */
    signedOutLocal?: boolean;
  },
) {
  const { c } = props;
  const t = c.get("t");
  return (
    <Layout c={c} title={t("signin.title")}>
      <section class="card narrow">
        <h1>{t("signin.title")}</h1>
        <Flash kind="error" message={props.error} />
        {props.setupOpen && <Flash kind="info" message={t("signin.setupPending")} />}
        {props.passwordSet && <Flash kind="info" message={t("signin.passwordSet")} />}
        {props.signedOutLocal && props.external && (
          <Flash
            kind="info"
            message={t("signin.signedOutLocal", { name: props.external.name })}
          />
        )}
        {props.external && (
          <>
            {
              /* A link, not a form: the answer is a redirect to the identity provider, which
                 CSP's form-action 'self' would block after a form's submission. */
            }
            <p class="signin-external">
              <a
                class="button"
                href={props.next
                  ? `${props.external.href}?next=${encodeURIComponent(props.next)}`
                  : props.external.href}
              >
                {t("signin.ssoButton", { name: props.external.name })}
              </a>
            </p>
            <p class="signin-or muted">
              {t(props.external.passwordForAll ? "signin.orPassword" : "signin.orPasswordMaster")}
            </p>
          </>
        )}
        <form method="post" action="/signin">
          <CsrfField c={c} />
          <input type="hidden" name="next" value={props.next ?? ""} />
          <label for="email">{t("signin.email")}</label>
          <input
            id="email"
            type="email"
            name="email"
            autocomplete="username"
            required
            autofocus={!props.email}
            value={props.email ?? ""}
          />
          <label for="password">{t("signin.password")}</label>
          <input
            id="password"
            type="password"
            name="password"
            autocomplete="current-password"
            required
            autofocus={!!props.email}
          />
          <button type="submit">{t("signin.submit")}</button>
        </form>
        {/* The reset pages are modules/org's (they send mail); only the address is shared. */}
        <p class="signin-forgot">
          <a href="/signin/forgot">{t("reset.forgotLink")}</a>
        </p>
      </section>
      <LanguagePicker c={c} />
    </Layout>
  );
}

export function LanguagePicker(props: { c: C }) {
  const t = props.c.get("t");
  const current = props.c.get("lang");
  return (
    <form method="post" action="/lang" class="narrow row">
      <CsrfField c={props.c} />
      <input type="hidden" name="back" value={props.c.req.path} />
      <label for="lang-picker">{t("signin.language")}</label>
      <select id="lang-picker" name="lang" data-autosubmit>
        {STAFF_LANGUAGES.map((lang: Language) => (
          <option value={lang} selected={lang === current}>{languageName(lang)}</option>
        ))}
      </select>
      <noscript>
        <button type="submit">{t("common.apply")}</button>
      </noscript>
    </form>
  );
}

export function SecondFactorPage(props: { c: C; error?: string; rememberDays: number }) {
  const { c } = props;
  const t = c.get("t");
  return (
    <Layout c={c} title={t("twofa.title")} bare>
      <section class="card narrow">
        <h1>{t("twofa.title")}</h1>
        <p>{t("twofa.prompt")}</p>
        <Flash kind="error" message={props.error} />
        <form method="post" action={c.req.url.replace(/^https?:\/\/[^/]+/, "")}>
          <CsrfField c={c} />
          <label for="code">{t("twofa.code")}</label>
          <input
            id="code"
            type="text"
            name="code"
            inputmode="numeric"
            autocomplete="one-time-code"
            required
            autofocus
          />
          {props.rememberDays > 0 && (
            <label>
              <input type="checkbox" name="remember" value="1" />{" "}
              {t("twofa.remember", { count: props.rememberDays })}
            </label>
          )}
          <button type="submit">{t("twofa.verify")}</button>
        </form>
        <p class="muted">{t("twofa.recoveryHint")}</p>
      </section>
    </Layout>
  );
}

/** QR code, secret and confirmation form; used at sign-in and on My account. */
export function TotpEnrolment(
  props: { c: C; secret: string; qrSvg: string; action: string; error?: string; htmx?: boolean },
) {
  const { c } = props;
  const t = c.get("t");
  return (
    <div id="totp-enrolment">
      <p>{t("twofa.enrolSteps")}</p>
      <div class="qr" aria-label={t("twofa.qrLabel")}>{raw(props.qrSvg)}</div>
      <p>
        {t("twofa.secretLabel")} <span class="secret" id="totp-secret">{props.secret}</span>
      </p>
      <Flash kind="error" message={props.error} />
      <form method="post" action={props.action} hx-post={props.htmx ? props.action : undefined}>
        <CsrfField c={c} />
        <label for="enrol-code">{t("twofa.firstCode")}</label>
        <input
          id="enrol-code"
          type="text"
          name="code"
          inputmode="numeric"
          autocomplete="one-time-code"
          required
        />
        <button type="submit">{t("twofa.confirm")}</button>
      </form>
    </div>
  );
}

export function EnrolPage(props: { c: C; secret: string; qrSvg: string; error?: string }) {
  const t = props.c.get("t");
  return (
    <Layout c={props.c} title={t("twofa.enrolTitle")} bare>
      <section class="card narrow">
        <h1>{t("twofa.enrolTitle")}</h1>
        <p>{t("twofa.requiredByOrg")}</p>
        <TotpEnrolment {...props} action="/signin/enrol" />
      </section>
    </Layout>
  );
}

export function RecoveryCodes(props: { c: C; codes: string[]; continueTo: string }) {
  const t = props.c.get("t");
  return (
    <section class="card narrow" id="recovery-codes">
      <h2>{t("twofa.recoveryTitle")}</h2>
      <p>{t("twofa.recoveryExplain")}</p>
      <ul class="codes" id="recovery-code-list">
        {props.codes.map((code) => <li>{code}</li>)}
      </ul>
      <CopyButton t={t} target="recovery-code-list" />{" "}
      <a class="button" href={props.continueTo}>{t("common.continue")}</a>
    </section>
  );
}

/**
 * After a sign-in with a recovery code, before going on: the code is spent, how many are
 * left, and where to make new ones — the last one spent is a lock-out waiting to happen.
 */
export function RecoveryCodeUsedPage(props: { c: C; left: number; continueTo: string }) {
  const t = props.c.get("t");
  return (
    <Layout c={props.c} title={t("twofa.recoveryUsedTitle")} bare>
      <section class="card narrow">
        <h1>{t("twofa.recoveryUsedTitle")}</h1>
        <p role="status">{t("twofa.recoveryUsed", { count: props.left })}</p>
        <p>{t("twofa.recoveryUsedAdvice")}</p>
        <a class="button" href={props.continueTo}>{t("common.continue")}</a>{" "}
        <a class="button secondary" href="/account">{t("twofa.recoveryUsedAccount")}</a>
      </section>
    </Layout>
  );
}

export function RecoveryCodesPage(props: { c: C; codes: string[]; continueTo: string }) {
  const t = props.c.get("t");
  // Bare: the sign-in that shows it has just finished, so this request has no user on it and
  // the full top bar would offer "Sign in as technician".
  return (
    <Layout c={props.c} title={t("twofa.recoveryTitle")} bare>
      <RecoveryCodes {...props} />
    </Layout>
  );
}

export function SetupPage(
  props: { c: C; token: string; errors?: string[]; values?: Record<string, string> },
) {
  const { c } = props;
  const t = c.get("t");
  const v = props.values ?? {};
  return (
    <Layout c={c} title={t("setup.title")}>
      <section class="card narrow">
        <h1>{t("setup.title")}</h1>
        <p>{t("setup.intro")}</p>
        {(props.errors ?? []).map((e) => <Flash kind="error" message={e} />)}
        <form method="post" action="/setup">
          <CsrfField c={c} />
          <input type="hidden" name="token" value={props.token} />
          <label for="org">{t("setup.orgName")}</label>
          <input id="org" type="text" name="orgName" required value={v.orgName ?? ""} />
          <label for="name">{t("setup.name")}</label>
          <input id="name" type="text" name="name" required value={v.name ?? ""} />
          <label for="email">{t("signin.email")}</label>
          <input id="email" type="email" name="email" required value={v.email ?? ""} />
          <NewPasswordFields t={t} label={t("signin.password")} id="password" name="password" />
          <button type="submit">{t("setup.submit")}</button>
        </form>
      </section>
    </Layout>
  );
}

/**
 * After signing out of a single sign-on session: on to the identity provider's own sign-out
 * (at once, by a meta refresh; the link for a browser that does not follow it).
 */
export function SigningOutPage(props: { c: C; name: string; url: string }) {
  const { c } = props;
  const t = c.get("t");
  return (
    <Layout c={c} title={t("signin.signingOutTitle")}>
      <meta http-equiv="refresh" content={`0;url=${props.url}`} />
      <section class="card narrow" data-signing-out>
        <h1>{t("signin.signingOutTitle")}</h1>
        <p>{t("signin.signingOut", { name: props.name })}</p>
        <p>
          <a class="button" href={props.url}>{t("signin.signOutContinue", { name: props.name })}</a>
        </p>
      </section>
    </Layout>
  );
}
