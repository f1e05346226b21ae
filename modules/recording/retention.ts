/**
 * Automatic retention (SPEC R5): a group's "Delete recordings after N days"
 * (`recordingRetentionDays`, 0 or blank keeps them) is applied by a sweep that every instance
 * runs every hour. Each expired part is deleted in its own transaction with its row locked
 * (`for update skip locked`), so two instances sweeping at once never delete one twice and
 * never wait on each other; the file goes before the row commits, so a crash leaves a row
 * whose file is gone (the next sweep removes it), never a file nobody lists. A part still
 * being written (no end yet) is never touched. Each deletion is audited as an admin's is
 * (`session.recording_deleted`), with no actor and `reason: "retention"`. A Lens session's parts
 * follow its group's retention the same way (the group it was held in, `lens_sessions`), audited
 * `lens.recording_deleted`.
 */
import { and, asc, eq, isNotNull, lt, type SQL } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import { recordAudit } from "../audit/mod.ts";
import type { AppDeps } from "../http/mod.ts";
import { lensSessions } from "../lens/mod.ts";
import { settingsFor, supportSessions } from "../support/mod.ts";
import { recordings } from "./schema.ts";

const DAY_MS = 86_400_000;
const BATCH = 100;

/** Deletes every part past its group's retention at `now`; returns how many it deleted. */
export async function deleteExpiredRecordings(
  deps: AppDeps,
  now = deps.clock.now(),
): Promise<number> {
  let deleted = 0;
  for (const owner of OWNERS) {
    // The groups that have parts old enough for the shortest retention (one day).
    const groups = await deps.db.selectDistinct({ groupId: owner.group })
      .from(recordings)
      .innerJoin(owner.table, owner.join)
      .where(and(isNotNull(recordings.endedAt), lt(recordings.startedAt, _daysBefore(now, 1))));
    for (const { groupId } of groups) {
      if (!groupId) continue; // no group: the defaults, which keep
      const days = (await settingsFor(deps.db, groupId)).recordingRetentionDays;
      if (!days) continue;
      deleted += await _deleteOfGroup(deps, owner, groupId, _daysBefore(now, days), now);
    }
  }
  return deleted;
}

/** Whose parts: support sessions' (`session_id`) and Lens sessions' (`lens_id`). */
interface Owner {
  table: typeof supportSessions | typeof lensSessions;
  join: SQL;
  group: PgColumn;
}

const OWNERS: Owner[] = [
  {
    table: supportSessions,
    join: eq(supportSessions.id, recordings.sessionId),
    group: supportSessions.groupId,
  },
  {
    table: lensSessions,
    join: eq(lensSessions.id, recordings.lensId),
    group: lensSessions.groupId,
  },
];

async function _deleteOfGroup(
  deps: AppDeps,
  owner: Owner,
  groupId: string,
  before: Date,
  now: Date,
) {
  let deleted = 0;
  for (;;) {
    const due = await deps.db.select({ id: recordings.id }).from(recordings)
      .innerJoin(owner.table, owner.join)
      .where(and(
        eq(owner.group, groupId),
        isNotNull(recordings.endedAt),
        lt(recordings.startedAt, before),
      )).orderBy(asc(recordings.startedAt)).limit(BATCH);
    for (const { id } of due) if (await _deleteOne(deps, id, before, now)) deleted++;
    if (due.length < BATCH) return deleted;
  }
}

async function _deleteOne(deps: AppDeps, id: string, before: Date, now: Date) {
  return await deps.db.transaction(async (tx) => {
    // Still there, still finished and expired: another instance may have taken it meanwhile.
    const [row] = await tx.select().from(recordings).where(and(
      eq(recordings.id, id),
      isNotNull(recordings.endedAt),
      lt(recordings.startedAt, before),
    )).for("update", { skipLocked: true });
    if (!row) return false;
    const [session] = row.sessionId
      ? await tx.select({ orgId: supportSessions.orgId }).from(supportSessions)
        .where(eq(supportSessions.id, row.sessionId))
      : await tx.select({ orgId: lensSessions.orgId }).from(lensSessions)
        .where(eq(lensSessions.id, row.lensId!));
    await Deno.remove(row.path).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
    await tx.delete(recordings).where(eq(recordings.id, row.id));
    await recordAudit(tx, {
      orgId: session?.orgId ?? null,
      action: row.sessionId ? "session.recording_deleted" : "lens.recording_deleted",
      target: row.sessionId ?? row.lensId,
      details: {
        recordingId: row.id,
        startedAt: row.startedAt.toISOString(),
        bytes: row.bytes,
        file: row.path.slice(row.path.lastIndexOf("/") + 1),
        reason: "retention",
      },
      at: now,
    });
    return true;
  });
}

function _daysBefore(now: Date, days: number): Date {
  return new Date(now.getTime() - days * DAY_MS);
}

/**
 * Sweeps now and then every `everyMs` (an hour) on the real timer with the app's clock; returns
 * a stop function. A sweep that fails is logged and tried again at the next turn.
 */
export function startRecordingRetention(deps: AppDeps, everyMs = 3_600_000): () => void {
  let running = false;
  const sweep = async () => {
    if (running) return;
    running = true;
    try {
      const deleted = await deleteExpiredRecordings(deps);
      if (deleted > 0) deps.log.info("expired recordings deleted", { deleted });
    } catch (error) {
      deps.log.error("recording retention failed", { error: String(error) });
    } finally {
      running = false;
    }
  };
  void sweep();
  const timer = setInterval(sweep, everyMs);
  return () => clearInterval(timer);
}
