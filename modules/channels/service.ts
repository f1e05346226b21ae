import { and, asc, count, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { type ChangeContext, changedValues, recordChange } from "../audit/mod.ts";
import { organisations } from "../auth/mod.ts";
import type { Database } from "../db/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { managedGroupIds, technicianGroups } from "../org/mod.ts";
import { randomToken } from "../tokens/mod.ts";
import { type ChannelInput, ChannelInputSchema, type InputProblem, problemsOf } from "./input.ts";
import { callbackRequests, channelGroups, channels, customFields } from "./schema.ts";

/** SPEC A6: at most this many channels per organisation. */
export const MAX_CHANNELS = 10;

export type ChannelRow = typeof channels.$inferSelect;
/** A channel with the technician groups that serve it. */
export type Channel = ChannelRow & { groupIds: string[] };

export type SaveResult =
  | { ok: true; channel: Channel }
  | { ok: false; problems: InputProblem[] };

/** The organisation's channels, by name, each with its group ids. */
export async function listChannels(db: Database, orgId: string): Promise<Channel[]> {
  const rows = await db.select().from(channels).where(eq(channels.orgId, orgId))
    .orderBy(asc(channels.name), asc(channels.createdAt));
  if (rows.length === 0) return [];
  const links = await db.select().from(channelGroups).where(
    inArray(channelGroups.channelId, rows.map((r) => r.id)),
  );
  return rows.map((row) => ({
    ...row,
    groupIds: links.filter((l) => l.channelId === row.id).map((l) => l.groupId),
  }));
}

/**
 * Whether `actor` may see and change `channel`. The rule for a limited admin: only a channel
 * every one of whose groups it manages — renaming, closing or deleting a channel changes
 * what the customers of each group it serves get, so one group's admin does not decide that
 * for another's. (A channel that serves no group is any admin's.) The master admin manages
 * every channel. `managed` is `managedGroupIds(actor)`.
 */
export function managesChannel(
  actor: ChangeContext["actor"],
  channel: Channel,
  managed: ReadonlySet<string>,
): boolean {
  if (actor.role === "master_admin") return true;
  if (actor.role !== "admin") return false;
  return channel.groupIds.every((id) => managed.has(id));
}

/** The organisation's channels that `actor` manages (`managesChannel`), by name. */
export async function listManagedChannels(
  db: Database,
  actor: ChangeContext["actor"],
): Promise<Channel[]> {
  const [all, managed] = await Promise.all([
    listChannels(db, actor.orgId),
    managedGroupIds(db, actor),
  ]);
  return all.filter((channel) => managesChannel(actor, channel, managed));
}

/**
 * The channel if `actor` manages it (`managesChannel`); undefined for a channel of another
 * organisation, one it does not manage and one that does not exist alike, so callers
 * answer all three with the same 404 and never confirm that a channel exists.
 */
export async function getManagedChannel(
  db: Database,
  actor: ChangeContext["actor"],
  id: string,
): Promise<Channel | undefined> {
  const channel = await getChannel(db, actor.orgId, id);
  if (!channel) return undefined;
  return managesChannel(actor, channel, await managedGroupIds(db, actor)) ? channel : undefined;
}

/** One channel of the organisation, or undefined (also for ids that are not UUIDs). */
export async function getChannel(
  db: Database,
  orgId: string,
  id: string,
): Promise<Channel | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await db.select().from(channels).where(
    and(eq(channels.id, id), eq(channels.orgId, orgId)),
  );
  if (!row) return undefined;
  const links = await db.select().from(channelGroups).where(eq(channelGroups.channelId, id));
  return { ...row, groupIds: links.map((l) => l.groupId) };
}

/**
 * Validates `raw` with `ChannelInputSchema`, checks that its groups and fields belong to
 * the actor's organisation, and creates the channel with a fresh unguessable slug. The
 * eleventh channel is refused with a 409; everything happens in one transaction that
 * also writes the audit entry, so a refusal saves nothing.
 */
