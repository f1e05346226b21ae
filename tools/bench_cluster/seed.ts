/**
 * The cluster bench's database: a fresh PostgreSQL database per run (created here, dropped
 * after), migrated and seeded before any instance starts — the organisation with the
 * harness's admin, technicians in groups that each serve one channel, thousands of Waiting
 * channel sessions spread over those channels, and one signed-in browser session per
 * technician (a `web_sessions` row and its cookie value, so no password is hashed 1,000
 * times and no sign-in limit is met). The seeded sessions' customers have no page open
 * (`customer_state` pending): the instances' reconcile, which looks for connected customers
 * nobody holds, leaves them alone, and they sit in every group's queue as Waiting rows.
 */
import { eq } from "drizzle-orm";
import postgres from "postgres";
import { hashPassword, users } from "../../modules/auth/mod.ts";
import { channelGroups, channels } from "../../modules/channels/mod.ts";
import { loadConfig } from "../../modules/config/mod.ts";
import { openDatabase } from "../../modules/db/mod.ts";
import { seedingDeps } from "../bench_bootstrap.ts";
import { defaultGroupSettings, groupMembers, technicianGroups } from "../../modules/org/mod.ts";
import { defaultPermissions } from "../../modules/permissions/mod.ts";
import { randomToken, sha256Hex } from "../../modules/tokens/mod.ts";
import { CLUSTER_ADMIN } from "../cluster/harness.ts";

export interface SeedPlan {
  technicians: number;
  /** Technicians per group; each group serves its own channel. */
  groupSize: number;
  /** Waiting channel sessions, spread round-robin over the channels. */
  sessions: number;
}

export interface SeededTechnician {
  index: number;
  userId: string;
  group: number;
  /** The value of the `rs_session` cookie. */
  sessionToken: string;
}

export interface Seeded {
  orgId: string;
  technicians: SeededTechnician[];
  /** One per group, in group order. */
  channels: { id: string; slug: string }[];
  /** The seeded Waiting sessions of each group's channel. */
  waiting: string[][];
}

/** A new empty database next to the one `adminUrl` names; returns its URL and a drop. */
export async function freshDatabase(
  adminUrl: string,
  prefix: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${crypto.randomUUID().slice(0, 8)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await admin.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await admin.end();
      }
    },
  };
}

/** Migrates `databaseUrl` (through the product's own openDatabase) and seeds it. */
export async function seedDatabase(databaseUrl: string, plan: SeedPlan): Promise<Seeded> {
  const dataDir = await Deno.makeTempDir({ prefix: "rescue-bench-seed-" });
  const config = await loadConfig({
    env: {
      DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      RESCUE_ADMIN_EMAIL: CLUSTER_ADMIN.email,
      RESCUE_ADMIN_PASSWORD: CLUSTER_ADMIN.password,
    },
  });
  const database = await openDatabase(config);
  const sql = postgres(databaseUrl, { max: 2, onnotice: () => {} });
  try {
    await seedingDeps(config, database, dataDir);
    const db = database.db;
    const [admin] = await db.select().from(users).where(eq(users.email, CLUSTER_ADMIN.email));
    const orgId = admin.orgId;
    const now = new Date();
    const groupCount = Math.ceil(plan.technicians / plan.groupSize);
    const groups = await db.insert(technicianGroups).values(
      Array.from({ length: groupCount }, (_, g) => ({
        orgId,
        name: `Bench ${g + 1}`,
        permissions: defaultPermissions(),
        // idleToAway: nobody turns Away during the run; 10 active sessions each (the most).
        settings: { ...defaultGroupSettings(), maxActiveSessions: 10, idleToAway: 24 * 60 },
        createdAt: now,
        updatedAt: now,
      })),
    ).returning({ id: technicianGroups.id });
    const seededChannels = await db.insert(channels).values(
      groups.map((_, g) => ({
        orgId,
        name: `Bench channel ${g + 1}`,
        slug: randomToken(12), // 16 characters, as the public route wants
        fields: [],
        openingHours: { enabled: false, timeZone: "UTC", days: {} },
        unavailableAction: "message" as const,
        createdAt: now,
        updatedAt: now,
      })),
    ).returning({ id: channels.id, slug: channels.slug });
    await db.insert(channelGroups).values(
      groups.map((group, g) => ({ channelId: seededChannels[g].id, groupId: group.id })),
    );
    const hash = await hashPassword(CLUSTER_ADMIN.password);
    const people = await db.insert(users).values(
      Array.from({ length: plan.technicians }, (_, i) => ({
        orgId,
        email: `bench-${i}@cluster.test`,
        name: `Bench ${i}`,
        role: "technician" as const,
        passwordHash: hash,
        createdAt: now,
      })),
    ).returning({ id: users.id });
    const groupOf = (i: number) => Math.floor(i / plan.groupSize);
    await db.insert(groupMembers).values(
      people.map((p, i) => ({ userId: p.id, groupId: groups[groupOf(i)].id })),
    );
    const technicians: SeededTechnician[] = [];
    for (const [i, p] of people.entries()) {
      technicians.push({ index: i, userId: p.id, group: groupOf(i), sessionToken: randomToken() });
    }
    const expires = new Date(now.getTime() + 12 * 3_600_000);
    const sessionRows = await Promise.all(technicians.map(async (t) => ({
      id: await sha256Hex(t.sessionToken),
      user_id: t.userId,
      stage: "full",
      ip: "127.0.0.1",
      user_agent: "bench:cluster",
      created_at: now,
      last_seen_at: now,
      expires_at: expires,
    })));
    for (let i = 0; i < sessionRows.length; i += 1000) {
      await sql`insert into web_sessions ${sql(sessionRows.slice(i, i + 1000))}`;
    }
    const waiting: string[][] = groups.map(() => []);
    const groupOfChannel = new Map(seededChannels.map((c, g) => [c.id, g]));
    for (let i = 0; i < plan.sessions; i += 1000) {
      const batch = Array.from({ length: Math.min(1000, plan.sessions - i) }, (_, k) => i + k);
      const rows = batch.map((n) => ({
        org_id: orgId,
        kind: "channel",
        method: "channel",
        channel_id: seededChannels[n % groupCount].id,
        group_id: groups[n % groupCount].id,
        customer_name: `Customer ${n}`,
        fields: sql.json({}),
        token: randomToken(24),
        customer_state: "pending",
        created_at: now,
        updated_at: now,
      }));
      const created = await sql`insert into support_sessions ${sql(rows)}
        returning id, channel_id`;
      await sql`insert into queue_entries ${
        sql(created.map((s) => ({
          session_id: s.id,
          org_id: orgId,
          channel_id: s.channel_id,
          role: "lead",
          status: "waiting",
          status_since: now,
          created_at: now,
        })))
      }`;
      for (const s of created) waiting[groupOfChannel.get(s.channel_id)!].push(s.id);
    }
    return { orgId, technicians, channels: seededChannels, waiting };
  } finally {
    await sql.end();
    await database.close();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
}
