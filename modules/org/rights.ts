import type { Context } from "hono";
import { eq } from "drizzle-orm";
import type { Database } from "../db/mod.ts";
import type { AuthedEnv, CurrentUser } from "../http/mod.ts";
import { normalisePermissions, PERMISSION_IDS } from "../permissions/mod.ts";
import { groupMembers, technicianGroups } from "./schema.ts";

/**
 * The user's group and its permissions as they are now — what `permissionsMiddleware` puts
 * on each request, for connections that outlive a request (the remote viewer socket checks
 * its rights with it while it stays open). The master admin holds every permission.
 */
export async function withCurrentPermissions(
  db: Database,
  user: CurrentUser,
): Promise<CurrentUser> {
  const [row] = await db.select({
    groupId: groupMembers.groupId,
    permissions: technicianGroups.permissions,
  }).from(groupMembers)
    .innerJoin(technicianGroups, eq(technicianGroups.id, groupMembers.groupId))
    .where(eq(groupMembers.userId, user.id));
  const permissions = user.role === "master_admin"
    ? PERMISSION_IDS
    : normalisePermissions(row?.permissions ?? []);
  return { ...user, groupId: row?.groupId ?? null, permissions: new Set(permissions) };
}

/**
 * Call after a change to someone's rights or sign-in has committed: open connections of
 * `userId` (or of anyone in the organisation) read their rights again at once — a viewer
 * socket must not keep control an admin just took away.
 */
export function accessChanged(c: Context<AuthedEnv>, userId?: string): void {
  c.get("deps").live.publish({ kind: "access", orgId: c.get("user").orgId, userId });
}