export async function createChannel(
  db: Database,
  raw: unknown,
  ctx: ChangeContext,
): Promise<SaveResult> {
  assertAdmin(ctx);
  const orgId = ctx.actor.orgId;
  return await db.transaction(async (tx) => {
    // Serialises channel creation per organisation, so two admins cannot both make the 10th.
    await tx.select({ id: organisations.id }).from(organisations)
      .where(eq(organisations.id, orgId)).for("update");
    const [{ n }] = await tx.select({ n: count() }).from(channels).where(eq(channels.orgId, orgId));
    if (Number(n) >= MAX_CHANNELS) {
      throw new Refusal(409, "channels.limitReached", { params: { max: MAX_CHANNELS } });
    }
    const checked = await checkInput(tx, ctx, raw);
    if (!checked.ok) return checked;
    const input = checked.input;
    const [row] = await tx.insert(channels).values({
      orgId,
      name: input.name,
      slug: randomToken(12),
      active: input.active,
      fields: input.fields,
      openingHours: input.openingHours,
      unavailableAction: input.unavailableAction,
      unavailableMessage: input.unavailableMessage,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    }).returning();
    await linkGroups(tx, row.id, input.groupIds);
    const channel = { ...row, groupIds: input.groupIds };
    await recordChange(tx, ctx, "channel.created", row.id, { after: snapshot(channel) });
    return { ok: true as const, channel };
  });
}

/** Replaces a channel's settings (the slug stays); audited with the values that changed. */
export async function updateChannel(
  db: Database,
  id: string,
  raw: unknown,
  ctx: ChangeContext,
): Promise<SaveResult> {
  assertAdmin(ctx);
  return await db.transaction(async (tx) => {
    const before = await getManagedChannel(tx, ctx.actor, id);
    if (!before) throw new Refusal(404, "channels.notFound");
    const checked = await checkInput(tx, ctx, raw);
    if (!checked.ok) return checked;
    const input = checked.input;
    const [row] = await tx.update(channels).set({
      name: input.name,
      active: input.active,
      fields: input.fields,
      openingHours: input.openingHours,
      unavailableAction: input.unavailableAction,
      unavailableMessage: input.unavailableMessage,
      updatedAt: ctx.now,
    }).where(eq(channels.id, id)).returning();
    await tx.delete(channelGroups).where(eq(channelGroups.channelId, id));
    await linkGroups(tx, id, input.groupIds);
    const after = { ...row, groupIds: input.groupIds };
    const [was, is] = [snapshot(before), snapshot(after)];
    await recordChange(tx, ctx, "channel.updated", id, {
      ...changedValues(was, is),
    });
    return { ok: true as const, channel: after };
  });
}

/** Deletes a channel with its group links and callback requests; its link stops working. */
export async function deleteChannel(db: Database, id: string, ctx: ChangeContext): Promise<void> {
  assertAdmin(ctx);
  await db.transaction(async (tx) => {
    const before = await getManagedChannel(tx, ctx.actor, id);
    if (!before) throw new Refusal(404, "channels.notFound");
    await tx.delete(channels).where(eq(channels.id, id));
    await recordChange(tx, ctx, "channel.deleted", id, { before: snapshot(before) });
  });
}

/** Callback requests of the channel that nobody has handled yet. */
export async function openCallbackCount(db: Database, channelId: string): Promise<number> {
  const [{ n }] = await db.select({ n: count() }).from(callbackRequests).where(
    and(eq(callbackRequests.channelId, channelId), isNull(callbackRequests.handledAt)),
  );
  return Number(n);
}

/** A callback request with the name of the channel it came in through. */
export type Callback = typeof callbackRequests.$inferSelect & { channelName: string };

/** The organisation's callback requests: unhandled ones first, then newest first. */
export async function listCallbacks(db: Database, orgId: string): Promise<Callback[]> {
  const rows = await db.select({ callback: callbackRequests, channelName: channels.name })
    .from(callbackRequests)
    .innerJoin(channels, eq(callbackRequests.channelId, channels.id))
    .where(eq(channels.orgId, orgId))
    .orderBy(sql`${callbackRequests.handledAt} is not null`, desc(callbackRequests.createdAt));
  return rows.map((r) => ({ ...r.callback, channelName: r.channelName }));
}

