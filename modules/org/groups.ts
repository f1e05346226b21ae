import { type FolderProblem, prepareFolder } from "../files/mod.ts";
import { and, asc, eq, inArray } from "drizzle-orm";
import { type ChangeContext, changedValues, recordChange } from "../audit/mod.ts";
import type { Database } from "../db/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import type { AppDeps, CurrentUser } from "../http/mod.ts";
import { defaultPermissions, normalisePermissions, type Permission } from "../permissions/mod.ts";
import { groupAdmins, technicianGroups } from "./schema.ts";
import { groupContents, groupDependents, isForeignKeyViolation } from "./group_deletion.ts";
import {
  defaultGroupSettings,
  type GroupSettings,
  GroupSettingsSchema,
  withUnavailableAtDefaults,
} from "./settings.ts";

export type GroupRow = typeof technicianGroups.$inferSelect;
export type { ChangeContext };

export async function listGroups(db: Database, orgId: string): Promise<GroupRow[]> {
  return await db.select().from(technicianGroups).where(eq(technicianGroups.orgId, orgId))
    .orderBy(asc(technicianGroups.name));
}

/**
 * The ids of the groups `user` may manage: every group of the organisation for the master
 * admin; for an admin the groups assigned to it and everything nested below them.
 */
export async function managedGroupIds(db: Database, user: CurrentUser): Promise<Set<string>> {
  const groups = await listGroups(db, user.orgId);
  if (user.role === "master_admin") return new Set(groups.map((g) => g.id));
  if (user.role !== "admin") return new Set();
  const assigned = await db.select({ groupId: groupAdmins.groupId }).from(groupAdmins).where(
    eq(groupAdmins.userId, user.id),
  );
  const managed = new Set(assigned.map((a) => a.groupId));
  let grew = true;
  while (grew) {
    grew = false;
    for (const g of groups) {
      if (g.parentId && managed.has(g.parentId) && !managed.has(g.id)) {
        managed.add(g.id);
        grew = true;
      }
    }
  }
  return managed;
}

/** The group if `user` manages it; a 404 otherwise (we do not confirm it exists). */
export async function managedGroup(db: Database, user: CurrentUser, id: string) {
  if (!/^[0-9a-f-]{36}$/.test(id)) throw new Refusal(404, "org.groupNotFound");
  if (!(await managedGroupIds(db, user)).has(id)) throw new Refusal(404, "org.groupNotFound");
  const [group] = await db.select().from(technicianGroups).where(eq(technicianGroups.id, id));
  if (!group) throw new Refusal(404, "org.groupNotFound");
  return group;
}

export interface GroupInput {
  name: string;
  description?: string;
  parentId?: string | null;
}

function checkGroupInput(input: GroupInput) {
  const name = input.name.trim();
  if (!name || name.length > 100) throw new Refusal(422, "org.groupNameInvalid");
  if ((input.description ?? "").length > 500) throw new Refusal(422, "org.descriptionTooLong");
  return { name, description: (input.description ?? "").trim() };
}

/** Creates a group with the default permissions and settings (master admin only). */
export async function createGroup(
  db: Database,
  input: GroupInput & { permissions?: Permission[]; settings?: Partial<GroupSettings> },
  ctx: ChangeContext,
): Promise<GroupRow> {
  if (ctx.actor.role !== "master_admin") throw new Refusal(403, "errors.forbidden");
  const { name, description } = checkGroupInput(input);
  const parsed = GroupSettingsSchema.safeParse({ ...defaultGroupSettings(), ...input.settings });
  if (!parsed.success) throw new Refusal(422, "org.settingsInvalid");
  return await db.transaction(async (tx) => {
    if (input.parentId) await managedGroup(tx, ctx.actor, input.parentId);
    await assertNameFree(tx, ctx.actor.orgId, name);
    const [group] = await tx.insert(technicianGroups).values({
      orgId: ctx.actor.orgId,
      parentId: input.parentId ?? null,
      name,
      description,
      permissions: normalisePermissions(input.permissions ?? defaultPermissions()),
      settings: withUnavailableAtDefaults(parsed.data),
      createdAt: ctx.now,
      updatedAt: ctx.now,
    }).returning();
    await recordChange(tx, ctx, "group.created", group.id, { after: snapshot(group) });
    return group;
  });
}

export async function updateGroup(
  db: Database,
  id: string,
  input: GroupInput,
  ctx: ChangeContext,
): Promise<GroupRow> {
  const { name, description } = checkGroupInput(input);
  return await db.transaction(async (tx) => {
    const before = await managedGroup(tx, ctx.actor, id);
    const parentId = input.parentId ?? null;
    if (parentId !== before.parentId) {
      // Moving a group out of one the actor does not manage (to the top level, say) changes
      // what that group's admins manage: the master admin's call.
      if (before.parentId && ctx.actor.role !== "master_admin") {
        const managed = await managedGroupIds(tx, ctx.actor);
        if (!managed.has(before.parentId)) throw new Refusal(403, "errors.forbidden");
      }
      if (!parentId && ctx.actor.role !== "master_admin") {
        throw new Refusal(403, "errors.forbidden");
      }
      if (parentId) {
        await managedGroup(tx, ctx.actor, parentId);
        if (await wouldCycle(tx, ctx.actor.orgId, id, parentId)) {
          throw new Refusal(422, "org.parentCycle");
        }
      }
    }
    if (name !== before.name) await assertNameFree(tx, ctx.actor.orgId, name);
    const [after] = await tx.update(technicianGroups).set({
      name,
      description,
      parentId,
      updatedAt: ctx.now,
    }).where(eq(technicianGroups.id, id)).returning();
    await recordChange(tx, ctx, "group.updated", id, {
      before: snapshot(before),
      after: snapshot(after),
    });
    return after;
  });
}

