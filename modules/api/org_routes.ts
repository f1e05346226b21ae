/**
 * The organisation API: provisioning for scripts, groups (org_group_routes.ts) and technicians
 * (here), with the Admin Center's checks.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { accountLockedUntil } from "../auth/mod.ts";
import { type AppEnv, changeContext } from "../http/mod.ts";
import {
  accessChanged,
  inviteUser,
  listPeople,
  moveToGroup,
  renamePerson,
  resetTwoFactor,
  sendPasswordResetLink,
  setActive,
  unlockSignIn,
} from "../org/mod.ts";
import { ssoSignIn } from "../sso/mod.ts";
import { INVALID, tokenProblems, validationHook } from "./schemas.ts";
import { admin, Id, json, NO_GROUP, NOT_ADMIN, ok } from "./org_common.ts";
import { groupRoutes } from "./org_group_routes.ts";

const Technician = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: z.string(),
  active: z.boolean(),
  invited: z.boolean(),
  groupId: z.uuid().nullable(),
  twoFactor: z.boolean().openapi({ description: "Two-step verification is set up" }),
  signInLockedUntil: z.iso.datetime().nullable().openapi({
    description: "Until when too many failed sign-ins lock the account (null: not locked)",
  }),
}).openapi("Technician");

const TechnicianInvite = z.object({
  email: z.string().min(3).max(254),
  name: z.string().min(1).max(100),
  role: z.enum(["technician", "admin"]).default("technician"),
  groupId: z.uuid(),
}).openapi("TechnicianInvite");

const TechnicianUpdate = z.object({
  name: z.string().max(1000).optional().openapi({
    description: "Display name, 1–100 characters once trimmed (not your own, as on the page)",
  }),
  groupId: z.uuid().optional(),
  active: z.boolean().optional(),
}).openapi("TechnicianUpdate");

/** Provisioning for scripts: groups and technicians, with the Admin Center's checks. */
export const orgApi = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

groupRoutes(orgApi);

orgApi.openapi(
  createRoute({
    ...admin,
    method: "get",
    path: "/technicians",
    operationId: "listTechnicians",
    summary: "People you manage",
    responses: { 200: ok(z.array(Technician), "People"), ...tokenProblems(NOT_ADMIN, {}) },
  }),
  async (c) => {
    const { db, clock } = c.get("deps");
    const people = await listPeople(db, c.get("user"));
    // One look-up per person, as the person page makes: a list an admin reads, not a hot path.
    const now = clock.now();
    const locked = await Promise.all(people.map((p) => accountLockedUntil(db, p.user.email, now)));
    return c.json(
      people.map(({ user, groupId }, i) => ({
        id: user.id,
        email: user.email,
        name: user.name,
        role: user.role,
        active: user.active,
        invited: user.passwordHash === null,
        groupId,
        twoFactor: user.totpEnabledAt !== null,
        signInLockedUntil: locked[i]?.toISOString() ?? null,
      })),
      200,
    );
  },
);

orgApi.openapi(
  createRoute({
    ...admin,
    method: "post",
    path: "/technicians",
    operationId: "inviteTechnician",
    summary: "Invite a technician (the set-password e-mail goes through the outbox)",
    request: { body: { required: true, ...json(TechnicianInvite) } },
    responses: {
      201: ok(Technician, "Invited"),
      ...tokenProblems(`${NOT_ADMIN}, or only the master admin invites admins`, {
        404: NO_GROUP,
        409: "Someone already has this e-mail address",
        422: INVALID,
      }),
    },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const { user } = await inviteUser(c.get("deps"), body, { ...changeContext(c), t: c.get("t") });
    return c.json({
      id: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      active: user.active,
      invited: true,
      groupId: body.groupId,
      twoFactor: false,
      signInLockedUntil: null,
    }, 201);
  },
);

orgApi.openapi(
  createRoute({
    ...admin,
    method: "patch",
    path: "/technicians/{id}",
    operationId: "updateTechnician",
    summary:
      "Rename, move to another group, deactivate (signs out everywhere, deletes its API tokens) or reactivate",
    request: { params: Id, body: { required: true, ...json(TechnicianUpdate) } },
    responses: {
      204: { description: "Changed" },
      ...tokenProblems(`${NOT_ADMIN}, or the person is not yours to manage`, {
        404: "No such person, or the target group does not exist or is not yours to manage",
        409: "You cannot deactivate yourself",
        422: `${INVALID}; or the name is empty or longer than 100 characters`,
      }),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const { db } = c.get("deps");
    if (body.name !== undefined) await renamePerson(db, id, body.name, changeContext(c));
    if (body.groupId) await moveToGroup(db, id, body.groupId, changeContext(c));
    if (body.active !== undefined) await setActive(db, id, body.active, changeContext(c));
    accessChanged(c, id);
    return c.body(null, 204);
  },
);

/** Who the person page's changes may touch: the People rule, never oneself (`changeablePerson`). */
const PERSON_403 = `${NOT_ADMIN}, or the person is yours to see but not to change (yourself, ` +
  "another admin unless you are the master admin, a technician of a group you do not manage)";

orgApi.openapi(
  createRoute({
    ...admin,
    method: "post",
    path: "/technicians/{id}/2fa/reset",
    operationId: "resetTwoFactor",
    summary: "Reset two-step verification (for a lost phone)",
    description: "Removes the authenticator secret, recovery codes and remembered devices, " +
      "revokes the person's API tokens and signs them out everywhere; where the organisation " +
      "requires two-step verification they set it up again at their next sign-in.",
    request: { params: Id },
    responses: {
      204: { description: "Reset" },
      ...tokenProblems(PERSON_403, {
        404: "No such person",
        409: "The person has not set up two-step verification: there is nothing to reset",
        422: INVALID,
      }),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await resetTwoFactor(c.get("deps").db, id, changeContext(c));
    // Connections opened from the ended sign-ins (a remote view) close at once.
    accessChanged(c, id);
    return c.body(null, 204);
  },
);

orgApi.openapi(
  createRoute({
    ...admin,
    method: "post",
    path: "/technicians/{id}/unlock",
    operationId: "unlockSignIn",
    summary: "Lift a sign-in lockout (too many failed passwords)",
    request: { params: Id },
    responses: {
      204: { description: "Unlocked (also when it was not locked)" },
      ...tokenProblems(PERSON_403, { 404: "No such person", 422: INVALID }),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await unlockSignIn(c.get("deps").db, id, changeContext(c));
    return c.body(null, 204);
  },
);

orgApi.openapi(
  createRoute({
    ...admin,
    method: "post",
    path: "/technicians/{id}/password-reset",
    operationId: "sendPasswordResetLink",
    summary: "Send a password reset link by e-mail",
    description: "E-mails the person a link to choose a new password (in their language; valid " +
      "for one hour, once; a newer link replaces it). Using it needs their two-step code when " +
      "they have one, signs them out everywhere and revokes their API tokens. Audited.",
    request: { params: Id },
    responses: {
      204: { description: "Sent (or queued in the outbox while SMTP is not configured)" },
      ...tokenProblems(PERSON_403, {
        404: "No such person",
        409: "The person is deactivated, or signs in by single sign-on with password sign-in off",
        422: INVALID,
      }),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await sendPasswordResetLink(c.get("deps"), id, {
      ...changeContext(c),
      language: c.get("lang"),
      external: ssoSignIn,
    });
    return c.body(null, 204);
  },
);
