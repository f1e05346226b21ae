// Seeds a data directory for `deno task bench:files` (its own process, before the server
// starts, like bench_seed.ts): the bootstrap admin, a group with the default permissions
// (the file manager among them), one technician and a link session created by them.
// Prints `{ email, sessionId, token }` as JSON.
import { eq } from "drizzle-orm";
import { hashPassword, toCurrentUser, users } from "../../modules/auth/mod.ts";
import { loadConfig } from "../../modules/config/mod.ts";
import { openDatabase } from "../../modules/db/mod.ts";
import { defaultGroupSettings, groupMembers, technicianGroups } from "../../modules/org/mod.ts";
import { defaultPermissions } from "../../modules/permissions/mod.ts";
import { createPrivateSession } from "../../modules/support/mod.ts";
import { seedingDeps } from "../bench_bootstrap.ts";

const [dataDir, adminEmail, password] = Deno.args;
const config = await loadConfig({
  env: {
    DATA_DIR: dataDir,
    RESCUE_ADMIN_EMAIL: adminEmail,
    RESCUE_ADMIN_PASSWORD: password,
    DATABASE_URL: Deno.env.get("DATABASE_URL") ?? "",
  },
});
const database = await openDatabase(config);
const now = new Date();
const deps = await seedingDeps(config, database, dataDir);
const [admin] = await deps.db.select().from(users).where(eq(users.email, adminEmail));
const permissions = defaultPermissions();
if (!permissions.includes("fileManager")) throw new Error("fileManager is not a default");
const [group] = await deps.db.insert(technicianGroups).values({
  orgId: admin.orgId,
  name: "Bench files",
  permissions,
  settings: { ...defaultGroupSettings(), idleToAway: 24 * 60 },
  createdAt: now,
  updatedAt: now,
}).returning();
const email = "bench-files@example.test";
const [person] = await deps.db.insert(users).values({
  orgId: admin.orgId,
  email,
  name: "Bench Technician",
  role: "technician",
  passwordHash: await hashPassword(password),
  createdAt: now,
}).returning();
await deps.db.insert(groupMembers).values({ userId: person.id, groupId: group.id });
const tech = { ...toCurrentUser(person), permissions: new Set(permissions), groupId: group.id };
const { session } = await createPrivateSession(deps, tech, {
  method: "link",
  customerName: "Bench customer",
  fields: {},
});
console.log(JSON.stringify({ email, sessionId: session.id, token: session.token }));
await database.close();
