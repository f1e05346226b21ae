import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { Refusal } from "../refusal/mod.ts";
import { type AppEnv, type AuthedEnv, clientAddress, requireRole } from "../http/mod.ts";
import {
  accessChanged,
  type ChangeContext,
  createGroup,
  defaultGroupSettings,
  deleteGroup,
  type GroupRow,
  GroupSettingsSchema,
  inviteUser,
  listGroups,
  listPeople,
  managedGroup,
  managedGroupIds,
  moveToGroup,
  setActive,
  setGroupPermissions,
  setGroupSettings,
  unavailableSettingsIn,
  updateGroup,
  withUnavailableAtDefaults,
} from "../org/mod.ts";
import {
  isAvailable,
  normalisePermissions,
  type Permission,
  PERMISSION_IDS,
  PERMISSIONS,
} from "../permissions/mod.ts";
import { INVALID, tokenProblems, validationHook } from "./schemas.ts";

const PermissionName = z.enum(PERMISSION_IDS as [Permission, ...Permission[]]);

const PermissionInfo = z.object({
  id: PermissionName,
  category: z.string(),
  default: z.boolean().openapi({ description: "Whether a new group starts with it" }),
  available: z.boolean().openapi({
    description: "False while the feature it would guard is not built: it cannot be granted",
  }),
}).openapi("PermissionInfo");
const Id = z.object({ id: z.uuid() });

const Group = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string(),
  parentId: z.uuid().nullable(),
  permissions: z.array(PermissionName).openapi({
    description: "Granted permissions; only available ones (see GET /permissions)",
  }),
  settings: z.record(z.string(), z.unknown()),
}).openapi("Group");

const GroupCreate = z.object({
  name: z.string().min(1).max(100),
  description: z.string().max(500).optional(),
  parentId: z.uuid().nullable().optional(),
  permissions: z.array(PermissionName).optional().openapi({
    description: "An unavailable permission (see GET /permissions) is refused with a 422",
  }),
  settings: z.record(z.string(), z.unknown()).optional().openapi({
    description: "Group settings (SPEC A8); omitted ones take their defaults. Settings whose " +
      "feature is not built yet (survey, recording, monitoring notice) keep their defaults: " +
      "another value is refused with a 422",
  }),
}).openapi("GroupCreate");

const GroupUpdate = GroupCreate.partial().openapi("GroupUpdate");

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

const json = <T extends z.ZodType>(schema: T) => ({ content: { "application/json": { schema } } });
const ok = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  ...json(schema),
});
/** Every route here is for admins: the guard runs per route and types the handler's user. */
const admin = {
  tags: ["organisation"],
  security: [{ bearer: [] }],
  middleware: requireRole("master_admin", "admin"),
};
const NOT_ADMIN = "The token's user is not an admin";
const NO_GROUP = "No such group, or not one you manage";

function groupOut(g: GroupRow) {
  return {
    id: g.id,
    name: g.name,
    description: g.description,
    parentId: g.parentId,
    permissions: normalisePermissions(g.permissions),
    settings: withUnavailableAtDefaults({
      ...defaultGroupSettings(),
      ...g.settings,
    }) as unknown as Record<string, unknown>,
  };
}

/** Provisioning for scripts: groups and technicians, with the Admin Center's checks. */
export const orgApi = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

const change = (c: Context<AuthedEnv>): ChangeContext => ({
  actor: c.get("user"),
  ip: clientAddress(c),
  now: c.get("deps").clock.now(),
});

orgApi.openapi(
  createRoute({
    ...admin,
    method: "get",
    path: "/groups",
    operationId: "listGroups",
    summary: "Groups you manage",
    responses: { 200: ok(z.array(Group), "Groups"), ...tokenProblems(NOT_ADMIN, {}) },
  }),
  async (c) => {
    const { db } = c.get("deps");
    const managed = await managedGroupIds(db, c.get("user"));
    const groups = (await listGroups(db, c.get("user").orgId)).filter((g) => managed.has(g.id));
    return c.json(groups.map(groupOut), 200);
  },
);

orgApi.openapi(
  createRoute({
    ...admin,
    method: "post",
    path: "/groups",
    operationId: "createGroup",
    summary: "Create a group (master admin)",
    request: { body: { required: true, ...json(GroupCreate) } },
    responses: {
      201: ok(Group, "Created"),
      ...tokenProblems("Only the master admin creates groups", {
        404: "The parent group does not exist, or is not yours to manage",
        409: "Another group has this name",
        422: `${INVALID}; also a permission or setting that is not available yet`,
      }),
    },
  }),
  async (c) => {
    const body = c.req.valid("json");
    if (body.settings) refuseUnavailableSettings(body.settings);
    const settings = body.settings ? parseSettings(body.settings) : undefined;
    const permissions = body.permissions ? availableOnly(body.permissions) : undefined;
    const group = await createGroup(c.get("deps").db, {
      name: body.name,
      description: body.description,
      parentId: body.parentId ?? null,
      permissions,
      settings,
    }, change(c));
    return c.json(groupOut(group), 201);
  },
);

