import { type Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { recordAudit } from "../audit/mod.ts";
import { afterFirstFactor, type ExternalSignIn, finishSignIn } from "../auth/mod.ts";
import {
  type AppEnv,
  type AuthedEnv,
  clientAddress,
  localRedirectPath,
  readForm,
  requireRole,
} from "../http/mod.ts";
import { addressKey, enforce } from "../limits/mod.ts";
import { listGroups } from "../org/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import {
  beginSsoLogin,
  endSessionUrl,
  finishSsoLogin,
  LOGIN_TTL_MS,
  postLogoutRedirectUri,
  redirectUri,
  SSO_FAILURES,
  SsoFailed,
  type SsoFailure,
} from "./oidc.ts";
import {
  installationSso,
  removeSsoSettings,
  saveSsoSettings,
  type SsoInput,
  ssoSettingsOf,
} from "./settings.ts";
import { formValues, type SsoFormValues, SsoPage } from "./views.tsx";

/** /admin/sso: the identity provider's settings (master admin: organisation-wide security). */
export const ssoAdminRoutes = new Hono<AppEnv>()
  .use("*", requireRole("master_admin"))
  .get("/", async (c) => await page(c))
  .post("/", async (c) => {
    const form = await readForm(c);
    const input: SsoInput = {
      displayName: form.displayName ?? "",
      issuer: form.issuer ?? "",
      clientId: form.clientId ?? "",
      clientSecret: form.clientSecret ?? "",
      emailClaim: form.emailClaim ?? "",
      requireVerifiedEmail: form.requireVerifiedEmail === "1",
      allowPassword: form.allowPassword === "1",
      skipTotp: form.skipTotp === "1",
      provisionGroupId: form.provisionGroupId || null,
    };
    try {
      await saveSsoSettings(c.get("deps"), c.get("user"), input, clientAddress(c));
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      const { clientSecret: _, ...values } = input;
      return await page(c, { refusal: error, values });
    }
    return c.redirect("/admin/sso?saved=1", 303);
  })
  .post("/remove", async (c) => {
    await removeSsoSettings(c.get("deps"), c.get("user"), clientAddress(c));
    return c.redirect("/admin/sso?removed=1", 303);
  });

/** The page; after a refused save with its message (at its status) and the values as typed. */
async function page(
  c: Context<AuthedEnv>,
  refused: { refusal?: Refusal; values?: SsoFormValues } = {},
) {
  const deps = c.get("deps");
  const user = c.get("user");
  const stored = await ssoSettingsOf(deps.db, user.orgId);
  const { refusal } = refused;
  return c.html(
    <SsoPage
      c={c}
      stored={stored}
      values={refused.values ?? formValues(stored)}
      groups={await listGroups(deps.db, user.orgId)}
      redirectUri={redirectUri(deps)}
      postLogoutRedirectUri={postLogoutRedirectUri(deps)}
      error={refusal && c.get("t")(refusal.key, refusal.params)}
    />,
    (refusal?.status ?? 200) as 200,
  );
}

function loginCookie(c: Context<AppEnv>): string {
  return c.get("deps").config.secureCookies ? "__Secure-rs_sso" : "rs_sso";
}

/**
 * The sign-in through the identity provider: `/signin/sso` starts it (a cookie ties the
 * browser to its state, nonce and PKCE verifier), `/signin/sso/callback` finishes it. Every
 * failure goes back to the sign-in page with its reason (`?sso=<code>`) and is audited.
 */
export const ssoSignInRoutes = new Hono<AppEnv>()
  .get("/signin/sso", async (c) => {
    if (c.get("user")) return c.redirect("/console", 303);
    const deps = c.get("deps");
    const settings = await installationSso(deps.db);
    if (!settings) return c.redirect("/signin?sso=unavailable", 303);
    const key = addressKey(clientAddress(c));
    await enforce(deps.db, { action: "ssoStart", key, now: deps.clock.now() });
    let started;
    try {
      started = await beginSsoLogin(deps, settings, localRedirectPath(c.req.query("next")));
    } catch (error) {
      if (!(error instanceof SsoFailed)) throw error;
      c.get("log").warn("sso sign-in could not start", { reason: error.message });
      return c.redirect("/signin?sso=unavailable", 303);
    }
    setCookie(c, loginCookie(c), started.browserToken, {
      path: "/signin/sso",
      httpOnly: true,
      // Lax: the provider's redirect back is a top-level GET from another site.
      sameSite: "Lax",
      secure: deps.config.secureCookies,
      maxAge: LOGIN_TTL_MS / 1000,
    });
    return c.redirect(started.url.href, 303);
  })
  .get("/signin/sso/callback", async (c) => {
    const deps = c.get("deps");
    const settings = await installationSso(deps.db);
    const browserToken = getCookie(c, loginCookie(c));
    deleteCookie(c, loginCookie(c), { path: "/signin/sso", secure: deps.config.secureCookies });
    if (!settings) return c.redirect("/signin?sso=unavailable", 303);
    let result;
    try {
      result = await finishSsoLogin(deps, settings, {
        browserToken,
        callbackUrl: new URL(c.req.url),
      });
    } catch (error) {
      if (!(error instanceof SsoFailed)) throw error;
      await recordAudit(deps.db, {
        orgId: settings.orgId,
        actorEmail: error.email ?? null,
        action: "auth.sso_failed",
        ip: clientAddress(c),
        details: { reason: error.code, detail: error.message },
        at: deps.clock.now(),
      });
      return c.redirect(`/signin?sso=${error.code}`, 303);
    }
    const { user, provisioned } = result;
    if (provisioned) {
      await recordAudit(deps.db, {
        orgId: user.orgId,
        actorId: user.id,
        actorEmail: user.email,
        action: "auth.sso_provisioned",
        target: user.id,
        ip: clientAddress(c),
        details: { groupId: settings.provisionGroupId },
        at: deps.clock.now(),
      });
    }
    const options = {
      method: "sso",
      next: localRedirectPath(result.next ?? undefined),
      action: "auth.signin_sso" as const,
      idToken: result.idToken,
    };
    return settings.skipTotp
      ? await finishSignIn(c, user, options)
      : await afterFirstFactor(c, user, options);
  });

/** What the password sign-in page needs to know of single sign-on (see auth's ExternalSignIn). */
export const ssoSignIn: ExternalSignIn = {
  async offer(db) {
    const settings = await installationSso(db);
    return settings && {
      name: settings.displayName,
      href: "/signin/sso",
      passwordForAll: settings.allowPassword,
    };
  },
  failureKey(code) {
    return (SSO_FAILURES as readonly string[]).includes(code)
      ? `sso.failed.${code as SsoFailure}`
      : undefined;
  },
  async passwordAllowed(db, user) {
    if (user.role === "master_admin") return true;
    const settings = await ssoSettingsOf(db, user.orgId);
    return !settings || settings.allowPassword;
  },
  async signOut(deps, idToken) {
    const settings = await installationSso(deps.db);
    if (!settings) return undefined;
    return {
      name: settings.displayName,
      url: await endSessionUrl(deps, settings, idToken),
    };
  },
};
