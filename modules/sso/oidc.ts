import { and, eq, lt, sql } from "drizzle-orm";
import * as oidc from "openid-client";
import { normaliseEmail, type UserRow, users } from "../auth/mod.ts";
import type { Database } from "../db/mod.ts";
import type { AppDeps } from "../http/mod.ts";
import { groupMembers, technicianGroups } from "../org/mod.ts";
import { randomToken, sha256Hex } from "../tokens/mod.ts";
import { ssoLogins } from "./schema.ts";
import { discover, issuerUrl, type SsoSettings } from "./settings.ts";
import { openClientSecret } from "./secret.ts";

/** How long a sign-in may stay at the identity provider before its callback is refused. */
export const LOGIN_TTL_MS = 10 * 60_000;

/**
 * Why an SSO sign-in failed: the code in `/signin?sso=<code>` and in the audit entry. Each
 * has its message under `sso.failed.<code>`.
 */
export const SSO_FAILURES = [
  "state",
  "expired",
  "provider",
  "token",
  "noEmail",
  "unverified",
  "unknown",
  "deactivated",
  "unavailable",
] as const;
export type SsoFailure = typeof SSO_FAILURES[number];

/** A refused SSO sign-in: the code for the page, the detail for the audit log. */
export class SsoFailed extends Error {
  constructor(readonly code: SsoFailure, detail: string, readonly email?: string) {
    super(detail);
  }
}

export function redirectUri(deps: AppDeps): string {
  return `${deps.config.publicUrl}/signin/sso/callback`;
}

/** Where the provider sends the browser back after its sign-out: our sign-in page. */
export function postLogoutRedirectUri(deps: AppDeps): string {
  return `${deps.config.publicUrl}/signin`;
}

/**
 * The provider's sign-out for a session that began with `idToken` (OpenID Connect
 * RP-Initiated Logout: its `end_session_endpoint` with `id_token_hint` and our
 * `post_logout_redirect_uri`), or undefined when its discovery document names no such
 * endpoint or cannot be read.
 */
export async function endSessionUrl(
  deps: AppDeps,
  settings: SsoSettings,
  idToken: string,
): Promise<URL | undefined> {
  let config: oidc.Configuration;
  try {
    config = await configuration(deps, settings);
  } catch (error) {
    if (error instanceof SsoFailed) return undefined;
    throw error;
  }
  if (!config.serverMetadata().end_session_endpoint) return undefined;
  return oidc.buildEndSessionUrl(config, {
    id_token_hint: idToken,
    post_logout_redirect_uri: postLogoutRedirectUri(deps),
  });
}

const configurations = new Map<string, { at: number; config: Promise<oidc.Configuration> }>();
const CONFIG_TTL_MS = 15 * 60_000;

/**
 * openid-client's view of the provider (its discovery document), kept 15 minutes per
 * settings version so a sign-in costs no discovery round trip; the IdP's keys are fetched
 * and refreshed by openid-client itself.
 */
async function configuration(deps: AppDeps, settings: SsoSettings): Promise<oidc.Configuration> {
  // The sealed secret changes on every save (a new IV): a new save is a new entry.
  const key = `${settings.orgId} ${settings.issuer} ${settings.clientId} ${settings.clientSecret}`;
  const cached = configurations.get(key);
  if (cached && Date.now() - cached.at < CONFIG_TTL_MS) return await cached.config;
  const config = (async () => {
    const issuer = issuerUrl(settings.issuer);
    if (!issuer) throw new SsoFailed("unavailable", "the stored issuer is not a usable URL");
    const secret = await openClientSecret(deps.config, settings.orgId, settings.clientSecret);
    try {
      return await discover(issuer, settings.clientId, secret);
    } catch (error) {
      throw new SsoFailed("unavailable", `discovery: ${(error as Error).message}`);
    }
  })();
  configurations.set(key, { at: Date.now(), config });
  config.catch(() => configurations.delete(key));
  return await config;
}

/**
 * Starts a sign-in at the provider: state, nonce and a PKCE verifier are stored under the
 * SHA-256 of a new browser token (the caller sets it as a cookie); returns the token and the
 * provider's authorization URL.
 */
export async function beginSsoLogin(
  deps: AppDeps,
  settings: SsoSettings,
  next: string | undefined,
): Promise<{ browserToken: string; url: URL }> {
  const config = await configuration(deps, settings);
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const browserToken = randomToken();
  const now = deps.clock.now();
  await deps.db.delete(ssoLogins).where(lt(ssoLogins.expiresAt, now));
  await deps.db.insert(ssoLogins).values({
    id: await sha256Hex(browserToken),
    orgId: settings.orgId,
    state,
    nonce,
    codeVerifier,
    next: next ?? null,
    createdAt: now,
    expiresAt: new Date(now.getTime() + LOGIN_TTL_MS),
  });
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri(deps),
    scope: "openid email profile",
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: "S256",
    state,
    nonce,
  });
  return { browserToken, url };
}

/**
 * Finishes a sign-in from the provider's callback: the browser's login row (used once, within
 * its 10 minutes, state equal), the code exchanged with the PKCE verifier, the ID token checked
 * by openid-client (signature, issuer, audience, expiry, nonce), then the e-mail claim
 * (verified unless the admin allows otherwise) to an active account — or a new technician
 * when the admin provisions unknown people. Throws `SsoFailed` with the reason.
 */