orgApi.openapi(
  createRoute({
    ...admin,
    method: "get",
    path: "/groups/{id}",
    operationId: "getGroup",
    summary: "One group",
    request: { params: Id },
    responses: {
      200: ok(Group, "The group"),
      ...tokenProblems(NOT_ADMIN, { 404: NO_GROUP, 422: "The id is not a UUID" }),
    },
  }),
  async (c) => {
    const group = await managedGroup(c.get("deps").db, c.get("user"), c.req.valid("param").id);
    return c.json(groupOut(group), 200);
  },
);

orgApi.openapi(
  createRoute({
    ...admin,
    method: "patch",
    path: "/groups/{id}",
    operationId: "updateGroup",
    summary: "Change a group: name, parent, permissions, settings",
    request: { params: Id, body: { required: true, ...json(GroupUpdate) } },
    responses: {
      200: ok(Group, "The changed group"),
      ...tokenProblems(NOT_ADMIN, {
        404: `${NO_GROUP} (or the new parent)`,
        409: "Another group has this name",
        422: `${INVALID}; also a parent that would make a cycle, or a permission or setting ` +
          "that is not available yet",
      }),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const { db } = c.get("deps");
    const current = await managedGroup(db, c.get("user"), id);
    // Validate everything before changing anything.
    if (body.settings) refuseUnavailableSettings(body.settings);
    const settings = body.settings
      ? parseSettings({ ...current.settings, ...body.settings })
      : undefined;
    const permissions = body.permissions ? availableOnly(body.permissions) : undefined;
    if (body.name !== undefined || body.description !== undefined || body.parentId !== undefined) {
      await updateGroup(db, id, {
        name: body.name ?? current.name,
        description: body.description ?? current.description,
        parentId: body.parentId === undefined ? current.parentId : body.parentId,
      }, change(c));
    }
    if (permissions) {
      await setGroupPermissions(db, id, permissions, change(c));
      accessChanged(c);
    }
    if (settings) await setGroupSettings(db, id, settings, change(c));
    return c.json(groupOut(await managedGroup(db, c.get("user"), id)), 200);
  },
);

orgApi.openapi(
  createRoute({
    ...admin,
    method: "delete",
    path: "/groups/{id}",
    operationId: "deleteGroup",
    summary: "Delete an empty group",
    request: { params: Id },
    responses: {
      204: { description: "Deleted" },
      ...tokenProblems("Only the master admin deletes groups", {
        404: NO_GROUP,
        409: "The group still has members or child groups",
        422: "The id is not a UUID",
      }),
    },
  }),
  async (c) => {
    await deleteGroup(c.get("deps").db, c.req.valid("param").id, change(c));
    return c.body(null, 204);
  },
);

orgApi.openapi(
  createRoute({
    ...admin,
    method: "get",
    path: "/permissions",
    operationId: "listPermissions",
    summary: "Every group permission, and whether it can be granted yet",
    responses: {
      200: ok(z.array(PermissionInfo), "The permissions"),
      ...tokenProblems(NOT_ADMIN, {}),
    },
  }),
  (c) =>
    c.json(
      PERMISSIONS.map((p) => ({
        id: p.id,
        category: p.category,
        default: p.default,
        available: p.available,
      })),
      200,
    ),
);

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
    const { user } = await inviteUser(c.get("deps"), body, { ...change(c), t: c.get("t") });
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
    if (body.groupId) await moveToGroup(db, id, body.groupId, change(c));
    if (body.active !== undefined) await setActive(db, id, body.active, change(c));
    accessChanged(c, id);
    return c.body(null, 204);
  },
);

/** The permissions as given, or a 422 naming those that cannot be granted yet. */
function availableOnly(permissions: readonly Permission[]): Permission[] {
  const unavailable = permissions.filter((p) => !isAvailable(p));
  if (unavailable.length > 0) {
    throw new Refusal(422, "api.permissionsUnavailable", {
      params: {
        permissions: [...new Set(unavailable)].join(", "),
      },
    });
  }
  return normalisePermissions(permissions);
}

/** A 422 naming the settings `raw` sets that are not available yet (to a non-default). */
function refuseUnavailableSettings(raw: Record<string, unknown>) {
  const unavailable = unavailableSettingsIn(raw);
  if (unavailable.length > 0) {
    throw new Refusal(422, "api.settingsUnavailable", {
      params: { fields: unavailable.join(", ") },
    });
  }
}

function parseSettings(raw: Record<string, unknown>) {
  const parsed = GroupSettingsSchema.safeParse(raw);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => String(i.path[0])))].join(", ");
    throw new Refusal(422, "api.settingsInvalid", { params: { fields } });
  }
  return parsed.data;
}
