/**
 * A real OpenID Connect provider for tests: the npm package `oidc-provider` in-process on a
 * free loopback port, with one confidential client and the accounts a test names (any
 * password is accepted at its development login page; consent is granted for the client up
 * front, as a first-party IdP does). `loginAt` goes through that login page without a browser.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

export interface TestAccount {
  email?: string;
  email_verified?: boolean;
  name?: string;
  [claim: string]: unknown;
}

/** The part of oidc-provider's (untyped) context the grant hook reads. */
interface GrantContext {
  oidc: {
    session?: { accountId?: string };
    client?: { clientId: string };
    provider: {
      Grant: new (init: { clientId: string; accountId: string }) => {
        addOIDCScope(scope: string): void;
        save(): Promise<string>;
      };
    };
  };
}

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  accounts: Record<string, TestAccount>;
  close(): Promise<void>;
}

export async function startOidcProvider(options: {
  redirectUri: string;
  accounts: Record<string, TestAccount>;
  clientId?: string;
  clientSecret?: string;
  /** Another client with the same redirect URI (a code issued to it is not ours). */
  otherClientId?: string;
  /** Where the provider's sign-out may send the browser back (`post_logout_redirect_uris`). */
  postLogoutRedirectUri?: string;
  /** Whether it offers RP-Initiated Logout (`end_session_endpoint`); it does unless false. */
  endSession?: boolean;
}): Promise<TestProvider> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = options.clientId ?? "rescue-test";
  const clientSecret = options.clientSecret ?? "rescue-test-secret-0123456789abcdef";
  const accounts = options.accounts;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        post_logout_redirect_uris: options.postLogoutRedirectUri
          ? [options.postLogoutRedirectUri]
          : [],
        response_types: ["code"],
        grant_types: ["authorization_code"],
      },
      ...(options.otherClientId
        ? [{
          client_id: options.otherClientId,
          client_secret: "another-client-secret-0123456789abcdef",
          redirect_uris: [options.redirectUri],
          response_types: ["code"],
          grant_types: ["authorization_code"],
        }]
        : []),
    ],
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    scopes: ["openid", "email", "profile"],
    pkce: { required: () => true },
    features: { rpInitiatedLogout: { enabled: options.endSession !== false } },
    cookies: { keys: ["rescue-test-cookie-key"] },
    findAccount: (_ctx: unknown, id: string) =>
      accounts[id] && {
        accountId: id,
        claims: () => ({ sub: id, ...accounts[id] }),
      },
    // First-party: the client's scopes are granted without a consent page.
    loadExistingGrant: async (ctx: GrantContext) => {
      const accountId = ctx.oidc.session?.accountId;
      if (!accountId || !ctx.oidc.client) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId });
      grant.addOIDCScope("openid email profile");
      await grant.save();
      return grant;
    },
  });
  // Its warnings about the development keys and interactions are for production, not here.
  provider.on("server_error", (_ctx: unknown, error: Error) => console.error(error));
  server.on("request", provider.callback());
  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A browser's requests to the provider without following redirects: `jar` keeps its cookies
 * (its session at the provider), so a later sign-in or sign-out is the same browser's. The
 * body is read into `text`.
 */
export function providerBrowser(jar = new Map<string, string>()) {
  return async (url: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (jar.size) headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await fetch(url, { ...init, headers, redirect: "manual" });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair] = cookie.split(";");
      const at = pair.indexOf("=");
      jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return Object.assign(res, { text: await res.text() });
  };
}

/**
 * Follows `authorizeUrl` through the provider's login page as `login` (a cookie jar of its
 * own unless `jar` is given) and returns where the provider sends the browser back: the app's
 * callback URL.
 */
export async function loginAt(
  authorizeUrl: string,
  login: string,
  jar = new Map<string, string>(),
): Promise<URL> {
  const go = providerBrowser(jar);
  let res = await go(authorizeUrl);
  let url = new URL(res.headers.get("location")!, authorizeUrl);
  // The login page (devInteractions): its form posts back to the interaction's own URL.
  res = await go(url.href);
  res = await go(url.href, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ prompt: "login", login, password: "any" }),
  });
  // Back to the authorization endpoint, which now answers with the callback.
  for (let hops = 0; hops < 5; hops++) {
    url = new URL(res.headers.get("location")!, url);
    if (!url.pathname.startsWith("/auth") && !url.pathname.startsWith("/interaction")) {
      return url;
    }
    res = await go(url.href);
  }
  throw new Error(`the provider did not send the browser back (last: ${url.href})`);
}
