/**
 * Single sign-on for technicians and admins (SPEC A9) with one OpenID Connect identity
 * provider per organisation, through openid-client: authorization code flow with PKCE, state
 * and nonce. `ssoAdminRoutes` is the Admin Center page (/admin/sso, master admin: the issuer
 * is checked by its discovery document on save, the client secret stored sealed);
 * `ssoSignInRoutes` the start and callback under /signin/sso; `ssoSignIn` what auth's
 * sign-in page needs (the button, the failure messages, whether a password is still allowed,
 * the provider's sign-out); the settings' service for the admin API.
 */
export { ssoAdminRoutes, ssoSignIn, ssoSignInRoutes } from "./routes.tsx";
export { postLogoutRedirectUri, redirectUri } from "./oidc.ts";
export { removeSsoSettings, saveSsoSettings, ssoSettingsOf } from "./settings.ts";
