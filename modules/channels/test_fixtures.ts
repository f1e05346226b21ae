// Test-only helpers shared by the channels route tests (not exported from mod.ts).
import { eq } from "drizzle-orm";
import { hashPassword, organisations, users } from "../auth/mod.ts";
import { groupMembers, technicianGroups } from "../org/mod.ts";
import { ADMIN, startTestApp, type TestApp, type TestClient } from "../../tests/support/app.ts";
import { channels } from "./schema.ts";

export interface AdminFixture {
  t: TestApp;
  admin: TestClient;
  orgId: string;
}

/** A test app with the bootstrap admin signed in. */
export async function startWithAdmin(): Promise<AdminFixture> {
  const t = await startTestApp();
  const [row] = await t.deps.db.select().from(users).where(eq(users.email, ADMIN.email));
  const admin = t.client();
  await admin.signIn(ADMIN.email, ADMIN.password);
  return { t, admin, orgId: row.orgId };
}

export async function insertGroup(t: TestApp, orgId: string, name: string): Promise<string> {
  const now = t.clock.now();
  const [group] = await t.deps.db.insert(technicianGroups).values({
    orgId,
    name,
    permissions: [],
    // deno-lint-ignore no-explicit-any
    settings: {} as any,
    createdAt: now,
    updatedAt: now,
  }).returning();
  return group.id;
}

/** A second organisation with one group, to prove that ids from elsewhere are refused. */
export async function foreignGroup(t: TestApp): Promise<string> {
  const [org] = await t.deps.db.insert(organisations).values({
    name: "Elsewhere",
    createdAt: t.clock.now(),
  }).returning();
  return await insertGroup(t, org.id, "Their group");
}

export async function signInTechnician(t: TestApp, orgId: string): Promise<TestClient> {
  await t.deps.db.insert(users).values({
    orgId,
    email: "tech@example.test",
    name: "Tech",
    role: "technician",
    passwordHash: await hashPassword("tech password 1"),
    createdAt: t.clock.now(),
  });
  const tech = t.client();
  await tech.signIn("tech@example.test", "tech password 1");
  return tech;
}

/** Adds a custom field through the admin page and returns its id. */
export async function addField(
  f: AdminFixture,
  label: string,
  maxLength = 50,
): Promise<string> {
  const res = await f.admin.post("/admin/fields", { label, maxLength: String(maxLength) });
  if (res.status !== 303) throw new Error(`adding field ${label}: ${res.status}`);
  const { customFields } = await import("./schema.ts");
  const [row] = await f.t.deps.db.select().from(customFields).where(eq(customFields.label, label));
  return row.id;
}

/** The admin channel form as a browser would post it (Mon–Fri 09:00–17:00 Amsterdam). */
export function channelForm(
  options: { groupId: string; fields?: Record<string, "optional" | "required"> },
  overrides: Record<string, string> = {},
): Record<string, string> {
  const form: Record<string, string> = {
    name: "Helpdesk",
    active: "on",
    [`group_${options.groupId}`]: "on",
    hoursEnabled: "on",
    timeZone: "Europe/Amsterdam",
    unavailableAction: "message",
    unavailableMessage: "We are closed. Call 020 123 4567 in an emergency.",
  };
  for (const [id, state] of Object.entries(options.fields ?? {})) form[`field_${id}`] = state;
  for (const day of ["1", "2", "3", "4", "5"]) {
    form[`hours_${day}_0_start`] = "09:00";
    form[`hours_${day}_0_end`] = "17:00";
  }
  return { ...form, ...overrides };
}

/** Creates a channel through the admin page; returns its row. */
export async function createChannelVia(f: AdminFixture, form: Record<string, string>) {
  await f.admin.get("/admin/channels/new");
  const res = await f.admin.post("/admin/channels", form);
  if (res.status !== 303) throw new Error(`creating channel: ${res.status} ${await res.text()}`);
  const id = res.headers.get("location")!.split("/")[3].split("?")[0];
  const [row] = await f.t.deps.db.select().from(channels).where(eq(channels.id, id));
  return row;
}

export async function channelCount(t: TestApp): Promise<number> {
  return (await t.deps.db.select().from(channels)).length;
}

/** A signed-in, active technician in `groupId`, so the group's channels have someone online. */
export async function onlineTechnician(t: TestApp, orgId: string, groupId: string) {
  const email = `online-${crypto.randomUUID().slice(0, 8)}@example.test`;
  const [user] = await t.deps.db.insert(users).values({
    orgId,
    email,
    name: "Online Tech",
    role: "technician",
    passwordHash: await hashPassword("tech password 1"),
    createdAt: t.clock.now(),
  }).returning();
  await t.deps.db.insert(groupMembers).values({ userId: user.id, groupId });
  const tech = t.client();
  await tech.signIn(email, "tech password 1");
  await tech.get("/console");
  return { user, client: tech };
}
