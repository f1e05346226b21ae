/**
 * The organisation API: provisioning for scripts, groups (org_group_routes.ts) and technicians
 * (here), with the Admin Center's checks.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { type AppEnv, changeContext } from "../http/mod.ts";
import { accessChanged, inviteUser, listPeople, moveToGroup, setActive } from "../org/mod.ts";
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
}).openapi("Technician");

const TechnicianInvite = z.object({
  email: z.string().min(3).max(254),
  name: z.string().min(1).max(100),
  role: z.enum(["technician", "admin"]).default("technician"),
  groupId: z.uuid(),
}).openapi("TechnicianInvite");

const TechnicianUpdate = z.object({
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
    const people = await listPeople(c.get("deps").db, c.get("user"));
    return c.json(
      people.map(({ user, groupId }) => ({
        id: user.id,
        email: user.email,
        name: user.name,
        role: user.role,
        active: user.active,
        invited: user.passwordHash === null,
        groupId,
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
    }, 201);
  },
);

orgApi.openapi(
  createRoute({
    ...admin,
    method: "patch",
    path: "/technicians/{id}",
    operationId: "updateTechnician",
    summary: "Move to another group, deactivate (signs out everywhere) or reactivate",
    request: { params: Id, body: { required: true, ...json(TechnicianUpdate) } },
    responses: {
      204: { description: "Changed" },
      ...tokenProblems(`${NOT_ADMIN}, or the person is not yours to manage`, {
        404: "No such person, or the target group does not exist or is not yours to manage",
        409: "You cannot deactivate yourself",
        422: INVALID,
      }),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const { db } = c.get("deps");
    if (body.groupId) await moveToGroup(db, id, body.groupId, changeContext(c));
    if (body.active !== undefined) await setActive(db, id, body.active, changeContext(c));
    accessChanged(c, id);
    return c.body(null, 204);
  },
);
