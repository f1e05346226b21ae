import type { MiddlewareHandler } from "hono";
import { eq } from "drizzle-orm";
import type { AppEnv } from "../http/mod.ts";
import { normalisePermissions, PERMISSION_IDS } from "../permissions/mod.ts";
import { managedGroupIds } from "./groups.ts";
import { groupMembers, technicianGroups, technicianStatus } from "./schema.ts";
import { touchActivity } from "./status.ts";

/**
 * Puts the signed-in user's group and permissions on the context — read on every request,
 * so an admin's change applies to the technician's very next click, no sign-in needed —
 * and records activity for the away/online status. The master admin holds every
 * permission.
 */
export function permissionsMiddleware(options: { touch?: boolean } = {}): MiddlewareHandler<
  AppEnv
> {
  return async (c, next) => {
    const user = c.get("user");
    if (user) {
      const { db, clock } = c.get("deps");
      const [row] = await db.select({
        groupId: groupMembers.groupId,
        permissions: technicianGroups.permissions,
        lastActivityAt: technicianStatus.lastActivityAt,
      }).from(groupMembers)
        .innerJoin(technicianGroups, eq(technicianGroups.id, groupMembers.groupId))
        .leftJoin(technicianStatus, eq(technicianStatus.userId, groupMembers.userId))
        .where(eq(groupMembers.userId, user.id));
      const permissions = user.role === "master_admin"
        ? PERMISSION_IDS
        : normalisePermissions(row?.permissions ?? []);
      const admin = user.role === "master_admin" || user.role === "admin";
      c.set("user", {
        ...user,
        groupId: row?.groupId ?? null,
        permissions: new Set(permissions),
        managedGroupIds: admin ? await managedGroupIds(db, user) : undefined,
      });
      if (options.touch !== false && row) {
        await touchActivity(db, user.id, row.lastActivityAt ?? null, clock.now());
      }
    }
    await next();
  };
}
