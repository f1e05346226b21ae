import { Hono } from "hono";
import type { Context } from "hono";
import { eq } from "drizzle-orm";
import { type AuditAction, recordAudit } from "../audit/mod.ts";
import {
  beginEnrolment,
  changePassword,
  checkThrottle,
  confirmEnrolment,
  createApiToken,
  disableTwoFactor,
  endAllSessions,
  findUserById,
  getOrganisation,
  listApiTokens,
  listDevices,
  recordFailure,
  replaceRecoveryCodes,
  revokeAllApiTokens,
  revokeApiToken,
  revokeDevice,
  throttleError,
  throttleKeys,
  totpQrSvg,
  totpUri,
  users,
  verifySecondFactor,
} from "../auth/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { type AppEnv, type AuthedEnv, clientAddress, readForm, requireUser } from "../http/mod.ts";
import { isStaffLanguage } from "../i18n/mod.ts";
import {
  AccountPage,
  ApiTokensSection,
  DevicesSection,
  EnrolSection,
  FlashCleared,
  RecoveryCodesSection,
  TwoFactorSection,
} from "./views.tsx";
import { loadAccount } from "./account_data.ts";

type C = Context<AuthedEnv>;

export const accountRoutes = new Hono<AppEnv>()
  .use("*", requireUser())
  .get(
    "/",
    async (c) =>
      c.html(<AccountPage c={c} data={await loadAccount(c.get("deps"), c.get("user").id)} />),
  )
  .post("/language", async (c) => {
    const form = await readForm(c);
    if (!isStaffLanguage(form.language)) throw new Refusal(400, "errors.badLanguage");
    const user = c.get("user");
    await c.get("deps").db.update(users).set({ language: form.language }).where(
      eq(users.id, user.id),
    );
    await audit(c, "account.language_changed", { language: form.language });
    return c.redirect("/account", 303);
  })
  .post("/password", async (c) => {
    const form = await readForm(c);
    const user = await self(c);
    if ((form.next ?? "") !== (form.confirm ?? "")) {
      throw new Refusal(400, "account.passwordsDiffer");
    }
    const { db, clock } = c.get("deps");
    await changePassword(db, {
      user,
      current: form.current ?? "",
      next: form.next ?? "",
      now: clock.now(),
    });
    const ended = await endAllSessions(db, user.id, c.get("user").sessionId);
    signedOutElsewhere(c);
    const revoked = form.revokeTokens === "1" ? await revokeAllApiTokens(db, user.id) : undefined;
    await audit(c, "auth.password_changed", {
      otherSessionsEnded: ended,
      ...(revoked === undefined ? {} : { apiTokensRevoked: revoked }),
    });
    const done = revoked === undefined
      ? "account.passwordChanged"
      : "account.passwordChangedTokensRevoked";
    return c.html(
      <>
        <p class="flash info" role="status">{c.get("t")(done)}</p>
        <DevicesSection c={c} devices={[]} oob />
        <FlashCleared />
      </>,
    );
  })
  .post("/2fa/enrol", async (c) => {
    const user = await self(c);
    if (user.totpEnabledAt) throw new Refusal(409, "twofa.alreadyOn");
    const { db, config } = c.get("deps");
    const secret = await beginEnrolment(db, user.id, config.totpKey);
    const qrSvg = await totpQrSvg(
      totpUri(secret, { issuer: c.get("t")("app.name"), account: user.email }),
    );
    return c.html(<EnrolSection c={c} secret={secret} qrSvg={qrSvg} />);
  })
  .post("/2fa/confirm", async (c) => {
    const form = await readForm(c);
    const user = await self(c);
    const { db, clock, config } = c.get("deps");
    const codes = await confirmEnrolment(db, {
      user,
      code: form.code ?? "",
      now: clock.now(),
      key: config.totpKey,
    });
    await audit(c, "auth.2fa_enabled");
    return c.html(
      <>
        <RecoveryCodesSection c={c} codes={codes} />
        <FlashCleared />
      </>,
    );
  })
  .post("/2fa/recovery-codes", async (c) => {
    const user = await secondFactorChecked(c);
    const codes = await replaceRecoveryCodes(c.get("deps").db, user.id);
    await audit(c, "auth.recovery_codes_regenerated");
    return c.html(
      <>
        <RecoveryCodesSection c={c} codes={codes} />
        <FlashCleared />
      </>,
    );
  })
  .post("/2fa/disable", async (c) => {
    const user = await secondFactorChecked(c);
    const { db } = c.get("deps");
    const org = await getOrganisation(db, user.orgId);
    if (org?.require2fa) throw new Refusal(409, "twofa.requiredCannotDisable");
    await disableTwoFactor(db, user.id);
    await audit(c, "auth.2fa_disabled");
    return c.html(
      <>
        <TwoFactorSection c={c} enabled={false} unusedCodes={0} />
        <DevicesSection c={c} devices={[]} oob />
        <FlashCleared />
      </>,
    );
  })
  .post("/devices/:id/revoke", async (c) => {
    const user = c.get("user");
    const { db, clock } = c.get("deps");
    if (!await revokeDevice(db, user.id, c.req.param("id"))) {
      throw new Refusal(404, "account.deviceNotFound");
    }
    await audit(c, "auth.device_revoked", { device: c.req.param("id") });
    return c.html(<DevicesSection c={c} devices={await listDevices(db, user.id, clock.now())} />);
  })
  .post("/tokens", async (c) => {
    const form = await readForm(c);
    const name = (form.name ?? "").trim();
    if (!name || name.length > 100) throw new Refusal(400, "account.tokenNameRequired");
    const days = form.days ? Number(form.days) : undefined;
    if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 3650)) {
      throw new Refusal(400, "account.tokenDaysInvalid");
    }
    const user = c.get("user");
    const { db, clock } = c.get("deps");
    const created = await createApiToken(db, { userId: user.id, name, days, now: clock.now() });
    await audit(c, "auth.token_created", { tokenId: created.id, name });
    const tokens = await listApiTokens(db, user.id);
    return c.html(<ApiTokensSection c={c} tokens={tokens} created={created.token} />);
  })
  .post("/tokens/:id/revoke", async (c) => {
    const user = c.get("user");
    const { db } = c.get("deps");
    const name = await revokeApiToken(db, user.id, c.req.param("id"));
    if (name === undefined) throw new Refusal(404, "account.tokenNotFound");
    await audit(c, "auth.token_revoked", { tokenId: c.req.param("id"), name });
    return c.html(<ApiTokensSection c={c} tokens={await listApiTokens(db, user.id)} />);
  })
  .post("/signout-everywhere", async (c) => {
    const user = c.get("user");
    const form = await readForm(c);
    const { db } = c.get("deps");
    const ended = await endAllSessions(db, user.id);
    signedOutElsewhere(c);
    const revoked = form.revokeTokens === "1" ? await revokeAllApiTokens(db, user.id) : undefined;
    await audit(c, "auth.signout_everywhere", {
      sessionsEnded: ended,
      ...(revoked === undefined ? {} : { apiTokensRevoked: revoked }),
    });
    c.header("HX-Redirect", "/signin");
    return c.redirect("/signin", 303);
  });

