import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { recordAudit } from "../audit/mod.ts";
import type { Database } from "../db/mod.ts";
import { type AppDeps, type AppEnv, clientAddress } from "../http/mod.ts";
import type { TranslationKey } from "../i18n/mod.ts";
import { isRememberedDevice } from "./second_factor.ts";
import { getOrganisation, type UserRow } from "./service.ts";
import { startSession, upgradeSession } from "./sessions.ts";
import { clearAccountFailures } from "./throttle.ts";

type C = Context<AppEnv>;

/**
 * A way to sign in other than the password form (OpenID Connect single sign-on, modules/sso),
 * as the sign-in routes see it: app.ts passes it to `authRoutes`, so auth needs no import of
 * the module that provides it.
 */
export interface ExternalSignIn {
  /** The button on the sign-in page ("Sign in with <name>" and where it goes), if configured. */
  offer(db: Database): Promise<ExternalOffer | undefined>;
  /** The message for `/signin?sso=<code>` (a failed external sign-in); unknown codes: none. */
  failureKey(code: string): TranslationKey | undefined;
  /** Whether `user` may still sign in with a password (the master admin always may). */
  passwordAllowed(db: Database, user: UserRow): Promise<boolean>;
  /**
   * After signing out of a session that began here with `idToken`: the provider's name and
   * its own sign-out URL, without one when it offers none (or cannot be reached); undefined
   * when this way in is no longer set up.
   */
  signOut(deps: AppDeps, idToken: string): Promise<{ name: string; url?: URL } | undefined>;
}

/** The sign-in page's button, and whether the password form below it is for everyone. */
export interface ExternalOffer {
  name: string;
  href: string;
  passwordForAll: boolean;
}

/**
 * After the first factor (a password, or an identity provider that leaves the second factor
 * to us): a user with TOTP gets a partial `mfa` session and the code page unless this device
 * is remembered; a user without it in an organisation that requires it must enrol; everyone
 * else is signed in.
 */
export async function afterFirstFactor(
  c: C,
  user: UserRow,
  options: {
    method: string;
    next?: string;
    action?: "auth.signin" | "auth.signin_sso";
    /** The identity provider's ID token (kept with the session for its sign-out). */
    idToken?: string;
  },
) {
  const { db, clock } = c.get("deps");
  const ip = clientAddress(c);
  const next = options.next;
  if (user.totpEnabledAt) {
    const device = getCookie(c, deviceCookie(c));
    if (await isRememberedDevice(db, { userId: user.id, token: device, now: clock.now() })) {
      return await finishSignIn(c, user, { ...options, method: `${options.method}+device` });
    }
    await startSession(c, { userId: user.id, stage: "mfa", ip, idToken: options.idToken });
    return c.redirect(`/signin/2fa${next ? `?next=${encodeURIComponent(next)}` : ""}`, 303);
  }
  const org = await getOrganisation(db, user.orgId);
  if (org?.require2fa) {
    await startSession(c, { userId: user.id, stage: "enrol", ip, idToken: options.idToken });
    return c.redirect("/signin/enrol", 303);
  }
  return await finishSignIn(c, user, options);
}

/** A full session (a new id), the account's failure counters cleared, the sign-in audited. */
export async function finishSignIn(
  c: C,
  user: UserRow,
  options: {
    method: string;
    next?: string;
    session?: { id: string; userId: string };
    action?: "auth.signin" | "auth.signin_sso";
    idToken?: string;
  },
) {
  const { db, clock } = c.get("deps");
  const ip = clientAddress(c);
  await clearAccountFailures(db, user.email);
  if (options.session) await upgradeSession(c, options.session, ip);
  else await startSession(c, { userId: user.id, stage: "full", ip, idToken: options.idToken });
  await recordAudit(db, {
    orgId: user.orgId,
    actorId: user.id,
    actorEmail: user.email,
    action: options.action ?? "auth.signin",
    ip,
    details: { method: options.method },
    at: clock.now(),
  });
  return c.redirect(options.next ?? "/console", 303);
}

export function deviceCookie(c: C): string {
  return c.get("deps").config.secureCookies ? "__Host-rs_device" : "rs_device";
}
