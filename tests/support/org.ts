/** Builds groups and technicians directly through the services, for tests. */
import { eq } from "drizzle-orm";
import { toCurrentUser, users } from "../../modules/auth/mod.ts";
import {
  createGroup,
  defaultGroupSettings,
  groupMembers,
  technicianGroups,
} from "../../modules/org/mod.ts";
import { defaultPermissions, type Permission } from "../../modules/permissions/mod.ts";
import { ADMIN, fixturePasswordHash, type TestApp } from "./app.ts";

export async function masterAdmin(t: TestApp) {
  const [row] = await t.deps.db.select().from(users).where(eq(users.email, ADMIN.email));
  return toCurrentUser(row);
}

export async function makeGroup(
  t: TestApp,
  options: { name?: string; permissions?: Permission[]; parentId?: string } = {},
) {
  return await createGroup(t.deps.db, {
    name: options.name ?? `Group ${crypto.randomUUID().slice(0, 8)}`,
    permissions: options.permissions,
    parentId: options.parentId,
  }, { actor: await masterAdmin(t), ip: "127.0.0.1", now: t.clock.now() });
}

export const TECH_PASSWORD = "technician password";

/** A signed-up person (password TECH_PASSWORD) in `groupId`. */
export async function makePerson(
  t: TestApp,
  options: { groupId: string; role?: "technician" | "admin"; email?: string },
) {
  const [master] = await t.deps.db.select().from(users).where(eq(users.email, ADMIN.email));
  const [user] = await t.deps.db.insert(users).values({
    orgId: master.orgId,
    email: options.email ?? `tech-${crypto.randomUUID().slice(0, 8)}@example.test`,
    name: "Test Technician",
    role: options.role ?? "technician",
    passwordHash: await fixturePasswordHash(TECH_PASSWORD),
    createdAt: t.clock.now(),
  }).returning();
  await t.deps.db.insert(groupMembers).values({ userId: user.id, groupId: options.groupId });
  return user;
}

/**
 * A group whose technicians may record (`recordSessions`), recording by `policy` (default
 * `optional`: the technician's Record) into `folder`.
 */
export async function recordingGroup(
  t: TestApp,
  folder: string,
  policy: "optional" | "always" = "optional",
) {
  const group = await makeGroup(t, { permissions: [...defaultPermissions(), "recordSessions"] });
  await t.deps.db.update(technicianGroups).set({
    settings: { ...defaultGroupSettings(), recordingPolicy: policy, recordingLocation: folder },
  }).where(eq(technicianGroups.id, group.id));
  return group;
}