/**
 * Marks a callback request of a channel the actor manages as handled (audited); a 404 for
 * anything else. Marking one that is already handled changes nothing.
 */
export async function markCallbackHandled(
  db: Database,
  id: string,
  ctx: ChangeContext,
): Promise<void> {
  assertAdmin(ctx);
  if (!isUuid(id)) throw new Refusal(404, "channels.callbackNotFound");
  await db.transaction(async (tx) => {
    const [found] = await tx.select({ callback: callbackRequests }).from(callbackRequests)
      .innerJoin(channels, eq(callbackRequests.channelId, channels.id))
      .where(and(eq(callbackRequests.id, id), eq(channels.orgId, ctx.actor.orgId)))
      .for("update");
    if (!found || !(await getManagedChannel(tx, ctx.actor, found.callback.channelId))) {
      throw new Refusal(404, "channels.callbackNotFound");
    }
    if (found.callback.handledAt) return;
    await tx.update(callbackRequests).set({ handledAt: ctx.now })
      .where(eq(callbackRequests.id, id));
    await recordChange(tx, ctx, "callback.handled", id, {
      channelId: found.callback.channelId,
      name: found.callback.name,
    });
  });
}

/** The organisation's technician groups (id and name), for the form and the list. */
export async function groupChoices(db: Database, orgId: string) {
  return await db.select({ id: technicianGroups.id, name: technicianGroups.name })
    .from(technicianGroups).where(eq(technicianGroups.orgId, orgId))
    .orderBy(asc(technicianGroups.name));
}

export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

/**
 * Validates the input and checks its groups and fields against the actor's organisation.
 * A non-master admin may only assign groups it manages (and only edits channels whose
 * groups it all manages: `managesChannel`).
 */
async function checkInput(
  db: Database,
  ctx: ChangeContext,
  raw: unknown,
): Promise<{ ok: true; input: ChannelInput } | { ok: false; problems: InputProblem[] }> {
  const orgId = ctx.actor.orgId;
  const parsed = ChannelInputSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, problems: problemsOf(parsed.error) };
  const input = parsed.data;
  const problems: InputProblem[] = [];
  if (ctx.actor.role !== "master_admin") {
    const managed = await managedGroupIds(db, ctx.actor);
    if (input.groupIds.some((id) => !managed.has(id))) {
      problems.push({ path: "groupIds", code: "groupUnknown" });
    }
  } else if (input.groupIds.length > 0) {
    const found = await db.select({ id: technicianGroups.id }).from(technicianGroups).where(
      and(eq(technicianGroups.orgId, orgId), inArray(technicianGroups.id, input.groupIds)),
    );
    if (found.length !== input.groupIds.length) {
      problems.push({ path: "groupIds", code: "groupUnknown" });
    }
  }
  if (input.fields.length > 0) {
    const ids = input.fields.map((f) => f.fieldId);
    const found = await db.select({ id: customFields.id }).from(customFields).where(and(
      eq(customFields.orgId, orgId),
      eq(customFields.active, true),
      inArray(customFields.id, ids),
    ));
    if (found.length !== ids.length) problems.push({ path: "fields", code: "fieldUnknown" });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, input };
}

async function linkGroups(db: Database, channelId: string, groupIds: string[]) {
  if (groupIds.length === 0) return;
  await db.insert(channelGroups).values(groupIds.map((groupId) => ({ channelId, groupId })));
}

/** Admin pages and the API guard by role too; this keeps the service safe on its own. */
export function assertAdmin(ctx: ChangeContext) {
  if (ctx.actor.role !== "master_admin" && ctx.actor.role !== "admin") {
    throw new Refusal(403, "errors.forbidden");
  }
}

function snapshot(c: Channel): Record<string, unknown> {
  return {
    name: c.name,
    slug: c.slug,
    active: c.active,
    groupIds: [...c.groupIds].sort(),
    fields: c.fields,
    openingHours: c.openingHours,
    unavailableAction: c.unavailableAction,
    unavailableMessage: c.unavailableMessage,
  };
}
