// Seeds a data directory for `deno task bench:queue`: the bootstrap admin, one group of N
// technicians (one shared password hash) serving one always-open channel. Run as its own
// process so the measured server starts on a ready database, like a real restart.
import { eq } from "drizzle-orm";
import { hashPassword, users } from "../modules/auth/mod.ts";
import { channelGroups, channels } from "../modules/channels/mod.ts";
import { loadConfig } from "../modules/config/mod.ts";
import { openDatabase } from "../modules/db/mod.ts";
import { seedingDeps } from "./bench_bootstrap.ts";
import { defaultGroupSettings, groupMembers, technicianGroups } from "../modules/org/mod.ts";
import { defaultPermissions } from "../modules/permissions/mod.ts";

const [dataDir, countArg, password] = Deno.args;
const count = Number(countArg);
const config = await loadConfig({
  env: {
    DATA_DIR: dataDir,
    RESCUE_ADMIN_EMAIL: "bench-admin@example.test",
    RESCUE_ADMIN_PASSWORD: password,
    DATABASE_URL: Deno.env.get("DATABASE_URL") ?? "",
  },
});
const database = await openDatabase(config);
const now = new Date();
const deps = await seedingDeps(config, database, dataDir);
const [admin] = await deps.db.select().from(users).where(
  eq(users.email, "bench-admin@example.test"),
);
const [group] = await deps.db.insert(technicianGroups).values({
  orgId: admin.orgId,
  name: "Bench",
  permissions: defaultPermissions(),
  settings: { ...defaultGroupSettings(), maxActiveSessions: 10, idleToAway: 24 * 60 },
  createdAt: now,
  updatedAt: now,
}).returning();
const hash = await hashPassword(password);
const people = await deps.db.insert(users).values(
  Array.from({ length: count }, (_, i) => ({
    orgId: admin.orgId,
    email: `bench-${i}@example.test`,
    name: `Bench ${i}`,
    role: "technician" as const,
    passwordHash: hash,
    createdAt: now,
  })),
).returning({ id: users.id });
await deps.db.insert(groupMembers).values(people.map((p) => ({ userId: p.id, groupId: group.id })));
const slug = "benchchannel0001";
const [channel] = await deps.db.insert(channels).values({
  orgId: admin.orgId,
  name: "Bench channel",
  slug,
  fields: [],
  openingHours: { enabled: false, timeZone: "UTC", days: {} },
  unavailableAction: "message",
  createdAt: now,
  updatedAt: now,
}).returning();
await deps.db.insert(channelGroups).values({ channelId: channel.id, groupId: group.id });
await database.close();
console.log(JSON.stringify({ slug }));