export async function setGroupPermissions(
  db: Database,
  id: string,
  permissions: readonly unknown[],
  ctx: ChangeContext,
): Promise<GroupRow> {
  return await db.transaction(async (tx) => {
    const before = await managedGroup(tx, ctx.actor, id);
    const next = normalisePermissions(permissions);
    const [after] = await tx.update(technicianGroups).set({ permissions: next, updatedAt: ctx.now })
      .where(eq(technicianGroups.id, id)).returning();
    await recordChange(tx, ctx, "group.permissions_changed", id, {
      before: before.permissions,
      after: next,
    });
    return after;
  });
}

/**
 * Validates and saves settings; a bad value refuses the whole change (nothing saved).
 * Settings that are not available yet are stored at their defaults.
 */
export async function setGroupSettings(
  db: Database,
  id: string,
  raw: Record<string, unknown>,
  ctx: ChangeContext,
) {
  const parsed = GroupSettingsSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false as const, issues: parsed.error.issues };
  }
  const problem = await recordingFolderProblem(parsed.data);
  if (problem) {
    return {
      ok: false as const,
      issues: [{ path: ["recordingLocation"], message: `folder_${problem}` }],
    };
  }
  const group = await db.transaction(async (tx) => {
    const before = await managedGroup(tx, ctx.actor, id);
    const settings = withUnavailableAtDefaults(parsed.data);
    const [after] = await tx.update(technicianGroups).set({ settings, updatedAt: ctx.now })
      .where(eq(technicianGroups.id, id)).returning();
    await recordChange(tx, ctx, "group.settings_changed", id, {
      ...changedValues(before.settings, settings),
    });
    return after;
  });
  return { ok: true as const, group };
}

/**
 * Why the group's recording folder cannot take recordings (null: it can, or none is named —
 * the data folder's `recordings/`): checked on saving, not at the first recording, so the admin
 * hears of it (modules/recording writes there).
 */
export async function recordingFolderProblem(
  settings: Pick<GroupSettings, "recordingLocation">,
): Promise<FolderProblem | null> {
  return settings.recordingLocation ? await prepareFolder(settings.recordingLocation) : null;
}

/**
 * Deletes a group nothing needs any more (master admin only): no members, no subgroups, no
 * active channel that only it serves (`groupDependentsFrom`), no support or Lens sessions held
 * in it (the history and reports keep pointing at it: the database refuses, and so do we, with
 * why). Its permissions, settings, admin assignments and survey go with it, and channels and
 * calling cards stop naming it.
 */
export async function deleteGroup(deps: AppDeps, id: string, ctx: ChangeContext): Promise<void> {
  if (ctx.actor.role !== "master_admin") throw new Refusal(403, "errors.forbidden");
  try {
    await deps.db.transaction(async (tx) => {
      const group = await managedGroup(tx, ctx.actor, id);
      const { members, subgroups } = await groupContents(tx, id);
      if (members > 0) {
        throw new Refusal(409, "org.groupHasMembers", { params: { count: members } });
      }
      if (subgroups > 0) {
        throw new Refusal(409, "org.groupHasSubgroups", { params: { count: subgroups } });
      }
      const [needed] = await groupDependents(deps, tx, id);
      if (needed) throw new Refusal(409, needed.key, { params: needed.params });
      await tx.delete(technicianGroups).where(eq(technicianGroups.id, id));
      await recordChange(tx, ctx, "group.deleted", id, { before: snapshot(group) });
    });
  } catch (error) {
    if (isForeignKeyViolation(error)) throw new Refusal(409, "org.groupHasHistory");
    throw error;
  }
}

export async function setGroupAdmins(
  db: Database,
  id: string,
  adminIds: string[],
  ctx: ChangeContext,
) {
  if (ctx.actor.role !== "master_admin") throw new Refusal(403, "errors.forbidden");
  await db.transaction(async (tx) => {
    await managedGroup(tx, ctx.actor, id);
    const before = await tx.select({ userId: groupAdmins.userId }).from(groupAdmins).where(
      eq(groupAdmins.groupId, id),
    );
    await tx.delete(groupAdmins).where(eq(groupAdmins.groupId, id));
    if (adminIds.length > 0) {
      await tx.insert(groupAdmins).values(adminIds.map((userId) => ({ groupId: id, userId })));
    }
    await recordChange(tx, ctx, "group.admins_changed", id, {
      before: before.map((b) => b.userId),
      after: adminIds,
    });
  });
}

export async function adminsOf(db: Database, groupIds: string[]) {
  if (groupIds.length === 0) return [];
  return await db.select().from(groupAdmins).where(inArray(groupAdmins.groupId, groupIds));
}

async function assertNameFree(db: Database, orgId: string, name: string) {
  const [clash] = await db.select({ id: technicianGroups.id }).from(technicianGroups).where(
    and(eq(technicianGroups.orgId, orgId), eq(technicianGroups.name, name)),
  );
  if (clash) throw new Refusal(409, "org.groupNameTaken", { params: { name } });
}

async function wouldCycle(db: Database, orgId: string, id: string, parentId: string) {
  const groups = new Map((await listGroups(db, orgId)).map((g) => [g.id, g.parentId]));
  for (let at: string | null | undefined = parentId; at; at = groups.get(at)) {
    if (at === id) return true;
  }
  return false;
}

function snapshot(g: GroupRow) {
  return { name: g.name, description: g.description, parentId: g.parentId };
}
