import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { type AppEnv, type AuthedEnv, clientAddress, problem, requireRole } from "../http/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import {
  postLogoutRedirectUri,
  redirectUri,
  removeSsoSettings,
  saveSsoSettings,
  ssoSettingsOf,
} from "../sso/mod.ts";
import { INVALID, tokenProblems, validationHook } from "./schemas.ts";

const SsoSettingsOut = z.object({
  redirectUri: z.string().openapi({ description: "To register at the identity provider" }),
  postLogoutRedirectUri: z.string().openapi({
    description: "The sign-out redirect URI to register (RP-Initiated Logout)",
  }),
  settings: z.object({
    displayName: z.string(),
    issuer: z.string(),
    clientId: z.string(),
    clientSecretSet: z.literal(true).openapi({
      description: "A secret is stored (sealed); it is never returned",
    }),
    emailClaim: z.string(),
    requireVerifiedEmail: z.boolean(),
    allowPassword: z.boolean(),
    skipTotp: z.boolean(),
    provisionGroupId: z.uuid().nullable(),
    updatedAt: z.string(),
  }).nullable().openapi({ description: "null while single sign-on is off" }),
}).openapi("SsoSettings");

const SsoSettingsIn = z.object({
  displayName: z.string().openapi({ description: "Shown as “Sign in with <name>” (1–60)" }),
  issuer: z.string().openapi({ description: "https (http only to loopback)" }),
  clientId: z.string(),
  clientSecret: z.string().optional().openapi({
    description: "Write-only. Omitted or empty keeps the stored secret (required the first time)",
  }),
  emailClaim: z.string().default("email"),
  requireVerifiedEmail: z.boolean().default(true),
  allowPassword: z.boolean().default(true),
  skipTotp: z.boolean().default(true),
  provisionGroupId: z.uuid().nullable().default(null).openapi({
    description: "Unknown e-mails become technicians in this group; null refuses them",
  }),
}).openapi("SsoSettingsInput");

const json = <T extends z.ZodType>(schema: T) => ({ content: { "application/json": { schema } } });
const common = {
  tags: ["sso"],
  security: [{ bearer: [] }],
  middleware: requireRole("master_admin"),
};
const NOT_MASTER = "Only the master admin sets single sign-on (organisation-wide security)";

/** Which input field each refusal of the settings' service is about. */
const FIELD_OF: Record<string, string> = {
  "sso.displayNameInvalid": "displayName",
  "sso.issuerInvalid": "issuer",
  "sso.clientIdInvalid": "clientId",
  "sso.clientSecretMissing": "clientSecret",
  "sso.emailClaimInvalid": "emailClaim",
  "sso.groupInvalid": "provisionGroupId",
  "sso.unreachable": "issuer",
  "sso.notDiscovery": "issuer",
  "sso.issuerMismatch": "issuer",
};

async function out(c: Context<AuthedEnv>) {
  const deps = c.get("deps");
  const stored = await ssoSettingsOf(deps.db, c.get("user").orgId);
  return {
    redirectUri: redirectUri(deps),
    postLogoutRedirectUri: postLogoutRedirectUri(deps),
    settings: stored
      ? {
        displayName: stored.displayName,
        issuer: stored.issuer,
        clientId: stored.clientId,
        clientSecretSet: true as const,
        emailClaim: stored.emailClaim,
        requireVerifiedEmail: stored.requireVerifiedEmail,
        allowPassword: stored.allowPassword,
        skipTotp: stored.skipTotp,
        provisionGroupId: stored.provisionGroupId,
        updatedAt: stored.updatedAt.toISOString(),
      }
      : null,
  };
}

/** Single sign-on's settings for the master admin, through the same service as /admin/sso. */
export const ssoApi = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

ssoApi.openapi(
  createRoute({
    ...common,
    method: "get",
    path: "/sso",
    operationId: "getSsoSettings",
    summary: "The identity provider's settings (never the client secret)",
    responses: {
      200: { description: "The settings, and the URIs to register", ...json(SsoSettingsOut) },
      ...tokenProblems(NOT_MASTER, {}),
    },
  }),
  async (c) => c.json(await out(c), 200),
);

ssoApi.openapi(
  createRoute({
    ...common,
    method: "put",
    path: "/sso",
    operationId: "putSsoSettings",
    summary: "Set the identity provider; its discovery document is read first",
    description: "Checks the input, then reads the issuer's discovery document as sign-in will; " +
      "a provider that cannot be used is never saved. The secret is stored sealed. Audited.",
    request: { body: { required: true, ...json(SsoSettingsIn) } },
    responses: {
      200: { description: "The saved settings", ...json(SsoSettingsOut) },
      ...tokenProblems(NOT_MASTER, {
        422: `${INVALID}; each issue names its field and a code — the issuer's discovery ` +
          "failures too (unreachable, notDiscovery, issuerMismatch, on `issuer`)",
      }),
    },
  }),
  async (c) => {
    const body = c.req.valid("json");
    try {
      await saveSsoSettings(c.get("deps"), c.get("user"), {
        ...body,
        clientSecret: body.clientSecret ?? "",
      }, clientAddress(c));
    } catch (error) {
      if (!(error instanceof Refusal) || !FIELD_OF[error.key]) throw error;
      const t = c.get("t");
      const issue = {
        path: FIELD_OF[error.key],
        code: error.key.slice("sso.".length),
        message: t(error.key, error.params),
      };
      // A problem document, outside the typed responses.
      return problem(c, 422, t("api.invalidRequest"), { issues: [issue] }) as never;
    }
    return c.json(await out(c), 200);
  },
);

ssoApi.openapi(
  createRoute({
    ...common,
    method: "delete",
    path: "/sso",
    operationId: "deleteSsoSettings",
    summary: "Turn single sign-on off (people sign in with passwords again)",
    responses: {
      204: { description: "Off (also when it was)" },
      ...tokenProblems(NOT_MASTER, {}),
    },
  }),
  async (c) => {
    await removeSsoSettings(c.get("deps"), c.get("user"), clientAddress(c));
    return c.body(null, 204);
  },
);
