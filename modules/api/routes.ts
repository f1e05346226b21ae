import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { recordAudit } from "../audit/mod.ts";
import {
  authenticateApiToken,
  authenticatePassword,
  checkThrottle,
  createApiToken,
  getOrganisation,
  needsEnrolment,
  recordFailure,
  throttleError,
  throttleKeys,
  toCurrentUser,
  verifySecondFactor,
} from "../auth/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { type Language, STAFF_LANGUAGES } from "../i18n/mod.ts";
import { type AppEnv, clientAddress, requireUser } from "../http/mod.ts";
import { permissionsMiddleware } from "../org/mod.ts";
import { ssoSignIn } from "../sso/mod.ts";
import { problemResponse, validationHook } from "./schemas.ts";
import { orgApi } from "./org_routes.ts";
import { channelApi } from "./channel_routes.ts";
import { ssoApi } from "./sso_routes.ts";
import { sessionApi } from "./session_routes.ts";
import { reportApi } from "./report_routes.ts";
import { auditApi } from "./audit_routes.ts";
import { apiDocsPage } from "./docs.tsx";

const Me = z.object({
  id: z.uuid(),
  email: z.email(),
  name: z.string(),
  role: z.enum(["master_admin", "admin", "technician", "external"]),
  language: z.enum(STAFF_LANGUAGES as [Language, ...Language[]]).nullable(),
  twoFactor: z.boolean(),
}).openapi("Me");

const TokenRequest = z.object({
  email: z.string().min(1).max(254),
  password: z.string().min(1).max(256),
  totp: z.string().max(32).optional().openapi({
    description: "A current TOTP code (or a recovery code); required when 2FA is on",
  }),
  name: z.string().min(1).max(100).optional(),
  days: z.number().int().min(1).max(365).optional().openapi({
    description: "Lifetime, default 30",
  }),
}).openapi("TokenRequest");

const TokenResponse = z.object({
  token: z.string(),
  expiresAt: z.string().nullable(),
  user: Me,
}).openapi("TokenResponse");

const issueToken = createRoute({
  method: "post",
  path: "/auth/token",
  operationId: "issueToken",
  tags: ["auth"],
  summary: "Exchange e-mail, password and TOTP code for a personal API token",
  request: { body: { required: true, content: { "application/json": { schema: TokenRequest } } } },
  responses: {
    201: { description: "Issued", content: { "application/json": { schema: TokenResponse } } },
    401: problemResponse("Wrong credentials or code"),
    403: problemResponse(
      "The organisation requires 2FA and this account has not enrolled, or it signs in through single sign-on with password sign-in off (the master admin excepted)",
    ),
    422: problemResponse("Malformed request"),
    423: problemResponse("Locked after repeated failures"),
    429: problemResponse("Slow down"),
  },
});

const me = createRoute({
  method: "get",
  path: "/me",
  operationId: "getMe",
  tags: ["auth"],
  summary: "The user the token belongs to",
  security: [{ bearer: [] }],
  // bearerAuth has set the user; the guard says so to the handler's type.
  middleware: requireUser(),
  responses: {
    200: { description: "The user", content: { "application/json": { schema: Me } } },
    401: problemResponse("Missing, unknown or expired token"),
    403: problemResponse("The organisation requires 2FA and this account has not enrolled"),
  },
});

/** Paths anyone may fetch: token issuing, the document and its reference page. */
const PUBLIC_PATHS = ["/api/v1/auth/token", "/api/v1/openapi.json", "/api/v1/docs"];

/** Bearer-token authentication for every API route except the public ones. */
const bearerAuth: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (PUBLIC_PATHS.includes(c.req.path)) return await next();
  const header = c.req.header("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new Refusal(401, "api.tokenMissing");
  const { db, clock } = c.get("deps");
  const check = await authenticateApiToken(db, match[1], clock.now());
  if (!check.ok && check.reason === "enrolment_required") {
    throw new Refusal(403, "api.enrolmentRequired");
  }
  if (!check.ok) throw new Refusal(401, "api.tokenInvalid");
  c.set("user", toCurrentUser(check.user));
  await next();
};

export const apiRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

apiRoutes.use("*", bearerAuth);
apiRoutes.use("*", permissionsMiddleware({ touch: false }));
apiRoutes.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
  type: "http",
  scheme: "bearer",
});

apiRoutes.openapi(issueToken, async (c) => {
  const body = c.req.valid("json");
  const { db, clock } = c.get("deps");
  const ip = clientAddress(c);
  const now = clock.now();
  const user = await authenticatePassword(db, {
    email: body.email,
    password: body.password,
    ip,
    now,
  });
  // Password sign-in turned off for single sign-on holds here too (the master admin excepted).
  if (!await ssoSignIn.passwordAllowed(db, user)) throw new Refusal(403, "api.passwordOff");
  // "Require 2FA" holds here too: enrol in the browser first (its sign-in leads there).
  if (needsEnrolment(user, await getOrganisation(db, user.orgId))) {
    throw new Refusal(403, "api.enrolmentRequired");
  }
  if (user.totpEnabledAt) {
    if (!body.totp) throw new Refusal(401, "api.totpRequired");
    const blocked = throttleError(await checkThrottle(db, throttleKeys(user.email, ip), now));
    if (blocked) throw blocked;
    const key = c.get("deps").config.totpKey;
    const check = await verifySecondFactor(db, { user, code: body.totp, now, key });
    if (!check.ok) {
      await recordFailure(db, { email: user.email, user, ip, now, reason: "totp" });
      throw new Refusal(401, check.reason);
    }
  }
  const name = body.name ?? "API sign-in";
  const created = await createApiToken(db, { userId: user.id, name, days: body.days ?? 30, now });
  await recordAudit(db, {
    orgId: user.orgId,
    actorId: user.id,
    actorEmail: user.email,
    action: "auth.token_issued_api",
    ip,
    details: { tokenId: created.id, name },
    at: now,
  });
  return c.json({
    token: created.token,
    expiresAt: created.expiresAt?.toISOString() ?? null,
    user: meOf(toCurrentUser(user)),
  }, 201);
});

apiRoutes.openapi(me, (c) => c.json(meOf(c.get("user")), 200));

apiRoutes.route("/", orgApi);
apiRoutes.route("/", channelApi);
apiRoutes.route("/", sessionApi);
apiRoutes.route("/", reportApi);
apiRoutes.route("/", auditApi);
apiRoutes.route("/", ssoApi);

apiRoutes.get("/docs", apiDocsPage);

apiRoutes.doc31("/openapi.json", (c) => ({
  openapi: "3.1.0",
  info: { title: "Remote support API", version: "1" },
  servers: [{ url: `${c.get("deps").config.publicUrl}/api/v1` }],
}));

function meOf(user: NonNullable<AppEnv["Variables"]["user"]>) {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    language: user.language,
    twoFactor: user.totpEnabled,
  };
}