export async function finishSsoLogin(
  deps: AppDeps,
  settings: SsoSettings,
  input: { browserToken: string | undefined; callbackUrl: URL },
): Promise<
  { user: UserRow; next: string | null; provisioned: boolean; idToken: string | undefined }
> {
  const { db, clock } = deps;
  const params = input.callbackUrl.searchParams;
  if (!input.browserToken || input.browserToken.length > 100) {
    throw new SsoFailed("state", "no sign-in under way in this browser");
  }
  const [login] = await db.delete(ssoLogins)
    .where(eq(ssoLogins.id, await sha256Hex(input.browserToken))).returning();
  if (!login || login.orgId !== settings.orgId) {
    throw new SsoFailed("state", "no sign-in under way in this browser");
  }
  if (login.expiresAt <= clock.now()) throw new SsoFailed("expired", "the sign-in took too long");
  if (params.get("state") !== login.state) {
    throw new SsoFailed("state", "the state in the callback is not this browser's");
  }
  if (params.has("error")) {
    const error = (params.get("error") ?? "").slice(0, 100);
    const description = (params.get("error_description") ?? "").slice(0, 200);
    throw new SsoFailed("provider", `${error}${description ? `: ${description}` : ""}`);
  }
  const config = await configuration(deps, settings);
  let claims: Record<string, unknown>;
  let idTokenText: string | undefined;
  try {
    // Only what the callback may carry: code, state, iss (RFC 9207) and session_state.
    const url = new URL(redirectUri(deps));
    for (const name of ["code", "state", "iss", "session_state"]) {
      const value = params.get(name);
      if (value !== null) url.searchParams.set(name, value);
    }
    const tokens = await oidc.authorizationCodeGrant(config, url, {
      pkceCodeVerifier: login.codeVerifier,
      expectedState: login.state,
      expectedNonce: login.nonce,
      idTokenExpected: true,
    });
    const idToken = tokens.claims()!;
    idTokenText = tokens.id_token;
    claims = idToken;
    if (!(settings.emailClaim in idToken) && tokens.access_token) {
      // Many providers put profile claims only in UserInfo (oidc-provider does by default);
      // its answer must be about the ID token's subject.
      const info = await oidc.fetchUserInfo(config, tokens.access_token, idToken.sub);
      claims = { ...info, ...idToken };
    }
  } catch (error) {
    throw new SsoFailed("token", _why(error));
  }
  const raw = claims[settings.emailClaim];
  if (typeof raw !== "string" || !raw.includes("@") || raw.length > 320) {
    throw new SsoFailed("noEmail", `no e-mail in claim "${settings.emailClaim}"`);
  }
  const email = normaliseEmail(raw);
  if (settings.requireVerifiedEmail && claims.email_verified !== true) {
    throw new SsoFailed("unverified", "email_verified is not true", email);
  }
  const [user] = await db.select().from(users).where(sql`lower(${users.email}) = ${email}`);
  if (user) {
    if (!user.active) throw new SsoFailed("deactivated", "the account is deactivated", email);
    if (user.orgId !== settings.orgId || user.role === "external") {
      throw new SsoFailed("unknown", "the account is not this organisation's", email);
    }
    return { user, next: login.next, provisioned: false, idToken: idTokenText };
  }
  const provisioned = await provision(db, settings, { email, claims, now: clock.now() });
  if (!provisioned) throw new SsoFailed("unknown", "no account with this e-mail", email);
  return { user: provisioned, next: login.next, provisioned: true, idToken: idTokenText };
}

/** A technician made from the ID token in the admin's group (just-in-time), or nothing. */
async function provision(
  db: Database,
  settings: SsoSettings,
  input: { email: string; claims: Record<string, unknown>; now: Date },
): Promise<UserRow | undefined> {
  const groupId = settings.provisionGroupId;
  if (!groupId) return undefined;
  const named = typeof input.claims.name === "string" ? input.claims.name.trim() : "";
  const name = (named || input.email.split("@")[0]).slice(0, 100);
  return await db.transaction(async (tx) => {
    const [group] = await tx.select({ id: technicianGroups.id }).from(technicianGroups)
      .where(and(eq(technicianGroups.id, groupId), eq(technicianGroups.orgId, settings.orgId)));
    if (!group) return undefined;
    const [user] = await tx.insert(users).values({
      orgId: settings.orgId,
      email: input.email,
      name,
      role: "technician",
      passwordHash: null,
      createdAt: input.now,
    }).returning();
    await tx.insert(groupMembers).values({ userId: user.id, groupId });
    return user;
  });
}

/**
 * openid-client's reason for the audit: its message, the message it wraps (oauth4webapi's,
 * which names the claim: 'unexpected ID Token "nonce" claim value') and the claim compared.
 */
function _why(error: unknown): string {
  const parts: string[] = [];
  let at: unknown = error;
  for (let depth = 0; depth < 4 && at; depth++) {
    if (at instanceof Error) {
      parts.push(at.message);
      at = at.cause;
    } else {
      const claim = (at as { claim?: unknown; error?: unknown }).claim ??
        (at as { error?: unknown }).error;
      if (typeof claim === "string") parts.push(claim);
      break;
    }
  }
  return (parts.join(": ") || String(error)).slice(0, 300);
}
