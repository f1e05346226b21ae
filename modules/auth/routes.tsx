import { Hono } from "hono";
import type { Context } from "hono";
import { setCookie } from "hono/cookie";
import { recordAudit } from "../audit/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { type AppEnv, clientAddress, localRedirectPath, readForm } from "../http/mod.ts";
import { isLanguage } from "../i18n/mod.ts";
import {
  authenticatePassword,
  checkSetupToken,
  completeSetup,
  findUserById,
  getOrganisation,
  recordFailure,
  setupIsOpen,
  setupProblems,
  throttleError,
  throttleKeys,
  type UserRow,
} from "./service.ts";
import {
  beginEnrolment,
  confirmEnrolment,
  pendingSecret,
  rememberDevice,
  unusedRecoveryCodeCount,
  verifySecondFactor,
} from "./second_factor.ts";
import { endSession, readSession } from "./sessions.ts";
import { afterFirstFactor, deviceCookie, type ExternalSignIn, finishSignIn } from "./sign_in.ts";
import { checkThrottle } from "./throttle.ts";
import { totpQrSvg, totpUri } from "./totp.ts";
import {
  EnrolPage,
  RecoveryCodesPage,
  RecoveryCodeUsedPage,
  SecondFactorPage,
  SetupPage,
  SigningOutPage,
  SignInPage,
} from "./views.tsx";

type C = Context<AppEnv>;

/**
 * Sign-in, second factor, forced enrolment, sign-out, language picker and one-time setup.
 * `external` is another way in (single sign-on): its button on the sign-in page, its failure
 * messages there, and whether it leaves people a password.
 */
