/**
 * Who may read a Lens session's record — and so see, play and download its recordings
 * (modules/recording), as who may read a support session may download its parts (History's
 * `readableSession`): the technician who ran it; a technician with `seeOtherTechnicians`, for
 * its own group's; an admin, for the groups it manages; the master admin, every one of the
 * organisation. The session's group is the technician's group when it started (as the Lens
 * report's scope). Anything else is "not found", exactly like a session that does not exist.
 */
import { eq } from "drizzle-orm";
import { users } from "../auth/mod.ts";
import type { AppDeps, CurrentUser } from "../http/mod.ts";
import { managedGroupIds } from "../org/mod.ts";
import { can } from "../permissions/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { lensSessions } from "./schema.ts";

/** A Lens session's record as its recordings' page shows it. */
export interface ReadableLens {
  id: string;
  orgId: string;
  groupId: string | null;
  technicianId: string;
  technicianName: string;
  customerName: string | null;
  createdAt: Date;
  endedAt: Date | null;
}

/** Whether `user` may read the Lens session `lens` (see the top). */
export async function mayReadLens(
  deps: AppDeps,
  user: CurrentUser,
  lens: { orgId: string; technicianId: string; groupId: string | null },
): Promise<boolean> {
  if (lens.orgId !== user.orgId) return false;
  if (user.role === "master_admin" || lens.technicianId === user.id) return true;
  if (!lens.groupId) return false;
  if (can(user, "seeOtherTechnicians") && user.groupId === lens.groupId) return true;
  if (user.role !== "admin") return false;
  const managed = user.managedGroupIds ?? await managedGroupIds(deps.db, user);
  return managed.has(lens.groupId);
}

/** The Lens session `id` if `user` may read it; otherwise a 404 (`lens.recordNotFound`). */
export async function readableLens(
  deps: AppDeps,
  user: CurrentUser | undefined,
  id: string,
): Promise<ReadableLens> {
  if (!user || !/^[0-9a-f-]{36}$/.test(id)) throw new Refusal(404, "lens.recordNotFound");
  const [row] = await deps.db.select({
    id: lensSessions.id,
    orgId: lensSessions.orgId,
    groupId: lensSessions.groupId,
    technicianId: lensSessions.technicianId,
    technicianName: users.name,
    customerName: lensSessions.customerName,
    createdAt: lensSessions.createdAt,
    endedAt: lensSessions.endedAt,
  }).from(lensSessions).innerJoin(users, eq(users.id, lensSessions.technicianId))
    .where(eq(lensSessions.id, id));
  if (!row || !await mayReadLens(deps, user, row)) throw new Refusal(404, "lens.recordNotFound");
  return row;
}
