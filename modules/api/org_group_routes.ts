/** The group routes of the organisation API (and the permissions a group can grant). */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { Refusal } from "../refusal/mod.ts";
import { type AppEnv, changeContext } from "../http/mod.ts";
import {
  accessChanged,
  createGroup,
  defaultGroupSettings,
  deleteGroup,
  type GroupRow,
  GroupSettingsSchema,
  listGroups,
  managedGroup,
  managedGroupIds,
  recordingFolderProblem,
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
import { INVALID, tokenProblems } from "./schemas.ts";
import { admin, Id, json, NO_GROUP, NOT_ADMIN, ok } from "./org_common.ts";

const PermissionName = z.enum(PERMISSION_IDS as [Permission, ...Permission[]]);

const PermissionInfo = z.object({
  id: PermissionName,
  category: z.string(),
  default: z.boolean().openapi({ description: "Whether a new group starts with it" }),
  available: z.boolean().openapi({
    description: "False while the feature it would guard is not built: it cannot be granted",
  }),
}).openapi("PermissionInfo");

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
    description: "Group settings (SPEC A8); omitted ones take their defaults. The old survey " +
      "settings (the survey is set at /admin/surveys) keep their defaults: another value is " +
      "refused with a 422. recordingLocation, when given, must be an absolute folder the " +
      "server can create and write (422 otherwise); recordingRetentionDays (0–3650, 0 keeps) " +
      "deletes each finished recording part that many days after it began. emailSubject and emailTemplate equal to " +
      "the product's default text in any language are stored as the English default, which " +
      "each technician's e-mail then sends in their own language; any other text is sent as " +
      "written",
  }),
}).openapi("GroupCreate");

const GroupUpdate = GroupCreate.partial().openapi("GroupUpdate");

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

/** Registers the group and permission routes on `api` (org_routes.ts fixes their order). */
export function groupRoutes(api: OpenAPIHono<AppEnv>) {
  api.openapi(
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

  api.openapi(
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
      const settings = body.settings ? await parseSettings(body.settings) : undefined;
      const permissions = body.permissions ? availableOnly(body.permissions) : undefined;
      const group = await createGroup(c.get("deps").db, {
        name: body.name,
        description: body.description,
        parentId: body.parentId ?? null,
        permissions,
        settings,
      }, changeContext(c));
      return c.json(groupOut(group), 201);
    },
  );

  api.openapi(
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

  api.openapi(
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
        ? await parseSettings({ ...current.settings, ...body.settings })
        : undefined;
      const permissions = body.permissions ? availableOnly(body.permissions) : undefined;
      if (
        body.name !== undefined || body.description !== undefined || body.parentId !== undefined
      ) {
        await updateGroup(db, id, {
          name: body.name ?? current.name,
          description: body.description ?? current.description,
          parentId: body.parentId === undefined ? current.parentId : body.parentId,
        }, changeContext(c));
      }
      if (permissions) {
        await setGroupPermissions(db, id, permissions, changeContext(c));
        accessChanged(c);
      }
      if (settings) await setGroupSettings(db, id, settings, changeContext(c));
      return c.json(groupOut(await managedGroup(db, c.get("user"), id)), 200);
    },
  );

  api.openapi(
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
          409: "The group still has members or child groups, an active channel is served only " +
            "by it or a calling card may be deployed only by it (the detail names them), or " +
            "support sessions were held in it",
          422: "The id is not a UUID",
        }),
      },
    }),
    async (c) => {
      await deleteGroup(c.get("deps"), c.req.valid("param").id, changeContext(c));
      return c.body(null, 204);
    },
  );

  api.openapi(
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
}

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

async function parseSettings(raw: Record<string, unknown>) {
  const parsed = GroupSettingsSchema.safeParse(raw);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => String(i.path[0])))].join(", ");
    throw new Refusal(422, "api.settingsInvalid", { params: { fields } });
  }
  // A recording folder the server cannot create or write is refused here, before any change.
  if (await recordingFolderProblem(parsed.data)) {
    throw new Refusal(422, "api.settingsInvalid", { params: { fields: "recordingLocation" } });
  }
  return parsed.data;
}
