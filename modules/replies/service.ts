import { and, asc, count, eq, max } from "drizzle-orm";
import { type ChangeContext, recordChange } from "../audit/mod.ts";
import { users } from "../auth/mod.ts";
import type { Database } from "../db/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import {
  checkReply,
  MAX_REPLIES,
  type ReplyDraft,
  type ReplyInput,
  type ReplyKind,
  type ReplyProblem,
} from "./input.ts";
import { predefinedReplies } from "./schema.ts";

export type Reply = typeof predefinedReplies.$inferSelect;

export type SaveResult =
  | { ok: true; reply: Reply }
  | { ok: false; problems: ReplyProblem[] };

/** How an import treats what the technician already has. */
export type ImportMode = "add" | "replace";

export type ImportResult =
  | { ok: true; added: number; removed: number }
  | { ok: false; existing: number };

/** The technician's own items, replies before URLs, each kind in its chosen order. */
export async function listReplies(
  db: Database,
  userId: string,
  kind?: ReplyKind,
): Promise<Reply[]> {
  const mine = eq(predefinedReplies.userId, userId);
  return await db.select().from(predefinedReplies)
    .where(kind ? and(mine, eq(predefinedReplies.kind, kind)) : mine)
    .orderBy(
      asc(predefinedReplies.kind),
      asc(predefinedReplies.position),
      asc(predefinedReplies.createdAt),
    );
}

/** One of the technician's own items, or undefined (also for others' ids and non-UUIDs). */
export async function getReply(db: Database, userId: string, id: string) {
  if (!isUuid(id)) return undefined;
  const [row] = await db.select().from(predefinedReplies)
    .where(and(eq(predefinedReplies.id, id), eq(predefinedReplies.userId, userId)));
  return row;
}

/** Adds an item at the end of its list; the 201st item is refused with a 409. */
export async function createReply(
  db: Database,
  kind: ReplyKind,
  draft: ReplyDraft,
  ctx: ChangeContext,
): Promise<SaveResult> {
  const checked = checkReply(kind, draft);
  if (!checked.ok) return checked;
  return await db.transaction(async (tx) => {
    const existing = await lockAndCount(tx, ctx.actor.id);
    if (existing >= MAX_REPLIES) {
      throw new Refusal(409, "replies.limitReached", { params: { max: MAX_REPLIES } });
    }
    const [row] = await tx.insert(predefinedReplies).values({
      orgId: ctx.actor.orgId,
      userId: ctx.actor.id,
      ...checked.input,
      position: await nextPosition(tx, ctx.actor.id, kind),
      createdAt: ctx.now,
      updatedAt: ctx.now,
    }).returning();
    return { ok: true as const, reply: row };
  });
}

/** Changes an item's title and text (its kind stays); someone else's item is a 404. */
export async function updateReply(
  db: Database,
  id: string,
  draft: ReplyDraft,
  ctx: ChangeContext,
): Promise<SaveResult> {
  const before = await ownReply(db, ctx, id);
  const checked = checkReply(before.kind, draft);
  if (!checked.ok) return checked;
  const [row] = await db.update(predefinedReplies)
    .set({ title: checked.input.title, body: checked.input.body, updatedAt: ctx.now })
    .where(and(eq(predefinedReplies.id, id), eq(predefinedReplies.userId, ctx.actor.id)))
    .returning();
  if (!row) throw new Refusal(404, "replies.notFound");
  return { ok: true, reply: row };
}

/** Deletes one of the technician's own items. */
export async function deleteReply(db: Database, id: string, ctx: ChangeContext): Promise<Reply> {
  const reply = await ownReply(db, ctx, id);
  await db.delete(predefinedReplies)
    .where(and(eq(predefinedReplies.id, id), eq(predefinedReplies.userId, ctx.actor.id)));
  return reply;
}

/** Moves an item one place up or down within its kind (renumbering 0, 1, 2 …). */
export async function moveReply(
  db: Database,
  id: string,
  direction: "up" | "down",
  ctx: ChangeContext,
): Promise<Reply> {
  return await db.transaction(async (tx) => {
    await lockAndCount(tx, ctx.actor.id);
    const reply = await ownReply(tx, ctx, id);
    const order = (await listReplies(tx, ctx.actor.id, reply.kind)).map((r) => r.id);
    const from = order.indexOf(id);
    const to = direction === "up" ? from - 1 : from + 1;
    if (to < 0 || to >= order.length) return reply;
    [order[from], order[to]] = [order[to], order[from]];
    for (const [position, replyId] of order.entries()) {
      await tx.update(predefinedReplies).set({ position }).where(eq(predefinedReplies.id, replyId));
    }
    return reply;
  });
}

/**
 * Stores checked items (from `parseRepliesXml`) in one transaction with its audit entry:
 * "add" appends them to each list, "replace" first deletes all of the technician's
 * items. When the result would exceed MAX_REPLIES nothing is stored and the count the
 * technician already has is returned.
 */
export async function importReplies(
  db: Database,
  items: readonly ReplyInput[],
  mode: ImportMode,
  ctx: ChangeContext,
): Promise<ImportResult> {
  return await db.transaction(async (tx) => {
    const userId = ctx.actor.id;
    const existing = await lockAndCount(tx, userId);
    if (mode === "add" && existing + items.length > MAX_REPLIES) {
      return { ok: false as const, existing };
    }
    if (mode === "replace") {
      await tx.delete(predefinedReplies).where(eq(predefinedReplies.userId, userId));
    }
    const next = { reply: 0, url: 0 };
    if (mode === "add") {
      next.reply = await nextPosition(tx, userId, "reply");
      next.url = await nextPosition(tx, userId, "url");
    }
    if (items.length > 0) {
      await tx.insert(predefinedReplies).values(items.map((item) => ({
        orgId: ctx.actor.orgId,
        userId,
        kind: item.kind,
        title: item.title,
        body: item.body,
        position: next[item.kind]++,
        createdAt: ctx.now,
        updatedAt: ctx.now,
      })));
    }
    const removed = mode === "replace" ? existing : 0;
    await recordChange(tx, ctx, "replies.imported", userId, {
      mode,
      added: items.length,
      removed,
    });
    return { ok: true as const, added: items.length, removed };
  });
}

async function ownReply(db: Database, ctx: ChangeContext, id: string): Promise<Reply> {
  const reply = await getReply(db, ctx.actor.id, id);
  if (!reply) throw new Refusal(404, "replies.notFound");
  return reply;
}

/**
 * Locks the technician's user row so that two tabs adding or importing at once cannot
 * both pass the limit, then counts their items.
 */
async function lockAndCount(db: Database, userId: string): Promise<number> {
  await db.select({ id: users.id }).from(users).where(eq(users.id, userId)).for("update");
  const [{ n }] = await db.select({ n: count() }).from(predefinedReplies)
    .where(eq(predefinedReplies.userId, userId));
  return Number(n);
}

async function nextPosition(db: Database, userId: string, kind: ReplyKind): Promise<number> {
  const [{ last }] = await db.select({ last: max(predefinedReplies.position) })
    .from(predefinedReplies)
    .where(and(eq(predefinedReplies.userId, userId), eq(predefinedReplies.kind, kind)));
  return (last ?? -1) + 1;
}

export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
