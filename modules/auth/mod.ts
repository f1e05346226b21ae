/**
 * Accounts and sign-in (SPEC A1–A3): argon2id passwords with per-account and
 * per-address back-off and lockout, TOTP two-factor with recovery codes and remembered
 * devices, database-backed browser sessions, personal API tokens, and the first-start
 * bootstrap (environment admin or a one-time setup link). `authRoutes` serves the
 * sign-in flow; `sessionMiddleware` puts the signed-in user on the context; the rest is
 * the service surface My account, the admin pages and the JSON API build on.
 */
export { authRoutes } from "./routes.tsx";
/**
 * The end of any sign-in (password or single sign-on): `afterFirstFactor` applies the second
 * factor's rules, `finishSignIn` issues the full session and audits it; `ExternalSignIn` is
 * what a second way in (modules/sso) gives `authRoutes`.
 */
export {
  afterFirstFactor,
  type ExternalOffer,
  type ExternalSignIn,
  finishSignIn,
} from "./sign_in.ts";
export { sessionMiddleware } from "./middleware.ts";
export {
  authenticatePassword,
  bootstrap,
  changePassword,
  findUserById,
  getOrganisation,
  normaliseEmail,
  pruneExpired,
  recordFailure,
  replacePassword,
  throttleError,
  throttleKeys,
  toCurrentUser,
  type UserRow,
} from "./service.ts";
export {
  beginEnrolment,
  confirmEnrolment,
  disableTwoFactor,
  listDevices,
  replaceRecoveryCodes,
  revokeDevice,
  type SecondFactorCheck,
  unusedRecoveryCodeCount,
  verifySecondFactor,
} from "./second_factor.ts";
export {
  API_TOKEN_PREFIX,
  type ApiTokenCheck,
  authenticateApiToken,
  createApiToken,
  listApiTokens,
  needsEnrolment,
  revokeAllApiTokens,
  revokeApiToken,
} from "./api_tokens.ts";
export { endAllSessions, userOfSession, usersWithLiveSession } from "./sessions.ts";
export { accountLockedUntil, checkThrottle, clearAccountFailures } from "./throttle.ts";
export { currentTotp, totpQrSvg, totpUri } from "./totp.ts";
export { RecoveryCodes, TotpEnrolment } from "./views.tsx";
export { organisations, users } from "./schema.ts";
export { hashPassword, PASSWORD_MIN, passwordProblem } from "./password.ts";
/** The new-password field, its rule line and its confirmation, as every page asks for them. */
export { NewPasswordFields } from "./new_password_fields.tsx";