/** Connections opened from the ended sessions (the remote viewer socket) close at once. */
function signedOutElsewhere(c: C) {
  const user = c.get("user");
  c.get("deps").live.publish({ kind: "access", orgId: user.orgId, userId: user.id });
}

async function self(c: C) {
  const user = await findUserById(c.get("deps").db, c.get("user").id);
  if (!user) throw new Refusal(401, "errors.unauthenticated");
  return user;
}

/** Turning 2FA off or replacing recovery codes needs a current code: a stolen session alone cannot. */
async function secondFactorChecked(c: C) {
  const form = await readForm(c);
  const user = await self(c);
  if (!user.totpEnabledAt) throw new Refusal(409, "twofa.notOn");
  const { db, clock } = c.get("deps");
  const ip = clientAddress(c);
  const now = clock.now();
  // Counted like the sign-in's codes: a session left open must not allow guessing.
  const blocked = throttleError(await checkThrottle(db, throttleKeys(user.email, ip), now));
  if (blocked) throw blocked;
  const check = await verifySecondFactor(db, {
    user,
    code: form.code ?? "",
    now,
    key: c.get("deps").config.totpKey,
  });
  if (!check.ok) {
    await recordFailure(db, { email: user.email, user, ip, now, reason: "totp" });
    throw new Refusal(400, check.reason);
  }
  return user;
}

async function audit(c: C, action: AuditAction, details: Record<string, unknown> = {}) {
  const user = c.get("user");
  await recordAudit(c.get("deps").db, {
    orgId: user.orgId,
    actorId: user.id,
    actorEmail: user.email,
    action,
    ip: clientAddress(c),
    details,
    at: c.get("deps").clock.now(),
  });
}
