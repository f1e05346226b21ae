/**
 * The record of each Lens session (`lens_sessions`, schema.ts): a row written when the session
 * is created, filled in when the phone's first picture comes (live), when the technician
 * records or sends the link through the product, and closed when it ends — also when it never
 * went live (expired, abandoned). A session lives in one instance's memory, so when that
 * instance dies nobody ends it: the instances that see it gone (their heartbeat's `onGone`, and
 * every start, main.ts) close its open rows with `instanceGone`, as recordings finish the parts
 * a dead instance left open (modules/recording shutdown.ts); a server that stops cleanly closes
 * its own first. The technician's recent list and the reports read these rows.
 */
import { and, desc, eq, isNotNull, isNull, ne, sql } from "drizzle-orm";
import { HEARTBEAT } from "../cluster/mod.ts";
import type { AppDeps } from "../http/mod.ts";
import type { LensEndReason } from "./lens_session.ts";
import { type LensRecordEnd, type LensSentVia, lensSessions } from "./schema.ts";

export interface LensRecordStart {
  id: string;
  orgId: string;
  technicianId: string;
  groupId: string | null;
  at: Date;
}

/** The session was created here: its row, open. */
export async function openLensRecord(deps: AppDeps, start: LensRecordStart): Promise<void> {
  await deps.db.insert(lensSessions).values({
    id: start.id,
    orgId: start.orgId,
    technicianId: start.technicianId,
    groupId: start.groupId,
    createdAt: start.at,
    instanceId: deps.instance.id,
  });
}

/** The phone's first picture came (later ones, after a reload, keep the first time). */
export async function markLensLive(deps: AppDeps, id: string, at: Date): Promise<void> {
  await deps.db.update(lensSessions).set({ liveAt: at })
    .where(and(eq(lensSessions.id, id), isNull(lensSessions.liveAt)));
}

/** A recording of the session was stored (its first part's file and row: modules/recording). */
export async function markLensRecorded(db: AppDeps["db"], id: string): Promise<void> {
  await db.update(lensSessions).set({ recorded: true }).where(eq(lensSessions.id, id));
}

/** The link went through the product's outbox (the latest way), with the customer's name. */
export async function markLensInvited(
  deps: AppDeps,
  id: string,
  invite: { via: Exclude<LensSentVia, "link">; customerName: string | null },
): Promise<void> {
  await deps.db.update(lensSessions)
    .set({
      sentVia: invite.via,
      ...(invite.customerName ? { customerName: invite.customerName } : {}),
    })
    .where(eq(lensSessions.id, id));
}

/** The session ended: when and why (a row already closed keeps its end). */
export async function closeLensRecord(
  deps: AppDeps,
  id: string,
  end: { reason: LensEndReason; at: Date },
): Promise<void> {
  await deps.db.update(lensSessions).set({ endedAt: end.at, endReason: end.reason })
    .where(and(eq(lensSessions.id, id), isNull(lensSessions.endedAt)));
}

/**
 * Closes the open rows of instances that are gone (no row in `instances`, or no heartbeat
 * within the expiry), at the time they are seen gone: their sessions died with them. Rows of
 * live instances, this one included, are left alone. Returns how many it closed.
 */
export async function closeLensRecordsOfGoneInstances(deps: AppDeps): Promise<number> {
  const now = deps.clock.now();
  const since = new Date(now.getTime() - HEARTBEAT.expiryMs);
  const closed = await deps.db.update(lensSessions)
    .set({ endedAt: now, endReason: "instanceGone" })
    .where(and(
      isNull(lensSessions.endedAt),
      ne(lensSessions.instanceId, deps.instance.id),
      sql`not exists (select 1 from instances i where i.id = ${lensSessions.instanceId}
        and i.heartbeat_at > ${since.toISOString()}::timestamptz)`,
    ))
    .returning({ id: lensSessions.id });
  return closed.length;
}

/** This instance stops: its open rows end now (`instanceGone`, their sessions go with it). */
export async function closeLensRecordsHere(deps: AppDeps): Promise<number> {
  const closed = await deps.db.update(lensSessions)
    .set({ endedAt: deps.clock.now(), endReason: "instanceGone" })
    .where(and(isNull(lensSessions.endedAt), eq(lensSessions.instanceId, deps.instance.id)))
    .returning({ id: lensSessions.id });
  return closed.length;
}

/** One ended Lens session as the technician's recent list shows it. */
export interface LensRecord {
  id: string;
  startedAt: Date;
  endedAt: Date;
  /** From creation to the end. */
  seconds: number;
  reason: LensRecordEnd;
  customer: string | null;
  /** A recording was stored (its page lists what is kept: modules/recording). */
  recorded: boolean;
}

/** The technician's ended Lens sessions, newest end first. */
export async function recentLensRecords(
  deps: AppDeps,
  owner: { userId: string; orgId: string },
  limit = 10,
): Promise<LensRecord[]> {
  const rows = await deps.db.select({
    id: lensSessions.id,
    recorded: lensSessions.recorded,
    createdAt: lensSessions.createdAt,
    endedAt: lensSessions.endedAt,
    reason: lensSessions.endReason,
    customer: lensSessions.customerName,
  }).from(lensSessions)
    .where(and(
      eq(lensSessions.technicianId, owner.userId),
      eq(lensSessions.orgId, owner.orgId),
      isNotNull(lensSessions.endedAt),
    ))
    .orderBy(desc(lensSessions.endedAt), desc(lensSessions.createdAt))
    .limit(limit);
  return rows.map((row) => ({
    id: row.id,
    recorded: row.recorded,
    startedAt: row.createdAt,
    endedAt: row.endedAt!,
    seconds: Math.max(0, Math.round((row.endedAt!.getTime() - row.createdAt.getTime()) / 1000)),
    reason: row.reason ?? "instanceGone",
    customer: row.customer || null,
  }));
}