export const authRoutes = (external?: ExternalSignIn) =>
  new Hono<AppEnv>()
    // The short root URL is the customer's: anonymous visitors get the PIN page.
    .get("/", (c) => c.redirect(c.get("user") ? "/console" : "/pin", 303))
    .get("/signin", async (c) => {
      if (c.get("user")) return c.redirect("/console", 303);
      const { db } = c.get("deps");
      const setupOpen = await setupIsOpen(db);
      const email = c.req.query("email")?.slice(0, 320);
      const failure = external?.failureKey(c.req.query("sso") ?? "");
      const offer = await external?.offer(db);
      return c.html(
        <SignInPage
          c={c}
          next={localRedirectPath(c.req.query("next"))}
          setupOpen={setupOpen}
          email={email}
          passwordSet={c.req.query("passwordSet") === "1"}
          error={failure && c.get("t")(failure)}
          external={offer}
          signedOutLocal={c.req.query("signedOut") === "local"}
        />,
      );
    })
    .post("/signin", async (c) => {
      const form = await readForm(c);
      const { db, clock } = c.get("deps");
      const ip = clientAddress(c);
      const next = localRedirectPath(form.next);
      let user: UserRow;
      try {
        user = await authenticatePassword(db, {
          email: form.email ?? "",
          password: form.password ?? "",
          ip,
          now: clock.now(),
        });
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
        for (const [k, v] of Object.entries(error.headers)) c.header(k, v);
        const message = c.get("t")(error.key, error.params);
        return c.html(
          <SignInPage c={c} email={form.email} error={message} next={next} />,
          error.status,
        );
      }
      if (external && !await external.passwordAllowed(db, user)) {
        // The right password, but this organisation signs in through its identity provider.
        await recordAudit(db, {
          orgId: user.orgId,
          actorId: user.id,
          actorEmail: user.email,
          action: "auth.signin_failed",
          ip,
          details: { reason: "passwordOff" },
          at: clock.now(),
        });
        const offer = await external.offer(db);
        const message = c.get("t")("signin.passwordOff");
        return c.html(
          <SignInPage c={c} email={form.email} error={message} next={next} external={offer} />,
          403,
        );
      }
      return await afterFirstFactor(c, user, { method: "password", next });
    })
    .get("/signin/2fa", async (c) => {
      const { user } = await partial(c, "mfa");
      const org = await getOrganisation(c.get("deps").db, user.orgId);
      return c.html(<SecondFactorPage c={c} rememberDays={org?.rememberDeviceDays ?? 30} />);
    })
    .post("/signin/2fa", async (c) => {
      const { session, user } = await partial(c, "mfa");
      const { db, clock } = c.get("deps");
      const form = await readForm(c);
      const ip = clientAddress(c);
      const now = clock.now();
      const org = await getOrganisation(db, user.orgId);
      const rememberDays = org?.rememberDeviceDays ?? 30;
      const blocked = throttleError(await checkThrottle(db, throttleKeys(user.email, ip), now));
      const check = blocked ? undefined : await verifySecondFactor(db, {
        user,
        code: form.code ?? "",
        now,
        key: c.get("deps").config.totpKey,
      });
      if (!check?.ok) {
        if (check) {
          await recordFailure(db, { email: user.email, user, ip, now, reason: "totp" });
        }
        const error = blocked ?? new Refusal(401, check?.reason ?? "twofa.wrongCode");
        for (const [k, v] of Object.entries(error.headers)) c.header(k, v);
        const message = c.get("t")(error.key, error.params);
        return c.html(
          <SecondFactorPage c={c} error={message} rememberDays={rememberDays} />,
          error.status,
        );
      }
      if (check.method === "recovery") {
        await recordAudit(db, {
          orgId: user.orgId,
          actorId: user.id,
          actorEmail: user.email,
          action: "auth.recovery_code_used",
          ip,
          at: now,
        });
      }
      if (form.remember === "1" && rememberDays > 0) {
        const label = c.req.header("user-agent") ?? "?";
        const device = await rememberDevice(db, {
          userId: user.id,
          label,
          ip,
          days: rememberDays,
          now,
        });
        setCookie(c, deviceCookie(c), device.token, {
          path: "/",
          httpOnly: true,
          sameSite: "Lax",
          secure: c.get("deps").config.secureCookies,
          expires: device.expiresAt,
        });
        await recordAudit(db, {
          orgId: user.orgId,
          actorId: user.id,
          actorEmail: user.email,
          action: "auth.device_remembered",
          ip,
          details: { days: rememberDays },
          at: now,
        });
      }
      const next = localRedirectPath(c.req.query("next"));
      return await finishSignIn(c, user, {
        method: `password+${check.method}`,
        // A spent recovery code is said first, with how many are left (a page of its own, so
        // a reload does not post the code again).
        next: check.method === "recovery"
          ? `/signin/recovery-used${next ? `?next=${encodeURIComponent(next)}` : ""}`
          : next,
        session,
      });
    })
    .get("/signin/recovery-used", async (c) => {
      const user = c.get("user");
      if (!user) return c.redirect("/signin", 303);
      const left = await unusedRecoveryCodeCount(c.get("deps").db, user.id);
      const next = localRedirectPath(c.req.query("next")) ?? "/console";
      return c.html(<RecoveryCodeUsedPage c={c} left={left} continueTo={next} />);
    })
    .get("/signin/enrol", async (c) => {
      const { user } = await partial(c, "enrol");
      const { db, config } = c.get("deps");
      const secret = await beginEnrolment(db, user.id, config.totpKey);
      return c.html(<EnrolPage c={c} secret={secret} qrSvg={await qrFor(c, user, secret)} />);
    })
    .post("/signin/enrol", async (c) => {
      const { session, user } = await partial(c, "enrol");
      const { db, clock, config } = c.get("deps");
      const form = await readForm(c);
      const key = config.totpKey;
      let codes: string[];
      try {
        codes = await confirmEnrolment(db, { user, code: form.code ?? "", now: clock.now(), key });
      } catch (error) {
        const secret = await pendingSecret(user, key);
        if (!(error instanceof Refusal) || !secret) throw error;
        const message = c.get("t")(error.key);
        const qrSvg = await qrFor(c, user, secret);
        return c.html(
          <EnrolPage c={c} secret={secret} qrSvg={qrSvg} error={message} />,
          error.status,
        );
      }
      await recordAudit(db, {
        orgId: user.orgId,
        actorId: user.id,
        actorEmail: user.email,
        action: "auth.2fa_enabled",
        ip: clientAddress(c),
        at: clock.now(),
      });
      await finishSignIn(c, user, { method: "password+enrolment", session });
      return c.html(<RecoveryCodesPage c={c} codes={codes} continueTo="/console" />);
    })
    .post("/signout", async (c) => {
      const session = await readSession(c);
      const user = c.get("user");
      await endSession(c, session?.id);
      // A single sign-on session ends at the identity provider too, where it offers that.
      const provider = session?.idToken && external
        ? await external.signOut(c.get("deps"), session.idToken)
        : undefined;
      if (user) {
        // A viewer socket opened from this session closes at once.
        c.get("deps").live.publish({ kind: "access", orgId: user.orgId, userId: user.id });
        await recordAudit(c.get("deps").db, {
          orgId: user.orgId,
          actorId: user.id,
          actorEmail: user.email,
          action: "auth.signout",
          ip: clientAddress(c),
          details: provider ? { provider: provider.url ? "signed out" : "local only" } : undefined,
          at: c.get("deps").clock.now(),
        });
      }
      // A page, not a redirect: CSP's form-action 'self' would block this form's redirect to
      // another site.
      if (provider?.url) {
        c.set("user", undefined); // the page's header: signed out already
        return c.html(<SigningOutPage c={c} name={provider.name} url={provider.url.href} />);
      }
      return c.redirect(provider ? "/signin?signedOut=local" : "/signin", 303);
    })
    .post("/lang", async (c) => {
      const form = await readForm(c);
      if (!isLanguage(form.lang)) throw new Refusal(400, "errors.badLanguage");
      setCookie(c, "rs_lang", form.lang, {
        path: "/",
        sameSite: "Lax",
        maxAge: 365 * 86_400,
        secure: c.get("deps").config.secureCookies,
      });
      return c.redirect(localRedirectPath(form.back) ?? "/signin", 303);
    })
    .get("/setup", async (c) => {
      const token = await liveSetupToken(c, c.req.query("token"));
      return c.html(<SetupPage c={c} token={token} />);
    })
    .post("/setup", async (c) => {
      const form = await readForm(c);
      const token = await liveSetupToken(c, form.token);
      const input = {
        orgName: form.orgName ?? "",
        name: form.name ?? "",
        email: form.email ?? "",
        password: form.password ?? "",
      };
      const problems = setupProblems(input);
      if (problems.length > 0) {
        const t = c.get("t");
        const errors = problems.map((p) => t(p));
        const values = { orgName: input.orgName, name: input.name, email: input.email };
        return c.html(<SetupPage c={c} token={token} errors={errors} values={values} />, 422);
      }
      const { db, clock } = c.get("deps");
      const user = await completeSetup(db, {
        token,
        input,
        now: clock.now(),
        ip: clientAddress(c),
      });
      return await finishSignIn(c, user, { method: "setup" });
    });

async function partial(c: C, stage: "mfa" | "enrol") {
  const session = await readSession(c);
  if (!session || session.stage !== stage) throw new Refusal(401, "signin.startAgain");
  const user = await findUserById(c.get("deps").db, session.userId);
  if (!user?.active) throw new Refusal(401, "signin.startAgain");
  return { session, user };
}

async function liveSetupToken(c: C, token: string | undefined): Promise<string> {
  const { db, clock } = c.get("deps");
  if (!await setupIsOpen(db)) throw new Refusal(404, "setup.closed");
  if (!token) throw new Refusal(404, "setup.unknownToken");
  const state = await checkSetupToken(db, token, clock.now());
  if (state === "unknown") throw new Refusal(404, "setup.unknownToken");
  if (state === "expired") throw new Refusal(410, "setup.expiredToken");
  return token;
}

async function qrFor(c: C, user: UserRow, secret: string) {
  const uri = totpUri(secret, { issuer: c.get("t")("app.name"), account: user.email });
  return await totpQrSvg(uri);
}
